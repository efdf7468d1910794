"""The report's whole day (`## 📊 全部论文`), its summary line, and escaping, checked with a real Markdown parser."""

import html
import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from analysis.models import Analysis, DeepDive, Paper
from analysis.render.markdown import report
from tests.test_report import sample_digest

HOSTILE_TITLE = "<script>alert(1)</script> <b>Bold</b> *star* _u_ a|b ]](javascript:x) `tick`\nsecond line"
HOSTILE_REASON = "model says <2601.14417> & | pipes |\nand a newline ] [x](http://evil)"
HOSTILE_ABSTRACT = "An <img src=x onerror=alert(1)> abstract | with * and ] and &amp; and\n# not a heading"


def parse(text: str) -> list[Token]:
    return MarkdownIt("commonmark").enable("table").parse(text)


def inline_children(tokens: list[Token]) -> list[Token]:
    return [child for token in tokens if token.type == "inline" for child in token.children or []]


def table_rows(tokens: list[Token]) -> list[list[str]]:
    """Each body row of the table as the plain text of its cells."""
    rows: list[list[str]] = []
    in_body = False
    for i, token in enumerate(tokens):
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tr_open" and in_body:
            rows.append([])
        elif token.type == "inline" and in_body and tokens[i - 1].type == "td_open":
            rows[-1].append("".join(c.content for c in token.children or [] if c.type in ("text", "code_inline")))
    return rows


def test_every_scanned_paper_is_in_the_table_best_first() -> None:
    digest = sample_digest([85, 68, 40, 30, 20])
    text = report(digest)
    rows = table_rows(parse(text))
    assert [row[1] for row in rows] == ["⭐ 85", "⭐ 68", "40", "30", "20"]
    assert [row[3] for row in rows] == [item.paper.arxiv_id for item in digest.items]
    assert all(len(row) == 6 and row[5] == "r" for row in rows)
    assert rows[0][4] == str(digest.items[0].paper.upvotes) and digest.items[0].paper.upvotes > 0
    assert text.index("## 🧠 深度解读") < text.index("## 📊 全部论文 (All Papers)")


def test_hostile_text_renders_as_text_and_keeps_the_table_whole() -> None:
    digest = sample_digest([85, 40])
    first, second = digest.items
    first.paper.title = second.paper.title = HOSTILE_TITLE
    first.paper.abstract = HOSTILE_ABSTRACT
    second.score.reason = HOSTILE_REASON
    assert first.analysis is not None and first.analysis.deep_dive is not None
    first.analysis.deep_dive.key_contribution = "**Bold kept** <iframe src=x> and `<code>` | ] &"
    first.analysis.deep_dive.limitations = ["<2601.14417> & [link](javascript:alert(1))\n## injected"]
    text = report(digest)
    tokens = parse(text)
    raw_html = [t.content for t in [*tokens, *inline_children(tokens)] if t.type in ("html_inline", "html_block")]
    assert raw_html == ["<a id='item-0'>", "</a>"]  # only our own anchor
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    assert "<script" not in rendered and "<img" not in rendered and "<iframe" not in rendered and "<b>" not in rendered
    rows = table_rows(tokens)
    folded_title = " ".join(HOSTILE_TITLE.split())
    assert [len(row) for row in rows] == [6, 6]
    assert rows[0][2] == rows[1][2] == folded_title and rows[1][5] == " ".join(HOSTILE_REASON.split())
    links = [t.attrs["href"] for t in inline_children(tokens) if t.type == "link_open"]
    assert links == ["#item-0", "https://arxiv.org/abs/" + first.paper.arxiv_id,
                     "https://arxiv.org/abs/" + first.paper.arxiv_id, "https://arxiv.org/abs/" + second.paper.arxiv_id]
    assert "<p><strong>Bold kept</strong> &lt;iframe src=x&gt; and <code>&lt;code&gt;</code> | ] &amp;</p>" in rendered
    assert html.escape("<2601.14417> & [link](javascript:alert(1)) ## injected", quote=False) in rendered
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert sum("injected" in h for h in headings) == 0


def test_the_summary_names_the_threshold_and_a_day_below_it_says_so() -> None:
    text = report(sample_digest([45, 30, 12]))
    expected = "> 🤖 今日动态：扫描 3 篇 (HF Top 3)，精选 0 篇深度解读（评分 ≥ 60；今日最高 45 分，无论文达到阈值）。"
    assert expected in text
    assert len(table_rows(parse(text))) == 3  # the day is still shown in full


def test_failed_deep_dives_are_not_counted_as_deep_dives() -> None:
    digest = sample_digest([85, 70, 65])
    for item in digest.items:
        item.analysis = Analysis(arxiv_id=item.paper.arxiv_id, unavailable="今天 LLM 未能解读这篇论文（LLM 不可用）。")
    text = report(digest)
    assert "精选 3 篇（评分 ≥ 60），其中 0 篇有深度解读。" in text and "精选 3 篇深度解读" not in text


def test_without_an_llm_a_slot_shows_the_abstract_and_hfs_summary() -> None:
    digest = sample_digest([85], with_dives=False)
    paper: Paper = digest.items[0].paper
    assert paper.ai_summary  # parsed from HF's 2026 schema
    digest.items[0].analysis = Analysis(arxiv_id=paper.arxiv_id, unavailable="深度解读需要 LLM：请设置 LLM_MODEL。")
    text = report(digest)
    slot = text.split("### <a id='item-0'></a>")[1].split("\n---")[0]
    assert "> ⚠️ 深度解读需要 LLM" in slot
    assert re.search(r"\*\*摘要 \(Abstract\)\*\*: .{200,}", slot)
    assert "**HF AI 摘要 (AI Summary)**: " + paper.ai_summary[:40] in slot


def test_deep_dive_items_are_one_line_each() -> None:
    digest = sample_digest([85])
    assert digest.items[0].analysis is not None
    digest.items[0].analysis.deep_dive = DeepDive(key_contribution="a\n\nb", methodology=["x\n# y"],
                                                  takeaways=["t"], limitations=["l"])
    text = report(digest)
    assert "\na b\n" in text and "*   x \\# y" in text
