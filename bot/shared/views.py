"""One day, seen by each channel: its own keywords and taste, built once per distinct way of ranking.

Which channels rank alike is the ranker's to say (`engine.ranker.key`, analysis.ranking.ranker): with an
LLM, those whose scoring prompts are equal; without one, those whose keywords and liked papers are. Each
distinct view is scored once, and the LLM cache makes a view whose prompt was seen before cost nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable, Iterable, Sequence

from analysis.engine import Engine
from analysis.models import Digest, Paper
from analysis.pipeline import build_digest
from analysis.profile import Profile
from analysis.ranking.view import ChannelView
from analysis.sources.pool import Pool
from analysis.writing.writer import dives
from bot.shared.tastes import taste_of
from storage.chat import Channel
from storage.store import Store
from storage.taste import DEFAULT_SCOPE

DEFAULT = "default"  # key of the view with no channel: `paperbot digest`'s report


def view_of(store: Store, base: Profile, channel: Channel | None) -> ChannelView:
    """How a channel ranks the day: its keywords, its taste (👍 and 👎 papers) and its followed authors."""
    scope = DEFAULT_SCOPE if channel is None else (channel.platform, channel.channel_id)
    profile = dataclasses.replace(base, keywords=list(channel.keywords)) if channel and channel.keywords else base
    follows = tuple(store.follows(*scope)) if channel is not None else ()
    return ChannelView(profile, taste_of(store, scope), follows)


def set_aside_of(store: Store, channel: Channel | None) -> frozenset[str]:
    """The papers marked 👎 "not for us" there (the default taste's hand marks for every channel)."""
    scope = DEFAULT_SCOPE if channel is None else (channel.platform, channel.channel_id)
    return frozenset(store.marked_ids(scope))


async def build_views(engine: Engine, store: Store, day: dt.date, papers: Sequence[Paper] | Pool,
                      channels: Iterable[Channel], *, with_default: bool = True) -> dict[str, Digest]:
    """Digests by channel key (and DEFAULT), one pipeline run per distinct view; deep dives for every
    threshold of the channels sharing it."""
    wanted = [(c.key, view_of(store, engine.profile, c), set_aside_of(store, c), c.threshold) for c in channels]
    if with_default:
        wanted.insert(0, (DEFAULT, view_of(store, engine.profile, None), set_aside_of(store, None), engine.threshold))
    groups: dict[Hashable, tuple[ChannelView, frozenset[str], list[str], set[int]]] = {}
    for key, view, marked, threshold in wanted:
        # channels that rank alike but marked different papers differ in which papers get deep dives
        group = groups.setdefault((engine.ranker.key(view), tuple(sorted(marked))), (view, marked, [], set()))
        group[2].append(key)
        group[3].add(threshold)
    built: dict[str, Digest] = {}
    for view, marked, keys, thresholds in groups.values():
        digest = await build_digest(engine, day, papers, thresholds=sorted(thresholds), view=view)
        if marked:
            await set_aside(engine, digest, marked, view.profile, thresholds)
        built.update(dict.fromkeys(keys, digest))
    return built


async def set_aside(engine: Engine, digest: Digest, marked: frozenset[str], profile: Profile,
                    thresholds: Iterable[int]) -> None:
    """Papers the channel marked 👎 stay listed with their score but are never selected: the next ones
    at the bar take their deep-dive slots (their dives made here; those already made come from the cache)."""
    for item in digest.items:
        item.set_aside = item.paper.arxiv_id in marked
    wanted = {item.paper.arxiv_id: item for bar in {engine.threshold, *thresholds} for item in digest.selected(bar)
              if item.analysis is None}
    if not wanted:
        return
    papers = [item.paper for item in wanted.values()]
    analyses = await dives(engine.writer, papers, profile, engine.texts, engine.fulltext_tokens)
    for arxiv_id, item in wanted.items():
        item.analysis = analyses.get(arxiv_id)


def score_in_view(store: Store, platform: str, channel_id: str, quick_view_ref: str, arxiv_id: str) -> int | None:
    """The score a paper had in the digest a channel was shown (its keywords and taste), if it was listed."""
    body = store.view_at(platform, channel_id, quick_view_ref)
    if body is None:
        return None
    digest = Digest.model_validate_json(body)
    return next((i.score.score for i in digest.items if i.paper.arxiv_id == arxiv_id), None)
