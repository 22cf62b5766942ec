"""The inbox: incidents with their drafts, what needs a decision first. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


def inbox_rows(incidents: list[dict[str, Any]], drafts: list[dict[str, Any]]) -> list[dict]:
    """One row per incident with its draft (if any): pending first, then higher score, newer."""
    by_incident = {d["incident_id"]: d for d in drafts}
    rows = []
    for incident in incidents:
        draft = by_incident.get(incident["id"])
        rows.append({
            "incident": incident,
            "draft": draft,
            "status": draft["status"] if draft else NO_DRAFT,
        })
    rows.sort(key=lambda r: r["incident"].get("first_seen") or "", reverse=True)
    rows.sort(key=lambda r: -(r["incident"].get("score") or 0.0))
    rows.sort(key=lambda r: STATUS_ORDER.get(r["status"], 9))
    return rows


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
