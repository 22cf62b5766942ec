"""The MinHash signer: the same values as its plain definition (stored signatures stay
comparable), on real reports and on the text shapes the byte-level word split must get right."""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

import numpy as np
import pytest

from monitor import neardup
from monitor.neardup import minhash, minhash_of_shingles, shingle_hashes, word_hashes
from monitor.urls import normalise_text

CORPUS = Path(__file__).parent / "data" / "real" / "corpus.jsonl"
TRICKY = [
    "",
    "   ",
    "—",
    "one",
    "one two",
    "Don’t “quote” me—ever…",
    "__init__ snake_case x_y_z and ___",
    "Ésta ESTA está; STRASSE straße ǅemal ﬁnance x² ①",
    "non\u00a0breaking\u2009thin\u3000ideographic\x1cfile\x1fsep\u2028line",
    "中文字 العربية ١٢٣ Привет, мир! ¿Qué pasó? «Sí».",
    "tab\tnew\nline\r\nreturn\x0bvt\x0cff 3.5% $1,200 e-mail a/b",
]


def _reference(text: str, num_perm: int = 128, seed: int = 1) -> tuple[np.ndarray, int]:
    """The signature as first defined: normalise, split, CRC32 each word, mix 3-shingles,
    distinct values, MurmurHash3's finaliser, affine permutations mod 2**32, minimum."""
    words = normalise_text(text).split()
    wh = np.array([zlib.crc32(w.encode("utf-8")) for w in words], dtype=np.uint64)
    if not len(wh):
        wh = np.zeros(1, dtype=np.uint64)
    mask = np.uint64(0xFFFFFFFF)
    if len(wh) >= 3:
        wh = (wh[:-2] * 0x9E3779B1 + wh[1:-1] * 0x85EBCA77 + wh[2:] * 0xC2B2AE3D) & mask
    h = np.unique(wh)
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & mask
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & mask
    h ^= h >> np.uint64(16)
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**32, num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**32, num_perm, dtype=np.uint64)
    values = (np.multiply.outer(h, a) + b) & mask
    return values.min(axis=0).astype(np.uint32), len(h)


def _real_texts() -> list[str]:
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line]
    return [f"{r.get('title') or ''}\n{r.get('text') or ''}" for r in rows]


@pytest.mark.parametrize("text", TRICKY)
def test_words_are_those_of_normalise_text(text: str) -> None:
    expected = [zlib.crc32(w.encode("utf-8")) for w in normalise_text(text).split()]
    assert word_hashes(text).tolist() == expected
    assert word_hashes(text).tolist() == expected  # and again, from the warm memo


@pytest.mark.parametrize("text", TRICKY)
def test_signature_is_its_definition(text: str) -> None:
    values, size = minhash(text)
    expected, expected_size = _reference(text)
    assert values.dtype == np.uint32 and values.tolist() == expected.tolist()
    assert size == expected_size


def test_signatures_of_the_real_corpus_are_unchanged() -> None:
    """Every report of the corpus signs as the plain definition does (English and Spanish,
    curly quotes and dashes): a signature stored by an earlier version still matches."""
    texts = _real_texts()
    assert len(texts) > 1000
    for text in texts:
        values, size = minhash(text)
        expected, expected_size = _reference(text)
        assert size == expected_size and np.array_equal(values, expected), text[:80]


def test_repeated_shingles_change_nothing() -> None:
    text = "the raid at the plant the raid at the plant and the raid at the plant again"
    distinct = shingle_hashes(text)
    repeated = np.concatenate([distinct, distinct[::-1], distinct[:3]])
    values, size = minhash_of_shingles(repeated)
    assert size == len(distinct) < len(repeated)
    assert np.array_equal(values, minhash_of_shingles(distinct)[0])
    assert np.array_equal(values, minhash(text)[0])


def test_stored_signature_bytes_are_stable() -> None:
    """The bytes storage keeps for one fixed text, as every version since the format was set
    has written them (a change here orphans every stored signature)."""
    values, size = minhash("Immigration agents detained 12 workers at a meat plant in Omaha.")
    digest = hashlib.sha256(values.astype("<u4").tobytes()).hexdigest()
    assert size == 9
    assert digest == STORED_DIGEST


# written by main at 847499f, before the byte-level word split
STORED_DIGEST = "a3684350ad89530e287100892c3166c746abee6401a1de67fbd62977263c1a7c"


# -- the LSH index's sorted arrays


def _signatures(n: int, seed: int) -> list[np.ndarray]:
    """Random signatures, every 7th a near copy of an earlier one, every 25th an exact copy."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 2**32, (50, 128), dtype=np.uint64).astype(np.uint32)
    out = []
    for i in range(n):
        if i % 7 == 0:
            sig = base[i % 50].copy()
            sig[rng.integers(0, 128, 25)] = rng.integers(0, 2**32, 25, dtype=np.uint64)
        elif i % 25 == 0:
            sig = base[1]
        else:
            sig = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)
        out.append(sig)
    return out


@pytest.mark.parametrize("first_id", [1, 2**40])  # ids that fit int32, and ids that need int64
def test_merged_index_answers_as_a_plain_dict(monkeypatch: pytest.MonkeyPatch,
                                              first_id: int) -> None:
    """Many small merges (the directory moved by counts, then rebuilt when it grows a bit):
    every query, asked before its own insert, gets exactly the ids of a dict of band keys,
    and the directory's starts are where a fresh search puts them."""
    monkeypatch.setattr(neardup, "_RECENT_MIN", 2_000)
    lsh, plain = neardup.LSH(), {}
    merges = rebuilt = 0
    for pos, sig in enumerate(_signatures(1_500, seed=3)):
        doc_id = first_id + pos
        keys = neardup.band_keys(sig)
        expected = {i for key in keys.tolist() for i in plain.get(key, ())}
        assert lsh.query(sig) == expected
        bits, size = lsh._bits, len(lsh._keys)
        lsh.insert(doc_id, sig, keys)
        for key in keys.tolist():
            plain.setdefault(key, []).append(doc_id)
        if len(lsh._keys) != size:
            merges += 1
            rebuilt += lsh._bits != bits
            edges = np.arange(1 << lsh._bits, dtype=np.uint64) << lsh._shift
            assert lsh._starts[:-1].tolist() == np.searchsorted(lsh._keys, edges).tolist()
            assert lsh._starts[-1] == len(lsh._keys)
            assert np.all(lsh._keys[1:] >= lsh._keys[:-1])
    assert merges > 20 and 0 < rebuilt < merges  # both ways of placing the directory ran
    assert lsh._ids.dtype == (np.int32 if first_id == 1 else np.int64)
    # within one key, ids stay in insertion order (the order the clusterer reads them in)
    for key in np.unique(lsh._keys)[:200].tolist():
        lo = np.searchsorted(lsh._keys, key, side="left")
        hi = np.searchsorted(lsh._keys, key, side="right")
        assert lsh._ids[lo:hi].tolist() == plain[key][:hi - lo]
