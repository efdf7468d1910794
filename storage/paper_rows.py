"""Saving a paper we already have merges the two rows instead of letting the poorer copy win.

A rerun of an earlier day's pool may save the arXiv-only copy of a paper HF listed too: that copy has no
upvotes, AI summary or thumbnail, and other sources or categories. The stored row keeps what either knew.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import sqlite_utils

_CHUNK = 500  # ids per lookup: well under SQLite's bound-parameter limit
_SOURCE_ORDER = ("hf", "arxiv")  # HF first, as analysis.sources.pool.merge lists a paper both have
_HF_FIELDS = ("title", "abstract", "authors", "published")  # HF's text wins the pool merge, so it wins here


def existing(db: sqlite_utils.Database, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of `ids`, a few lookups for any number of papers."""
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        cursor = db.execute(f"select * from papers where arxiv_id in ({marks})", chunk)
        names = [d[0] for d in cursor.description]
        found.update({row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()})
    return found


def merged(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """`new` saved over `old`: non-null values kept, sources and categories united, the higher upvotes."""
    if old is None:
        return new
    out = {k: (v if v not in (None, "") else old.get(k)) for k, v in new.items()}
    old_sources, new_sources = _split(old.get("source")), _split(new.get("source"))
    if "hf" in old_sources and "hf" not in new_sources:
        out.update({k: old[k] for k in _HF_FIELDS if old.get(k) not in (None, "", "[]")})
    out["source"] = ",".join(s for s in _SOURCE_ORDER if s in old_sources | new_sources)
    out["upvotes"] = max(old.get("upvotes") or 0, new.get("upvotes") or 0)
    out["categories"] = json.dumps(_union(_list(new.get("categories")), _list(old.get("categories"))))
    if _list(new.get("authors")) == [] and old.get("authors"):
        out["authors"] = old["authors"]
    return out


def _split(source: Any) -> set[str]:
    return {s for s in str(source or "").split(",") if s}


def _list(value: Any) -> list[str]:
    return [str(v) for v in json.loads(value or "[]")]


def _union(first: list[str], second: list[str]) -> list[str]:
    return first + [c for c in second if c not in first]


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]
