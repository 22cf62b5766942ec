"""How long the review page takes with many incidents, as a ratio to reading the same rows.

Run from the repository root: `python bench/review_page.py [N]` (default 300 incidents).
Builds N incidents with real drafts in a temporary folder, then times, through Flask's test
client, the inbox, the inbox with a search and one draft page. The baseline, measured in the
same run, is the storage reads the inbox needs (every incident and draft row); the ratios show
what the page adds on top of the database (sorting, templates, sanitising) on this machine.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from monitor import drafting  # noqa: E402
from monitor.storage import drafts as draft_store  # noqa: E402
from monitor.storage import incidents as incident_store  # noqa: E402
from monitor.web import create_app  # noqa: E402
from monitor.web.security import PASSWORD_HASH_ENV, hash_password  # noqa: E402
from tests.draft_fixtures import BREACH_TEXT, NOW, make_article, make_incident, setup  # noqa: E402

REPEAT = 5


def timed(call, repeat: int = REPEAT) -> float:
    """Mean milliseconds of `call()` after one warm-up call."""
    call()
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - start) / repeat * 1000


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 300
    folder = Path(tempfile.mkdtemp(prefix="review-bench-"))
    os.environ[PASSWORD_HASH_ENV] = hash_password("bench password")
    config, db = setup(folder)
    for n in range(count):
        article = make_article(db, f"https://news.example.com/{n}",
                               f"Story {n}: ICE posted detainee data", f"{BREACH_TEXT} Item {n}.")
        make_incident(db, article, title=f"Story {n}: ICE posted detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    client = create_app(config, secret_key="bench").test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf_token": token, "name": "Bench",
                                "password": "bench password"})
    baseline = timed(lambda: (incident_store.list_incidents(db), draft_store.list_drafts(db)))
    pages = {
        "inbox": timed(lambda: client.get("/")),
        "inbox + search": timed(lambda: client.get("/?q=detainee")),
        "draft page": timed(lambda: client.get("/drafts/1")),
    }
    print(f"{count} incidents with drafts; baseline (storage reads for the inbox) "
          f"{baseline:.1f} ms")
    for name, ms in pages.items():
        print(f"  {name:<15} {ms:7.1f} ms  ({ms / baseline:.1f}x baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
