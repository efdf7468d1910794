"""What each channel has already been shown: papers (any version) and the arXiv announcements posted.

A paper in an earlier digest of a channel is not new again there; the latest announcement posted is
where the channel's next morning starts; a new version of a liked paper is shown once per version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlite_utils

PAPER, UPDATE = "paper", "update"  # kinds of `channel_seen` rows: a paper listed, a new version shown


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class SeenTables:
    db: sqlite_utils.Database

    def seen_ids(self, platform: str, channel_id: str) -> set[str]:
        rows = self.db.execute("select arxiv_id from channel_seen where platform = ? and channel_id = ? and kind = ?",
                               [platform, channel_id, PAPER]).fetchall()
        return {r[0] for r in rows}

    def shown_updates(self, platform: str, channel_id: str) -> set[tuple[str, int]]:
        rows = self.db.execute("select arxiv_id, version from channel_seen where platform = ? and channel_id = ? "
                               "and kind = ?", [platform, channel_id, UPDATE]).fetchall()
        return {(r[0], int(r[1])) for r in rows}

    def liked_ids(self, platform: str, channel_id: str) -> set[str]:
        """Papers the channel voted up (a vote standing) or got a deep dive of."""
        rows = self.db.execute(
            "select arxiv_id from votes where platform = ? and channel_id = ? and withdrawn_at is null "
            "union select arxiv_id from post_messages where platform = ? and channel_id = ? and kind = 'deep_dive' "
            "and arxiv_id is not null", [platform, channel_id, platform, channel_id]).fetchall()
        return {r[0] for r in rows}

    def last_announcement(self, platform: str, channel_id: str) -> dt.date | None:
        row = self.db.execute("select max(day) from channel_announcements where platform = ? and channel_id = ?",
                              [platform, channel_id]).fetchone()
        return dt.date.fromisoformat(row[0]) if row and row[0] else None

    def remember_shown(self, platform: str, channel_id: str, day: str, ids: Iterable[str],
                       updates: Iterable[tuple[str, int]] = (), announcements: Iterable[str] = ()) -> None:
        """Record a posted digest: its papers, the new versions it showed and the announcements it took."""
        at = _now()
        rows = [(platform, channel_id, i, 0, PAPER, day, at) for i in ids]
        rows += [(platform, channel_id, i, v, UPDATE, day, at) for i, v in updates]
        with self.db.conn:
            self.db.conn.executemany("insert or ignore into channel_seen (platform, channel_id, arxiv_id, version, "
                                     "kind, day, at) values (?, ?, ?, ?, ?, ?, ?)", rows)
            self.db.conn.executemany("insert or ignore into channel_announcements (platform, channel_id, day, at) "
                                     "values (?, ?, ?, ?)", [(platform, channel_id, a, at) for a in announcements])
