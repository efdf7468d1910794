"""The Ranker seam: how a day's papers are scored for one channel's view, with or without an LLM.

`CheapRanker` ranks by keywords, the taste and followed authors, on this machine. `LLMRanker` narrows the
pool by that same cheap ranking, has the LLM score the shortlist, and falls back to the cheap ranking for
whatever the LLM could not score. Which one a process uses is chosen once, where its Engine gets its LLM
(`ranker_for`); nothing downstream asks whether there is an LLM. Each ranker also says which channels can
share one ranking (`key`): exactly those whose scores would come out equal.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol

from analysis.models import Paper, Score
from analysis.ports import Cache
from analysis.ranking.narrowing import Shortlist, narrow
from analysis.ranking.rank import cheap_scores_async, ranked_by
from analysis.ranking.scoring import ScoreResult, cached_score, score_papers, score_progress, score_prompt
from analysis.ranking.view import ChannelView
from analysis.writing.llm import LLM


class Ranker(Protocol):
    def key(self, view: ChannelView) -> Hashable:
        """Equal for two views exactly when their rankings of a day are equal."""
        ...

    async def shortlist(self, papers: Sequence[Paper], view: ChannelView, limit: int) -> Shortlist:
        """The papers `score` will see; the rest keep their cheap score."""
        ...

    def progress(self, papers: list[Paper], view: ChannelView) -> str:
        """What `score` is about to do, truthfully (cached scores cost no call)."""
        ...

    async def score(self, papers: list[Paper], view: ChannelView) -> ScoreResult: ...

    def cached_score(self, arxiv_id: str, view: ChannelView) -> Score | None:
        """The score a digest gave this paper for this view, when it can be known without scoring again."""
        ...


class CheapRanker:
    """Keywords + taste + followed authors, for the whole pool: nothing is narrowed."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def key(self, view: ChannelView) -> Hashable:
        return tuple(view.profile.keywords), view.taste.key() if view.taste.ranks else "", view.follows

    async def shortlist(self, papers: Sequence[Paper], view: ChannelView, limit: int) -> Shortlist:
        return Shortlist(list(papers), [], {})

    def progress(self, papers: list[Paper], view: ChannelView) -> str:
        taste = view.taste
        how = f"the team's taste ({len(taste)} liked) and keywords" if taste.ranks else "keywords"
        return f"scoring {len(papers)} papers by {how} (without an LLM)"

    async def score(self, papers: list[Paper], view: ChannelView) -> ScoreResult:
        scores = await self.scores(papers, view)
        note = ranked_by(view)
        if note is not None:
            return ScoreResult(scores, ranked_by=note)
        profile = view.profile
        return ScoreResult(scores, [profile.say("keyword_note", why=profile.say("no_model"))])

    async def scores(self, papers: Sequence[Paper], view: ChannelView) -> dict[str, Score]:
        return await cheap_scores_async(papers, view, self.cache)

    def cached_score(self, arxiv_id: str, view: ChannelView) -> Score | None:
        return None  # cheap scores are not kept: they change with the day's pool


class LLMRanker:
    """The LLM scores the shortlist (HF's whole list, followed authors, then arXiv by the cheap ranking);
    the cheap ranking fills in for papers it could not score."""

    def __init__(self, llm: LLM, cache: Cache) -> None:
        self.llm, self.cache = llm, cache
        self.cheap = CheapRanker(cache)

    def key(self, view: ChannelView) -> Hashable:
        # what the scoring prompt says (keywords, liked titles), and who is followed (the narrowing and the floor)
        return score_prompt(view.profile, view.taste).version, view.follows

    async def shortlist(self, papers: Sequence[Paper], view: ChannelView, limit: int) -> Shortlist:
        if len(papers) <= limit:
            return Shortlist(list(papers), [], {})
        return narrow(papers, view, limit, await self.cheap.scores(papers, view))

    def progress(self, papers: list[Paper], view: ChannelView) -> str:
        return score_progress(papers, view=view, llm=self.llm, cache=self.cache)

    async def score(self, papers: list[Paper], view: ChannelView) -> ScoreResult:
        async def fill(missing: list[Paper]) -> dict[str, Score]:
            return await self.cheap.scores(missing, view)

        result = await score_papers(papers, view=view, llm=self.llm, cache=self.cache, fill=fill)
        if papers and result.method == "keyword":  # the LLM scored nothing: the cheap ranking ranked the day
            result.ranked_by = ranked_by(view)
        return result

    def cached_score(self, arxiv_id: str, view: ChannelView) -> Score | None:
        return cached_score(arxiv_id, view=view, llm=self.llm, cache=self.cache)


def ranker_for(llm: LLM | None, cache: Cache) -> Ranker:
    """The one place that decides how days are ranked: by the LLM when there is one."""
    return CheapRanker(cache) if llm is None else LLMRanker(llm, cache)
