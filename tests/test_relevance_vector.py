"""The model's fast scoring path must give exactly what training's plain definitions give.

`RelevanceModel.vector` counts each distinct word once and `predict` gathers the type logits in
C; training (`relevance_training`) builds the same features from `word_features`,
`title_features` and `char_features`. These tests rebuild the vector and the prediction the
plain way and require equality to the last bit, on real reports and on awkward inputs.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from monitor.relevance import judge_rules
from monitor.relevance_model import (
    MAX_TOKENS,
    char_features,
    load_model,
    rule_features,
    title_features,
    word_features,
)

CORPUS = Path(__file__).parent / "data" / "real" / "corpus.jsonl"


def _plain_vector(model, title: str, text: str, language: str, matches: list[dict]) -> dict:
    """The vector as training defines it: every token counted in order, no shortcuts."""
    vec: dict[int, float] = {}
    sources = {"body": word_features(text, language), "title": title_features(title, language),
               "chars": char_features(title, text)}
    for source, vocabulary, idf, offset, scale in model.blocks:
        counts: dict[int, int] = {}
        for token in sources[source]:
            idx = vocabulary.get(token)
            if idx is not None:
                counts[idx] = counts.get(idx, 0) + 1
        tfidf = {i: (1.0 + math.log(c)) * idf[i] for i, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in tfidf.values())) or 1.0
        vec.update((offset + i, scale * v / norm) for i, v in tfidf.items())
    for name, value in rule_features(matches).items():
        idx = model.index.get(name)
        if idx is not None and idx >= model.rule_offset and value:
            vec[idx] = value * model.rule_scale
    return vec


def _plain_types(model, vec: dict) -> list[float]:
    return [b + sum(row[i] * v for i, v in vec.items())
            for b, row in zip(model.type_intercept, model.type_coef, strict=True)]


def _cases() -> list[tuple[str, str, str]]:
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    real = [(i["title"], i["text"], i["language"]) for i in items[::20]]
    long_text = " ".join(f"agents detained worker{n % 700} in raid" for n in range(2000))
    return real + [
        ("", "", "en"),
        ("ICE", "", "en"),
        ("", "Agentes de ICE detuvieron a 12 trabajadores en una redada.", "es"),
        ("the of and", "a an the 2024 2024 x y ICE ICE ICE", "en"),
        ("Detención en Múnich — “ICE” arrests", "Él detuvo a José; ‘rapid-response’ teams", "es"),
        ("Raid " * 3000, long_text, "en"),  # title alone past MAX_TOKENS words
        ("Raid at plant", long_text, "en"),  # title + text past MAX_TOKENS words
    ]


@pytest.fixture(scope="module")
def model():
    found = load_model()
    assert found is not None, "the shipped relevance model is missing"
    return found


def test_long_cases_really_pass_the_token_cap() -> None:
    """The last two cases check the cap; words after it must change nothing."""
    *_, (title, text, _) = _cases()
    assert len(title.split()) < MAX_TOKENS < len(text.split())
    assert char_features(title, text) == char_features(title, text + " zzzz")
    assert word_features(text, "en") == word_features(text + " zzzz", "en")


@pytest.mark.parametrize("case", range(len(_cases())))
def test_vector_and_prediction_equal_the_plain_definition(model, case: int) -> None:
    title, text, language = _cases()[case]
    matches = judge_rules(title, text, language=language).matches
    fast = model.vector(title, text, language, matches)
    plain = _plain_vector(model, title, text, language, matches)
    assert list(fast.items()) == list(plain.items())  # same values, same order (same sums)

    prediction = model.predict(title, text, language, matches, cutoff=model.threshold)
    logits = _plain_types(model, plain)
    best = max(range(len(logits)), key=logits.__getitem__)
    assert prediction.incident_type == model.classes[best]
    peak = max(logits)
    exps = [math.exp(x - peak) for x in logits]
    assert prediction.type_probability == exps[best] / sum(exps)

    rel = [(i, model.rel_coef[i] * v) for i, v in plain.items() if model.rel_coef[i]]
    sign = 1 if prediction.probability >= model.threshold else -1
    rel.sort(key=lambda p: (sign * p[1] <= 0, -abs(p[1])))
    assert prediction.contributions == tuple((model.label(i), round(c, 3)) for i, c in rel[:6])
