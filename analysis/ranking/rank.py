"""Ranking without the LLM: keywords, and the team's taste once it holds enough papers.

`cheap_scores` is what a no-LLM digest shows and what a pool too large for the LLM is narrowed by;
`score_day` picks it or LLM scoring (with the taste's titles in the prompt) for a day's papers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from analysis.models import Paper, Score
from analysis.ports import Cache
from analysis.profile import Profile
from analysis.ranking.scoring import ScoreResult, keyword_scores, score_papers
from analysis.ranking.taste import Doc, Taste, rank_by_taste
from analysis.writing.llm import LLM

TASTE_WEIGHT = 0.9  # the rest is the keyword score: on labelled days a heavier share of mismatched keywords
# buried the liked-alike papers (benchmarks/taste_bench.py: 0.75 found 8 of 38, 0.9 found 22, taste alone 24)
BACKGROUND = 2000  # most recent stored papers a taste is told apart from (training stays well under 0.5 s)


def combine(taste_score: float, keyword: Score, profile: Profile) -> Score:
    score = round(TASTE_WEIGHT * taste_score + (1 - TASTE_WEIGHT) * keyword.score)
    reason = f"{profile.say('taste_reason', n=round(taste_score))} · {keyword.reason}"
    return Score(arxiv_id=keyword.arxiv_id, score=max(0, min(100, score)), reason=reason, method="keyword")


def cheap_scores(papers: Sequence[Paper], profile: Profile, taste: Taste | None,
                 background: Sequence[Doc]) -> dict[str, Score]:
    """Keyword scores, blended with the taste's ranking when the taste holds ≥ 5 papers. CPU-bound:
    from async code, call `cheap_scores_async`."""
    keyword = keyword_scores(list(papers), profile)
    liked = rank_by_taste(taste, background, papers) if taste is not None and taste.ranks else {}
    if not liked:
        return keyword
    return {i: combine(liked[i], s, profile) if i in liked else s for i, s in keyword.items()}


def background_of(cache: Cache, limit: int = BACKGROUND) -> list[Doc]:
    return [Doc(arxiv_id=i, title=t, abstract=a) for i, t, a in cache.recent_texts(limit)]


async def cheap_scores_async(papers: Sequence[Paper], profile: Profile, taste: Taste | None,
                             cache: Cache) -> dict[str, Score]:
    """`cheap_scores` with the background read here (on the loop: SQLite) and the training in a thread."""
    background = background_of(cache) if taste is not None and taste.ranks else []
    return await asyncio.to_thread(cheap_scores, papers, profile, taste, background)


async def score_day(papers: list[Paper], *, profile: Profile, llm: LLM | None, cache: Cache,
                    taste: Taste | None = None) -> ScoreResult:
    """The LLM's scores (the taste's titles calibrating the prompt), or without one, keywords + taste.
    Papers a configured LLM failed to score get keywords + taste too, not keywords alone."""
    if llm is not None or taste is None or not taste.ranks:
        result = await score_papers(papers, profile=profile, llm=llm, cache=cache, taste=taste)
        if llm is not None and taste is not None and taste.ranks:
            await _taste_for_the_gaps(result, papers, profile, taste, cache)
        return result
    scores = await cheap_scores_async(papers, profile, taste, cache)
    return ScoreResult(scores, ranked_by=profile.say("taste_note", n=len(taste)))


async def _taste_for_the_gaps(result: ScoreResult, papers: list[Paper], profile: Profile, taste: Taste,
                              cache: Cache) -> None:
    """Replace the keyword scores scoring filled in for an LLM failure by the cheap ranking's."""
    gaps = [p for p in papers if result.scores[p.arxiv_id].method == "keyword"]
    if not gaps:
        return
    result.scores.update(await cheap_scores_async(gaps, profile, taste, cache))
    if len(gaps) == len(papers):
        result.ranked_by = profile.say("taste_note", n=len(taste))
