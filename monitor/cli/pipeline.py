"""crawl, cluster, draft, search and the offline demo."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from monitor import crawl as crawling
from monitor import due as schedule
from monitor.cli.common import Context, locked
from monitor.sources import select
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store
from monitor.storage import runs as run_store

DEMO_SNAPSHOT = Path(__file__).resolve().parents[2] / "demo" / "snapshot"


def do_crawl(obj: Context, source_ids: list[str], snapshot: str | None,
             due: bool = False) -> crawling.CrawlReport:
    chosen = select(obj.sources(), source_ids)
    if due:
        chosen = schedule.due_sources(chosen, schedule.last_starts(obj.db()), datetime.now(UTC))
    return crawling.run_crawl(obj.config, chosen, snapshot_base=snapshot,
                              overrides=obj.log_settings)


def print_crawl(report: crawling.CrawlReport) -> None:
    for result in report.results:
        line = f"  {result.source_id:<28} {result.status:<9} {result.items_seen:>4} seen " \
               f"{result.new_items:>4} new"
        click.echo(line)
        if result.not_modified:
            click.echo("      = not modified (304)")
        for error in result.errors:
            click.echo(f"      ! {error}")
        for anomaly in result.anomalies:
            click.echo(f"      ? {anomaly}")


@click.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID",
              help="Crawl only this source (repeatable).")
@click.option("--snapshot", metavar="URL",
              help="Fetch every URL from a local snapshot server at URL instead of the web.")
@click.option("--due", is_flag=True,
              help="Only sources that are due (the rule `run` and `watch` use: monitor.due).")
@click.pass_obj
@locked
def crawl(obj: Context, source_ids: tuple[str, ...], snapshot: str | None, due: bool) -> None:
    """Crawl sources and store new articles."""
    report = do_crawl(obj, list(source_ids), snapshot, due)
    print_crawl(report)
    click.echo(f"{report.new_articles} new articles")


@click.command()
@click.pass_obj
@locked
def draft(obj: Context) -> None:
    """Group new articles into incidents and write drafts for new or changed incidents."""
    from monitor import drafting, incidents  # here: `monitor crawl` needs neither

    db = obj.db()
    clustered = incidents.cluster_new_articles(db)
    report = drafting.generate_drafts(db, obj.config)
    click.echo(f"{len(clustered.new_incidents)} new incidents, "
               f"{len(clustered.updated_incidents)} updated")
    for path in report.written:
        click.echo(f"  wrote {path}")
    for path in report.updated:
        click.echo(f"  updated {path}")
    for path in report.flagged:
        click.echo(f"  draft edited by an attorney; new material in {path}")
    for kept, written in report.kept:
        click.echo(f"  kept {Path(kept).name}: the database did not write it (an edit?); "
                   f"the new draft is {Path(written).name}")


@click.command()
@click.argument("query")
@click.option("--limit", default=20, show_default=True)
@click.pass_obj
def search(obj: Context, query: str, limit: int) -> None:
    """Full-text search over stored articles."""
    rows = article_store.search(obj.db(), query, limit=limit)
    if not rows:
        click.echo("no matches")
    for row in rows:
        incident = f"incident {row['incident_id']}" if row["incident_id"] else "no incident"
        click.echo(f"{row['id']:>5}  {(row['published'] or '')[:10]:<10}  {row['title']}")
        click.echo(f"       {row['url']}  ({incident}, score {row['score'] or 0:.1f})")


@click.command()
@click.option("--preview", "preview_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Where to write the digest preview (default: var/digest-preview.eml).")
@click.pass_obj
@locked
def demo(obj: Context, preview_path: str | None) -> None:
    """Run the whole job on the bundled offline snapshot of sources (nothing leaves 127.0.0.1)."""
    from monitor import drafting, incidents
    from monitor.cli.digest import preview_digest
    from monitor.snapshot import serve_snapshot

    config = obj.config
    db = obj.db()
    run_id = run_store.start_run(db, "demo")
    before = article_store.count(db)
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _state):
        click.echo(f"Serving the offline snapshot at {base}")
        report = do_crawl(obj, [], base)
    clustered = incidents.cluster_new_articles(db)
    drafts = drafting.generate_drafts(db, config)
    preview = Path(preview_path) if preview_path else config.var_dir / "digest-preview.eml"
    preview_digest(obj, preview)
    stats = {
        "sources": len(report.results),
        "sources_failed": len(report.failed),
        "new_articles": article_store.count(db) - before,
        "articles": article_store.count(db),
        "new_incidents": len(clustered.new_incidents),
        "incidents": incident_store.count(db),
        "drafts_written": len(drafts.written) + len(drafts.updated),
    }
    errors = [e for r in report.results for e in r.errors]
    run_store.finish_run(db, run_id, status="ok", stats=stats, errors=errors,
                         now=datetime.now(UTC))
    print_crawl(report)
    click.echo(
        f"\nSources crawled: {stats['sources']} ({stats['sources_failed']} failed)\n"
        f"Articles stored: {stats['new_articles']} new, {stats['articles']} in total\n"
        f"Incidents:       {stats['new_incidents']} new, {stats['incidents']} in total\n"
        f"Drafts written:  {stats['drafts_written']} (in {config.drafts_dir})\n"
        f"Digest preview:  {preview}\n"
        f"Database:        {config.database_path}"
    )


COMMANDS = [crawl, draft, search, demo]
