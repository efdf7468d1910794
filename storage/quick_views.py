"""What each posted quick view shows, kept so that votes can redraw its counts in place."""

from __future__ import annotations

import sqlite_utils


class QuickViewTables:
    db: sqlite_utils.Database

    def save_view(self, platform: str, channel_id: str, day: str, body: str) -> None:
        with self.db.conn:
            self.db.execute("update posts set view = ? where platform = ? and channel_id = ? and day = ?",
                            [body, platform, channel_id, day])

    def view_listing(self, platform: str, channel_id: str, arxiv_id: str) -> tuple[str, str] | None:
        """(quick view ref, digest JSON) of the channel's latest quick view that lists the paper."""
        row = self.db.execute(
            "select quick_view_ref, view from posts where platform = ? and channel_id = ? and view is not null "
            "and quick_view_ref is not null and summary like ? order by day desc limit 1",
            [platform, channel_id, f'%"{arxiv_id}"%']).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def view_at(self, platform: str, channel_id: str, quick_view_ref: str) -> str | None:
        row = self.db.execute("select view from posts where platform = ? and channel_id = ? and quick_view_ref = ?",
                              [platform, channel_id, quick_view_ref]).fetchone()
        return str(row[0]) if row and row[0] else None
