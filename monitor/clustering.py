"""Streaming same-story clustering: each new article joins the incident it most resembles.

For every new article (in publication order, one at a time):

1. **sign** it: a MinHash over word shingles (`monitor.neardup`) and its feature spaces
   (`monitor.similarity.features_of`: lemma TF-IDF, names, places of the event, figures, dates,
   agencies, type);
2. **find candidates**: incidents holding an LSH neighbour (any age: a reprint is a reprint),
   plus incidents sharing a blocking key (a name, a specific place, a figure's magnitude, an
   event date, a strong lemma) within `horizon_days`; keys shared by more than `MAX_BLOCK`
   incidents are not discriminating and are skipped;
3. **score** each candidate: its centroid against the article, one learned probability
   (`monitor.similarity.SimilarityModel`, trained by `monitor.cluster_training`);
4. **decide**: the best candidate at or above the model's threshold wins (a reprint,
   Jaccard >= 0.9, wins regardless); nothing passes -> a new incident. An article joining more
   than `follow_up_days` after the incident's last article is a **follow-up** (lawsuit, ruling,
   release, inspector-general report): same incident, role `follow_up`.

Everything that decided it is returned in `Assignment.reason`: probability, threshold, the
features that contributed most, the shared values. Incidents quiet for longer than the horizon
are closed (their centroid and members' features dropped), so memory follows the recent window.
"""

from __future__ import annotations

import functools
import json
import math
import struct
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from monitor.neardup import LSH, band_keys, containment, jaccard, minhash
from monitor.similarity import (
    ArticleFeatures,
    Centroid,
    SimilarityModel,
    cosine,
    default_model,
    features_of,
    follow_up_cues,
    gap_days,
    new_development_cues,
    pair_features,
    parse_time,
    shared_evidence,
)

SIGNATURE_MAGIC = b"IXS2"
MAX_FULLY_SCORED = 8  # of those, scored in full (member cosines), closest centroid first
MAX_SCORED = 20  # incidents found through blocking keys that are scored, most keys first
MAX_BLOCK = 50  # a blocking key shared by more incidents in the window says nothing
TOP_TERM_KEYS = 6
MAX_MEMBERS_COMPARED = 20  # the latest members; a big incident's centroid speaks for the rest
HORIZON_DAYS = 180
FOLLOW_UP_DAYS = 14
REPRINT_JACCARD = 0.9
DUPLICATE_JACCARD, DUPLICATE_CONTAINMENT = 0.5, 0.8
UNDATED_WEEK = -1


@dataclass
class Doc:
    """One article as the clusterer sees it (facts in the monitor.facts format)."""

    id: int
    title: str
    text: str
    language: str = "en"
    published: str | None = None  # ISO 8601
    incident_type: str | None = None
    facts: Mapping[str, list[dict]] = field(default_factory=dict)


def publication_order(doc: Doc) -> tuple[str, int]:
    """The order a batch is assigned in: as its stories were published, undated first.

    Streaming assignment depends on arrival order. The batch helper, training and the quality
    bench use this one order, the one the shipped model was trained and calibrated in. The
    pipeline's `incidents.story_order` puts undated reports last instead (measured on the
    corpus: test P 0.952 R 0.752, dev 0.867 / 0.703, against 0.941 / 0.714 and 0.853 / 0.782
    here); making the two one order needs a retrain and a re-check of the stage's tests.
    """
    return (doc.published or "", doc.id)


@dataclass
class Signature:
    """What the index keeps per article; `to_bytes` is what storage persists."""

    doc_id: int
    minhash: np.ndarray
    size: int
    features: ArticleFeatures

    @property
    def published(self) -> str | None:
        return self.features.published

    @functools.cached_property
    def band_keys(self) -> np.ndarray:
        """The LSH band keys, computed once for the query and the insert."""
        return band_keys(self.minhash)

    @functools.cached_property
    def blocking_keys(self) -> frozenset[str]:
        """`blocking_keys` of the features, computed once for the query and the attach."""
        return frozenset(blocking_keys(self.features))

    def to_bytes(self) -> bytes:
        """Magic, MinHash length, little-endian uint32 MinHash, then the features as JSON."""
        mh = self.minhash.astype("<u4").tobytes()
        meta = {"doc_id": self.doc_id, "size": self.size, "features": self.features.to_json()}
        body = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return SIGNATURE_MAGIC + struct.pack("<I", len(mh)) + mh + body

    @classmethod
    def from_bytes(cls, blob: bytes) -> Signature:
        if blob[:4] != SIGNATURE_MAGIC:
            raise ValueError("not a current incident signature (re-cluster to rebuild it)")
        (length,) = struct.unpack_from("<I", blob, 4)
        values = np.frombuffer(blob[8:8 + length], dtype="<u4").astype(np.uint32)
        meta = json.loads(blob[8 + length:].decode("utf-8"))
        return cls(meta["doc_id"], values, meta.get("size", 0),
                   ArticleFeatures.from_json(meta["features"]))


@dataclass
class Assignment:
    """Where an article goes and why. incident_id None means "start a new incident"."""

    incident_id: int | None
    reason: dict
    duplicate_of: int | None
    signature: Signature
    role: str = "report"


@dataclass
class _Incident:
    centroid: Centroid = field(default_factory=Centroid)
    doc_ids: list[int] = field(default_factory=list)
    # one member whose term vector is the centroid's, value for value: its member cosine is the
    # centroid cosine the shortlist computed (most incidents are one article)
    solo: bool = False

    def check_solo(self, member: ArticleFeatures | None) -> None:
        terms = self.centroid.terms
        self.solo = bool(member is not None and len(self.doc_ids) == 1
                         and np.array_equal(terms[0], member.terms[0])
                         and np.array_equal(terms[1], member.terms[1]))


@dataclass
class _Judged:
    """One candidate as the decision sees it (`IncidentIndex._explain` makes it a reason)."""

    incident_id: int
    feats: dict[str, float | None]
    similarity: float  # the probability, rounded as the reason shows it (decisions compare this)
    needed: float
    joined: bool
    best_doc: int | None
    best_j: float
    jaccard: float  # best_j rounded as the reason shows it
    member_similarity: float | None = None


def _figure_bucket(value: float) -> int:
    return int(math.floor(math.log(max(value, 1.0)) / math.log(1.3)))


def blocking_keys(f: ArticleFeatures) -> set[str]:
    """What a same-story article (in either language) is likely to share with its incident."""
    keys = {f"n:{n}" for n in f.names} | {f"p:{p}" for p in f.places}
    keys |= {f"d:{d}" for d in f.dates}
    for value, _ in f.figures:
        if value >= 10:
            keys.add(f"f:{_figure_bucket(value)}")
    if len(f.terms[0]):
        strongest = np.argsort(f.terms[1])[-TOP_TERM_KEYS:]
        keys |= {f"t:{int(t)}" for t in f.terms[0][strongest]}
    return keys


def _query_keys(f: ArticleFeatures) -> set[str]:
    keys = blocking_keys(f)
    for value, _ in f.figures:  # a figure near a bucket edge ("6,000" vs "6,252")
        if value >= 10:
            bucket = _figure_bucket(value)
            keys |= {f"f:{bucket - 1}", f"f:{bucket + 1}"}
    return keys


class IncidentIndex:
    """Incremental incident assignment: sign, assign, add; restore from stored signatures.

    Per new article::

        sig = index.signature(doc)
        a = index.assign(doc, sig)
        incident_id = a.incident_id or storage.create_incident(...)
        index.add(incident_id, doc, sig)          # and persist sig.to_bytes(), a.reason
    """

    def __init__(self, *, model: SimilarityModel | None = None, threshold: float | None = None,
                 follow_up_threshold: float | None = None,
                 member_threshold: float | None = None,
                 horizon_days: int = HORIZON_DAYS, follow_up_days: int = FOLLOW_UP_DAYS) -> None:
        self.model = model or default_model()
        self.threshold = self.model.threshold if threshold is None else float(threshold)
        # a join after the incident has been quiet for weeks, and the match with the single
        # closest member, each need their own (calibrated) bar: see docs/clustering.md
        self.follow_up_threshold = (self.model.follow_up_threshold if follow_up_threshold is None
                                    else float(follow_up_threshold))
        self.member_threshold = (self.model.member_threshold if member_threshold is None
                                 else float(member_threshold))
        self.horizon_days = horizon_days
        self.follow_up_days = follow_up_days
        self.lsh = LSH()
        self.signatures: dict[int, Signature] = {}  # members of open incidents only
        self.incident_of: dict[int, int] = {}
        self.incidents: dict[int, _Incident] = {}
        self.postings: dict[str, dict[int, set[int]]] = defaultdict(dict)
        self._week_keys: dict[int, set[str]] = defaultdict(set)  # week -> keys posted in it
        self.latest: datetime | None = None
        self._adds = 0

    # -- signatures
    def signature(self, doc: Doc) -> Signature:
        """Sign one article: MinHash of title + text shingles and its feature spaces."""
        values, size = minhash(f"{doc.title}\n{doc.text}")
        features = features_of(doc.title, doc.text, doc.language, doc.published,
                               doc.incident_type, doc.facts or {}, self.model.idf)
        return Signature(doc.id, values, size, features)

    # -- state changes
    def add(self, incident_id: int, doc: Doc | None, signature: Signature | None = None) -> None:
        """Record that an article belongs to an incident (after `assign` or an operator's move)."""
        if signature is None:
            if doc is None:
                raise ValueError("need a doc or a signature")
            signature = self.signature(doc)
        if signature.doc_id in self.incident_of:
            self.remove(signature.doc_id)
        self.signatures[signature.doc_id] = signature
        self.incident_of[signature.doc_id] = incident_id
        self.lsh.insert(signature.doc_id, signature.minhash, signature.band_keys)
        self._attach(incident_id, signature)
        # the keys were needed for this article's query and insert only: not kept per member
        signature.__dict__.pop("band_keys", None)
        signature.__dict__.pop("blocking_keys", None)
        self._adds += 1
        if self._adds % 2000 == 0:
            self._close_quiet_incidents()

    def _week(self, when: datetime | None) -> int:
        return when.toordinal() // 7 if when else UNDATED_WEEK

    def _attach(self, incident_id: int, signature: Signature) -> None:
        inc = self.incidents.setdefault(incident_id, _Incident())
        inc.centroid.add(signature.features)
        inc.doc_ids.append(signature.doc_id)
        inc.check_solo(signature.features)
        when = parse_time(signature.published)
        if when and (self.latest is None or when > self.latest):
            self.latest = when
        week = self._week(when)
        for key in signature.blocking_keys:
            self.postings[key].setdefault(week, set()).add(incident_id)
        self._week_keys[week].update(signature.blocking_keys)

    def _detach(self, incident_id: int, doc_id: int) -> None:
        inc = self.incidents.get(incident_id)
        signature = self.signatures.get(doc_id)
        if inc is None or signature is None:
            return
        inc.doc_ids.remove(doc_id)
        if not inc.doc_ids:
            del self.incidents[incident_id]
            return
        inc.centroid = Centroid()
        for member in inc.doc_ids:  # rebuilt, so the span and figures are exact again
            inc.centroid.add(self.signatures[member].features)
        inc.check_solo(self.signatures[inc.doc_ids[0]].features)

    def remove(self, doc_id: int) -> None:
        """Forget an article (operator split/move); its incident's centroid is rebuilt."""
        incident_id = self.incident_of.pop(doc_id)
        self._detach(incident_id, doc_id)
        self.signatures.pop(doc_id, None)
        self.lsh.remove(doc_id)

    def merge(self, keep: int, drop: int) -> None:
        """Operator merge: every article of `drop` now belongs to `keep`."""
        for doc_id in [d for d, i in self.incident_of.items() if i == drop]:
            self.move(doc_id, keep)

    def absorb(self, keep: int, drop: int) -> None:
        """The merge pass's merge (`monitor.incident_merge`): `drop`'s members join `keep`'s
        centroid in one go (an operator merge moves them one by one, rebuilding each time)."""
        inc = self.incidents.pop(drop, None)
        if inc is None or keep == drop:
            return
        for doc_id in inc.doc_ids:
            self.incident_of[doc_id] = keep
            signature = self.signatures.get(doc_id)
            if signature is not None:
                self._attach(keep, signature)

    def move(self, doc_id: int, incident_id: int) -> None:
        """Operator split: put one article into another (possibly new) incident."""
        signature = self.signatures.get(doc_id)
        old = self.incident_of[doc_id]
        self._detach(old, doc_id)
        self.incident_of[doc_id] = incident_id
        if signature is not None:
            self._attach(incident_id, signature)

    def _close_quiet_incidents(self) -> None:
        """Drop incidents whose last article is older than the horizon (and their postings)."""
        if self.latest is None:
            return
        cutoff = self.latest.toordinal() - self.horizon_days
        for incident_id in [i for i, inc in self.incidents.items()
                            if inc.centroid.last and inc.centroid.last.toordinal() < cutoff]:
            for doc_id in self.incidents.pop(incident_id).doc_ids:
                self.signatures.pop(doc_id, None)
        oldest_week = cutoff // 7 - 1
        # only the keys posted in the expired weeks are visited, not every key in the window
        for week in [w for w in self._week_keys if UNDATED_WEEK < w < oldest_week]:
            for key in self._week_keys.pop(week):
                weeks = self.postings.get(key)
                if weeks is not None:
                    weeks.pop(week, None)
                    if not weeks:
                        del self.postings[key]

    @classmethod
    def restore(cls, rows: Iterable[tuple[int, bytes] | Mapping], **kwargs) -> IncidentIndex:
        """Rebuild from stored `(incident_id, signature_bytes)` rows (or dicts with those keys).

        Rows should come in the order the articles were first assigned. Signatures written by
        the former rule engine (another format) are skipped: those articles keep their
        incident, they are only not candidates for new articles.
        """
        index = cls(**kwargs)
        for row in rows:
            incident_id, blob = ((row["incident_id"], row["signature"])
                                 if isinstance(row, Mapping) else row)
            try:
                signature = Signature.from_bytes(bytes(blob))
            except ValueError:
                continue
            index.add(int(incident_id), None, signature)
        return index

    # -- queries
    def _candidates(self, signature: Signature) -> tuple[set[int], dict[int, float]]:
        """Candidate incidents, and the LSH neighbours with their estimated Jaccard.

        Every incident holding an LSH neighbour is a candidate; of those found through blocking
        keys, the `MAX_SCORED` sharing the most keys are, so the cost of an article does not
        grow with the archive.
        """
        neighbours: dict[int, float] = {}
        found: set[int] = set()
        for doc_id in self.lsh.query(signature.minhash, signature.band_keys):
            other = self.signatures.get(doc_id)
            if other is not None and doc_id != signature.doc_id:
                neighbours[doc_id] = jaccard(signature.minhash, other.minhash)
                found.add(self.incident_of[doc_id])
        when = parse_time(signature.published)
        span = self.horizon_days // 7 + 1
        week = self._week(when)
        low, high = week - span, week + span
        hits: Counter = Counter()
        # sorted: a set of strings iterates in an order that changes with the interpreter's
        # hash seed, and the order decides most_common's ties, so runs would differ
        for key in sorted(_query_keys(signature.features)):
            buckets = self.postings.get(key)
            if not buckets:
                continue
            if when is None:
                weeks = list(buckets.values())
            else:
                # the window's weeks in ascending order (the order decides most_common's ties);
                # a key is mostly in a few weeks, so filter those rather than probe all 53
                if len(buckets) <= high - low:
                    weeks = [buckets[w] for w in sorted(w for w in buckets if low <= w <= high)]
                else:
                    weeks = [buckets[w] for w in range(low, high + 1) if w in buckets]
                if UNDATED_WEEK in buckets:
                    weeks.append(buckets[UNDATED_WEEK])
            if sum(len(w) for w in weeks) <= MAX_BLOCK:
                for ids in weeks:
                    hits.update(ids)
        found.update(i for i, _ in hits.most_common(MAX_SCORED))
        return {i for i in found if i in self.incidents}, neighbours

    def _shortlist(self, signature: Signature, candidates: set[int],
                   neighbours: Mapping[int, float]) -> tuple[list[int], dict[int, float]]:
        """The candidates worth a full score: every incident of an LSH neighbour, and the
        `MAX_FULLY_SCORED` closest by centroid cosine (cheap: one sparse dot product each);
        and those cosines, which `score` reuses."""
        near = {self.incident_of[d] for d in neighbours}
        terms = signature.features.terms
        centroids = {i: self.incidents[i].centroid for i in candidates if i not in near}
        if len(centroids) <= MAX_FULLY_SCORED:  # all of them are scored: no ranking needed
            return sorted(near & candidates | set(centroids)), {}
        cosines = {i: cosine(terms, c.terms, c.norm) for i, c in centroids.items()}
        rest = sorted(cosines, key=lambda i: -cosines[i])
        return sorted(near & candidates | set(rest[:MAX_FULLY_SCORED])), cosines

    def score(self, signature: Signature, incident_id: int,
              neighbours: Mapping[int, float] | None = None,
              centroid_cosine: float | None = None) -> dict:
        """The explainable comparison of one signed article with one incident's centroid
        (`centroid_cosine`: its lemma cosine with the centroid, when already computed)."""
        return self._explain(signature, self._judge(signature, incident_id, neighbours,
                                                    centroid_cosine))

    def _judge(self, signature: Signature, incident_id: int,
               neighbours: Mapping[int, float] | None,
               centroid_cosine: float | None) -> _Judged:
        """What the decision needs of one candidate: its probability against the bar(s)."""
        inc = self.incidents[incident_id]
        if neighbours is None:
            neighbours = {d: jaccard(signature.minhash, self.signatures[d].minhash)
                          for d in inc.doc_ids if d in self.signatures}
        best_doc, best_j = None, 0.0
        for doc_id in inc.doc_ids:
            j = neighbours.get(doc_id, 0.0)
            if j > best_j:
                best_doc, best_j = doc_id, j
        terms = signature.features.terms
        if inc.solo and inc.doc_ids[0] in self.signatures:
            if centroid_cosine is None:
                centroid_cosine = cosine(terms, inc.centroid.terms, inc.centroid.norm)
            members = [(centroid_cosine, inc.doc_ids[0])]
        else:
            members = [(cosine(terms, self.signatures[d].features.terms), d)
                       for d in inc.doc_ids[-MAX_MEMBERS_COMPARED:] if d in self.signatures]
        member_cosine, closest_member = max(members, default=(0.0, None))
        feats = pair_features(signature.features, inc.centroid, best_j, member_cosine)
        probability = self.model.probability(feats)
        when = parse_time(signature.published)
        gap = gap_days(when, inc.centroid)
        late = bool(gap is not None and inc.centroid.last and when > inc.centroid.last
                    and gap > self.follow_up_days)
        needed = self.follow_up_threshold if late else self.threshold
        judged = _Judged(incident_id, feats, round(probability, 4), needed,
                         probability >= needed, best_doc, best_j, round(best_j, 3))
        if judged.joined and best_j < REPRINT_JACCARD and closest_member is not None and (
                inc.centroid.size > 1 and self.member_threshold > 0):
            # the centroid of a big incident is broad; the article must also read as the same
            # story as its single closest member (two raids in a month share the centroid's
            # words, not one report's place and figures)
            single = Centroid()
            single.add(self.signatures[closest_member].features)
            member_p = self.model.probability(pair_features(
                signature.features, single, neighbours.get(closest_member, 0.0), member_cosine))
            judged.member_similarity = round(member_p, 4)
            judged.joined = member_p >= self.member_threshold
        return judged

    def _explain(self, signature: Signature, judged: _Judged) -> dict:
        """The reason of one judged candidate (built only for those a decision shows)."""
        inc = self.incidents[judged.incident_id]
        _, contributions = self.model.score(judged.feats)
        contained = 0.0
        if judged.best_doc is not None:
            contained = containment(judged.best_j, signature.size,
                                    self.signatures[judged.best_doc].size)
        reason = {
            "incident_id": judged.incident_id, "similarity": judged.similarity,
            "threshold": judged.needed, "joined": judged.joined,
            "contributions": contributions[:6], "jaccard": judged.jaccard,
            "containment": round(contained, 3), "closest_article": judged.best_doc,
            "shared": shared_evidence(signature.features, inc.centroid),
        }
        if judged.member_similarity is not None:
            reason["member_similarity"] = judged.member_similarity
            reason["member_threshold"] = self.member_threshold
        return reason

    def assign(self, doc: Doc, signature: Signature | None = None) -> Assignment:
        """Pick the incident for a new article (not added yet: call `add` with the result)."""
        signature = signature or self.signature(doc)
        candidates, neighbours = self._candidates(signature)
        shortlist, cosines = self._shortlist(signature, candidates, neighbours)
        # every candidate is judged; only the one the decision shows is explained
        judged = [self._judge(signature, i, neighbours, cosines.get(i)) for i in shortlist]
        reprints = [j for j in judged if j.jaccard >= REPRINT_JACCARD]
        joined = reprints or [j for j in judged if j.joined]
        if not joined:
            reason: dict = {"decision": "new incident", "candidates": len(judged),
                            "threshold": self.threshold}
            if judged:
                reason["closest"] = self._explain(
                    signature, max(judged, key=lambda j: j.similarity))
            return Assignment(None, reason, None, signature)
        best = dict(self._explain(signature, max(
            joined, key=lambda j: (j.jaccard >= REPRINT_JACCARD, j.similarity))),
            candidates=len(judged))
        duplicate = best["jaccard"] >= REPRINT_JACCARD or (
            best["jaccard"] >= DUPLICATE_JACCARD and best["containment"] >= DUPLICATE_CONTAINMENT)
        duplicate_of = best["closest_article"] if duplicate else None
        role = "report"
        centroid = self.incidents[best["incident_id"]].centroid
        gap = gap_days(parse_time(signature.published), centroid)
        when = parse_time(signature.published)
        late = bool(gap is not None and centroid.last and when > centroid.last
                    and gap > self.follow_up_days)
        after_first = (when - centroid.first).total_seconds() / 86400.0 if (
            when and centroid.first) else None
        # a dated report only: on dev, undated headline cues marked 10 more follow-ups, 4 right
        cued = bool(after_first is not None and after_first >= follow_up_cues()[1]
                    and new_development_cues(signature.features, centroid))
        if duplicate_of is None and (late or cued):
            role = "follow_up"
            best["follow_up_by"] = "time gap" if late else "headline cue"
        best["decision"] = ("near-duplicate" if duplicate_of is not None
                            else "follow-up" if role == "follow_up" else "same story")
        best["role"] = role
        return Assignment(best["incident_id"], best, duplicate_of, signature, role)

    def assignments(self) -> dict[int, int]:
        """doc id -> incident id, for evaluation and for checking a restore."""
        return dict(self.incident_of)


def pairwise_scores(labels: Mapping[int, str], predicted: Mapping[int, int],
                    only: Iterable[tuple[int, int]] | None = None) -> dict[str, float]:
    """Pairwise precision/recall/F1 over all pairs of articles (or the pairs in `only`)."""
    ids = sorted(labels)
    pairs = only if only is not None else (
        (a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    tp = fp = fn = n = 0
    for a, b in pairs:
        n += 1
        same_true = labels[a] == labels[b]
        same_pred = predicted.get(a) == predicted.get(b)
        tp += same_true and same_pred
        fp += same_pred and not same_true
        fn += same_true and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "pairs": n}
