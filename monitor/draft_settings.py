"""The `[drafts]` table of monitor.toml, apart from `monitor.drafting`.

Every command checks every table when it loads the configuration (`monitor.configure`); with
the class in `monitor.drafting` that meant importing the drafter, the facts and the taxonomy
(about 0.5 s) for `monitor crawl` too (issue 16). `monitor.drafting` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.config import Config, ConfigError

MAX_WORDS_PER_SENTENCE = 50  # the default of `[drafts] max_words_per_sentence`
MAX_QUOTE_WORDS_PER_SOURCE = 50
MAX_WORDS_PER_SOURCE = 150
MAX_SENTENCES_PER_SOURCE = 4
MAX_FACT_SENTENCES = 8


@dataclass(frozen=True)
class DraftSettings:
    """The `[drafts]` table of monitor.toml: how much of each source a draft may reuse and how
    long it may be. The defaults here are the only ones; `[drafts]` in `monitor/config.py`
    SCHEMA checks types, `from_config` refuses unknown keys and contradictions."""

    max_words_per_source: int = MAX_WORDS_PER_SOURCE
    max_quote_words: int = MAX_QUOTE_WORDS_PER_SOURCE
    max_sentences_per_source: int = MAX_SENTENCES_PER_SOURCE
    max_fact_sentences: int = MAX_FACT_SENTENCES
    max_words_per_sentence: int = MAX_WORDS_PER_SENTENCE
    min_body_words: int = 250  # body = lead through Why It Matters
    max_body_words: int = 500
    spanish_templates: bool = False
    public_names: tuple[str, ...] = ()  # from `[privacy]`, not `[drafts]`

    @classmethod
    def from_config(cls, config: Config) -> DraftSettings:
        table = dict(config.raw.get("drafts") or {})
        known = [f for f in cls.__dataclass_fields__ if f != "public_names"]
        unknown = sorted(set(table) - set(known))
        if unknown:
            raise ConfigError(f"[drafts] unknown key {unknown[0]!r} (known: {', '.join(known)})")
        privacy_table = config.raw.get("privacy") or {}
        settings = cls(**table, public_names=tuple(privacy_table.get("public_names", ())))
        if settings.min_body_words > settings.max_body_words:
            raise ConfigError(f"[drafts] min_body_words ({settings.min_body_words}) must not "
                              f"exceed max_body_words ({settings.max_body_words})")
        return settings
