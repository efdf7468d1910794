"""Recall of the narrowing: which share of human-labelled relevant papers survives to the LLM.

Real arXiv day listings with human labels (tests/fixtures/labelled/, provenance in
tests/fixtures/SOURCES.md), each label set with the keyword profile that stands for its reader or topic.
The narrowing is the pipeline's own `narrow`, keeping PAPERBOT_LLM_POOL papers a day.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

from analysis.models import Paper
from analysis.profile import Profile
from analysis.ranking.narrowing import narrow, rank
from analysis.ranking.rank import BACKGROUND, cheap_scores
from analysis.ranking.taste import MIN_PAPERS, Doc, Liked, Taste
from analysis.ranking.view import ChannelView
from benchmarks.fixtures import FIXTURES
from benchmarks.report import table

LABELLED = FIXTURES / "labelled"
POOLS = (20, 40, 60, 80)


def _paper(arxiv_id: str, title: str, abstract: str) -> Paper:
    return Paper(arxiv_id=arxiv_id.rsplit("v", 1)[0] if "v" in arxiv_id else arxiv_id, title=" ".join(title.split()),
                 abstract=" ".join(abstract.split()), sources=["arxiv"])


def day_pool(day: str) -> list[Paper]:
    """A day of the a1henu cs.CV/cs.RO listings."""
    data = json.loads((LABELLED / f"a1henu_arxiv_{day}.json").read_text(encoding="utf-8"))
    return [_paper(p["arxiv_id"], p["title"], p["summary"]) for p in data["papers"]]


def label_sets() -> dict[str, dict[str, Any]]:
    return dict(json.loads((LABELLED / "labels.json").read_text(encoding="utf-8"))["sets"])


def labelled_days(spec: dict[str, Any]) -> Iterator[tuple[list[Paper], list[str]]]:
    """(the day's pool, its relevant ids) for every labelled day of a set."""
    if "listing" in spec:
        days = json.loads(gzip.decompress((LABELLED / spec["listing"]).read_bytes()))["days"]
        for day in days:
            yield ([_paper(p["id"], p["title"], p["abstract"]) for p in day["papers"]],
                   [p["id"] for p in day["papers"] if p["rosinality_pick"]])
        return
    for day, ids in spec["relevant"].items():
        yield day_pool(day), ids


def measure(spec: dict[str, Any], llm_pool: int) -> tuple[int, int, list[str]]:
    """(kept, relevant, "rank/pool" of each relevant paper) over the set's days."""
    profile = Profile(keywords=spec["keywords"])
    kept, ranks = 0, []
    for papers, relevant in labelled_days(spec):
        shortlist = narrow(papers, ChannelView(profile), llm_pool)
        order = [p.arxiv_id for p in rank(papers, shortlist.cheap)]
        chosen = {p.arxiv_id for p in shortlist.chosen}
        kept += sum(i in chosen for i in relevant)
        ranks += [f"{order.index(i) + 1}/{len(papers)}" for i in relevant]
    return kept, len(ranks), ranks


def measure_with_taste(spec: dict[str, Any], llm_pool: int) -> tuple[int, int, int]:
    """(relevant, kept by keywords, kept by keywords + taste) over the days that have a taste: the reader's
    picks of every earlier day, as votes and `taste add` would make it; the background is what the store
    would hold by then."""
    profile = Profile(keywords=spec["keywords"])
    seen: list[Paper] = []
    liked: list[Liked] = []
    relevant_total = by_keywords = by_taste = 0
    for papers, relevant in labelled_days(spec):
        if len(liked) >= MIN_PAPERS:
            background = [Doc(p.arxiv_id, p.title, p.abstract) for p in [*seen, *papers]][-BACKGROUND:]
            view = ChannelView(profile, Taste.of(liked))
            cheap = cheap_scores(papers, view, background)
            chosen = {p.arxiv_id for p in narrow(papers, view, llm_pool, cheap).chosen}
            plain = {p.arxiv_id for p in narrow(papers, ChannelView(profile), llm_pool).chosen}
            relevant_total += len(relevant)
            by_taste += sum(i in chosen for i in relevant)
            by_keywords += sum(i in plain for i in relevant)
        seen += papers
        picked = set(relevant)
        liked += [Liked(p.arxiv_id, p.title, p.abstract) for p in papers if p.arxiv_id in picked]
    return relevant_total, by_keywords, by_taste


def run(llm_pool: int = 40) -> list[str]:
    """Figures only: the issue asks what share survives, and the labels are too sparse for a pass mark."""
    rows = []
    for name, spec in label_sets().items():
        kept, relevant, ranks = measure(spec, llm_pool)
        chance = sum(min(1.0, llm_pool / int(r.split("/")[1])) for r in ranks) / relevant
        middle = sorted(int(r.split("/")[0]) for r in ranks)[relevant // 2]
        rows.append((name, relevant, kept, kept / relevant, chance, " ".join(ranks) if relevant <= 4 else
                     f"median rank {middle}"))
    kept, relevant = sum(r[2] for r in rows), sum(r[1] for r in rows)
    rows.append(("all", relevant, kept, kept / relevant, "", ""))
    table(f"Narrowing recall: relevant papers among the top {llm_pool} of a real arXiv day (keywords only)",
          ["label set", "relevant", "kept", "recall", "by chance", "rank of each / day's pool"], rows)
    spec = label_sets()["rosinality_reading_april"]
    table("Recall by PAPERBOT_LLM_POOL on the densest set (15 weekdays, 126-351 papers a day, 43 picks)",
          ["PAPERBOT_LLM_POOL", *map(str, POOLS)],
          [("recall", *(measure(spec, n)[0] / measure(spec, n)[1] for n in POOLS))])
    relevant, plain, tasted = measure_with_taste(spec, llm_pool)
    table(f"Narrowing recall with the team's taste (top {llm_pool}; days after the reader's first {MIN_PAPERS} "
          "picks, the taste = every earlier pick)", ["ranking", "relevant", "kept", "recall"],
          [("keywords only", relevant, plain, plain / relevant), ("keywords + taste", relevant, tasted,
                                                                  tasted / relevant)])
    return []
