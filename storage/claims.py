"""Posts: (channel, day) claimed atomically before a digest is posted and finished after; the messages sent."""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

import sqlite_utils

from storage.chat import STALE_CLAIM, Claim, utc_now


class PostTables:
    db: sqlite_utils.Database
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # this process, for post claims

    def claim_post(self, platform: str, channel_id: str, day: str, owner: str | None = None,
                   now: dt.datetime | None = None) -> Claim:
        """Atomically claim (platform, channel, day) for posting.

        `new`: nothing was posted; `resume`: a dead process left it half-done (its quick view ref
        comes back); `done`: posted already; `busy`: another live process holds it.
        """
        me = owner or self.owner
        now = now or utc_now()
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
                "status": "posted", "finished_at": utc_now().isoformat(timespec="seconds")})

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
