"""Issue 18 #2, #3, #4: hostile scraped text through the real CLI, into drafts and the blog.

A crafted site (tests/hostile_site.py) on 127.0.0.1 serves a feed and a JSON API whose titles
and text hold DEL, C1 controls, U+FFFE/U+FFFF, Hugo/Liquid template syntax and a lone surrogate.
`monitor run` drafts them, `monitor drafts approve` and `monitor publish` export them to a site
folder; every generated and exported file is then read by PyYAML (pure and C loaders).
"""

from __future__ import annotations

import re

import liquid
import pytest
import yaml

from monitor import publish
from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from tests import hostile_site
from tests.conftest import run_cli, write_config
from tests.opskit import query

LOADERS = (yaml.SafeLoader, yaml.CSafeLoader)
# Liquid (Jekyll) output and tags; Hugo shortcodes ({{< >}}, {{% %}}) start with "{{" too.
TEMPLATE_OPENERS = re.compile(r"\{\{|\{%")


def front_matter(text: str) -> str:
    assert text.startswith("---\n"), text[:80]
    return text[4:text.index("\n---\n", 4)]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    site = hostile_site.build(folder / "site")
    config = write_config(folder, hostile_site.sources_file(folder),
                          extra=f'[publish]\nfolder = "{folder / "blog" / "_posts"}"\n'
                                '[publish.front_matter]\nlayout = "post"\n')
    with serve_snapshot(site) as (base, _):
        run = run_cli("run", "--snapshot", base, "--no-digests", config=config)
    assert run.returncode == 0, run.stderr
    ids = [r[0] for r in query(folder / "monitor.db", "SELECT id FROM drafts ORDER BY id")]
    for draft_id in ids:
        approved = run_cli("drafts", "approve", str(draft_id), "--as", "Ana\x7f Reviewer",
                           config=config)
        assert approved.returncode == 0, approved.stderr
    published = run_cli("publish", "--target", "folder", config=config)
    assert published.returncode == 0, published.stdout + published.stderr
    return {"folder": folder, "config": config, "run": run, "published": published,
            "drafts": sorted((folder / "drafts").glob("*.md")),
            "exported": sorted((folder / "blog" / "_posts").glob("*.md"))}


def test_every_item_became_a_draft_and_was_exported(hostile):
    assert len(hostile["drafts"]) == 3 and len(hostile["exported"]) == 3, hostile["published"]


@pytest.mark.parametrize("loader", LOADERS, ids=["SafeLoader", "CSafeLoader"])
def test_every_draft_and_export_parses_as_yaml(hostile, loader):
    for path in hostile["drafts"] + hostile["exported"]:
        data = yaml.load(front_matter(path.read_text(encoding="utf-8")), Loader=loader)
        assert data["title"] and all(s["title"] for s in data["sources"]), path.name


def test_no_forbidden_character_reaches_any_file(hostile):
    for path in hostile["drafts"] + hostile["exported"]:
        text = path.read_text(encoding="utf-8")
        assert not set(text) & set(hostile_site.FORBIDDEN), path.name


def test_titles_keep_their_words(hostile):
    titles = [yaml.safe_load(front_matter(p.read_text(encoding="utf-8")))["title"]
              for p in hostile["exported"]]
    assert any(t.startswith("ICE raids two Laurel poultry plants; 212 workers arrested")
               for t in titles), titles


def test_exported_posts_hold_no_liquid_or_hugo_template_syntax(hostile):
    for path in hostile["exported"]:
        text = path.read_text(encoding="utf-8")
        found = TEMPLATE_OPENERS.findall(text)
        assert not found, (path.name, found)
        assert "youtube x" in text or "Texas jails" in text  # the words are still there


def test_jekyll_liquid_renders_each_post_as_its_own_text(hostile):
    """What Jekyll does to a post's body: render it with Liquid, with `site` in scope. A real
    Liquid engine (python-liquid) must leave the text as it is and expand nothing."""
    env = liquid.Environment()
    for path in hostile["exported"]:
        body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
        rendered = env.from_string(body).render(site={"email": "LEAKED@site"}, page={})
        assert rendered == body and "LEAKED" not in rendered, path.name


HUGO_SHORTCODE = re.compile(r"\{\{[<%]")  # Hugo's lexer: "{{<" and "{{%" open a shortcode


def test_hugo_finds_no_shortcode_in_any_post(hostile):
    for path in hostile["exported"]:
        assert not HUGO_SHORTCODE.search(path.read_text(encoding="utf-8")), path.name


def test_drafts_hold_no_template_syntax_either(hostile):
    for path in hostile["drafts"]:
        assert not TEMPLATE_OPENERS.findall(path.read_text(encoding="utf-8")), path.name


def test_wordpress_content_expands_no_shortcode():
    html = publish.markdown_to_html("See [youtube x] and \\[gallery ids=1\\] here.")
    assert "[" not in html and "]" not in html and "&#91;youtube x&#93;" in html


def test_approver_name_is_cleaned_in_the_export(hostile):
    for path in hostile["exported"]:
        data = yaml.load(front_matter(path.read_text(encoding="utf-8")), Loader=yaml.CSafeLoader)
        assert data["approved_by"] == "Ana Reviewer" and data["layout"] == "post"


def test_lone_surrogate_title_is_stored_not_dropped(hostile):
    rows = query(hostile["folder"] / "monitor.db",
                 "SELECT title FROM articles WHERE source_id = 'hostile-api' ORDER BY title")
    assert len(rows) == 2, rows
    assert "ICE detainer rule for Texas jails \ufffd takes effect" in [r[0] for r in rows]
    assert "Error processing" not in hostile["run"].stderr


def test_markup_only_source_name_is_not_an_empty_outlet(hostile):
    for path in hostile["drafts"]:
        data = yaml.safe_load(front_matter(path.read_text(encoding="utf-8")))
        assert all(s["outlet"].strip() for s in data["sources"]), data["sources"]


def test_an_article_that_cannot_be_stored_is_a_source_error(tmp_path):
    """A real SQLite fault (a trigger refusing one insert) must show in the health table."""
    site = hostile_site.build(tmp_path / "site")
    # the recorded items are dated: without this the wall clock would make the source `silent`
    config = write_config(tmp_path, hostile_site.sources_file(tmp_path),
                          extra="[health]\nsilent_days = 0\n")
    db = open_db(tmp_path / "monitor.db")
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN NEW.title LIKE "
               "'%Laurel%' BEGIN SELECT RAISE(ABORT, 'injected storage fault'); END")
    db.close()
    with serve_snapshot(site) as (base, _):
        run = run_cli("run", "--snapshot", base, "--no-digests", config=config)
        assert run.returncode == 0, run.stderr
    crawl = query(tmp_path / "monitor.db", "SELECT status, errors FROM source_crawls "
                  "WHERE source_id = 'hostile-wire'")
    assert crawl and crawl[-1][0] != "ok", crawl
    assert "could not be stored" in crawl[-1][1] and "injected storage fault" in crawl[-1][1]
    table = run_cli("sources", config=config)
    assert re.search(r"^hostile-wire\s+(degraded|error)", table.stdout, re.M), table.stdout
    assert "injected storage fault" in table.stdout


def test_clean_code_points_removes_exactly_the_forbidden_characters_of_every_plane():
    """The fast path (BMP class, astral noncharacters only when the text has astral
    characters) removes what the one FORBIDDEN class says, on every code point."""
    from monitor.textclean import FORBIDDEN, SURROGATE, clean_code_points

    everything = "".join(chr(c) for c in range(0x110000))
    expected = FORBIDDEN.sub("", SURROGATE.sub("\ufffd", everything))
    assert clean_code_points(everything) == expected
    assert clean_code_points("a\U0010fffeb\U0001ffffc\ufffe") == "abc"
    assert clean_code_points("tab\tnew\nline \ud800 é") == "tab\tnew\nline \ufffd é"
    assert not re.search(FORBIDDEN, clean_code_points("x\x00\x85\u2028\U0005fffe" * 3))
