"""What each posted quick view shows, kept so that votes can redraw its counts in place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlite_utils

if TYPE_CHECKING:
    from analysis.models import Digest


class QuickViewTables:
    db: sqlite_utils.Database

    def view_ref(self, platform: str, channel_id: str, arxiv_id: str) -> str | None:
        """The ref of the channel's latest quick view that lists the paper."""
        row = self.db.execute(
            "select p.quick_view_ref from posts p join post_papers l on l.platform = p.platform and "
            "l.channel_id = p.channel_id and l.day = p.day where p.platform = ? and p.channel_id = ? and "
            "l.arxiv_id = ? and p.view is not null and p.quick_view_ref is not null order by p.day desc limit 1",
            [platform, channel_id, arxiv_id]).fetchone()
        return str(row[0]) if row else None

    def view_at(self, platform: str, channel_id: str, quick_view_ref: str) -> str | None:
        row = self.db.execute("select view from posts where platform = ? and channel_id = ? and quick_view_ref = ?",
                              [platform, channel_id, quick_view_ref]).fetchone()
        return str(row[0]) if row and row[0] else None


def redraw_json(digest: Digest) -> str:
    """The digest as a redraw needs it: abstracts and HF summaries, most of a pool's bytes and never in a
    quick view, are left out, so a channel's row per day stays small."""
    items = [item.model_copy(update={"paper": item.paper.model_copy(update={"abstract": "", "ai_summary": None})})
             for item in digest.items]
    return digest.model_copy(update={"items": items}).model_dump_json()
