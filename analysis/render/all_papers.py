"""The report's `## 📊 全部论文 (All Papers)` table: every scanned paper, best first, nothing hidden."""

from __future__ import annotations

from analysis.models import Digest, DigestItem
from analysis.render.mdtext import md_text

HEADING = "## 📊 全部论文 (All Papers)"
COLUMNS = ("#", "评分", "论文 (Paper)", "arXiv", "HF 👍", "理由 (Reason)")


def all_papers(digest: Digest) -> list[str]:
    """The section's lines; a day without papers says so instead of an empty table."""
    if not digest.items:
        return [HEADING, "", "_今日没有论文。_", ""]
    chosen = {item.paper.arxiv_id for item in digest.selected()}
    return [
        HEADING,
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---:" if c in ("#", "评分", "HF 👍") else "---" for c in COLUMNS) + "|",
        *(row(rank, item, item.paper.arxiv_id in chosen) for rank, item in enumerate(digest.items, 1)),
        "",
    ]


def row(rank: int, item: DigestItem, chosen: bool) -> str:
    """One paper as a table row; ⭐ marks the papers that have a slot in the deep dives above."""
    paper = item.paper
    score = f"{'⭐ ' if chosen else ''}{item.score.score}"
    upvotes = str(paper.upvotes) if paper.source == "hf" else "—"
    cells = (str(rank), score, f"[{md_text(paper.title)}]({paper.url})", f"`{paper.arxiv_id}`", upvotes,
             md_text(item.score.reason) or "—")
    return "| " + " | ".join(cells) + " |"
