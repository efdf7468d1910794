"""The one Store: the connections (one per thread), the storage threads, and every concern's tables mixed in:
channels, posts, the post log, votes, tallies, quick views, papers and the LLM cache, texts, tastes, usage."""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlite_utils

if TYPE_CHECKING:  # imported where used: `paperbot channel …` opens the Store without paying for pydantic
    from concurrent.futures import ThreadPoolExecutor

from storage.announcements import AnnouncementTables
from storage.chat import ChannelTables
from storage.claims import PostTables
from storage.errors import StoreError, explained
from storage.follows import FollowTables
from storage.marks import MarkTables
from storage.migrations import migrate
from storage.papers import PaperTables, paper_from_row
from storage.post_log import PostLogTables
from storage.quick_views import QuickViewTables
from storage.seen import SeenTables
from storage.tallies import TallyTables
from storage.taste import TasteTables
from storage.taste_stats import StatsTables
from storage.texts import TextTables
from storage.usage import UsageTables, now, today
from storage.votes import VoteTables

__all__ = ["Store", "StoreError", "now", "paper_from_row", "today"]
T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000  # the CLI waits this long for another process's write lock
STORAGE_THREAD = "paperbot-db"  # the name prefix of the threads `Store.call` runs on


def open_failure(path: Path, exc: sqlite3.Error) -> str:
    """Why the database did not open, in the person's terms: a read-only file or folder, a missing folder."""
    folder = path.parent
    if not folder.is_dir():
        return f"cannot open the database {path}: the folder {folder} does not exist. Create it or change PAPERBOT_DB."
    if path.is_dir():
        return f"PAPERBOT_DB={path} is a folder; give a file in it, such as {path / 'paperbot.db'}."
    if os.statvfs(folder).f_flag & os.ST_RDONLY:
        return f"the database {path} is on a read-only file system; change PAPERBOT_DB to a writable place."
    # SQLite keeps its journal (WAL) beside the file, so the folder must be writable as well as the file
    if path.exists() and not os.access(path, os.W_OK):
        return f"the database {path} is read-only (no write permission on the file); fix that or change PAPERBOT_DB."
    if not os.access(folder, os.W_OK) or "readonly" in str(exc):
        return (f"the database {path} is read-only (its folder {folder} cannot be written, and SQLite keeps its "
                "journal there); fix the permissions or change PAPERBOT_DB.")
    return f"cannot open the database {path}: {exc}. Check PAPERBOT_DB."


class Store(ChannelTables, PostTables, PostLogTables, VoteTables, TallyTables, QuickViewTables, PaperTables,
            TextTables, TasteTables, UsageTables, AnnouncementTables, SeenTables, MarkTables, FollowTables,
            StatsTables):
    """SQLite through sqlite-utils. Implements analysis.ports.Cache and analysis.writing.llm.UsageSink.

    One connection per thread (`db` is the calling thread's), so work sent to the storage thread with
    `call` never shares a transaction with the event loop's own reads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        # WAL with synchronous=NORMAL survives any crash of the process; a power cut may lose the last commits,
        # never the post log's intents, which are fsynced (storage.post_log)
        self.busy_ms, self.synchronous = BUSY_TIMEOUT_MS, "NORMAL"
        self.direct_busy_ms = BUSY_TIMEOUT_MS  # the wait of calls made outside `call` (serve: on its event loop)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._workers: dict[str, ThreadPoolExecutor] = {}
        try:
            db = self.db
            if self.path != ":memory:":
                db.enable_wal()
            migrate(db)
            with db.conn:  # a write that changes nothing: a read-only file says so now, not at the first real write
                db.conn.execute("update schema_version set version = version where id = 1")
        except sqlite3.Error as exc:
            raise StoreError(open_failure(Path(path), exc)) from None

    @property
    def db(self) -> sqlite_utils.Database:  # type: ignore[override]  # the mixins read it as an attribute
        """This thread's connection, opened on first use (":memory:" has one, shared: it is one database)."""
        found: sqlite_utils.Database | None = getattr(self._local, "db", None)
        if found is None:
            with self._lock:
                if self.path == ":memory:" and self._connections:
                    conn = self._connections[0]
                else:
                    wait = self._wait_here()
                    conn = sqlite3.connect(self.path, timeout=wait / 1000, check_same_thread=False)
                    self._connections.append(conn)
                    conn.execute(f"PRAGMA busy_timeout = {wait}")
                    conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            found = self._local.db = sqlite_utils.Database(conn)
        return found

    def tune(self, *, busy_ms: int, synchronous: str, direct_busy_ms: int | None = None) -> None:
        """How long to wait for another process's lock (on the storage threads; `direct_busy_ms` elsewhere),
        and how often to fsync: for connections opened from now on (serve tunes before it serves)."""
        self.busy_ms, self.synchronous = busy_ms, synchronous
        self.direct_busy_ms = busy_ms if direct_busy_ms is None else direct_busy_ms
        conn = self.db.conn  # this thread's, already open
        conn.execute(f"PRAGMA busy_timeout = {self._wait_here()}")
        conn.execute(f"PRAGMA synchronous = {synchronous}")

    def _wait_here(self) -> int:
        on_storage_thread = threading.current_thread().name.startswith(STORAGE_THREAD)
        return int(self.busy_ms if on_storage_thread else self.direct_busy_ms)

    async def call(self, fn: Callable[..., T], /, *args: Any, wait_ms: int | None = None, lane: str = "posts",
                   **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` (Store methods, storage functions) on a storage thread, never on the event
        loop. SQLite's own busy handler retries a locked database there for `wait_ms` (the Store's default
        when None); what still fails comes back as a StoreError that names the cause (DatabaseBusy,
        DatabaseFull), never as sqlite3's exception. Each `lane` has its own thread and connection, so a
        command's call never queues behind a post waiting out another process's lock."""
        import asyncio  # here: the CLI's channel commands never run a loop, and start faster without it
        from concurrent.futures import ThreadPoolExecutor

        worker = self._workers.get(lane)
        if worker is None:
            worker = self._workers[lane] = ThreadPoolExecutor(1, thread_name_prefix=f"{STORAGE_THREAD}-{lane}")
        job = functools.partial(self._guarded, fn, args, kwargs, wait_ms)
        return await asyncio.get_running_loop().run_in_executor(worker, job)

    def _guarded(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], wait_ms: int | None) -> T:
        conn = self.db.conn
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_ms if wait_ms is None else wait_ms)}")
        try:
            return fn(*args, **kwargs)
        except sqlite3.Error as exc:
            raise explained(exc) from None

    def close(self) -> None:
        for worker in self._workers.values():
            worker.shutdown(wait=True)
        self._workers.clear()
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
