"""Recall of the narrowing: which share of human-labelled relevant papers survives to the LLM.

Five real cs.CV/cs.RO days (109–143 papers each) and four human label sets, each with the keyword
profile that stands for its topic (tests/fixtures/labelled/, provenance in tests/fixtures/SOURCES.md).
The narrowing is the pipeline's own `narrow`, with PAPERBOT_LLM_POOL papers kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis.models import Paper
from analysis.narrowing import narrow, rank
from analysis.profile import Profile
from benchmarks.report import check, table

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "labelled"


def day_pool(day: str) -> list[Paper]:
    data = json.loads((LABELLED / f"a1henu_arxiv_{day}.json").read_text(encoding="utf-8"))
    return [Paper(arxiv_id=p["arxiv_id"].rsplit("v", 1)[0], title=" ".join(p["title"].split()),
                  abstract=" ".join(p["summary"].split()), authors=p["authors"], sources=["arxiv"])
            for p in data["papers"]]


def run(llm_pool: int = 40) -> list[str]:
    misses: list[str] = []
    sets = json.loads((LABELLED / "labels.json").read_text(encoding="utf-8"))["sets"]
    rows, kept_all, relevant_all = [], 0, 0
    for name, spec in sets.items():
        profile = Profile(keywords=spec["keywords"])
        ranks: list[str] = []
        kept = 0
        for day, ids in spec["relevant"].items():
            papers = day_pool(day)
            shortlist = narrow(papers, profile, llm_pool)
            order = [p.arxiv_id for p in rank(papers, shortlist.cheap)]
            chosen = {p.arxiv_id for p in shortlist.chosen}
            kept += sum(i in chosen for i in ids)
            ranks += [f"{order.index(i) + 1}/{len(papers)}" for i in ids]
        rows.append((name, len(ranks), kept, kept / len(ranks), " ".join(ranks)))
        kept_all += kept
        relevant_all += len(ranks)
    recall = kept_all / relevant_all
    rows.append(("all", relevant_all, kept_all, recall, ""))
    table(f"Narrowing recall: relevant papers among the top {llm_pool} of a real cs.CV/cs.RO day (keywords only)",
          ["label set", "relevant", "kept", "recall", "rank of each / day's pool"], rows)
    table("Recall target", ["measure", "value", "target"],
          [("recall", recall, ">= 0.75 " + check(misses, recall >= 0.75, "narrowing recall"))])
    return misses
