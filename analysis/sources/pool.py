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
    announcements: list[dt.date] | None = None  # arXiv's, oldest first; None when arXiv could not be had
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
    arxiv = await _arxiv_part(engine, announcements, now or dt.datetime.now(dt.UTC), failures)
    return _compose(engine, day, hf_papers or [], arxiv, failures, strict)


@dataclass
class _Arxiv:
    days: list[dt.date]  # the announcements wanted
    listed: list[Listed] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    last: dt.date | None = None  # the channel's last announcement, when none is new


async def _arxiv_part(engine: Engine, days: list[dt.date], now: dt.datetime, failures: dict[str, str],
                      last: dt.date | None = None) -> _Arxiv:
    part = _Arxiv(days, last=last)
    if engine.arxiv_categories and "arxiv" not in failures:
        part.listed = await _list_arxiv(engine, days, now, failures, part.notes)
    return part


def _compose(engine: Engine, day: dt.date, hf_list: list[Paper], arxiv: _Arxiv, failures: dict[str, str],
             strict: bool) -> Pool:
    if not engine.arxiv_categories:
        return Pool(day, hf_list, hf_count=len(hf_list))
    notes = list(arxiv.notes)
    if not arxiv.days:
        notes.append(engine.profile.say("no_new_announcement", day=f"{arxiv.last:%m-%d}") if arxiv.last
                     else engine.profile.say("no_announcement", day=f"{day:%m-%d}"))
    papers = merge(hf_list, _one_each([p for one in arxiv.listed for p in one.papers]))
    if not papers and failures and strict:
        raise SourceError(both_down(failures))
    missing = [engine.profile.say("source_missing", source=NAMES[s], why=why) for s, why in failures.items()]
    listed = arxiv.listed
    return Pool(day, papers, hf_count=len(hf_list), arxiv_count=len(papers) - len(hf_list),
                notes=missing + notes, failures=failures,
                announcements=_announced(arxiv, failures),
                replaced=[r for one in listed for r in one.replaced])


def _announced(arxiv: _Arxiv, failures: dict[str, str]) -> list[dt.date] | None:
    """The announcements the pool holds; [] when none was due, None when those due could not be had."""
    if arxiv.listed:
        return [one.day for one in arxiv.listed]
    return None if arxiv.days or "arxiv" in failures else []


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
        if one.source == "api" and not one.papers:
            # an announcement day whose window the API has nothing for yet (it lags the announcement): not
            # taken, so the next digest asks again instead of counting it as posted
            notes.append(engine.profile.say("announcement_pending", day=f"{day:%m-%d}"))
            continue
        listed.append(one)
    return listed


LOOKBACK = 3  # days before yesterday the latest HF day is looked for (weekends, holidays)


async def latest_pool(engine: Engine, now: dt.datetime, lookback: int = LOOKBACK, *,
                      last: dt.date | None = None) -> Pool:
    """The morning's pool at `now`: every arXiv announcement after `last` (only the latest one when `last`
    is None) and HF's latest complete day with papers: yesterday (UTC), else up to `lookback` days further
    back (weekends and holidays are empty days, not errors). The pool's day is yesterday when arXiv is
    followed (one morning, one day, whichever HF day it holds), else HF's day."""
    yesterday = now.astimezone(dt.UTC).date() - dt.timedelta(days=1)
    failures: dict[str, str] = {}
    days = schedule.since(last, now) if engine.arxiv_categories else []
    arxiv = await _arxiv_part(engine, days, now, failures, None if days else last)
    hf_day, hf_list = yesterday, []
    for back in range(lookback + 1):
        day = yesterday - dt.timedelta(days=back)
        hf_list = await _hf_day(engine, day, failures)
        if hf_list or "hf" in failures:
            hf_day = day
            break
    return _compose(engine, yesterday if engine.arxiv_categories else hf_day, hf_list, arxiv, failures,
                    strict=True)


async def _hf_day(engine: Engine, day: dt.date, failures: dict[str, str]) -> list[Paper]:
    engine.progress(f"fetching Hugging Face daily papers for {day}")
    try:
        return await hf.fetch_daily(engine.http, engine.hf_endpoint, day)
    except SourceError as exc:
        if not engine.arxiv_categories:
            raise  # HF is the only source: nothing to make a digest of
        failures["hf"] = str(exc)
        return []
