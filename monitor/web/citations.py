"""Which sentences of the draft cite which source: read from the draft's own footnotes.

Reading the current Markdown (not what was generated) means an attorney's edits show up beside
the sources: a sentence they removed no longer appears, one they moved keeps its citation.
"""

from __future__ import annotations

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
