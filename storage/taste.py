"""A taste's papers: added by hand to a channel (or to the default taste), plus the channel's standing votes.

Votes are not copied into the taste: a channel's taste is read from the votes as they stand, so a vote
taken back leaves the taste unless someone else still votes for the paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils

DEFAULT_SCOPE = ("", "")  # (platform, channel_id) of the default taste


@dataclass(frozen=True)
class TasteRow:
    arxiv_id: str
    title: str
    abstract: str
    votes: int  # standing votes in the channel (0 for a paper only added)
    added: bool  # added with `taste add` / `taste import` (to the channel or to the default taste)
    liked_at: str  # the latest vote or addition


class TasteTables:
    db: sqlite_utils.Database

    def add_taste(self, scope: tuple[str, str], arxiv_ids: list[str]) -> int:
        """Add papers to a taste; returns how many were not in it yet."""
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self.db.conn:
            before = self.db.table("taste").count
            self.db.table("taste").insert_all(
                [{"platform": scope[0], "channel_id": scope[1], "arxiv_id": a, "added_at": stamp} for a in arxiv_ids],
                pk=("platform", "channel_id", "arxiv_id"), ignore=True)
            return self.db.table("taste").count - before

    def remove_taste(self, scope: tuple[str, str], arxiv_ids: list[str]) -> list[str]:
        """Take papers out of a taste's additions; returns those that were in it."""
        removed = []
        with self.db.conn:
            for arxiv_id in arxiv_ids:
                cursor = self.db.execute("delete from taste where platform = ? and channel_id = ? and arxiv_id = ?",
                                         [*scope, arxiv_id])
                if cursor.rowcount:
                    removed.append(arxiv_id)
        return removed

    def taste_rows(self, scope: tuple[str, str]) -> list[TasteRow]:
        """The liked papers of a channel (its additions, the default taste's, its standing votes), or of
        the default taste alone for DEFAULT_SCOPE; most voted first, then most recent. Papers we hold no
        text of are left out: there is nothing to learn from them."""
        sql = """
            with liked as (
                select arxiv_id, 0 as vote, 1 as added, added_at as at from taste
                    where (platform = '' and channel_id = '') or (platform = ? and channel_id = ?)
                union all
                select arxiv_id, 1, 0, coalesce(created_at, '') from votes
                    where platform = ? and channel_id = ? and withdrawn_at is null
            )
            select l.arxiv_id, p.title, p.abstract, sum(l.vote), max(l.added), max(l.at)
            from liked l join papers p on p.arxiv_id = l.arxiv_id
            group by l.arxiv_id order by sum(l.vote) desc, max(l.at) desc, l.arxiv_id
        """
        rows = self.db.execute(sql, [*scope, *scope]).fetchall()
        return [TasteRow(arxiv_id=r[0], title=r[1] or "", abstract=r[2] or "", votes=int(r[3]), added=bool(r[4]),
                         liked_at=str(r[5] or "")) for r in rows]

    def recent_texts(self, limit: int = 2000) -> list[tuple[str, str, str]]:
        """(id, title, abstract) of the most recently seen stored papers: what a taste is told apart from."""
        rows = self.db.execute("select arxiv_id, title, abstract from papers order by first_seen desc, "
                               "rowid desc limit ?", [limit]).fetchall()
        return [(r[0], r[1] or "", r[2] or "") for r in rows]
