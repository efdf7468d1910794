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
from bot.shared.tastes import taste_of
from storage.chat import Channel
from storage.store import Store
from storage.taste import DEFAULT_SCOPE

DEFAULT = "default"  # key of the view with no channel: `paperbot digest`'s report


def view_of(store: Store, base: Profile, channel: Channel | None) -> ChannelView:
    if channel is None:
        return ChannelView(base, taste_of(store, DEFAULT_SCOPE))
    profile = dataclasses.replace(base, keywords=list(channel.keywords)) if channel.keywords else base
    return ChannelView(profile, taste_of(store, (channel.platform, channel.channel_id)))


async def build_views(engine: Engine, store: Store, day: dt.date, papers: Sequence[Paper] | Pool,
                      channels: Iterable[Channel], *, with_default: bool = True) -> dict[str, Digest]:
    """Digests by channel key (and DEFAULT), one pipeline run per distinct view; deep dives for every
    threshold of the channels sharing it."""
    wanted: list[tuple[str, ChannelView, int]] = [(c.key, view_of(store, engine.profile, c), c.threshold)
                                                  for c in channels]
    if with_default:
        wanted.insert(0, (DEFAULT, view_of(store, engine.profile, None), engine.threshold))
    groups: dict[Hashable, tuple[ChannelView, list[str], set[int]]] = {}
    for key, view, threshold in wanted:
        group = groups.setdefault(engine.ranker.key(view), (view, [], set()))
        group[1].append(key)
        group[2].add(threshold)
    built: dict[str, Digest] = {}
    for view, keys, thresholds in groups.values():
        digest = await build_digest(engine, day, papers, thresholds=sorted(thresholds), view=view)
        built.update(dict.fromkeys(keys, digest))
    return built


def score_in_view(store: Store, platform: str, channel_id: str, quick_view_ref: str, arxiv_id: str) -> int | None:
    """The score a paper had in the digest a channel was shown (its keywords and taste), if it was listed."""
    body = store.view_at(platform, channel_id, quick_view_ref)
    if body is None:
        return None
    digest = Digest.model_validate_json(body)
    return next((i.score.score for i in digest.items if i.paper.arxiv_id == arxiv_id), None)
