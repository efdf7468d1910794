"""A paper's full text: arXiv's HTML, else its PDF, else the abstract; fetched once and kept in the Store.

arXiv asks robots to send one request at a time and to say who they are: one lock per process
serialises every fetch here, and analysis.http sends paperbot's User-Agent. 404, 5xx and slow
answers follow the same bounded retries as Hugging Face and the arXiv API.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Protocol

import httpx

from analysis import http
from analysis.errors import SourceError
from analysis.models import Paper
from analysis.reading import latexml, pdftext
from analysis.reading.papertext import PaperText, Section

log = logging.getLogger(__name__)
SERVICE = "arXiv full text"
RETRY_ABSTRACT_AFTER = dt.timedelta(days=1)  # arXiv renders HTML for new papers within about a day
MAX_BYTES = 40 * 1024 * 1024


class TextCache(Protocol):
    def cached_text(self, arxiv_id: str) -> tuple[PaperText, dt.datetime] | None: ...

    def save_text(self, arxiv_id: str, text: PaperText) -> None: ...


class FullTexts:
    """One per process (the Engine holds it): the lock is what keeps arXiv fetches one at a time."""

    def __init__(self, client: httpx.AsyncClient, cache: TextCache, *, html_url: str, pdf_url: str) -> None:
        self.client = client
        self.cache = cache
        self.html_url = html_url.rstrip("/")
        self.pdf_url = pdf_url.rstrip("/")
        self._gate = asyncio.Lock()

    async def get(self, paper: Paper) -> PaperText:
        """The paper's text; never raises for arXiv trouble (it falls back to the abstract instead)."""
        stored = self._stored(paper.arxiv_id)
        if stored is not None:
            return stored
        async with self._gate:
            stored = self._stored(paper.arxiv_id)  # fetched by whoever held the lock before us
            if stored is not None:
                return stored
            text, settled = await self._fetch(paper.arxiv_id)
            if settled:
                self.cache.save_text(paper.arxiv_id, text)
        return text

    def _stored(self, arxiv_id: str) -> PaperText | None:
        found = self.cache.cached_text(arxiv_id)
        if found is None:
            return None
        text, at = found
        if text.source == "abstract" and dt.datetime.now(dt.UTC) - at > RETRY_ABSTRACT_AFTER:
            return None
        return text

    async def _fetch(self, arxiv_id: str) -> tuple[PaperText, bool]:
        """The text and whether that answer is settled (worth keeping); a 5xx or timeout is not."""
        settled = True
        for source, url, parse in (("html", f"{self.html_url}/{arxiv_id}", latexml.parse),
                                   ("pdf", f"{self.pdf_url}/{arxiv_id}", pdftext.parse)):
            try:
                response = await http.get(self.client, url, service=SERVICE, ok_status=(200, 404, 410))
            except SourceError as exc:
                log.warning("%s of %s: %s", source, arxiv_id, exc)
                settled = False
                continue
            if response.status_code != 200 or len(response.content) > MAX_BYTES:
                continue
            try:
                sections: list[Section] = await asyncio.to_thread(parse, response.content)
            except ValueError as exc:  # NotAPaper, NoText: a page or file we cannot read
                log.info("%s of %s has no usable text: %s", source, arxiv_id, exc)
                continue
            log.info("read %s of %s: %d sections", source, arxiv_id, len(sections))
            return PaperText(source, sections), True  # type: ignore[arg-type]
        return PaperText("abstract"), settled
