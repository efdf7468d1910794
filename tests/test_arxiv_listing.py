"""The arXiv category listing against the fake serving real captured API pages, with arXiv's quirks."""

import datetime as dt
import itertools
import re
from pathlib import Path

import httpx
import pytest

from analysis.errors import SourceError
from analysis.http import USER_AGENT
from analysis.sources import arxiv as arxiv_source
from analysis.sources.arxiv_listing import Paging, list_window, listing_query
from analysis.sources.schedule import Window
from tests.fakes.arxiv import FakeArxiv, captured_entries

FIXTURES = Path(__file__).parent / "fixtures" / "arxiv_listing"
HUNDRED = FIXTURES / "lukasschwab_q_testing_s0_m100_cfe7536492ca.json"  # 100 real entries, 23 primary categories
DAY = dt.date(2026, 1, 23)
FAST = Paging(page_size=25, delay=0.02, attempts=4)


def utc_day(day: dt.date) -> Window:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
    return Window(start, start + dt.timedelta(days=1))


def hundred(arxiv: FakeArxiv) -> tuple[list[str], list[str]]:
    """The captured page filed as the day's submissions; returns (versionless ids, every category)."""
    entries = captured_entries(HUNDRED)
    arxiv.list_on(DAY, entries)
    ids = [re.search(r"abs/(.+?)v\d+</id>", e)[1] for e in entries]  # type: ignore[index]
    cats = sorted({c for e in entries for c in re.findall(r'<category term="([^"]+)"', e)})
    return ids, cats


async def listed(arxiv: FakeArxiv, cats: list[str], paging: Paging = FAST):  # type: ignore[no-untyped-def]
    async with httpx.AsyncClient() as client:
        return await list_window(client, arxiv.url + "/api/query", cats, utc_day(DAY), paging)


async def test_a_day_of_100_papers_in_many_categories_is_listed_in_full_page_by_page(arxiv: FakeArxiv) -> None:
    ids, cats = hundred(arxiv)
    listing = await listed(arxiv, cats)
    assert [p.arxiv_id for p in listing.papers] == ids and listing.total == 100 and listing.complete
    assert "2005.14124" in ids  # the capture has it as 2005.14124v2: versions are dropped
    calls = arxiv.calls_to("/api/query")
    assert [c.query["start"] for c in calls] == ["0", "25", "50", "75"]
    first = calls[0].query
    assert first["search_query"] == listing_query(cats, utc_day(DAY)) and first["max_results"] == "25"
    assert first["search_query"].endswith("AND submittedDate:[202601230000 TO 202601232359]")
    assert all(c.headers["User-Agent"] == USER_AGENT and USER_AGENT.startswith("paperbot/") for c in calls)
    gaps = [b.at - a.at for a, b in itertools.pairwise(calls)]
    assert min(gaps) >= FAST.delay * 0.9  # one request at a time, a pause between pages
    paper = next(p for p in listing.papers if len(p.categories) > 1)
    assert paper.listed_in and set(paper.listed_in) <= set(cats) and paper.sources == ["arxiv"]


async def test_only_the_asked_categories_and_a_cross_list_once(arxiv: FakeArxiv) -> None:
    ids, _ = hundred(arxiv)
    arxiv.list_cross_lists_twice = True  # a paper in cs.SE and cs.LG comes under each
    listing = await listed(arxiv, ["cs.SE", "cs.LG"])
    entries = captured_entries(HUNDRED)
    expected = [i for i, e in zip(ids, entries, strict=True)
                if {"cs.SE", "cs.LG"} & set(re.findall(r'<category term="([^"]+)"', e))]
    assert [p.arxiv_id for p in listing.papers] == expected and listing.total > len(expected)
    assert any(set(p.listed_in) == {"cs.SE", "cs.LG"} for p in listing.papers)


@pytest.mark.parametrize("status", [200, 503])
async def test_rate_exceeded_in_the_middle_is_waited_out(arxiv: FakeArxiv, status: int) -> None:
    ids, cats = hundred(arxiv)
    # arXiv's own way is a plain-text 200; a 503 with the same words has been seen too
    arxiv.fail_next(status, "Rate exceeded.", times=2, after=1, path="/api/query")
    listing = await listed(arxiv, cats)
    assert [p.arxiv_id for p in listing.papers] == ids and listing.complete
    assert [c.query["start"] for c in arxiv.calls_to("/api/query")] == ["0", "25", "25", "25", "50", "75"]


async def test_an_empty_page_inside_a_result_is_asked_again(arxiv: FakeArxiv) -> None:
    ids, cats = hundred(arxiv)
    arxiv.empty_pages(times=1, after=2)
    listing = await listed(arxiv, cats)
    assert [p.arxiv_id for p in listing.papers] == ids and listing.complete
    assert [c.query["start"] for c in arxiv.calls_to("/api/query")] == ["0", "25", "50", "50", "75"]


async def test_empty_pages_for_good_keep_what_was_listed_and_say_so(arxiv: FakeArxiv) -> None:
    ids, cats = hundred(arxiv)
    arxiv.empty_pages(times=100, after=1)
    listing = await listed(arxiv, cats)
    assert [p.arxiv_id for p in listing.papers] == ids[:25] and not listing.complete
    assert "25 of 100" in str(listing.problem)
    assert len(arxiv.calls) == 1 + FAST.attempts  # bounded


async def test_a_listing_capped_at_its_most_says_it_is_incomplete(arxiv: FakeArxiv) -> None:
    ids, cats = hundred(arxiv)
    listing = await listed(arxiv, cats, Paging(page_size=25, delay=0.02, attempts=4, most=50))
    assert [p.arxiv_id for p in listing.papers] == ids[:50] and not listing.complete
    assert "matched 100 papers and only the first 50 were read" in str(listing.problem)
    assert "PAPERBOT_ARXIV_CATEGORIES" in str(listing.problem)
    assert len(arxiv.calls_to("/api/query")) == 2  # no page past the cap


async def test_a_weekend_is_an_empty_day_not_an_error(arxiv: FakeArxiv) -> None:
    hundred(arxiv)
    async with httpx.AsyncClient() as client:
        listing = await list_window(client, arxiv.url + "/api/query", ["cs.CV"], utc_day(DAY + dt.timedelta(days=1)),
                                    FAST)
    assert listing.papers == [] and listing.total == 0 and listing.complete
    assert len(arxiv.calls) == 1


async def test_arxiv_down_from_the_first_page_is_one_clear_error(arxiv: FakeArxiv) -> None:
    hundred(arxiv)
    arxiv.rate_limited(times=FAST.attempts)
    with pytest.raises(SourceError, match=r"Rate exceeded.*ARXIV_API_URL"):
        await listed(arxiv, ["cs.SE"])
    assert len(arxiv.calls) == FAST.attempts  # bounded


def test_real_captures_parse_totals_categories_and_empty_results() -> None:
    import json

    empty = json.loads((FIXTURES / "lukasschwab_id_0000.0000_s0_m100_8b51d9633a68.json").read_text())
    assert arxiv_source.parse_page(empty["body"].encode("latin-1")) == (0, [], 0)
    total, papers, count = arxiv_source.parse_page((FIXTURES / "james-akl_cat-cs.RO_start0_max2_2025-10.xml")
                                                   .read_bytes())
    assert total == 5619 and count == 2 == len(papers)
    assert papers[0].categories[0] == "cs.RO" and {"cs.AI", "cs.CV"} <= set(papers[0].categories)
