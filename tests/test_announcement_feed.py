"""arXiv's announcement feed, read from the real captured feed (and feeds made from it)."""

import copy
import datetime as dt

import httpx
import pytest
from lxml import etree

from analysis.errors import SourceError
from analysis.http import USER_AGENT
from analysis.sources import schedule
from analysis.sources.arxiv_rss import LIMIT, fetch_feed, parse_feed
from analysis.sources.pool import fetch_pool
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.arxiv_rss import FakeArxivRSS, captured, captured_items, feed, item
from tests.helpers import engine_for

CATS = ["cs.LG", "cs.AI", "cs.CL", "stat.ML"]  # the capture's categories
THURSDAY = dt.date(2026, 9, 24)


def test_the_captured_feed_gives_its_new_and_cross_items_and_names_the_replacement() -> None:
    announcement = parse_feed(captured(), CATS)
    assert announcement.day == THURSDAY  # pubDate Thu, 24 Sep 2026 00:00:00 -0400
    assert [p.arxiv_id for p in announcement.papers] == ["2609.26811", "2609.26820", "2205.06398"]  # new, new, cross
    first, _, cross = announcement.papers
    assert first.title.startswith("The Drift Contract") and first.authors == ["Fabien Polly"]
    assert first.abstract.startswith("Local learning trains each layer") and "Announce Type" not in first.abstract
    assert cross.categories == ["stat.ME", "stat.AP", "stat.ML"] and cross.listed_in == ["stat.ML"]
    assert cross.authors == ["Pritam Dey", "Zhengwu Zhang", "David B. Dunson"] and cross.sources == ["arxiv"]
    assert [(r.arxiv_id, r.version) for r in announcement.replaced] == [("2009.13987", 3)]  # not in the pool


def test_a_replace_cross_item_stays_out_of_the_pool_too() -> None:
    replaced = captured_items()[3]
    kind = replaced.find("{http://arxiv.org/schemas/atom}announce_type")
    assert kind is not None and kind.text == "replace"
    kind.text = "replace-cross"
    announcement = parse_feed(feed(THURSDAY, [replaced, item("2609.30001", "cross")], tuple(CATS)), CATS)
    assert [p.arxiv_id for p in announcement.papers] == ["2609.30001"]
    assert [r.arxiv_id for r in announcement.replaced] == ["2009.13987"]


def test_a_weekend_feed_is_the_channel_without_items_dated_that_day() -> None:
    saturday = THURSDAY + dt.timedelta(days=2)
    body = feed(saturday, [], tuple(CATS))
    assert b"<skipDays>" in body and b"<item>" not in body
    announcement = parse_feed(body, CATS)
    assert announcement.day == saturday and announcement.papers == [] and announcement.replaced == []


async def test_the_feed_is_one_polite_request_for_every_category_joined_by_plus(arxiv_rss: FakeArxivRSS) -> None:
    arxiv_rss.serve(captured(), "+".join(CATS))
    async with httpx.AsyncClient(headers={"User-Agent": USER_AGENT}) as client:
        announcement = await fetch_feed(client, arxiv_rss.url + "/rss/", CATS)
    assert len(announcement.papers) == 3
    [call] = arxiv_rss.calls
    assert call.path == "/rss/cs.LG+cs.AI+cs.CL+stat.ML" and call.headers["User-Agent"] == USER_AGENT


@pytest.mark.parametrize("body", [b"<html><body>Service Unavailable</body></html", b"<feed/>"])
async def test_an_answer_that_is_not_the_feed_is_one_line_naming_arxiv_rss_url(
        arxiv_rss: FakeArxivRSS, body: bytes) -> None:
    arxiv_rss.serve(body)
    async with httpx.AsyncClient() as client:
        with pytest.raises(SourceError, match=r"^arXiv's RSS feed answered .* check ARXIV_RSS_URL\.$"):
            await fetch_feed(client, arxiv_rss.url + "/rss", ["cs.CV"])


def test_an_entity_in_the_feed_is_not_expanded() -> None:
    hostile = captured().replace(b"<?xml version='1.0' encoding='UTF-8'?>",
                                 b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>")
    hostile = hostile.replace(b"<title>The Drift Contract", b"<title>&x;The Drift Contract")
    announcement = parse_feed(hostile, CATS)
    assert "root:" not in announcement.papers[0].title
    assert isinstance(etree.fromstring(captured()), etree._Element)


async def test_a_full_feed_may_be_cut_short_so_the_announcement_is_listed_through_the_api(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch, arxiv_rss: FakeArxivRSS, arxiv: FakeArxiv) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.CV,eess.IV")
    tuesday = dt.date(2026, 12, 1)
    template = item("2612.00001")
    full = []
    for n in range(LIMIT):  # arXiv's feeds stop at 2,000 items
        one = copy.deepcopy(template)
        one.find("guid").text = f"oai:arXiv.org:2612.{n + 1:05d}v1"  # type: ignore[union-attr]
        full.append(one)
    arxiv_rss.serve(feed(tuesday, full))
    arxiv.list_on(tuesday, [arxiv.entry_xml("2611.77777", "From the API", "An abstract.", ["Ada Lovelace"])],
                  at=schedule.window(tuesday).start + dt.timedelta(hours=1))
    async with engine_for() as engine:
        pool = await fetch_pool(engine, tuesday, [], now=dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    assert [p.arxiv_id for p in pool.papers] == ["2611.77777"] and len(arxiv_rss.calls) == 1
