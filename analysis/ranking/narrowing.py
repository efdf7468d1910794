"""Narrowing before the LLM: which papers of a large pool the LLM scores, and which keep their cheap score.

A day of the followed arXiv categories can hold hundreds of papers; scoring them all would cost one LLM
call per 20. Hugging Face's list is curated and upvoted by readers, and a followed author's paper is one
the team asked for: both always go to the LLM whole. arXiv's other papers fill the rest of `limit` by the
cheap ranking (keywords, taste; analysis.ranking.rank). The others keep their cheap score, are listed in
the report as not LLM-scored, and are never deep-dived on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.models import DigestItem, Paper, Score
from analysis.profile import Profile
from analysis.ranking.follows import followed_in
from analysis.ranking.keywords import closeness, keyword_scores
from analysis.ranking.view import ChannelView


@dataclass
class Shortlist:
    chosen: list[Paper]  # sent to scoring
    rest: list[Paper]  # ranked without the LLM only
    cheap: dict[str, Score]  # every paper's cheap score (empty when nothing was narrowed)


def rank(papers: list[Paper], scores: dict[str, Score], profile: Profile | None = None) -> list[Paper]:
    """Best first; among equal scores the papers nearest the interests' words (given a profile), then HF's
    upvotes, then the pool's own order (HF's, then the listing's)."""
    order = {p.arxiv_id: i for i, p in enumerate(papers)}
    near = {p.arxiv_id: closeness(p, profile) for p in papers} if profile is not None else {}
    return sorted(papers, key=lambda p: (-scores[p.arxiv_id].score, -near.get(p.arxiv_id, 0.0), -p.upvotes,
                                         order[p.arxiv_id]))


def always_scored(paper: Paper, view: ChannelView) -> bool:
    """HF listed it, or a followed author wrote it: the LLM scores it whatever its cheap rank."""
    return "hf" in paper.sources or bool(followed_in(paper, view.follows))


def narrow(papers: Sequence[Paper], view: ChannelView, limit: int | None,
           cheap: dict[str, Score] | None = None) -> Shortlist:
    """HF's papers and followed authors' always, then the best of the others by `cheap` (keywords when not
    given) up to `limit` papers in all; all of them when they fit (`limit` None)."""
    if limit is None or len(papers) <= limit:
        return Shortlist(list(papers), [], {})
    cheap = cheap if cheap is not None else keyword_scores(list(papers), view.profile)
    ranked = rank(list(papers), cheap, view.profile)
    sure = [p for p in ranked if always_scored(p, view)]
    chosen = {p.arxiv_id for p in sure}
    chosen |= {p.arxiv_id for p in [p for p in ranked if p.arxiv_id not in chosen][: max(0, limit - len(sure))]}
    # the chosen keep the pool's order, so batches (and the LLM's cache) do not depend on the ranking
    return Shortlist([p for p in papers if p.arxiv_id in chosen], [p for p in ranked if p.arxiv_id not in chosen],
                     cheap)


def digest_items(papers: Sequence[Paper], shortlist: Shortlist, scores: dict[str, Score],
                 view: ChannelView) -> list[DigestItem]:
    """Every paper of the pool, best first: the scored ones, then the narrowed-out by cheap score.

    A narrowed-out paper's reason starts with "not LLM-scored", so every list that shows reasons
    (the report's full table, JSON) says so without knowing about narrowing. A followed author's paper
    carries the names, for the 👤 in the quick view and the report."""
    order = {p.arxiv_id: i for i, p in enumerate(papers)}
    mark = view.profile.say("not_llm_scored")

    def key(item: DigestItem) -> tuple[bool, int, int]:
        return (item.narrowed_out, -item.score.score, order[item.paper.arxiv_id])

    def item(paper: Paper, score: Score, narrowed_out: bool = False) -> DigestItem:
        return DigestItem(paper=paper, score=score, narrowed_out=narrowed_out,
                          followed=followed_in(paper, view.follows))

    items = [item(p, scores[p.arxiv_id]) for p in shortlist.chosen]
    items += [item(p, shortlist.cheap[p.arxiv_id].model_copy(
        update={"reason": f"{mark} · {shortlist.cheap[p.arxiv_id].reason}"}), True) for p in shortlist.rest]
    return sorted(items, key=key)
