"""How well the ranking served a channel: `/taste`, `paperbot taste stats` and a line of the weekly post.

Over the last 30 days, for each paper the team voted 👍 (or marked 👎): the day's digest it was ranked in
is the latest posted one, on or before the vote, whose ranking holds the paper. Of those papers: how many
that day's quick view listed, their median rank in that day's ranking (1 = first), and how many ranked in
the top 10 — the hit rate @10 for 👍 (higher is better), the 👎 papers in the top 10 (lower is better).
A paper voted that no digest of the channel ranked (a `/deepdive` of an older paper) counts as a miss.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from analysis.models import Digest
from storage.store import Store

WINDOW_DAYS = 30
TOP = 10


@dataclass(frozen=True)
class Side:
    """The 👍 or the 👎 papers of the window."""

    papers: int  # voted (or marked) in the window
    listed: int  # in that day's quick view
    ranks: tuple[int, ...]  # each ranked paper's place in that day's ranking, 1 = first

    @property
    def top(self) -> int:
        return sum(1 for r in self.ranks if r <= TOP)

    @property
    def median_rank(self) -> float | None:
        return statistics.median(self.ranks) if self.ranks else None


@dataclass(frozen=True)
class TasteStats:
    days: int  # digests posted in the window
    up: Side
    down: Side


def taste_stats(store: Store, platform: str, channel_id: str, now: dt.datetime | None = None) -> TasteStats:
    now = now or dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=WINDOW_DAYS)
    # a vote early in the window may be on a digest of a few days before it (a weekend, a late reader)
    first_day = (since - dt.timedelta(days=7)).date().isoformat()
    shown = store.shown_views(platform, channel_id, first_day)
    views = [(day, Digest.model_validate_json(body)) for day, body in shown]
    stamp = since.isoformat(timespec="seconds")
    posted = sum(1 for day, _ in views if day >= since.date().isoformat())
    return TasteStats(posted, _side(views, store.votes_since(platform, channel_id, stamp)),
                      _side(views, store.marks_since(platform, channel_id, stamp)))


def _side(views: list[tuple[str, Digest]], papers: list[tuple[str, str]]) -> Side:
    listed, ranks = 0, []
    for arxiv_id, at in papers:
        found = _ranked_in(views, arxiv_id, at[:10])
        if found is None:
            continue
        digest, index = found
        ranks.append(index + 1)
        listed += any(item.paper.arxiv_id == arxiv_id for item in digest.quick_items())
    return Side(len(papers), listed, tuple(ranks))


def _ranked_in(views: list[tuple[str, Digest]], arxiv_id: str, on_or_before: str) -> tuple[Digest, int] | None:
    for day, digest in reversed(views):
        if day > on_or_before:
            continue
        index = digest.position(arxiv_id)
        if index is not None:
            return digest, index
    return None


def _rank(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({round(100 * part / whole)}%)" if whole else "0/0"


def stats_text(stats: TasteStats) -> str:
    """The answer of `/taste` and `paperbot taste stats`."""
    up, down = stats.up, stats.down
    if not up.papers and not down.papers:
        return (f"No 👍 votes or 👎 marks in the last {WINDOW_DAYS} days ({stats.days} digest(s) posted), so "
                "nothing to measure yet. Vote 👍 (or 👎 \"not for us\") on deep dives or with the buttons under "
                "the digest; /taste then shows how well the ranking serves you.")
    lines = [f"How the ranking served this channel over the last {WINDOW_DAYS} days ({stats.days} digest(s)):"]
    if up.papers:
        lines.append(f"👍 {up.papers} paper(s) voted: {up.listed} in that day's quick view, median rank "
                     f"{_rank(up.median_rank)}, hit rate @{TOP} {_share(up.top, up.papers)}.")
    else:
        lines.append("👍 no papers voted up.")
    if down.papers:
        lines.append(f"👎 {down.papers} paper(s) marked not for us: {down.listed} in that day's quick view, "
                     f"median rank {_rank(down.median_rank)}, in the top {TOP} {_share(down.top, down.papers)} "
                     "(lower is better).")
    else:
        lines.append("👎 no papers marked not for us.")
    return "\n".join(lines)


def weekly_line(stats: TasteStats) -> str | None:
    """The weekly favourites post's one line of it (Chinese like the rest of that post); None while no voted
    paper was ranked in a posted digest (votes only on `/deepdive` answers, or no digest posted yet)."""
    up, down = stats.up, stats.down
    if not up.ranks and not down.ranks:
        return None
    parts = []
    if up.papers:
        parts.append(f"👍 {up.papers} 篇中 {up.listed} 篇在当天速览，中位排名 {_rank(up.median_rank)}，"
                     f"前 {TOP} 命中率 {round(100 * up.top / up.papers)}%")
    if down.papers:
        parts.append(f"👎 {down.papers} 篇中 {down.top} 篇排进前 {TOP}")
    return f"📈 近 {WINDOW_DAYS} 天排序：" + "；".join(parts)
