"""Feishu interactive cards (card JSON 1.0 with `markdown` elements): the quick view with its 👍 N buttons,
deep dives, /deepdive and /ask answers — the same content as Slack's, in Feishu's markup and limits.

A card message may be at most 30 KB (code 230025 above it), and Feishu counts the styled body, which is
larger than what is sent: every card here stays under MAX_CARD_BYTES of JSON with non-ASCII escaped (six
bytes a Chinese character, the most any encoding of it takes). A deep dive too long for one card continues
in the next, cut between sections, then lines, then characters — no text is dropped. The quick view gives
way at the end of its list, never its buttons, and is sent with `update_multi` so votes can patch it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from analysis.render.chat_summary import chat_summary, dives_posted, more_scanned
from analysis.render.markdown import SECTIONS

Card = dict[str, Any]
MAX_CARD_BYTES = 24_000  # of json.dumps(card) with ensure_ascii: under 30 KB whatever Feishu's styling adds
MAX_TEXT = 8_000  # characters of one markdown element
BUTTONS_PER_ROW = 10
MAX_TITLE = 150
VOTE, DOWN = "vote", "down"  # the button values' actions: {"paperbot": "vote" (👍) or "down" (👎), "index": N-1}
STAR = "⭐ = 深度解读 · "
FOOTER = "@paperbot /deepdive <arXiv id> 解读任意一篇 · 点 👍 N 给第 N 篇投票，👎 N = 不适合我们"
REACT = "用 👍 🔥 ❤️ 表情投票，👎 = 不适合我们"
ARXIV_ABS = "https://arxiv.org/abs/"
_SPECIAL = re.compile(r"[<>*_~`\[\]\\#|]")


def esc(text: str) -> str:
    """Third-party text (titles, questions, notes) shown literally: markdown's characters as HTML entities."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", text)


def model_md(text: str) -> str:
    """LLM Markdown kept (bold, code), but no tags: Feishu reads <at>, <font> and the like as markup."""
    return text.strip().replace("<", "&#60;").replace(">", "&#62;")


def link(url: str, text: str) -> str:
    return f"[{esc(text)}]({url.replace(')', '%29').replace(' ', '%20')})"


def arxiv_link(paper: Paper) -> str:
    return f"[{paper.arxiv_id}]({ARXIV_ABS}{paper.arxiv_id})"


def size(card: Card) -> int:
    return len(json.dumps(card, ensure_ascii=True, separators=(",", ":")))


def _md(text: str) -> dict[str, Any]:
    return {"tag": "markdown", "content": text}


def _note(text: str) -> dict[str, Any]:
    return {"tag": "note", "elements": [{"tag": "lark_md", "content": text}]}


def _card(title: str, elements: list[dict[str, Any]], template: str = "blue") -> Card:
    return {"config": {"wide_screen_mode": True, "update_multi": True},
            "header": {"template": template, "title": {"tag": "plain_text", "content": title[:MAX_TITLE]}},
            "elements": elements}


# -- the quick view ---------------------------------------------------------------------------------
def quick_view(digest: Digest, votes: dict[str, int], marks: dict[str, int] | None = None) -> Card:
    chosen = {item.paper.arxiv_id for item in digest.selected()}
    listed = digest.quick_items()
    marks = marks or {}
    lines = [_list_line(n, item, item.paper.arxiv_id in chosen, votes.get(item.paper.arxiv_id, 0),
                        marks.get(item.paper.arxiv_id, 0)) for n, item in enumerate(listed, start=1)]
    head = [_md(esc(chat_summary(digest))),
            *([_note(f"🎯 {esc(digest.ranked_by)}")] if digest.ranked_by else []),
            *(_note(f"⚠️ {esc(note)}") for note in digest.notes),
            *(_note(esc(update.line())) for update in digest.updates)]
    counts = [votes.get(item.paper.arxiv_id, 0) for item in listed]
    downs = [marks.get(item.paper.arxiv_id, 0) for item in listed]
    title = f"🚀 {digest.title} | {digest.date.isoformat()}"
    for shown in range(len(lines), -1, -1):  # the list gives way at its end, the buttons follow what is shown
        more = more_scanned(digest, shown)
        tail = [*vote_buttons(counts[:shown], downs[:shown]), *([_note(esc(more))] if more else []),
                _note(esc((STAR if dives_posted(digest) else "") + FOOTER))]
        card = _card(title, [*head, *_packed(lines[:shown]), *tail])
        if size(card) <= MAX_CARD_BYTES:
            return card
    return card


def _list_line(number: int, item: DigestItem, chosen: bool, votes: int, downs: int = 0) -> str:
    paper = item.paper
    marks = ("⭐ " if chosen else "") + f"**{item.score.score}**"
    liked = (f"  👍 {votes}" if votes else "") + (f"  👎 {downs}" if downs else "")
    return f"{number}. {marks}  {link(paper.url, paper.title)}  {arxiv_link(paper)}{liked}"


def _button(index: int, action: str, tally: int) -> dict[str, Any]:
    emoji = "👍" if action == VOTE else "👎"
    return {"tag": "button", "type": "default",
            "text": {"tag": "plain_text", "content": f"{emoji} {index + 1}" + (f" · {tally}" if tally else "")},
            "value": {"paperbot": action, "index": index}}


def vote_buttons(counts: list[int], downs: list[int] | None = None) -> list[dict[str, Any]]:
    """Rows of 👍 N / 👎 N button pairs, the paper's votes (or marks) beside N once it has any; a press is a
    card.action.trigger."""
    downs = downs or []
    buttons: list[dict[str, Any]] = []
    for i, n in enumerate(counts):
        buttons += [_button(i, VOTE, n), _button(i, DOWN, downs[i] if i < len(downs) else 0)]
    return [{"tag": "action", "layout": "flow", "actions": buttons[k : k + BUTTONS_PER_ROW]}
            for k in range(0, len(buttons), BUTTONS_PER_ROW)]


def button_index(value: Any) -> tuple[int, str] | None:
    """(list position, "up" or "down") a pressed button stands for; None for any value that is not ours."""
    if not isinstance(value, dict) or value.get("paperbot") not in (VOTE, DOWN):
        return None
    index = value.get("index")
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 10_000:
        return None
    return index, "up" if value["paperbot"] == VOTE else "down"


def _packed(lines: list[str]) -> list[dict[str, Any]]:
    """Lines in markdown elements of at most MAX_TEXT characters each."""
    return [_md(chunk) for chunk in pack(lines, MAX_TEXT)]


def pack(lines: list[str], limit: int) -> list[str]:
    """Lines joined into chunks of at most `limit` characters; a longer line is cut (at a space when one is near)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            cut = _cut(line, limit)
            chunks.append(line[:cut])
            line = line[cut:].lstrip(" ")
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def _cut(line: str, limit: int) -> int:
    """A space in the last half, else a hard cut, but never inside an &#NN; entity."""
    space = line.rfind(" ", 0, limit)
    cut = space if space > limit // 2 else limit
    amp = line.rfind("&#", 0, cut)
    if amp > 0 and ";" not in line[amp:cut]:
        cut = amp
    return cut


# -- deep dives and answers -------------------------------------------------------------------------
def deep_dive(item: DigestItem, number: int, image_key: str | None = None) -> list[Card]:
    return analysis_cards(item.paper, item.analysis, item.score.score, f"{number}. ", image_key)


def analysis_cards(paper: Paper, analysis: Analysis | None, score: int | None, prefix: str = "",
                   image_key: str | None = None) -> list[Card]:
    rating = f"评分 **{score}**/100 · " if score is not None else ""
    elements = [_md(f"{rating}{arxiv_link(paper)} · {link(paper.url, '论文页')} · {REACT}")]
    if image_key and analysis is not None and analysis.deep_dive is not None:
        alt = {"tag": "plain_text", "content": paper.title[:100]}
        elements.append({"tag": "img", "img_key": image_key, "alt": alt})
    if analysis is None or analysis.deep_dive is None:
        reason = analysis.unavailable if analysis and analysis.unavailable else "No analysis yet."
        elements.append(_note(f"⚠️ {esc(reason)}"))
    else:
        if analysis.basis_note:
            elements.append(_note(esc(analysis.basis_note)))
        dive = analysis.deep_dive
        for field, heading in SECTIONS:
            value = getattr(dive, field)
            body = [model_md(value)] if isinstance(value, str) else [
                f"{'•' if field == 'methodology' else f'{i}.'} {model_md(entry)}" for i, entry in enumerate(value, 1)]
            elements += _packed([f"**{heading}**", *body])
    return paginate(f"{prefix}{paper.title}", elements)


def paginate(title: str, elements: list[dict[str, Any]]) -> list[Card]:
    """Cards of at most MAX_CARD_BYTES; the title on each, numbered from the second on."""
    pages: list[list[dict[str, Any]]] = [[]]
    for element in elements:
        if pages[-1] and size(_card(title, [*pages[-1], element])) > MAX_CARD_BYTES:
            pages.append([])
        pages[-1].append(element)
    total = len(pages)
    return [_card(title if n == 0 else f"{title} ({n + 1}/{total})", page, "indigo") for n, page in enumerate(pages)]


def answer_cards(paper: Paper, question: str, answer: PaperAnswer, basis: str) -> list[Card]:
    """An /ask answer: the question, the paper, the answer, its quotes and what it was read from."""
    lines = [f"❓ **{esc(question)}**", f"{link(paper.url, paper.title)} {arxiv_link(paper)}",
             "", model_md(answer.answer), *(f"> {esc(q)}" for q in answer.quotes)]
    return paginate(f"Q · {paper.arxiv_id}", [*_packed(lines), _note(esc(basis))])


def text_content(text: str) -> dict[str, str]:
    """A plain text message's content. Feishu reads only <at …> tags in text: those are taken apart."""
    return {"text": text.replace("<at", "< at")}


def card_text(card: Card) -> str:
    """Every text a card shows, in order (for tests and for logs): title, markdown, notes, buttons."""
    parts = [card["header"]["title"]["content"]]
    for element in card["elements"]:
        if element["tag"] == "markdown":
            parts.append(element["content"])
        elif element["tag"] == "note":
            parts += [e["content"] for e in element["elements"]]
        elif element["tag"] == "action":
            parts += [b["text"]["content"] for b in element["actions"]]
    return "\n".join(parts)
