"""Done-when on real labelled days: the papers a researcher picked, added with `paperbot taste add`, make the
next day's no-LLM digest put ≥ 4 of that day's picks in its top 10 (random: 0.4). Data and provenance:
benchmarks/data/ (SOURCES.md there)."""

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from analysis.models import Digest, Paper
from analysis.pipeline import build_digest
from analysis.profile import Profile
from analysis.ranking.view import ChannelView
from benchmarks.taste_bench import load_days
from bot.cli import main
from bot.shared.tastes import taste_of
from storage.store import Store
from tests.helpers import engine_for

DATA = Path(__file__).resolve().parents[1] / "benchmarks" / "data" / "rosinality_2025-04.json.gz"
HELD_OUT = "2025-04-24"


def test_the_picks_so_far_rank_four_of_the_held_out_days_picks_into_the_top_ten(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PAPERBOT_TOP_N", "0")  # the whole listing is the day
    _, days = load_days(DATA)
    before = [d for d in days if d["date"] < HELD_OUT]
    held_out = next(d for d in days if d["date"] == HELD_OUT)
    store = Store(env["PAPERBOT_DB"])
    for day in before:
        store.save_papers([_paper(p) for p in day["papers"]], day["date"])
    store.close()
    picks = [p["id"] for d in before for p in d["papers"] if p["relevant"]]
    assert main(["taste", "add", *picks]) == 0  # resolved from the store: nothing asked of HF or arXiv
    assert f"added {len(picks)} paper(s) to the default taste" in capsys.readouterr().out
    pool = [_paper(p) for p in held_out["papers"]]
    relevant = {p["id"] for p in held_out["papers"] if p["relevant"]}
    digest = asyncio.run(_digest(env["PAPERBOT_DB"], pool))
    top = [item.paper.arxiv_id for item in digest.items[:10]]
    assert len(digest.items) == len(pool) == 126 and len(relevant) == 5
    assert len(relevant & set(top)) >= 4
    assert digest.ranked_by == f"按团队口味排序（{len(picks)} 篇喜欢的论文）"


async def _digest(db: str, pool: list[Paper]) -> Digest:
    store = Store(db)
    async with engine_for(store) as engine:
        digest = await build_digest(engine, dt.date.fromisoformat(HELD_OUT), pool,
                                    view=ChannelView(Profile(), taste_of(store, ("", ""))))
    store.close()
    return digest


def _paper(raw: dict[str, object]) -> Paper:
    return Paper(arxiv_id=str(raw["id"]), title=str(raw["title"]), abstract=str(raw["abstract"]), source="arxiv")
