"""The `[review]` table's settings: defined in `monitor.review_settings` (no Flask import)."""

from monitor.review_settings import KEYS, ReviewSettings  # noqa: F401
