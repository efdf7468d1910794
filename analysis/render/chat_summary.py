"""The chat quick view's summary line, shared by every chat platform: it never promises a deep dive that is
not there."""

from __future__ import annotations

from analysis.models import Digest


def dives_posted(digest: Digest) -> int:
    """Selected papers that have a deep dive (an LLM answer, not a note that there is none)."""
    return sum(1 for item in digest.selected() if item.analysis is not None and item.analysis.deep_dive is not None)


def chat_summary(digest: Digest) -> str:
    k, dives, bar = len(digest.selected()), dives_posted(digest), digest.threshold
    scanned = f"扫描 {len(digest.items)} 篇{chat_counts(digest)}"
    if not k:
        best = max((item.score.score for item in digest.items), default=0)
        return f"🤖 今日动态：{scanned}，无论文达到阈值 {bar}（最高 {best} 分）"
    if not dives:
        return f"🤖 今日动态：{scanned}，精选 {k} 篇（阈值 {bar}），今日没有深度解读"
    if dives < k:
        return f"🤖 今日动态：{scanned}，精选 {k} 篇（阈值 {bar}），其中 {dives} 篇的深度解读见本消息的回复"
    return f"🤖 今日动态：{scanned}，精选 {k} 篇深度解读（阈值 {bar}，深度解读见本消息的回复）"


def chat_counts(digest: Digest) -> str:
    """The chat quick view's source counts, `（HF 27 + arXiv 103）`, when arXiv is followed at all."""
    return f"（{digest.source_counts()}）" if digest.arxiv_count is not None else ""


def more_scanned(digest: Digest, listed: int) -> str | None:
    """The chat quick view's last line when it lists fewer papers than were scanned (plain text)."""
    more = len(digest.items) - listed
    if more <= 0:
        return None
    return f"…另扫描了 {more} 篇，得分更低未列出；用 /deepdive <arXiv id> 可解读其中任意一篇"
