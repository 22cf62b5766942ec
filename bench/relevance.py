"""Precision/recall/F1 of the incident decision and incident-type accuracy on the labelled set.

Run from the repository root: `python bench/relevance.py [--errors] [path.jsonl]`.
Exits non-zero when precision or recall falls below the target, so CI can use it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.relevance import explain, judge  # noqa: E402

DEFAULT_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "relevance_set.jsonl"
TARGET = 0.90


def load(path: Path) -> list[dict]:
    """The labelled items, one JSON object a line."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def evaluate(items: list[dict]) -> dict[str, float]:
    """Decision metrics over `items` plus type accuracy on the true positives."""
    tp = fp = fn = tn = typed = 0
    for item in items:
        verdict = judge(item["title"], item["text"], language=item.get("language", "en"))
        if verdict.relevant and item["relevant"]:
            tp += 1
            typed += verdict.incident_type == item["incident_type"]
        elif verdict.relevant:
            fp += 1
        elif item["relevant"]:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n": len(items), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision,
            "recall": recall, "f1": f1, "type_accuracy": typed / tp if tp else 0.0}


def line(name: str, m: dict[str, float]) -> str:
    return (f"{name:<8} n={m['n']:<4} P={m['precision']:.3f} R={m['recall']:.3f} "
            f"F1={m['f1']:.3f} type-acc={m['type_accuracy']:.3f} "
            f"(tp={m['tp']} fp={m['fp']} fn={m['fn']} tn={m['tn']})")


def main(argv: list[str]) -> int:
    show_errors = "--errors" in argv
    paths = [a for a in argv if not a.startswith("--")]
    items = load(Path(paths[0]) if paths else DEFAULT_SET)
    overall = evaluate(items)
    print(line("all", overall))
    for language in sorted({i.get("language", "en") for i in items}):
        print(line(language, evaluate([i for i in items if i.get("language") == language])))
    if show_errors:
        for item in items:
            verdict = judge(item["title"], item["text"], language=item.get("language", "en"))
            wrong_type = verdict.relevant and verdict.incident_type != item["incident_type"]
            if verdict.relevant != item["relevant"] or wrong_type:
                print(f"\n{item['id']} expected={item['relevant']}/{item['incident_type']} "
                      f"got={verdict.relevant}/{verdict.incident_type}\n  {item['title']}\n  "
                      f"{explain(verdict)}")
    ok = overall["precision"] >= TARGET and overall["recall"] >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
