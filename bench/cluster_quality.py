"""Pairwise precision and recall of incident clustering on real reports (and the old written set).

    python bench/cluster_quality.py             # dev and test splits of the real-report corpus
    python bench/cluster_quality.py --verbose   # also every wrong join on dev, with its reason
    python bench/cluster_quality.py --missed    # also why dev's same-story pairs were missed

The corpus (`tests/data/real/corpus.jsonl`) is split by incident; the model is trained and its
threshold calibrated on `dev` (`python -m monitor.cluster_training`), so `test` is the honest
figure. Reports are fed one at a time in publication order, as the pipeline sees them; facts
come from `monitor.facts.extract_facts`. Printed per split: pairwise P/R over all pairs, then
English-only, Spanish-only and cross-language pairs, follow-up attachment recall (a report the
corpus marks `follow_up` joined an incident holding an earlier report of its event), how well
the follow-up *role* (time gap or headline cue) matches the corpus on attached reports, and the
different incidents of one type within a week of each other, with whether they stayed apart.
The hand-written set (`tests/data/cluster_set.jsonl`, written facts) is the regression line.
Targets on test: precision >= 0.98, recall >= 0.95; exit status 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.cluster_training import corpus_docs  # noqa: E402
from monitor.clustering import (  # noqa: E402
    Doc,
    IncidentIndex,
    pairwise_scores,
    publication_order,
)
from monitor.incident_merge import _top, merge_pass, partners, score_pair  # noqa: E402
from monitor.similarity import MAX_TERMS, cosine, gap_days, parse_time  # noqa: E402

WRITTEN = Path(__file__).resolve().parents[1] / "tests" / "data" / "cluster_set.jsonl"
PRECISION_TARGET = 0.98
RECALL_TARGET = 0.95


def run(docs: list[Doc], merge: bool = True) -> tuple[dict[int, int], dict[int, dict]]:
    """Assign in publication order, then run the incident-merge pass (the split is one batch,
    as one crawl is for the pipeline); returns predictions and the reason for every article."""
    index = IncidentIndex()
    reasons: dict[int, dict] = {}
    for doc in sorted(docs, key=publication_order):
        sig = index.signature(doc)
        result = index.assign(doc, sig)
        reasons[doc.id] = result.reason
        index.add(result.incident_id if result.incident_id is not None else doc.id, doc, sig)
    if merge:
        for m in merge_pass(index):
            # a later merge of the pass may have absorbed `keep` in turn: its reason stands
            kept = index.incidents.get(m.keep)
            for doc_id in kept.doc_ids if kept else ():
                reasons[doc_id] = {**reasons[doc_id], "merged": m.reason}
    return index.assignments(), reasons


def _line(name: str, s: dict) -> str:
    return (f"  {name:<22} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
            f"(tp {s['tp']}, fp {s['fp']}, fn {s['fn']} of {s['pairs']} pairs)")


def follow_up_recall(docs: list[Doc], labels: dict[int, str], items: dict[int, dict],
                     predicted: dict[int, int]) -> tuple[int, int]:
    """(follow-ups attached, follow-ups with an earlier report of their event)."""
    order = sorted(docs, key=publication_order)
    seen: list[int] = []
    attached = total = 0
    for doc in order:
        if items[doc.id].get("role") == "follow_up":
            earlier = [o for o in seen if labels[o] == labels[doc.id]]
            if earlier:
                total += 1
                attached += any(predicted[o] == predicted[doc.id] for o in earlier)
        seen.append(doc.id)
    return attached, total


def follow_up_role(docs: list[Doc], labels: dict[int, str], items: dict[int, dict],
                   predicted: dict[int, int], reasons: dict[int, dict]) -> dict[str, int]:
    """Of the reports correctly attached to an earlier report of their event: how many the
    corpus marks `follow_up`, how many were given the follow-up role, and by which rule."""
    order = sorted(docs, key=publication_order)
    seen: list[int] = []
    out = {"true": 0, "marked": 0, "both": 0, "by_cue": 0}
    for doc in order:
        if any(labels[o] == labels[doc.id] and predicted[o] == predicted[doc.id] for o in seen):
            truth = items[doc.id].get("role") == "follow_up"
            marked = reasons[doc.id].get("role") == "follow_up"
            out["true"] += truth
            out["marked"] += marked
            out["both"] += truth and marked
            out["by_cue"] += marked and reasons[doc.id].get("follow_up_by") == "headline cue"
        seen.append(doc.id)
    return out


def same_week_apart(docs: list[Doc], labels: dict[int, str], predicted: dict[int, int],
                    items: dict[int, dict]) -> list[tuple[str, str, bool]]:
    """Different incidents of one (labelled) type reported within 7 days: (key, key, apart?)."""
    kind = {d.id: items[d.id].get("incident_type") for d in docs}
    dated = [d for d in docs if d.published and kind[d.id]]
    found: dict[tuple[str, str], bool] = {}
    for a, b in combinations(dated, 2):
        if labels[a.id] == labels[b.id] or kind[a.id] != kind[b.id]:
            continue
        gap = abs((date.fromisoformat(a.published[:10]) - date.fromisoformat(b.published[:10])
                   ).days)
        if gap <= 7:
            pair = tuple(sorted((labels[a.id], labels[b.id])))
            found[pair] = found.get(pair, True) and predicted[a.id] != predicted[b.id]
    return [(a, b, apart) for (a, b), apart in sorted(found.items())]


def report_split(split: str, verbose: bool) -> dict:
    docs, labels, items = corpus_docs(split)
    predicted, reasons = run(docs)
    language = {d.id: d.language for d in docs}
    ids = sorted(labels)
    pairs = list(combinations(ids, 2))
    overall = pairwise_scores(labels, predicted)
    print(f"{split}: {len(docs)} reports of {len(set(labels.values()))} incidents "
          f"({sum(language[i] == 'es' for i in ids)} in Spanish), "
          f"{len(set(predicted.values()))} incidents predicted")
    print(_line("all pairs", overall))
    for name, keep in (("English-only pairs", lambda a, b: language[a] == language[b] == "en"),
                       ("Spanish-only pairs", lambda a, b: language[a] == language[b] == "es"),
                       ("cross-language pairs", lambda a, b: language[a] != language[b])):
        print(_line(name, pairwise_scores(labels, predicted,
                                          [(a, b) for a, b in pairs if keep(a, b)])))
    attached, total = follow_up_recall(docs, labels, items, predicted)
    print(f"  follow-up attachment recall {attached / max(total, 1):.3f} ({attached} of {total})")
    role = follow_up_role(docs, labels, items, predicted, reasons)
    print(f"  follow-up role on attached reports: precision "
          f"{role['both'] / max(role['marked'], 1):.3f}, "
          f"recall {role['both'] / max(role['true'], 1):.3f}"
          f" ({role['both']} of {role['true']} follow-ups marked; {role['marked']} marked, "
          f"{role['by_cue']} by a headline cue)")
    apart = same_week_apart(docs, labels, predicted, items)
    print(f"  same type, same week, different incidents: {sum(k for *_, k in apart)} of "
          f"{len(apart)} pairs kept apart")
    for a, b, kept in apart:
        print(f"    {'apart ' if kept else 'MERGED'} {a}  |  {b}")
    if verbose:
        for doc_id in ids:
            mates = [o for o in ids if predicted[o] == predicted[doc_id] and o != doc_id]
            wrong = {labels[o] for o in mates if labels[o] != labels[doc_id]}
            if wrong and reasons[doc_id].get("decision") != "new incident":
                print(f"    #{doc_id} {labels[doc_id]} joined {sorted(wrong)[:3]}: "
                      + json.dumps(reasons[doc_id], ensure_ascii=False)[:400])
    return overall


def _stream_miss(index: IncidentIndex, doc: Doc, sig, labels: dict[int, str],
                 items: dict[int, dict]) -> tuple[str, list[str], int] | None:
    """Why an article did not join any incident holding an earlier report of its event (None
    when it did, or when it is its event's first): the cause, tags, and the pairs lost."""
    mates = Counter(index.incident_of[d] for d in index.incident_of
                    if labels[d] == labels[doc.id])
    if not mates:
        return None
    candidates, neighbours = index._candidates(sig)
    shortlist, cosines = index._shortlist(sig, candidates, neighbours)
    result = index.assign(doc, sig)
    if result.incident_id in mates:
        return None
    judged = [index._judge(sig, i, neighbours, cosines.get(i)) for i in mates if i in shortlist]
    best = max(judged, key=lambda j: j.similarity, default=None)
    if not any(i in candidates for i in mates):
        cause = "own incident not a candidate (keys, LSH)"
    elif best is None:
        cause = "candidate, not shortlisted (centroid cosine)"
    elif best.joined:
        cause = "passed, another incident scored higher"
    elif best.similarity >= best.needed:
        cause = "failed the closest-member check"
    elif best.needed > index.threshold:
        cause = "below the late-join bar (gap > 14 days)"
    else:
        cause = "below the join bar"
    centroid = index.incidents[mates.most_common(1)[0][0]].centroid
    f, tags = sig.features, []
    if f.language not in centroid.languages:
        tags.append("cross-language")
    gap = gap_days(parse_time(f.published), centroid)
    tags.append("undated" if gap is None else "gap > 14 days" if gap > 14 else "near")
    if items[doc.id].get("role") == "follow_up":
        tags.append("follow-up")
    if f.incident_type and centroid.types and f.incident_type not in centroid.types:
        tags.append("type guess differs")
    if result.incident_id is not None:
        tags.append("joined a wrong incident")
    return cause, tags, sum(mates.values())


def _merge_miss(index: IncidentIndex, big: int, other: int) -> str:
    """Why the merge pass left two incidents of one event apart."""
    a, b = index.incidents[big].centroid, index.incidents[other].centroid
    cross = " [cross-language]" if not set(a.languages) & set(b.languages) else ""
    if a.size == 1 and b.size == 1:
        return "two lone reports (never a pair)" + cross
    if other not in partners(index, big) and big not in partners(index, other):
        low = cosine(_top(a.terms, MAX_TERMS), b.terms, b.norm) < 0.2
        return "not partners" + (" (centroid cosine < 0.2)" if low else "") + cross
    reason = score_pair(index, min(big, other), max(big, other))
    data = index.model.data
    need = data["merge_late_threshold"] if reason["late"] else data["merge_threshold"]
    if reason["similarity"] < need:
        return ("below the late merge bar" if reason["late"] else "below the merge bar") + cross
    return "below the member-pair bar" + cross


def missed(split: str) -> None:
    """Where dev's same-story pairs are lost: per article in the stream (was its incident a
    candidate? which bar stopped it?), then per incident pair left apart by the merge pass."""
    if split != "dev":
        raise SystemExit("diagnose on dev only: test is for reporting")
    docs, labels, items = corpus_docs(split)
    index = IncidentIndex()
    causes: Counter = Counter()
    lost: Counter = Counter()
    tags: dict[str, Counter] = {}
    for doc in sorted(docs, key=publication_order):
        sig = index.signature(doc)
        miss = _stream_miss(index, doc, sig, labels, items)
        if miss:
            causes[miss[0]] += 1
            lost[miss[0]] += miss[2]
            tags.setdefault(miss[0], Counter()).update(miss[1])
        result = index.assign(doc, sig)
        index.add(result.incident_id if result.incident_id is not None else doc.id, doc, sig)
    print(f"{split}: reports that did not join an incident holding an earlier report of their "
          "event, at stream time")
    print(f"  {'cause':<46} {'reports':>7} {'pairs':>6}  tags")
    for cause, n in lost.most_common():
        print(f"  {cause:<46} {causes[cause]:>7} {n:>6}  "
              + ", ".join(f"{t} {k}" for t, k in tags[cause].most_common()))
    merge_pass(index)
    majority: dict[str, list[int]] = {}
    for incident_id, inc in index.incidents.items():
        label = Counter(labels[d] for d in inc.doc_ids).most_common(1)[0][0]
        majority.setdefault(label, []).append(incident_id)
    apart: Counter = Counter()
    apart_pairs: Counter = Counter()
    for label, found in majority.items():
        found.sort(key=lambda i: -len(index.incidents[i].doc_ids))
        count = {i: sum(labels[d] == label for d in index.incidents[i].doc_ids) for i in found}
        for other in found[1:]:
            cause = _merge_miss(index, found[0], other)
            apart[cause] += 1
            apart_pairs[cause] += count[found[0]] * count[other]
    print(f"{split}: after the merge pass, parts of one event left apart (each part against "
          "the event's biggest)")
    print(f"  {'cause':<62} {'parts':>5} {'pairs':>6}")
    for cause, n in apart_pairs.most_common():
        print(f"  {cause:<62} {apart[cause]:>5} {n:>6}")


def written_set() -> dict:
    rows = [json.loads(x) for x in WRITTEN.read_text(encoding="utf-8").splitlines() if x]
    docs = [Doc(r["id"], r["title"], r["text"], r["language"], r["published"],
                r.get("incident_type"), r["facts"]) for r in rows]
    scores = pairwise_scores({r["id"]: r["cluster"] for r in rows}, run(docs)[0])
    print(f"written set (regression, {len(rows)} team-written reports, written facts):")
    print(_line("all pairs", scores))
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true",
                        help="explain every wrong join on dev (never on test: it is not tuned on)")
    parser.add_argument("--missed", action="store_true",
                        help="why dev's same-story pairs were missed: a table of causes")
    args = parser.parse_args(argv)
    report_split("dev", args.verbose)
    if args.missed:
        missed("dev")
    test = report_split("test", False)
    written_set()
    ok = test["precision"] >= PRECISION_TARGET and test["recall"] >= RECALL_TARGET
    print(f"targets on test: precision >= {PRECISION_TARGET}, recall >= {RECALL_TARGET}: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
