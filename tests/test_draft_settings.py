"""`[drafts]` in monitor.toml: every tunable has one default (DraftSettings), unknown keys and
contradictions are errors that name the key, and a setting changes the draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import draft_quality as dq
from monitor.config import ConfigError
from monitor.configure import load_config
from monitor.drafting import DraftSettings
from tests.conftest import write_config


class RawConfig:
    """Only what `DraftSettings.from_config` reads."""

    def __init__(self, drafts: dict) -> None:
        self.raw = {"drafts": drafts}


def test_unknown_key_is_an_error_naming_it():
    with pytest.raises(ConfigError, match="unknown key 'max_sentence'"):
        DraftSettings.from_config(RawConfig({"max_sentence": 3}))


def test_unknown_key_is_refused_when_the_file_is_loaded(tmp_path: Path):
    with pytest.raises(ConfigError, match="max_body_word"):
        load_config(write_config(tmp_path, extra="[drafts]\nmax_body_word = 400\n"))


def test_minimum_above_maximum_is_an_error():
    with pytest.raises(ConfigError, match="min_body_words"):
        DraftSettings.from_config(RawConfig({"min_body_words": 600, "max_body_words": 400}))


def test_defaults_are_the_dataclass_defaults():
    assert DraftSettings.from_config(RawConfig({})) == DraftSettings()


def test_body_length_limit_is_configurable(tmp_path: Path):
    """A smaller `max_body_words` gives a shorter body on a real 27-report family."""
    family = dq.incidents("test")["2025-05-south-sudan-third-country-deportations"]
    config = dq.bench_config(tmp_path)
    text = dq.build(family, config)[1]
    short_config = load_config(write_config(
        tmp_path / "short" if (tmp_path / "short").mkdir() is None else tmp_path,
        extra="[drafts]\nmax_body_words = 250\nmin_body_words = 100\n"))
    short = dq.build(family, short_config)[1]
    words = [len(dq.CITE.sub("", dq.body_of(t)).split()) for t in (text, short)]
    assert words[1] <= 250 < words[0]
