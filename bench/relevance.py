"""Relevance and incident-type quality on the real-report corpus, dev and test split apart.

Run from the repository root: `python bench/relevance.py [--errors] [--rules-only]
[--no-cv]`. The headline is the **test** split (never tuned on), scored by the shipped model.
The **dev** split is what the model was trained and tuned on, so its figures are grouped
cross-validation (out-of-fold, folds by incident, the shipped C and threshold; scikit-learn
needed): the shipped model has seen every dev item, and its fit there says nothing. `--no-cv`
prints that in-sample fit instead (fast). The written set (`tests/data/relevance_set.jsonl`) is
a regression set. `--rules-only` scores with the taxonomy alone, the baseline the model must beat.
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


Decision = tuple[bool, "str | None"]


def decide(items: list[dict], rules_only: bool = False) -> dict[str, Decision]:
    """The shipped scorer's (relevant, type) for each item id."""
    out = {}
    for item in items:
        verdict = judge(item.get("title", ""), item["text"], language=item.get("language", "en"),
                        model=not rules_only)
        out[item["id"]] = (verdict.relevant, verdict.incident_type)
    return out


def cross_validated(items: list[dict]) -> dict[str, Decision]:
    """Out-of-fold (relevant, type) for each dev item, at the shipped model's C and threshold."""
    from monitor.relevance_model import load_model
    from monitor.relevance_training import cross_validate

    model = load_model()
    result = cross_validate(items, model.data["trained_on"]["c"])
    return {item["id"]: (p >= model.threshold, t)
            for item, p, t in zip(items, result["probability"], result["types"], strict=True)}


def evaluate(items: list[dict], decisions: dict[str, Decision]) -> tuple[dict, Counter]:
    """Decision metrics, type accuracy on the true positives, and the type confusion counts."""
    tp = fp = fn = tn = typed = typed_alt = 0
    confusion: Counter = Counter()
    for item in items:
        relevant, incident_type = decisions[item["id"]]
        if relevant and item["relevant"]:
            tp += 1
            typed += incident_type == item["incident_type"]
            typed_alt += incident_type in (item["incident_type"], item.get("incident_type_alt"))
            confusion[(item["incident_type"], incident_type)] += 1
        elif relevant:
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


def report(name: str, items: list[dict], decisions: dict[str, Decision]) -> dict:
    """Print the split's overall and per-language lines and its type confusion."""
    overall, confusion = evaluate(items, decisions)
    print(line(name, overall))
    for language in sorted({i.get("language", "en") for i in items}):
        subset = [i for i in items if i.get("language", "en") == language]
        print(line(f"  {language}", evaluate(subset, decisions)[0]))
    wrong = {pair: n for pair, n in confusion.items() if pair[0] != pair[1]}
    if wrong:
        print("  type confusion (labelled -> predicted: count): " + ", ".join(
            f"{a}->{b}: {n}" for (a, b), n in sorted(wrong.items(), key=lambda kv: -kv[1])))
    return overall


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list the dev split's mistakes")
    parser.add_argument("--rules-only", action="store_true", help="taxonomy alone, no model")
    parser.add_argument("--no-cv", action="store_true",
                        help="dev: the shipped model's in-sample fit, not cross-validation")
    parser.add_argument("--corpus", default=str(corpus.DEFAULT_CORPUS))
    args = parser.parse_args(argv)
    items = corpus.load(args.corpus)
    mode = "rules only" if args.rules_only else "rules + model"
    print(f"relevance ({mode}) on the real-report corpus: {len(items)} items")
    dev = [i for i in items if i["split"] == "dev"]
    test = [i for i in items if i["split"] == "test"]
    cv = not (args.rules_only or args.no_cv)
    dev_decisions = cross_validated(dev) if cv else decide(dev, args.rules_only)
    results = {
        "dev": report("dev (CV)" if cv else "dev (fit)", dev, dev_decisions),
        "test": report("test", test, decide(test, args.rules_only)),
    }
    written = [json.loads(x) for x in WRITTEN_SET.read_text(encoding="utf-8").splitlines() if x]
    for n, item in enumerate(written):
        item.setdefault("id", f"written-{n}")
    report("written(regr)", written, decide(written, args.rules_only))
    if args.errors:  # the dev split's (out-of-fold) mistakes, never the test split's
        for item in dev:
            relevant, incident_type = dev_decisions[item["id"]]
            wrong_type = relevant and incident_type != item["incident_type"]
            if relevant != item["relevant"] or wrong_type:
                verdict = judge(item.get("title", ""), item["text"], language=item["language"],
                                model=not args.rules_only)
                print(f"\n{item['id']} expected={item['relevant']}/{item['incident_type']} "
                      f"got={relevant}/{incident_type} [{item['outlet']}]\n  "
                      f"{item.get('title', '')[:100]}\n  shipped model: {explain(verdict)}")
    test = results["test"]
    if not args.rules_only:  # the baseline, in the same run: the taxonomy's rules alone
        test_items = [i for i in items if i["split"] == "test"]
        rules = evaluate(test_items, decide(test_items, rules_only=True))[0]
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
