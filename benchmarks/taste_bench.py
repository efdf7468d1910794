"""The taste ranking: how fast it trains and ranks, and how well on real relevance-labelled arXiv days.

Precision: for each pair of consecutive labelled days (D, D+1) where D has ≥ 5 relevant papers, the taste is
D's relevant papers (as `taste add` would make it), the background is every paper stored by then (D and
earlier, plus D+1's, saved before ranking as the digest does), and D+1 is ranked without an LLM. Relevant
papers in the top 10 are compared with what a random order gets on average (10 × relevant / papers).
"""

from __future__ import annotations

import gzip
import itertools
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

from analysis.models import Paper
from analysis.profile import Profile
from analysis.ranking import rank
from analysis.ranking.rank import BACKGROUND
from analysis.ranking.taste import MIN_PAPERS, Doc, Liked, Taste, rank_by_taste
from analysis.ranking.view import ChannelView
from benchmarks.fixtures import day_papers
from benchmarks.report import check, table

DATA = Path(__file__).resolve().parent / "data"
TIME_TARGET_S = 0.5
TOP = 10


def run() -> list[str]:
    misses: list[str] = []
    timing(misses)
    for path in sorted(DATA.glob("*.json*")):
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
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    data = json.loads(raw)
    return str(data.get("label", path.stem)), list(data["days"])


def precision(path: Path, misses: list[str]) -> None:
    label, days = load_days(path)
    for mode in ("one day", "every day so far"):
        rows = _ranked_days(days, mode)
        if not rows:
            print(f"\n{path.name}: no day with ≥ {MIN_PAPERS} relevant papers to learn from ({mode})")
            continue
        sums = [sum(float(r[i]) for r in rows) for i in range(3, 8)]  # type: ignore[arg-type]
        rows.append(["total", "", "", *(int(x) if x == int(x) else round(x, 2) for x in sums)])
        table(f"taste on {path.name} — taste = relevant papers of {mode}; rank the next day without an LLM; "
              f"relevant papers in the top {TOP}", ["next day", "liked", "papers", "relevant", "taste only",
                                                   "taste+default keywords", "random (expected)", "random (1 draw)"],
              rows)
        if mode == "every day so far":
            print(f"  label: {label}")
            check(misses, sums[1] >= 3 * sums[3], f"taste finds 3× what random does on {path.name}")


def _ranked_days(days: list[dict[str, Any]], mode: str) -> list[list[object]]:
    rows: list[list[object]] = []
    seen: list[Paper] = []
    liked: list[Paper] = []
    for today, tomorrow in itertools.pairwise(days):
        today_papers = [_paper(p) for p in today["papers"]]
        seen += today_papers
        picks = [p for p, raw in zip(today_papers, today["papers"], strict=True) if raw["relevant"]]
        liked = picks if mode == "one day" else liked + picks
        if len(liked) < MIN_PAPERS:
            continue
        pool = [_paper(p) for p in tomorrow["papers"]]
        relevant = {p["id"] for p in tomorrow["papers"] if p["relevant"]}
        taste = Taste.of(Liked(p.arxiv_id, p.title, p.abstract) for p in liked)
        # what the Store would hold: the most recent papers, the day being ranked included
        background = [Doc(p.arxiv_id, p.title, p.abstract) for p in [*seen, *pool]][-BACKGROUND:]
        hits = [_hits(rank.cheap_scores(pool, ChannelView(profile, taste), background), pool, relevant)
                for profile in (Profile(keywords=[]), Profile())]
        rows.append([tomorrow["date"], len(liked), len(pool), len(relevant), *hits,
                     round(TOP * len(relevant) / len(pool), 2), _random_hits(pool, relevant)])
    return rows


def _paper(raw: dict[str, Any]) -> Paper:
    return Paper(arxiv_id=raw["id"], title=raw["title"], abstract=raw.get("abstract", ""), source="arxiv")


def _hits(scores: dict[str, Any], pool: list[Paper], relevant: set[str]) -> int:
    order = sorted(range(len(pool)), key=lambda i: (-scores[pool[i].arxiv_id].score, i))
    return sum(pool[i].arxiv_id in relevant for i in order[:TOP])


def _random_hits(pool: list[Paper], relevant: set[str]) -> int:
    picks = random.Random(13).sample(pool, min(TOP, len(pool)))
    return sum(p.arxiv_id in relevant for p in picks)
