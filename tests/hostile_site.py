"""A crafted site for the hostile-input tests (issue 18): a feed, its article page and a JSON API
whose titles and text carry what YAML forbids, template syntax and a lone surrogate.

Written into a temporary snapshot folder by the test (the control characters would be awkward
to keep in a fixture file), then served by the real snapshot server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path

# What YAML forbids in a stream: DEL, C1 controls (NEL U+0085 is allowed but folds lines),
# the noncharacters U+FFFE / U+FFFF, a C0 control other than tab/newline.
FORBIDDEN = "\x7f\x85\x9b\ufffe\uffff\x01"
TEMPLATE_SYNTAX = ('{{% youtube x %}}', '{{< param "x" >}}', "{{ site.email }}", "{% raw %}")
RAID_TITLE = ("ICE raids two Laurel poultry plants" + FORBIDDEN + "; 212 workers arrested "
              + " ".join(TEMPLATE_SYNTAX))
API_TITLE = "ICE detainer rule for Texas jails \ud800 takes effect"
API_CONTROL_TITLE = ("ICE deportation flight" + FORBIDDEN + " returns 138 Guatemalans "
                     + " ".join(TEMPLATE_SYNTAX))

PARAGRAPHS = [
    "Federal agents arrested 212 workers Thursday at two poultry processing plants in Laurel,"
    " Mississippi, in one of the largest worksite immigration operations in the state in years.",
    "Homeland Security Investigations said it executed criminal search warrants as part of an "
    "investigation into the companies' hiring practices {{ site.email }} and the use of "
    "fraudulent documents.",
    "ICE said 212 people were detained and taken to a processing center in Jackson; "
    "{% raw %} lawyers were not allowed to meet them {{< param \"x\" >}} on Thursday.",
]


def xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build(root: Path) -> Path:
    """Write the site under `root` (a snapshot folder) and return it."""
    feed = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile Wire</title><link>https://hostile.example/</link>
<description>crafted</description>
<item><title>{xml_text(RAID_TITLE)}</title>
<link>https://hostile.example/news/laurel-raid.html</link>
<guid>laurel-raid</guid>
<pubDate>Thu, 19 Nov 2026 20:00:00 +0000</pubDate>
<description>{xml_text(PARAGRAPHS[0])}</description></item>
</channel></rss>
"""
    page = ("<!doctype html><html><head><meta charset='utf-8'><title>"
            + xml_text(RAID_TITLE) + "</title></head><body><article><h1>"
            + xml_text(RAID_TITLE) + "</h1>"
            + "".join(f"<p>{xml_text(p)}</p>" for p in PARAGRAPHS)
            + "</article></body></html>")
    api = {"results": [{
        "document_number": "2026-99998", "title": API_CONTROL_TITLE,
        "html_url": "https://api.hostile.example/documents/2026-99998",
        "publication_date": "2026-11-21",
        "abstract": "U.S. Immigration and Customs Enforcement said a removal flight" + FORBIDDEN
                    + " carried 138 Guatemalan nationals from Alexandria, Louisiana, to "
                    "Guatemala City on Saturday {{ site.email }}. ICE said 138 people were "
                    "removed {% raw %} on the charter flight.",
    }, {
        "document_number": "2026-99999", "title": API_TITLE,
        "html_url": "https://api.hostile.example/documents/2026-99999",
        "publication_date": "2026-11-20",
        "abstract": "U.S. Immigration and Customs Enforcement announced a rule on detainers "
                    "for 14 Texas county jails \ud800 under 287(g) agreements on Friday.",
    }]}
    files = {
        "hostile.example/feed.xml": feed,
        "hostile.example/news/laurel-raid.html": page,
        # ensure_ascii keeps the lone surrogate as the escape \ud800, as a real API sends it.
        "api.hostile.example/documents.json": json.dumps(api, ensure_ascii=True),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return root


SOURCES = """
[[source]]
id = "hostile-wire"
name = "Hostile Wire"
kind = "feed"
url = "https://hostile.example/feed.xml"
language = "en"
follow = true

[[source]]
id = "hostile-api"
name = "<script>alert(1)</script>"
kind = "api"
url = "https://api.hostile.example/documents.json"
language = "en"
follow = false
"""


def sources_file(folder: Path) -> Path:
    path = folder / "hostile.sources.toml"
    path.write_text(SOURCES, encoding="utf-8")
    return path
