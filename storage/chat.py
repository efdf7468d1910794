"""Channels: who gets the digest, when and with which threshold; and the rows every chat table is keyed by."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import sqlite_utils

Platform = Literal["slack", "telegram", "feishu"]
ClaimState = Literal["new", "resume", "done", "busy"]
STALE_CLAIM = dt.timedelta(minutes=15)  # a claim older than this was left by a dead process


def utc_now() -> dt.datetime:
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

class ChannelTables:
    db: sqlite_utils.Database

    def upsert_channel(self, platform: Platform, channel_id: str, *, threshold: int, post_time: str,
                       timezone: str, empty_note: bool = True, topic: str | None = None) -> Channel:
        stamp = utc_now().isoformat(timespec="seconds")
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
                                       {**changes, "updated_at": utc_now().isoformat(timespec="seconds")})
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


def _channel(row: dict[str, object]) -> Channel:
    return Channel(platform=row["platform"], channel_id=str(row["channel_id"]),  # type: ignore[arg-type]
                   threshold=int(row["threshold"] or 0), post_time=str(row["post_time"]),  # type: ignore[call-overload]
                   timezone=str(row["timezone"]), active=bool(row["active"]), empty_note=bool(row["empty_note"]),
                   topic=str(row["topic"]) if row.get("topic") else None,
                   keywords=tuple(k.strip() for k in str(row.get("keywords") or "").split(",") if k.strip()))
