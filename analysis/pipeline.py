"""The digest pipeline: one plain async function that the CLI, the scheduler and the tests all call."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from analysis.engine import Engine
from analysis.errors import PaperNotFound, SourceError
from analysis.models import Analysis, Digest, Paper
from analysis.profile import Profile
from analysis.ranking.follows import lift_followed
from analysis.ranking.keywords import keyword_scores
from analysis.ranking.narrowing import Shortlist, digest_items, rank
from analysis.ranking.view import ChannelView
from analysis.sources import arxiv, hf
from analysis.sources.ids import parse_arxiv_id
from analysis.sources.pool import Pool, fetch_pool, latest_pool
from analysis.writing.writer import dives

log = logging.getLogger(__name__)


async def latest_day(engine: Engine, today: dt.date, lookback: int = 3) -> tuple[dt.date, list[Paper]]:
    """The latest complete day with papers: yesterday, else up to `lookback` days further back."""
    pool = await latest_pool(engine, dt.datetime.combine(today, dt.time(12), dt.UTC), lookback)
    return pool.day, pool.papers


async def fetch_day(engine: Engine, day: dt.date) -> list[Paper]:
    return (await fetch_pool(engine, day)).papers


async def build_digest(engine: Engine, day: dt.date, papers: Sequence[Paper] | Pool, *,
                       thresholds: Iterable[int] = (), view: ChannelView | None = None) -> Digest:
    """Score the day's pool and deep-dive every paper that any of `thresholds` selects.

    The whole pool is scanned; above `llm_pool` papers only HF's list, followed authors' papers and the
    cheap ranking's top go to the LLM. Deep dives are computed once for the union of the channels'
    selections, so a channel with a low bar costs its extra papers once, and every other channel reuses
    the cache. `view` (a channel's keywords, taste and followed authors) changes the ranking; the default is
    the engine's profile alone. A followed author's paper scores at least the highest of the thresholds.
    """
    view = view or ChannelView(engine.profile)
    profile, ranker = view.profile, engine.ranker
    bars = {engine.threshold, *thresholds}
    pool = papers if isinstance(papers, Pool) else Pool.of(day, list(papers))
    engine.cache.save_papers(pool.papers, day.isoformat())
    shortlist = await ranker.shortlist(pool.papers, view, engine.llm_pool)
    if shortlist.rest:
        engine.progress(f"ranked {len(pool.papers)} papers without the LLM; the best {len(shortlist.chosen)} "
                        "go to scoring (PAPERBOT_LLM_POOL)")
    engine.progress(ranker.progress(shortlist.chosen, view))
    if engine.texts is not None and engine.llm is not None:  # dives start when scoring ends, not after a fetch
        engine.texts.prefetch(likely_picks(shortlist, profile, 2 * engine.max_deep_dives))
    result = await ranker.score(shortlist.chosen, view)
    lift_followed(result.scores, shortlist.chosen, view.follows, max(bars), profile)
    digest = Digest(title=profile.title, date=day, items=digest_items(pool.papers, shortlist, result.scores, view),
                    threshold=engine.threshold, max_deep_dives=engine.max_deep_dives, scored_by=result.method,
                    notes=pool.notes + result.notes, ranked_by=result.ranked_by, top_n=engine.top_n,
                    hf_count=pool.hf_count, arxiv_count=pool.arxiv_count, announcements=pool.announcements)
    wanted = {item.paper.arxiv_id: item.paper for bar in bars for item in digest.selected(bar)}
    if engine.texts is not None and engine.llm is not None:
        engine.texts.keep_prefetches(set(wanted))
        engine.texts.settle(list(wanted.values()))  # a slow paper costs the posts seconds, not minutes
    dives_note = engine.writer.dives_progress(list(wanted.values()), profile)
    if dives_note:
        engine.progress(dives_note)
    analyses = await dives(engine.writer, list(wanted.values()), profile, engine.texts, engine.fulltext_tokens)
    for item in digest.items:
        item.analysis = analyses.get(item.paper.arxiv_id)
    return digest


def likely_picks(shortlist: Shortlist, profile: Profile, most: int) -> list[Paper]:
    """The papers scoring will most likely pick, by the ranking so far (the cheap one: keywords, and taste
    when the pool was narrowed), best first: their full texts are fetched while the LLM scores."""
    cheap = shortlist.cheap or keyword_scores(shortlist.chosen, profile)
    return rank(shortlist.chosen, cheap, profile)[:most]


async def find_paper(engine: Engine, text: str) -> Paper:
    """Any paper by any accepted id form: our store, then Hugging Face, then arXiv."""
    arxiv_id = parse_arxiv_id(text)
    paper = engine.cache.get_paper(arxiv_id)
    if paper is None:
        try:
            paper = await hf.fetch_paper(engine.http, engine.hf_endpoint, arxiv_id)
        except SourceError as exc:  # HF down must not stop the arXiv fallback
            log.warning("Hugging Face lookup of %s failed: %s", arxiv_id, exc)
        if paper is None:
            paper = await arxiv.fetch_paper(engine.http, engine.arxiv_api_url, arxiv_id)
        if paper is None:
            raise PaperNotFound(f"arXiv has no paper {arxiv_id}; check the id.")
        engine.cache.save_papers([paper])
    return paper


async def analyse(engine: Engine, paper: Paper) -> Analysis:
    return await engine.writer.dive(paper, engine.profile, engine.texts, engine.fulltext_tokens)
