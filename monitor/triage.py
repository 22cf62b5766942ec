"""What an attorney looks at first, and why it was flagged (the inbox and the digest). Pure.

Stories are ranked by how widely they are reported and how recent they are: a seven-outlet
breach from Thursday outranks a one-source court filing from Friday. The relevance score only
breaks ties (it measures how clearly an article is about enforcement, not how big the story
is). Reasons are built from the primary article's stored relevance evidence
(`articles.matches`), not by parsing the one-line explanation kept for the CLI.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def type_labels() -> dict[str, str]:
    """Incident type -> the taxonomy's label ("data breach or privacy leak")."""
    from monitor.relevance import load_taxonomy

    try:
        return dict(load_taxonomy().labels)
    except (OSError, ValueError, KeyError):
        return {}


HALF_LIFE_DAYS = 3.0  # a story's weight halves for every three days it is older


def _when(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        try:
            when = datetime.fromisoformat(stamp[:10])
        except ValueError:
            return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def priority(outlets: int, latest: str | None) -> float:
    """log2 of (weight of coverage x recency): (1 + log2 outlets) halved every HALF_LIFE_DAYS.

    Kept as a logarithm of the decay so it needs no clock: the order of two stories depends
    only on how far apart their dates are, never on when the inbox is looked at.
    """
    when = _when(latest)
    days = when.timestamp() / 86400 if when else 0.0
    return math.log2(1 + math.log2(max(outlets, 1))) + days / HALF_LIFE_DAYS


MAX_TERMS = 3


def readable_reasons(matches: list[dict[str, Any]], incident_type: str | None,
                     labels: dict[str, str], fallback: str = "") -> list[str]:
    """Why an incident was flagged, in phrases a reader understands.

    From the primary article's relevance evidence: which agencies it names, which words of
    the incident type it uses (headline words first), and what counted against it. Without
    evidence (an operator split, an old row) the stored one-line explanation is kept.
    """
    def unique(items: Any) -> list[str]:
        seen: dict[str, str] = {}
        for item in items:
            seen.setdefault(" ".join(str(item).split()).lower(), " ".join(str(item).split()))
        return list(seen.values())

    agencies = unique(m.get("term") for m in matches if m.get("rule") == "agency")
    if not agencies:
        agencies = unique(m.get("term") for m in matches if m.get("rule") == "government")
    reasons = []
    if agencies:
        shown = agencies[:4]
        more = f" and {len(agencies) - 4} more" if len(agencies) > 4 else ""
        reasons.append("Names " + _join(shown) + more)
    if incident_type:
        rule = f"incident:{incident_type}"
        typed = [m for m in matches if m.get("rule") == rule]
        typed.sort(key=lambda m: m.get("field") != "title")
        terms = unique(m.get("term") for m in typed)
        if terms:
            label = labels.get(incident_type, incident_type.replace("_", " "))
            in_title = any(m.get("field") == "title" for m in typed)
            words = ", ".join(f"“{t.lower()}”" for t in terms[:MAX_TERMS])
            where = " (in the headline)" if in_title else ""
            reasons.append(f"{label[:1].upper()}{label[1:]} wording{where}: {words}")
    negatives = unique(m.get("rule", "").split(":", 1)[1].replace("_", " ")
                       for m in matches if str(m.get("rule", "")).startswith("negative:"))
    if negatives:
        reasons.append("Counted against: " + ", ".join(negatives))
    return reasons or ([fallback] if fallback else [])


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
