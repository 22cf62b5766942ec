"""`monitor sources`: the health table; `monitor sources check`: validate the sources file."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click

from monitor import health
from monitor.cli.common import Context
from monitor.sources import load_sources


def _short(stamp: str | None) -> str:
    return (stamp or "-")[:16].replace("T", " ")


@click.group(invoke_without_command=True)
@click.option("--all", "show_all", is_flag=True, help="Also list disabled sources.")
@click.pass_context
def sources(ctx: click.Context, show_all: bool) -> None:
    """Health of every source: last success, last new item, consecutive failures, state.

    Exit status 1 when any source is failing, in error or anomalous (for cron and monitoring);
    the states and their order are monitor.health's.
    """
    if ctx.invoked_subcommand is not None:
        return
    obj: Context = ctx.obj
    chosen = [s for s in obj.sources() if s.enabled or show_all]
    db = obj.db()
    now = datetime.now(UTC)
    limits = health.Thresholds.from_config(obj.config)
    rows = [health.of_source(db, source.id, source.options, limits, now) for source in chosen]
    rows.sort(key=lambda h: (health.rank(h.state), h.source_id))
    width = max([30, *(len(r.source_id) + 1 for r in rows)])
    header = (f"{'SOURCE':<{width}} {'STATE':<9} {'LAST SUCCESS':<16}  {'LAST NEW ITEM':<16}  "
              f"{'FAILS':>5}")
    click.echo(header)
    for row in rows:
        click.echo(f"{row.source_id:<{width}} {row.state:<9} {_short(row.last_success):<16}  "
                   f"{_short(row.last_new_item):<16}  {row.consecutive_failures:>5}")
        if row.state != "ok":
            for reason in row.reasons:
                click.echo(f"    - {reason}")
    counts = {state: sum(r.state == state for r in rows) for state in health.STATES}
    summary = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    click.echo(f"{len(rows)} sources: {summary or 'none'}")
    if any(r.alarm for r in rows):
        sys.exit(1)  # SystemExit: main() runs click with standalone_mode=False


@sources.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Validate the sources file; print every problem with its source id and field.

    Exit status 0 when the file is clean, 1 when it has problems (errors skip the source;
    warnings, such as an unknown key, do not).
    """
    obj: Context = ctx.obj
    path = obj.config.sources_path
    usable, problems = load_sources(path)
    for problem in problems:
        click.echo(f"{path}: {problem.severity}: {problem}")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(usable)} usable sources; {errors} errors, {warnings} warnings")
    if problems:
        sys.exit(1)  # SystemExit: main() runs click with standalone_mode=False


COMMANDS = [sources]
