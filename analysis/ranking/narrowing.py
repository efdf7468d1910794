"""Narrowing before the LLM: rank the whole pool without it, send only the top to scoring.

A day of the followed arXiv categories can hold hundreds of papers; scoring them all would cost one
LLM call per 20. The cheap ranking (keywords and taste, analysis.ranking.rank) decides which `limit` papers the
LLM sees; the others keep their cheap score, are listed in the report as not LLM-scored, and are never
deep-dived on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.models import DigestItem, Paper, Score
from analysis.ports import Cache
from analysis.profile import Profile
from analysis.ranking.rank import cheap_scores_async
from analysis.ranking.scoring import keyword_scores
from analysis.ranking.taste import Taste


@dataclass
class Shortlist:
    chosen: list[Paper]  # sent to scoring
    rest: list[Paper]  # ranked without the LLM only
    cheap: dict[str, Score]  # every paper's cheap score (empty when nothing was narrowed)


def rank(papers: list[Paper], scores: dict[str, Score]) -> list[Paper]:
    """Best first; HF's upvotes break ties, then the pool's own order (HF's, then the listing's)."""
    order = {p.arxiv_id: i for i, p in enumerate(papers)}
    return sorted(papers, key=lambda p: (-scores[p.arxiv_id].score, -p.upvotes, order[p.arxiv_id]))


def narrow(papers: Sequence[Paper], profile: Profile, limit: int | None,
           cheap: dict[str, Score] | None = None) -> Shortlist:
    """The `limit` best papers by `cheap` (keywords when not given), or all when they fit (`limit` None)."""
    if limit is None or len(papers) <= limit:
        return Shortlist(list(papers), [], {})
    cheap = cheap if cheap is not None else keyword_scores(list(papers), profile)
    ranked = rank(list(papers), cheap)
    chosen = {p.arxiv_id for p in ranked[:limit]}
    # the chosen keep the pool's order, so batches (and the LLM's cache) do not depend on the ranking
    return Shortlist([p for p in papers if p.arxiv_id in chosen], ranked[limit:], cheap)


async def shortlist_for_llm(papers: Sequence[Paper], profile: Profile, limit: int | None, *,
                            taste: Taste | None, cache: Cache) -> Shortlist:
    """`narrow` by the one no-LLM ranking of the pool, `analysis.ranking.rank.cheap_scores`: keywords, blended
    with the team's taste once it holds enough papers (trained in a thread, off the event loop)."""
    if limit is None or len(papers) <= limit:
        return Shortlist(list(papers), [], {})
    return narrow(papers, profile, limit, await cheap_scores_async(papers, profile, taste, cache))


def digest_items(papers: Sequence[Paper], shortlist: Shortlist, scores: dict[str, Score],
                 profile: Profile) -> list[DigestItem]:
    """Every paper of the pool, best first: the scored ones, then the narrowed-out by cheap score.

    A narrowed-out paper's reason starts with "not LLM-scored", so every list that shows reasons
    (the report's full table, JSON) says so without knowing about narrowing."""
    order = {p.arxiv_id: i for i, p in enumerate(papers)}
    mark = profile.say("not_llm_scored")

    def key(item: DigestItem) -> tuple[bool, int, int]:
        return (item.narrowed_out, -item.score.score, order[item.paper.arxiv_id])

    items = [DigestItem(paper=p, score=scores[p.arxiv_id]) for p in shortlist.chosen]
    items += [DigestItem(paper=p, narrowed_out=True, score=shortlist.cheap[p.arxiv_id].model_copy(
        update={"reason": f"{mark} · {shortlist.cheap[p.arxiv_id].reason}"})) for p in shortlist.rest]
    return sorted(items, key=key)
