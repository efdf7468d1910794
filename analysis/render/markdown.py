"""The Markdown report, in the seed's format."""

from __future__ import annotations

from analysis.models import Analysis, Digest, DigestItem, Paper
from analysis.render.all_papers import all_papers
from analysis.render.chat_summary import capped
from analysis.render.mdtext import md_model, md_text

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


def report(digest: Digest) -> str:
    selected = digest.selected()
    lines = [
        f"# 🚀 {md_text(digest.title)} | {digest.date.isoformat()}",
        f"> 🤖 今日动态：{summary(digest, selected)}",
        *([f"> 🎯 {md_text(digest.ranked_by)}"] if digest.ranked_by else []),
        *(f"> 👤 关注的作者：{md_text(', '.join(item.followed))} — {md_text(item.paper.title)}"
          for item in digest.followed()),
        *(f"> ⚠️ {md_text(note)}" for note in digest.notes),
        *(f"> {md_text(update.line())}" for update in digest.updates),
        "## 📋 目录 (Quick View)",
        *(f"- [{md_text(item.paper.title)}](#item-{i}) (Score: {item.score.score}){followed_mark(item)}"
          for i, item in enumerate(selected)),
        "",
        "---",
        "## 🧠 深度解读 (Deep Dive)",
    ]
    for i, item in enumerate(selected):
        lines += _item(i, item)
    lines += ["", *all_papers(digest)]
    return "\n".join(lines).rstrip("\n") + "\n"


def scanned(digest: Digest) -> str:
    """What was scanned, as the seed says it: `扫描 15 篇 (HF Top 15)`, or `扫描 144 篇 (HF 27 + arXiv 117)`."""
    return f"扫描 {len(digest.items)} 篇 ({digest.source_counts()})"


def followed_mark(item: DigestItem) -> str:
    """` 👤 Kaiming He` after a followed author's paper."""
    return f" 👤 {md_text(', '.join(item.followed))}" if item.followed else ""


def summary(digest: Digest, selected: list[DigestItem]) -> str:
    """The seed's summary sentence, naming the threshold (and the cap, when it leaves papers out) and never
    claiming a deep dive that failed."""
    bar = capped(digest) or f"评分 ≥ {digest.threshold}"
    k = len(selected)
    dives = sum(1 for item in selected if item.analysis is not None and item.analysis.deep_dive is not None)
    if not k and digest.items:
        best = max(item.score.score for item in digest.items)
        return f"{scanned(digest)}，精选 0 篇深度解读（{bar}；今日最高 {best} 分，无论文达到阈值）。"
    if dives < k:
        return f"{scanned(digest)}，精选 {k} 篇（{bar}），其中 {dives} 篇有深度解读。"
    return f"{scanned(digest)}，精选 {k} 篇深度解读（{bar}）。"


def _item(index: int, item: DigestItem) -> list[str]:
    paper = item.paper
    return [
        f"### <a id='item-{index}'></a>{index + 1}. {md_text(paper.title)}",
        f"**来源**: {source_label(paper)} | **评分**: {item.score.score}/100{followed_mark(item)}",
        f"**原文链接**: [{paper.url}]({paper.url})",
        "",
        *analysis_sections(item.analysis, paper),
        "---",
    ]


def analysis_sections(analysis: Analysis | None, paper: Paper | None = None) -> list[str]:
    if analysis is None or analysis.deep_dive is None:
        return without_dive(analysis, paper)
    dive = analysis.deep_dive
    lines: list[str] = [analysis.basis_note, ""] if analysis.basis_note else []
    for field, heading in SECTIONS:
        lines += [f"### {heading}", ""]
        value = getattr(dive, field)
        if isinstance(value, str):
            lines += [md_model(value), ""]
        else:
            # the seed's list styles: bullets for the method, numbers for the rest
            lines += [f"{'*  ' if field == 'methodology' else f'{i}. '} {md_model(entry)}"
                      for i, entry in enumerate(value, 1)]
            lines.append("")
    return lines


def without_dive(analysis: Analysis | None, paper: Paper | None) -> list[str]:
    """No deep dive (no LLM, or it failed): say why, then what there is to read, the abstract and HF's summary."""
    reason = analysis.unavailable if analysis and analysis.unavailable else "—"
    lines = [f"> ⚠️ {md_text(reason)}", ""]
    if paper is not None and paper.abstract:
        lines += [f"**摘要 (Abstract)**: {md_text(paper.abstract)}", ""]
    if paper is not None and paper.ai_summary:
        lines += [f"**HF AI 摘要 (AI Summary)**: {md_text(paper.ai_summary)}", ""]
    return lines


def deep_dive_page(paper: Paper, analysis: Analysis, score: int | None = None) -> str:
    """`paperbot deepdive`: one paper's analysis as a standalone Markdown page."""
    authors = md_text(", ".join(paper.authors[:10]) + (" et al." if len(paper.authors) > 10 else ""))
    rating = f" | **评分**: {score}/100" if score is not None else ""
    lines = [
        f"# {md_text(paper.title)}",
        f"**来源**: {source_label(paper)}{rating}",
        f"**原文链接**: [{paper.url}]({paper.url})",
        *([f"**作者**: {authors}"] if authors else []),
        "",
        *analysis_sections(analysis, paper),
    ]
    return "\n".join(lines).rstrip() + "\n"
