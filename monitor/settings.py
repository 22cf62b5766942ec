"""Scrapy settings. `monitor.crawl` adds what comes from monitor.toml (user agent, database)."""

BOT_NAME = "immigration_monitor"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Politeness: robots.txt, adaptive throttling, few concurrent requests per site.
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0

# Scrapy's own default, written out so monitor.probe sends the same headers without Scrapy.
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
}

# Bounded work: a stuck site can never hold a run hostage.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
CLOSESPIDER_TIMEOUT = 15 * 60

# Set by monitor.crawl from monitor.toml; here only as documentation of the contract.
USER_AGENT = "ImmigrationNewsMonitor/0.1"
MONITOR_DATABASE = None  # path of the SQLite file
MONITOR_SNAPSHOT_BASE = None  # e.g. http://127.0.0.1:8765: serve every URL from the snapshot
MONITOR_RELEVANCE_THRESHOLD = None
MONITOR_CONDITIONAL_GET = True  # send ETag / Last-Modified validators for feeds, listings, APIs
MONITOR_MAX_ITEMS_PER_SOURCE = 200  # new articles per source per pass; [crawl] in monitor.toml
MONITOR_ROBOTS_MAX_AGE = 24 * 3600  # seconds a stored robots.txt is used (RFC 9309 2.4)
MONITOR_ROBOTS_MEMO = None  # set by monitor.crawl: robots.txt parsers shared by a pass
MONITOR_EXTRACT_WORKERS = 2  # processes for text extraction; 0 extracts inline

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "monitor.middlewares.StoredRobotsTxt": 100,  # Scrapy's, reading a stored copy first
    "monitor.middlewares.KnownArticleFilter": 50,
    "monitor.middlewares.ConditionalGet": 60,
    "monitor.middlewares.SnapshotRewrite": 950,
}

# Each turns itself off (NotConfigured) unless its setting below asks for it; see
# monitor/extensions.py. `monitor run` sets both (one-line errors unless -v).
EXTENSIONS = {
    "monitor.extensions.OneLineErrors": 0,
    "monitor.extensions.ProgressExtension": 900,
}
MONITOR_PROGRESS = None  # a callable (event, source id, detail): progress of `monitor run`
MONITOR_ONE_LINE_ERRORS = False  # an error logged during the crawl is one line, no traceback

ITEM_PIPELINES = {
    "monitor.pipelines.ExtractPipeline": 100,
    "monitor.pipelines.JudgePipeline": 200,
    "monitor.pipelines.StorePipeline": 300,
}

TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
# Scrapy's HTTP server that runs Python code sent to it (on by default since 2.19): a pass
# needs no remote control. `monitor.crawl.build_settings` also leaves the extension out, so
# aiohttp is not imported into every crawl (naming it None in EXTENSIONS would import it).
REMOTE_CONTROL_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
