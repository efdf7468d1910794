"""The Markdown report has the seed's structure, line for line where the seed is fixed."""

import datetime as dt
import re

from analysis.models import Analysis, DeepDive, Digest, DigestItem, Score
from analysis.render.markdown import deep_dive_page, report
from tests.helpers import FIXTURES, day_papers

SEED = (FIXTURES / "seed_000_0b0fdfcf12314802.txt").read_text(encoding="utf-8")


def sample_digest(scores: list[int], with_dives: bool = True) -> Digest:
    papers = day_papers()[: len(scores)]
    dive = DeepDive(key_contribution="提出了 **新方法**。", methodology=["用 `INR` 表示图像", "超网络生成权重"],
                    takeaways=["可用于超分辨率"], limitations=["推理慢"])
    items = [DigestItem(paper=p, score=Score(arxiv_id=p.arxiv_id, score=s, reason="r"),
                        analysis=Analysis(arxiv_id=p.arxiv_id, deep_dive=dive) if with_dives else None)
             for p, s in zip(papers, scores, strict=True)]
    return Digest(title="CV 论文日报", date=dt.date(2026, 1, 23), items=items, threshold=60, max_deep_dives=3)


def skeleton(text: str) -> list[str]:
    """The report's fixed lines, with titles, ids, scores and prose replaced by placeholders."""
    out = []
    for line in text.splitlines():
        if line.startswith(("# ", "> 🤖", "## ", "- [", "### ", "**来源**", "**原文链接**", "---")):
            line = re.sub(r"\d{4}-\d{2}-\d{2}", "DATE", line)
            line = re.sub(r"\[[^\]]+\]\(#item-(\d)\) \(Score: \d+\)", r"[T](#item-\1) (Score: S)", line)
            line = re.sub(r"(</a>\d\. ).*", r"\1T", line)
            line = re.sub(r"\d+/100", "S/100", line)
            line = re.sub(r"\d{4}\.\d{5}", "ID", line)
            line = re.sub(r"扫描 \d+ 篇 \(HF Top \d+\)，精选 \d+", "扫描 N 篇 (HF Top N)，精选 K", line)
            line = re.sub(r"（评分 ≥ \d+）。$", "。", line)  # the threshold note added to the seed's sentence
            out.append(line)
    return out


def test_the_report_has_the_seed_skeleton() -> None:
    text = report(sample_digest([85, 68, 40, 30, 20, 10, 5, 5, 5, 5, 5, 5, 5, 5, 5]))
    text = text.split("\n\n## 📊 全部论文 (All Papers)")[0]  # the seed's parts come first, then the new section
    seed = skeleton(SEED)
    # the seed has an intro line and "---" after 原文链接 ("作为计算机视觉专家…"); ours goes straight to the sections
    seed_without_intro = [line for i, line in enumerate(seed)
                          if not (line == "---" and seed[i - 1].startswith("**原文链接"))]
    assert skeleton(text) == seed_without_intro


def test_header_summary_and_quick_view_lines() -> None:
    text = report(sample_digest([85, 68, 40]))
    lines = text.splitlines()
    assert lines[0] == "# 🚀 CV 论文日报 | 2026-01-23"
    assert lines[1] == "> 🤖 今日动态：扫描 3 篇 (HF Top 3)，精选 2 篇深度解读（评分 ≥ 60）。"
    assert lines[2] == "## 📋 目录 (Quick View)"
    assert re.fullmatch(r"- \[.+\]\(#item-0\) \(Score: 85\)", lines[3])
    assert "(Score: 40)" not in text.split("## 📊")[0]


def test_deep_dive_sections_and_lists() -> None:
    text = report(sample_digest([85]))
    for heading in ("### 1. 核心创新点 (Key Contribution)", "### 2. 技术细节 (Methodology)",
                    "### 3. 对我的启发 (Takeaway)", "### 4. 潜在缺陷 (Limitations)"):
        assert heading in text
    assert "*   用 `INR` 表示图像" in text and "1.  可用于超分辨率" in text and "提出了 **新方法**。" in text
    assert "---\n\n## 📊 全部论文 (All Papers)\n" in text


def test_at_most_max_deep_dives_best_first() -> None:
    digest = sample_digest([61, 99, 70, 80, 65])
    text = report(digest)
    # the pipeline sorts items best first; selected() keeps that order and cuts at max_deep_dives
    assert re.findall(r"\(Score: (\d+)\)", text) == ["61", "99", "70"]
    assert text.count("### <a id=") == 3


def test_notes_and_missing_analyses_are_said_not_hidden() -> None:
    digest = sample_digest([85], with_dives=False)
    digest.notes.append("今日评分基于关键词匹配（未配置 LLM）。")
    digest.items[0].analysis = Analysis(arxiv_id=digest.items[0].paper.arxiv_id, unavailable="需要 LLM")
    text = report(digest)
    assert "> ⚠️ 今日评分基于关键词匹配（未配置 LLM）。" in text and "> ⚠️ 需要 LLM" in text


def test_titles_with_brackets_do_not_break_the_quick_view_links() -> None:
    digest = sample_digest([85])
    digest.items[0].paper.title = "A [Bracketed] Title"
    assert r"- [A \[Bracketed\] Title](#item-0)" in report(digest)


def test_deep_dive_page() -> None:
    digest = sample_digest([85])
    item = digest.items[0]
    assert item.analysis is not None
    page = deep_dive_page(item.paper, item.analysis)
    assert page.startswith(f"# {item.paper.title}\n") and item.paper.url in page and "核心创新点" in page


def test_the_summary_line_states_the_deep_dive_cap_when_it_bites() -> None:
    from analysis.render.chat_summary import chat_summary

    capped = sample_digest([95, 90, 85, 80, 75, 70, 10])
    assert "精选 3 篇深度解读（评分 ≥ 60 的共 6 篇，每日最多 3 篇）。" in report(capped).splitlines()[1]
    assert "精选 3 篇深度解读（评分 ≥ 60 的共 6 篇，每日最多 3 篇；深度解读见本消息的回复）" in chat_summary(capped)
    fits = sample_digest([95, 90, 10])
    assert "精选 2 篇深度解读（评分 ≥ 60）。" in report(fits).splitlines()[1] and "每日最多" not in chat_summary(fits)
