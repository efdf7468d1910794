"""Votes: one per person and paper, from reactions (kept per message and emoji) and buttons; seen event ids."""

from __future__ import annotations

import sqlite_utils

from storage.chat import utc_now


class VoteTables:
    db: sqlite_utils.Database

    def set_vote(self, platform: str, channel_id: str, arxiv_id: str, user_id: str, up: bool) -> bool:
        """Cast or take back one person's vote; True when something changed. A vote taken back is
        marked withdrawn, never deleted: the history of what the team liked stays."""
        stamp = utc_now().isoformat(timespec="seconds")
        key = [platform, channel_id, arxiv_id, user_id]
        with self.db.conn:
            if up:
                cursor = self.db.execute(
                    "insert into votes (platform, channel_id, arxiv_id, user_id, created_at) values (?, ?, ?, ?, ?) "
                    "on conflict do update set withdrawn_at = null, created_at = excluded.created_at "
                    "where withdrawn_at is not null", [*key, stamp])
            else:
                cursor = self.db.execute(
                    "update votes set withdrawn_at = ? where platform = ? and channel_id = ? and arxiv_id = ? "
                    "and user_id = ? and withdrawn_at is null", [stamp, *key])
            return cursor.rowcount > 0

    def set_reaction(self, platform: str, channel_id: str, message_ref: str, user_id: str, reaction: str,
                     present: bool) -> None:
        with self.db.conn:
            self.db.table("reactions").upsert({
                "platform": platform, "channel_id": channel_id, "message_ref": message_ref, "user_id": user_id,
                "reaction": reaction, "present": int(present), "at": utc_now().isoformat(timespec="seconds"),
            }, pk=("platform", "channel_id", "message_ref", "user_id", "reaction"))

    def reactions_of(self, platform: str, channel_id: str, user_id: str) -> list[tuple[str, str]]:
        """(message ref, reaction) of the vote reactions this person has on now, in this channel."""
        rows = self.db.execute("select message_ref, reaction from reactions where platform = ? and channel_id = ? "
                               "and user_id = ? and present = 1", [platform, channel_id, user_id]).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    def set_anonymous_votes(self, platform: str, channel_id: str, arxiv_id: str, count: int) -> None:
        """Channels report only how many reacted: keep that many anonymous votes standing for the paper."""
        for n in range(max(count, self._anonymous(platform, channel_id, arxiv_id))):
            self.set_vote(platform, channel_id, arxiv_id, f"anonymous:{n}", n < count)

    def _anonymous(self, platform: str, channel_id: str, arxiv_id: str) -> int:
        row = self.db.execute("select count(*) from votes where platform = ? and channel_id = ? and arxiv_id = ? "
                              "and user_id like 'anonymous:%'", [platform, channel_id, arxiv_id]).fetchone()
        return int(row[0])

    def vote_counts(self, platform: str, channel_id: str) -> dict[str, int]:
        rows = self.db.execute("select arxiv_id, count(*) from votes where platform = ? and channel_id = ? "
                               "and withdrawn_at is null group by arxiv_id", [platform, channel_id]).fetchall()
        return {r[0]: r[1] for r in rows}

    def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen (Slack retries deliver the same event again)."""
        with self.db.conn:
            cursor = self.db.execute("insert or ignore into seen_events (event_id, at) values (?, ?)",
                                     [event_id, utc_now().isoformat(timespec="seconds")])
            return cursor.rowcount == 1
