"""The digest pipeline: one plain async function that the CLI, the scheduler and the tests all call."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence

from analysis.engine import Engine
from analysis.errors import PaperNotFound, SourceError
from analysis.models import Analysis, Digest, Paper
from analysis.profile import Profile
from analysis.ranking.narrowing import Shortlist, digest_items, rank, shortlist_for_llm
from analysis.ranking.rank import score_day
from analysis.ranking.scoring import keyword_scores, score_progress
from analysis.ranking.taste import Taste
from analysis.sources import arxiv, hf
from analysis.sources.ids import parse_arxiv_id
from analysis.sources.pool import Pool, fetch_pool, latest_pool
from analysis.writing.deepdive import deep_dive, deep_dives, dives_progress

log = logging.getLogger(__name__)


async def latest_day(engine: Engine, today: dt.date, lookback: int = 3) -> tuple[dt.date, list[Paper]]:
    """The latest complete day with papers: yesterday, else up to `lookback` days further back."""
    pool = await latest_pool(engine, today, lookback)
    return pool.day, pool.papers


async def fetch_day(engine: Engine, day: dt.date) -> list[Paper]:
    return (await fetch_pool(engine, day)).papers


async def build_digest(engine: Engine, day: dt.date, papers: Sequence[Paper] | Pool, *,
                       thresholds: Iterable[int] = (), taste: Taste | None = None,
                       profile: Profile | None = None) -> Digest:
    """Score the day's pool and deep-dive every paper that any of `thresholds` selects.

    The whole pool is scanned; above `llm_pool` papers only the cheap ranking's top goes to the LLM.
    Deep dives are computed once for the union of the channels' selections, so a channel with a
    low bar costs its extra papers once, and every other channel reuses the cache. `taste` and
    `profile` (a channel's own keywords) change the ranking; the default is the engine's profile.
    """
    profile = profile or engine.profile
    pool = papers if isinstance(papers, Pool) else Pool.of(day, list(papers))
    engine.cache.save_papers(pool.papers, day.isoformat())
    shortlist = await shortlist_for_llm(pool.papers, profile, engine.llm_pool if engine.llm else None,
                                        taste=taste, cache=engine.cache)
    if shortlist.rest:
        engine.progress(f"ranked {len(pool.papers)} papers without the LLM; the best {len(shortlist.chosen)} "
                        "go to scoring (PAPERBOT_LLM_POOL)")
    engine.progress(score_progress(shortlist.chosen, profile=profile, llm=engine.llm, cache=engine.cache, taste=taste))
    if engine.texts is not None and engine.llm is not None:  # dives start when scoring ends, not after a fetch
        engine.texts.prefetch(likely_picks(shortlist, profile, 2 * engine.max_deep_dives))
    result = await score_day(shortlist.chosen, profile=profile, llm=engine.llm, cache=engine.cache, taste=taste)
    digest = Digest(title=profile.title, date=day, items=digest_items(pool.papers, shortlist, result.scores, profile),
                    threshold=engine.threshold, max_deep_dives=engine.max_deep_dives, scored_by=result.method,
                    notes=pool.notes + result.notes, ranked_by=result.ranked_by, top_n=engine.top_n,
                    hf_count=pool.hf_count, arxiv_count=pool.arxiv_count)
    wanted = {item.paper.arxiv_id: item.paper
              for bar in {engine.threshold, *thresholds} for item in digest.selected(bar)}
    if engine.texts is not None and engine.llm is not None:
        engine.texts.keep_prefetches(set(wanted))
        engine.texts.settle(list(wanted.values()))  # a slow paper costs the posts seconds, not minutes
    dives_note = dives_progress(list(wanted.values()), profile=profile, llm=engine.llm, cache=engine.cache)
    if dives_note:
        engine.progress(dives_note)
    analyses = await deep_dives(list(wanted.values()), profile=profile, llm=engine.llm,
                                cache=engine.cache, texts=engine.texts, budget=engine.fulltext_tokens)
    for item in digest.items:
        item.analysis = analyses.get(item.paper.arxiv_id)
    return digest


def likely_picks(shortlist: Shortlist, profile: Profile, most: int) -> list[Paper]:
    """The papers scoring will most likely pick, by the ranking so far (the cheap one: keywords, and taste
    when the pool was narrowed), best first: their full texts are fetched while the LLM scores."""
    cheap = shortlist.cheap or keyword_scores(shortlist.chosen, profile)
    return rank(shortlist.chosen, cheap)[:most]


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
    return await deep_dive(paper, profile=engine.profile, llm=engine.llm, cache=engine.cache, texts=engine.texts,
                           budget=engine.fulltext_tokens)
