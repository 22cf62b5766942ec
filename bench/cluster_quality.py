"""Pairwise precision and recall of incident clustering on the labelled set.

    python bench/cluster_quality.py            # hand-written facts from the set
    python bench/cluster_quality.py --extract  # facts from monitor.facts.extract_facts instead
    python bench/cluster_quality.py --verbose  # print every wrong pair with the reason

Targets: precision >= 0.95, recall >= 0.90. Exit status 1 when a target is missed, so CI can
run it. Articles are fed in publication order, as the pipeline would see them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.clustering import Doc, IncidentIndex, pairwise_scores  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "cluster_set.jsonl"
PRECISION_TARGET = 0.95
RECALL_TARGET = 0.90


def load(
    path: Path = DATA, *, extract: bool = False, split: str | None = None
) -> tuple[list[Doc], dict[int, str]]:
    """Read the labelled set; with `extract` the facts come from the extractor, not the file.

    `split` keeps only "dev" rows (the ones the rules were tuned on) or "holdout" rows
    (written afterwards and never tuned on).
    """
    docs, labels = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if split and row.get("split", "dev") != split:
            continue
        facts = row["facts"]
        if extract:
            from monitor.facts import extract_facts

            facts = extract_facts(row["title"], row["text"], language=row["language"])
        docs.append(Doc(row["id"], row["title"], row["text"], row["language"], row["published"],
                        row.get("incident_type"), facts))
        labels[row["id"]] = row["cluster"]
    return docs, labels


def run(docs: list[Doc], index: IncidentIndex) -> tuple[dict[int, int], dict[int, dict]]:
    """Assign in publication order; returns predictions and the reason for every article."""
    reasons: dict[int, dict] = {}
    for doc in sorted(docs, key=lambda d: (d.published or "", d.id)):
        sig = index.signature(doc)
        result = index.assign(doc, sig)
        reasons[doc.id] = result.reason
        index.add(result.incident_id if result.incident_id is not None else doc.id, doc, sig)
    return index.assignments(), reasons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extract", action="store_true", help="use monitor.facts.extract_facts")
    parser.add_argument("--verbose", action="store_true", help="explain every wrong pair")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args(argv)
    mode = "extract_facts" if args.extract else "hand-written facts"
    for split in ("dev", "holdout"):
        part_docs, part_labels = load(args.data, extract=args.extract, split=split)
        if part_docs:
            part = pairwise_scores(part_labels, run(part_docs, IncidentIndex())[0])
            print(f"  {split:<8} {len(part_docs):>3} articles: precision {part['precision']:.3f}"
                  f" recall {part['recall']:.3f}")
    docs, labels = load(args.data, extract=args.extract)
    predicted, reasons = run(docs, IncidentIndex())
    scores = pairwise_scores(labels, predicted)
    print(f"cluster quality ({mode}): {len(docs)} articles, {len(set(labels.values()))} "
          f"incidents labelled, {len(set(predicted.values()))} predicted")
    print(f"pairwise precision {scores['precision']:.3f} (target {PRECISION_TARGET}), "
          f"recall {scores['recall']:.3f} (target {RECALL_TARGET}), f1 {scores['f1']:.3f}; "
          f"tp={scores['tp']} fp={scores['fp']} fn={scores['fn']} of {scores['pairs']} pairs")
    if args.verbose:
        by_id = {d.id: d for d in docs}
        for doc_id in sorted(predicted):
            doc = by_id[doc_id]
            mates = [o for o in predicted if predicted[o] == predicted[doc_id] and o != doc_id]
            wrong = [o for o in mates if labels[o] != labels[doc_id]]
            missed = [o for o in labels if labels[o] == labels[doc_id] and o not in mates
                      and o != doc_id]
            if wrong or missed:
                print(f"\n#{doc_id} [{labels[doc_id]}] {doc.title[:70]}")
                print(f"   wrongly with {wrong}, missing {missed}")
                print("   " + json.dumps(reasons[doc_id], ensure_ascii=False)[:900])
    ok = scores["precision"] >= PRECISION_TARGET and scores["recall"] >= RECALL_TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
