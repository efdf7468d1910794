"""`paperbot ask <arxiv-id> <question>`: an answer from the paper's full text, with supporting quotes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.common import open_store, settings_for


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    ask = commands.add_parser("ask", parents=[common],
                              help="answer a question about a paper from its full text, with quotes")
    ask.add_argument("arxiv_id", help="the paper, in any form deepdive accepts")
    ask.add_argument("question", nargs="*", help="the question (quote it, or just type it after the id)")
    ask.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from analysis.errors import BadInput
    from analysis.sources.ids import parse_arxiv_id
    from analysis.writing.ask import USAGE
    from bot.cli.progress import Progress
    from bot.config import CHAT, DIGEST_ONLY, SCHEDULE, SERVE_ONLY

    parse_arxiv_id(args.arxiv_id)  # a malformed id or an empty question is refused before anything else
    question = " ".join(args.question).strip()
    if not question:
        raise BadInput(USAGE.replace("/ask", "paperbot ask"))
    settings = settings_for(SERVE_ONLY + SCHEDULE + CHAT + DIGEST_ONLY)
    store = open_store(settings.db)
    try:
        with Progress() as progress:
            page = asyncio.run(_answer(args.arxiv_id, question, settings, store, progress))
    finally:
        store.close()
    sys.stdout.write(page)
    return 0


async def _answer(text: str, question: str, settings: Any, store: Any, progress: Any) -> str:
    from analysis.pipeline import find_paper
    from analysis.render.answer import markdown
    from bot.engine import open_engine

    async with open_engine(settings, store, progress, llm_later=True) as engine:
        paper = await find_paper(engine, text)
        await engine.ready()
        if engine.writer.answers:  # without an LLM the writer says so at once: nothing is read
            progress(f"reading {paper.arxiv_id} and answering")
        answer = await engine.writer.answer(paper, question, engine.texts, engine.fulltext_tokens)
    return markdown(paper, question, answer)
