"""Which sentences of the draft cite which source: read from the draft's own footnotes.

Reading the current Markdown (not what was generated) means an attorney's edits show up beside
the sources: a sentence they removed no longer appears, one they moved keeps its citation.
"""

from __future__ import annotations

import difflib
import re

from monitor.web.markdown import split_front_matter

CITES = re.compile(r"((?:\[\^[^\]\s]+\])+)")
CITE_LABEL = re.compile(r"\[\^([^\]\s]+)\]")
FOOTNOTE_DEF = re.compile(r"^\s*\[\^[^\]\s]+\]:")
LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|>|#+)\s+")
MD_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>#|])")


def sentences_by_footnote(text: str) -> dict[str, list[str]]:
    """Footnote label -> the text that cites it, in the order it appears in the draft body."""
    _, body = split_front_matter(text)
    used: dict[str, list[str]] = {}
    for line in body.splitlines():
        if FOOTNOTE_DEF.match(line):
            continue
        parts = CITES.split(line)
        for prose, cites in zip(parts[0::2], parts[1::2], strict=False):
            prose = MD_UNESCAPE.sub(r"\1", LIST_MARK.sub("", prose)).strip()
            if not prose:
                continue
            for label in CITE_LABEL.findall(cites):
                bucket = used.setdefault(label, [])
                if prose not in bucket:
                    bucket.append(prose)
    return used


QUOTED = re.compile(r"[«“\"]([^«»“”\"]{12,})[»”\"]")
SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»']?\s+(?=[A-ZÁÉÍÓÚÑ¿¡“\"«(])")
CLOSE_ENOUGH = 0.6


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.split()).strip().lower()


def classify_used(used: list[str], *, generated: list[str], article_text: str) -> list[dict]:
    """Each sentence the draft cites from one source, told apart by whose words it is.

    ``verbatim``: the source's own words (the whole line, or the part in quotation marks, is
    in the article or among the sentences the draft took from it). ``edited``: close to one of
    the source's sentences but changed by the attorney; ``original`` is what the source says.
    ``draft``: words of the draft that cite the source (a figures line, a new sentence).
    """
    article = _norm(article_text)
    pool = list(dict.fromkeys([*generated, *SENTENCE_END.split(" ".join(article_text.split()))]))
    pool = [s for s in pool if len(s) > 20][:400]
    normalised_pool = [_norm(s) for s in pool]
    rows = []
    for text in used:
        candidates = [text, *QUOTED.findall(text)]
        if any(_norm(c) in article or _norm(c) in normalised_pool for c in candidates
               if len(c) > 12):
            rows.append({"text": text, "kind": "verbatim", "original": None})
            continue
        best, ratio = None, 0.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        for candidate in candidates:
            matcher.set_seq2(_norm(candidate))
            for original, normalised in zip(pool, normalised_pool, strict=True):
                matcher.set_seq1(normalised)
                if matcher.real_quick_ratio() < ratio or matcher.quick_ratio() < ratio:
                    continue
                score = matcher.ratio()
                if score > ratio:
                    best, ratio = original, score
        if best is not None and ratio >= CLOSE_ENOUGH:
            rows.append({"text": text, "kind": "edited", "original": best})
        else:
            rows.append({"text": text, "kind": "draft", "original": None})
    return rows
