"""Item pipelines: extract -> judge -> store. Each is small and built from crawler settings."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured

from monitor import workers
from monitor.storage import articles, open_db
from monitor.textclean import clean_value
from monitor.urls import canonical_url, content_hash, is_http_url

logger = logging.getLogger(__name__)


_article_job = workers.article_job  # top-level and light to import, so it pickles cheaply


class ExtractPipeline:
    """Page -> clean text, dates and language, then relevance and facts: in a worker process
    when configured (one round trip for both), else inline."""

    def __init__(self, workers_count: int, crawler=None, threshold: float | None = None):
        self.workers_count = workers_count
        self.crawler = crawler
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getint("MONITOR_EXTRACT_WORKERS", 0), crawler,
                   crawler.settings.getfloat("MONITOR_RELEVANCE_THRESHOLD") or None)

    async def process_item(self, item):
        now = datetime.now(UTC)
        args = (item.get("html"), item["url"], now, item.get("selectors") or {},
                item.get("feed") or {}, item.get("language_hint"), self.threshold)
        executor = workers.pool(self.workers_count)
        if executor is None:
            done = _article_job(*args)
        else:
            loop = asyncio.get_running_loop()
            done = await loop.run_in_executor(executor, _article_job, *args)
        item["extracted"] = done["extracted"]
        if done["judgement"] is not None:
            item["judgement"], item["facts"] = done["judgement"], done["facts"]
        # A page the parser could not read (or cut off) is a parse problem in health; a short
        # page losing to a longer summary is ordinary (error pages, menus) and stays quiet.
        fallback = [w for w in item["extracted"].get("warnings", [])
                    if w.startswith(("page-unparseable", "page-too-deeply-nested"))]
        spider = getattr(self.crawler, "spider", None)
        if fallback and item.get("html") and hasattr(spider, "problem"):
            spider.problem(item["url"], f"the article page gave no usable text "
                                        f"({fallback[0]}); the feed summary stands in")
        if not item["extracted"]["text"] and not item["extracted"]["title"]:
            raise DropItem(f"{item['source_id']}: nothing extractable at {item['url']}")
        return item


class JudgePipeline:
    """Relevance score, incident type and facts: pure functions. ExtractPipeline's job already
    judged the article (in the worker); this judges items that arrive without a judgement."""

    def __init__(self, threshold: float | None):
        self.threshold = threshold

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.getfloat("MONITOR_RELEVANCE_THRESHOLD") or None)

    def process_item(self, item):
        if item.get("judgement") is None:
            item["judgement"], item["facts"] = workers.judge_extracted(item["extracted"],
                                                                       self.threshold)
        return item


class StorePipeline:
    """Write the article to SQLite (exact dedupe by canonical URL and content hash)."""

    def __init__(self, database: str, stats):
        self.database = database
        self.stats = stats
        self.db = None

    @classmethod
    def from_crawler(cls, crawler):
        database = crawler.settings.get("MONITOR_DATABASE")
        if not database:
            raise NotConfigured("MONITOR_DATABASE not set")
        pipeline = cls(database, crawler.stats)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        self.db = open_db(self.database)

    def spider_closed(self, spider):
        if self.db is not None:
            self.db.close()

    def process_item(self, item):
        data = item["extracted"]
        judgement = item["judgement"]
        url = item["url"] if is_http_url(item["url"]) else item["original_url"]
        record = {
            "url": canonical_url(url),
            "original_url": item.get("original_url"),
            "fetched_url": item["url"] if is_http_url(item["url"]) else None,  # after redirects
            "source_id": item["source_id"],
            "outlet": item.get("outlet") or data.get("sitename") or item.get("source_name"),
            "title": data["title"],
            "summary": (item.get("feed") or {}).get("summary"),
            "text": data["text"],
            "content_hash": content_hash(f"{data['title']}\n{data['text']}"),
            "extraction": data["method"],
            "published": data.get("published"),
            "published_source": data.get("published_source"),
            "updated": data.get("updated"),
            "updated_source": data.get("updated_source"),
            "date_flags": data.get("date_flags", []),
            "language": data.get("language"),
            "score": judgement.score,
            "relevant": int(judgement.relevant),
            "incident_type": judgement.incident_type,
            "matches": judgement.matches,
            "facts": item["facts"],
        }
        record = clean_value(record)  # whatever extraction produced, storable and YAML-safe
        article_id, status = articles.upsert_article(self.db, record)
        self.stats.inc_value(f"monitor/articles_{status}")
        if judgement.relevant:
            self.stats.inc_value("monitor/articles_relevant")
        logger.info("%s article %s: %s", status, article_id, record["url"])
        return item
