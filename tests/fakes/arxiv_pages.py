"""arxiv.org's paper pages: `GET /html/{id}` (LaTeXML HTML) and `GET /pdf/{id}`, served from files.

Tests point `ARXIV_HTML_URL` at `url + "/html"` and `ARXIV_PDF_URL` at `url + "/pdf"`. As on arxiv.org:
a paper without the format is HTTP 404 with a short HTML page, and a versioned id (`…v2`) finds the
paper registered under its versionless id. `reset()` forgets what was registered.
"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

from .base import LoopbackServer

_VERSION = re.compile(r"v\d+$")
NO_HTML = b"<!DOCTYPE html><html><head><title>HTML is not available for the source.</title></head>" \
          b"<body><h1>No HTML for '%s'</h1></body></html>"


class FakeArxivPages(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.html: dict[str, bytes] = {}
        self.pdf: dict[str, bytes] = {}

    def add_html(self, arxiv_id: str, page: Path | bytes) -> None:
        self.html[_base(arxiv_id)] = page.read_bytes() if isinstance(page, Path) else page

    def add_pdf(self, arxiv_id: str, document: Path | bytes) -> None:
        self.pdf[_base(arxiv_id)] = document.read_bytes() if isinstance(document, Path) else document

    def reset(self) -> None:
        super().reset()
        self.html.clear()
        self.pdf.clear()

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/html/{arxiv_id:.+}", self._html)
        app.router.add_get("/pdf/{arxiv_id:.+}", self._pdf)

    async def _html(self, request: web.Request) -> web.Response:
        arxiv_id = request.match_info["arxiv_id"].rstrip("/")
        page = self.html.get(_base(arxiv_id))
        if page is None:
            return web.Response(body=NO_HTML % arxiv_id.encode(), status=404, content_type="text/html")
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def _pdf(self, request: web.Request) -> web.Response:
        arxiv_id = request.match_info["arxiv_id"].removesuffix(".pdf")
        document = self.pdf.get(_base(arxiv_id))
        if document is None:
            return web.Response(text=f"Paper {arxiv_id} not found", status=404)
        return web.Response(body=document, content_type="application/pdf")


def _base(arxiv_id: str) -> str:
    return _VERSION.sub("", arxiv_id)
