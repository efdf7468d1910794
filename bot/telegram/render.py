"""Telegram HTML (parse_mode=HTML): everything escaped, only Telegram's tags, split below 4,096."""

from __future__ import annotations

import html
import re

from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from analysis.render.answer import BASIS
from analysis.render.chat_summary import chat_summary, dives_posted, more_scanned
from analysis.render.markdown import SECTIONS

LIMIT = 4000  # Telegram's 4,096 counts visible UTF-16 units; raw HTML counted against 4,000 is safely below
_TOKEN = re.compile(r"<[^<>]+>|&[#a-zA-Z0-9]+;|\s+|[^<&\s]+")
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)")


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def inline(text: str) -> str:
    """LLM Markdown to HTML: `code` first (its content is literal), then **bold**, on escaped text."""
    codes: list[str] = []

    def keep(match: re.Match[str]) -> str:
        codes.append(f"<code>{match.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    out = re.sub(r"`([^`\n]+)`", keep, esc(text.strip()))
    out = re.sub(r"\*\*([^*\n]+?)\*\*", r"<b>\1</b>", out)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], out)


def link(url: str, text: str) -> str:
    return f'<a href="{html.escape(url, quote=True)}">{esc(text)}</a>'


def quick_view(digest: Digest, votes: dict[str, int], marks: dict[str, int] | None = None) -> list[str]:
    chosen = {item.paper.arxiv_id for item in digest.selected()}
    lines = [
        f"<b>🚀 {esc(digest.title)} | {digest.date.isoformat()}</b>",
        chat_summary(digest),
        *([f"🎯 {esc(digest.ranked_by)}"] if digest.ranked_by else []),
        *(f"⚠️ {esc(note)}" for note in digest.notes),
        *(esc(update.line()) for update in digest.updates),
        "",
    ]
    listed = digest.quick_items()
    for number, item in enumerate(listed, start=1):
        mark = "⭐ " if item.paper.arxiv_id in chosen else ""
        liked = f" 👍 {votes[item.paper.arxiv_id]}" if votes.get(item.paper.arxiv_id) else ""
        liked += f" 👎 {marks[item.paper.arxiv_id]}" if marks and marks.get(item.paper.arxiv_id) else ""
        lines.append(f"{number}. {mark}<b>{item.score.score}</b> {link(item.paper.url, item.paper.title)} "
                     f"<code>{esc(item.paper.arxiv_id)}</code>{liked}")
    more = more_scanned(digest, len(listed))
    lines += [esc(more)] if more else []
    star = "⭐ = 深度解读（见回复）· " if dives_posted(digest) else ""
    lines += ["", f"<i>{star}/deepdive &lt;arXiv id&gt; 解读任意一篇 · 点 👍 N 给第 N 篇投票，👎 N = 不适合我们</i>"]
    return split("\n".join(lines))


def deep_dive(item: DigestItem, number: int) -> list[str]:
    return analysis_message(item.paper, item.analysis, item.score.score, prefix=f"{number}. ")


def analysis_message(paper: Paper, analysis: Analysis | None, score: int | None, prefix: str = "") -> list[str]:
    rating = f"评分 <b>{score}</b>/100 · " if score is not None else ""
    parts = [f"<b>{esc(prefix)}{link(paper.url, paper.title)}</b>\n{rating}<code>{esc(paper.arxiv_id)}</code>"
             " · 用 👍 🔥 ❤ 投票，👎 = 不适合我们"]
    if analysis is None or analysis.deep_dive is None:
        parts.append(f"⚠️ {esc(analysis.unavailable if analysis and analysis.unavailable else 'No analysis yet.')}")
    else:
        if analysis.basis_note:
            parts.append(f"<i>{esc(analysis.basis_note)}</i>")
        for field, heading in SECTIONS:
            value = getattr(analysis.deep_dive, field)
            if isinstance(value, str):
                body = [inline(value)]
            else:
                body = [f"{'•' if field == 'methodology' else f'{i}.'} {inline(entry)}"
                        for i, entry in enumerate(value, 1)]
            parts.append("\n".join([f"<b>{esc(heading)}</b>", *body]))
    return split("\n\n".join(parts))


def photo_caption(paper: Paper, prefix: str = "") -> str:
    """The short caption of a paper's thumbnail (Telegram allows 1,024 characters)."""
    title = paper.title if len(paper.title) <= 300 else paper.title[:299] + "…"
    return f"<b>{esc(prefix)}{esc(title)}</b>"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int = LIMIT) -> list[str]:
    """Parts of at most `limit`: cut at paragraphs, then lines, then tokens; tags open at a cut are
    closed before it and reopened after, and no tag or entity is ever cut."""
    if utf16(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if utf16(candidate) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        current = ""
        for piece in _split_lines(paragraph, limit):
            if current and utf16(current) + 1 + utf16(piece) <= limit:
                current = f"{current}\n{piece}"
            else:
                if current:
                    parts.append(current)
                current = piece
    if current:
        parts.append(current)
    # a cut among blank lines can leave a part of whitespace only, which Telegram refuses as "message text is empty"
    return [part for part in parts if _visible(part).strip()]


def _visible(text: str) -> str:
    return html.unescape(re.sub(r"<[^<>]+>", "", text))


def _split_lines(paragraph: str, limit: int) -> list[str]:
    out: list[str] = []
    for line in paragraph.split("\n"):
        out += [line] if utf16(line) <= limit else _split_tokens(line, limit)
    return out


def _split_tokens(line: str, limit: int) -> list[str]:
    step = limit // 2
    tokens: list[str] = []
    for token in _TOKEN.findall(line):
        atomic = token.startswith(("<", "&"))
        tokens += [token] if atomic else [token[i : i + step] for i in range(0, len(token), step)]
    parts: list[str] = []
    current = ""
    stack: list[str] = []  # the opening tags in force, to close and reopen at a cut
    for token in tokens:
        closers = "".join(f"</{_name(t)}>" for t in reversed(stack))
        opening = token.startswith("<") and not token.startswith("</")  # it too must be closed at the next cut
        needed = utf16(closers) + (len(_name(token)) + 3 if opening else 0)
        if current and utf16(current) + utf16(token) + needed > limit:
            parts.append(current + closers)
            current = "".join(stack)
        current += token
        if token.startswith("</"):
            if stack:
                stack.pop()
        elif token.startswith("<"):
            stack.append(token)
    if current:
        parts.append(current)
    return parts


def _name(tag: str) -> str:
    match = _TAG.match(tag)
    return match.group(2) if match else "b"


def paper_answer(paper: Paper, question: str, answer: PaperAnswer) -> list[str]:
    """An /ask answer: the question, the paper, the answer, each quote a blockquote, what it was read from."""
    parts = [f"❓ <b>{esc(question)}</b>\n{link(paper.url, paper.title)} <code>{esc(paper.arxiv_id)}</code>",
             inline(answer.answer),
             *(f"<blockquote>{esc(q)}</blockquote>" for q in answer.quotes),
             f"<i>{esc(BASIS[answer.source])}</i>"]
    return split("\n\n".join(parts))
