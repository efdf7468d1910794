"""`/taste` and `paperbot taste stats`: the ranking's quality over the last 30 days, checked on a constructed
history of two posted days, votes and marks (each number below worked out by hand)."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

from analysis.models import Digest, DigestItem, Paper, Score
from bot.config import load_settings
from bot.shared.answers import Invocation
from bot.shared.commands import Commands
from bot.shared.taste_stats import stats_text, taste_stats, weekly_line
from bot.shared.weekly import weekly_text
from storage.quick_views import redraw_json
from storage.store import Store
from tests.helpers import engine_for

CH = ("slack", "C0STATS")
TODAY = dt.datetime.now(dt.UTC).date()


def _day(day: dt.date, ids: list[str]) -> Digest:
    """A posted day ranking `ids` best first; its quick view lists the top five."""
    items = [DigestItem(paper=Paper(arxiv_id=a, title=f"Paper {a}", abstract=""),
                        score=Score(arxiv_id=a, score=95 - 5 * n)) for n, a in enumerate(ids)]
    return Digest(title="t", date=day, items=items, threshold=60, max_deep_dives=3, top_n=5)


def _post(store: Store, digest: Digest) -> None:
    day = digest.date.isoformat()
    store.claim_post(*CH, day)
    store.quick_view_sent(*CH, day, f"ts-{day}", [i.paper.arxiv_id for i in digest.quick_items()], redraw_json(digest))
    store.finish_post(*CH, day)


def history(store: Store) -> None:
    a = [f"2601.0{n:04d}" for n in range(1, 13)]  # day A's ranking, p1..p12
    b = [f"2601.1{n:04d}" for n in range(1, 13)]  # day B's, q1..q12, with p3 again at rank 9
    b[8] = a[2]
    _post(store, _day(TODAY - dt.timedelta(days=3), a))
    _post(store, _day(TODAY - dt.timedelta(days=1), b))
    # 👍: p2 (day A, rank 2, listed), q7 (rank 7), q11 (rank 11), p3 (its latest day B: rank 9), and a paper
    # no digest ranked (a /deepdive of an old one): 5 papers, 1 listed, ranks 2 7 9 11, three in the top 10
    for paper, user in [(a[1], "U1"), (a[1], "U2"), (b[6], "U1"), (b[10], "U1"), (a[2], "U3"), ("2501.00001", "U1")]:
        store.set_vote(*CH, paper, user, True)
    store.set_vote(*CH, b[1], "U1", True)
    store.set_vote(*CH, b[1], "U1", False)  # taken back: not counted
    # 👎: q1 (rank 1, listed) and p12 (rank 12); a mark made from the CLI is no member's and does not count
    store.set_mark(*CH, b[0], "U2", True)
    store.set_mark(*CH, a[11], "U1", True)
    store.add_marks(CH, [b[2]])


def test_the_figures_of_a_constructed_history() -> None:
    store = Store(":memory:")
    history(store)
    stats = taste_stats(store, *CH)
    assert stats.days == 2
    assert (stats.up.papers, stats.up.listed, sorted(stats.up.ranks), stats.up.top) == (5, 1, [2, 7, 9, 11], 3)
    assert stats.up.median_rank == 8
    assert (stats.down.papers, stats.down.listed, sorted(stats.down.ranks), stats.down.top) == (2, 1, [1, 12], 1)
    text = stats_text(stats)
    assert "👍 5 paper(s) voted: 1 in that day's quick view, median rank 8, hit rate @10 3/5 (60%)." in text
    assert ("👎 2 paper(s) marked not for us: 1 in that day's quick view, median rank 6.5, in the top 10 1/2 (50%)"
            in text)
    assert weekly_line(stats) == ("📈 近 30 天排序：👍 5 篇中 1 篇在当天速览，中位排名 8，前 10 命中率 60%；"
                                  "👎 2 篇中 1 篇排进前 10")
    # 31 days on, every vote and mark is out of the window
    later = taste_stats(store, *CH, now=dt.datetime.now(dt.UTC) + dt.timedelta(days=31))
    assert later.up.papers == later.down.papers == 0 and weekly_line(later) is None
    assert "No 👍 votes or 👎 marks in the last 30 days" in stats_text(later)


async def test_taste_in_a_channel_answers_with_the_figures(env: dict) -> None:
    async with engine_for() as engine:
        store = engine.cache
        assert isinstance(store, Store)
        history(store)
        commands = Commands(load_settings(), store, engine)
        answer = await commands.handle(Invocation(*CH, "U1"), "taste", "")
    assert "hit rate @10 3/5 (60%)" in answer.text and not answer.ephemeral


def test_the_weekly_favourites_carry_one_line_of_it() -> None:
    store = Store(":memory:")
    channel = store.upsert_channel(*CH, threshold=60, post_time="08:00", timezone="UTC")
    history(store)
    text = weekly_text(store, channel, TODAY + dt.timedelta(days=7))  # next week's first digest: this week's votes
    assert text is not None and text.startswith("🏆 上周团队最爱")
    assert text.splitlines()[-1].startswith("📈 近 30 天排序：👍 5 篇中 1 篇在当天速览")


def test_taste_stats_on_the_command_line(env: dict) -> None:
    store = Store(env["PAPERBOT_DB"])
    store.upsert_channel("slack", CH[1], threshold=60, post_time="08:00", timezone="UTC")
    history(store)
    store.close()
    run = [str(Path(sys.executable).parent / "paperbot"), "taste", "stats", "--channel", f"slack:{CH[1]}"]
    out = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert out.startswith(f"slack:{CH[1]} — How the ranking served") and "median rank 8" in out
    everyone = subprocess.run(run[:3], capture_output=True, text=True, check=True).stdout
    assert "hit rate @10 3/5 (60%)" in everyone
