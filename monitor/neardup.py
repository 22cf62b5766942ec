"""Near-duplicates and candidate generation: MinHash signatures and an array-based LSH.

Only two questions are asked of the text here: "is this a reprint of an article we hold?" and
"which held articles are worth comparing at all?". Same-story judgement is not made here (see
`monitor.similarity`): a templated agency release about a different person is a near-duplicate
in wording and a different incident.

A signature is 128 32-bit MinHash values over word 3-shingles of the normalised text (each word
hashed once with CRC32, shingles mixed in numpy, MurmurHash3's finaliser, affine permutations):
512 bytes, stable across runs, so stored signatures stay comparable. The words are those of
`normalise_text(text).split()`, found without building that text (in ASCII text by
`bytes.translate` + `split`, otherwise by one regex), each hashed by one C-level call: the
values are the same, at about half the cost.

The LSH index splits a signature into 42 bands of 3 values (a pair with Jaccard 0.5 shares a
band with probability 0.996, one with 0.1 with probability 0.04) and keeps every band key in
sorted numpy arrays. New keys wait in a small dict until it holds a sixteenth of the sorted
part, then are merged in (their positions by search, not a re-sort of everything; the
directory's starts moved by their counts): 12 bytes per band per article (uint64 key, int32 id
while ids fit), not a Python set per bucket.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zlib

import numpy as np

SHINGLE_SIZE = 3
NUM_PERM = 128
BANDS, ROWS = 42, 3
_K1, _K2, _K3 = np.uint32(0x9E3779B1), np.uint32(0x85EBCA77), np.uint32(0xC2B2AE3D)
_PRIME = np.uint64(0x9E3779B97F4A7C15)
_MAX_GATHER = 64  # widest directory bucket read in one gather
_RECENT_MIN = 50_000  # band keys held in the recent dict before the first merge
_INT32 = np.iinfo(np.int32)


# `normalise_text(text).split()` is the runs of word characters other than "_" in the
# NFKC-casefolded text (`normalise_text` turns everything else into a space). In ASCII text
# they are found in its bytes: every byte that is not a letter or digit becomes a space and
# `bytes.split` cuts there (twice as fast as the regex); other text goes through the regex
_ASCII_SEPARATORS = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))
_WORD = re.compile(r"[^\W_]+")


def word_hashes(text: str) -> np.ndarray:
    """CRC32 (of the UTF-8) of each word of `normalise_text(text)`, in order: one C-level
    call per word (a memo of the words' hashes was slower than hashing them again)."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    if folded.isascii():
        words = folded.encode("ascii").translate(_ASCII_SEPARATORS).split()
        return np.fromiter(map(zlib.crc32, words), np.uint32, len(words))
    words = _WORD.findall(folded)
    return np.fromiter(map(zlib.crc32, map(str.encode, words)), np.uint32, len(words))


def _shingles(text: str, size: int) -> np.ndarray:
    """32-bit hashes of the word shingles, with repeats (single words for very short texts)."""
    wh = word_hashes(text)
    if not len(wh):
        return np.zeros(1, dtype=np.uint32)
    if len(wh) < size:
        return wh
    with np.errstate(over="ignore"):
        mixed = wh[:-2] * _K1
        mixed += wh[1:-1] * _K2
        mixed += wh[2:] * _K3
    return mixed


def shingle_hashes(text: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """Distinct 32-bit hashes of the word 3-shingles (single words for very short texts)."""
    return np.unique(_shingles(text, size))


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, in place (a bijection: distinct inputs stay distinct)."""
    with np.errstate(over="ignore"):
        hv ^= hv >> np.uint32(16)
        hv *= np.uint32(0x85EBCA6B)
        hv ^= hv >> np.uint32(13)
        hv *= np.uint32(0xC2B2AE35)
        hv ^= hv >> np.uint32(16)
        return hv


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**32, num_perm, dtype=np.uint64).astype(np.uint32) | np.uint32(1)
    b = rng.integers(0, 2**32, num_perm, dtype=np.uint64).astype(np.uint32)
    return a, b


def minhash_of_shingles(hashes: np.ndarray, num_perm: int = NUM_PERM,
                        seed: int = 1) -> tuple[np.ndarray, int]:
    """(MinHash values, number of distinct shingles) of shingle hashes (repeats allowed: a
    repeat changes no minimum, so the values need no `np.unique`, only the count does)."""
    hashes = np.sort(hashes)
    distinct = 1 + int(np.count_nonzero(hashes[1:] != hashes[:-1])) if len(hashes) else 0
    _fmix32(hashes)
    a, b = _permutations(num_perm, seed)
    # integer arrays wrap silently (mod 2**32); in place, one temporary, one row a permutation
    # (the minimum of each row is read along contiguous memory)
    values = np.multiply.outer(a, hashes)
    values += b[:, None]
    return values.min(axis=1), distinct


def minhash(text: str, num_perm: int = NUM_PERM, seed: int = 1) -> tuple[np.ndarray, int]:
    """(MinHash values, number of distinct shingles) of a text."""
    return minhash_of_shingles(_shingles(text, SHINGLE_SIZE), num_perm, seed)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def containment(jaccard_estimate: float, size_a: int, size_b: int) -> float:
    """Share of the smaller text found in the other: a trimmed syndicated copy has a Jaccard near
    0.7 with its original but a containment near 0.9, and containment is what "reprint" means."""
    if not size_a or not size_b:
        return jaccard_estimate
    overlap = jaccard_estimate / (1 + jaccard_estimate) * (size_a + size_b)
    return min(1.0, overlap / min(size_a, size_b))


def band_keys(signature: np.ndarray) -> np.ndarray:
    """One 64-bit key per band (the band number mixed in, so one sorted array serves all)."""
    bands = signature[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
    with np.errstate(over="ignore"):
        keys = bands[:, 0] * _PRIME
        for r in range(1, ROWS):
            keys = (keys ^ bands[:, r]) * _PRIME
        return keys ^ np.arange(BANDS, dtype=np.uint64)


class LSH:
    """Band-key index over signatures: insert, query, remove (lazily)."""

    def __init__(self) -> None:
        self._keys = np.zeros(0, dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int32)  # int64 once an id needs it
        self._recent: dict[int, list[int]] = {}
        self._recent_size = 0
        self._removed: set[int] = set()
        # directory over the sorted keys by their top bits (about 4 keys a bucket): a query
        # reads its 42 buckets in one gather instead of 42 binary searches through megabytes
        self._bits = 0
        self._shift = np.uint64(64)
        self._starts = np.zeros(2, dtype=np.int64)

    def insert(self, doc_id: int, signature: np.ndarray, keys: np.ndarray | None = None) -> None:
        """Index a signature (`keys`: its `band_keys`, when the caller has them already)."""
        self._removed.discard(doc_id)
        for key in (band_keys(signature) if keys is None else keys).tolist():
            self._recent.setdefault(key, []).append(doc_id)
        self._recent_size += BANDS
        # a sixteenth: the dict costs ~150 bytes a key against 12 sorted, and a merge copies
        # the sorted part, so merging every N/16 keeps the total copying linear in N
        if self._recent_size > max(_RECENT_MIN, len(self._keys) // 16):
            self._compact()

    def _compact(self) -> None:
        """Merge the recent keys into the sorted arrays (after equal keys: insertion order)."""
        keys = np.fromiter((k for k, ids in self._recent.items() for _ in ids), dtype=np.uint64,
                           count=self._recent_size)
        ids = np.fromiter((i for v in self._recent.values() for i in v), dtype=np.int64,
                          count=self._recent_size)
        self._recent, self._recent_size = {}, 0
        order = np.argsort(keys, kind="stable")
        keys, ids = keys[order], ids[order]
        at = np.searchsorted(self._keys, keys, side="right")
        at += np.arange(len(keys))  # final positions of the new keys
        old = np.ones(len(self._keys) + len(keys), dtype=bool)
        old[at] = False
        merged = np.empty(len(old), dtype=np.uint64)
        merged[at], merged[old] = keys, self._keys
        wide = self._ids.dtype == np.int64 or (len(ids) and not (
            _INT32.min <= ids.min() and ids.max() <= _INT32.max))
        merged_ids = np.empty(len(old), dtype=np.int64 if wide else np.int32)
        merged_ids[at], merged_ids[old] = ids, self._ids
        self._keys, self._ids = merged, merged_ids
        bits = max(10, int(np.ceil(np.log2(max(len(merged), 1) / 4))))
        if bits == self._bits:  # the same buckets: each start moves by the new keys before it
            counts = np.bincount((keys >> self._shift).astype(np.intp), minlength=1 << bits)
            self._starts[1:] += np.cumsum(counts)
        else:  # each bucket's first position, found by search: no temporary as large as the keys
            self._bits, self._shift = bits, np.uint64(64 - bits)
            edges = np.arange(1 << bits, dtype=np.uint64) << self._shift
            self._starts = np.append(np.searchsorted(self._keys, edges), len(self._keys))

    def query(self, signature: np.ndarray, keys: np.ndarray | None = None) -> set[int]:
        """Ids sharing at least one band with the signature."""
        keys = band_keys(signature) if keys is None else keys
        found: set[int] = set()
        if len(self._keys):
            bucket = (keys >> self._shift).astype(np.intp)
            lo, hi = self._starts[bucket], self._starts[bucket + 1]
            width = int((hi - lo).max())
            if width <= _MAX_GATHER:  # (many copies of one text share a bucket: search those)
                at = lo[:, None] + np.arange(width)
                inside = at < hi[:, None]
                np.minimum(at, len(self._keys) - 1, out=at)
                match = inside & (self._keys[at] == keys[:, None])
                found.update(self._ids[at[match]].tolist())  # band by band, in stored order
            else:
                left = np.searchsorted(self._keys, keys, "left")
                right = np.searchsorted(self._keys, keys, "right")
                hit = right > left
                for start, stop in zip(left[hit].tolist(), right[hit].tolist(), strict=True):
                    found.update(self._ids[start:stop].tolist())
        for key in keys.tolist():
            found.update(self._recent.get(key, ()))
        return found - self._removed if self._removed else found

    def remove(self, doc_id: int) -> None:
        self._removed.add(doc_id)
