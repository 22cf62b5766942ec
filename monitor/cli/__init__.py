"""The `monitor` command. Each concern registers its commands from its own module."""

from __future__ import annotations

import sys

import click

from monitor.cli.common import FRIENDLY_ERRORS, Context


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", metavar="FILE", envvar="MONITOR_CONFIG",
              help="Configuration file (default: ./monitor.toml or $MONITOR_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Show Scrapy's log.")
@click.version_option(package_name="immigration-monitor")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """Watch immigration-enforcement sources and draft posts for attorney review."""
    ctx.obj = Context(config_path=config_path, verbose=verbose)


def _register() -> None:
    from monitor.cli import digest, drafts, ops, pipeline, serve, sources

    for module in (pipeline, digest, drafts, sources, serve, ops):
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


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
