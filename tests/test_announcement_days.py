"""An older announcement through the API window (and never asked for twice), a day without one said plainly,
and the one line a new version of a liked paper earns."""

import asyncio
import datetime as dt
import itertools
import os
import subprocess
from pathlib import Path

import pytest

from analysis.sources import schedule
from analysis.sources.arxiv_listing import Paging
from analysis.sources.pool import fetch_pool
from bot.scheduler import Scheduler
from tests.chat_harness import running
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.arxiv_rss import FakeArxivRSS, feed, item
from tests.fakes.slack import FakeSlack
from tests.helpers import engine_for

FRIDAY = dt.date(2026, 1, 23)  # HF's fixture day
LIKED = "2609.28471"  # in the captured API answer, with arXiv's comment
COMMENT = "Published in the proceedings of CLEF 2026. Code: https://github.com/petekirby/contrastive-av"


@pytest.fixture
def followed(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, arxiv: FakeArxiv) -> list[str]:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.CV,eess.IV")
    ids = [f"2601.{n:05d}" for n in range(30001, 30006)]
    arxiv.list_on(FRIDAY, [arxiv.entry_xml(i, f"Paper {i}", "An abstract.", ["Ada Lovelace"]) for i in ids],
                  at=schedule.window(FRIDAY).start + dt.timedelta(minutes=1))
    late = schedule.window(FRIDAY).end  # after Friday's cutoff: Monday's announcement, not Friday's
    arxiv.list_on(FRIDAY, [arxiv.entry_xml("2601.39999", "Too late", "An abstract.", ["Ada Lovelace"])], at=late)
    return ids


async def test_an_older_announcement_is_its_api_window_in_one_request_and_a_rerun_asks_nothing(
        followed: list[str], arxiv: FakeArxiv, arxiv_rss: FakeArxivRSS) -> None:
    later = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    async with engine_for() as engine:
        engine.arxiv_paging = Paging(delay=0.01)
        pool = await fetch_pool(engine, FRIDAY, now=later)
        again = await fetch_pool(engine, FRIDAY, now=later)
    assert [p.arxiv_id for p in pool.papers if "hf" not in p.sources] == followed  # not the one after the cutoff
    assert pool.announcements == [FRIDAY] and again.papers == pool.papers
    [call] = arxiv.calls_to("/api/query")
    assert call.query["search_query"] == "(cat:cs.CV OR cat:eess.IV) AND submittedDate:[202601211900 TO 202601221859]"
    assert call.query["max_results"] == "2000" and arxiv_rss.calls == []  # the feed shows a later one: not asked


def test_digest_date_reruns_make_no_arxiv_request(followed: list[str], arxiv: FakeArxiv) -> None:
    script = Path(os.environ.get("VIRTUAL_ENV", Path(__file__).resolve().parents[1] / ".venv")) / "bin" / "paperbot"
    outputs = []
    for _ in range(2):
        result = subprocess.run([str(script), "digest", "--date", "2026-01-23"], capture_output=True, text=True,
                                env={**os.environ}, timeout=120)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.splitlines()[1])
    assert "(HF 27 + arXiv 01-23 公告 5)" in outputs[0] and outputs[1] == outputs[0]
    assert len(arxiv.calls_to("/api/query")) == 1


async def test_a_morning_without_a_new_announcement_says_so_in_the_summary(
        followed: list[str], slack_env: dict[str, str], slack: FakeSlack, arxiv: FakeArxiv) -> None:
    saturday_in_berlin = dt.datetime(2026, 1, 24, 7, 30, tzinfo=dt.UTC)
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=100, post_time="08:30", timezone="Europe/Berlin")
        h.store.remember_shown("slack", "C1", "2026-01-22", [], announcements=["2026-01-23"])
        outcome = await Scheduler(h.store, h.engine, h.adapters, clock=lambda: saturday_in_berlin).run_channel(
            "slack", "C1")
    assert "posted the digest of 2026-01-23" in outcome
    [view] = [str(m) for m in slack.messages_in("C1") if not m.get("thread_ts")]
    assert "（HF 27 + arXiv 今日无公告）" in view and "arXiv 自 01-23 公告以来没有新公告" in view
    assert "listing" not in view.lower() and not arxiv.calls_to("/api/query")


async def test_a_new_version_of_a_liked_paper_is_one_line_with_arxivs_comment(
        env: dict[str, str], slack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, slack: FakeSlack,
        arxiv_rss: FakeArxivRSS, arxiv: FakeArxiv) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.CV,eess.IV")
    tuesday, wednesday = dt.date(2026, 12, 1), dt.date(2026, 12, 2)
    replaced = [item(LIKED, "replace", version=2, title="Contrastive authorship verification"),
                item("2611.55555", "replace-cross", version=3)]  # a paper nobody here liked
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=100, post_time="08:30", timezone="Europe/Berlin")
        h.store.set_vote("slack", "C1", LIKED, "U1", True)
        for day, extra in ((tuesday, "2612.00101"), (wednesday, "2612.00202")):
            arxiv_rss.serve(feed(day, [item(extra), *replaced]))  # the same replacement listed on both days
            now = dt.datetime.combine(day, dt.time(8, 30), tzinfo=schedule.EASTERN)
            outcome = await Scheduler(h.store, h.engine, h.adapters, clock=lambda now=now: now).run_channel(
                "slack", "C1")
            assert "posted" in outcome, outcome
    first, second = [str(m) for m in slack.messages_in("C1") if not m.get("thread_ts")]
    assert f"🔁 v2 of a paper you liked: Contrastive authorship verification ({LIKED}) — {COMMENT}" in first
    assert "2611.55555" not in first and "🔁" not in second  # once, and only for what the channel liked
    [comments] = arxiv.calls_to("/api/query")  # one request for the comments
    assert comments.query["id_list"] == LIKED


async def test_papers_a_backfill_posted_are_not_new_again_the_next_morning(
        followed: list[str], slack_env: dict[str, str], slack: FakeSlack) -> None:
    from bot.cli import main

    monday_in_berlin = dt.datetime(2026, 1, 26, 7, 30, tzinfo=dt.UTC)
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=100, post_time="08:30", timezone="Europe/Berlin")
        assert await asyncio.to_thread(main, ["digest", "--date", "2026-01-23", "--post"]) == 0
        seen = h.store.seen_ids("slack", "C1")
        assert len(seen) == 27 + len(followed)
        # HF's latest day is still the 23rd (its weekend is empty); Monday's announcement (the API's window,
        # the feed has nothing here) holds the paper submitted just after Friday's cutoff
        outcome = await Scheduler(h.store, h.engine, h.adapters, clock=lambda: monday_in_berlin).run_channel(
            "slack", "C1")
        assert h.store.seen_ids("slack", "C1") - seen == {"2601.39999"}
    assert "posted the digest of 2026-01-25" in outcome
    backfill, monday = [str(m) for m in slack.messages_in("C1") if not m.get("thread_ts")]
    assert "Too late" in monday and "arXiv 01-26 公告 1" in monday and "HF 0" in monday
    assert all(f"Paper {i}" not in monday for i in followed) and "Too late" not in backfill


async def test_announcements_caught_up_together_ask_arxiv_one_request_at_a_time_apart(
        followed: list[str], arxiv: FakeArxiv, arxiv_rss: FakeArxivRSS) -> None:
    gap = 0.3
    monday = dt.date(2026, 1, 26)
    arxiv_rss.serve(feed(monday, [item("2601.40001")], ("cs.CV", "eess.IV")))
    async with engine_for() as engine:
        engine.arxiv_paging = Paging(delay=gap)
        pool = await fetch_pool(engine, monday, [], announcements=[FRIDAY - dt.timedelta(days=1), FRIDAY, monday],
                                now=dt.datetime(2026, 1, 26, 9, tzinfo=dt.UTC))
    # Thursday's window has nothing in the fake: left for the next digest (see below), but asked all the same
    assert pool.announcements == [FRIDAY, monday] and "2601.40001" in {p.arxiv_id for p in pool.papers}
    calls = sorted([*arxiv.calls_to("/api/query"), *arxiv_rss.calls], key=lambda c: c.at)
    assert len(calls) == 3 and all(b.at - a.at >= gap * 0.9 for a, b in itertools.pairwise(calls))


async def test_an_announcement_the_api_has_nothing_for_yet_comes_with_the_next_digest(
        env: dict[str, str], slack_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, slack: FakeSlack,
        arxiv: FakeArxiv) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.CV,eess.IV")
    saturday, sunday = (dt.datetime(2026, 1, d, 7, 30, tzinfo=dt.UTC) for d in (24, 25))  # 08:30 in Berlin
    async with running(listen=False) as h:
        h.store.upsert_channel("slack", "C1", threshold=100, post_time="08:30", timezone="Europe/Berlin")
        h.store.remember_shown("slack", "C1", "2026-01-21", [], announcements=["2026-01-22"])
        for now in (saturday, sunday):
            if now == sunday:  # the API caught up with Friday's announcement overnight
                arxiv.list_on(FRIDAY, [arxiv.entry_xml(i, f"Paper {i}", "An abstract.", ["Ada Lovelace"])
                                       for i in ("2601.50001", "2601.50002")],
                              at=schedule.window(FRIDAY).start + dt.timedelta(hours=3))
            outcome = await Scheduler(h.store, h.engine, h.adapters, clock=lambda now=now: now).run_channel(
                "slack", "C1")
            assert "posted" in outcome, outcome
        assert h.store.last_announcement("slack", "C1") == FRIDAY
    first, second = [str(m) for m in slack.messages_in("C1") if not m.get("thread_ts")]
    assert "arXiv API 还没有 01-23 公告的论文" in first and "（HF 27 + arXiv 0）" in first
    assert "arXiv 01-23 公告 2" in second and "Paper 2601.50001" in second
