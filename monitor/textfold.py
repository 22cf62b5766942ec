"""One way to fold text for matching, shared by the rules, the learned model and the facts."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip accents and normalise quotes so one term covers 'detención'/'detencion'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("’", "'").replace("‘", "'").replace("–", "-").lower()
