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


def test_the_crawl_leaves_scrapys_remote_control_out(tmp_path):
    """Scrapy 2.19's remote-control server (it runs Python code sent to it) is neither started
    nor loaded (loading it imported aiohttp into every crawl)."""
    from scrapy.extension import ExtensionManager

    from monitor.configure import load_config
    from monitor.crawl import build_settings
    from tests.sites import SITES, config_for

    settings = build_settings(load_config(config_for(tmp_path, SITES / "kinds.sources.toml")))
    paths = [str(path) for path in ExtensionManager._get_mwlist_from_settings(settings)]
    assert not any("remote_control" in path for path in paths)
    assert any(path.endswith("ProgressExtension") for path in paths)
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False
