"""Whose taste: `--channel PLATFORM:ID` parsed once, and a channel's taste read from the store.

Kept free of pydantic and the pipeline, so `paperbot taste list` starts fast."""

from __future__ import annotations

from typing import Protocol

from analysis.errors import BadInput, quote
from analysis.ranking.taste import Liked, Taste
from bot.shared.platform import ChannelIds
from storage.marks import MarkRow
from storage.taste import DEFAULT_SCOPE, TasteRow

Scope = tuple[str, str]


def parse_scope(text: str | None, ids: ChannelIds) -> Scope:
    """('', '') for the default taste, else (platform, channel id) of `slack:C0123` / `telegram:-100…`."""
    if not text:
        return DEFAULT_SCOPE
    platform, _, channel_id = text.strip().partition(":")
    platform = platform.lower()
    if not ids.valid(platform, channel_id):
        raise BadInput(f"'{quote(text, 40)}' is not a channel: use {ids.scopes()} "
                       "(or no --channel: the default taste).")
    return platform, channel_id


def describe(scope: Scope) -> str:
    return "the default taste" if scope == DEFAULT_SCOPE else f"the taste of {scope[0]}:{scope[1]}"


class TasteStore(Protocol):
    def taste_rows(self, scope: Scope) -> list[TasteRow]: ...

    def mark_rows(self, scope: Scope) -> list[MarkRow]: ...


def taste_of(store: TasteStore, scope: Scope) -> Taste:
    """A channel's taste (its votes, its additions and the default taste's), or the default taste alone;
    the papers marked 👎 "not for us" there are its negatives (only how many marked them, never who)."""
    liked = (Liked(arxiv_id=r.arxiv_id, title=r.title, abstract=r.abstract, votes=r.votes, liked_at=r.liked_at)
             for r in store.taste_rows(scope))
    marked = (Liked(arxiv_id=r.arxiv_id, title=r.title, abstract=r.abstract, votes=r.marks, liked_at=r.marked_at)
              for r in store.mark_rows(scope))
    return Taste.of(liked, marked)
