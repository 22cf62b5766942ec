"""One run at a time: an exclusive flock on a file beside the database.

The kernel releases a flock when its holder dies, however it dies (even SIGKILL), so a lock
left by a killed run never blocks the next one. The pid written into the file is only there to
tell a waiting operator who holds the lock; it is never trusted to decide anything.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

EXIT_BUSY = 75  # exit status of a command that found another run holding the lock


class LockError(Exception):
    """The lock file cannot be created or opened (read-only folder, permissions)."""


class LockBusy(Exception):
    """Another live process holds the lock."""

    def __init__(self, path: Path, pid: int | None, what: str = "run") -> None:
        self.path = path
        self.pid = pid
        holder = f"pid {pid}" if pid else "pid unknown"
        super().__init__(f"another {what} is in progress ({holder})")


def read_pid(path: Path) -> int | None:
    """The pid recorded in a lock file, or None when it is missing, empty or garbage."""
    try:
        text = Path(path).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this pid exists (signal 0 checks without sending anything)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """Exclusive, non-blocking lock; use as a context manager around a whole pass."""

    def __init__(self, path: str | os.PathLike, what: str = "run") -> None:
        self.path = Path(path)
        self.what = what
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise LockError(f"cannot create lock file {self.path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockBusy(self.path, read_pid(self.path), self.what) from None
        except OSError as exc:
            os.close(fd)
            raise LockError(f"cannot lock {self.path}: {exc.strerror}") from None
        # We hold the lock: whatever pid a killed holder left in the file is stale; replace it.
        # The pid is only informative, so a full disk (ENOSPC on the write) leaves the file
        # empty ("pid unknown" to a waiter) instead of stopping the pass with a traceback;
        # the flock itself needs no space.
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError:
            pass
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)  # closing releases the flock even if the unlock failed
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
