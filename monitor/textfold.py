"""One way to fold text for matching, shared by the rules, the learned model and the facts."""

from __future__ import annotations

import unicodedata
from functools import lru_cache


# facts fold each sentence in several passes (counts, agencies, dates, data categories): a small
# cache makes the repeats free (small: whole article texts pass through it too)
@lru_cache(maxsize=512)
def fold(text: str) -> str:
    """Lower-case, strip accents and normalise quotes so one term covers 'detención'/'detencion'."""
    if text.isascii():  # NFKD leaves ASCII alone and it has no accents or curly quotes to fold
        return text.lower()
    return _without_marks(text).replace("’", "'").replace("‘", "'").replace("–", "-").lower()


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def strip_accents(text: str) -> str:
    """The same accent folding, keeping case and punctuation: a gazetteer's 'Nueva México' also
    matches 'Nueva Mexico' in text whose capitals still matter."""
    return unicodedata.normalize("NFC", _without_marks(text))
