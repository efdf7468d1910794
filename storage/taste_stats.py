"""What `/taste` and `paperbot taste stats` read: the channel's recent votes and marks, and the rankings
its quick views showed (the stored digest of each posted day). Read-only."""

from __future__ import annotations

import sqlite_utils


class StatsTables:
    db: sqlite_utils.Database

    def votes_since(self, platform: str, channel_id: str, since: str) -> list[tuple[str, str]]:
        """(paper, time of its latest standing vote) of the papers voted up from `since` on (ISO time)."""
        return self._since("votes", platform, channel_id, since)

    def marks_since(self, platform: str, channel_id: str, since: str) -> list[tuple[str, str]]:
        """(paper, time of its latest standing mark) of the papers people marked 👎 from `since` on."""
        return self._since("marks", platform, channel_id, since, "and user_id != ''")

    def shown_views(self, platform: str, channel_id: str, since_day: str) -> list[tuple[str, str]]:
        """(day, the digest its quick view showed, as JSON) of the channel's posts from `since_day` on, oldest first."""
        rows = self.db.execute("select day, view from posts where platform = ? and channel_id = ? and day >= ? "
                               "and view is not null and quick_view_ref is not null order by day",
                               [platform, channel_id, since_day]).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def _since(self, table: str, platform: str, channel_id: str, since: str, extra: str = "") -> list[tuple[str, str]]:
        rows = self.db.execute(f"select arxiv_id, max(created_at) from {table} where platform = ? and channel_id = ? "
                               f"and withdrawn_at is null and created_at >= ? {extra} group by arxiv_id "
                               "order by arxiv_id", [platform, channel_id, since]).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]
