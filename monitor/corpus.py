"""The real-report corpus (`tests/data/real/corpus.jsonl`): loading and its dev/test split.

Every item is an excerpt of a real published page found with the search tool, with its URL,
outlet, date and labels. The split is by incident (all reports of one event on one side) and
is recorded in the data, so it is made once: `assign_splits` only gives a side to items that
have none, and the side of an incident already present wins.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from monitor.relevance import incident_types

DEFAULT_CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "real" / "corpus.jsonl"
TEST_SHARE = 35  # percent of incident groups that go to `test`


def load(path: str | Path | None = None, split: str | None = None) -> list[dict]:
    """The corpus items, optionally only one split ("dev" or "test")."""
    file = Path(path or DEFAULT_CORPUS)
    with file.open(encoding="utf-8") as fh:
        items = [json.loads(line) for line in fh if line.strip()]
    return [i for i in items if split is None or i.get("split") == split]


def group(item: dict) -> str:
    """The unit the split keeps together: the incident, or the item itself for a negative."""
    return item.get("incident_key") or f"url:{item['url']}"


def side_of(group_key: str) -> str:
    """A stable side for a new group: the hash of its key, so re-running changes nothing."""
    digest = int(hashlib.sha1(group_key.encode("utf-8")).hexdigest(), 16)
    return "test" if digest % 100 < TEST_SHARE else "dev"


def assign_splits(items: Iterable[dict]) -> list[dict]:
    """Give every item without a `split` the side of its group (existing sides are kept)."""
    items = list(items)
    known = {group(i): i["split"] for i in items if i.get("split")}
    for item in items:
        if not item.get("split"):
            item["split"] = known.setdefault(group(item), side_of(group(item)))
    return items


INCIDENT_TYPES = incident_types()
NEGATIVE_KINDS = ("hiring", "benefits", "local_police", "trigger_word", "general")
REQUIRED = ("url", "outlet", "date", "language", "title", "text", "source_kind", "relevant")
# ICE's November 2022 posting of asylum seekers' data is kept for an independent check.
EXCLUDED_MARKERS = ("6,252", "6.252", "6252")


def problems(item: dict) -> list[str]:
    """What is wrong with one item's fields or labels (empty when it is usable)."""
    found = [f"missing {key}" for key in REQUIRED if key not in item]
    if item.get("language") not in ("en", "es"):
        found.append(f"language {item.get('language')!r}")
    if not (item.get("url") or "").startswith(("http://", "https://")):
        found.append("url is not http(s)")
    if item.get("date") is not None and not _is_full_date(item["date"]):
        # clustering reads it with `datetime.fromisoformat`: a year or a month alone is unknown
        found.append(f"date {item['date']!r} is not YYYY-MM-DD (null when unknown)")
    if any(marker in (item.get("title", "") + item.get("text", ""))
           for marker in EXCLUDED_MARKERS):
        found.append("reports the excluded November 2022 event")
    if item.get("relevant"):
        if item.get("incident_type") not in INCIDENT_TYPES:
            found.append(f"incident_type {item.get('incident_type')!r}")
        if not item.get("incident_key"):
            found.append("relevant item without incident_key")
        if item.get("incident_type_alt") not in (None, *INCIDENT_TYPES):
            found.append(f"incident_type_alt {item.get('incident_type_alt')!r}")
    elif item.get("negative_kind") not in NEGATIVE_KINDS:
        found.append(f"negative_kind {item.get('negative_kind')!r}")
    return found


def _is_full_date(value: object) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return len(str(value)) == 10


REVIEWED_FIELDS = ("relevant", "incident_type", "incident_type_alt", "negative_kind")


def apply_reviews(items: list[dict], reviews: Iterable[dict]) -> int:
    """Take the labels of a review pass (`LABELLING.md`), item by item; returns how many changed.

    A review that would leave an item invalid (say, relevant without an incident key) is not
    applied: the collector's labels stay and the item is not marked reviewed.
    """
    by_id = {i["id"]: i for i in items}
    changed = 0
    for review in reviews:
        item = by_id.get(review["id"])
        if item is None:
            continue
        updated = dict(item, **{k: review.get(k) for k in REVIEWED_FIELDS})
        if not updated["relevant"]:
            updated["incident_type"] = updated["incident_type_alt"] = None
        else:
            updated["negative_kind"] = None
        if not updated.get("incident_type_alt"):
            updated.pop("incident_type_alt", None)
        if problems(updated):
            continue
        changed += any(updated.get(k) != item.get(k) for k in REVIEWED_FIELDS)
        item.clear()
        item.update(updated, reviewed=True)
    return changed


def item_id(item: dict) -> str:
    """A stable id from the URL, so labels can be pinned by tests."""
    return "real-" + hashlib.sha1(item["url"].encode("utf-8")).hexdigest()[:10]


ALIASES = DEFAULT_CORPUS.with_name("key_aliases.json")


def assemble(raw_files: Iterable[Path], existing: list[dict]) -> tuple[list[dict], list[str]]:
    """Merge collected raw files into the corpus: valid, one row per URL, splits kept.

    Two collectors sometimes keyed one event twice; `key_aliases.json` maps the spare key to
    the one kept, so all reports of an event share a key (and a side of the split).
    """
    aliases = json.loads(ALIASES.read_text(encoding="utf-8")) if ALIASES.exists() else {}
    by_url = {i["url"]: i for i in existing}
    rejected = []
    for file in raw_files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            item = json.loads(line)
            if item.get("incident_key") in aliases:
                item["incident_key"] = aliases[item["incident_key"]]
            wrong = problems(item)
            if wrong:
                rejected.append(f"{file.name}:{number}: {'; '.join(wrong)}")
                continue
            if item["url"] in by_url:
                continue
            item["id"] = item_id(item)
            by_url[item["url"]] = item
    return assign_splits(by_url.values()), rejected


def append(raw_files: Iterable[Path], path: Path = DEFAULT_CORPUS) -> tuple[list[dict], list[str]]:
    """Add collected raw items at the end of the corpus file, leaving every existing line as it
    is (other work reads and keys those rows while new ones are collected).

    Same checks as `assemble`: invalid rows and URLs already present are skipped; a new row
    takes the side of its incident if the corpus has it, otherwise its group's hash side.
    """
    existing = load(path) if Path(path).exists() else []
    merged, rejected = assemble(raw_files, existing)
    known = {i["url"] for i in existing}
    added = [i for i in merged if i["url"] not in known]
    text = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
    with Path(path).open("a", encoding="utf-8") as fh:
        if text and not text.endswith("\n"):
            fh.write("\n")
        for item in added:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    return added, rejected


def main(argv: list[str] | None = None) -> int:
    """`python -m monitor.corpus RAW.jsonl… [--review=FILE]… [--append]`: add items, apply label
    reviews. `--append` only adds new rows at the end and leaves the existing ones untouched."""
    import sys

    args = list(argv if argv is not None else sys.argv[1:])
    if "--append" in args:
        added, rejected = append([Path(a) for a in args if a != "--append"])
        for reason in rejected:
            print(f"skipped {reason}")
        print(f"{DEFAULT_CORPUS}: {len(added)} new items appended")
        return 0
    reviews = [Path(a.removeprefix("--review=")) for a in args if a.startswith("--review=")]
    files = [Path(a) for a in args if not a.startswith("--review=")]
    existing = load() if DEFAULT_CORPUS.exists() else []
    items, rejected = assemble(files, existing)
    for reason in rejected:
        print(f"skipped {reason}")
    for review in reviews:
        rows = [json.loads(x) for x in review.read_text(encoding="utf-8").splitlines() if x]
        print(f"{review}: {apply_reviews(items, rows)} of {len(rows)} reviewed items changed")
    items.sort(key=lambda i: (i["split"], i.get("incident_key") or "~", i["id"]))
    with DEFAULT_CORPUS.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"{DEFAULT_CORPUS}: {len(items)} items ({len(items) - len(existing)} new)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
