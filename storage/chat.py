"""Channels, posts (claimed before posting, finished after; each message in storage.post_log) and votes."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Literal

import sqlite_utils

Platform = Literal["slack", "telegram", "feishu"]
ClaimState = Literal["new", "resume", "done", "busy"]
STALE_CLAIM = dt.timedelta(minutes=15)  # a claim older than this was left by a dead process


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Channel:
    platform: Platform
    channel_id: str
    threshold: int
    post_time: str
    timezone: str
    active: bool = True
    empty_note: bool = True
    topic: str | None = None  # the thread inside the chat the digest goes to (Telegram forum topics)
    keywords: tuple[str, ...] = ()  # the channel's own interests; empty = PAPERBOT_KEYWORDS

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.channel_id}"


@dataclass(frozen=True)
class Claim:
    state: ClaimState
    owner: str
    quick_view_ref: str | None = None


class ChatTables:
    db: sqlite_utils.Database
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process, for post claims

    # -- channels ----------------------------------------------------------------------------
    def upsert_channel(self, platform: Platform, channel_id: str, *, threshold: int, post_time: str,
                       timezone: str, empty_note: bool = True, topic: str | None = None) -> Channel:
        stamp = _now().isoformat(timespec="seconds")
        with self.db.conn:
            self.db.table("channels").insert({"platform": platform, "channel_id": channel_id, "created_at": stamp},
                                       pk=("platform", "channel_id"), ignore=True)
            self.db.table("channels").update((platform, channel_id), {
                "threshold": threshold, "post_time": post_time, "timezone": timezone, "active": 1,
                "empty_note": int(empty_note), "topic": topic, "updated_at": stamp,
            })
        channel = self.get_channel(platform, channel_id)
        assert channel is not None
        return channel

    def get_channel(self, platform: str, channel_id: str) -> Channel | None:
        rows = list(self.db.table("channels").rows_where("platform = ? and channel_id = ?", [platform, channel_id]))
        return _channel(rows[0]) if rows else None

    def channels(self, *, active_only: bool = True) -> list[Channel]:
        where = "active = 1" if active_only else None
        return [_channel(r) for r in self.db.table("channels").rows_where(where, order_by="platform, channel_id")]

    def update_channel(self, platform: str, channel_id: str, **changes: object) -> Channel | None:
        if self.get_channel(platform, channel_id) is None:
            return None
        changes = {k: int(v) if isinstance(v, bool) else v for k, v in changes.items()}
        with self.db.conn:
            self.db.table("channels").update((platform, channel_id),
                                       {**changes, "updated_at": _now().isoformat(timespec="seconds")})
        return self.get_channel(platform, channel_id)

    def deactivate_channel(self, platform: str, channel_id: str) -> bool:
        """Unsubscribe but keep the row: its posts and votes stay meaningful."""
        channel = self.get_channel(platform, channel_id)
        if channel is None or not channel.active:
            return False
        self.update_channel(platform, channel_id, active=False)
        return True

    def move_history(self, platform: str, old: str, new: str) -> None:
        """A chat that changed its id for good (a Telegram group became a supergroup) keeps its posts,
        message refs and votes, so the day is not posted again there and old votes still count.
        Rows the new id already has win; the old ones stay where they were, never deleted. A post still
        under way stays too: the process posting it finishes it under the id it claimed."""
        where = "platform = ? and channel_id = ?"
        with self.db.conn:
            self.db.execute(f"update or ignore posts set channel_id = ? where {where} and status = 'posted'",
                            [new, platform, old])
            for table in ("post_messages", "post_log", "post_papers"):
                self.db.execute(f"update or ignore {table} set channel_id = ? where {where} and day in "
                                f"(select day from posts where {where})", [new, platform, old, platform, new])
            for table in ("votes", "reactions", "channel_seen", "channel_announcements", "marks", "follows"):
                self.db.execute(f"update or ignore {table} set channel_id = ? where {where}", [new, platform, old])

    # -- posts -------------------------------------------------------------------------------
    def claim_post(self, platform: str, channel_id: str, day: str, owner: str | None = None,
                   now: dt.datetime | None = None) -> Claim:
        """Atomically claim (platform, channel, day) for posting.

        `new`: nothing was posted; `resume`: a dead process left it half-done (its quick view ref
        comes back); `done`: posted already; `busy`: another live process holds it.
        """
        me = owner or self.owner
        now = now or _now()
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "select status, owner, claimed_at, quick_view_ref from posts "
                "where platform = ? and channel_id = ? and day = ?", [platform, channel_id, day]).fetchone()
            if row is None:
                conn.execute(
                    "insert into posts (platform, channel_id, day, status, owner, claimed_at) "
                    "values (?, ?, ?, 'claimed', ?, ?)", [platform, channel_id, day, me, now.isoformat()])
                claim = Claim("new", me)
            elif row[0] == "posted":
                claim = Claim("done", row[1], row[3])
            elif row[1] != me and _alive(row[1]) and now - dt.datetime.fromisoformat(row[2]) < STALE_CLAIM:
                claim = Claim("busy", row[1], row[3])
            else:
                conn.execute("update posts set owner = ?, claimed_at = ? where platform = ? and "
                             "channel_id = ? and day = ?", [me, now.isoformat(), platform, channel_id, day])
                claim = Claim("resume", me, row[3])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return claim

    def finish_post(self, platform: str, channel_id: str, day: str) -> None:
        with self.db.conn:
            self.db.table("posts").update((platform, channel_id, day), {
                "status": "posted", "finished_at": _now().isoformat(timespec="seconds")})

    def release_post(self, platform: str, channel_id: str, day: str) -> None:
        """Give a claim back (the post failed before anything was sent) so a later run retries it."""
        with self.db.conn:
            self.db.execute("delete from posts where platform = ? and channel_id = ? and day = ? and "
                            "status = 'claimed' and quick_view_ref is null", [platform, channel_id, day])

    def post_status(self, platform: str, channel_id: str, day: str) -> str | None:
        rows = list(self.db.table("posts").rows_where("platform = ? and channel_id = ? and day = ?",
                                                [platform, channel_id, day]))
        return rows[0]["status"] if rows else None

    def last_post(self, platform: str, channel_id: str) -> dict[str, object] | None:
        rows = list(self.db.table("posts").rows_where("platform = ? and channel_id = ?", [platform, channel_id],
                                                order_by="day desc", limit=1))
        return rows[0] if rows else None

    def last_claim(self, platform: str, channel_id: str, since_day: str = "") -> dict[str, object] | None:
        """The most recently claimed post of a channel covering a day on or after `since_day` (any day by default)."""
        rows = list(self.db.table("posts").rows_where("platform = ? and channel_id = ? and day >= ?",
                                                      [platform, channel_id, since_day],
                                                      order_by="claimed_at desc", limit=1))
        return rows[0] if rows else None

    def messages(self, platform: str, channel_id: str, day: str) -> list[dict[str, object]]:
        return list(self.db.table("post_messages").rows_where(
            "platform = ? and channel_id = ? and day = ?", [platform, channel_id, day], order_by="created_at"))

    def find_message(self, platform: str, channel_id: str, ref: str) -> dict[str, object] | None:
        rows = list(self.db.table("post_messages").rows_where(
            "platform = ? and channel_id = ? and message_ref = ?", [platform, channel_id, ref]))
        return rows[0] if rows else None

    def day_has(self, day: str, arxiv_id: str) -> bool:
        return bool(self.db.execute("select 1 from day_papers where day = ? and arxiv_id = ?",
                                    [day, arxiv_id]).fetchone())

    # -- votes -------------------------------------------------------------------------------
    def set_vote(self, platform: str, channel_id: str, arxiv_id: str, user_id: str, up: bool) -> bool:
        """Cast or take back one person's vote; True when something changed. A vote taken back is
        marked withdrawn, never deleted: the history of what the team liked stays."""
        stamp = _now().isoformat(timespec="seconds")
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
                "reaction": reaction, "present": int(present), "at": _now().isoformat(timespec="seconds"),
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
                                     [event_id, _now().isoformat(timespec="seconds")])
            return cursor.rowcount == 1


def _alive(owner: str) -> bool:
    """Whether a claim's owner may still be posting: a process on this host is checked by its pid;
    one elsewhere is trusted until its claim is stale."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _channel(row: dict[str, object]) -> Channel:
    return Channel(platform=row["platform"], channel_id=str(row["channel_id"]),  # type: ignore[arg-type]
                   threshold=int(row["threshold"] or 0), post_time=str(row["post_time"]),  # type: ignore[call-overload]
                   timezone=str(row["timezone"]), active=bool(row["active"]), empty_note=bool(row["empty_note"]),
                   topic=str(row["topic"]) if row.get("topic") else None,
                   keywords=tuple(k.strip() for k in str(row.get("keywords") or "").split(",") if k.strip()))
