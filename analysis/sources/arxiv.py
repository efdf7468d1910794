"""The arXiv export API (Atom), for papers Hugging Face does not know."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET

import httpx

from analysis import http
from analysis.errors import BadInput, SourceError
from analysis.models import Paper
from analysis.sources.hf import one_line
from analysis.sources.ids import parse_arxiv_id

SERVICE = "arXiv"
_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom",
       "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}


async def fetch_paper(client: httpx.AsyncClient, api_url: str, arxiv_id: str) -> Paper | None:
    """The paper, or None when arXiv does not know the id (it silently returns no entry)."""
    params = {"id_list": arxiv_id, "max_results": "1"}
    for attempt in range(3):
        response = await http.get(client, api_url, params=params, service=SERVICE, ok_status=(200, 400),
                                   setting="ARXIV_API_URL")
        if not _rate_limited(response):
            break
        await _pause(attempt)
    else:
        raise SourceError("arXiv keeps answering 'Rate exceeded'; wait a minute and try again.")
    if response.status_code == 400:
        return None
    return next((p for p in parse_feed(response.content) if p.arxiv_id == arxiv_id), None)


def _rate_limited(response: httpx.Response) -> bool:
    return response.content.lstrip()[:1] != b"<" and b"rate exceeded" in response.content.lower()


async def _pause(attempt: int) -> None:
    await asyncio.sleep(http.backoff(attempt + 1, base=1.0))


def parse_feed(content: bytes) -> list[Paper]:
    """Papers of an Atom feed (parsed from bytes, so the UTF-8 is never mis-decoded)."""
    return parse_page(content)[1]


def parse_page(content: bytes) -> tuple[int | None, list[Paper], int]:
    """A feed's `opensearch:totalResults` (None if absent), its papers, and how many entries it had."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        raise SourceError("arXiv answered with something that is not an Atom feed.") from None
    entries = root.findall("atom:entry", _NS)
    total_text = (root.findtext("opensearch:totalResults", "", _NS) or "").strip()
    total = int(total_text) if total_text.isdigit() else None
    return total, [paper for entry in entries if (paper := _entry(entry))], len(entries)


def _entry(entry: ET.Element) -> Paper | None:
    raw_id = (entry.findtext("atom:id", "", _NS) or "").strip()
    title = one_line(entry.findtext("atom:title", "", _NS) or "")
    try:
        arxiv_id = parse_arxiv_id(raw_id)
    except BadInput:
        return None  # the "Error" entry of a bad request has an api/errors URL as its id
    authors = [one_line(a.findtext("atom:name", "", _NS) or "") for a in entry.findall("atom:author", _NS)]
    primary = entry.find("arxiv:primary_category", _NS)
    terms = [c.get("term", "") for c in entry.findall("atom:category", _NS)]
    first = [primary.get("term", "")] if primary is not None else []
    categories = list(dict.fromkeys(t for t in first + terms if t))
    return Paper(
        arxiv_id=arxiv_id,
        title=title,
        abstract=one_line(entry.findtext("atom:summary", "", _NS) or ""),
        authors=[a for a in authors if a],
        published=(entry.findtext("atom:published", "", _NS) or None),
        sources=["arxiv"],
        categories=categories,
    )
