"""The post log: each message of a digest is written down before it is sent and confirmed after it was.

A message is keyed by (platform, channel, day, key): "quick_view", "weekly", "dive:<arxiv id>", and
"note:<key>" for the line that says a message may be missing. Its row says `sending` from the moment
the intent is committed, which is before the platform is called, and `sent` (with the message refs)
once the platform answered. A run that finds a `sending` row cannot know whether the platform got it,
so it never sends that message again: a missing deep dive, said so in the thread, beats a duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum

import sqlite_utils

QUICK_VIEW, WEEKLY = "quick_view", "weekly"


def dive_key(arxiv_id: str) -> str:
    return f"dive:{arxiv_id}"


def note_key(key: str) -> str:
    return f"note:{key}"


class Intent(StrEnum):
    """What `begin_message` found: send it now, it was sent, or it may have been sent (never again)."""
    NEW = "new"
    SENT = "sent"
    UNCERTAIN = "sending"


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class PostLogTables:
    db: sqlite_utils.Database
    synchronous: str  # the connections' PRAGMA synchronous outside the intent's commit

    def begin_message(self, platform: str, channel_id: str, day: str, key: str,
                      arxiv_id: str | None = None) -> Intent:
        """Commit the intent to send `key` (NEW), or say what an earlier run left (SENT or UNCERTAIN).
        Raises when the intent cannot be committed: then nothing may be sent."""
        conn = self.db.conn
        # the intent is what stops a second send, so it must outlive a power cut too: this commit is fsynced
        # even where others skip it (synchronous=NORMAL, which a process crash cannot hurt in WAL mode)
        conn.execute("PRAGMA synchronous = FULL")
        try:
            with conn:
                cursor = conn.execute(
                    "insert or ignore into post_log (platform, channel_id, day, key, arxiv_id, state, started_at) "
                    "values (?, ?, ?, ?, ?, 'sending', ?)", [platform, channel_id, day, key, arxiv_id, _stamp()])
                if cursor.rowcount == 1:
                    return Intent.NEW
                row = conn.execute("select state from post_log where platform = ? and channel_id = ? and day = ? "
                                   "and key = ?", [platform, channel_id, day, key]).fetchone()
        finally:
            conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        return Intent(row[0])

    def forget_message(self, platform: str, channel_id: str, day: str, key: str) -> None:
        """The platform refused the message (so it is certainly not there): a later run may send it."""
        with self.db.conn:
            self.db.execute("delete from post_log where platform = ? and channel_id = ? and day = ? and key = ? "
                            "and state = 'sending'", [platform, channel_id, day, key])

    def message_sent(self, platform: str, channel_id: str, day: str, key: str, refs: list[str], *, kind: str,
                     arxiv_id: str | None = None, position: int | None = None) -> None:
        """Confirm `key` and remember its refs (votes and threads find the paper by them), in one commit."""
        with self.db.conn:
            self._confirm(platform, channel_id, day, key, refs)
            for ref in refs:
                self._record(platform, channel_id, day, ref, kind, arxiv_id, position)

    def quick_view_sent(self, platform: str, channel_id: str, day: str, ref: str, listed: list[str],
                        view: str | None) -> None:
        """Confirm the quick view with everything later runs and votes need of it, in one commit: its ref,
        the papers it listed in order, and the digest it shows (for redraws)."""
        with self.db.conn:
            self._confirm(platform, channel_id, day, QUICK_VIEW, [ref])
            self._record(platform, channel_id, day, ref, "quick_view", None, None)
            self.db.execute("update posts set quick_view_ref = ?, view = ? where platform = ? and channel_id = ? "
                            "and day = ?", [ref, view, platform, channel_id, day])
            self.db.execute("delete from post_papers where platform = ? and channel_id = ? and day = ?",
                            [platform, channel_id, day])
            self.db.conn.executemany(
                "insert or ignore into post_papers (platform, channel_id, day, position, arxiv_id) "
                "values (?, ?, ?, ?, ?)", [(platform, channel_id, day, n, pid) for n, pid in enumerate(listed)])

    def thread_replaced(self, platform: str, channel_id: str, day: str, key: str, ref: str) -> None:
        """Confirm the note standing in for a quick view that may be missing: the day's thread from now on
        (it lists no papers, so keycap votes on it count for nothing)."""
        with self.db.conn:
            self._confirm(platform, channel_id, day, key, [ref])
            self._record(platform, channel_id, day, ref, "note", None, None)
            self.db.execute("update posts set quick_view_ref = ? where platform = ? and channel_id = ? and day = ?",
                            [ref, platform, channel_id, day])

    def record_message(self, platform: str, channel_id: str, day: str, ref: str, *, kind: str,
                       arxiv_id: str | None = None, position: int | None = None) -> None:
        """A message outside a digest (a /deepdive or /ask answer): no intent, only its ref for votes."""
        with self.db.conn:
            self._record(platform, channel_id, day, ref, kind, arxiv_id, position)

    def uncertain_messages(self, platform: str, channel_id: str, day: str) -> list[str]:
        """Keys tried and never confirmed: each may be in the channel or missing."""
        rows = self.db.execute("select key from post_log where platform = ? and channel_id = ? and day = ? and "
                               "state = 'sending' and key not like 'note:%' order by started_at",
                               [platform, channel_id, day]).fetchall()
        return [str(r[0]) for r in rows]

    def dived_before(self, platform: str, channel_id: str, before_day: str) -> set[str]:
        """Papers this channel got (or may have got) a deep dive of on days before `before_day`."""
        rows = self.db.execute(
            "select arxiv_id from post_log where platform = ? and channel_id = ? and day < ? and key like 'dive:%' "
            "union select arxiv_id from post_messages where platform = ? and channel_id = ? and day < ? "
            "and kind = 'deep_dive'", [platform, channel_id, before_day] * 2).fetchall()
        return {str(r[0]) for r in rows if r[0]}

    def listed_papers(self, platform: str, channel_id: str, quick_view_ref: str) -> list[str]:
        """The quick view's papers in the order it listed them (keycap and button votes count on it)."""
        rows = self.db.execute(
            "select l.arxiv_id from post_papers l join posts p on p.platform = l.platform and "
            "p.channel_id = l.channel_id and p.day = l.day where p.platform = ? and p.channel_id = ? and "
            "p.quick_view_ref = ? order by l.position", [platform, channel_id, quick_view_ref]).fetchall()
        return [str(r[0]) for r in rows]

    def listed_before(self, platform: str, channel_id: str, day: str) -> set[str]:
        """Every paper a quick view of this channel listed on a day before `day`."""
        rows = self.db.execute("select distinct arxiv_id from post_papers where platform = ? and channel_id = ? "
                               "and day < ?", [platform, channel_id, day]).fetchall()
        return {str(r[0]) for r in rows}

    def _confirm(self, platform: str, channel_id: str, day: str, key: str, refs: list[str]) -> None:
        self.db.execute("update post_log set state = 'sent', refs = ?, sent_at = ? where platform = ? and "
                        "channel_id = ? and day = ? and key = ?",
                        [json.dumps(refs), _stamp(), platform, channel_id, day, key])

    def _record(self, platform: str, channel_id: str, day: str, ref: str, kind: str, arxiv_id: str | None,
                position: int | None) -> None:
        self.db.execute(
            "insert or replace into post_messages (platform, channel_id, day, arxiv_id, kind, position, "
            "message_ref, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [platform, channel_id, day, arxiv_id, kind, position, ref, _stamp()])
