"""Run the Scrapy crawl of the chosen sources in this process and report per-source results.

Sources whose first page answers 304 to a conditional GET sent before Scrapy starts
(`monitor.probe`) are recorded as not modified without a crawler; Scrapy is imported only
when some source needs it, so an idle pass costs little more than its 304s (issue 16).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor import health, probe
from monitor import settings as project_settings
from monitor.config import Config
from monitor.sources import Source
from monitor.storage import open_db, utcnow_iso
from monitor.storage import sources as source_store

if TYPE_CHECKING:
    from scrapy.settings import Settings


@dataclass
class SourceResult:
    """What one source's crawl produced: the raw material of the health table."""

    source_id: str
    status: str  # ok | degraded (worked, with errors) | failed
    items_seen: int = 0
    new_items: int = 0
    errors: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    parse_problems: list[str] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    not_modified: bool = False
    newest_item: str | None = None  # newest entry date listed (UTC ISO)
    health: health.Health | None = None


@dataclass
class CrawlReport:
    results: list[SourceResult]

    @property
    def new_articles(self) -> int:
        return sum(r.new_items for r in self.results)

    @property
    def failed(self) -> list[SourceResult]:
        return [r for r in self.results if r.status == "failed"]


def _layers(config: Config, snapshot_base: str | None,
            overrides: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(project, cmdline) settings from monitor.toml and the caller, above monitor.settings."""
    project: dict[str, Any] = {
        "USER_AGENT": config.user_agent,
        "MONITOR_DATABASE": str(config.database_path),
        "MONITOR_RELEVANCE_THRESHOLD": config.relevance_threshold,
    }
    cap = config.crawl.get("max_items_per_source")
    if cap is not None:
        project["MONITOR_MAX_ITEMS_PER_SOURCE"] = cap
    for key, value in config.crawl.get("scrapy", {}).items():
        project[key.upper()] = value
    cmdline: dict[str, Any] = {}
    if snapshot_base:
        cmdline["MONITOR_SNAPSHOT_BASE"] = snapshot_base
    cmdline.update(overrides or {})
    return project, cmdline


def setting_values(
    config: Config, *, snapshot_base: str | None = None, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The crawl's settings as a plain dict (what `build_settings` gives Scrapy), no Scrapy."""
    values = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    project, cmdline = _layers(config, snapshot_base, overrides)
    return {**values, **project, **cmdline}


def build_settings(
    config: Config, *, snapshot_base: str | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Project settings plus what comes from monitor.toml and the caller."""
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("monitor.settings", priority="project")
    drop_unused_components(settings)
    project, cmdline = _layers(config, snapshot_base, overrides)
    for key, value in project.items():
        settings.set(key, value, priority="project")
    for key, value in cmdline.items():
        settings.set(key, value, priority="cmdline")
    return settings


# Scrapy components a pass never uses, left out of Scrapy's defaults (`*_BASE`) so they are not
# even imported: a component named None in EXTENSIONS is still imported (to normalise its path).
UNUSED_COMPONENTS = {"EXTENSIONS_BASE": ("scrapy.extensions.remote_control.RemoteControl",)}


def drop_unused_components(settings: Settings) -> None:
    """Leave `UNUSED_COMPONENTS` out of Scrapy's default component lists (RemoteControl
    imported aiohttp: 8 MB and 0.25 s a crawl)."""
    for name, paths in UNUSED_COMPONENTS.items():
        base = {key: value for key, value in settings.getdict(name).items()
                if key not in paths}
        settings.set(name, base, priority="default")


def run_crawl(
    config: Config, sources: list[Source], *, run_id: int | None = None,
    snapshot_base: str | None = None, overrides: dict[str, Any] | None = None,
) -> CrawlReport:
    """Crawl every source (one crawler each) in one reactor run; record each source's outcome.

    Sources that answer 304 to the probe (`monitor.probe`) get no crawler.
    """
    if not sources:
        return CrawlReport([])
    values = setting_values(config, snapshot_base=snapshot_base, overrides=overrides)
    db = open_db(config.database_path)
    source_store.sync_sources(db, sources)
    started = utcnow_iso()
    probe_settings = probe.ProbeSettings.from_values(values)
    unchanged = probe.unchanged(probe.plan(db, sources, probe_settings, datetime.now(UTC)),
                                probe_settings)
    stats = {s.id: {"monitor/not_modified": 1, "monitor/responses": 1,
                    "finish_reason": "finished"} for s in sources if s.id in unchanged}
    progress = values.get("MONITOR_PROGRESS")
    for source_id in stats:
        if callable(progress):
            progress("source_done", source_id, "finished")
    rest = [s for s in sources if s.id not in unchanged]
    if rest:
        stats.update(_scrapy_crawl(build_settings(config, snapshot_base=snapshot_base,
                                                  overrides=overrides), rest))
    results = []
    now = datetime.now(UTC)
    for source in sources:  # each source's record commits on its own, as a crash would leave it
        results.append(_record(db, config, source, stats.get(source.id, {}), run_id, started,
                               now))
    db.close()
    return CrawlReport(results)


def _record(db: Any, config: Config, source: Source, stats: dict[str, Any], run_id: int | None,
            started: str, now: datetime) -> SourceResult:
    """One source's result from its crawl stats, stored with its health."""
    result = _result(source, stats)
    source_store.record_source_crawl(
        db,
        {"run_id": run_id, "source_id": source.id, "started_at": started,
         "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
         "status": result.status, "items_seen": result.items_seen,
         "new_items": result.new_items, "errors": result.errors,
         "http_errors": result.http_errors, "parse_problems": result.parse_problems,
         "anomalies": result.anomalies, "not_modified": int(result.not_modified),
         "newest_item": result.newest_item},
    )
    result.health = health.source_health(db, source, config, now)
    source_store.update_health(db, source.id, result.health.as_row(now))
    return result


def _scrapy_crawl(settings: Settings, sources: list[Source]) -> dict[str, dict[str, Any]]:
    """One reactor run, a crawler per source; each source's crawl stats."""
    from scrapy.crawler import CrawlerProcess

    from monitor.middlewares import RobotsMemo

    settings.set("MONITOR_ROBOTS_MEMO", RobotsMemo(), priority="cmdline")
    process = CrawlerProcess(settings)
    crawlers = []
    for source in sources:
        spider_name = source.options.get("spider", source.kind)
        spider_cls = process.spider_loader.load(spider_name)
        crawler = process.create_crawler(spider_cls)
        crawlers.append((source, crawler))
        process.crawl(crawler, source=source)
    process.start(stop_after_crawl=True, install_signal_handlers=True)
    return {source.id: (crawler.stats.get_stats() if crawler.stats else {})
            for source, crawler in crawlers}


def _result(source: Source, stats: dict[str, Any]) -> SourceResult:
    errors = list(stats.get("monitor/error_messages", []))
    seen = stats.get("monitor/entries_seen", 0)
    new = stats.get("monitor/articles_new", 0) + stats.get("monitor/articles_duplicate", 0)
    not_modified = bool(stats.get("monitor/not_modified"))
    crashes = {k.split("/", 1)[1]: v for k, v in stats.items()
               if k.startswith("spider_exceptions/")}
    for name, count in crashes.items():
        errors.append(f"spider error: {name} ({count}x)")
    if not errors and not seen and not not_modified and not stats.get("monitor/responses"):
        # Nothing answered and nothing said why (a request filtered offsite or as a duplicate):
        # reporting `ok, 0 seen` would hide a source that was never read.
        errors.append("no response from the source: every request was dropped before it "
                      "was answered (offsite, duplicate or redirect loop)")
    if errors and not seen and not not_modified:
        status = "failed"
    elif errors:
        status = "degraded"
    else:
        status = "ok"
    if stats.get("finish_reason") not in (None, "finished"):
        errors.append(f"crawl ended early: {stats.get('finish_reason')}")
        status = "failed" if not seen else "degraded"
    logging.getLogger(__name__).info("source %s: %s, %d seen, %d new", source.id, status, seen, new)
    return SourceResult(
        source.id, status, seen, new, errors,
        http_errors=list(stats.get("monitor/http_errors", [])),
        parse_problems=list(stats.get("monitor/parse_problems", [])),
        anomalies=list(stats.get("monitor/anomalies", [])),
        not_modified=not_modified,
        newest_item=stats.get("monitor/newest_item"),
    )
