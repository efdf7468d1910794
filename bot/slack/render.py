"""Slack Block Kit messages (mrkdwn) within Slack's limits: 50 blocks, 3,000 characters a section,
and about 12,000 characters of text in one message's blocks (msg_blocks_too_long above that)."""

from __future__ import annotations

import re
from typing import Any

from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from analysis.render.answer import BASIS
from analysis.render.chat_summary import chat_summary, dives_posted, more_scanned
from analysis.render.markdown import SECTIONS
from bot.slack.buttons import vote_actions

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_MESSAGE_TEXT = 10_000  # Slack's total-text limit is undocumented and reported at ~12k: stay clear
Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}
STAR = "⭐ = 深度解读 · "  # only on a day with a deep dive to point to
FOOTER = ("`/deepdive &lt;arXiv id&gt;` 解读任意一篇 · 点 👍 N（或用 :one:…:keycap_ten:）给第 N 篇投票，"
          "👎 N = 不适合我们")


def escape(text: str) -> str:
    """Slack's three control characters; everything else is literal in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """LLM Markdown to Slack: `**bold**` becomes `*bold*`, backticks stay, the rest is escaped."""
    return re.sub(r"\*\*(.+?)\*\*", r"*\1*", escape(text.strip()))


def link(url: str, text: str) -> str:
    return f"<{url}|{escape(text).replace('|', '¦')}>"


def _mrkdwn(text: str) -> dict[str, Any]:
    # verbatim: without it Slack "automatically parses" plain text (URLs, channel names, some mentions);
    # titles and LLM text are third-party, so only our own explicit <url|label> markup may turn active
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [_mrkdwn(text)]}


def _cut_at(line: str, limit: int) -> int:
    """Where to split a too-long line: at a space if one is in reach, but never inside an entity
    (&amp;) or a <url|label> link; a hard cut through text without spaces (Chinese) could split both."""
    space = line.rfind(" ", 0, limit)
    cut = space if space > limit // 2 else limit
    amp = line.rfind("&", 0, cut)
    if amp > 0 and ";" not in line[amp:cut]:  # escape() leaves no bare "&": this one starts an entity
        cut = amp
    opened = line.rfind("<", 0, cut)
    if opened > 0 and opened > line.rfind(">", 0, cut):
        cut = opened
    return cut


def sections(lines: list[str]) -> list[dict[str, Any]]:
    """Lines packed into section blocks of at most 3,000 characters; a longer line is cut."""
    blocks: list[dict[str, Any]] = []
    current = ""
    for line in lines:
        while len(line) > MAX_SECTION:
            if current:
                blocks.append(_section(current))
                current = ""
            cut = _cut_at(line, MAX_SECTION)
            blocks.append(_section(line[:cut]))
            line = line[cut:].lstrip()
        if current and len(current) + 1 + len(line) > MAX_SECTION:
            blocks.append(_section(current))
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        blocks.append(_section(current))
    return blocks


def block_text_length(block: dict[str, Any]) -> int:
    """Characters of text a block carries (its text, fields, and context elements' or buttons' labels)."""
    total = 0
    for part in [block.get("text"), *(block.get("elements") or []), *(block.get("fields") or [])]:
        text = part.get("text") if isinstance(part, dict) else None
        text = text.get("text") if isinstance(text, dict) else text  # a button's label is a text object
        total += len(text) if isinstance(text, str) else 0
    return total


def paginate(blocks: list[dict[str, Any]], fallback: str) -> list[Message]:
    """Messages of at most 50 blocks and MAX_MESSAGE_TEXT characters each; the fallback text
    (notifications, screen readers) on each."""
    pages: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        length = block_text_length(block)
        if pages[-1] and (len(pages[-1]) == MAX_BLOCKS or size + length > MAX_MESSAGE_TEXT):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += length
    return [{"text": fallback if n == 0 else f"{fallback} ({n + 1}/{len(pages)})", "blocks": page}
            for n, page in enumerate(pages)]


def quick_view(digest: Digest, votes: dict[str, int], marks: dict[str, int] | None = None) -> Message:
    chosen = {item.paper.arxiv_id for item in digest.selected()}
    header = f"🚀 {digest.title} | {digest.date.isoformat()}"[:MAX_HEADER]
    summary = chat_summary(digest)
    listed = digest.quick_items()
    marks = marks or {}
    lines = [_list_line(n, item, item.paper.arxiv_id in chosen, votes.get(item.paper.arxiv_id, 0),
                        marks.get(item.paper.arxiv_id, 0)) for n, item in enumerate(listed, start=1)]
    head = [{"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
            _context(escape(summary)), *([_context(f"🎯 {escape(digest.ranked_by)}")] if digest.ranked_by else []),
            *(_context(f"⚠️ {escape(note)}") for note in digest.notes),
            *(_context(escape(update.line())) for update in digest.updates)]
    counts = [votes.get(item.paper.arxiv_id, 0) for item in listed]
    downs = [marks.get(item.paper.arxiv_id, 0) for item in listed]
    # the list gives way at its end: the buttons and the "more" line follow the lines actually shown
    for shown in range(len(lines), -1, -1):
        more = more_scanned(digest, shown)
        tail = [*([_context(escape(more))] if more else []), _context((STAR if dives_posted(digest) else "") + FOOTER)]
        fixed = [*head, *vote_actions(counts[:shown], downs[:shown]), *tail]
        body = sections(lines[:shown])
        if _fits([*fixed, *body]):
            break
    blocks = [*head, *body, *vote_actions(counts[:shown], downs[:shown]), *tail]
    # the fallback `text` is mrkdwn too (notifications, clients without blocks): escaped like the blocks
    return {"text": escape(f"{header} — {len(digest.items)} papers, {len(chosen)} deep dives"), "blocks": blocks}


def _fits(blocks: list[dict[str, Any]]) -> bool:
    return len(blocks) <= MAX_BLOCKS and sum(map(block_text_length, blocks)) <= MAX_MESSAGE_TEXT


def _list_line(number: int, item: DigestItem, chosen: bool, votes: int, downs: int = 0) -> str:
    paper = item.paper
    marks = ("⭐ " if chosen else "") + f"*{item.score.score}*"
    liked = (f"  👍 {votes}" if votes else "") + (f"  👎 {downs}" if downs else "")
    return f"{number}. {marks}  {link(paper.url, paper.title)}  `{paper.arxiv_id}`{liked}"


def deep_dive(item: DigestItem, number: int) -> list[Message]:
    return _analysis_messages(item.paper, item.analysis, item.score.score, prefix=f"{number}. ")


def analysis_message(paper: Paper, analysis: Analysis, score: int | None) -> list[Message]:
    return _analysis_messages(paper, analysis, score, prefix="")


def _analysis_messages(paper: Paper, analysis: Analysis | None, score: int | None, prefix: str) -> list[Message]:
    rating = f"评分 *{score}*/100 · " if score is not None else ""
    head = (f"*{prefix}{link(paper.url, paper.title)}*\n{rating}`{paper.arxiv_id}` · 用 :+1: :fire: :heart: 投票，"
            ":-1: = 不适合我们")
    blocks = [_section(head)]
    if paper.thumbnail and analysis is not None and analysis.deep_dive is not None:
        blocks.append({"type": "image", "image_url": paper.thumbnail, "alt_text": paper.title[:1900] or "thumbnail"})
    if analysis is None or analysis.deep_dive is None:
        reason = analysis.unavailable if analysis and analysis.unavailable else "No analysis yet."
        blocks.append(_context(f"⚠️ {escape(reason)}"))
    else:
        dive = analysis.deep_dive
        if analysis.basis_note:
            blocks.append(_context(escape(analysis.basis_note)))
        for field, heading in SECTIONS:
            value = getattr(dive, field)
            if isinstance(value, str):
                body = [mrkdwn(value)]
            else:
                body = [f"{'•' if field == 'methodology' else f'{i}.'} {mrkdwn(entry)}"
                        for i, entry in enumerate(value, 1)]
            blocks += sections([f"*{heading}*", *body])
    # cut before escaping, so the cut cannot split an entity; the title is third-party text
    return paginate(blocks, escape(f"{prefix}{paper.title}"[:300]))


def paper_answer(paper: Paper, question: str, answer: PaperAnswer) -> Message:
    """An /ask answer: the question, the paper, the answer, its quotes and what it was read from."""
    head = f"❓ *{escape(question)}*\n{link(paper.url, paper.title)} `{paper.arxiv_id}`"
    quotes = [f"> _{escape(q)}_" for q in answer.quotes]
    blocks = [*sections([head, "", mrkdwn(answer.answer), *quotes]), _context(escape(BASIS[answer.source]))]
    return {"text": escape(f"Answer about {paper.arxiv_id}: {answer.answer}"[:300]), "blocks": blocks}
