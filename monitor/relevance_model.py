"""The learned layer over the rule scorer: linear models whose every decision names its features.

Rules (`taxonomy.toml`) fit the sentences they were written against; on real reports they let
through job fairs, fee rules and police drug raids and confused raid/arrest/ruling. A logistic
regression over the rules' own signals plus lemmatised words, trained on the real corpus's
`dev` split (`tests/data/real/`), corrects that while staying explainable: a linear model's
decision is the sum of `weight x value` per feature, so the top terms are the explanation.

The model is plain JSON (`monitor/data/relevance_model.json`): no pickle, no download, readable
in a diff. Only training (`monitor.relevance_training`) needs scikit-learn; scoring here needs
nothing beyond the standard library and simplemma, and reproduces scikit-learn's TF-IDF
(`sublinear_tf`, smoothed idf, l2 norm) exactly.
"""

from __future__ import annotations

import heapq
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import simplemma

from monitor.textfold import fold

DEFAULT_MODEL = Path(__file__).with_name("data") / "relevance_model.json"
WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")
# Short function words carry no evidence and make the explanation noisy.
STOPWORDS = frozenset(
    "a an and are as at be been but by de del el en es for from has have he her his in is it its "
    "la las lo los of on or que se she so than that the their them they this to un una was were "
    "which who will with y al con para por su sus".split()
)
MAX_TOKENS = 4000  # an article's first ~4,000 words decide; a 50,000-word page costs no more
CHAR_SIZES = (3, 4, 5)
BLOCK_SOURCES = ("body", "title", "chars")  # the TF-IDF blocks, in column order


@dataclass(frozen=True)
class Prediction:
    """The model's verdict and the features that made it, strongest first."""

    probability: float
    incident_type: str | None
    type_probability: float
    contributions: tuple[tuple[str, float], ...]


def lemmas(text: str, language: str) -> list[str]:
    """Folded, lemmatised content words (English and Spanish lemmas, offline)."""
    langs = ("es", "en") if language == "es" else ("en", "es")
    out = []
    for word in WORD.findall(fold(text))[:MAX_TOKENS]:
        if word in STOPWORDS or len(word) < 2:
            continue
        out.append(word if word.isdigit() else _lemma(word, langs))
    return out


@lru_cache(maxsize=65536)
def _lemma(word: str, langs: tuple[str, ...]) -> str:
    """simplemma's lemma, cached: news vocabulary repeats, and each lookup costs microseconds.

    `low_memory` keeps the English and Spanish dictionaries compressed (a judging process peaks
    at ~48 MB instead of ~159 MB): the same lemma for every word of the corpus, about twice the
    cost per uncached lookup, which the cache makes rare.
    """
    return simplemma.lemmatize(word, lang=langs, low_memory=True).lower()


def word_features(text: str, language: str) -> list[str]:
    """The body's lemmas, counted by the first TF-IDF block."""
    return lemmas(text, language)


def title_features(title: str, language: str) -> list[str]:
    """The headline's lemmas: a block of its own, so a short headline is not drowned out."""
    return lemmas(title, language)


def char_features(title: str, text: str) -> list[str]:
    """3- to 5-letter pieces of each folded word (" redad", "deport"): they carry a stem across
    English and Spanish and across inflections the lemmatiser does not know."""
    out = []
    for word in WORD.findall(fold(f"{title} {text}"))[:MAX_TOKENS]:
        out.extend(_pieces(word))
    return out


def _pieces(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i:i + n] for n in CHAR_SIZES for i in range(max(len(padded) - n + 1, 1))]


def rule_features(matches: list[dict]) -> dict[str, float]:
    """The rule scorer's evidence as model inputs (names are stable across taxonomy edits)."""
    feats: dict[str, float] = {}
    score = 0.0
    for m in matches:
        rule, weight = m["rule"], float(m.get("weight") or 0.0)
        score += weight
        if rule == "agency":
            name = f"rule:agency:{m['term']}"
        elif rule.startswith("incident:"):
            name = f"rule:{rule}"
            if m.get("field") == "title":
                feats[f"rule:title_{rule}"] = 1.0
        elif rule.startswith(("negative:", "cooccurrence:")) or rule in ("government", "context"):
            name = f"rule:{rule}"
        else:
            continue
        feats[name] = feats.get(name, 0.0) + (abs(weight) if weight else 1.0)
    # squash: a tenth term in one family adds little over the third
    feats = {k: math.log1p(v) for k, v in feats.items()}
    feats["rule:score"] = max(min(score / 10.0, 2.0), -2.0)
    return feats


class RelevanceModel:
    """A trained model file: TF-IDF vocabulary, the relevance and the type classifier."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.threshold = float(data["threshold"])
        self.blocks = [(b.get("source", BLOCK_SOURCES[n]), b["vocabulary"], b["idf"], b["offset"],
                        float(b.get("scale", 1.0))) for n, b in enumerate(data["blocks"])]
        self.rule_offset = int(data["rule_offset"])
        self.rule_scale = float(data["rule_scale"])
        self.names: list[str] = data["feature_names"]
        self.index = {name: i for i, name in enumerate(self.names)}
        rel = data["relevance"]
        self.rel_intercept = float(rel["intercept"])
        self.rel_coef: list[float] = rel["coef"]
        types = data["types"]
        self.classes: list[str] = types["classes"]
        self.type_intercept: list[float] = types["intercept"]
        self.type_coef: list[list[float]] = types["coef"]  # one row per class
        # (block, languages) -> word -> the columns one occurrence of it counts towards
        self._word_columns: dict[tuple[int, tuple[str, ...]], dict[str, tuple[int, ...]]] = {}
        self._type_matrix: Any = None  # type_coef as a numpy array, built on first use

    def vector(self, title: str, text: str, language: str, matches: list[dict]) -> dict[int, float]:
        """Sparse feature vector (index -> value), built exactly as training built it.

        Training counts `word_features`, `title_features` and `char_features` token by token;
        here each distinct word's columns (its lemma's, its pieces') are worked out once and
        cached, and the tokens' columns are counted in C. The counts, and the order columns
        first appear in, are the same, so every float is summed in the same order and the vector
        is bit for bit the one training built.
        """
        vec: dict[int, float] = {}
        title_words, text_words = WORD.findall(fold(title)), WORD.findall(fold(text))
        words = {"body": text_words[:MAX_TOKENS], "title": title_words[:MAX_TOKENS],
                 # title and text folded apart: no word spans the space that joined them
                 "chars": (title_words + text_words)[:MAX_TOKENS]}
        langs = ("es", "en") if language == "es" else ("en", "es")
        for block, (source, _vocabulary, idf, offset, scale) in enumerate(self.blocks):
            tokens = words[source]
            columns = self._word_columns.setdefault((block, langs), {})
            if len(columns) >= 100_000:  # news vocabulary repeats; bound it anyway
                columns.clear()
            for word in set(tokens).difference(columns):
                columns[word] = self._columns(block, word, langs)
            counts = Counter(chain.from_iterable(map(columns.__getitem__, tokens)))
            tfidf = {i: (1.0 + math.log(c)) * idf[i] for i, c in counts.items()}
            norm = math.sqrt(sum(v * v for v in tfidf.values())) or 1.0
            vec.update((offset + i, scale * v / norm) for i, v in tfidf.items())
        for name, value in rule_features(matches).items():
            idx = self.index.get(name)
            if idx is not None and idx >= self.rule_offset and value:
                vec[idx] = value * self.rule_scale
        return vec

    def _columns(self, block: int, word: str, langs: tuple[str, ...]) -> tuple[int, ...]:
        """The block's columns one occurrence of `word` counts towards, in token order."""
        source, vocabulary = self.blocks[block][0], self.blocks[block][1]
        if source == "chars":
            tokens = _pieces(word)
        elif word in STOPWORDS or len(word) < 2:
            tokens = []
        else:
            tokens = [word if word.isdigit() else _lemma(word, langs)]
        return tuple(idx for idx in map(vocabulary.get, tokens) if idx is not None)

    def predict(self, title: str, text: str, language: str, matches: list[dict],
                top: int = 6, cutoff: float | None = None) -> Prediction:
        """Probability of an incident, its type, and the features that pushed hardest.

        With `cutoff`, the features that pushed towards the verdict come first (what sank a
        job-fair story, not the agency name that nearly carried it), then the strongest others.
        """
        vec = self.vector(title, text, language, matches)
        parts = [(i, self.rel_coef[i] * v) for i, v in vec.items() if self.rel_coef[i]]
        logit = self.rel_intercept + sum(c for _, c in parts)
        probability = 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))
        sign = 0 if cutoff is None else (1 if probability >= cutoff else -1)
        contributions = tuple((self.label(i), round(c, 3))
                              for i, c in _strongest(parts, sign, top))
        logits = self._type_logits(vec)
        peak = max(logits)
        exps = [math.exp(x - peak) for x in logits]
        best = max(range(len(exps)), key=exps.__getitem__)
        return Prediction(probability, self.classes[best], exps[best] / sum(exps), contributions)

    def _type_logits(self, vec: dict[int, float]) -> list[float]:
        """Each class's `intercept + sum(row[i] * v for i, v in vec.items())`, bit for bit: the
        same products (IEEE multiplication) added one after another in the same order, which is
        what numpy's cumulative sum does (a plain `sum` of numpy products would add pairwise).
        Gathered in C: the nine rows of 2,000-odd products were a sixth of judging (issue 16)."""
        if not vec:
            return [b + 0 for b in self.type_intercept]
        import numpy as np  # here: the crawler unpickles judgements and must not load numpy

        if self._type_matrix is None:
            self._type_matrix = np.array(self.type_coef, dtype=np.float64)
        columns = np.fromiter(vec, dtype=np.intp, count=len(vec))
        values = np.fromiter(vec.values(), dtype=np.float64, count=len(vec))
        sums = np.cumsum(self._type_matrix[:, columns] * values, axis=1)[:, -1]
        return [b + total for b, total in zip(self.type_intercept, sums.tolist(), strict=True)]

    def label(self, index: int) -> str:
        """A feature name a reader understands: "word 'detain'", "rule agency+incident"."""
        name = self.names[index]
        if name.startswith("rule:"):
            return "rule " + name[5:]
        if name.startswith("title:"):
            return f"headline word '{name[6:]}'"
        if name.startswith("chars:"):
            return f"word part '{name[6:].strip()}'"
        return f"word '{name.removeprefix('body:')}'"


def _strongest(parts: list[tuple[int, float]], sign: int, top: int) -> list[tuple[int, float]]:
    """The first `top` of `parts` stably sorted by (not pushing towards `sign`, -|value|), as
    `sorted(...)[:top]` gives them: those pushing towards the verdict (all of them when `sign`
    is 0) by size, then the others; ties in their order. Sizes are compared in C."""
    values = [value for _, value in parts]
    sizes = list(map(abs, values))
    toward = range(len(parts)) if not sign else [n for n, v in enumerate(values) if sign * v > 0]
    chosen = heapq.nlargest(top, toward, key=sizes.__getitem__)
    if len(chosen) < top and sign:
        against = [n for n, v in enumerate(values) if sign * v <= 0]
        chosen += heapq.nlargest(top - len(chosen), against, key=sizes.__getitem__)
    return [parts[n] for n in chosen]


@lru_cache(maxsize=4)
def _load(path: str) -> RelevanceModel | None:
    file = Path(path)
    if not file.exists():
        return None
    return RelevanceModel(json.loads(file.read_text(encoding="utf-8")))


def load_model(path: str | Path | None = None) -> RelevanceModel | None:
    """The shipped model (or another file); None when there is none, so rules decide alone."""
    return _load(str(path or DEFAULT_MODEL))
