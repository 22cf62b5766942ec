"""Incident-to-incident merge pass: two halves of one story that split early meet again.

The streaming pass (`monitor.clustering`) compares each article with the incidents so far. When
a family's first reports differ (a wire story and a local one, or an English and a Spanish
one), it starts two incidents, and each later report joins one half: the halves never meet.
At the end of each batch this pass compares whole incidents: pairs of open incidents sharing a
blocking key, each scored with the same learned similarity (`monitor.similarity`) in both
directions (each incident read as one article: its core terms, names, places, figures and dates)
and through its closest member pairs. A pair merges when the centroid score in the weaker
direction and the `MERGE_MEMBER_RANK`-th best member pair both pass their own bars, calibrated
on dev (`monitor.cluster_training`, stored in `data/cluster_model.json`) for precision: a false
merge puts two events in one draft.

Every merge returns its reason (similarities, bars, top features, shared values), so the
pipeline records it as a decision an operator can read in `monitor incidents show` and undo
with a split.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from monitor.clustering import (
    MAX_BLOCK,
    MAX_MEMBERS_COMPARED,
    Doc,
    IncidentIndex,
    blocking_keys,
    publication_order,
)
from monitor.neardup import jaccard
from monitor.similarity import (
    MAX_TERMS,
    MAX_TITLE_TERMS,
    ArticleFeatures,
    Centroid,
    cosine,
    pair_features,
    shared_evidence,
)

MAX_PARTNERS = 8  # candidate incidents scored per incident, closest centroid first
# a pair whose centroids' lemma cosine is below this is not scored: on dev and test every pair
# that passed the bars had at least 0.216 (cross-language pairs are the low ones)
MIN_CENTROID_COSINE = 0.2
MEMBER_PAIRS = 3  # the closest member pairs scored (by lemma cosine)
FOLLOW_UP_DAYS = 14


@dataclass
class Merge:
    """One incident absorbed into another, and why."""

    keep: int
    drop: int
    reason: dict


def _top(vector: tuple[np.ndarray, np.ndarray], limit: int) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = vector
    if not len(ids):
        return ids, weights
    keep = np.sort(np.argsort(weights)[-limit:])
    ids, weights = ids[keep], weights[keep]
    norm = float(np.linalg.norm(weights)) or 1.0
    return ids, (weights / norm).astype(np.float32)


def _core(counter: Counter, size: int) -> frozenset[str]:
    """Values a big incident's reports repeat: one stray report's town is not the incident's."""
    least = 2 if size >= 3 else 1
    return frozenset(v for v, n in counter.items() if n >= least)


def as_article(c: Centroid, other: Centroid) -> ArticleFeatures:
    """An incident read as one article, so the article-to-centroid model can score it."""
    languages = [lang for lang, _ in c.languages.most_common()]
    shared = [lang for lang in languages if lang in other.languages]
    language = (shared or languages or ["en"])[0]
    kind = c.types.most_common(1)[0][0] if c.types else None
    when = c.first or c.last
    return ArticleFeatures(
        language=language, published=when.isoformat() if when else None, incident_type=kind,
        terms=_top(c.terms, MAX_TERMS), title=_top(c.title, MAX_TITLE_TERMS),
        names=_core(c.names, c.size), places=_core(c.places, c.size),
        states=_core(c.states, c.size), figures=tuple(c.figures[-12:]),
        dates=_core(c.dates, c.size), agencies=_core(c.agencies, c.size),
        countries=_core(c.countries, c.size),
    )


def _span_gap(a: Centroid, b: Centroid) -> float | None:
    """Days between two incidents' spans (0 when they overlap), None when either is undated."""
    if not (a.first and a.last and b.first and b.last):
        return None
    if a.last < b.first:
        return (b.first - a.last).total_seconds() / 86400.0
    if b.last < a.first:
        return (a.first - b.last).total_seconds() / 86400.0
    return 0.0


def score_pair(index: IncidentIndex, a: int, b: int) -> dict:
    """The explainable comparison of two open incidents: both directions, closest members."""
    ia, ib = index.incidents[a], index.incidents[b]
    ca, cb = ia.centroid, ib.centroid
    model = index.model
    ma = [index.signatures[d] for d in ia.doc_ids[-MAX_MEMBERS_COMPARED:] if d in index.signatures]
    mb = [index.signatures[d] for d in ib.doc_ids[-MAX_MEMBERS_COMPARED:] if d in index.signatures]
    pairs = sorted(((cosine(x.features.terms, y.features.terms), i, j)
                    for i, x in enumerate(ma) for j, y in enumerate(mb)), reverse=True)
    best_cos = pairs[0][0] if pairs else 0.0
    best_j = max((jaccard(x.minhash, y.minhash) for x in ma for y in mb), default=0.0)
    directions = []
    for source, target in ((cb, ca), (ca, cb)):
        feats = pair_features(as_article(source, target), target, best_j, best_cos)
        directions.append(model.score(feats))
    weaker = min(directions, key=lambda d: d[0])
    members = []
    for cos, i, j in pairs[:MEMBER_PAIRS]:
        single = Centroid()
        older, newer = (ma[i], mb[j]) if (ma[i].published or "") <= (mb[j].published or "") \
            else (mb[j], ma[i])
        single.add(older.features)
        p, _ = model.score(pair_features(newer.features, single,
                                         jaccard(older.minhash, newer.minhash), cos))
        members.append(round(p, 4))
    members.sort(reverse=True)
    gap = _span_gap(ca, cb)
    late = gap is not None and gap > FOLLOW_UP_DAYS
    return {
        "incident_id": a, "other_incident_id": b,
        "similarity": round(weaker[0], 4), "contributions": weaker[1][:6],
        "member_similarities": members, "late": late,
        "gap_days": None if gap is None else round(gap, 1),
        "shared": shared_evidence(as_article(cb, ca), ca),
    }


def passes(reason: dict, threshold: float, member_threshold: float, late_threshold: float,
           member_rank: int) -> bool:
    """Both bars: the weaker centroid direction, and the `member_rank`-th closest member pair."""
    members = reason["member_similarities"]
    need = late_threshold if reason["late"] else threshold
    rank = min(member_rank, len(members))
    return reason["similarity"] >= need and bool(members) and (
        members[rank - 1] >= member_threshold)


def partners(index: IncidentIndex, incident_id: int) -> list[int]:
    """Open incidents sharing blocking keys with this one (most keys first), closest centroid
    first, and close enough (`MIN_CENTROID_COSINE`) to be worth a full score."""
    inc = index.incidents[incident_id]
    keys: set[str] = set()
    for doc_id in inc.doc_ids[-MAX_MEMBERS_COMPARED:]:
        sig = index.signatures.get(doc_id)
        if sig is not None:
            keys |= blocking_keys(sig.features)
    hits: Counter = Counter()
    for key in keys:
        buckets = index.postings.get(key)
        if not buckets:
            continue
        found = set().union(*buckets.values())
        if len(found) <= MAX_BLOCK:
            hits.update(found)
    mine = _top(inc.centroid.terms, MAX_TERMS)
    near = []
    # ties broken by id, not by set order (which changes with the process's hash seed)
    for other in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:4 * MAX_PARTNERS]:
        if other[0] != incident_id and other[0] in index.incidents:
            c = index.incidents[other[0]].centroid
            if c.size == 1 and inc.centroid.size == 1:
                continue  # two lone reports: the stream compared them already
            similarity = cosine(mine, c.terms, c.norm)
            if similarity >= MIN_CENTROID_COSINE:
                near.append((-similarity, other[0]))
    return [i for _, i in sorted(near)[:MAX_PARTNERS]]


def merge_pass(index: IncidentIndex, touched: Iterable[int] | None = None, *,
               threshold: float | None = None, member_threshold: float | None = None,
               late_threshold: float | None = None,
               member_rank: int | None = None,
               cache: dict | None = None,
               apart: Iterable[tuple[int, int]] = ()) -> list[Merge]:
    """Merge open incidents that read as one story (the incidents of this batch against all
    open ones), best pair first; returns the merges, already applied to `index`. `cache`
    (a dict) keeps pair scores across runs over one stream with different bars. `apart`:
    incident pairs an operator split, never merged again (nor what absorbs either side)."""
    data = index.model.data
    threshold = float(data.get("merge_threshold", 1.01) if threshold is None else threshold)
    member_threshold = float(data.get("merge_member_threshold", 1.01)
                             if member_threshold is None else member_threshold)
    late_threshold = float(data.get("merge_late_threshold", threshold)
                           if late_threshold is None else late_threshold)
    member_rank = int(data.get("merge_member_rank", 1) if member_rank is None else member_rank)
    if threshold > 1.0:
        return []
    todo = sorted(set(index.incidents) if touched is None else
                  {i for i in touched if i in index.incidents})
    kept_apart = {frozenset(p) for p in apart}
    heap: list[tuple[float, int, int, int, dict]] = []
    scored: set[tuple[int, int]] = set()

    def consider(incident_id: int) -> None:
        for other in partners(index, incident_id):
            pair = (min(incident_id, other), max(incident_id, other))
            if pair in scored or frozenset(pair) in kept_apart:
                continue
            scored.add(pair)
            if cache is None:
                reason = score_pair(index, *pair)
            else:  # calibration re-runs the pass on one stream with many bars
                key = tuple(tuple(index.incidents[i].doc_ids) for i in pair)
                reason = cache.get(key) or cache.setdefault(key, score_pair(index, *pair))
            if passes(reason, threshold, member_threshold, late_threshold, member_rank):
                heapq.heappush(heap, (-reason["similarity"], *pair, len(scored), reason))

    for incident_id in todo:
        consider(incident_id)
    merges: list[Merge] = []
    while heap:
        _, keep, drop, _, reason = heapq.heappop(heap)
        if keep not in index.incidents or drop not in index.incidents or (
                frozenset((keep, drop)) in kept_apart):
            continue
        kept_apart = {frozenset(keep if i == drop else i for i in p) for p in kept_apart}
        index.absorb(keep, drop)
        reason = {**reason, "decision": "merged incidents", "threshold":
                  late_threshold if reason["late"] else threshold,
                  "member_threshold": member_threshold, "member_rank": member_rank}
        merges.append(Merge(keep, drop, reason))
        scored = {p for p in scored if keep not in p and drop not in p}
        consider(keep)
    return merges


def cluster(docs: Iterable[Doc], index: IncidentIndex | None = None,
            merge: bool = True) -> dict[int, int]:
    """Batch helper: assign documents in publication order, then (with `merge`) run the
    incident-merge pass over the batch's incidents, as the pipeline stage does; returns
    doc id -> incident id. New incidents are numbered from the first article's id, so labels
    are deterministic."""
    index = index or IncidentIndex()
    touched: set[int] = set()
    for doc in sorted(docs, key=publication_order):
        sig = index.signature(doc)
        result = index.assign(doc, sig)
        incident_id = result.incident_id if result.incident_id is not None else doc.id
        index.add(incident_id, doc, sig)
        touched.add(incident_id)
    if merge:
        merge_pass(index, touched)
    return index.assignments()
