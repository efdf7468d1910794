"""The team's taste as data: votes and additions feed it, imports resolve ids, and it ranks a no-LLM day."""

import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.models import Paper
from analysis.pipeline import build_digest
from analysis.profile import Profile
from analysis.ranking.rank import TASTE_WEIGHT, cheap_scores
from analysis.ranking.taste import Doc, Liked, Taste, rank_by_taste
from analysis.ranking.view import ChannelView
from analysis.render.markdown import report
from analysis.sources.bibtex import read_entries
from bot.adapters import channel_ids
from bot.cli import main
from bot.shared.tastes import parse_scope, taste_of
from bot.slack import render as render_slack
from bot.telegram import render as render_telegram
from storage.store import Store
from tests.fakes.arxiv import FakeArxiv
from tests.fakes.hf import FIXTURES, FakeHF
from tests.fakes.llm import FakeLLM
from tests.helpers import day_papers, engine_for

SLACK = ("slack", "C0123ABCD")
DAY = dt.date(2026, 1, 23)
DAY_FILE = FIXTURES / "hf_daily_papers_2026-01-23.json"

ZOTERO_BIB = """
@article{kim_implicit_2026,
\ttitle = {Implicit {Neural} {Representation} {Facilitates} {Unified} {Universal} {Vision} {Encoding}},
\turl = {http://arxiv.org/abs/2601.15876},
\tdoi = {10.48550/arXiv.2601.15876},
\tpublisher = {arXiv},
\tauthor = {Kim, A. and Lee, B.},
\tyear = {2026},
\tnote = {arXiv:2601.15876 [cs]},
}
@misc{arxiv_style,
      title={Motion 3-to-4},
      author={Someone},
      year={2026},
      eprint={2601.15165v2},
      archivePrefix={arXiv},
      primaryClass={cs.CV},
}
@article{scholar, title={Scaling}, journal={arXiv preprint arXiv:2601.16208}, year={2026}}
@book{no_arxiv, title = {Deep Learning}, publisher = {MIT Press}}
@comment{jabref-meta: databaseType:bibtex;}
"""


def test_a_text_list_whose_comment_has_an_at_name_and_parenthesis_is_still_a_text_list() -> None:
    text = "# papers @alice (slack) liked\n2601.15876\nhttps://arxiv.org/abs/2601.15165\n"
    assert [e.arxiv_id for e in read_entries(text)] == ["2601.15876", "2601.15165"]
    indented = "  @article{k, eprint = {2601.15876}}\n"  # an entry still parses with leading whitespace
    assert [e.arxiv_id for e in read_entries(indented)] == ["2601.15876"]


def test_bibtex_ids_come_from_eprint_doi_url_and_journal_and_entries_without_one_are_named() -> None:
    entries = read_entries(ZOTERO_BIB)
    assert [e.arxiv_id for e in entries] == ["2601.15876", "2601.15165", "2601.16208", None]
    assert entries[3].label == "@no_arxiv 'Deep Learning'"
    lines = read_entries("2601.15876\n\n# a comment\nhttps://arxiv.org/pdf/2601.15165v1\nsee arXiv:2601.16208\nfoo\n")
    assert [e.arxiv_id for e in lines] == ["2601.15876", "2601.15165", "2601.16208", None]
    assert lines[-1].label == "line 6 'foo'"


def test_a_vote_taken_back_leaves_the_taste_unless_someone_else_still_votes(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    papers = day_papers()
    store.save_papers(papers)
    a, b = papers[0].arxiv_id, papers[1].arxiv_id
    store.set_vote(*SLACK, a, "U1", True)
    store.set_vote(*SLACK, a, "U2", True)
    store.set_vote(*SLACK, b, "U1", True)
    store.add_taste(("", ""), [papers[2].arxiv_id])
    taste = taste_of(store, SLACK)
    assert [p.arxiv_id for p in taste.papers][:2] == [a, b] and taste.papers[0].votes == 2
    assert papers[2].arxiv_id in taste.ids  # the default taste is every channel's too
    store.set_vote(*SLACK, a, "U1", False)
    store.set_vote(*SLACK, b, "U1", False)
    taste = taste_of(store, SLACK)
    assert a in taste.ids and b not in taste.ids
    assert taste_of(store, ("", "")).ids == {papers[2].arxiv_id}  # votes stay in their channel
    assert "user" not in " ".join(store.db.table("taste").columns_dict)  # no people in the taste


def test_the_prompt_names_the_most_voted_then_the_most_recent_ten() -> None:
    liked = [Liked(f"2601.{i:05d}", f"T{i}", votes=i % 3, liked_at=f"2026-01-{i + 1:02d}") for i in range(14)]
    titles = Taste.of(liked).titles_for_prompt()
    assert len(titles) == 10 and titles[:3] == ["T11", "T8", "T5"]  # 2 votes, newest first
    assert Taste().ranks is False and Taste.of(liked[:1]).ranks is True  # the first liked paper already ranks
    assert Taste.of(liked[:4]).trains is False and Taste.of(liked[:5]).trains is True  # the classifier from five


def test_channel_scope_is_checked() -> None:
    ids = channel_ids()
    assert parse_scope("slack:C0123ABCD", ids) == SLACK and parse_scope("telegram:-1001", ids) == ("telegram", "-1001")
    assert parse_scope(None, ids) == ("", "")
    for bad in ("slack", "discord:1", "telegram:@x", "slack:c-lower"):
        with pytest.raises(Exception, match="--channel slack:C0123ABCD or --channel telegram:-1001234567890"):
            parse_scope(bad, ids)


def _papers(topic: str, n: int, start: int) -> list[Paper]:
    return [Paper(arxiv_id=f"2601.{start + i:05d}", title=f"{topic} study {i}",
                  abstract=f"We study {topic} with method number {i} and report results.") for i in range(n)]


def test_a_taste_ranks_papers_like_it_above_the_rest_and_mixes_in_keywords() -> None:
    liked = _papers("graph neural network molecule property prediction", 6, 0)
    others = _papers("reinforcement learning robot locomotion", 40, 100)
    today = [*_papers("graph neural network molecule property prediction", 2, 500),
             *_papers("speech recognition transformer", 5, 600)]
    taste = Taste.of(Liked(p.arxiv_id, p.title, p.abstract) for p in liked)
    background = [Doc(p.arxiv_id, p.title, p.abstract) for p in [*liked, *others, *today]]
    ranked = rank_by_taste(taste, background, today)
    best = sorted(ranked, key=lambda i: -ranked[i].score)[:2]
    assert set(best) == {"2601.00500", "2601.00501"} and all(0 <= r.score <= 100 for r in ranked.values())
    small = rank_by_taste(Taste.of(taste.papers[:2]), background, today)  # fewer than five: by similarity
    assert set(sorted(small, key=lambda i: -small[i].score)[:2]) == {"2601.00500", "2601.00501"}
    profile = Profile(keywords=["speech recognition"], language="zh")
    scores = cheap_scores(today, ChannelView(profile, taste), background)
    reason = scores["2601.00600"].reason
    assert reason.startswith("像你们喜欢的 《graph neural network molecule property prediction study") and \
        "speech recognition" in reason
    assert scores["2601.00600"].score > round(TASTE_WEIGHT * ranked["2601.00600"].score)  # the keyword adds its share


def test_training_and_ranking_500_papers_is_quick() -> None:
    papers = day_papers() + day_papers("hf_daily_papers_2026-01-21.json") + day_papers(
        "hf_daily_papers_2026-08-21.json")
    background = [Doc(f"{p.arxiv_id}-{k}", p.title + f" {k}", p.abstract) for k in range(10) for p in papers][:500]
    taste = Taste.of(Liked(p.arxiv_id, p.title, p.abstract) for p in papers[:8])
    rank_by_taste(taste, background[:50], papers[:5])  # scikit-learn's import is not the ranking
    started = time.perf_counter()
    ranked = rank_by_taste(taste, background, background)
    assert len(ranked) == 500 and time.perf_counter() - started < 2.0  # 0.5 s budget; see benchmarks/taste_bench


def test_a_no_llm_digest_is_ranked_by_the_default_taste_and_says_so(
        env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(env["PAPERBOT_DB"])
    store.save_papers(day_papers("hf_daily_papers_2026-01-21.json"), "2026-01-21")
    store.add_taste(("", ""), [p.arxiv_id for p in day_papers("hf_daily_papers_2026-01-21.json")[:4]])
    store.close()
    assert main(["digest", "--from-file", str(DAY_FILE)]) == 0
    out = capsys.readouterr().out  # four papers rank by similarity, not by the classifier
    assert "> 🎯 按与团队喜欢的 4 篇论文的相似度排序" in out and "⚠️ 今日评分基于关键词匹配" not in out
    store = Store(env["PAPERBOT_DB"])
    store.add_taste(("", ""), [day_papers()[7].arxiv_id])
    store.close()
    assert main(["digest", "--from-file", str(DAY_FILE)]) == 0
    out = capsys.readouterr().out
    assert "> 🎯 按团队口味排序（5 篇喜欢的论文）" in out and "关键词匹配（" not in out and "⚠️ 按团队" not in out


def liked_earlier_and_today(store: Store) -> list[Paper]:
    """Two earlier days and today's papers stored, and a default taste of five: four earlier papers and
    today's eighth. Returns today's papers."""
    earlier = day_papers("hf_daily_papers_2026-01-21.json") + day_papers("hf_daily_papers_2026-08-21.json")
    store.save_papers(earlier, "2026-01-21")
    today = day_papers()
    store.save_papers(today)
    store.add_taste(("", ""), [today[7].arxiv_id, *(p.arxiv_id for p in earlier[:4])])
    return today


async def test_a_liked_paper_listed_again_ranks_first(env: dict[str, str]) -> None:
    store = Store(env["PAPERBOT_DB"])
    today = liked_earlier_and_today(store)
    async with engine_for(store) as engine:
        digest = await build_digest(engine, DAY, today, view=ChannelView(Profile(), taste_of(store, ("", ""))))
    assert digest.items[0].paper.arxiv_id == today[7].arxiv_id and digest.scored_by == "keyword"
    assert digest.ranked_by == "按团队口味排序（5 篇喜欢的论文）" and digest.notes == []
    # the quick view says how the day was ranked, as news, not as a warning
    telegram_view = "".join(render_telegram.quick_view(digest, {}))
    slack_view = json.dumps(render_slack.quick_view(digest, {}), ensure_ascii=False)
    assert "🎯 按团队口味排序（5 篇喜欢的论文）" in telegram_view and "⚠️" not in telegram_view
    assert "🎯 按团队口味排序（5 篇喜欢的论文）" in slack_view and "⚠️" not in slack_view
    store.close()


def test_taste_add_import_list_remove_end_to_end(env: dict[str, str], hf: FakeHF, arxiv: FakeArxiv, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    arxiv.add_entry("2512.00001", "An arXiv-only paper", "About flow matching.", ["A. Author"])
    assert main(["taste", "add", "--channel", "slack:C0123ABCD", "2601.15876", "arXiv:2512.00001",
                 "2601.99999", "nonsense"]) == 0
    captured = capsys.readouterr()
    assert "added 2 paper(s) to the taste of slack:C0123ABCD" in captured.out
    errors = [line for line in captured.err.splitlines() if line.startswith("paperbot: not added:")]
    assert len(errors) == 2 and "2601.99999" in errors[0] + errors[1] and "'nonsense'" in errors[0] + errors[1]
    assert "'nonsense': no arXiv id found (an id like 2601.14256" in captured.err
    # a channel nobody subscribed yet: kept, and said so
    assert "note: slack:C0123ABCD is not subscribed; its taste is kept for when it is" in captured.err
    bib = tmp_path / "zotero.bib"
    bib.write_text(ZOTERO_BIB, encoding="utf-8")
    assert main(["taste", "import", str(bib)]) == 0
    captured = capsys.readouterr()
    assert "added 3 paper(s) to the default taste" in captured.out
    assert captured.err.count("not added") == 1 and "@no_arxiv 'Deep Learning'" in captured.err
    store = Store(env["PAPERBOT_DB"])
    store.set_vote("slack", "C0123ABCD", "2601.15165", "U1", True)
    store.close()
    assert main(["taste", "list", "--channel", "slack:C0123ABCD"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("the taste of slack:C0123ABCD: 4 paper(s), 1 voted up, 3 added only")
    assert "2601.15165       👍 1" in out and "U1" not in out  # counts, never people
    assert main(["taste", "remove", "--channel", "slack:C0123ABCD", "2601.15876", "2601.15165"]) == 0
    captured = capsys.readouterr()
    assert "removed 1 paper(s) from the taste of slack:C0123ABCD" in captured.out
    # only voted (and in the default taste): it leaves when the vote does
    assert "2601.15165 is not among the papers added to the taste of slack:C0123ABCD; a paper that is there by " \
           "votes leaves when its votes are taken back in the chat" in captured.err
    assert main(["taste", "remove", "--channel", "slack:C0123ABCD", "2601.15876"]) == 1


def test_the_real_process_lists_a_taste(env: dict[str, str]) -> None:
    store = Store(env["PAPERBOT_DB"])
    store.save_papers(day_papers()[:2], dt.date(2026, 1, 23).isoformat())
    store.add_taste(("", ""), [p.arxiv_id for p in day_papers()[:2]])
    store.close()
    script = Path(sys.executable).parent / "paperbot"
    result = subprocess.run([str(script), "taste", "list"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("the default taste: 2 paper(s), 0 voted up")
    bad = subprocess.run([str(script), "taste", "list", "--channel", "irc:x"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and "--channel slack:" in bad.stderr


async def test_an_llm_that_fails_falls_back_to_keywords_and_taste_not_keywords_alone(llm_env: dict[str, str],
                                                                                     llm: FakeLLM) -> None:
    store = Store(llm_env["PAPERBOT_DB"])
    today = liked_earlier_and_today(store)
    llm.fail_next(500, times=1000)  # the LLM is configured and down for the whole day
    async with engine_for(store) as engine:
        digest = await build_digest(engine, DAY, today, view=ChannelView(Profile(), taste_of(store, ("", ""))))
    assert llm.calls and digest.scored_by == "keyword"
    assert digest.items[0].paper.arxiv_id == today[7].arxiv_id  # the taste ranked it, as without an LLM
    assert digest.items[0].score.reason.startswith("像你们喜欢的 《")
    assert digest.ranked_by == "按团队口味排序（5 篇喜欢的论文）" and any("LLM 不可用" in n for n in digest.notes)
    store.close()


async def test_two_liked_papers_already_rank_the_day_by_similarity_and_the_report_says_so(env: dict[str, str]) -> None:
    store = Store(env["PAPERBOT_DB"])
    today = day_papers()
    store.save_papers(today)
    liked = [today[5], today[12]]
    store.add_taste(("", ""), [p.arxiv_id for p in liked])
    async with engine_for(store) as engine:
        digest = await build_digest(engine, DAY, today, view=ChannelView(Profile(), taste_of(store, ("", ""))))
    store.close()
    assert digest.ranked_by == "按与团队喜欢的 2 篇论文的相似度排序" and digest.notes == []
    assert {i.paper.arxiv_id for i in digest.items[:2]} == {p.arxiv_id for p in liked}  # each is its own nearest
    assert digest.items[0].score.reason.startswith("像你们喜欢的 《")
    assert "> 🎯 按与团队喜欢的 2 篇论文的相似度排序" in report(digest).splitlines()
