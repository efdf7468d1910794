"""Followed authors and the narrowing: HF's list and a followed author's papers always reach the LLM."""

import datetime as dt
import json
import re
from pathlib import Path

from analysis.models import Paper
from analysis.pipeline import build_digest
from analysis.profile import Profile
from analysis.ranking.follows import same_person
from analysis.ranking.view import ChannelView
from analysis.render.chat_summary import chat_summary
from analysis.render.markdown import report
from storage.store import Store
from tests.fakes.llm import FakeLLM
from tests.helpers import day_papers, engine_for

LABELLED = Path(__file__).parent / "fixtures" / "labelled"
DAY = dt.date(2026, 1, 23)


def test_names_match_tolerantly_but_not_loosely() -> None:
    for written in ("Kaiming He", "kaiming he", "K. He", "He, Kaiming", "KAIMING HE"):
        assert same_person(written, "Kaiming He"), written
    assert same_person("Renée Müller", "Renee Muller") and same_person("Renee Muller", "Renée Müller")
    assert same_person("Yann LeCun", "Yann A. LeCun") and same_person("J. R. R. Tolkien", "John Ronald Reuel Tolkien")
    assert not same_person("Kaiming He", "Kaiming Hu") and not same_person("Kaiming He", "Bo He")
    assert not same_person("He", "Kaiming He")  # a surname alone is too many people


def arxiv_pool(count: int) -> list[Paper]:
    """`count` real cs.CV/cs.RO papers (the a1henu days of 2025-10-12…16), with their authors, as arXiv's."""
    papers: list[Paper] = []
    for path in sorted(LABELLED.glob("a1henu_arxiv_*.json")):
        for raw in json.loads(path.read_text(encoding="utf-8"))["papers"]:
            papers.append(Paper(arxiv_id=raw["arxiv_id"].rsplit("v", 1)[0], title=" ".join(raw["title"].split()),
                                abstract=" ".join(raw["summary"].split()), authors=raw["authors"],
                                sources=["arxiv"]))
    return papers[:count]


async def test_a_500_paper_day_sends_hfs_whole_list_and_the_followed_authors_paper_to_the_llm(
        llm_env: dict[str, str], llm: FakeLLM) -> None:
    hf = day_papers()  # HF's 27 of 2026-01-23
    arxiv = arxiv_pool(500 - len(hf))
    followed = arxiv[-1]  # the listing's last paper: nothing of the default keywords in it
    assert followed.authors and "diffusion" not in (followed.title + followed.abstract).lower()
    first = followed.authors[0].split()
    name = f"{first[-1]}, {first[0]}".upper()  # as a team might type it: surname first, in capitals
    assert [p.arxiv_id for p in [*hf, *arxiv] if any(same_person(name, a) for a in p.authors)] == [followed.arxiv_id]
    llm.scorer = lambda blocks: [{"arxiv_id": b.arxiv_id, "score": 20, "reason": "off-topic"} for b in blocks]
    store = Store(llm_env["PAPERBOT_DB"])
    async with engine_for(store) as engine:
        digest = await build_digest(engine, DAY, [*hf, *arxiv], view=ChannelView(Profile(), follows=(name,)))
    store.close()
    scored = {i for r in llm.calls_for("paper_scores") for i in re.findall(r'<paper id="([^"]+)"', str(r))}
    assert len(digest.items) == 500 and len(scored) == 40  # PAPERBOT_LLM_POOL
    assert {p.arxiv_id for p in hf} <= scored and followed.arxiv_id in scored
    item = next(i for i in digest.items if i.paper.arxiv_id == followed.arxiv_id)
    assert item.llm_scored and item.score.score == 60 and item.followed == [name]  # lifted to the threshold
    assert item.score.reason == f"👤 关注的作者：{name} · off-topic"
    assert digest.items[0] is item and [i.paper.arxiv_id for i in digest.selected()] == [followed.arxiv_id]
    assert f"👤 关注的作者：{name}（第 1 篇）" in chat_summary(digest).splitlines()[1]
    text = report(digest)
    assert f"> 👤 关注的作者：{name} — " in text and f"**评分**: 60/100 👤 {name}" in text
