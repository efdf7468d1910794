"""Narrowing, the quick view's length, source labels and the pool's settings, piece by piece."""

import datetime as dt
from pathlib import Path

import pytest

from analysis.errors import ConfigError
from analysis.models import Digest, DigestItem, Paper, Score
from analysis.profile import Profile
from analysis.ranking.narrowing import narrow
from analysis.ranking.view import ChannelView
from analysis.render.markdown import source_label
from benchmarks.recall_bench import label_sets, labelled_days, measure
from bot.config import load_settings
from storage.store import Store


def paper(n: int, title: str = "Nothing in common", upvotes: int = 0, **extra: object) -> Paper:
    return Paper(arxiv_id=f"2601.{n:05d}", title=title, abstract="", upvotes=upvotes, **extra)  # type: ignore[arg-type]


def test_the_top_by_keywords_go_to_the_llm_upvotes_break_ties_and_the_pool_order_stays() -> None:
    arxiv = {"sources": ["arxiv"]}
    papers = [paper(1, **arxiv), paper(2, upvotes=5, **arxiv), paper(3, "Image Restoration with Diffusion", **arxiv),
              paper(4, upvotes=9, **arxiv)]
    shortlist = narrow(papers, ChannelView(), 2)
    assert [p.arxiv_id for p in shortlist.chosen] == ["2601.00003", "2601.00004"]  # pool order, not rank
    assert [p.arxiv_id for p in shortlist.rest] == ["2601.00002", "2601.00001"]  # ranked: 5 upvotes, then 0
    assert narrow(papers, ChannelView(), 4).rest == [] and narrow(papers, ChannelView(), None).chosen == papers


def test_the_relevant_papers_of_the_labelled_days_survive_the_cut_to_40() -> None:
    curated = {name: spec for name, spec in label_sets().items() if "relevant" in spec}
    kept = sum(measure(spec, 40)[0] for spec in curated.values())
    assert sum(measure(spec, 40)[1] for spec in curated.values()) == 8 and kept / 8 >= 0.75
    reader = label_sets()["rosinality_reading_april"]
    days = list(labelled_days(reader))
    assert len(days) == 15 and sum(len(ids) for _, ids in days) == 43
    assert measure(reader, 40)[0] / 43 > 2 * 0.25  # well above what a random 40 of 126-351 would keep


def test_at_the_default_pool_with_hfs_list_sent_whole_every_topic_pick_still_reaches_the_llm() -> None:
    curated = [spec for spec in label_sets().values() if "relevant" in spec and "rosinality" not in spec["source"]]
    assert sum(measure(spec, 80, with_hf=True)[0] for spec in curated) == 5  # of 5: SR, VLA, world models
    reader = label_sets()["rosinality_reading_april"]
    assert measure(reader, 80)[0] >= 40 and measure(reader, 80, with_hf=True)[0] >= 37  # the README's figures


def digest(scores: list[int], top_n: int, max_dives: int = 3) -> Digest:
    items = [DigestItem(paper=paper(i), score=Score(arxiv_id=paper(i).arxiv_id, score=s)) for i, s in enumerate(scores)]
    return Digest(title="t", date=dt.date(2026, 1, 23), items=items, threshold=60, max_deep_dives=max_dives,
                  top_n=top_n)


def test_the_quick_view_lists_top_n_and_never_drops_a_selected_paper() -> None:
    assert len(digest([90, 80, 70, 10, 5], top_n=2).quick_items()) == 3  # three deep dives reach past 2
    assert len(digest([90, 50, 40, 10, 5], top_n=2).quick_items()) == 2
    assert len(digest([90, 50, 40, 10, 5], top_n=0).quick_items()) == 5


def test_source_labels_and_summary_counts() -> None:
    hf_only = paper(1)
    both = paper(2, sources=["hf", "arxiv"], categories=["eess.IV", "cs.CV"], listed_in=["eess.IV", "cs.CV"])
    looked_up = paper(3, source="arxiv", categories=["cs.LG", "cs.CV"])
    assert source_label(hf_only) == "HuggingFace 🔥" and hf_only.source == "hf"
    assert source_label(both) == "HuggingFace 🔥 + arXiv eess.IV, cs.CV"
    assert source_label(looked_up) == "arXiv cs.LG" and looked_up.sources == ["arxiv"]
    day = digest([90, 10], top_n=0)
    assert day.source_counts() == "HF Top 2"
    assert day.model_copy(update={"hf_count": 1, "arxiv_count": 1}).source_counts() == "HF 1 + arXiv 1"


def test_sources_and_categories_survive_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "p.db")
    both = paper(2, sources=["hf", "arxiv"], categories=["cs.CV"], ai_summary="s", thumbnail="https://t/x.png")
    store.save_papers([both], "2026-01-23")
    again = store.get_paper(both.arxiv_id)
    store.close()
    assert again is not None and again.sources == ["hf", "arxiv"] and again.categories == ["cs.CV"]
    assert (again.ai_summary, again.thumbnail) == ("s", "https://t/x.png")


@pytest.mark.parametrize(("name", "value"), [("PAPERBOT_ARXIV_CATEGORIES", "cs.CV; eess.IV"),
                                             ("PAPERBOT_ARXIV_CATEGORIES", "cs CV"), ("PAPERBOT_LLM_POOL", "0")])
def test_bad_pool_settings_are_one_line_naming_the_variable(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                            name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        load_settings()


def test_pool_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", " cs.CV, eess.IV ,cs.CV")
    settings = load_settings()
    assert settings.arxiv_categories == ["cs.CV", "eess.IV"] and settings.llm_pool == 40


def test_the_chat_summary_counts_both_sources_and_points_past_the_list() -> None:
    from analysis.render.chat_summary import chat_summary, more_scanned

    day = digest([90, 50, 40, 10, 5], top_n=2).model_copy(update={"hf_count": 2, "arxiv_count": 3})
    assert chat_summary(day).startswith("🤖 今日动态：扫描 5 篇（HF 2 + arXiv 3），精选 1 篇")
    assert chat_summary(digest([90], top_n=0)).startswith("🤖 今日动态：扫描 1 篇，精选 1 篇")
    more = more_scanned(day, len(day.quick_items()))
    assert more == "…另扫描了 3 篇，得分更低未列出；用 /deepdive <arXiv id> 可解读其中任意一篇"
    assert more_scanned(day, 5) is None


async def test_the_teams_taste_joins_the_ranking_that_narrows(tmp_path: Path) -> None:
    from analysis.ranking.rank import cheap_scores_async
    from analysis.ranking.taste import Liked, Taste
    from benchmarks.recall_bench import day_pool

    pool = day_pool("2025-10-14")  # a real cs.CV/cs.RO day; the default keywords know nothing of robots
    liked = [p for p in day_pool("2025-10-15") if "robot" in p.title.lower()][:6]
    store = Store(tmp_path / "p.db")
    store.save_papers(pool, "2025-10-14")
    taste = Taste.of(Liked(arxiv_id=p.arxiv_id, title=p.title, abstract=p.abstract) for p in liked)
    view = ChannelView(Profile(), taste)
    plain = narrow(pool, ChannelView(), 20)
    tasted = narrow(pool, view, 20, await cheap_scores_async(pool, view, store))
    store.close()

    def robots(papers: list[Paper]) -> int:
        return sum("robot" in (p.title + p.abstract).lower() for p in papers)

    assert len(liked) >= 5 and len(tasted.chosen) == 20 and robots(tasted.chosen) > robots(plain.chosen)
    assert any(s.reason.startswith("像你们喜欢的 《") for s in tasted.cheap.values())
