"""Extraction speed and quality: trafilatura alone vs monitor.extraction.extract, in one run.

Both read the same pages in the same process, in alternating order over several rounds, timed
in CPU time of the process (other work on the shared machine then costs neither side); the
figure per extractor is its median round (pages per CPU-second).

  trafilatura  trafilatura.extract(html, favor_precision=True, ...): the text and nothing else
  extract      monitor.extraction.extract: text (with the default-mode retry), title, sitename,
               dates with their sources, language

Prints pages/s of each, the ratio extract/trafilatura (target >= 0.85) and token F1 of each
against a reference: a gold text where one exists (`--gold`, or the frozen barrons.com fixture,
whose body is a corpus report), else trafilatura's own output on the page (so trafilatura
scores 1.0 there and the figure says how far extract strays from it).

    python bench/extraction.py                      # the recorded pages in the repository
    python bench/extraction.py --pages DIR --gold ground-truth.json --rounds 5

`--pages` takes any folder of .html or .html.gz files (searched recursively), e.g. the 181
pages of the Zyte article-extraction benchmark with its ground-truth.json ({id: {"articleBody":
...}}, id = file name without .html.gz).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_PAGES = (ROOT / "bench" / "pages", ROOT / "demo" / "snapshot", ROOT / "tests" / "fixtures")
# bench/pages: whole recorded agency pages (30-40 kB, like the Zyte set's news pages);
# demo/snapshot and tests/fixtures: small frozen pages (1-8 kB) where fixed costs weigh more
# frozen fixtures whose article text is a corpus report: (fixture, corpus id)
FIXTURE_GOLD = {"pages/barrons_article_wrap.html": "real-7d1cd712e6"}
URL = "https://www.bench.example/news/article"


def load_pages(folders: list[Path]) -> dict[str, str]:
    """Every .html / .html.gz page under the folders, keyed by path below its folder."""
    return {key: html for key, (html, _) in load_sets(folders).items()}


def load_sets(folders: list[Path]) -> dict[str, tuple[str, str]]:
    """Page key -> (html, the folder it came from, relative to the repository if inside it)."""
    pages: dict[str, tuple[str, str]] = {}
    for folder in folders:
        name = str(folder.relative_to(ROOT)) if folder.is_relative_to(ROOT) else str(folder)
        for path in sorted(folder.rglob("*.html")) + sorted(folder.rglob("*.html.gz")):
            raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
            key = str(path.relative_to(folder)).removesuffix(".gz")
            pages[key] = (raw.decode("utf-8", errors="replace"), name)
    return pages


def load_gold(path: Path | None) -> dict[str, str]:
    """Gold article text by page key: --gold (Zyte format, by file name) plus corpus fixtures."""
    gold: dict[str, str] = {}
    if path is not None:
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            gold[f"{key}.html"] = value["articleBody"] if isinstance(value, dict) else value
    corpus = {}
    with (ROOT / "tests" / "data" / "real" / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            corpus[row["id"]] = row
    for name, corpus_id in FIXTURE_GOLD.items():
        row = corpus[corpus_id]
        # the report's text starts with its headline, which extract() moves to the title
        body = row["text"].removeprefix(row["title"]).strip()
        gold.setdefault(name, body)
    return gold


def f1(predicted: str, reference: str) -> float:
    """Bag-of-words F1 (the Zyte benchmark's measure): shared tokens over each side's count."""
    pred, ref = Counter(predicted.split()), Counter(reference.split())
    if not pred and not ref:
        return 1.0
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def run_trafilatura(html: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=URL, favor_precision=True, include_comments=False,
                               include_tables=True, deduplicate=False) or ""


def run_extract(html: str) -> str:
    from monitor import extraction

    return extraction.extract(html, URL, now=NOW)["text"]


NOW = datetime.now(UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=Path, action="append",
                        help="folder of .html/.html.gz pages (repeatable; default: the "
                             "recorded pages in bench/pages, demo/snapshot, tests/fixtures)")
    parser.add_argument("--gold", type=Path, help="ground-truth JSON {id: {articleBody}}")
    parser.add_argument("--rounds", type=int, default=9, help="timed rounds per extractor")
    args = parser.parse_args()
    sets = load_sets([p.resolve() for p in args.pages] if args.pages else list(DEFAULT_PAGES))
    pages = {key: html for key, (html, _) in sets.items()}
    if not pages:
        raise SystemExit("bench/extraction.py: no .html pages found")
    gold = load_gold(args.gold)
    runners = {"trafilatura": run_trafilatura, "extract": run_extract}
    outputs = {name: {key: run(html) for key, html in pages.items()}  # warm-up, and the texts
               for name, run in runners.items()}
    times: dict[str, list[float]] = {name: [] for name in runners}
    # per page and round, so each page set gets its own ratio (same rounds, same load)
    page_times: dict[str, dict[str, list[float]]] = {name: {k: [] for k in pages}
                                                     for name in runners}
    clock = time.process_time  # CPU time of this process: other work on the machine is not ours
    for round_number in range(args.rounds):
        order = list(runners) if round_number % 2 == 0 else list(reversed(runners))
        for name in order:
            started = clock()
            for key, html in pages.items():
                before = clock()
                runners[name](html)
                page_times[name][key].append(clock() - before)
            times[name].append(clock() - started)
    rate = {name: len(pages) / statistics.median(values) for name, values in times.items()}
    reference = {key: gold.get(key, outputs["trafilatura"][key]) for key in pages}
    scores = {name: statistics.mean(f1(out[key], reference[key]) for key in pages)
              for name, out in outputs.items()}
    gold_keys = [key for key in pages if key in gold]
    print(f"bench/extraction.py: {len(pages)} pages, {args.rounds} rounds, median round, "
          "pages per CPU-second")
    print(f"  {'extractor':<12} {'pages/s':>8} {'F1':>6} {'F1 gold':>8}")
    for name in runners:
        on_gold = (statistics.mean(f1(outputs[name][k], gold[k]) for k in gold_keys)
                   if gold_keys else float("nan"))
        print(f"  {name:<12} {rate[name]:>8.1f} {scores[name]:>6.3f} {on_gold:>8.3f}")
    print(f"  F1 against gold text on {len(gold_keys)} page(s), against trafilatura's own "
          f"output on the other {len(pages) - len(gold_keys)}")
    for folder in sorted({name for _, name in sets.values()}):
        keys = [k for k, (_, name) in sets.items() if name == folder]
        cost = {n: sum(statistics.median(page_times[n][k]) for k in keys) for n in runners}
        size = statistics.median(len(pages[k]) for k in keys) / 1000
        print(f"  {folder}: {len(keys)} pages (median {size:.0f} kB), extract/trafilatura = "
              f"{cost['trafilatura'] / cost['extract']:.2f}")
    print(f"  extract/trafilatura = {rate['extract'] / rate['trafilatura']:.2f} "
          f"(target >= 0.85); F1 extract {scores['extract']:.3f} vs trafilatura "
          f"{scores['trafilatura']:.3f} (must not drop)")


if __name__ == "__main__":
    main()
