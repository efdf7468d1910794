"""The day's pool: Hugging Face's list plus arXiv's announcements of the followed categories, one id once.

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
from analysis.sources import hf, schedule
from analysis.sources.announcements import Announcements, Listed
from analysis.sources.arxiv_rss import Replacement

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
    announcements: list[dt.date] = field(default_factory=list)  # arXiv's, oldest first
    replaced: list[Replacement] = field(default_factory=list)  # new versions the announcements named

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
                     down: dict[str, str] | None = None, strict: bool = True,
                     announcements: list[dt.date] | None = None, now: dt.datetime | None = None) -> Pool:
    """The pool of `day`: HF's list of `day` and arXiv's announcement dated `day` (or `announcements`).
    `hf_papers` given (a saved file) replaces HF; sources in `down` (source -> error) are not asked
    again. `strict`: an empty pool with a source down is that source's error."""
    failures = dict(down or {})
    if hf_papers is None and "hf" not in failures:
        engine.progress(f"fetching Hugging Face daily papers for {day}")
        try:
            hf_papers = await hf.fetch_daily(engine.http, engine.hf_endpoint, day)
        except SourceError as exc:
            if not engine.arxiv_categories:
                raise  # HF is the only source: nothing to make a digest of
            failures["hf"] = str(exc)
    if announcements is None:
        announcements = [day] if schedule.announces(day) else []
    days = announcements
    return await _with_arxiv(engine, day, hf_papers or [], days, now or dt.datetime.now(dt.UTC), failures, strict)


async def _with_arxiv(engine: Engine, day: dt.date, hf_list: list[Paper], days: list[dt.date], now: dt.datetime,
                      failures: dict[str, str], strict: bool, last: dt.date | None = None) -> Pool:
    if not engine.arxiv_categories:
        return Pool(day, hf_list, hf_count=len(hf_list))
    notes: list[str] = []
    listed: list[Listed] = []
    if "arxiv" not in failures:
        listed = await _list_arxiv(engine, days, now, failures, notes)
    if not days and last is None:
        notes.append(engine.profile.say("no_announcement", day=f"{day:%m-%d}"))
    elif not days:
        notes.append(engine.profile.say("no_new_announcement", day=f"{last:%m-%d}"))
    papers = merge(hf_list, _one_each([p for one in listed for p in one.papers]))
    if not papers and failures and strict:
        raise SourceError(both_down(failures))
    missing = [engine.profile.say("source_missing", source=NAMES[s], why=why) for s, why in failures.items()]
    return Pool(day, papers, hf_count=len(hf_list), arxiv_count=len(papers) - len(hf_list),
                notes=missing + notes, failures=failures, announcements=[one.day for one in listed],
                replaced=[r for one in listed for r in one.replaced])


def _one_each(papers: list[Paper]) -> list[Paper]:
    """A paper in two announcements (new, then cross-listed) once, as first announced."""
    return list({p.arxiv_id: p for p in reversed(papers)}.values())[::-1]


def both_down(failures: dict[str, str]) -> str:
    """The sources' errors as one line."""
    return "; ".join(why.rstrip(".") for why in failures.values()) + "."


async def _list_arxiv(engine: Engine, days: list[dt.date], now: dt.datetime, failures: dict[str, str],
                      notes: list[str]) -> list[Listed]:
    source = Announcements(engine, now)
    listed = []
    for day in days:
        try:
            one = await source.get(day)
        except SourceError as exc:
            failures["arxiv"] = str(exc)
            break
        if one.problem:
            notes.append(engine.profile.say("listing_partial", n=len(one.papers), total=one.total, why=one.problem))
        listed.append(one)
    return listed


LOOKBACK = 3  # days before yesterday the latest HF day is looked for (weekends, holidays)


async def latest_pool(engine: Engine, now: dt.datetime, lookback: int = LOOKBACK, *,
                      last: dt.date | None = None) -> Pool:
    """The morning's pool at `now`: HF's latest complete day with papers (yesterday UTC, else up to
    `lookback` days further back) and every arXiv announcement after `last` (only the latest one when
    `last` is None). Weekends and holidays are empty days, not errors. The pool's day is the later of
    HF's day and the latest announcement's."""
    today = now.astimezone(dt.UTC).date()
    failures: dict[str, str] = {}
    hf_day, hf_list = await _latest_hf(engine, today, lookback, failures)
    days = schedule.since(last, now) if engine.arxiv_categories else []
    day = max([hf_day, *days])
    return await _with_arxiv(engine, day, hf_list, days, now, failures, strict=True, last=last)


async def _latest_hf(engine: Engine, today: dt.date, lookback: int,
                     failures: dict[str, str]) -> tuple[dt.date, list[Paper]]:
    yesterday = today - dt.timedelta(days=1)
    for back in range(lookback + 1):
        day = yesterday - dt.timedelta(days=back)
        engine.progress(f"fetching Hugging Face daily papers for {day}")
        try:
            papers = await hf.fetch_daily(engine.http, engine.hf_endpoint, day)
        except SourceError as exc:
            if not engine.arxiv_categories:
                raise
            failures["hf"] = str(exc)
            return yesterday, []
        if papers:
            return day, papers
    return yesterday, []
