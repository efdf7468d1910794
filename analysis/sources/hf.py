"""Hugging Face Daily Papers: the day's list and single papers, across the 2024 and 2026 schemas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from analysis import http
from analysis.errors import BadInput, SourceError
from analysis.models import Paper
from analysis.sources.ids import parse_arxiv_id

SERVICE = "Hugging Face"
SETTING = "HF_ENDPOINT"


def one_line(text: str) -> str:
    """Undo hard wrapping (2024 titles and abstracts) and stray whitespace."""
    return " ".join(text.split())


def paper_from_hf(obj: dict[str, Any], outer: dict[str, Any] | None = None) -> Paper | None:
    """A Paper from HF's paper object (`outer` is the daily item around it), or None if unusable."""
    outer = outer or {}
    try:
        arxiv_id = parse_arxiv_id(str(obj.get("id", "")))
    except BadInput:
        return None
    title = one_line(str(outer.get("title") or obj.get("title") or ""))
    abstract = one_line(str(obj.get("summary") or outer.get("summary") or ""))
    if not title:
        return None
    authors = [str(a.get("name", "")).strip() for a in obj.get("authors") or [] if isinstance(a, dict)]
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        abstract=abstract,
        authors=[a for a in authors if a],
        published=obj.get("publishedAt"),
        upvotes=int(obj.get("upvotes") or 0),
        sources=["hf"],
        github=obj.get("githubRepo") or None,
        ai_summary=one_line(str(obj.get("ai_summary") or "")) or None,
        thumbnail=_thumbnail(outer.get("thumbnail") or outer.get("mediaUrl") or obj.get("thumbnail")),
    )


def _thumbnail(value: object) -> str | None:
    """HF's picture of the paper (`thumbnail`, `mediaUrl` in the 2024 schema), if it is a web URL."""
    return value if isinstance(value, str) and value.startswith("https://") else None


def parse_daily(items: Any) -> list[Paper]:
    """Papers of a `daily_papers` answer in the API's order; malformed items are skipped, not fatal."""
    if not isinstance(items, list):
        raise SourceError("Hugging Face returned something other than a list of papers; is HF_ENDPOINT right?")
    papers: list[Paper] = []
    seen: set[str] = set()
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
            continue
        paper = paper_from_hf(item["paper"], item)
        if paper and paper.arxiv_id not in seen:
            seen.add(paper.arxiv_id)
            papers.append(paper)
    return papers


async def fetch_daily(client: httpx.AsyncClient, endpoint: str, day: dt.date) -> list[Paper]:
    url = f"{endpoint.rstrip('/')}/api/daily_papers"
    response = await http.get(client, url, params={"date": day.isoformat()}, service=SERVICE, setting=SETTING)
    try:
        return parse_daily(response.json())
    except ValueError:
        raise SourceError("Hugging Face answered with invalid JSON; is HF_ENDPOINT right?") from None


async def fetch_paper(client: httpx.AsyncClient, endpoint: str, arxiv_id: str) -> Paper | None:
    """The paper, or None when HF does not know it (404)."""
    url = f"{endpoint.rstrip('/')}/api/papers/{arxiv_id}"
    response = await http.get(client, url, service=SERVICE, ok_status=(200, 404), setting=SETTING)
    if response.status_code == 404:
        return None
    try:
        data = response.json()
    except ValueError:
        return None
    return paper_from_hf(data) if isinstance(data, dict) else None
