"""The chat quick view's summary line, shared by Slack and Telegram: it never promises a deep dive that is not there."""

from __future__ import annotations

from analysis.models import Digest


def dives_posted(digest: Digest) -> int:
    """Selected papers that have a deep dive (an LLM answer, not a note that there is none)."""
    return sum(1 for item in digest.selected() if item.analysis is not None and item.analysis.deep_dive is not None)


def chat_summary(digest: Digest) -> str:
    n, k, dives, bar = len(digest.items), len(digest.selected()), dives_posted(digest), digest.threshold
    if not k:
        best = max((item.score.score for item in digest.items), default=0)
        return f"🤖 今日动态：扫描 {n} 篇，无论文达到阈值 {bar}（最高 {best} 分）"
    if not dives:
        return f"🤖 今日动态：扫描 {n} 篇，精选 {k} 篇（阈值 {bar}），今日没有深度解读"
    if dives < k:
        return f"🤖 今日动态：扫描 {n} 篇，精选 {k} 篇（阈值 {bar}），其中 {dives} 篇的深度解读见本消息的回复"
    return f"🤖 今日动态：扫描 {n} 篇，精选 {k} 篇深度解读（阈值 {bar}，深度解读见本消息的回复）"
