"""Hugging Face: `GET /api/daily_papers?date=` and `GET /api/papers/{id}`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.base import LoopbackServer

# ../shared/fixtures beside the repository: real captured payloads with their provenance.
FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"


class FakeHF(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.days: dict[str, list[dict[str, Any]]] = {}
        self.papers: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_fixtures(cls, folder: Path = FIXTURES) -> FakeHF:
        """Every `hf_daily_papers_<date>*.json`, served as that date (partial captures skipped when
        a whole day of the same date exists)."""
        fake = cls()
        for path in sorted(folder.glob("hf_daily_papers_*.json"), key=lambda p: "partial" in p.name, reverse=True):
            date = re.search(r"\d{4}-\d{2}-\d{2}", path.name)
            if date:
                fake.load_day(date[0], path)
        return fake

    def load_day(self, date: str, source: Path | list[dict[str, Any]]) -> None:
        items = json.loads(source.read_text(encoding="utf-8")) if isinstance(source, Path) else source
        self.days[date] = items
        for item in items:
            paper = item.get("paper") if isinstance(item, dict) else None
            if isinstance(paper, dict) and "id" in paper:
                self.papers.setdefault(str(paper["id"]), paper)

    def add_paper(self, paper: dict[str, Any]) -> None:
        self.papers[str(paper["id"])] = paper

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/api/daily_papers", self._daily)
        app.router.add_get(r"/api/papers/{paper_id:.+}", self._paper)

    async def _daily(self, request: web.Request) -> web.Response:
        items = self.days.get(request.query.get("date", ""), [])
        limit = request.query.get("limit")
        if limit and limit.isdigit():
            items = items[: int(limit)]
        return web.json_response(items)

    async def _paper(self, request: web.Request) -> web.Response:
        paper = self.papers.get(request.match_info["paper_id"])
        if paper is None:
            return web.json_response({"error": "Paper not found"}, status=404)
        return web.json_response(paper)
