"""Scraped text made safe to store and to write into YAML front matter and site templates.

Pure functions, applied where scraped text enters the program (the item boundary, see
`spiders/base.py` and `monitor/pipelines.py`) and again where it leaves (front matter, Markdown),
so text stored before a fix, or by another path, is covered too.

- `clean_code_points`: a lone surrogate (`\\ud800`, from a JSON escape) cannot be encoded as
  UTF-8 at all, so SQLite refuses the whole article; it becomes U+FFFD. Characters YAML forbids
  in a stream (C0 controls but tab/newline/CR, DEL, C1 controls, U+FFFE/U+FFFF and the other
  noncharacters) and invisible format junk (BOM, line/paragraph separators) are removed.
- `defang_templates`: `{{` and `{%` open Liquid (Jekyll) output and tags, and `{{<` / `{{%` Hugo
  shortcodes; the site builder would execute them. A space between the braces keeps the text
  readable and inert in every template language the firm's site could use.
- `yaml_scalar`: a double-quoted YAML scalar (JSON is valid YAML) with nothing a YAML reader
  refuses, whatever the value held.
"""

from __future__ import annotations

import json
import re
from typing import Any

SURROGATE = re.compile("[\ud800-\udfff]")
# Not printable for YAML 1.1/1.2 (PyYAML's reader refuses them), or invisible line breaks.
FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufeff\ufffe\uffff\u2028\u2029]"
    "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]"
)
TEMPLATE_OPENER = re.compile(r"\{(?=[{%])")
# FORBIDDEN in two parts: `re` scans a class of BMP characters quickly, but the astral
# noncharacters make it test ranges one by one (2-3 ms on a 40 kB page, every page, twice);
# they are looked for only in text that has characters beyond the BMP at all.
FORBIDDEN_BMP = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufeff\ufffe\uffff\u2028\u2029]")
ASTRAL_NONCHARACTERS = tuple(chr(plane << 16 | low) for plane in range(1, 17)
                             for low in (0xFFFE, 0xFFFF))
FORBIDDEN_ASTRAL = re.compile(f"[{''.join(ASTRAL_NONCHARACTERS)}]")


def clean_code_points(text: str) -> str:
    """Text that encodes as UTF-8 and that YAML accepts; tab, newline and CR are kept."""
    if text.isascii() and text.isprintable():
        return text
    text = FORBIDDEN_BMP.sub("", SURROGATE.sub("\ufffd", text))
    if any(c in text for c in ASTRAL_NONCHARACTERS):  # 32 substring scans: far less than the class
        text = FORBIDDEN_ASTRAL.sub("", text)
    return text


def clean_value(value: Any) -> Any:
    """`clean_code_points` on every string in a nested structure (an item, a record)."""
    if isinstance(value, str):
        return clean_code_points(value)
    if isinstance(value, dict):
        return {clean_value(k): clean_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(clean_value(v) for v in value)
    return value


def defang_templates(text: str) -> str:
    """`{{ x }}`, `{% x %}`, `{{< x >}}`, `{{% x %}}` made inert: `{ { x }}`, `{ % x %}` …"""
    return TEMPLATE_OPENER.sub("{ ", text)


def _unprintable(match: re.Match[str]) -> str:
    return "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else "" for c in match.group(0))


def yaml_scalar(value: Any) -> str:
    """A YAML flow value for front matter: JSON of the cleaned, defanged value.

    `json.dumps` escapes only C0 controls, so anything else a YAML reader forbids is removed
    first (and escaped should a caller bypass the cleaning).
    """
    def prepare(item: Any) -> Any:
        if isinstance(item, str):
            return defang_templates(clean_code_points(item))
        if isinstance(item, dict):
            return {prepare(k): prepare(v) for k, v in item.items()}
        if isinstance(item, list | tuple):
            return [prepare(v) for v in item]
        return item

    return FORBIDDEN.sub(_unprintable, json.dumps(prepare(value), ensure_ascii=False))
