"""What every command needs: the config, the database, logging, friendly errors."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

import click
import sqlite_utils

from monitor.config import Config, ConfigError, load_config
from monitor.sources import Source, SourcesError, load_sources
from monitor.storage import StorageError, open_db


class CommandError(Exception):
    """A command-level failure with a one-line message."""


FRIENDLY_ERRORS = (ConfigError, SourcesError, StorageError, CommandError)


@dataclass
class Context:
    config_path: str | None
    verbose: bool = False
    _db: sqlite_utils.Database | None = field(default=None, repr=False)

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = open_db(self.config.database_path)
        return self._db

    def sources(self) -> list[Source]:
        """Usable sources; a bad line is reported on stderr and skipped, never fatal."""
        sources, problems = load_sources(self.config.sources_path)
        for problem in problems:
            click.echo(f"monitor: sources file {self.config.sources_path}: {problem} "
                       "(source skipped)", err=True)
        return sources

    @property
    def log_settings(self) -> dict[str, str]:
        """Scrapy logs everything with -v; otherwise only errors, one short line each."""
        if self.verbose:
            return {"LOG_LEVEL": "INFO"}
        return {"LOG_LEVEL": "ERROR", "LOG_FORMAT": "%(levelname)s %(name)s: %(message)s"}

    def setup_logging(self) -> None:
        logging.basicConfig(
            level=logging.INFO if self.verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
