"""The day's pool: HF's list plus a real cs.CV/cs.RO day listing, merged, narrowed before the LLM."""

import datetime as dt
import json
import math
import os
import re
import subprocess
from pathlib import Path

import pytest

from analysis.errors import SourceError
from analysis.pipeline import build_digest
from analysis.render.markdown import report
from analysis.sources import schedule
from analysis.sources.arxiv_listing import Paging
from analysis.sources.pool import fetch_pool, latest_pool
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.arxiv_rss import FakeArxivRSS
from tests.fakes.hf import FakeHF
from tests.fakes.llm import FakeLLM
from tests.helpers import day_papers, engine_for

LABELLED = Path(__file__).parent / "fixtures" / "labelled"
DAY = dt.date(2026, 1, 23)  # the HF fixture day; the arXiv fake lists a real labelled day in its announcement
IN_WINDOW = schedule.window(DAY).start + dt.timedelta(hours=1)  # submitted in time for the announcement of DAY
FAST = Paging(page_size=50, delay=0.01, attempts=3)
MERGED = "2601.16208"  # on HF's list, and (here) in the arXiv listing too
SR_RELEVANT = json.loads((LABELLED / "labels.json").read_text())["sets"]["super_resolution"]["relevant"]["2025-10-14"]


def list_labelled_day(arxiv: FakeArxiv, name: str = "a1henu_arxiv_2025-10-14.json", day: dt.date = DAY) -> list[str]:
    """The real cs.CV/cs.RO listing of 2025-10-14 (117 papers) served as `day`'s submissions."""
    papers = json.loads((LABELLED / name).read_text(encoding="utf-8"))["papers"]
    arxiv.list_on(day, [arxiv.entry_xml(p["arxiv_id"], p["title"], p["summary"], p["authors"]) for p in papers],
                  at=schedule.window(day).start + dt.timedelta(hours=1))
    return [p["arxiv_id"].rsplit("v", 1)[0] for p in papers]


@pytest.fixture
def followed(env: dict[str, str], monkeypatch: pytest.MonkeyPatch, arxiv: FakeArxiv) -> list[str]:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.CV,cs.RO")
    ids = list_labelled_day(arxiv)
    arxiv.list_on(DAY, [arxiv.entry_xml(f"{MERGED}v2", "arXiv's own title", "arXiv's abstract",
                                        ["A. Author"], categories=("eess.AS", "cs.CV"))], at=IN_WINDOW)
    return ids


async def test_one_paper_per_id_hf_fields_win_and_each_keeps_its_sources(followed: list[str]) -> None:
    async with engine_for() as engine:
        engine.arxiv_paging = FAST
        pool = await fetch_pool(engine, DAY)
    ids = [p.arxiv_id for p in pool.papers]
    assert len(ids) == len(set(ids)) == 27 + 117 and ids[27:] == followed
    assert (pool.hf_count, pool.arxiv_count, pool.notes) == (27, 117, [])
    merged = next(p for p in pool.papers if p.arxiv_id == MERGED)
    on_hf = next(p for p in day_papers() if p.arxiv_id == MERGED)
    assert merged.sources == ["hf", "arxiv"] and merged.title == on_hf.title and merged.upvotes == on_hf.upvotes == 41
    assert merged.ai_summary and merged.ai_summary == on_hf.ai_summary and merged.thumbnail == on_hf.thumbnail
    assert merged.thumbnail and merged.thumbnail.startswith("https://")
    assert merged.categories == ["eess.AS", "cs.CV"] and merged.listed_in == ["cs.CV"]
    assert pool.papers[-1].sources == ["arxiv"] and pool.papers[-1].listed_in == ["cs.CV"]


async def test_narrowed_to_the_llm_pool_in_two_calls_relevant_kept_and_a_rerun_is_free(
        followed: list[str], llm_env: dict[str, str], llm: FakeLLM, arxiv: FakeArxiv) -> None:
    wanted = {SR_RELEVANT[0]: 95, MERGED: 90}
    llm.scorer = lambda blocks: [{"arxiv_id": b.arxiv_id, "score": wanted.get(b.arxiv_id, 10), "reason": "r"}
                                 for b in blocks]
    async with engine_for() as engine:
        engine.arxiv_paging = FAST
        pool = await fetch_pool(engine, DAY)
        digest = await build_digest(engine, DAY, pool)
        scored = [i for r in llm.calls_for("paper_scores") for i in re.findall(r'<paper id="([^"]+)"', str(r))]
        assert len(llm.calls_for("paper_scores")) <= math.ceil(80 / 20) and len(set(scored)) <= 80
        assert {p.arxiv_id for p in pool.papers if "hf" in p.sources} <= set(scored)  # HF's list, whole
        assert set(SR_RELEVANT) <= set(scored)  # the team's relevant papers reach the LLM
        before = len(llm.requests)
        again = await build_digest(engine, DAY, await fetch_pool(engine, DAY))
        assert len(llm.requests) == before and again.items == digest.items
    assert len(digest.items) == 144 and sum(i.narrowed_out for i in digest.items) == 144 - len(set(scored))
    first_out = next(n for n, i in enumerate(digest.items) if i.narrowed_out)
    assert all(i.narrowed_out for i in digest.items[first_out:])  # LLM-scored first, then the rest
    assert not any(i.narrowed_out for i in digest.selected(0))  # a cheap score never earns a deep dive
    out = digest.items[first_out]
    assert out.score.reason.startswith("未经 LLM 评分 · ") and not out.llm_scored and digest.items[0].llm_scored
    text = report(digest)
    assert "扫描 144 篇 (HF 27 + arXiv 01-23 公告 117)" in text.splitlines()[1]
    assert "**来源**: arXiv cs.CV | **评分**: 95/100" in text
    assert "**来源**: HuggingFace 🔥 + arXiv cs.CV | **评分**: 90/100" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`25" in line]
    assert len(rows) == 117 and sum("未经 LLM 评分" in r for r in rows) == sum(
        i.narrowed_out for i in digest.items if i.paper.arxiv_id.startswith("25"))  # the full list marks them


async def test_hf_down_still_gives_the_arxiv_digest_and_says_so(followed: list[str], hf: FakeHF) -> None:
    hf.fail_next(503, times=10, path="/api/daily_papers")
    async with engine_for() as engine:
        engine.arxiv_paging = FAST
        digest = await build_digest(engine, DAY, await fetch_pool(engine, DAY))
    lines = report(digest).splitlines()
    assert "扫描 118 篇 (HF 0 + arXiv 01-23 公告 118)" in lines[1]
    assert "Hugging Face" in lines[2] and "HTTP 503" in lines[2]


async def test_arxiv_down_still_gives_the_hf_digest_and_says_so(followed: list[str], arxiv: FakeArxiv) -> None:
    arxiv.rate_limited(times=FAST.attempts, status=503)
    async with engine_for() as engine:
        engine.arxiv_paging = FAST
        digest = await build_digest(engine, DAY, await fetch_pool(engine, DAY))
    lines = report(digest).splitlines()
    assert "扫描 27 篇 (HF 27 + arXiv 0)" in lines[1] and "arXiv" in lines[2] and "Rate exceeded" in lines[2]


async def test_both_down_is_one_clear_error(followed: list[str], hf: FakeHF, arxiv: FakeArxiv) -> None:
    hf.fail_next(500, times=20, path="/api/daily_papers")
    arxiv.fail_next(500, times=20, path="/api/query")
    async with engine_for() as engine:
        engine.arxiv_paging = FAST
        with pytest.raises(SourceError) as error:
            await latest_pool(engine, dt.datetime(2026, 1, 24, 12, tzinfo=dt.UTC))
    assert "Hugging Face answered HTTP 500" in str(error.value) and "arXiv" in str(error.value)
    assert "\n" not in str(error.value)


async def test_a_weekend_is_skipped_to_the_last_day_with_papers(followed: list[str], arxiv: FakeArxiv,
                                                                arxiv_rss: FakeArxivRSS) -> None:
    monday_in_shanghai = dt.datetime(2026, 1, 26, 0, 30, tzinfo=dt.UTC)  # Sunday evening in New York
    async with engine_for() as engine:
        engine.arxiv_paging = FAST
        pool = await latest_pool(engine, monday_in_shanghai)  # HF: Sunday and Saturday have nothing
    assert (pool.hf_count, pool.arxiv_count) == (27, 117) and pool.announcements == [DAY]
    assert pool.day == dt.date(2026, 1, 25)  # the morning's day: yesterday, whichever HF day it holds
    assert "ARXIV_RSS_URL" not in " ".join(pool.notes)  # the feed (404 here) gave way to the API, silently
    assert len(arxiv_rss.calls) == 1
    window = schedule.window(DAY).query()  # Wednesday 14:00 to Thursday 14:00, New York
    assert window == "submittedDate:[202601211900 TO 202601221859]"
    assert [c.query["search_query"].endswith(window) for c in arxiv.calls] == [True] * 3  # 118 papers, pages of 50


def test_the_real_process_lists_the_followed_categories(followed: list[str], llm_env: dict[str, str]) -> None:
    script = Path(os.environ.get("VIRTUAL_ENV", Path(__file__).resolve().parents[1] / ".venv")) / "bin" / "paperbot"
    result = subprocess.run([str(script), "digest", "--date", "2026-01-23"], capture_output=True, text=True,
                            env={**os.environ}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "扫描 144 篇 (HF 27 + arXiv 01-23 公告 117)" in result.stdout.splitlines()[1]
    assert "listing arXiv's announcement of 2026-01-23 (cs.CV, cs.RO) through the API" in result.stderr
    assert "ranked 144 papers without the LLM; the best 40 go to scoring" in result.stderr


def test_both_down_on_the_command_line_is_one_line(followed: list[str], hf: FakeHF, arxiv: FakeArxiv,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    hf.fail_next(404, times=5, path="/api/daily_papers")
    arxiv.fail_next(400, times=5, path="/api/query")
    assert main(["digest", "--date", "2026-01-23"]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]  # after the progress lines, one line says why
    assert "Hugging Face answered HTTP 404" in err and "PAPERBOT_ARXIV_CATEGORIES" in err and ".;" not in err


def test_a_saved_hf_file_still_gets_the_followed_categories(followed: list[str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main
    from tests.helpers import FIXTURES

    assert main(["digest", "--from-file", str(FIXTURES / "hf_daily_papers_2026-01-23.json")]) == 0
    assert "扫描 144 篇 (HF 27 + arXiv 01-23 公告 117)" in capsys.readouterr().out.splitlines()[1]
