"""The day's pool: Hugging Face's list plus the followed arXiv categories' new submissions, one id once.

Either source may be down; the pool is then what the other gave, and its notes say what is missing.
Only when nothing at all could be had is that an error (so the scheduler tries again later).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analysis.errors import SourceError
from analysis.models import Paper
from analysis.sources import arxiv_listing, hf

if TYPE_CHECKING:
    from analysis.engine import Engine

log = logging.getLogger(__name__)
NAMES = {"hf": "Hugging Face", "arxiv": "arXiv"}


@dataclass
class Pool:
    day: dt.date
    papers: list[Paper]
    hf_count: int | None = None  # papers HF listed
    arxiv_count: int | None = None  # papers only arXiv listed; None when no category is followed
    notes: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # source that did not answer -> its error

    @classmethod
    def of(cls, day: dt.date, papers: list[Paper]) -> Pool:
        """A pool of papers at hand (a list, the stored day): counted by their sources."""
        hf_count = sum("hf" in p.sources for p in papers)
        others = len(papers) - hf_count
        return cls(day, list(papers), hf_count=hf_count, arxiv_count=others or None)


def merge(hf_papers: list[Paper], arxiv_papers: list[Paper]) -> list[Paper]:
    """HF's papers in HF's order, then arXiv's others in listing order. HF's fields win for a paper
    both list (upvotes, ai_summary, thumbnail); arXiv adds its source and categories."""
    by_id = {p.arxiv_id: p for p in arxiv_papers}
    merged = []
    for paper in hf_papers:
        also = by_id.pop(paper.arxiv_id, None)
        if also is not None:
            paper = paper.model_copy(update={"sources": ["hf", "arxiv"], "categories": also.categories,
                                             "listed_in": also.listed_in})
        merged.append(paper)
    return merged + list(by_id.values())


async def fetch_pool(engine: Engine, day: dt.date, hf_papers: list[Paper] | None = None, *,
                     down: dict[str, str] | None = None, strict: bool = True) -> Pool:
    """The pool of `day`. `hf_papers` given (a saved file) replaces HF; sources in `down` (source ->
    error) are not asked again. `strict`: an empty pool with a source down is that source's error."""
    failures = dict(down or {})
    if hf_papers is None and "hf" not in failures:
        engine.progress(f"fetching Hugging Face daily papers for {day}")
        try:
            hf_papers = await hf.fetch_daily(engine.http, engine.hf_endpoint, day)
        except SourceError as exc:
            if not engine.arxiv_categories:
                raise  # HF is the only source: nothing to make a digest of
            failures["hf"] = str(exc)
    hf_list = hf_papers or []
    if not engine.arxiv_categories:
        return Pool(day, hf_list, hf_count=len(hf_list))
    notes: list[str] = []
    arxiv_papers: list[Paper] = []
    if "arxiv" not in failures:
        arxiv_papers = await _list_arxiv(engine, day, failures, notes)
    papers = merge(hf_list, arxiv_papers)
    if not papers and failures and strict:
        raise SourceError(both_down(failures))
    missing = [engine.profile.say("source_missing", source=NAMES[s], why=why) for s, why in failures.items()]
    return Pool(day, papers, hf_count=len(hf_list), arxiv_count=len(papers) - len(hf_list),
                notes=missing + notes, failures=failures)


def both_down(failures: dict[str, str]) -> str:
    """The sources' errors as one line."""
    return "; ".join(why.rstrip(".") for why in failures.values()) + "."


async def _list_arxiv(engine: Engine, day: dt.date, failures: dict[str, str], notes: list[str]) -> list[Paper]:
    categories = engine.arxiv_categories
    engine.progress(f"listing arXiv {', '.join(categories)} submissions of {day}")
    try:
        listing = await arxiv_listing.list_day(engine.http, engine.arxiv_api_url, categories, day,
                                               engine.arxiv_paging)
    except SourceError as exc:
        failures["arxiv"] = str(exc)
        return []
    if listing.problem:
        notes.append(engine.profile.say("listing_partial", n=len(listing.papers), total=listing.total,
                                        why=listing.problem))
    return listing.papers


LOOKBACK = 3  # days before yesterday the latest day is looked for (weekends, holidays)


async def latest_pool(engine: Engine, today: dt.date, lookback: int = LOOKBACK) -> Pool:
    """The latest complete day with papers: yesterday (UTC), else up to `lookback` days further back.

    Weekends and holidays are empty days, not errors. A source found down is not asked again for
    the earlier days; if one was down and no day had papers, its error is what is reported.
    """
    day = today - dt.timedelta(days=1)
    down: dict[str, str] = {}
    for _ in range(lookback + 1):
        pool = await fetch_pool(engine, day, down=down, strict=False)
        if pool.papers:
            return pool
        down = pool.failures
        if set(down) >= {"hf", "arxiv"}:
            break
        day -= dt.timedelta(days=1)
    if down:
        raise SourceError(both_down(down))
    return Pool(today - dt.timedelta(days=1), [], hf_count=0,
                arxiv_count=0 if engine.arxiv_categories else None)
