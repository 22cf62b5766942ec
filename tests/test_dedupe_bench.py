"""The dedupe bench's two claims that are not timings: signing in another process changes no
decision, and the LSH path finds the pairs the exact all-pairs product finds."""

from __future__ import annotations

from bench import dedupe


def test_signing_ahead_in_a_process_gives_the_same_decisions() -> None:
    here = dedupe.run_size(300)
    ahead = dedupe.run_size(300, sign_workers=1)
    assert ahead["sign_workers"] == 1 and ahead["workers_cpu"] > 0
    assert here["injected_duplicates"] == ahead["injected_duplicates"] > 10
    for key in ("incidents", "duplicates_flagged", "assignments_sha256"):
        assert here[key] == ahead[key]


def test_lsh_path_finds_the_exact_pairs() -> None:
    r = dedupe.baseline(300)
    assert r["exact_pairs"] > 10
    assert r["lsh_pairs"] == r["exact_pairs"] and r["lsh_exact_recall"] == 1.0
    assert r["lsh_extra"] == 0 and r["lsh_checked"] < 300 * 299 // 2 // 100
