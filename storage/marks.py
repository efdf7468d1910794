"""👎 "not for us" marks: one per person per paper per channel, kept like votes (taken back = withdrawn).

A mark is a negative of the channel's taste and keeps the paper from being deep-dived there. Marks made
from the CLI (`paperbot taste add --not`) are stored under the empty user id; those of the default scope
('', '') apply to every channel, like the default taste's additions. Only counts leave this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

BY_HAND = ""  # the user id of a mark made with `paperbot taste add --not`


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class MarkRow:
    arxiv_id: str
    title: str
    abstract: str
    marks: int  # standing marks of people in the channel (0 for a paper only marked by hand)
    added: bool  # marked with `taste add --not` (in the channel or in the default taste)
    marked_at: str  # the latest mark


class MarkTables:
    db: sqlite_utils.Database

    def set_mark(self, platform: str, channel_id: str, arxiv_id: str, user_id: str, on: bool) -> bool:
        """Mark a paper "not for us" or take the mark back; True when something changed."""
        key = [platform, channel_id, arxiv_id, user_id]
        with self.db.conn:
            if on:
                cursor = self.db.execute(
                    "insert into marks (platform, channel_id, arxiv_id, user_id, created_at) values (?, ?, ?, ?, ?) "
                    "on conflict do update set withdrawn_at = null, created_at = excluded.created_at "
                    "where withdrawn_at is not null", [*key, _now()])
            else:
                cursor = self.db.execute(
                    "update marks set withdrawn_at = ? where platform = ? and channel_id = ? and arxiv_id = ? "
                    "and user_id = ? and withdrawn_at is null", [_now(), *key])
            return cursor.rowcount > 0

    def toggle_mark(self, platform: str, channel_id: str, arxiv_id: str, user_id: str) -> bool:
        """A 👎 button: the first press marks, the next takes it back. True when the mark now stands."""
        if self.set_mark(platform, channel_id, arxiv_id, user_id, True):
            return True
        self.set_mark(platform, channel_id, arxiv_id, user_id, False)
        return False

    def add_marks(self, scope: tuple[str, str], arxiv_ids: list[str]) -> int:
        """`taste add --not`: mark papers by hand; returns how many were not marked by hand yet."""
        return sum(self.set_mark(*scope, arxiv_id, BY_HAND, True) for arxiv_id in arxiv_ids)

    def clear_marks(self, scope: tuple[str, str], arxiv_ids: list[str]) -> list[str]:
        """`taste remove --not`: take back every standing mark (by hand and by people) on these papers."""
        cleared = []
        with self.db.conn:
            for arxiv_id in arxiv_ids:
                cursor = self.db.execute(
                    "update marks set withdrawn_at = ? where platform = ? and channel_id = ? and arxiv_id = ? "
                    "and withdrawn_at is null", [_now(), *scope, arxiv_id])
                if cursor.rowcount:
                    cleared.append(arxiv_id)
        return cleared

    def set_anonymous_marks(self, platform: str, channel_id: str, arxiv_id: str, count: int) -> None:
        """Channels report only how many reacted 👎: keep that many anonymous marks standing for the paper."""
        row = self.db.execute("select count(*) from marks where platform = ? and channel_id = ? and arxiv_id = ? "
                              "and user_id like 'anonymous:%'", [platform, channel_id, arxiv_id]).fetchone()
        for n in range(max(count, int(row[0]))):
            self.set_mark(platform, channel_id, arxiv_id, f"anonymous:{n}", n < count)

    def mark_counts(self, platform: str, channel_id: str) -> dict[str, int]:
        """Standing marks per paper in the channel (hand marks count one), what the quick view shows."""
        rows = self.db.execute("select arxiv_id, count(*) from marks where platform = ? and channel_id = ? "
                               "and withdrawn_at is null group by arxiv_id", [platform, channel_id]).fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def marked_ids(self, scope: tuple[str, str]) -> set[str]:
        """Papers "not for us" in a channel: its own marks and the default taste's hand marks."""
        rows = self.db.execute("select distinct arxiv_id from marks where withdrawn_at is null and "
                               "((platform = '' and channel_id = '') or (platform = ? and channel_id = ?))",
                               list(scope)).fetchall()
        return {str(r[0]) for r in rows}

    def mark_rows(self, scope: tuple[str, str]) -> list[MarkRow]:
        """The marked papers of a channel (with the default taste's hand marks), or of the default taste
        alone for ('', ''); most marked first, then most recent. Papers we hold no text of are left out."""
        sql = """
            select m.arxiv_id, p.title, p.abstract, sum(m.user_id != ''), max(m.user_id = ''), max(m.created_at)
            from marks m join papers p on p.arxiv_id = m.arxiv_id
            where m.withdrawn_at is null and ((m.platform = '' and m.channel_id = '')
                                              or (m.platform = ? and m.channel_id = ?))
            group by m.arxiv_id order by sum(m.user_id != '') desc, max(m.created_at) desc, m.arxiv_id
        """
        return [MarkRow(arxiv_id=str(r[0]), title=r[1] or "", abstract=r[2] or "", marks=int(r[3]),
                        added=bool(r[4]), marked_at=str(r[5] or ""))
                for r in self.db.execute(sql, list(scope)).fetchall()]
