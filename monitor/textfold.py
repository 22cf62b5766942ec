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
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("’", "'").replace("‘", "'").replace("–", "-").lower()
