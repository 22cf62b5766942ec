"""The extraction pool: one round trip per article does extraction and judging (issue 16)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import facts, relevance, workers
from monitor.extraction import extract
from monitor.items import ArticleItem
from monitor.pipelines import ExtractPipeline, JudgePipeline
from tests.conftest import run_coroutine

PAGE = Path(__file__).parent / "fixtures" / "pages" / "news_detention_death_en.html"
URL = "https://ledger.example/news/man-dies-ice-custody"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def item(html: str | None) -> ArticleItem:
    return ArticleItem(source_id="ledger", source_name="Ledger", url=URL, original_url=URL,
                       html=html, feed={"title": "", "summary": "", "published": None},
                       selectors={}, language_hint="en")


def test_article_job_judges_what_it_extracted():
    html = PAGE.read_text(encoding="utf-8")
    done = workers.article_job(html, URL, NOW, {}, {}, "en", None)
    extracted = extract(html, URL, now=NOW)
    assert done["extracted"]["text"] == extracted["text"]
    expected = relevance.judge(extracted["title"], extracted["text"],
                               language=extracted["language"])
    assert done["judgement"] == expected
    assert done["facts"] == facts.extract_facts(extracted["title"], extracted["text"],
                                                language=extracted["language"])


def test_article_job_skips_judging_an_empty_page():
    done = workers.article_job("", URL, NOW, {}, {}, "en", None)
    assert done["judgement"] is None and done["facts"] is None


@pytest.fixture
def pool_of_one():
    yield
    workers.shutdown()


def test_pipeline_through_a_real_pool_matches_inline(pool_of_one):
    html = PAGE.read_text(encoding="utf-8")
    pooled = run_coroutine(ExtractPipeline(1).process_item(item(html)))
    inline = run_coroutine(ExtractPipeline(0).process_item(item(html)))
    assert pooled["extracted"]["text"] == inline["extracted"]["text"]
    assert pooled["judgement"] == inline["judgement"]
    assert pooled["facts"] == inline["facts"]
    assert pooled["judgement"].matches  # the page is about a death in ICE custody


def test_judge_pipeline_keeps_the_workers_judgement_and_fills_a_missing_one():
    html = PAGE.read_text(encoding="utf-8")
    judged = run_coroutine(ExtractPipeline(0).process_item(item(html)))
    sentinel = judged["judgement"]
    assert JudgePipeline(None).process_item(judged)["judgement"] is sentinel
    bare = item(html)
    bare["extracted"] = judged["extracted"]
    assert JudgePipeline(None).process_item(bare)["judgement"] == sentinel
