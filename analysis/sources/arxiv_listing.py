"""An announcement's arXiv submissions in the followed categories: the API's paged search, politely.

Used for the announcements the RSS feed no longer shows: the query is the announcement's submission
window (analysis/sources/schedule.py). Up to 2,000 results a request (arXiv's most), so a 500-paper
announcement is one request.

arXiv asks API clients for one request at a time, about 3 s apart, and a User-Agent that says who
they are. Its search also has quirks that a listing must ride out: "Rate exceeded" answered as a
plain-text HTTP 200 or as a 503, a page that comes back empty in the middle of a non-empty result,
and ids that carry versions. A paper cross-listed in two followed categories is listed once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

import httpx

from analysis import http
from analysis.errors import SourceError
from analysis.models import Paper
from analysis.sources import schedule
from analysis.sources.arxiv import SERVICE, parse_page
from analysis.sources.schedule import Window

log = logging.getLogger(__name__)
MAX_LISTED = 5000  # a runaway totalResults (a mistyped query) must not page for an hour


@dataclass(frozen=True)
class Paging:
    """How the listing pages. Tests shrink `delay`; arXiv's etiquette is the default."""

    page_size: int = 2000  # arXiv's most per request
    delay: float = 3.0  # seconds between two requests; a retry waits a multiple of it
    attempts: int = 5  # per page, for rate limits, 5xx, network errors and empty pages
    most: int = MAX_LISTED  # papers read at most; tests shrink it


@dataclass
class Listing:
    papers: list[Paper] = field(default_factory=list)
    total: int = 0  # what arXiv said the query matches
    problem: str | None = None  # set when the listing stopped before `total`

    @property
    def complete(self) -> bool:
        return self.problem is None


def listing_query(categories: list[str], when: Window) -> str:
    """The parentheses make `AND` bind the window to every category, not the last one."""
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND {when.query()}"


class _Retry(Exception):
    """This page is worth asking for again (rate limit, 5xx, network, empty page)."""


class _Unreachable(_Retry):
    """Nobody answered at all (connection refused, no such host): worth one more try, not five."""


async def list_announcement(client: httpx.AsyncClient, api_url: str, categories: list[str], day: dt.date,
                            paging: Paging = Paging()) -> Listing:
    """The announcement dated `day`, as its submission window's papers in `categories`."""
    return await list_window(client, api_url, categories, schedule.window(day), paging, label=str(day))


async def list_window(client: httpx.AsyncClient, api_url: str, categories: list[str], when: Window,
                      paging: Paging = Paging(), *, label: str = "") -> Listing:
    """Every submission in `when` in `categories`, one per id; a stop part-way says why in `problem`.

    Raises SourceError only when not even the first page could be had.
    """
    params = {"search_query": listing_query(categories, when), "sortBy": "submittedDate",
              "sortOrder": "ascending", "max_results": str(paging.page_size)}
    followed = set(categories)
    listing = Listing()
    seen: dict[str, Paper] = {}
    start, total, pages = 0, None, 0
    while total is None or start < min(total, paging.most):
        try:
            total, papers, count = await _page(client, api_url, {**params, "start": str(start)}, paging,
                                               first=pages == 0, non_empty=bool(total))
        except SourceError as exc:
            if total is None:
                raise
            listing.problem = f"arXiv stopped answering after {start} of {total} papers ({exc})"
            break
        finally:
            pages += 1
        for paper in papers:
            if paper.arxiv_id not in seen:  # cross-lists and a result shifting between pages
                seen[paper.arxiv_id] = paper.model_copy(
                    update={"listed_in": [c for c in paper.categories if c in followed]})
        start += count
        if total and count == 0:
            break  # _page only lets an empty page through when retries ran out
    listing.papers, listing.total = list(seen.values()), total or 0
    if total and start < min(total, paging.most) and listing.problem is None:
        listing.problem = f"arXiv kept sending empty pages after {start} of {total} papers"
    if total and total > paging.most and listing.problem is None:
        listing.problem = (f"arXiv matched {total} papers and only the first {paging.most} were read; "
                           "follow fewer categories in PAPERBOT_ARXIV_CATEGORIES")
    log.info("arXiv listing of %s: %d papers in %d pages", label or when.query(), len(seen), pages)
    return listing


async def _page(client: httpx.AsyncClient, api_url: str, params: dict[str, str], paging: Paging, *,
                first: bool, non_empty: bool) -> tuple[int, list[Paper], int]:
    """One page: (totalResults, papers, entries); retried with growing pauses, else SourceError."""
    problem = ""
    unreachable = 0
    for attempt in range(paging.attempts):
        if attempt or not first:
            await asyncio.sleep(paging.delay * (1 + attempt))
        try:
            total, papers, count = _read(await _get(client, api_url, params))
        except _Unreachable as why:
            problem = str(why)
            unreachable += 1
            if unreachable > 1:
                break
        except _Retry as why:
            problem = str(why)
        else:
            if count or not (total or non_empty):
                return total, papers, count
            problem = "an empty page inside a non-empty result"
            if attempt == paging.attempts - 1:
                return total, papers, count
        log.info("arXiv listing at start=%s: %s (attempt %d of %d)", params["start"], problem,
                 attempt + 1, paging.attempts)  # seen with -v; the one error at the end says what to do
    raise SourceError(f"{SERVICE} {problem} at {api_url}; check ARXIV_API_URL or try again later.")


async def _get(client: httpx.AsyncClient, api_url: str, params: dict[str, str]) -> httpx.Response:
    try:
        response = await http.fetch(client, api_url, params=params)
    except (http.TooLarge, http.Refused) as exc:
        raise SourceError(f"{SERVICE} {exc} at {api_url}; check ARXIV_API_URL.") from None
    except (httpx.TimeoutException, http.DeadlinePassed):
        raise _Retry("timed out") from None
    except httpx.ConnectError as exc:
        raise _Unreachable(f"could not be reached ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise _Retry(f"could not be reached ({type(exc).__name__})") from None
    if b"rate exceeded" in response.content[:200].lower():
        raise _Retry(f"answered 'Rate exceeded' (HTTP {response.status_code})")
    if response.status_code in http.RETRY_STATUS:
        raise _Retry(f"answered HTTP {response.status_code}")
    if response.status_code != 200:
        raise SourceError(f"{SERVICE} refused the listing query (HTTP {response.status_code}); "
                          "check PAPERBOT_ARXIV_CATEGORIES (e.g. cs.CV,eess.IV).")
    return response


def _read(response: httpx.Response) -> tuple[int, list[Paper], int]:
    try:
        total, papers, count = parse_page(response.content)
    except SourceError:
        raise _Retry("answered with something that is not an Atom feed") from None
    return (count if total is None else total), papers, count
