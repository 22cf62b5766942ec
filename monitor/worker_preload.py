"""Imported by the extraction pool's forkserver only: loads the workers' tables before forking.

`gc.freeze()` then moves everything loaded so far out of the collector's reach: a worker's
collections would otherwise write to every one of those objects' pages and un-share them
(copy-on-write), which made each worker's memory grow to the size of the tables.
"""

import gc

from monitor import workers

workers.warm()
gc.freeze()
