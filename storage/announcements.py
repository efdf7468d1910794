"""arXiv announcements already listed, kept so that a rerun of a past announcement makes no request.

One row per (announcement date, followed categories): the papers (`new` and `cross`, or the API
window's listing) as JSON, and the replacements the feed named. Only complete listings are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from analysis.models import Paper


class AnnouncementTables:
    db: sqlite_utils.Database

    def stored_announcement(self, day: str, categories: str) -> tuple[list[Paper], list[dict[str, object]]] | None:
        """The stored papers and replacements of the announcement dated `day`, or None."""
        from analysis.models import Paper

        row = self.db.execute("select papers, replaced from arxiv_announcements where day = ? and categories = ?",
                              [day, categories]).fetchone()
        if row is None:
            return None
        papers = [Paper.model_validate(p) for p in json.loads(row[0])]
        return papers, list(json.loads(row[1] or "[]"))

    def save_announcement(self, day: str, categories: str, papers: list[Paper], replaced: list[dict[str, object]],
                          source: str) -> None:
        body = json.dumps([p.model_dump(mode="json") for p in papers])
        with self.db.conn:
            self.db.execute(
                "insert or replace into arxiv_announcements (day, categories, papers, replaced, source, stored_at) "
                "values (?, ?, ?, ?, ?, ?)",
                [day, categories, body, json.dumps(replaced), source,
                 dt.datetime.now(dt.UTC).isoformat(timespec="seconds")])
