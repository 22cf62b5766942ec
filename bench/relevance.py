"""Relevance and incident-type quality on the real-report corpus, dev and test split apart.

Run from the repository root: `python bench/relevance.py [--errors] [--split dev|test]
[--rules-only]`. The headline is the **test** split (never tuned on); dev is what the model was
trained and tuned on, and the written set (`tests/data/relevance_set.jsonl`) is a regression
set. `--rules-only` scores with the taxonomy alone, the baseline the model must beat.
`--errors` lists the dev split's mistakes only: reading the test split's errors while tuning
would make its figure another dev figure.
Exits non-zero when the test split misses the targets (P, R >= 0.95, type accuracy >= 0.90).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import corpus  # noqa: E402
from monitor.relevance import explain, judge  # noqa: E402

WRITTEN_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "relevance_set.jsonl"
TARGET_PR, TARGET_TYPE = 0.95, 0.90


def evaluate(items: list[dict], rules_only: bool = False) -> tuple[dict, Counter]:
    """Decision metrics, type accuracy on the true positives, and the type confusion counts."""
    tp = fp = fn = tn = typed = typed_alt = 0
    confusion: Counter = Counter()
    for item in items:
        verdict = judge(item.get("title", ""), item["text"], language=item.get("language", "en"),
                        model=not rules_only)
        if verdict.relevant and item["relevant"]:
            tp += 1
            typed += verdict.incident_type == item["incident_type"]
            typed_alt += verdict.incident_type in (item["incident_type"],
                                                   item.get("incident_type_alt"))
            confusion[(item["incident_type"], verdict.incident_type)] += 1
        elif verdict.relevant:
            fp += 1
        elif item["relevant"]:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ({"n": len(items), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision,
             "recall": recall, "f1": f1, "type_accuracy": typed / tp if tp else 0.0,
             "type_accuracy_alt": typed_alt / tp if tp else 0.0}, confusion)


def line(name: str, m: dict) -> str:
    return (f"{name:<14} n={m['n']:<4} P={m['precision']:.3f} R={m['recall']:.3f} "
            f"F1={m['f1']:.3f} type-acc={m['type_accuracy']:.3f} "
            f"(alt {m['type_accuracy_alt']:.3f}) "
            f"(tp={m['tp']} fp={m['fp']} fn={m['fn']} tn={m['tn']})")


def report(name: str, items: list[dict], rules_only: bool) -> dict:
    """Print the split's overall and per-language lines and its type confusion."""
    overall, confusion = evaluate(items, rules_only)
    print(line(name, overall))
    for language in sorted({i.get("language", "en") for i in items}):
        subset = [i for i in items if i.get("language", "en") == language]
        print(line(f"  {language}", evaluate(subset, rules_only)[0]))
    wrong = {pair: n for pair, n in confusion.items() if pair[0] != pair[1]}
    if wrong:
        print("  type confusion (labelled -> predicted: count): " + ", ".join(
            f"{a}->{b}: {n}" for (a, b), n in sorted(wrong.items(), key=lambda kv: -kv[1])))
    return overall


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the dev split's mistakes")
    parser.add_argument("--rules-only", action="store_true", help="taxonomy alone, no model")
    parser.add_argument("--corpus", default=str(corpus.DEFAULT_CORPUS))
    args = parser.parse_args(argv)
    items = corpus.load(args.corpus)
    mode = "rules only" if args.rules_only else "rules + model"
    print(f"relevance ({mode}) on the real-report corpus: {len(items)} items")
    results = {split: report(split, [i for i in items if i["split"] == split], args.rules_only)
               for split in ("dev", "test")}
    written = [json.loads(x) for x in WRITTEN_SET.read_text(encoding="utf-8").splitlines() if x]
    report("written(regr)", written, args.rules_only)
    if args.errors:
        for item in (i for i in items if i["split"] == "dev"):
            verdict = judge(item.get("title", ""), item["text"], language=item["language"],
                            model=not args.rules_only)
            wrong_type = verdict.relevant and verdict.incident_type != item["incident_type"]
            if verdict.relevant != item["relevant"] or wrong_type:
                print(f"\n{item['id']} expected={item['relevant']}/{item['incident_type']} "
                      f"got={verdict.relevant}/{verdict.incident_type} [{item['outlet']}]\n  "
                      f"{item.get('title', '')[:100]}\n  {explain(verdict)}")
    test = results["test"]
    if not args.rules_only:  # the baseline, in the same run: the taxonomy's rules alone
        rules = evaluate([i for i in items if i["split"] == "test"], rules_only=True)[0]
        print(f"baseline (rules only) on the test split: F1={rules['f1']:.3f}; "
              f"model/rules F1 = {test['f1'] / rules['f1']:.2f}" if rules["f1"] else
              "baseline (rules only): F1 0")
    ok = (test["precision"] >= TARGET_PR and test["recall"] >= TARGET_PR
          and test["type_accuracy"] >= TARGET_TYPE)
    print(f"test split {'meets' if ok else 'MISSES'} the targets "
          f"(P, R >= {TARGET_PR}, type accuracy >= {TARGET_TYPE})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
