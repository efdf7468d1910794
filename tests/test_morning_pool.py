"""Each channel's morning takes arXiv's announcements since its last one, whatever its zone, with no paper twice.

The feed and the API are the loopback fakes, fed from the captured feed (`tests/fakes/arxiv_rss.py`); the
scheduler runs with the clock passed in, at 08:30 in Shanghai, Berlin and Los Angeles.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from analysis.sources import schedule
from bot.scheduler import Scheduler
from tests.chat_harness import Harness, running
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.arxiv_rss import FakeArxivRSS, captured, feed, item
from tests.fakes.slack import FakeSlack

ZONES = {"CSHA": "Asia/Shanghai", "CBER": "Europe/Berlin", "CLAX": "America/Los_Angeles"}
CAPTURED_CATS = "cs.LG,cs.AI,cs.CL,stat.ML"
CATS = ("cs.CV", "eess.IV")


@pytest.fixture
def followed(slack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", ",".join(CATS))
    monkeypatch.setenv("PAPERBOT_THRESHOLD", "100")  # keyword scores: the quick views are the subject here
    return slack_env


def subscribe(h: Harness) -> None:
    for channel, zone in ZONES.items():
        h.store.upsert_channel("slack", channel, threshold=100, post_time="08:30", timezone=zone)


def at_0830(day: dt.date, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


async def morning(h: Harness, channel: str, now: dt.datetime) -> set[str]:
    """Run the channel's morning at `now`; the papers it was shown that it had not been shown before."""
    before = h.store.seen_ids("slack", channel)
    outcome = await Scheduler(h.store, h.engine, h.adapters, clock=lambda: now).run_channel("slack", channel)
    assert "failed" not in outcome, outcome
    return h.store.seen_ids("slack", channel) - before


def quick_views(slack: FakeSlack, channel: str) -> list[str]:
    return [json.dumps(m, ensure_ascii=False) for m in slack.messages_in(channel) if not m.get("thread_ts")]


async def test_the_morning_pool_is_the_feeds_new_and_cross_items_in_every_zone(
        slack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, arxiv_rss: FakeArxivRSS,
        slack: FakeSlack) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", CAPTURED_CATS)
    arxiv_rss.serve(captured(), CAPTURED_CATS.replace(",", "+"))  # the real feed of Thursday 24 September 2026
    thursday = dt.date(2026, 9, 24)
    async with running(listen=False) as h:
        subscribe(h)
        for channel, zone in ZONES.items():
            local = next(d for d in (thursday, thursday + dt.timedelta(days=1))
                         if at_0830(d, zone) >= schedule.in_feed_from(thursday))  # its first 08:30 after
            assert await morning(h, channel, at_0830(local, zone)) == {"2609.26811", "2609.26820", "2205.06398"}
            [view] = quick_views(slack, channel)
            assert "arXiv 09-24 公告 3" in view and "2009.13987" not in view  # the replacement is no new paper
    assert len(arxiv_rss.calls) == 1  # one request in all: the others read the stored listing; no API call


@dataclass
class Week:
    """A simulated week of announcements: served by the feed on their day, and by the API's window."""

    arxiv: FakeArxiv
    rss: FakeArxivRSS
    items: dict[dt.date, list[etree._Element]] = field(default_factory=dict)
    new: dict[dt.date, set[str]] = field(default_factory=dict)  # papers first announced that day

    def announce(self, day: dt.date, new: list[str], cross: list[str] = (), again: list[str] = (),  # type: ignore[assignment]
                 replaced: list[str] = ()) -> None:  # type: ignore[assignment]
        """`again`: announced before, now a cross-list into the followed categories."""
        items = [item(i, "new", categories=("cs.CV",)) for i in new]
        items += [item(i, "cross", categories=("cs.LG", "eess.IV")) for i in [*cross, *again]]
        items += [item(i, "replace", version=2, categories=("cs.CV",)) for i in replaced]
        self.items[day] = items
        self.new[day] = set(new) | set(cross)
        submitted = schedule.window(day).start + dt.timedelta(hours=2)
        self.arxiv.list_on(day, [self.arxiv.entry_xml(i, f"Paper {i}", "An abstract.", ["Ada Lovelace"],
                                                      categories=("cs.CV",)) for i in [*new, *cross]], at=submitted)

    def show(self, now: dt.datetime) -> None:
        """What the feed serves at `now`: the announcement dated the day in New York, or an empty feed."""
        day = now.astimezone(schedule.EASTERN).date()
        self.rss.serve(feed(day, self.items.get(day, []) if schedule.announces(day) else [], CATS))

    def due(self, after: dt.datetime | None, until: dt.datetime) -> set[str]:
        """The papers of the announcements that reached the feed in (after, until]."""
        return {i for day, ids in self.new.items()
                if (after is None or schedule.in_feed_from(day) > after) and schedule.in_feed_from(day) <= until
                for i in ids}


def thanksgiving_week(arxiv: FakeArxiv, rss: FakeArxivRSS) -> Week:
    """Monday 23 to Monday 30 November 2026; no announcement dated Friday 27 (Thanksgiving)."""
    week = Week(arxiv, rss)
    week.announce(dt.date(2026, 11, 23), ["2611.10001", "2611.10002", "2611.10003"], cross=["2611.10004"])
    week.announce(dt.date(2026, 11, 24), ["2611.20001", "2611.20002"], again=["2611.10001"], replaced=["2611.10002"])
    week.announce(dt.date(2026, 11, 25), ["2611.30001", "2611.30002"])
    week.announce(dt.date(2026, 11, 26), ["2611.40001"], cross=["2611.40002"], again=["2611.20002"])
    week.announce(dt.date(2026, 11, 30), ["2612.00001", "2612.00002"], replaced=["2611.30001"])
    return week


async def run_week(h: Harness, week: Week, first: dt.datetime, down: set[dt.date] = frozenset()) -> None:  # type: ignore[assignment]
    """Every channel's 08:30 from Monday to the next Monday (but on `down` days), in the order they happen."""
    runs = sorted((at_0830(first.date() + dt.timedelta(days=n), zone), channel)
                  for n in range(8) for channel, zone in ZONES.items()
                  if first.date() + dt.timedelta(days=n) not in down)
    last: dict[str, dt.datetime] = {}
    for now, channel in runs:
        week.show(now)
        shown = await morning(h, channel, now)
        # the papers of every announcement since this channel's previous morning (its first: the latest only)
        expected = week.due(last.get(channel), now) if channel in last else week.new.get(schedule.latest(now), set())
        assert shown == expected, (channel, now)
        last[channel] = now


async def test_a_week_with_a_holiday_gives_every_paper_once_on_the_first_morning_after_its_announcement(
        followed: dict[str, str], arxiv: FakeArxiv, arxiv_rss: FakeArxivRSS, slack: FakeSlack) -> None:
    week = thanksgiving_week(arxiv, arxiv_rss)
    async with running(listen=False) as h:
        subscribe(h)
        await run_week(h, week, dt.datetime(2026, 11, 23, tzinfo=dt.UTC))
        everything = set().union(*week.new.values())
        for channel in ZONES:
            views = quick_views(slack, channel)
            shown = {i for i in everything if any(f"Paper {i}" in v for v in views)}
            # Shanghai's 08:30 on Monday 30 November is before that day's announcement: it comes on Tuesday
            assert shown == everything - (week.new[dt.date(2026, 11, 30)] if channel == "CSHA" else set())
            assert all(sum(f"Paper {i}" in v for v in views) == 1 for i in shown), channel  # never twice
    # every morning came from the feed, but Shanghai's first: Sunday evening in New York, the feed is empty
    # and the latest announcement, Friday's, comes through the API
    [call] = arxiv.calls_to("/api/query")
    assert call.query["search_query"].endswith(schedule.window(dt.date(2026, 11, 20)).query())


async def test_mornings_the_bot_was_down_are_caught_up_next_morning_with_every_announcement_missed(
        followed: dict[str, str], arxiv: FakeArxiv, arxiv_rss: FakeArxivRSS, slack: FakeSlack) -> None:
    week = thanksgiving_week(arxiv, arxiv_rss)
    wednesday, thursday = dt.date(2026, 11, 25), dt.date(2026, 11, 26)
    async with running(listen=False) as h:
        subscribe(h)
        # down Wednesday and Thursday: no channel's morning saw Wednesday's feed
        await run_week(h, week, dt.datetime(2026, 11, 23, tzinfo=dt.UTC), down={wednesday, thursday})
        berlin = next(v for v in quick_views(slack, "CBER") if "11-25/11-26 公告" in v)
        assert all(f"Paper {i}" in berlin for i in week.new[wednesday] | week.new[thursday])
        assert any("11-24/11-25/11-26 公告" in v for v in quick_views(slack, "CSHA"))
    calls = arxiv.calls_to("/api/query")
    # Wednesday's announcement came through the API's window, once: the listing is stored for the others
    # (and Shanghai's first morning, a Sunday evening in New York, listed Friday's the same way)
    assert [c.query["search_query"].split(" AND ")[1] for c in calls] == [
        schedule.window(dt.date(2026, 11, 20)).query(), schedule.window(wednesday).query()]
    assert all(c.query["max_results"] == "2000" for c in calls)
