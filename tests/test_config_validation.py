"""Issue 18 #6: a wrong value type in monitor.toml is one line naming table, key and type, exit 2.

Before, `[relevance] threshold = "high"` reached the crawl as a string (a Twisted traceback, the
run recorded `ok`, exit 0) and `[drafts] max_words_per_source = "lots"` crashed `monitor draft`.
"""

from __future__ import annotations

import pytest

from monitor.config import ConfigError
from monitor.configure import load_config
from tests.conftest import run_cli, small_sources, write_config
from tests.opskit import query, table_exists


def config_with(tmp_path, extra: str):
    return write_config(tmp_path, small_sources(tmp_path), extra=extra)


BAD = [
    ('[relevance]\nthreshold = "high"', "[relevance] threshold must be a number"),
    ('[drafts]\nmax_words_per_source = "lots"',
     "[drafts] max_words_per_source must be an integer >= 1"),
    ("[drafts]\nmax_words_per_source = 0", "[drafts] max_words_per_source must be an integer"),
    ('[drafts]\nspanish_templates = "yes"', "[drafts] spanish_templates must be true or false"),
    ('[drafts]\nmax_word_per_source = 10', "[drafts] unknown key 'max_word_per_source'"),
    ('[privacy]\npublic_names = "J. Doe"', "[privacy] public_names must be a list of strings"),
    ('[health]\nfailures = "3"', "[health] failures must be an integer >= 1"),
    ('[health]\nstale_hours = -1', "[health] stale_hours must be a number >= 0"),
    ('[health]\nsilent_days = "a week"', "[health] silent_days must be a number >= 0"),
    ("[digest]\nsource_failures = 2", "[digest] source_failures has moved to [health] failures"),
    ('[digest]\nmax_age_days = "30"', "[digest] max_age_days must be a number >= 0"),
    ('[digest]\ntimezone = "Mars/Olympus"', "[digest] timezone 'Mars/Olympus'"),
    ('[review]\nport = "8000"', "[review] port must be an integer from 0 to 65535"),
    ('[review]\nsession_hours = -1', "[review] session_hours must be a number > 0"),
    ('[publish]\ntimeout = "soon"', "[publish] timeout must be a number > 0"),
    ('[publish]\nwordpress_url = "http://blog.example.com"', "wordpress_url must be an https"),
    ("[relevanse]\nthreshold = 3", "unknown table [relevanse]"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[b[0].split("\n")[0] + b[0].split(
    "\n")[1].split("=")[0].strip() for b in BAD])
def test_bad_value_is_one_clear_error(tmp_path, extra, message):
    config = config_with(tmp_path, extra)
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    text = str(caught.value)
    assert message in text and "\n" not in text


@pytest.mark.parametrize(("line", "message"), [
    ('DOWNLOAD_DELAY = "1s"', "[crawl.scrapy] DOWNLOAD_DELAY must be a number >= 0"),
    ("CONCURRENT_REQUESTS = 0", "[crawl.scrapy] CONCURRENT_REQUESTS must be an integer >= 1"),
    ("download_delay = 1", "[crawl.scrapy] 'download_delay' is not a Scrapy setting"),
])
def test_scrapy_settings_are_checked(tmp_path, line, message):
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("DOWNLOAD_DELAY = 0\n", line + "\n"))
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert message in str(caught.value)


def test_crawl_item_cap_is_checked(tmp_path):
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace(
        "[crawl.scrapy]", '[crawl]\nmax_items_per_source = "all"\n[crawl.scrapy]'))
    with pytest.raises(ConfigError, match=r"\[crawl\] max_items_per_source must be an integer"):
        load_config(config)


def test_smtp_port_type_is_checked(tmp_path):
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("port = 1\n", 'port = "25"\n'))
    with pytest.raises(ConfigError, match=r"\[smtp\] port must be an integer from 0 to 65535"):
        load_config(config)


def test_recipient_fields_are_checked(tmp_path):
    config = config_with(tmp_path, '[[recipients]]\nemail = "b@law.example.com"\nmin_score = "7"')
    with pytest.raises(ConfigError, match=r"\[\[recipients\]\] #2 min_score must be a number"):
        load_config(config)


def test_shipped_and_test_configs_are_valid(tmp_path):
    from tests.conftest import ROOT

    load_config(ROOT / "monitor.toml")
    load_config(write_config(tmp_path,
                             extra='[relevance]\nthreshold = 0.4\n[health]\nfailures = 2'))


def test_run_with_a_string_threshold_exits_2_before_crawling(tmp_path, snapshot_server):
    base, state = snapshot_server
    config = config_with(tmp_path, '[relevance]\nthreshold = "high"')
    result = run_cli("run", "--snapshot", base, "--no-digests", config=config)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "[relevance] threshold must be a number" in lines[0], lines
    assert "Traceback" not in result.stdout + result.stderr
    db = tmp_path / "monitor.db"
    assert not table_exists(db, "runs") or query(db, "SELECT status FROM runs") == []


def test_draft_with_a_string_word_limit_exits_2(tmp_path):
    config = config_with(tmp_path, '[drafts]\nmax_words_per_source = "lots"')
    result = run_cli("draft", config=config)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("monitor: error: ") and len(
        result.stderr.strip().splitlines()) == 1, result.stderr
    assert "[drafts] max_words_per_source must be an integer >= 1 (got \"lots\")" in result.stderr


def test_relevance_threshold_is_a_probability(tmp_path):
    with pytest.raises(ConfigError, match=r"\[relevance\] threshold"):
        load_config(write_config(tmp_path, extra="[relevance]\nthreshold = 4"))
