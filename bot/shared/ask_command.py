"""`/ask <arxiv-id> <question>` for every platform: which paper, which question, and where the answer goes.

On Telegram a reply to a deep dive may leave out the id: the adapter passes the replied-to paper
as the Invocation's `context_paper`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analysis.errors import BadInput
from analysis.pipeline import find_paper
from analysis.sources.ids import parse_arxiv_id
from analysis.writing.ask import USAGE
from bot.shared.answers import Answer, Invocation
from bot.shared.votes import remember

if TYPE_CHECKING:
    from analysis.engine import Engine
    from bot.shared.chat import ChatAdapter
    from storage.store import Store

DESCRIPTION = "/ask <arxiv-id> <question> — ask about a paper; answered from its full text, with quotes"


def split_question(text: str, context_paper: str | None) -> tuple[str, str]:
    """(paper id as typed, question); the id may be left out where the chat gives the paper."""
    words = text.strip().split(maxsplit=1)
    if not words:
        raise BadInput(USAGE)
    try:
        parse_arxiv_id(words[0])
    except BadInput:
        if context_paper is None:
            raise BadInput(f"'{_short(words[0])}' is not an arXiv id. {USAGE}") from None
        return context_paper, text.strip()
    question = words[1].strip() if len(words) > 1 else ""
    if not question:
        raise BadInput(USAGE)
    return words[0], question


def precheck(text: str, context_paper: str | None = None) -> None:
    """All that can be wrong with an /ask before the paper is looked up: said in the first reply."""
    split_question(text, context_paper)


async def answer(engine: Engine, who: Invocation, text: str) -> Answer:
    """The answer to post; the caller knows where the paper's thread is."""
    typed, question = split_question(text, who.context_paper)
    paper = await find_paper(engine, typed)
    reply = await engine.writer.answer(paper, question, engine.texts, engine.fulltext_tokens)
    return Answer(paper=paper, question=question, reply=reply)


async def post(adapter: ChatAdapter, store: Store, channel_id: str, answer: Answer) -> list[str]:
    """Post the answer and remember its messages as the paper's, like a deep dive's."""
    assert answer.paper is not None and answer.reply is not None and answer.question is not None
    refs = await adapter.post_paper_answer(channel_id, answer.paper, answer.question, answer.reply,
                                           answer.thread_ref)
    await remember(store, adapter.platform, channel_id, refs, "answer", answer.paper.arxiv_id)
    return refs


def _short(text: str) -> str:
    from analysis.errors import quote

    return quote(text, 30)
