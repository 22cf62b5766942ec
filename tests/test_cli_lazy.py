"""`monitor` imports a command's module only when that command runs (monitor.cli.LazyGroup).

The map of command names to modules is checked against each module's own COMMANDS list, so a
new command cannot be left out; and what `monitor crawl` imports is checked in a fresh
interpreter, so a module-level import of the drafter or Scrapy creeping back is caught.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

from monitor.cli import COMMAND_MODULES, cli


def test_every_command_module_is_mapped_and_every_mapping_is_real():
    defined = {}
    for module_name in set(COMMAND_MODULES.values()):
        module = importlib.import_module(f"monitor.cli.{module_name}")
        defined.update({command.name: module_name for command in module.COMMANDS})
    assert defined == COMMAND_MODULES


def test_all_commands_are_listed_and_resolvable():
    assert sorted(cli.all_commands()) == sorted(COMMAND_MODULES)


def test_resolving_crawl_imports_neither_drafting_nor_scrapy_nor_the_other_commands():
    code = ("import sys, click\n"
            "from monitor.cli import cli\n"
            "cli.get_command(click.Context(cli), 'crawl')\n"
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(('monitor', 'scrapy', "
            "'trafilatura', 'simplemma', 'flask')))))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    loaded = set(done.stdout.split())
    assert "monitor.cli.pipeline" in loaded
    unwanted = {"monitor.drafting", "monitor.relevance", "monitor.digest", "monitor.publish",
                "monitor.web", "monitor.cli.ops", "monitor.cli.drafts", "scrapy", "trafilatura",
                "simplemma", "flask"}
    assert loaded & unwanted == set()


def test_an_unknown_command_is_still_refused():
    done = subprocess.run([sys.executable, "-m", "monitor", "frobnicate"], capture_output=True,
                          text=True)
    assert done.returncode == 2 and "No such command 'frobnicate'" in done.stderr
