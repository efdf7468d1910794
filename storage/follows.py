"""A channel's followed authors, as the team typed them; one row per name (case, spaces and accents aside)."""

from __future__ import annotations

import datetime as dt
import unicodedata

import sqlite_utils


def name_key(name: str) -> str:
    """What makes two spellings one follow: "Kaiming  He" and "kaiming he", "Renée" and "Renee"."""
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode() or name
    return " ".join(flat.casefold().replace(".", ". ").split())


class FollowTables:
    db: sqlite_utils.Database

    def follow(self, platform: str, channel_id: str, names: list[str]) -> list[str]:
        """Follow authors; returns the names that were not followed yet."""
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        added = []
        with self.db.conn:
            for name in names:
                cursor = self.db.execute(
                    "insert or ignore into follows (platform, channel_id, name_key, name, added_at) "
                    "values (?, ?, ?, ?, ?)", [platform, channel_id, name_key(name), name, stamp])
                if cursor.rowcount:
                    added.append(name)
        return added

    def unfollow(self, platform: str, channel_id: str, name: str) -> str | None:
        """Stop following `name`; returns the name as it was followed, or None when it was not."""
        key = [platform, channel_id, name_key(name)]
        with self.db.conn:
            row = self.db.execute("select name from follows where platform = ? and channel_id = ? and name_key = ?",
                                  key).fetchone()
            if row is None:
                return None
            self.db.execute("delete from follows where platform = ? and channel_id = ? and name_key = ?", key)
        return str(row[0])

    def follows(self, platform: str, channel_id: str) -> list[str]:
        """The channel's followed authors, in the order they were followed."""
        rows = self.db.execute("select name from follows where platform = ? and channel_id = ? "
                               "order by added_at, rowid", [platform, channel_id]).fetchall()
        return [str(r[0]) for r in rows]
