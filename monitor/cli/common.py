"""What every command needs: the config, the database, logging, friendly errors."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import click

from monitor.config import Config, ConfigError
from monitor.configure import load_config
from monitor.sources import Source, SourcesError, load_sources
from monitor.storage import StorageError, open_db

if TYPE_CHECKING:
    import sqlite_utils


@contextmanager
def exclusive(config: Config) -> Iterator[None]:
    """Hold the run lock for a command that changes stored state, like `monitor run` does.

    A manual `monitor draft` during a cron pass would otherwise race it for the same drafts.
    """
    from monitor.lock import EXIT_BUSY, LockBusy, LockError, RunLock

    lock = RunLock(config.lock_path)
    try:
        lock.acquire()
    except LockBusy as exc:
        click.echo(f"monitor: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except LockError as exc:
        raise CommandError(str(exc)) from None
    try:
        yield
    finally:
        lock.release()


def locked(command: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a `pass_obj` command so its whole body runs under the run lock."""

    @functools.wraps(command)
    def wrapper(obj: Context, *args: Any, **kwargs: Any) -> Any:
        with exclusive(obj.config):
            return command(obj, *args, **kwargs)

    return wrapper


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
            outcome = "source skipped" if problem.severity == "error" else "warning"
            click.echo(f"monitor: sources file {self.config.sources_path}: {problem} "
                       f"({outcome})", err=True)
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
