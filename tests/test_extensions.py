"""monitor.extensions: built by from_crawler, listed in monitor.settings, off unless asked."""

from __future__ import annotations

import logging
import sys

import pytest
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from monitor import settings as project_settings
from monitor.extensions import OneLineErrors, OneLineFilter, ProgressExtension
from tests.spider_fixtures import source, spider_for


def test_both_are_listed_in_the_project_settings():
    assert {"monitor.extensions.ProgressExtension", "monitor.extensions.OneLineErrors"} <= set(
        project_settings.EXTENSIONS)


def test_progress_is_off_without_a_callback():
    with pytest.raises(NotConfigured):
        ProgressExtension.from_crawler(get_crawler())


def test_one_line_errors_is_off_unless_asked():
    with pytest.raises(NotConfigured):
        OneLineErrors.from_crawler(get_crawler())


def test_progress_reports_each_item_under_its_source_id():
    events = []
    spider = spider_for(source("ice-breaking-news"),
                        MONITOR_PROGRESS=lambda *event: events.append(event))
    kept = ProgressExtension.from_crawler(spider.crawler)  # signals hold handlers weakly
    spider.crawler.signals.send_catch_log(signals.item_scraped, item={}, spider=spider,
                                          response=None)
    assert kept and events == [("item", "ice-breaking-news", None)]


def test_progress_reports_a_finished_source():
    events = []
    spider = spider_for(source("aclu"), MONITOR_PROGRESS=lambda *event: events.append(event))
    kept = ProgressExtension.from_crawler(spider.crawler)
    spider.crawler.signals.send_catch_log(signals.spider_closed, spider=spider,
                                          reason="finished")
    assert kept and events == [("source_done", "aclu", "finished")]


def test_an_error_record_becomes_one_line_with_its_cause():
    try:
        raise OSError(28, "No space left on device", "/srv/monitor.db")
    except OSError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("scrapy.core.scraper", logging.ERROR, __file__, 1,
                               "Error processing {'url': 'x',\n 'html': '<html>...'}", (),
                               exc_info)
    OneLineFilter(200).filter(record)
    assert (record.getMessage(), record.exc_info) == (
        "Error processing {'url': 'x', (No space left on device (/srv/monitor.db))", None)


def test_a_warning_is_left_alone():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "two\nlines", (), None)
    OneLineFilter(200).filter(record)
    assert record.getMessage() == "two\nlines"
