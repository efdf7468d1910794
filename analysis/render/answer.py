"""An answer to a question about a paper, for the terminal (Markdown), Slack (mrkdwn) and Telegram (HTML)."""

from __future__ import annotations

import re
from typing import Any

from analysis.models import Paper, PaperAnswer
from analysis.render import slack, telegram
from analysis.render.mdtext import md_model, md_text

BASIS = {"html": "from the paper's HTML full text", "pdf": "from the paper's PDF text",
         "abstract": "from the abstract only (arXiv had no full text)"}


def markdown(paper: Paper, question: str, answer: PaperAnswer) -> str:
    """Title, question, answer and quotes are outside text: escaped, each quote one blockquote line."""
    lines = [f"**Q** ({paper.arxiv_id}, {md_text(paper.title)}): {md_text(question)}", ""]
    lines += [line for part in re.split(r"\n\s*\n", answer.answer.strip()) if part.strip()
              for line in (md_model(part), "")]
    lines += [f"> “{md_text(quote)}”" for quote in answer.quotes]
    lines += ["", f"_{paper.url} — {BASIS[answer.source]}_"]
    return "\n".join(lines).strip() + "\n"


def slack_message(paper: Paper, question: str, answer: PaperAnswer) -> dict[str, Any]:
    head = f"❓ *{slack.escape(question)}*\n{slack.link(paper.url, paper.title)} `{paper.arxiv_id}`"
    quotes = [f"> _{slack.escape(q)}_" for q in answer.quotes]
    blocks = [*slack.sections([head, "", slack.mrkdwn(answer.answer), *quotes]),
              {"type": "context", "elements": [{"type": "mrkdwn", "text": slack.escape(BASIS[answer.source]),
                                                "verbatim": True}]}]
    return {"text": slack.escape(f"Answer about {paper.arxiv_id}: {answer.answer}"[:300]), "blocks": blocks}


def telegram_parts(paper: Paper, question: str, answer: PaperAnswer) -> list[str]:
    esc = telegram.esc
    parts = [f"❓ <b>{esc(question)}</b>\n{telegram.link(paper.url, paper.title)} <code>{esc(paper.arxiv_id)}</code>",
             telegram.inline(answer.answer),
             *(f"<blockquote>{esc(q)}</blockquote>" for q in answer.quotes),
             f"<i>{esc(BASIS[answer.source])}</i>"]
    return telegram.split("\n\n".join(parts))
