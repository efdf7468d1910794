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
from analysis.ranking.keywords import keyword_scores
from analysis.ranking.narrowing import narrow, rank
from analysis.ranking.rank import BACKGROUND, cheap_scores
from analysis.ranking.taste import Doc, Liked, Taste
from analysis.ranking.view import ChannelView
from benchmarks.fixtures import FIXTURES, day_papers
from benchmarks.report import table

LABELLED = FIXTURES / "labelled"
POOLS = (40, 60, 80, 100, 120)
DEFAULT_POOL = 40  # PAPERBOT_LLM_POOL's default (the SPEC's)
HF_DAY = "hf_daily_papers_2026-01-23.json"  # HF's list, which always goes to the LLM whole, in the "with HF" rows


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


def measure(spec: dict[str, Any], llm_pool: int, with_hf: bool = False) -> tuple[int, int, list[str]]:
    """(kept, relevant, "rank/pool" of each relevant paper) over the set's days; `with_hf`: HF's list of a real
    day joins each day's pool, as it does every morning, and takes its share of `llm_pool` first."""
    profile = Profile(keywords=spec["keywords"])
    hf = day_papers(HF_DAY) if with_hf else []
    kept, ranks = 0, []
    for arxiv, relevant in labelled_days(spec):
        papers = [*hf, *arxiv]
        shortlist = narrow(papers, ChannelView(profile), llm_pool)
        order = [p.arxiv_id for p in rank(papers, shortlist.cheap, profile)] if shortlist.cheap else \
            [p.arxiv_id for p in papers]
        chosen = {p.arxiv_id for p in shortlist.chosen}
        kept += sum(i in chosen for i in relevant)
        ranks += [f"{order.index(i) + 1}/{len(papers)}" for i in relevant]
    return kept, len(ranks), ranks


def top_precision(spec: dict[str, Any], top: int = 10) -> tuple[int, int]:
    """(relevant papers in the no-LLM top `top`, days × top) over the set's days: the keyword ranking."""
    profile = Profile(keywords=spec["keywords"])
    hits = slots = 0
    for papers, relevant in labelled_days(spec):
        best = rank(papers, keyword_scores(papers, profile), profile)[:top]
        hits += sum(p.arxiv_id in relevant for p in best)
        slots += top
    return hits, slots


def measure_with_taste(spec: dict[str, Any], llm_pool: int) -> tuple[int, int, int]:
    """(relevant, kept by keywords, kept by keywords + taste) over the days that have a taste: the reader's
    picks of every earlier day, as votes and `taste add` would make it; the background is what the store
    would hold by then."""
    profile = Profile(keywords=spec["keywords"])
    seen: list[Paper] = []
    liked: list[Liked] = []
    relevant_total = by_keywords = by_taste = 0
    for papers, relevant in labelled_days(spec):
        if liked:
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


def run(llm_pool: int = DEFAULT_POOL) -> list[str]:
    """Figures only: the issue asks what share survives, and the labels are too sparse for a pass mark."""
    sets = label_sets()
    rows = []
    for name, spec in sets.items():
        kept, relevant, ranks = measure(spec, llm_pool)
        with_hf = measure(spec, llm_pool, with_hf=True)[0]
        chance = sum(min(1.0, llm_pool / int(r.split("/")[1])) for r in ranks) / relevant
        middle = sorted(int(r.split("/")[0]) for r in ranks)[relevant // 2]
        rows.append((name, relevant, kept, kept / relevant, with_hf / relevant, chance,
                     " ".join(ranks) if relevant <= 4 else f"median rank {middle}"))
    kept, relevant = sum(r[2] for r in rows), sum(r[1] for r in rows)
    hf_kept = sum(round(r[4] * r[1]) for r in rows)
    rows.append(("all", relevant, kept, kept / relevant, hf_kept / relevant, "", ""))
    table(f"Narrowing recall: relevant papers among the {llm_pool} sent to the LLM on a real arXiv day (keywords "
          f"only; 'with HF': HF's {len(day_papers(HF_DAY))} of {HF_DAY[16:26]} in the pool too, sent whole)",
          ["label set", "relevant", "kept", "recall", "recall with HF", "by chance", "rank of each / day's pool"],
          rows)
    table("Recall by PAPERBOT_LLM_POOL over every labelled day (51 relevant papers)",
          ["PAPERBOT_LLM_POOL", *map(str, POOLS)],
          [(label, *(sum(measure(spec, n, hf)[0] for spec in sets.values()) / relevant for n in POOLS))
           for label, hf in (("arXiv only", False), ("with HF's list", True))])
    spec = sets["rosinality_reading_april"]
    relevant, plain, tasted = measure_with_taste(spec, llm_pool)
    table(f"Narrowing recall with the team's taste (top {llm_pool}; the days after the reader's first pick, "
          "the taste = every earlier pick)", ["ranking", "relevant", "kept", "recall"],
          [("keywords only", relevant, plain, plain / relevant), ("keywords + taste", relevant, tasted,
                                                                  tasted / relevant)])
    precision = [(name, *top_precision(spec)) for name, spec in sets.items()]
    precision.append(("all", sum(r[1] for r in precision), sum(r[2] for r in precision)))
    table("No-LLM top 10 (keywords): relevant papers among each day's ten best", ["label set", "hits", "slots",
                                                                                  "precision"],
          [(*r, r[1] / r[2]) for r in precision])
    return []
