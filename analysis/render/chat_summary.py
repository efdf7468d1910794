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
    cap = capped(digest)
    if not dives:
        line = f"🤖 今日动态：{scanned}，精选 {k} 篇（{cap or f'阈值 {bar}'}），今日没有深度解读"
    elif dives < k:
        line = f"🤖 今日动态：{scanned}，精选 {k} 篇（{cap or f'阈值 {bar}'}），其中 {dives} 篇的深度解读见本消息的回复"
    else:
        how = f"{cap}；" if cap else f"阈值 {bar}，"
        line = f"🤖 今日动态：{scanned}，精选 {k} 篇深度解读（{how}深度解读见本消息的回复）"
    follows = followed_note(digest)
    return f"{line}\n{follows}" if follows else line


def capped(digest: Digest) -> str | None:
    """`评分 ≥ 60 的共 15 篇，每日最多 3 篇` when the deep-dive cap leaves papers above the threshold out."""
    total = digest.qualifying()
    if total <= len(digest.selected()):
        return None
    return f"评分 ≥ {digest.threshold} 的共 {total} 篇，每日最多 {digest.max_deep_dives} 篇"


def followed_note(digest: Digest) -> str | None:
    """`👤 关注的作者：Kaiming He（第 2 篇）`: the followed authors' papers, by their number in the quick view."""
    number = {id(item): n for n, item in enumerate(digest.quick_items(), 1)}
    parts = [f"{', '.join(item.followed)}（第 {number[id(item)]} 篇）" for item in digest.followed()
             if id(item) in number]
    return f"👤 关注的作者：{'；'.join(parts)}" if parts else None


def chat_counts(digest: Digest) -> str:
    """The chat quick view's source counts, `（HF 27 + arXiv 103）`, when arXiv is followed at all."""
    return f"（{digest.source_counts()}）" if digest.arxiv_count is not None else ""


def more_scanned(digest: Digest, listed: int) -> str | None:
    """The chat quick view's last line when it lists fewer papers than were scanned (plain text)."""
    more = len(digest.items) - listed
    if more <= 0:
        return None
    return f"…另扫描了 {more} 篇，得分更低未列出；用 /deepdive <arXiv id> 可解读其中任意一篇"
