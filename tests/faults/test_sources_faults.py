"""Hugging Face and arXiv misbehaving: slow, down, empty. The digest still comes, once."""

import datetime as dt

import httpx
import pytest

from analysis.errors import SourceError
from analysis.pipeline import find_paper, latest_day
from analysis.sources import hf as hf_source
from bot.shared.posting import post_digest
from tests.chat_harness import running
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.hf import FakeHF
from tests.fakes.slack import FakeSlack
from tests.helpers import engine_for


async def test_a_slow_hf_is_retried_then_reported(hf: FakeHF) -> None:
    hf.fail_next(200, delay=1.0, passthrough=True, path="/api/daily_papers")
    async with httpx.AsyncClient(timeout=0.3) as client:
        papers = await hf_source.fetch_daily(client, hf.url, dt.date(2026, 1, 23))
    assert len(papers) == 27 and len(hf.calls) == 2
    hf.fail_next(200, delay=1.0, passthrough=True, times=3)
    async with httpx.AsyncClient(timeout=0.3) as client:
        with pytest.raises(SourceError, match="timed out"):
            await hf_source.fetch_daily(client, hf.url, dt.date(2026, 1, 23))


async def test_the_latest_day_skips_empty_days(env: dict, hf: FakeHF) -> None:
    async with engine_for() as engine:
        day, papers = await latest_day(engine, dt.date(2026, 1, 26))  # 25th and 24th are empty: a weekend
    assert day == dt.date(2026, 1, 23) and len(papers) == 27
    assert [c.query["date"] for c in hf.calls] == ["2026-01-25", "2026-01-24", "2026-01-23"]


async def test_a_day_without_papers_posts_a_short_note_once(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        empty = digest.model_copy(update={"items": [], "date": dt.date(2026, 1, 25)})
        channel = h.store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="UTC")
        first = await post_digest(h.adapters["slack"], h.store, channel, empty)
        second = await post_digest(h.adapters["slack"], h.store, channel, empty)
    assert "no papers" in first and "already posted" in second
    assert [m["text"] for m in slack.messages_in("C1")] == ["No new papers on Hugging Face for 2026-01-25 today."]


async def test_hf_down_but_arxiv_up_for_deepdive(env: dict, hf: FakeHF, arxiv: FakeArxiv) -> None:
    hf.fail_next(503, times=10)
    arxiv.add_entry("2601.15621", "Qwen3-TTS Technical Report", "We present Qwen3-TTS.", ["A. Author"])
    async with engine_for() as engine:
        paper = await find_paper(engine, "2601.15621v2")
    assert paper.source == "arxiv" and paper.title == "Qwen3-TTS Technical Report"
    assert len(arxiv.calls) == 1


async def test_arxiv_error_feed_and_rate_limit_are_clear(env: dict, arxiv: FakeArxiv) -> None:
    from analysis.errors import PaperNotFound

    arxiv.rate_limited(times=5)
    async with engine_for() as engine:
        with pytest.raises(SourceError, match="Rate exceeded"):
            await find_paper(engine, "1707.08567")
        arxiv.reset()
        with pytest.raises(PaperNotFound):
            await find_paper(engine, "2601.99999")


async def test_a_quiet_channel_gets_nothing_on_an_empty_day(env: dict, slack_env: dict, slack: FakeSlack) -> None:
    from bot.cli import main

    assert main(["channel", "add", "slack", "C2", "--quiet-empty"]) == 0
    async with running(listen=False) as h:
        digest = await h.digest()
        empty = digest.model_copy(update={"items": [], "date": dt.date(2026, 1, 25)})
        channel = h.store.get_channel("slack", "C2")
        assert channel is not None and not channel.empty_note
        outcome = await post_digest(h.adapters["slack"], h.store, channel, empty)
        assert "no papers" in outcome and h.store.post_status("slack", "C2", "2026-01-25") == "posted"
    assert slack.messages_in("C2") == []
