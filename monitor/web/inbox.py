"""The inbox: incidents with their drafts, what needs a decision first. Pure functions.

Within a status, stories are ranked by how widely they are reported and how recent they are:
a seven-outlet breach from Thursday outranks a one-source court filing from Friday. The
relevance score only breaks ties (it measures how clearly an article is about enforcement,
not how big the story is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.triage import priority, readable_reasons

NO_DRAFT = "no-draft"
STATUS_ORDER = {"pending": 0, NO_DRAFT: 1, "approved": 2, "rejected": 3}
STATUS_FILTERS = ("pending", "approved", "rejected", NO_DRAFT, "all")


@dataclass(frozen=True)
class Filters:
    status: str = "all"
    incident_type: str = ""
    query: str = ""

    @classmethod
    def from_args(cls, args: Any, types: list[str]) -> Filters:
        """Unknown values fall back to "everything" rather than an error page."""
        status = args.get("status") or "all"
        incident_type = args.get("type") or ""
        query = " ".join((args.get("q") or "").split())[:200]
        return cls(
            status=status if status in STATUS_FILTERS else "all",
            incident_type=incident_type if incident_type in types else "",
            query=query,
        )


def inbox_rows(incidents: list[dict[str, Any]], drafts: list[dict[str, Any]],
               details: dict[int, dict[str, Any]] | None = None,
               reads: dict[int, int] | None = None, since: str | None = None,
               labels: dict[str, str] | None = None) -> list[dict]:
    """One row per incident with its draft: pending first, then by coverage and recency.

    `details` (storage.incidents.inbox_details) gives story dates, outlets and the evidence;
    `reads` (incident id -> version the reviewer opened) makes the new / updated markers;
    `since` (the reviewer's previous visit) marks what arrived since then.
    """
    by_incident = {d["incident_id"]: d for d in drafts}
    details = details or {}
    rows = []
    for incident in incidents:
        draft = by_incident.get(incident["id"])
        detail = details.get(incident["id"], {})
        outlets = detail.get("outlets") or incident.get("article_count") or 0
        latest = detail.get("last_published") or incident.get("last_seen")
        rows.append({
            "incident": incident,
            "draft": draft,
            "title": (draft or {}).get("title") or incident.get("title") or "",
            "status": draft["status"] if draft else NO_DRAFT,
            "outlets": outlets,
            "articles": detail.get("articles") or incident.get("article_count") or 0,
            "story_date": detail.get("first_published") or incident.get("first_seen"),
            "latest_date": latest,
            "reasons": readable_reasons(detail.get("matches") or [],
                                        incident.get("incident_type"), labels or {},
                                        fallback=incident.get("why") or ""),
            "unread": unread_state(incident, reads),
            "since_visit": bool(since) and (incident.get("updated_at") or "") > (since or ""),
            "priority": priority(outlets, latest),
        })
    rows.sort(key=lambda r: r["incident"]["id"], reverse=True)
    rows.sort(key=lambda r: -(r["incident"].get("score") or 0.0))
    rows.sort(key=lambda r: -r["priority"])
    rows.sort(key=lambda r: STATUS_ORDER.get(r["status"], 9))
    return rows


def unread_state(incident: dict[str, Any], reads: dict[int, int] | None) -> str:
    """"new" (never opened by this reviewer), "updated" (changed since), or ""."""
    if reads is None:
        return ""
    seen = reads.get(incident["id"])
    if seen is None:
        return "new"
    return "updated" if (incident.get("version") or 1) > seen else ""


def apply_filters(rows: list[dict], filters: Filters) -> list[dict]:
    return [
        r for r in rows
        if (filters.status == "all" or r["status"] == filters.status)
        and (not filters.incident_type
             or r["incident"].get("incident_type") == filters.incident_type)
    ]


def status_counts(rows: list[dict]) -> dict[str, int]:
    counts = {status: 0 for status in STATUS_FILTERS}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    counts["all"] = len(rows)
    return counts


def incident_types(incidents: list[dict[str, Any]]) -> list[str]:
    return sorted({i["incident_type"] for i in incidents if i.get("incident_type")})


PER_PAGE = 100


def paginate(rows: list[dict], page_arg: str | None,
             per_page: int = PER_PAGE) -> tuple[list[dict], int, int]:
    """(rows on this page, page number, page count); a bad or too-large page shows the last."""
    pages = max(1, -(-len(rows) // per_page))
    try:
        page = int(page_arg or 1)
    except ValueError:
        page = 1
    page = min(max(page, 1), pages)
    return rows[(page - 1) * per_page: page * per_page], page, pages
