"""Train the same-story model on the real-report corpus's dev split (and operator decisions).

    python -m monitor.cluster_training [--pairs operator_pairs.jsonl] [--out FILE]

Training follows the streaming setting it will be used in: the dev reports are fed in
publication order, and each report is compared with the centroid of every incident seen so far
(built from the gold labels: reports with the same `incident_key` are one story). The pair is
positive when the centroid is the report's own incident. A logistic regression (scikit-learn,
balanced classes, standardised features) learns the weights; the threshold is then calibrated by
clustering dev for real (predicted centroids, not gold ones) and taking the threshold with the
best recall at pairwise precision >= `PRECISION_FLOOR`. The test split is never read here.

Operator decisions (`monitor incidents export-pairs`) add labelled article pairs: each pair is
one article against a centroid made of the other. The result is `data/cluster_model.json`.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np

from monitor import corpus
from monitor.clustering import (
    MAX_MEMBERS_COMPARED,
    Doc,
    IncidentIndex,
    pairwise_scores,
    publication_order,
)
from monitor.facts import extract_facts
from monitor.neardup import jaccard
from monitor.relevance import judge
from monitor.relevance_model import DEFAULT_MODEL as RELEVANCE_MODEL
from monitor.similarity import (
    DEFAULT_MODEL,
    FEATURES,
    Centroid,
    Idf,
    SimilarityModel,
    cosine,
    gap_days,
    lemmas,
    pair_features,
    parse_time,
)

PRECISION_FLOOR = 0.98
C = 1.0
HARD_NEGATIVES = 8
SAME_TYPE_NEGATIVES = 4  # other incidents of the article's type reported within NEAR_DAYS
NEAR_DAYS = 30
THRESHOLDS = tuple(round(t, 3) for t in np.arange(0.50, 0.991, 0.025))
MEMBER_THRESHOLDS = (0.0, 0.5, 0.8)
FOLLOW_UP_THRESHOLDS = (0.95, 0.99)
BETA = 0.5  # when no setting reaches the floor: F-beta weighting precision over recall


@lru_cache(maxsize=4)
def predicted_types(split: str, path: str | Path | None = None) -> dict[str, str | None]:
    """The incident type the monitor itself gives each report of the split, by item id.

    At run time an article's type is the relevance model's guess (about 0.8 accurate), not a
    label: training and measuring on gold types taught the similarity to trust a type match
    far more than it deserves. Dev reports get out-of-fold guesses (grouped cross-validation at
    the shipped model's C), so the relevance model never types a report it was trained on;
    test reports get the shipped model's.
    """
    items = corpus.load(path, split=split)
    if split == "dev":
        from monitor import relevance_training  # scikit-learn: the training extra

        c = json.loads(RELEVANCE_MODEL.read_text(encoding="utf-8"))["trained_on"]["c"]
        types = relevance_training.cross_validate(items, c)["types"]
        return {item["id"]: kind for item, kind in zip(items, types, strict=True)}
    return {item["id"]: judge(item["title"], item["text"], language=item["language"]).incident_type
            for item in items}


def corpus_docs(split: str, path: str | Path | None = None) -> tuple[list[Doc], dict[int, str],
                                                                      dict[int, dict]]:
    """The split's incident reports as `Doc`s (facts from `monitor.facts`, the type the monitor
    would guess), gold labels, items."""
    docs, labels, items = [], {}, {}
    guessed = predicted_types(split, path)
    for number, item in enumerate(corpus.load(path, split=split), 1):
        if not item.get("incident_key"):
            continue
        published = item.get("date") or None
        facts = extract_facts(item["title"], item["text"], language=item["language"],
                              reference=datetime.fromisoformat(published) if published else None)
        docs.append(Doc(number, item["title"], item["text"], item["language"], published,
                        guessed.get(item["id"]), facts))
        labels[number] = item["incident_key"]
        items[number] = item
    return docs, labels, items


def fit_idf(items: list[dict]) -> Idf:
    """Smoothed IDF (as scikit-learn's) over the lemmas of every dev item, min df 2."""
    df: Counter = Counter()
    for item in items:
        df.update(set(lemmas(f"{item['title']}\n{item['text']}", item.get("language", "en"))))
    n = len(items)
    table = {t: round(math.log((1 + n) / (1 + c)) + 1, 4) for t, c in df.items() if c >= 2}
    return Idf(table, math.log((1 + n) / 2) + 1)


def stream_pairs(docs: list[Doc], labels: dict[int, str], index: IncidentIndex
                 ) -> tuple[list[dict], list[int]]:
    """Each report against its own incident so far and the `HARD_NEGATIVES` other incidents
    whose centroids are closest in wording: the cases the threshold has to separate."""
    X, y = [], []
    centroids: dict[str, Centroid] = {}
    members: dict[str, list] = {}
    for doc in sorted(docs, key=publication_order):
        sig = index.signature(doc)
        own = labels[doc.id]
        others = sorted((k for k in centroids if k != own),
                        key=lambda k: -cosine(sig.features.terms, centroids[k].terms))
        foreign = [k for k in others if sig.features.language not in centroids[k].languages]
        when = parse_time(sig.published)
        same_type = [k for k in others if doc.incident_type in centroids[k].types and (
            when is None or (gap_days(when, centroids[k]) or 0.0) <= NEAR_DAYS)]
        hard = list(dict.fromkeys(others[:HARD_NEGATIVES] + foreign[:HARD_NEGATIVES // 2]
                                  + same_type[:SAME_TYPE_NEGATIVES]))
        for key in ([own] if own in centroids else []) + hard:
            best = max(jaccard(sig.minhash, m.minhash) for m in members[key])
            closest = max(cosine(sig.features.terms, m.features.terms)
                          for m in members[key][-MAX_MEMBERS_COMPARED:])
            X.append(pair_features(sig.features, centroids[key], best, closest))
            y.append(int(key == own))
        key = labels[doc.id]
        centroids.setdefault(key, Centroid()).add(sig.features)
        members.setdefault(key, []).append(sig)
    return X, y


def operator_pairs(path: Path, index: IncidentIndex) -> tuple[list[dict[str, float]], list[int]]:
    """Labelled article pairs exported from operator merges and splits."""
    X, y = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        a, b = (Doc(**{k: v for k, v in row[side].items() if k in Doc.__dataclass_fields__})
                for side in ("a", "b"))
        sig_a, sig_b = index.signature(a), index.signature(b)
        centroid = Centroid()
        centroid.add(sig_b.features)
        X.append(pair_features(sig_a.features, centroid, jaccard(sig_a.minhash, sig_b.minhash)))
        y.append(int(bool(row["same"])))
    return X, y


def _f_beta(scores: dict) -> float:
    p, r = scores["precision"], scores["recall"]
    return (1 + BETA ** 2) * p * r / (BETA ** 2 * p + r) if p + r else 0.0


def calibrate(model_data: dict, docs: list[Doc], labels: dict[int, str]
              ) -> tuple[dict[str, float], dict]:
    """The thresholds (join, late join, closest member) with the best dev recall at pairwise
    precision >= PRECISION_FLOOR, else the best dev F-beta (beta 0.5: precision first), found
    by clustering dev for real with each setting."""
    model = SimilarityModel(model_data)
    ordered = sorted(docs, key=publication_order)
    signer = IncidentIndex(model=model)
    signed = [(doc, signer.signature(doc)) for doc in ordered]  # the thresholds change nothing
    results = []
    for threshold in THRESHOLDS:
        for member in MEMBER_THRESHOLDS:
            for late in sorted({threshold, *(f for f in FOLLOW_UP_THRESHOLDS if f > threshold)}):
                setting = {"threshold": float(threshold), "member_threshold": member,
                           "follow_up_threshold": float(late)}
                index = IncidentIndex(model=model, **setting)
                for doc, sig in signed:
                    found = index.assign(doc, sig).incident_id
                    index.add(found if found is not None else doc.id, doc, sig)
                results.append((setting, pairwise_scores(labels, index.assignments())))
    passing = [r for r in results if r[1]["precision"] >= PRECISION_FLOOR]
    if passing:
        return max(passing, key=lambda r: (r[1]["recall"], -r[0]["threshold"]))
    return max(results, key=lambda r: _f_beta(r[1]))


MERGE_THRESHOLDS = (0.9, 0.95, 0.98, 0.99)
MERGE_MEMBER_THRESHOLDS = (0.8, 0.9, 0.95)
MERGE_LATE_THRESHOLDS = (0.999, 1.01)  # 1.01: incidents weeks apart never merge
MERGE_MEMBER_RANKS = (1, 2)


def calibrate_merge(model_data: dict, docs: list[Doc], labels: dict[int, str]
                    ) -> tuple[dict[str, float], dict]:
    """The incident-merge pass's bars (`monitor.incident_merge`) on the calibrated stream:
    the same rule as `calibrate` (best dev recall at precision >= PRECISION_FLOOR, else the
    best F-beta), with "no merge pass" among the choices, so the pass must earn its place."""
    import copy

    from monitor.incident_merge import merge_pass

    model = SimilarityModel(model_data)
    stream = IncidentIndex(model=model)
    for doc in sorted(docs, key=publication_order):
        sig = stream.signature(doc)
        found = stream.assign(doc, sig).incident_id
        stream.add(found if found is not None else doc.id, doc, sig)
    off = {"merge_threshold": 1.01, "merge_member_threshold": 1.01,
           "merge_late_threshold": 1.01, "merge_member_rank": 1}
    results = [(off, pairwise_scores(labels, stream.assignments()))]
    cache: dict = {}
    for threshold in MERGE_THRESHOLDS:
        for member in MERGE_MEMBER_THRESHOLDS:
            for late in MERGE_LATE_THRESHOLDS:
                for rank in MERGE_MEMBER_RANKS:
                    setting = {"merge_threshold": threshold, "merge_member_threshold": member,
                               "merge_late_threshold": late, "merge_member_rank": rank}
                    index = copy.deepcopy(stream)
                    merge_pass(index, threshold=threshold, member_threshold=member,
                               late_threshold=late, member_rank=rank, cache=cache)
                    results.append((setting, pairwise_scores(labels, index.assignments())))
    passing = [r for r in results if r[1]["precision"] >= PRECISION_FLOOR]
    if passing:
        return max(passing, key=lambda r: (r[1]["recall"], -r[0]["merge_threshold"]))
    return max(results, key=lambda r: _f_beta(r[1]))


def train(pairs_file: Path | None = None, corpus_path: Path | None = None) -> dict:
    """Fit the model on dev (plus operator pairs) and return the JSON-ready model."""
    from sklearn.linear_model import LogisticRegression

    items = corpus.load(corpus_path, split="dev")
    idf = fit_idf(items)
    base = {"features": list(FEATURES), "coef": [0.0] * len(FEATURES), "intercept": 0.0,
            "threshold": 0.5, "idf": idf.table, "idf_default": idf.default}
    index = IncidentIndex(model=SimilarityModel(base))
    docs, labels, _ = corpus_docs("dev", corpus_path)
    X, y = stream_pairs(docs, labels, index)
    if pairs_file:
        more_x, more_y = operator_pairs(pairs_file, index)
        X, y = X + more_x, y + more_y
    matrix = np.array([[row[name] or 0.0 for name in FEATURES] for row in X])
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    fit = LogisticRegression(C=C, class_weight="balanced", max_iter=2000)
    fit.fit(matrix / scale, np.array(y))
    data = {**base, "coef": [round(float(c), 5) for c in fit.coef_[0]],
            "intercept": round(float(fit.intercept_[0]), 5),
            "scale": [round(float(s), 6) for s in scale]}
    setting, scores = calibrate(data, docs, labels)
    data.update(setting)
    setting, merged = calibrate_merge(data, docs, labels)
    data.update(setting)
    data["trained"] = {
        "on": "tests/data/real/corpus.jsonl dev" + (f" + {pairs_file.name}" if pairs_file else ""),
        "pairs": len(y), "positive_pairs": int(sum(y)),
        "dev_precision": round(scores["precision"], 4), "dev_recall": round(scores["recall"], 4),
        "dev_precision_after_merge": round(merged["precision"], 4),
        "dev_recall_after_merge": round(merged["recall"], 4),
        "date": datetime.now(UTC).date().isoformat(),
    }
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, help="operator pairs from `incidents export-pairs`")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--merge-only", action="store_true",
                        help="keep the model's weights and stream bars; recalibrate only the "
                             "incident-merge pass's bars (seconds, not minutes)")
    args = parser.parse_args(argv)
    if args.merge_only:
        data = json.loads(DEFAULT_MODEL.read_text(encoding="utf-8"))
        docs, labels, _ = corpus_docs("dev", args.corpus)
        setting, merged = calibrate_merge(data, docs, labels)
        data.update(setting)
        data["trained"].update({"dev_precision_after_merge": round(merged["precision"], 4),
                                "dev_recall_after_merge": round(merged["recall"], 4)})
    else:
        data = train(args.pairs, args.corpus)
    args.out.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n",
                        encoding="utf-8")
    weights = sorted(zip(data["features"], data["coef"], strict=True), key=lambda p: -abs(p[1]))
    print(f"{args.out}: {data['trained']['pairs']} pairs, threshold {data['threshold']} "
          f"(late joins {data['follow_up_threshold']}, closest member "
          f"{data['member_threshold']}), dev "
          f"precision {data['trained']['dev_precision']} recall {data['trained']['dev_recall']}")
    print(f"merge pass: centroid bar {data['merge_threshold']} (late "
          f"{data['merge_late_threshold']}), member pair {data['merge_member_rank']} bar "
          f"{data['merge_member_threshold']}; dev after it precision "
          f"{data['trained']['dev_precision_after_merge']} recall "
          f"{data['trained']['dev_recall_after_merge']}")
    print("weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in weights))
    return 0


if __name__ == "__main__":
    sys.exit(main())
