"""incidents: list, show (articles, facts, why they were joined), merge, split, export-pairs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor import incidents as stage
from monitor.cli.common import CommandError, Context
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store


def _one_line(text: str | None, limit: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.group(invoke_without_command=True)
@click.pass_context
def incidents(ctx: click.Context) -> None:
    """List incidents with their source counts (or: show ID, merge KEEP DROP, split ID ART…,
    export-pairs)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@incidents.command("list")
@click.option("--limit", default=50, show_default=True)
@click.pass_obj
def list_command(obj: Context, limit: int) -> None:
    """Incidents, most recently updated first, with article and outlet counts."""
    db = obj.db()
    rows = incident_store.list_incidents(db, limit=limit)
    if not rows:
        click.echo("no incidents")
        return
    counts = incident_store.source_counts(db)
    click.echo(f"{'ID':>5}  {'LAST SEEN':<10}  {'TYPE':<18} {'ARTICLES':>8} {'OUTLETS':>7}  "
               "TITLE")
    for row in rows:
        c = counts.get(row["id"], {"articles": 0, "outlets": 0})
        click.echo(f"{row['id']:>5}  {(row['last_seen'] or '')[:10]:<10}  "
                   f"{(row['incident_type'] or '-'):<18} {c['articles']:>8} {c['outlets']:>7}  "
                   f"{_one_line(row['title'], 70)}")


@incidents.command("show")
@click.argument("incident_id", type=int)
@click.pass_obj
def show_command(obj: Context, incident_id: int) -> None:
    """Articles, merged facts and why each article was joined."""
    db = obj.db()
    incident = incident_store.get_incident(db, incident_id)
    if incident is None:
        raise CommandError(f"no incident {incident_id}")
    if incident.get("merged_into"):
        click.echo(f"incident {incident_id} was merged into {incident['merged_into']}")
        return
    click.echo(f"Incident {incident_id}: {_one_line(incident['title'], 200)}")
    click.echo(f"  type {incident['incident_type'] or '-'}, status {incident['status']}, "
               f"version {incident['version']}, first seen {incident['first_seen']}, "
               f"last seen {incident['last_seen']}")
    click.echo(f"  flagged because: {incident.get('why') or '-'}")
    articles = article_store.articles_of_incident(db, incident_id)
    reasons = incident_store.reasons(db, incident_id)
    roles = incident_store.roles(db, incident_id)
    click.echo(f"\nArticles ({len(articles)}):")
    for article in articles:
        primary = " [primary]" if article["id"] == incident.get("primary_article_id") else ""
        follow = " [follow-up: new development]" if roles.get(article["id"]) == "follow_up" \
            else ""
        click.echo(f"  #{article['id']} {(article.get('published') or '')[:10]} "
                   f"{article.get('outlet') or article.get('source_id') or '-'} "
                   f"({article.get('language') or '?'}){primary}{follow}")
        click.echo(f"     {_one_line(article['title'], 100)}")
        click.echo(f"     {article['url']}")
        click.echo(f"     why: {stage.explain_reason(reasons.get(article['id'], {}))}")
    facts = incident.get("facts") or {}
    click.echo("\nFacts:")
    for kind in stage.FACT_KINDS:
        entries = facts.get(kind) or []
        if entries:
            shown = ", ".join(
                f"{e.get('value')}{' ' + e['noun'] if e.get('noun') else ''} "
                f"[{', '.join('#' + str(s) for s in e.get('sources', []))}]"
                for e in entries
            )
            click.echo(f"  {kind}: {shown}")
    for conflict in facts.get("conflicts") or []:
        values = "; ".join(
            f"{v['value']} [{', '.join('#' + str(s) for s in v['sources'])}]"
            for v in conflict["values"]
        )
        click.echo(f"  conflicting counts of {conflict['noun'] or 'people'}: {values}")
    history = incident_store.decisions(db, incident_id)
    if history:
        click.echo("\nDecisions (auto_merge: the merge pass; undo with a split):")
        for d in history:
            article = f" article #{d['article_id']}" if d["article_id"] else ""
            click.echo(f"  {d['created_at']} {d['action']}{article}: incident {d['incident_id']}"
                       f" <- {d['other_incident_id']}")
            if d["action"] == "auto_merge":
                note = json.loads(d.get("note") or "{}")
                click.echo(f"     why: {stage.explain_reason(note.get('reason') or {})}")


@incidents.command("merge")
@click.argument("keep", type=int)
@click.argument("drop", type=int)
@click.pass_obj
def merge_command(obj: Context, keep: int, drop: int) -> None:
    """Merge incident DROP into KEEP (kept on later runs)."""
    try:
        moved = stage.merge_incidents(obj.db(), keep, drop)
    except stage.IncidentError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"merged incident {drop} into {keep} ({moved} articles moved)")


@incidents.command("split")
@click.argument("incident_id", type=int)
@click.argument("article_ids", type=int, nargs=-1, required=True)
@click.option("--into", type=int, default=None, metavar="ID",
              help="Move the articles into this incident instead of a new one.")
@click.pass_obj
def split_command(obj: Context, incident_id: int, article_ids: tuple[int, ...],
                  into: int | None) -> None:
    """Move ARTICLE_IDS out of INCIDENT_ID into a new incident (or --into ID)."""
    try:
        target = stage.split_incident(obj.db(), incident_id, list(article_ids), into=into)
    except stage.IncidentError as exc:
        raise CommandError(str(exc)) from None
    click.echo(f"moved {len(article_ids)} article(s) from incident {incident_id} "
               f"to incident {target}")


@incidents.command("export-pairs")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Write JSON lines here instead of standard output.")
@click.pass_obj
def export_pairs_command(obj: Context, output: Path | None) -> None:
    """Every operator merge/split as labelled article pairs, for
    `python -m monitor.cluster_training --pairs FILE`."""
    pairs = stage.operator_pairs(obj.db())
    lines = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pairs)
    if output is None:
        click.echo(lines, nl=False)
        return
    output.write_text(lines, encoding="utf-8")
    click.echo(f"{len(pairs)} labelled pairs written to {output}")


COMMANDS = [incidents]
