"""`paperbot deepdive <arxiv-id>`: any paper's deep dive in Markdown, with its stored score."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.common import open_store, settings_for


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    deepdive = commands.add_parser("deepdive", parents=[common], help="print the deep dive of any paper in Markdown")
    deepdive.add_argument("arxiv_id", help="2601.14256, arXiv:2601.14256v2, an arxiv.org or HF link, hep-th/9901001")
    deepdive.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import asyncio

    from analysis.sources.ids import parse_arxiv_id
    from bot.cli.progress import Progress
    from bot.config import CHAT, DIGEST_ONLY, SCHEDULE, SERVE_ONLY

    parse_arxiv_id(args.arxiv_id)  # a malformed id is refused before anything else
    settings = settings_for(SERVE_ONLY + SCHEDULE + CHAT + DIGEST_ONLY)
    store = open_store(settings.db)
    try:
        with Progress() as progress:
            page, missing = asyncio.run(_page(args.arxiv_id, settings, store, progress))
    finally:
        store.close()
    sys.stdout.write(page)
    if missing:  # the page still shows the abstract, but what was asked for is not there: say so, exit non-zero
        print(f"paperbot: no deep dive was written: {missing}", file=sys.stderr)
        return 1
    return 0


async def _page(text: str, settings: Any, store: Any, progress: Any) -> tuple[str, str | None]:
    """The Markdown page, and why the deep dive is missing from it (None when it is there)."""
    from analysis.pipeline import analyse, find_paper
    from analysis.render.markdown import deep_dive_page
    from bot.engine import open_engine
    from storage.history import latest_score

    async with open_engine(settings, store, progress, llm_later=True) as engine:
        progress(f"looking up {text}")
        paper = await find_paper(engine, text)
        await engine.ready()
        progress(engine.writer.dive_progress(paper, engine.profile))
        analysis = await analyse(engine, paper)
    score = latest_score(store, paper.arxiv_id)
    missing = None if analysis.deep_dive is not None else (analysis.unavailable or "the LLM gave no answer")
    return deep_dive_page(paper, analysis, score.score if score else None), missing
