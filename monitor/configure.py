"""Loading monitor.toml for use: its shape (`monitor.config`), then each table's own checks.

`monitor.config` sits beneath every module that reads a table (they take a `Config`); the
checks of meaning (time zones, URLs, choices) belong to those modules. Running them at load
would make `monitor.config` import its own importers, so this module, above both, does it.
"""

from __future__ import annotations

import os

from monitor.config import Config, read_config
from monitor.digest_settings import digest_settings
from monitor.draft_settings import DraftSettings
from monitor.publish_settings import PublishSettings
from monitor.review_settings import ReviewSettings


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate the config file; raise ConfigError with a one-line reason."""
    config = read_config(path)
    check_meaning(config)
    return config


def check_meaning(config: Config) -> None:
    """The checks each table's own module makes (time zones, URLs, choices), run once at load
    so a mistake in a table this command does not use still stops every command, clearly."""
    digest_settings(config)
    DraftSettings.from_config(config)
    PublishSettings.from_config(config)
    ReviewSettings.from_config(config)
