"""The Markdown report, in the seed's format."""

from __future__ import annotations

import re

from analysis.models import Analysis, Digest, DigestItem, Paper

SECTIONS = (
    ("key_contribution", "1. 核心创新点 (Key Contribution)"),
    ("methodology", "2. 技术细节 (Methodology)"),
    ("takeaways", "3. 对我的启发 (Takeaway)"),
    ("limitations", "4. 潜在缺陷 (Limitations)"),
)
SOURCE_LABEL = {"hf": "HuggingFace 🔥", "arxiv": "arXiv"}


def source_label(paper: Paper) -> str:
    """`HuggingFace 🔥`, `arXiv cs.CV` (the followed categories that listed it, else its primary one), or both."""
    labels = []
    for source in paper.sources:
        cats = paper.listed_in or paper.categories[:1]
        labels.append(f"{SOURCE_LABEL[source]} {', '.join(cats)}" if source == "arxiv" and cats
                      else SOURCE_LABEL[source])
    return " + ".join(labels)


def link_text(text: str) -> str:
    """Square brackets would end a Markdown link early."""
    return re.sub(r"([\[\]])", r"\\\1", text)


def chat_counts(digest: Digest) -> str:
    """The chat quick view's source counts, `（HF 27 + arXiv 103）`, when arXiv is followed at all."""
    return f"（{digest.source_counts()}）" if digest.arxiv_count is not None else ""


def more_scanned(digest: Digest, listed: int) -> str | None:
    """The chat quick view's last line when it lists fewer papers than were scanned (plain text)."""
    more = len(digest.items) - listed
    if more <= 0:
        return None
    return f"…另扫描了 {more} 篇，得分更低未列出；用 /deepdive <arXiv id> 可解读其中任意一篇"


def report(digest: Digest) -> str:
    selected = digest.selected()
    n = len(digest.items)
    lines = [
        f"# 🚀 {digest.title} | {digest.date.isoformat()}",
        f"> 🤖 今日动态：扫描 {n} 篇 ({digest.source_counts()})，精选 {len(selected)} 篇深度解读。",
        *(f"> ⚠️ {note}" for note in digest.notes),
        "## 📋 目录 (Quick View)",
        *(f"- [{link_text(item.paper.title)}](#item-{i}) (Score: {item.score.score})"
          for i, item in enumerate(selected)),
        "",
        "---",
        "## 🧠 深度解读 (Deep Dive)",
    ]
    for i, item in enumerate(selected):
        lines += _item(i, item)
    return "\n".join(lines) + "\n"


def _item(index: int, item: DigestItem) -> list[str]:
    paper = item.paper
    return [
        f"### <a id='item-{index}'></a>{index + 1}. {paper.title}",
        f"**来源**: {source_label(paper)} | **评分**: {item.score.score}/100",
        f"**原文链接**: [{paper.url}]({paper.url})",
        "",
        *analysis_sections(item.analysis),
        "---",
    ]


def analysis_sections(analysis: Analysis | None) -> list[str]:
    if analysis is None or analysis.deep_dive is None:
        reason = analysis.unavailable if analysis else "—"
        return [f"> ⚠️ {reason}", ""]
    dive = analysis.deep_dive
    lines: list[str] = []
    for field, heading in SECTIONS:
        lines += [f"### {heading}", ""]
        value = getattr(dive, field)
        if isinstance(value, str):
            lines += [value.strip(), ""]
        else:
            # the seed's list styles: bullets for the method, numbers for the rest
            lines += [f"{'*  ' if field == 'methodology' else f'{i}. '} {entry.strip()}"
                      for i, entry in enumerate(value, 1)]
            lines.append("")
    return lines


def deep_dive_page(paper: Paper, analysis: Analysis, score: int | None = None) -> str:
    """`paperbot deepdive`: one paper's analysis as a standalone Markdown page."""
    authors = ", ".join(paper.authors[:10]) + (" et al." if len(paper.authors) > 10 else "")
    rating = f" | **评分**: {score}/100" if score is not None else ""
    lines = [
        f"# {paper.title}",
        f"**来源**: {source_label(paper)}{rating}",
        f"**原文链接**: [{paper.url}]({paper.url})",
        *([f"**作者**: {authors}"] if authors else []),
        "",
        *analysis_sections(analysis),
    ]
    return "\n".join(lines).rstrip() + "\n"
