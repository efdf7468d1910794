"""The one Store: papers, the LLM cache and usage here; channels, posts and votes in storage.chat."""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlite_utils

if TYPE_CHECKING:  # imported where used: `paperbot channel …` opens the Store without paying for pydantic
    from analysis.models import Analysis, Paper, Score
from storage import paper_rows
from storage.announcements import AnnouncementTables
from storage.chat import ChatTables
from storage.errors import StoreError, explained
from storage.follows import FollowTables
from storage.marks import MarkTables
from storage.migrations import migrate
from storage.post_log import PostLogTables
from storage.quick_views import QuickViewTables
from storage.seen import SeenTables
from storage.tallies import TallyTables
from storage.taste import TasteTables
from storage.taste_stats import StatsTables
from storage.texts import TextTables

__all__ = ["Store", "StoreError"]
T = TypeVar("T")
BUSY_TIMEOUT_MS = 30_000  # the CLI waits this long for another process's write lock


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


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


def paper_from_row(row: dict[str, Any]) -> Paper:
    """A `papers` row as a Paper; `source` is "hf", "arxiv" or "hf,arxiv", which Paper reads into `sources`."""
    from analysis.models import Paper

    return Paper.model_validate({
        "arxiv_id": row["arxiv_id"], "title": row["title"], "abstract": row["abstract"] or "",
        "authors": json.loads(row["authors"] or "[]"), "published": row["published"],
        "upvotes": row["upvotes"] or 0, "source": row["source"] or "hf", "github": row["github"],
        "categories": json.loads(row.get("categories") or "[]"), "ai_summary": row.get("ai_summary"),
        "thumbnail": row.get("thumbnail")})


class Store(ChatTables, TextTables, TasteTables, QuickViewTables, PostLogTables, TallyTables, AnnouncementTables,
            SeenTables, MarkTables, FollowTables, StatsTables):
    """SQLite through sqlite-utils. Implements analysis.ports.Cache and analysis.writing.llm.UsageSink.

    One connection per thread (`db` is the calling thread's), so work sent to the storage thread with
    `call` never shares a transaction with the event loop's own reads."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.busy_ms, self.synchronous = BUSY_TIMEOUT_MS, "FULL"
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._worker: ThreadPoolExecutor | None = None
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
                    conn = sqlite3.connect(self.path, timeout=self.busy_ms / 1000, check_same_thread=False)
                    self._connections.append(conn)
                    conn.execute(f"PRAGMA busy_timeout = {int(self.busy_ms)}")
                    conn.execute(f"PRAGMA synchronous = {self.synchronous}")
            found = self._local.db = sqlite_utils.Database(conn)
        return found

    def tune(self, *, busy_ms: int, synchronous: str) -> None:
        """How long to wait for another process's lock, and how often to fsync: for every connection, now
        and later."""
        self.busy_ms, self.synchronous = busy_ms, synchronous
        with self._lock:
            for conn in self._connections:
                conn.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
                conn.execute(f"PRAGMA synchronous = {synchronous}")

    async def call(self, fn: Callable[..., T], /, *args: Any, wait_ms: int | None = None, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` (Store methods, storage functions) on the one storage thread, never on
        the event loop. SQLite's own busy handler retries a locked database there for `wait_ms` (the
        Store's default when None); what still fails comes back as a StoreError that names the cause
        (DatabaseBusy, DatabaseFull), never as sqlite3's exception."""
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="paperbot-db")
        job = functools.partial(self._guarded, fn, args, kwargs, wait_ms)
        import asyncio  # here: `paperbot channel …` opens the Store without paying for asyncio

        return await asyncio.get_running_loop().run_in_executor(self._worker, job)

    def _guarded(self, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any], wait_ms: int | None) -> T:
        conn = self.db.conn
        if wait_ms is not None:
            conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            return fn(*args, **kwargs)
        except sqlite3.Error as exc:
            raise explained(exc) from None
        finally:
            if wait_ms is not None:
                conn.execute(f"PRAGMA busy_timeout = {int(self.busy_ms)}")

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)
            self._worker = None
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    # -- papers ------------------------------------------------------------------------------
    def save_papers(self, papers: list[Paper], day: str | None = None) -> None:
        rows = [{
            "arxiv_id": p.arxiv_id, "title": p.title, "abstract": p.abstract, "authors": json.dumps(p.authors),
            "published": p.published, "upvotes": p.upvotes, "source": ",".join(p.sources), "github": p.github,
            "categories": json.dumps(p.categories), "ai_summary": p.ai_summary, "thumbnail": p.thumbnail,
            "first_seen": day or today(),
        } for p in papers]
        if not rows:
            return
        with self.db.conn:
            # insert-then-update keeps first_seen of papers we had: it says which day first listed them
            old = paper_rows.existing(self.db, [p.arxiv_id for p in papers])
            self.db.table("papers").insert_all(rows, pk="arxiv_id", ignore=True)
            self.db.table("papers").upsert_all(
                [paper_rows.merged(old.get(str(r["arxiv_id"])), {k: v for k, v in r.items() if k != "first_seen"})
                 for r in rows], pk="arxiv_id")
            if day:
                self.db.table("day_papers").upsert_all(
                    [{"day": day, "arxiv_id": p.arxiv_id, "rank": i} for i, p in enumerate(papers)],
                    pk=("day", "arxiv_id"),
                )

    def get_paper(self, arxiv_id: str) -> Paper | None:
        rows = list(self.db.table("papers").rows_where("arxiv_id = ?", [arxiv_id]))
        return paper_from_row(rows[0]) if rows else None

    # -- LLM cache ---------------------------------------------------------------------------
    def cached_scores(self, ids: list[str], model: str, version: str) -> dict[str, Score]:
        from analysis.models import Score

        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = self.db.table("scores").rows_where(
            f"model = ? and prompt_version = ? and arxiv_id in ({marks})", [model, version, *ids]
        )
        return {r["arxiv_id"]: Score(arxiv_id=r["arxiv_id"], score=r["score"], reason=r["reason"] or "")
                for r in rows}

    def save_scores(self, scores: list[Score], model: str, version: str) -> None:
        if scores:
            self.db.table("scores").upsert_all([{
                "arxiv_id": s.arxiv_id, "model": model, "prompt_version": version, "score": s.score,
                "reason": s.reason, "created_at": now(),
            } for s in scores], pk=("arxiv_id", "model", "prompt_version"))

    def cached_analysis(self, arxiv_id: str, model: str, version: str) -> Analysis | None:
        from analysis.models import Analysis

        rows = list(self.db.table("analyses").rows_where(
            "arxiv_id = ? and model = ? and prompt_version = ?", [arxiv_id, model, version]))
        return Analysis.model_validate_json(rows[0]["body"]) if rows else None

    def save_analysis(self, analysis: Analysis, model: str, version: str) -> None:
        self.db.table("analyses").upsert({
            "arxiv_id": analysis.arxiv_id, "model": model, "prompt_version": version,
            "body": analysis.model_dump_json(), "used_model": analysis.model, "created_at": now(),
        }, pk=("arxiv_id", "model", "prompt_version"))

    # -- LLM usage ---------------------------------------------------------------------------
    def record_usage(self, *, kind: str, model: str, prompt_tokens: int, completion_tokens: int,
                     cost_usd: float, ok: bool) -> None:
        self.db.table("llm_usage").insert({
            "at": now(), "day": today(), "kind": kind, "model": model, "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens, "cost_usd": cost_usd, "ok": int(ok),
        })

    def spent_today(self) -> float:
        row = self.db.execute("select coalesce(sum(cost_usd), 0) from llm_usage where day = ?",
                              [today()]).fetchone()
        return float(row[0])

    def usage_by_kind(self, day: str | None = None) -> list[dict[str, object]]:
        """Calls, tokens and cost per kind of call, for one day or for all time."""
        where, params = ("where day = ?", [day]) if day else ("", [])
        sql = (
            "select kind, count(*) as calls, sum(prompt_tokens) as prompt_tokens, "
            "sum(completion_tokens) as completion_tokens, sum(cost_usd) as cost_usd "
            f"from llm_usage {where} group by kind order by kind"
        )
        return [dict(zip(["kind", "calls", "prompt_tokens", "completion_tokens", "cost_usd"], row, strict=True))
                for row in self.db.execute(sql, params).fetchall()]
