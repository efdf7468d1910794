"""The one Store: papers, the LLM cache and usage here; channels, posts and votes in storage.chat."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils

from analysis.errors import PaperbotError

if TYPE_CHECKING:  # imported where used: `paperbot channel …` opens the Store without paying for pydantic
    from analysis.models import Analysis, Paper, Score
from storage import paper_rows
from storage.chat import ChatTables
from storage.follows import FollowTables
from storage.marks import MarkTables
from storage.migrations import migrate
from storage.quick_views import QuickViewTables
from storage.taste import TasteTables
from storage.taste_stats import StatsTables
from storage.texts import TextTables


class StoreError(PaperbotError):
    """The database file cannot be opened or written."""


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


class Store(ChatTables, TextTables, TasteTables, QuickViewTables, MarkTables, FollowTables,
            StatsTables):
    """SQLite through sqlite-utils. Implements analysis.ports.Cache and analysis.writing.llm.UsageSink."""

    def __init__(self, path: str | Path) -> None:
        try:
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 30000")
            self.db = sqlite_utils.Database(conn)
            if str(path) != ":memory:":
                self.db.enable_wal()
            migrate(self.db)
            with conn:  # a write that changes nothing: a read-only file says so now, not at the first real write
                conn.execute("update schema_version set version = version where id = 1")
        except sqlite3.Error as exc:
            raise StoreError(open_failure(Path(path), exc)) from None

    def close(self) -> None:
        self.db.close()

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
