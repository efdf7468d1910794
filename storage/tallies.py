"""Read-only tallies of a channel's votes and posts: the most voted papers, whether a week has begun."""

from __future__ import annotations

import sqlite_utils


class TallyTables:
    db: sqlite_utils.Database

    def most_voted(self, platform: str, channel_id: str, since: str, limit: int,
                   until: str = "9999") -> list[tuple[str, str, int, str]]:
        """(id, title, standing votes, latest vote time) of papers voted up from `since` to before `until`
        (ISO times), most votes first."""
        rows = self.db.execute(
            "select v.arxiv_id, coalesce(p.title, v.arxiv_id), count(*) as n, max(v.created_at) as last "
            "from votes v left join papers p on p.arxiv_id = v.arxiv_id where v.platform = ? and "
            "v.channel_id = ? and v.withdrawn_at is null and v.created_at >= ? and v.created_at < ? "
            "group by v.arxiv_id order by n desc, last desc limit ?",
            [platform, channel_id, since, until, limit]).fetchall()
        return [(str(r[0]), " ".join(str(r[1]).split()), int(r[2]), str(r[3])) for r in rows]

    def posted_between(self, platform: str, channel_id: str, first_day: str, before_day: str) -> bool:
        """Whether a digest of a day from `first_day` to before `before_day` was posted to the channel."""
        return self.db.execute(
            "select 1 from posts where platform = ? and channel_id = ? and day >= ? and day < ? and "
            "status = 'posted'", [platform, channel_id, first_day, before_day]).fetchone() is not None
