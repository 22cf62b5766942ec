"""Modules that must not pull in Scrapy (and its Twisted reactor) when imported.

The review web app and `monitor status` only read the database; health is `monitor.health`'s,
so none of them needs the crawler. Each check runs in a fresh interpreter.
"""

from __future__ import annotations

import subprocess
import sys

import pytest


def loaded_after_import(module: str) -> set[str]:
    code = (f"import sys, {module}; "
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in "
            "('scrapy', 'twisted', 'monitor')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return set(done.stdout.split())


@pytest.mark.parametrize("module", ["monitor.web.views", "monitor.status", "monitor.health",
                                    "monitor.due", "monitor.digest"])
def test_module_does_not_import_scrapy(module):
    assert not any(m.startswith(("scrapy", "twisted")) for m in loaded_after_import(module))


def test_the_status_page_path_stays_off_the_crawl_module():
    assert "monitor.crawl" not in loaded_after_import("monitor.web.views")
