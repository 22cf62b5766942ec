"""Immigration-enforcement news monitor: crawl, judge, cluster, draft, review, digest."""

__version__ = "0.1.0"
