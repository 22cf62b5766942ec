"""The clustering stage: every new article joins an incident, starts one, or stays alone.

`monitor.clustering.IncidentIndex` decides (a learned similarity of the article to each
candidate incident's centroid; see `monitor.similarity` and `docs/clustering.md`). This stage
feeds it from storage and writes the outcome:

* the index is rebuilt from stored signatures of the recent window only (the clustering
  horizon before the oldest new article, so follow-ups months later still find their incident),
  so a run costs what its new articles cost, not what the archive holds; older reprints are
  still caught by the exact content hash;
* an exact reprint (same content hash, `articles.duplicate_of`) joins its original's incident;
* a revised article stays in its incident (or where an operator put it) and marks it updated;
* a relevant article the index places nowhere starts an incident; an article judged not
  relevant may join an existing incident (a Spanish report the English rules missed) but
  never starts one;
* joining marks the incident updated (version + 1) and recomputes its merged facts, primary
  source (Federal Register, then the agency's own .gov release, then English, then earliest)
  and title;
* every clustered article keeps its signature, its role (`report`, or `follow_up` for a
  lawsuit, ruling or release weeks after the event) and the reason it joined: similarity,
  threshold and top features, which `monitor incidents show ID` prints.

Operators merge and split incidents with `merge_incidents` / `split_incident`; both are
recorded in `incident_decisions` and survive later runs (signatures follow the articles);
`operator_pairs` turns those decisions into labelled article pairs for the next training run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from monitor.clustering import HORIZON_DAYS, Doc, IncidentIndex, Signature
from monitor.incident_merge import Merge, merge_pass
from monitor.relevance import Judgement, explain
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store

RESTORE_MARGIN_DAYS = HORIZON_DAYS
FACT_KINDS = ("agencies", "counts", "places", "dates", "organizations", "data_categories")


@dataclass
class ClusterReport:
    new_incidents: list[int] = field(default_factory=list)
    updated_incidents: list[int] = field(default_factory=list)
    articles_considered: int = 0
    joined: dict[int, int] = field(default_factory=dict)  # article id -> incident id
    merged: list[tuple[int, int]] = field(default_factory=list)  # (kept, dropped) by the pass


def why_flagged(article: dict) -> str:
    """One line saying which rules made this article relevant."""
    judgement = Judgement(article.get("score") or 0.0, bool(article.get("relevant")),
                          article.get("incident_type"), article.get("matches") or [])
    return explain(judgement)


def to_doc(article: dict[str, Any]) -> Doc:
    """An article row as the clusterer sees it."""
    return Doc(
        id=article["id"], title=article.get("title") or "", text=article.get("text") or "",
        language=article.get("language") or "en", published=article.get("published"),
        incident_type=article.get("incident_type"), facts=article.get("facts") or {},
    )


def source_rank(article: dict[str, Any]) -> tuple:
    """Sort key for the primary source: relevant, then Federal Register, agency .gov, English,
    earliest."""
    host = (urlsplit(article.get("url") or "").hostname or "").lower()
    if host.endswith("federalregister.gov"):
        tier = 0
    elif host.endswith(".gov") or host.endswith(".mil"):
        tier = 1
    else:
        tier = 2
    return (not article.get("relevant", True), tier, article.get("language") not in (None, "en"),
            article.get("published") or "", article["id"])


def merge_facts(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """Union of the articles' facts, each value with the articles that state it.

    Conflicting figures are kept side by side: two counts of the same kind of people stay two
    entries, each with its sources, and are listed under `conflicts`.
    """
    merged: dict[str, Any] = {kind: [] for kind in FACT_KINDS}
    index: dict[tuple[str, str], dict[str, Any]] = {}
    for article in sorted(articles, key=source_rank):
        for kind in FACT_KINDS:
            for fact in (article.get("facts") or {}).get(kind) or []:
                if not isinstance(fact, dict) or fact.get("value") is None:
                    continue
                key = (kind, str(fact["value"]).strip().casefold())
                entry = index.get(key)
                if entry is None:
                    entry = {k: v for k, v in fact.items() if k != "sentence"}
                    entry.update(sentence=fact.get("sentence"), sources=[])
                    index[key] = entry
                    merged[kind].append(entry)
                if article["id"] not in entry["sources"]:
                    entry["sources"].append(article["id"])
    by_noun: dict[str, list[dict[str, Any]]] = {}
    for entry in merged["counts"]:
        by_noun.setdefault(str(entry.get("noun") or "").casefold(), []).append(entry)
    conflicts = [
        {"noun": noun, "values": [{"value": e["value"], "sources": e["sources"]} for e in group]}
        for noun, group in sorted(by_noun.items()) if len(group) > 1
    ]
    merged["conflicts"] = conflicts
    return merged


def refresh_incident(
    db: sqlite_utils.Database, incident_id: int, now: datetime | None = None
) -> None:
    """Recompute count, merged facts, primary source and title; bump the version."""
    articles = article_store.articles_of_incident(db, incident_id)
    if not articles:
        incident_store.update_incident(db, incident_id, {"article_count": 0}, now=now)
        return
    primary = min(articles, key=source_rank)
    incident_store.update_incident(
        db, incident_id,
        {"article_count": len(articles), "facts": merge_facts(articles),
         "primary_article_id": primary["id"], "title": primary.get("title") or ""},
        now=now,
    )


def load_index(
    db: sqlite_utils.Database, new_articles: list[dict[str, Any]]
) -> IncidentIndex:
    """Rebuild the index from the signatures of the window the new articles can join."""
    dates = [a["published"] for a in new_articles if a.get("published")]
    since = None
    if dates and len(dates) == len(new_articles):
        try:
            oldest = datetime.fromisoformat(min(dates).replace("Z", "+00:00"))
            since = (oldest - timedelta(days=RESTORE_MARGIN_DAYS)).isoformat()[:10]
        except ValueError:
            since = None
    return IncidentIndex.restore(incident_store.load_signatures(db, since=since))


def story_order(article: dict[str, Any]) -> tuple[bool, str, str]:
    """Assign a batch in the order its stories were published (undated last, then by URL).

    Streaming assignment depends on the order articles arrive; a crawl stores them in the order
    its requests happen to finish, and a crawl resumed after a crash in another order still.
    Publication order is the same for the same set of articles, and it is how a story grows.
    """
    published = article.get("published") or ""
    return (not published, published, article.get("url") or "")


def cluster_new_articles(
    db: sqlite_utils.Database, now: datetime | None = None
) -> ClusterReport:
    """Assign every not-yet-clustered article; each article is handled in its own transaction."""
    report = ClusterReport()
    new_articles = sorted(article_store.unclustered(db), key=story_order)
    if not new_articles:
        return report
    index = load_index(db, new_articles)
    touched: set[int] = set()
    for article in new_articles:
        report.articles_considered += 1
        with db.atomic():
            incident_id, signature, reason = _place(db, index, article, now)
            if incident_id is not None:
                index.add(incident_id, None, signature)
                incident_store.save_signature(
                    db, article["id"], incident_id, signature.to_bytes(),
                    published=article.get("published"), reason=reason,
                    role=reason.get("role") or "report", now=now,
                )
                report.joined[article["id"]] = incident_id
            article_store.mark_clustered(db, article["id"], incident_id, now=now)
            if incident_id is not None and reason.get("decision") != "new incident":
                refresh_incident(db, incident_id, now=now)
                touched.add(incident_id)
            elif incident_id is not None:
                report.new_incidents.append(incident_id)
    for merge in merge_pass(index, touched | set(report.new_incidents),
                            apart=incident_store.split_pairs(db)):
        _record_merge(db, merge, now)
        report.merged.append((merge.keep, merge.drop))
        touched.add(merge.keep)
    dropped = {drop for _, drop in report.merged}
    report.new_incidents = [i for i in report.new_incidents if i not in dropped]
    report.updated_incidents = sorted(touched - set(report.new_incidents) - dropped)
    return report


def _record_merge(db: sqlite_utils.Database, merge: Merge, now: datetime | None) -> None:
    """Write one merge of the incident-merge pass: articles move, `drop` becomes a tombstone,
    and the decision (`auto_merge`, with its reason) is kept for `incidents show`. An operator
    undoes it with a split; it is not exported as a training pair (the model made it)."""
    keep = incident_store.resolve_merged(db, merge.keep)
    drop = incident_store.resolve_merged(db, merge.drop)
    if keep == drop:
        return
    with db.atomic():
        moved = [a["id"] for a in article_store.articles_of_incident(db, drop)]
        kept = [a["id"] for a in article_store.articles_of_incident(db, keep)]
        incident_store.move_articles(db, moved, keep)
        incident_store.mark_merged(db, drop, keep, now=now)
        incident_store.record_decision(
            db, "auto_merge", keep, other_incident_id=drop, now=now,
            note=json.dumps({"kept": kept, "moved": moved, "reason": merge.reason},
                            ensure_ascii=False))
        refresh_incident(db, keep, now=now)


def _may_join(db: sqlite_utils.Database, article: dict[str, Any], assignment: Any) -> bool:
    """A relevant article may join on shared facts; one the rules judged not relevant only as a
    near-duplicate of a member, or when it matched the incident's own type (a report the rules
    scored low). Shared place and date alone would otherwise pull in a drug seizure at the same
    port of entry as a death in custody."""
    if article.get("relevant") or assignment.duplicate_of is not None:
        return True
    incident = incident_store.get_incident(db, assignment.incident_id)
    return bool(article.get("incident_type")) and incident is not None and (
        incident.get("incident_type") == article.get("incident_type"))


def _place(
    db: sqlite_utils.Database, index: IncidentIndex, article: dict[str, Any],
    now: datetime | None,
) -> tuple[int | None, Signature, dict[str, Any]]:
    """Decide one article's incident: (incident id or None, its signature, the reason)."""
    doc = to_doc(article)
    signature = index.signature(doc)
    pinned = incident_store.pinned_incident(db, article["id"])
    if pinned is not None:
        return incident_store.resolve_merged(db, pinned), signature, {
            "decision": "kept where an operator put it", "pinned": True}
    previous = incident_store.signature_incident(db, article["id"])
    if previous is not None:
        return incident_store.resolve_merged(db, previous), signature, {
            "decision": "revision of an article already in this incident"}
    if article.get("duplicate_of"):
        original = article_store.get_article(db, article["duplicate_of"])
        if original and original.get("incident_id"):
            return incident_store.resolve_merged(db, original["incident_id"]), signature, {
                "decision": "exact duplicate", "duplicate_of": original["id"]}
    assignment = index.assign(doc, signature)
    if assignment.incident_id is not None and not _may_join(db, article, assignment):
        return None, signature, {**assignment.reason, "joined": False,
                                 "decision": "not relevant: joins only as a near-duplicate or "
                                             "with the incident's own type"}
    if assignment.incident_id is not None:
        reason = dict(assignment.reason)
        if assignment.duplicate_of is not None:
            reason["duplicate_of"] = assignment.duplicate_of
        return incident_store.resolve_merged(db, assignment.incident_id), signature, reason
    if not article.get("relevant"):
        return None, signature, assignment.reason
    incident_id = incident_store.create_incident(
        db,
        {"title": article.get("title") or "", "incident_type": article.get("incident_type"),
         "score": article.get("score"), "facts": merge_facts([article]),
         "why": why_flagged(article), "primary_article_id": article["id"], "article_count": 1},
        now=now,
    )
    return incident_id, signature, {**assignment.reason, "decision": "new incident"}


# -- operator actions ---------------------------------------------------------------------


class IncidentError(Exception):
    """An operator action that cannot be done (unknown incident, article not in it)."""


def merge_incidents(
    db: sqlite_utils.Database, keep: int, drop: int, now: datetime | None = None
) -> int:
    """Move every article of `drop` into `keep`; `drop` stays as a 'merged' tombstone."""
    keep, drop = incident_store.resolve_merged(db, keep), incident_store.resolve_merged(db, drop)
    for incident_id in (keep, drop):
        if incident_store.get_incident(db, incident_id) is None:
            raise IncidentError(f"no incident {incident_id}")
    if keep == drop:
        raise IncidentError(f"incident {keep} cannot be merged into itself")
    with db.atomic():
        moved = [a["id"] for a in article_store.articles_of_incident(db, drop)]
        kept = [a["id"] for a in article_store.articles_of_incident(db, keep)]
        incident_store.move_articles(db, moved, keep)
        incident_store.mark_merged(db, drop, keep, now=now)
        incident_store.record_decision(db, "merge", keep, other_incident_id=drop, now=now,
                                       note=json.dumps({"kept": kept, "moved": moved}))
        refresh_incident(db, keep, now=now)
    return len(moved)


def split_incident(
    db: sqlite_utils.Database, incident_id: int, article_ids: list[int], *,
    into: int | None = None, now: datetime | None = None,
) -> int:
    """Take articles out of an incident into `into` or a new incident; returns its id.

    Each moved article is pinned there (a later revision of it is not re-clustered back).
    """
    incident = incident_store.get_incident(db, incident_id)
    if incident is None:
        raise IncidentError(f"no incident {incident_id}")
    members = {a["id"]: a for a in article_store.articles_of_incident(db, incident_id)}
    missing = [a for a in article_ids if a not in members]
    if missing:
        raise IncidentError(f"article(s) {', '.join(map(str, missing))} not in incident "
                            f"{incident_id}")
    if len(article_ids) == len(members) and into is None:
        raise IncidentError("splitting out every article would only rename the incident")
    with db.atomic():
        if into is None:
            chosen = min((members[a] for a in article_ids), key=source_rank)
            into = incident_store.create_incident(
                db,
                {"title": chosen.get("title") or "", "incident_type": incident["incident_type"],
                 "score": chosen.get("score"), "facts": {}, "why": "split by an operator",
                 "primary_article_id": chosen["id"], "article_count": 0},
                now=now,
            )
        elif incident_store.get_incident(db, into) is None:
            raise IncidentError(f"no incident {into}")
        left = [a for a in members if a not in article_ids]
        incident_store.move_articles(db, article_ids, into)
        for article_id in article_ids:
            incident_store.record_decision(db, "split", into, other_incident_id=incident_id,
                                           article_id=article_id, now=now,
                                           note=json.dumps({"left": left}))
        refresh_incident(db, incident_id, now=now)
        refresh_incident(db, into, now=now)
    return into


def explain_reason(reason: dict[str, Any]) -> str:
    """One line for people: the decision, the similarity against the threshold, the features
    that contributed most and the values the article shares with the incident."""
    if not reason:
        return "no reason recorded"
    parts = [str(reason.get("decision", "?"))]
    if "similarity" in reason:
        parts.append(f"similarity {reason['similarity']:.2f} (threshold "
                     f"{reason.get('threshold', 0):.2f})")
    if "member_similarity" in reason:
        parts.append(f"closest member {reason['member_similarity']:.2f} (bar "
                     f"{reason.get('member_threshold', 0):.2f})")
    if reason.get("member_similarities"):
        rank = int(reason.get("member_rank", 1))
        parts.append("closest member pairs " + ", ".join(
            f"{p:.2f}" for p in reason["member_similarities"]) + f" (bar "
            f"{reason.get('member_threshold', 0):.2f} for pair {rank})")
    if reason.get("contributions"):
        parts.append("top features " + ", ".join(
            f"{name} {value:+.2f}" for name, value in reason["contributions"][:4]))
    for kind, values in (reason.get("shared") or {}).items():
        parts.append(f"shared {kind}: {', '.join(map(str, values[:6]))}")
    if reason.get("duplicate_of"):
        parts.append(f"duplicate of article {reason['duplicate_of']}")
    closest = reason.get("closest")
    if closest:
        parts.append(f"closest incident {closest.get('incident_id')}: similarity "
                     f"{closest.get('similarity', 0):.2f}, top features " + ", ".join(
                         f"{n} {v:+.2f}" for n, v in (closest.get("contributions") or [])[:3]))
    return "; ".join(parts)


# -- training data from operator decisions -------------------------------------------------

PAIR_FIELDS = ("id", "title", "text", "language", "published", "incident_type", "facts")


def operator_pairs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every operator merge and split as labelled article pairs (`monitor.cluster_training
    --pairs`): a merge says each moved article is the same story as each kept one; a split says
    the moved article is not the story of the articles left behind."""
    def doc(article_id: int) -> dict[str, Any] | None:
        article = article_store.get_article(db, article_id)
        return None if article is None else {k: article.get(k) for k in PAIR_FIELDS}

    pairs = []
    for decision in incident_store.all_decisions(db):
        try:
            note = json.loads(decision.get("note") or "{}")
        except ValueError:
            continue
        if decision["action"] == "merge":
            combos = [(a, b, True) for a in note.get("moved", []) for b in note.get("kept", [])]
        elif decision["action"] == "split" and decision.get("article_id"):
            combos = [(decision["article_id"], b, False) for b in note.get("left", [])]
        else:
            continue
        for a, b, same in combos:
            first, second = doc(a), doc(b)
            if first and second:
                pairs.append({"a": first, "b": second, "same": same,
                              "decision": decision["action"], "at": decision["created_at"]})
    return pairs
