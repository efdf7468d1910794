"""One day, seen by each channel: its own keywords and taste, built once per distinct way of ranking.

With an LLM, two channels rank alike when their scoring prompts are equal (same keywords, same ten liked
titles); without one, when their keywords and liked papers are. Each distinct view is scored once, and
the LLM cache makes a view whose prompt was seen before cost nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from analysis.engine import Engine
from analysis.models import Digest, Paper
from analysis.pipeline import build_digest
from analysis.profile import Profile
from analysis.ranking.taste import Taste
from analysis.sources.pool import Pool
from analysis.writing.deepdive import deep_dives
from bot.shared.tastes import taste_of
from storage.chat import Channel
from storage.store import Store
from storage.taste import DEFAULT_SCOPE

DEFAULT = "default"  # key of the view with no channel: `paperbot digest`'s report


@dataclass(frozen=True)
class View:
    profile: Profile
    taste: Taste
    follows: tuple[str, ...] = ()  # the channel's followed authors, for the ranking
    set_aside: frozenset[str] = frozenset()  # marked 👎 "not for us" there: listed, never deep-dived

    def key(self, with_llm: bool) -> Hashable:
        if with_llm:  # what the scoring prompt says
            ranking: Hashable = tuple(self.profile.keywords), tuple(self.taste.titles_for_prompt())
        else:
            ranking = tuple(self.profile.keywords), self.taste.key() if self.taste.ranks else ""
        return ranking, self.follows, tuple(sorted(self.set_aside))


def view_of(store: Store, base: Profile, channel: Channel | None) -> View:
    scope = DEFAULT_SCOPE if channel is None else (channel.platform, channel.channel_id)
    profile = dataclasses.replace(base, keywords=list(channel.keywords)) if channel and channel.keywords else base
    follows = tuple(store.follows(*scope)) if channel is not None else ()
    return View(profile, taste_of(store, scope), follows, frozenset(store.marked_ids(scope)))


async def build_views(engine: Engine, store: Store, day: dt.date, papers: Sequence[Paper] | Pool,
                      channels: Iterable[Channel], *, with_default: bool = True) -> dict[str, Digest]:
    """Digests by channel key (and DEFAULT), one pipeline run per distinct view; deep dives for every
    threshold of the channels sharing it."""
    wanted: list[tuple[str, View, int]] = [(c.key, view_of(store, engine.profile, c), c.threshold) for c in channels]
    if with_default:
        wanted.insert(0, (DEFAULT, view_of(store, engine.profile, None), engine.threshold))
    groups: dict[Hashable, tuple[View, list[str], set[int]]] = {}
    for key, view, threshold in wanted:
        group = groups.setdefault(view.key(engine.llm is not None), (view, [], set()))
        group[1].append(key)
        group[2].add(threshold)
    built: dict[str, Digest] = {}
    for view, keys, thresholds in groups.values():
        digest = await build_digest(engine, day, papers, thresholds=sorted(thresholds), taste=view.taste,
                                    profile=view.profile)
        if view.set_aside:
            await set_aside(engine, digest, view, thresholds)
        built.update(dict.fromkeys(keys, digest))
    return built


async def set_aside(engine: Engine, digest: Digest, view: View, thresholds: Iterable[int]) -> None:
    """Papers the channel marked 👎 stay listed with their score but are never selected: the next ones
    at the bar take their deep-dive slots (their dives made here; those already made come from the cache)."""
    for item in digest.items:
        item.set_aside = item.paper.arxiv_id in view.set_aside
    wanted = {item.paper.arxiv_id: item for bar in {engine.threshold, *thresholds} for item in digest.selected(bar)
              if item.analysis is None}
    if not wanted:
        return
    analyses = await deep_dives([item.paper for item in wanted.values()], profile=view.profile, llm=engine.llm,
                                cache=engine.cache, texts=engine.texts, budget=engine.fulltext_tokens)
    for arxiv_id, item in wanted.items():
        item.analysis = analyses.get(arxiv_id)



def score_in_view(store: Store, platform: str, channel_id: str, quick_view_ref: str, arxiv_id: str) -> int | None:
    """The score a paper had in the digest a channel was shown (its keywords and taste), if it was listed."""
    body = store.view_at(platform, channel_id, quick_view_ref)
    if body is None:
        return None
    digest = Digest.model_validate_json(body)
    return next((i.score.score for i in digest.items if i.paper.arxiv_id == arxiv_id), None)
