"""All SQL lives in this package. Other modules call these functions with a `Database`.

One module per table family; each owns a named `Migrations` set, so schema changes to one
concern never renumber another's. `open_db` applies every pending migration.
"""

from monitor.storage.db import StorageError, open_db_readonly, utcnow_iso
from monitor.storage.schema import open_db

__all__ = ["StorageError", "open_db", "open_db_readonly", "utcnow_iso"]
