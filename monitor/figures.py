"""When two reported figures are one figure: "6,252", "more than 6,000", "6.000", "nearly 6,200".

Real coverage of one event rounds and qualifies its numbers. Comparing counts exactly splits one
story into several incidents and fills drafts with false "conflicts". Each figure is read as the
range it can mean (its qualifier's reach, from `data/facts.toml` `[counts.ranges]`); two figures
agree when their ranges meet. Clustering and drafting both ask this module, so they cannot
disagree about what "the same number" is.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from monitor.textfold import fold

DATA = Path(__file__).with_name("data")


@lru_cache(maxsize=1)
def _ranges() -> dict[str, tuple[float, float]]:
    with (DATA / "facts.toml").open("rb") as fh:
        table = tomllib.load(fh)["counts"]["ranges"]
    return {fold(k): (float(lo), float(hi)) for k, (lo, hi) in table.items()}


@lru_cache(maxsize=1)
def _vague_words() -> frozenset[str]:
    with (DATA / "facts.toml").open("rb") as fh:
        return frozenset(fold(k) for k in tomllib.load(fh)["counts"]["vague"])


def figure_range(value: float, qualifier: str | None = None) -> tuple[float, float]:
    """The lowest and highest count a figure can mean, given its qualifier ("more than" …)."""
    ranges = _ranges()
    key = fold(qualifier or "").strip()
    if key in _vague_words():
        key = "vague"
    low, high = ranges.get(key) or ranges["bare"]
    return value * low, value * high


def _as_range(figure: float | Mapping[str, Any]) -> tuple[float, float]:
    if isinstance(figure, Mapping):
        return figure_range(float(figure["value"]), figure.get("qualifier"))
    return figure_range(float(figure))


def figures_agree(a: float | Mapping[str, Any], b: float | Mapping[str, Any]) -> bool:
    """True when two figures (numbers, or count facts with `value` and `qualifier`) can be one.

    >>> figures_agree({"value": 6000, "qualifier": "more than"}, 6252)
    True
    >>> figures_agree(6252, 30000)
    False
    """
    low_a, high_a = _as_range(a)
    low_b, high_b = _as_range(b)
    return low_a <= high_b and low_b <= high_a
