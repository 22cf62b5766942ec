"""Dedupe benchmark: does incident assignment stay cheap as the archive grows, and what does LSH
miss compared with exact pairwise Jaccard?

    python bench/dedupe.py            # archives of 10,000 and 100,000 articles, baseline on 10,000
    python bench/dedupe.py --quick    # 1,000 and 10,000, baseline on 10,000 (CI-sized)
    python bench/dedupe.py --quick --sign-workers 1   # and the larger size signed ahead

Targets (issue 16): 100,000 articles < 60 s wall and < 500 MB peak; time(100k)/time(10k) <= 11;
LSH faster than the exact scipy sparse all-pairs product from 10,000 articles up.

Synthetic articles have ~500 words from a Zipf vocabulary, a few person and place names, numbers
and dates, 100 a day (100,000 articles span ~3 years); 10% are near-duplicates of a recent article
(words substituted, a sentence dropped, a syndication line added). Each archive size runs in its
own subprocess so its peak memory (ru_maxrss minus the resident size before the run) is its own.

Wall-clock figures inflate on a shared machine; the process CPU time printed next to them is
the steadier number. Printed per size: signing time, assign+add time (the LSH query, fact-key
candidates, scoring, insert), per-article cost, peak memory, and the ratios between the two
sizes (10x the articles should cost ~10x the time, not 100x). `--sign-workers N` runs the larger
size again with N processes signing the next batch while this one assigns (the same decisions:
the bench's test checks the assignments), and prints the wall ratio.

Then, on the baseline size, the near-duplicate question alone, both sides starting from the
same shingle hashes and ending with the pairs whose exact Jaccard is >= 0.5: the scipy sparse
product of the binary shingle matrix (and a naive Python loop timed on a sample and
extrapolated) against the LSH path (MinHash from the shingles, band query, exact check of the
candidates, insert); the LSH path's recall of the exact pairs. Last, the incident index on the
same articles: its time, and the recall of its LSH candidates and of its same-incident decisions
on those pairs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor.clustering import Doc, IncidentIndex  # noqa: E402
from monitor.neardup import LSH, band_keys, minhash_of_shingles, shingle_hashes  # noqa: E402

VOCAB_SIZE = 20_000
NAME_POOL = 50_000
PLACE_POOL = 3_000
WORDS = 500
DUP_RATE = 0.10
PAIR_THRESHOLD = 0.5
START = datetime(2023, 1, 1)
PER_DAY = 100  # articles a day across all sources: 100,000 articles is ~3 years
RECENT = 300  # near-duplicates copy one of the last 300 originals (about three days)


def _rss_kb() -> int:
    """Current resident set size in KiB (Linux), for the before/after memory figure."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() // 1024


def synthetic_archive(n: int, seed: int = 7) -> Iterator[tuple[Doc, int | None]]:
    """Yield (doc, original id or None); near-duplicates copy one of the last RECENT originals."""
    rng = np.random.default_rng(seed)
    rand = random.Random(seed)
    vocab = np.array([f"w{i}" for i in range(VOCAB_SIZE)])
    weights = 1.0 / np.arange(1, VOCAB_SIZE + 1) ** 1.05
    weights /= weights.sum()
    name_weights = 1.0 / np.arange(1, NAME_POOL + 1)
    name_weights /= name_weights.sum()
    recent: list[tuple[int, str, str, datetime]] = []
    for i in range(1, n + 1):
        when = START + timedelta(days=i / PER_DAY)
        if recent and rand.random() < DUP_RATE:
            orig_id, title, text, _ = recent[rand.randrange(len(recent))]
            words = text.split()
            for _ in range(rand.randint(5, 25)):  # 1-5% of words substituted
                words[rand.randrange(len(words))] = str(rng.choice(vocab, p=weights))
            cut = rand.randrange(len(words) - 30)
            del words[cut:cut + rand.randint(0, 25)]  # a dropped sentence, sometimes
            text = " ".join(words) + " This story was first published by another outlet."
            published = when + timedelta(hours=rand.randint(1, 72))
            doc = Doc(i, title, text, "en", published.isoformat(), "raid", {})
            yield doc, orig_id
            continue
        body = vocab[rng.choice(VOCAB_SIZE, WORDS, p=weights)]
        names = [f"Name{k}" for k in rng.choice(NAME_POOL, 4, p=name_weights)]
        place = f"Town{rng.integers(PLACE_POOL)}"
        tokens = [*names, place, str(rng.integers(10, 900))]
        for pos, token in zip(rng.integers(1, WORDS, 6), tokens, strict=True):
            body[pos] = token
        sentences = [" ".join(body[k:k + 25]) for k in range(0, WORDS, 25)]
        text = ". ".join(s.capitalize() for s in sentences) + "."
        day = when - timedelta(days=int(rng.integers(0, 3)))
        text += f" It happened on {day:%B} {day.day}, {day.year}."
        title = " ".join(vocab[rng.choice(VOCAB_SIZE, 8, p=weights)]).capitalize()
        facts = {"places": [{"value": place, "kind": "city", "sentence": ""}]}
        doc = Doc(i, title, text, "en", when.isoformat(), "raid", facts)
        recent.append((i, title, text, when))
        if len(recent) > RECENT:
            recent.pop(0)
        yield doc, None


def synthetic_model():
    """The shipped model with an IDF fitted on 1,000 synthetic articles (another seed): the
    real-corpus IDF knows none of the synthetic words, and would call every one of them rare,
    as the shipped IDF is fitted on the kind of text it will see."""
    import math
    from collections import Counter

    from monitor.similarity import Idf, SimilarityModel, default_model, lemmas

    df: Counter = Counter()
    for doc, _ in synthetic_archive(1000, seed=99):
        df.update(set(lemmas(f"{doc.title}\n{doc.text}", "en")))
    model = SimilarityModel(default_model().data)
    model.idf = Idf({t: math.log(1001 / (1 + c)) + 1 for t, c in df.items()},
                    math.log(1001 / 2) + 1)
    return model


_SIGNER: IncidentIndex | None = None
SIGN_BATCH = 256  # articles a signing process is handed at a time (two batches in flight)


def _start_signer() -> None:
    """A signing process's index (the same synthetic model: signatures are the parent's)."""
    global _SIGNER
    _SIGNER = IncidentIndex(model=synthetic_model())


def _sign_batch(docs: list[Doc]) -> list:
    assert _SIGNER is not None
    return [_SIGNER.signature(doc) for doc in docs]


def _batches(n: int) -> Iterator[list[tuple[Doc, int | None]]]:
    batch: list[tuple[Doc, int | None]] = []
    for item in synthetic_archive(n):
        batch.append(item)
        if len(batch) == SIGN_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def run_size(n: int, sign_workers: int = 0) -> dict:
    """Feed n articles through sign -> assign -> add; time it and measure peak memory.

    With `sign_workers`, that many processes sign the next batch of articles while this one
    assigns the current one; the sign time is then this process's wait for a batch.
    """
    import multiprocessing

    model = synthetic_model()
    before_kb = _rss_kb()
    index = IncidentIndex(model=model)
    sign_s = assign_s = sign_cpu = assign_cpu = 0.0
    duplicates = found = 0
    cpu_start, wall_start = time.process_time(), time.perf_counter()
    pool = (multiprocessing.get_context("fork").Pool(sign_workers, _start_signer)
            if sign_workers else None)
    batches = _batches(n)

    def submit():  # the next batch's signatures, being made while this one is assigned
        batch = next(batches, None)
        if batch is None or pool is None:
            return batch, None
        parts = [[doc for doc, _ in batch[k::sign_workers]] for k in range(sign_workers)]
        return batch, [pool.apply_async(_sign_batch, (part,)) for part in parts]

    batch, pending = submit()
    while batch is not None:
        t0, c0 = time.perf_counter(), time.process_time()
        if pending is not None:
            parts = [p.get() for p in pending]
            signatures = [parts[k % sign_workers][k // sign_workers] for k in range(len(batch))]
        sign_s += time.perf_counter() - t0
        sign_cpu += time.process_time() - c0
        following = submit()
        for pos, (doc, original) in enumerate(batch):
            t0, c0 = time.perf_counter(), time.process_time()
            sig = signatures[pos] if pending is not None else index.signature(doc)
            t1, c1 = time.perf_counter(), time.process_time()
            result = index.assign(doc, sig)
            index.add(result.incident_id if result.incident_id is not None else doc.id, doc, sig)
            t2, c2 = time.perf_counter(), time.process_time()
            sign_s += t1 - t0
            assign_s += t2 - t1
            sign_cpu += c1 - c0
            assign_cpu += c2 - c1
            if original is not None:
                duplicates += 1
                found += result.duplicate_of is not None
        batch, pending = following
    wall_s = time.perf_counter() - wall_start
    workers_cpu = workers_peak_mb = 0.0
    if pool is not None:
        pool.close()
        pool.join()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_cpu = usage.ru_utime + usage.ru_stime
        workers_peak_mb = usage.ru_maxrss / 1024
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "n": n, "sign_s": sign_s, "assign_s": assign_s, "sign_cpu": sign_cpu,
        "assign_cpu": assign_cpu, "peak_mb": (peak_kb - before_kb) / 1024,
        "cpu_s": time.process_time() - cpu_start,  # includes generating the synthetic text
        "wall_s": wall_s, "sign_workers": sign_workers, "workers_cpu": workers_cpu,
        "workers_peak_mb": workers_peak_mb, "incidents": len(index.incidents),
        "assignments_sha256": hashlib.sha256(
            json.dumps(sorted(index.assignments().items())).encode()).hexdigest(),
        "injected_duplicates": duplicates, "duplicates_flagged": found,
    }


def baseline(n: int) -> dict:
    """Exact all-pairs Jaccard vs the LSH index on the same n articles.

    Both start from the same shingle hashes (the text pass is common to both) and both end with
    the pairs whose exact Jaccard is >= PAIR_THRESHOLD: the sparse product finds them all at
    once; the LSH path signs each article from its shingles, asks the index for the articles
    sharing a band, checks those candidates' exact Jaccard and inserts the article.
    """
    docs = [doc for doc, _ in synthetic_archive(n, seed=11)]
    shingles = [shingle_hashes(f"{d.title}\n{d.text}") for d in docs]  # sorted, distinct
    sizes = np.array([len(h) for h in shingles])
    # exact, vectorised: sparse binary matrix (columns numbered by np.unique), one product
    exact_pairs: set[tuple[int, int]] = set()
    sparse_s = None
    try:
        from scipy import sparse
    except ImportError:  # pragma: no cover - scipy is in the test extra
        sparse = None
    if sparse is not None:
        t0 = time.perf_counter()
        _, columns = np.unique(np.concatenate(shingles), return_inverse=True)
        indptr = np.concatenate([[0], np.cumsum(sizes)])
        matrix = sparse.csr_matrix((np.ones(len(columns), dtype=np.float32), columns, indptr),
                                   shape=(n, int(columns.max()) + 1))
        inter = sparse.triu(matrix @ matrix.T, k=1).tocoo()
        jac = inter.data / (sizes[inter.row] + sizes[inter.col] - inter.data)
        keep = jac >= PAIR_THRESHOLD
        exact_pairs = set(zip(inter.row[keep].tolist(), inter.col[keep].tolist(), strict=True))
        sparse_s = time.perf_counter() - t0
        del matrix, inter, jac, keep
    # exact, naive: Python set Jaccard on a sample of pairs, extrapolated to all pairs
    sets = [set(h.tolist()) for h in shingles]
    rand = random.Random(3)
    sample = [(rand.randrange(n), rand.randrange(n)) for _ in range(100_000)]
    t0 = time.perf_counter()
    for a, b in sample:
        _ = len(sets[a] & sets[b]) / len(sets[a] | sets[b])
    naive_s = (time.perf_counter() - t0) / len(sample) * (n * (n - 1) / 2)
    if sparse is None:
        for a in range(n):
            for b in range(a + 1, n):
                if len(sets[a] & sets[b]) / len(sets[a] | sets[b]) >= PAIR_THRESHOLD:
                    exact_pairs.add((a, b))
    del sets
    # LSH: sign from the shingles, query, check the candidates exactly, insert
    t0 = time.perf_counter()
    lsh, lsh_pairs, candidates = LSH(), set(), 0
    for pos, hashes in enumerate(shingles):
        values, _ = minhash_of_shingles(hashes)
        keys = band_keys(values)
        for other in lsh.query(values, keys):
            candidates += 1
            common = len(np.intersect1d(hashes, shingles[other], assume_unique=True))
            if common / (sizes[pos] + sizes[other] - common) >= PAIR_THRESHOLD:
                lsh_pairs.add((other, pos))
        lsh.insert(pos, values, keys)
    lsh_s = time.perf_counter() - t0
    # the incident index on the same articles: its candidates, and whether pairs end together
    index = IncidentIndex(model=synthetic_model())
    t0 = time.perf_counter()
    signatures = [index.signature(d) for d in docs]
    sign_s = time.perf_counter() - t0
    index_candidates: set[tuple[int, int]] = set()
    t0 = time.perf_counter()
    for pos, (doc, sig) in enumerate(zip(docs, signatures, strict=True)):
        for other in index.lsh.query(sig.minhash):
            index_candidates.add((other - 1, pos))
        result = index.assign(doc, sig)
        index.add(result.incident_id if result.incident_id is not None else doc.id, doc, sig)
    assign_s = time.perf_counter() - t0
    incident_of = index.assignments()
    same_incident = {(a, b) for a, b in exact_pairs if incident_of[a + 1] == incident_of[b + 1]}
    found = len(exact_pairs & index_candidates)
    return {
        "n": n, "exact_pairs": len(exact_pairs), "sparse_s": sparse_s, "naive_s": naive_s,
        "lsh_s": lsh_s, "lsh_pairs": len(lsh_pairs), "lsh_checked": candidates,
        "lsh_exact_recall": (len(lsh_pairs & exact_pairs) / len(exact_pairs)
                             if exact_pairs else 1.0),
        "lsh_extra": len(lsh_pairs - exact_pairs),
        "index_sign_s": sign_s, "index_assign_s": assign_s,
        "lsh_recall": found / len(exact_pairs) if exact_pairs else 1.0,
        "index_recall": len(same_incident) / len(exact_pairs) if exact_pairs else 1.0,
        "lsh_candidate_pairs": len(index_candidates),
    }


def _child(kind: str, n: int, sign_workers: int = 0) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(n), str(sign_workers)], check=True,
        capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="CI-sized: 1k/10k, baseline 10k")
    parser.add_argument("--sign-workers", type=int, default=0, metavar="N",
                        help="also run the larger size with N processes signing ahead")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "N", "W"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, n, workers = args.child[0], int(args.child[1]), int(args.child[2])
        print(json.dumps(run_size(n, workers) if kind == "size" else baseline(n)))
        return 0
    small, large, base_n = (1_000, 10_000, 10_000) if args.quick else (10_000, 100_000, 10_000)
    print(f"dedupe bench: ~{WORDS}-word articles, {DUP_RATE:.0%} near-duplicates, "
          f"3-word shingles, MinHash 128 perms, LSH 42 bands x 3 rows; one process; "
          f"load average at start {_load()}")
    results = []
    for n in (small, large):
        r = _child("size", n)
        results.append(r)
        _print_size(r)
    a, b = results
    time_ratio = (b["sign_s"] + b["assign_s"]) / (a["sign_s"] + a["assign_s"])
    cpu_ratio = (b["sign_cpu"] + b["assign_cpu"]) / (a["sign_cpu"] + a["assign_cpu"])
    print(f"  growth x{b['n'] / a['n']:.0f} articles -> time x{time_ratio:.1f} (CPU x"
          f"{cpu_ratio:.1f}; target <= 11), "
          f"memory x{b['peak_mb'] / max(a['peak_mb'], 1):.1f}; assign+add per article "
          f"{a['assign_s'] / a['n'] * 1000:.2f} -> {b['assign_s'] / b['n'] * 1000:.2f} ms")
    print(f"  target: {large:,} articles < 60 s wall and < 500 MB: "
          f"{b['sign_s'] + b['assign_s']:.1f} s, +{b['peak_mb']:.0f} MB")
    if args.sign_workers:
        r = _child("size", large, args.sign_workers)
        print(f"  with {args.sign_workers} signing process(es) working one batch of "
              f"{SIGN_BATCH} ahead (load average now {_load()}):")
        _print_size(r)
        print(f"           wall against one process: x{b['wall_s'] / r['wall_s']:.2f} "
              f"({b['wall_s']:.1f} -> {r['wall_s']:.1f}s incl. text generation); signing "
              f"processes' CPU {r['workers_cpu']:.1f}s, peak {r['workers_peak_mb']:.0f} MB each")
    r = _child("baseline", base_n)
    print(f"  baseline on {base_n:,} articles ({r['exact_pairs']} pairs with exact Jaccard >= "
          f"{PAIR_THRESHOLD}), both from the same shingle hashes:")
    if r["sparse_s"] is not None:
        print(f"    exact all-pairs, scipy sparse product: {r['sparse_s']:.2f}s")
    print(f"    exact all-pairs, Python sets (extrapolated from 100k pairs): {r['naive_s']:.1f}s")
    print(f"    LSH: sign + query + exact check of {r['lsh_checked']:,} candidates + insert: "
          f"{r['lsh_s']:.2f}s; pairs found {r['lsh_pairs']} (recall "
          f"{r['lsh_exact_recall']:.3f}, {r['lsh_extra']} not exact)")
    if r["sparse_s"] is not None:
        print(f"    speed-up of LSH vs sparse exact: x{r['sparse_s'] / r['lsh_s']:.1f} "
              f"(target > 1); vs Python exact: x{r['naive_s'] / r['lsh_s']:.0f}")
    print(f"    incident index on the same articles: sign {r['index_sign_s']:.2f}s + "
          f"query/assign/insert {r['index_assign_s']:.2f}s; recall: its LSH candidates "
          f"{r['lsh_recall']:.3f}, same incident {r['index_recall']:.3f} "
          f"({r['lsh_candidate_pairs']} candidate pairs examined)")
    print(f"  load average at end {_load()} on {os.cpu_count()} cores (wall inflates above it)")
    return 0


def _print_size(r: dict) -> None:
    n, total = r["n"], r["sign_s"] + r["assign_s"]
    print(f"  {n:>7,} articles: sign {r['sign_s']:6.1f}s  assign+add {r['assign_s']:6.1f}s  "
          f"total {total:6.1f}s ({total / n * 1000:.2f} ms/article)  "
          f"peak +{r['peak_mb']:.0f} MB  incidents {r['incidents']:,}  duplicates flagged "
          f"{r['duplicates_flagged']:,}/{r['injected_duplicates']:,}")
    print(f"           CPU: sign {r['sign_cpu']:6.1f}s  assign+add {r['assign_cpu']:6.1f}s  "
          f"({(r['sign_cpu'] + r['assign_cpu']) / n * 1000:.2f} ms/article; process "
          f"{r.get('cpu_s', 0):.0f}s incl. text generation)")


def _load() -> str:
    """The 1/5/15-minute load averages: other work on the machine inflates wall time."""
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
