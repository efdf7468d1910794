"""Hugging Face Hub: `GET /api/daily_papers` and `GET /api/papers/{id}`, served from captured payloads.

Tests point `HF_ENDPOINT` at `FakeHF.url`. Answers follow the real API: a day without papers is `[]`
(not 404), an invalid `date` is HTTP 400, no `date` at all means the latest day, and the per-paper
endpoint returns the flat `paper` object of a daily item.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from .base import LoopbackServer

# tests/fixtures: real captured payloads, with their provenance in SOURCES.md. The one place that knows this
# path (found from this file, so it holds whether the fakes are imported as tests.fakes or as fakes).
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

DailyItem = dict[str, Any]
_FILE_DATE = re.compile(r"hf_daily_papers_(\d{4}-\d{2}-\d{2})")
# HF accepts a day or a full timestamp (`2026-01-23T00:00:00.000Z`) and buckets by its day
_DATE_PARAM = re.compile(r"(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}(\.\d+)?Z)?")


class FakeHF(LoopbackServer):
    """Daily lists by date (`days`) and flat paper objects by arXiv id (`papers`).

    Both survive `reset()`: a session-wide fake keeps its data, tests only lose calls and faults.
    """

    def __init__(self) -> None:
        super().__init__()
        self.days: dict[str, list[DailyItem]] = {}
        self.papers: dict[str, dict[str, Any]] = {}

    # -- data ---------------------------------------------------------------------------------
    @classmethod
    def from_fixtures(cls, folder: Path = FIXTURES) -> FakeHF:
        """A fake serving every `hf_daily_papers_<date>*.json` of `folder` as that date.

        A partial capture (file name containing `partial`) is served only when no whole-day capture
        of the same date exists.
        """
        fake = cls()
        for date, path in sorted(_fixture_days(folder).items()):
            fake.load_day(date, path)
        return fake

    def load_day(self, date: str, source: str | Path | Sequence[DailyItem]) -> None:
        """Serve `source` (a daily_papers JSON file or the parsed list) as `date`; its papers become
        reachable by id too, replacing any older copy (the latest capture wins)."""
        _check_date(date)
        items = _read_items(source)
        self.days[date] = items
        for item in items:
            paper = item.get("paper")
            if isinstance(paper, dict) and "id" in paper:
                self.papers[str(paper["id"])] = paper

    def add_paper(self, paper: dict[str, Any]) -> None:
        """Make `GET /api/papers/{paper["id"]}` answer `paper` (a paper on no daily list, say)."""
        self.papers[str(paper["id"])] = paper

    def latest_day(self) -> str | None:
        return max(self.days, default=None)

    # -- routes -------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_get("/api/daily_papers", self._daily)
        # old-style arXiv ids contain a slash (hep-th/9901001), so the id takes the rest of the path
        app.router.add_get(r"/api/papers/{paper_id:.+}", self._paper)

    async def _daily(self, request: web.Request) -> web.Response:
        raw_date = request.query.get("date")
        if raw_date is None:
            date = self.latest_day()
        else:
            date = _parse_date_param(raw_date)
            if date is None:
                return web.json_response({"error": f"Invalid date: {raw_date}"}, status=400)
        items = self.days.get(date, []) if date else []
        return _json(_page(items, request.query.get("limit"), request.query.get("p")))

    async def _paper(self, request: web.Request) -> web.Response:
        paper = self.papers.get(request.match_info["paper_id"])
        if paper is None:
            return web.json_response({"error": "Paper not found"}, status=404)
        return _json(paper)


def _fixture_days(folder: Path) -> dict[str, Path]:
    """date -> file, whole-day captures preferred over partial ones of the same date."""
    chosen: dict[str, Path] = {}
    for path in sorted(folder.glob("hf_daily_papers_*.json")):
        found = _FILE_DATE.match(path.name)
        if found is None:
            continue
        date = found[1]
        if date not in chosen or "partial" in chosen[date].name:
            chosen[date] = path
    return chosen


def _read_items(source: str | Path | Sequence[DailyItem]) -> list[DailyItem]:
    if isinstance(source, str | Path):
        loaded = json.loads(Path(source).read_text(encoding="utf-8"))
        if not isinstance(loaded, list):
            raise ValueError(f"{source}: a daily_papers file holds a JSON list, got {type(loaded).__name__}")
        return loaded
    return list(source)


def _check_date(date: str) -> None:
    # a typo here would silently serve [] for the date a test asks for
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise ValueError(f"dates are YYYY-MM-DD, got {date!r}")
    dt.date.fromisoformat(date)


def _parse_date_param(raw: str) -> str | None:
    found = _DATE_PARAM.fullmatch(raw)
    if found is None:
        return None
    try:
        dt.date.fromisoformat(found[1])
    except ValueError:  # 2026-02-30
        return None
    return found[1]


def _page(items: list[DailyItem], limit: str | None, page: str | None) -> list[DailyItem]:
    """`limit` items of page `p` (0-based), as huggingface_hub's `list_daily_papers` pages them."""
    if not (limit and limit.isdigit()):
        return items
    size = int(limit)
    start = size * int(page) if page and page.isdigit() else 0
    return items[start:start + size]


def _json(data: Any) -> web.Response:
    # HF sends UTF-8 text, not \u escapes; keep it so clients decode bytes as the real ones must
    return web.json_response(data, dumps=lambda d: json.dumps(d, ensure_ascii=False))
