"""The `monitor` command. Each concern registers its commands from its own module.

A command's module is imported only when that command runs (`LazyGroup`): `monitor crawl`
used to import every command's modules first (drafting, digests, the web app's settings,
the relevance model), about 1 s of an idle poll's 2 s (issue 16).
"""

from __future__ import annotations

import importlib
import sys

import click

from monitor.cli.common import FRIENDLY_ERRORS, Context

# command name -> the module under monitor.cli whose COMMANDS list defines it
COMMAND_MODULES = {
    "crawl": "pipeline", "draft": "pipeline", "search": "pipeline", "demo": "pipeline",
    "digest": "digest",
    "incidents": "incidents",
    "drafts": "drafts", "publish": "drafts",
    "sources": "sources",
    "serve": "serve",
    "run": "ops", "watch": "ops", "status": "ops", "backup": "ops",
}


class LazyGroup(click.Group):
    """A group that imports a command's module the first time the command is asked for."""

    def _load(self, module_name: str) -> None:
        module = importlib.import_module(f"monitor.cli.{module_name}")
        for command in module.COMMANDS:
            if command.name not in self.commands:
                self.add_command(command)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMAND_MODULES:
            self._load(COMMAND_MODULES[cmd_name])
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def all_commands(self) -> dict[str, click.Command]:
        """Every command, each module imported (`monitor --help`, the documentation check)."""
        for module_name in sorted(set(COMMAND_MODULES.values())):
            self._load(module_name)
        return dict(self.commands)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="FILE", envvar="MONITOR_CONFIG",
              help="Configuration file (default: ./monitor.toml or $MONITOR_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@click.version_option(package_name="immigration-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """Watch immigration-enforcement sources and draft posts for attorney review."""
    ctx.obj = Context(config_path=config_path, verbose=verbose)


def main() -> None:
    """Entry point: known errors become one line on stderr and exit status 2."""
    try:
        # In non-standalone mode click returns an Exit's code instead of raising it.
        code = cli.main(standalone_mode=False, prog_name="monitor")
        if isinstance(code, int) and code:
            sys.exit(code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except FRIENDLY_ERRORS as exc:
        click.echo(f"monitor: error: {exc}", err=True)
        sys.exit(2)
