"""The monitor.toml every bench writes: a made-up firm and paths inside the bench's own folder.

One place, so a new required key or table is added once for all benches.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def config_text(folder: Path, sources: Path | None = None, extra: str = "") -> str:
    """`[firm]` and `[paths]` for a bench run in `folder`, then `extra` tables verbatim."""
    return f"""
[firm]
name = "Bench Immigration Law"
phone = "(555) 010-9999"
site_url = "https://law.example.com"

[paths]
sources = "{sources or ROOT / 'sources.toml'}"
database = "{folder / 'monitor.db'}"
drafts = "{folder / 'drafts'}"
var = "{folder / 'var'}"
templates = "{ROOT / 'templates'}"
{extra}"""
