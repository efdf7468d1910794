"""What a failed SQLite call means to a person: busy (another process holds the lock), full, or broken."""

from __future__ import annotations

import sqlite3

from analysis.errors import PaperbotError

BUSY_LINE = "paperbot's database is busy, try again in a minute."


class StoreError(PaperbotError):
    """The database file cannot be opened or written."""


class DatabaseBusy(StoreError):
    """Another process (or connection) held the write lock for longer than paperbot waits."""

    def __init__(self, message: str = BUSY_LINE) -> None:
        super().__init__(message)


class DatabaseFull(StoreError):
    """The disk (or the process's file-size limit) refused the write."""


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and (
        getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
        or "locked" in str(exc) or "busy" in str(exc))


def explained(exc: sqlite3.Error) -> StoreError:
    """The one-line error for a failed call, naming the cause; never the exception's class name."""
    name = getattr(exc, "sqlite_errorname", "")
    if is_busy(exc):
        return DatabaseBusy()
    if name == "SQLITE_FULL" or "full" in str(exc):
        return DatabaseFull("the database's disk is full (SQLite: database or disk is full); free some space "
                            "or move PAPERBOT_DB, then run again.")
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in str(exc):
        return DatabaseFull(f"could not write the database (SQLite: {exc}); the disk may be full or failing: "
                            "check free space and the file-size limit (ulimit -f), then run again.")
    return StoreError(f"the database failed ({exc}); check PAPERBOT_DB.")
