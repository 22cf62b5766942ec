"""bench/crawl.py's CPU count of a process tree: the part the children's rusage misses."""
import subprocess
import sys
import time

from bench import crawl

# A parent that starts a grandchild burning CPU and never waits for it: the shape of the
# crawl's forkserver and judging workers.
ORPHANING_PARENT = """
import subprocess, sys, time
subprocess.Popen([sys.executable, "-c",
                  "import time\\nend = time.process_time() + 0.6\\n"
                  "while time.process_time() < end: pass\\ntime.sleep(0.5)"])
time.sleep(1.5)
"""


def test_descendants_cpu_counts_a_grandchild_that_is_never_reaped():
    parent = subprocess.Popen([sys.executable, "-c", ORPHANING_PARENT])
    seen: dict[int, float] = {}
    while parent.poll() is None:
        seen.update(crawl.descendants_cpu(parent.pid))
        time.sleep(0.02)
    assert sum(seen.values()) >= 0.5
