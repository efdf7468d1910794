"""The taste ranking: how fast it trains and ranks, and how well on real relevance-labelled arXiv days.

Precision: for each pair of consecutive labelled days (D, D+1) where D has ≥ 5 relevant papers, the taste is
D's relevant papers (as `taste add` would make it), the background is every paper stored by then (D and
earlier, plus D+1's, saved before ranking as the digest does), and D+1 is ranked without an LLM. Relevant
papers in the top 10 are compared with what a random order gets on average (10 × relevant / papers).
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from analysis.models import Paper
from analysis.profile import Profile
from analysis.rank import cheap_scores
from analysis.taste import MIN_PAPERS, Doc, Liked, Taste, rank_by_taste
from benchmarks.report import check, table
from tests.helpers import day_papers

DATA = Path(__file__).resolve().parent / "data"
TIME_TARGET_S = 0.5
TOP = 10


def run() -> list[str]:
    misses: list[str] = []
    timing(misses)
    for path in sorted(DATA.glob("*.json")):
        precision(path, misses)
    return misses


def timing(misses: list[str]) -> None:
    papers = [p for name in ("hf_daily_papers_2026-01-21.json", "hf_daily_papers_2026-01-23.json",
                             "hf_daily_papers_2026-08-21.json") for p in day_papers(name)]
    docs = [Doc(f"{p.arxiv_id}-{k}", f"{p.title} {k}", p.abstract) for k in range(20) for p in papers][:500]
    taste = Taste.of(Liked(p.arxiv_id, p.title, p.abstract) for p in papers[:10])
    rank_by_taste(taste, docs[:20], docs[:5])  # the first call pays for importing scikit-learn
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        rank_by_taste(taste, docs, docs)
        runs.append(time.perf_counter() - started)
    best, median = min(runs), statistics.median(runs)
    table("taste: train on 10 liked vs 500 stored papers, rank 500", ["", "seconds", "target", ""],
          [["median of 5", median, f"< {TIME_TARGET_S}", check(misses, median < TIME_TARGET_S, "taste ranking time")],
           ["best of 5", best, "", ""]])


def load_days(path: Path) -> tuple[str, list[dict[str, Any]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return str(data.get("label", path.stem)), list(data["days"])


def precision(path: Path, misses: list[str]) -> None:
    label, days = load_days(path)
    rows: list[list[object]] = []
    got_taste, got_both, expected = [], [], []
    seen: list[Paper] = []
    for today, tomorrow in itertools.pairwise(days):
        today_papers = [_paper(p) for p in today["papers"]]
        seen += today_papers
        liked = [p for p, raw in zip(today_papers, today["papers"], strict=True) if raw["relevant"]]
        if len(liked) < MIN_PAPERS:
            continue
        pool = [_paper(p) for p in tomorrow["papers"]]
        relevant = {p["id"] for p in tomorrow["papers"] if p["relevant"]}
        taste = Taste.of(Liked(p.arxiv_id, p.title, p.abstract, liked_at=today["date"]) for p in liked)
        background = [Doc(p.arxiv_id, p.title, p.abstract) for p in [*seen, *pool]]
        only_taste = cheap_scores(pool, Profile(keywords=[]), taste, background)
        with_keywords = cheap_scores(pool, Profile(), taste, background)
        hits = [_hits(scores, pool, relevant) for scores in (only_taste, with_keywords)]
        chance = TOP * len(relevant) / len(pool)
        rows.append([f"{today['date']} → {tomorrow['date']}", len(liked), len(pool), len(relevant), *hits,
                     round(chance, 2), _random_hits(pool, relevant)])
        got_taste.append(hits[0])
        got_both.append(hits[1])
        expected.append(chance)
    if not rows:
        print(f"\n{path.name}: no day with ≥ {MIN_PAPERS} relevant papers to learn from")
        return
    mean = statistics.mean(got_both)
    rows.append(["mean", "", "", "", round(statistics.mean(got_taste), 2), round(mean, 2),
                 round(statistics.mean(expected), 2), check(misses, mean >= 4, f"precision@10 on {path.name}")])
    table(f"taste precision@{TOP} on {path.name} ({label}): train on day D's relevant papers, rank D+1",
          ["days", "liked", "papers", "relevant", "taste only", "taste+keywords", "random (mean)", "random (1 draw)"],
          rows)


def _paper(raw: dict[str, Any]) -> Paper:
    return Paper(arxiv_id=raw["id"], title=raw["title"], abstract=raw.get("abstract", ""), source="arxiv")


def _hits(scores: dict[str, Any], pool: list[Paper], relevant: set[str]) -> int:
    order = sorted(range(len(pool)), key=lambda i: (-scores[pool[i].arxiv_id].score, i))
    return sum(pool[i].arxiv_id in relevant for i in order[:TOP])


def _random_hits(pool: list[Paper], relevant: set[str]) -> int:
    picks = random.Random(13).sample(pool, min(TOP, len(pool)))
    return sum(p.arxiv_id in relevant for p in picks)
