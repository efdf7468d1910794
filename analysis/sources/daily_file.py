"""A saved `daily_papers` JSON (`paperbot digest --from-file`): its papers and the day HF listed them.

Errors name the file and the flag, not Hugging Face: the file is the person's, not HF's answer today."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

from analysis.errors import BadInput
from analysis.models import Paper
from analysis.sources.hf import parse_daily

FLAG = "--from-file"


def read_daily_file(path: Path) -> tuple[list[Paper], dt.date | None]:
    """The file's papers, in its order, and the day its entries were listed on HF (None if it does not say)."""
    data = _load(path)
    if not isinstance(data, list):
        raise BadInput(f"{FLAG} {path} holds a JSON {_kind(data)}, not the list of papers that "
                       "HF's /api/daily_papers returns; save that answer as the file.")
    if not data:
        raise BadInput(f"{FLAG} {path} is an empty list: it holds no papers.")
    papers = parse_daily(data)
    if not papers:
        raise BadInput(f"{FLAG} {path}: none of its {len(data)} entries is a paper (each needs a 'paper' object "
                       "with an arXiv 'id' and a 'title', as HF's /api/daily_papers gives).")
    return papers, listed_day(data)


def listed_day(items: list[Any]) -> dt.date | None:
    """The day most entries' `submittedOnDailyAt` names (HF's 2025+ schema); None when none does."""
    days: Counter[str] = Counter()
    for item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        stamp = (paper or {}).get("submittedOnDailyAt") if isinstance(paper, dict) else None
        if isinstance(stamp, str) and len(stamp) >= 10:
            days[stamp[:10]] += 1
    for text, _ in days.most_common():
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            continue
    return None


def _load(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInput(f"{FLAG} {path}: no such file.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{FLAG} {path} cannot be read ({getattr(exc, 'strerror', None) or exc}).") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadInput(f"{FLAG} {path} is not JSON ({exc}); save HF's /api/daily_papers answer as the file.") from None


def _kind(data: Any) -> str:
    return {dict: "object", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(data), "value")
