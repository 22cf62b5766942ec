"""What the incident-merge pass adds to the cost of clustering (`monitor.incident_merge`).

    python bench/incident_merge_cost.py            # 10,000 synthetic articles
    python bench/incident_merge_cost.py --n 2000

The synthetic archive of `bench/dedupe.py` (100 articles a day, 10% near-duplicates) is fed
through sign -> assign -> add one day at a time, as the pipeline gets one crawl at a time, and
the merge pass runs after each day over that day's incidents. Printed: CPU of the stream and of
the merge passes in the same run, and their ratio (target: the pass adds at most ~10%).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dedupe import synthetic_archive, synthetic_model  # noqa: E402
from monitor.clustering import IncidentIndex  # noqa: E402
from monitor.incident_merge import merge_pass  # noqa: E402

TARGET = 0.10


def run(n: int) -> dict:
    index = IncidentIndex(model=synthetic_model())
    stream_cpu = merge_cpu = 0.0
    day, touched, merges = None, set(), 0
    for doc, _ in synthetic_archive(n):
        if day is not None and doc.published[:10] != day:
            c0 = time.process_time()
            merges += len(merge_pass(index, touched))
            merge_cpu += time.process_time() - c0
            touched = set()
        day = doc.published[:10]
        c0 = time.process_time()
        sig = index.signature(doc)
        result = index.assign(doc, sig)
        incident_id = result.incident_id if result.incident_id is not None else doc.id
        index.add(incident_id, doc, sig)
        stream_cpu += time.process_time() - c0
        touched.add(incident_id)
    c0 = time.process_time()
    merges += len(merge_pass(index, touched))
    merge_cpu += time.process_time() - c0
    return {"n": n, "stream_cpu": stream_cpu, "merge_cpu": merge_cpu, "merges": merges,
            "incidents": len(index.incidents)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args(argv)
    r = run(args.n)
    ratio = r["merge_cpu"] / r["stream_cpu"]
    print(f"{r['n']:,} articles, {r['incidents']:,} open incidents at the end: stream CPU "
          f"{r['stream_cpu']:.1f}s, merge passes {r['merge_cpu']:.1f}s (+{ratio:.1%}; target "
          f"<= +{TARGET:.0%}), {r['merges']} merges")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
