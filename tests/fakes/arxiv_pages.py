"""arxiv.org's paper pages: `GET /html/{id}` (LaTeXML HTML) and `GET /pdf/{id}`, served from files.

Tests point `ARXIV_HTML_URL` at `url + "/html"` and `ARXIV_PDF_URL` at `url + "/pdf"`. As on arxiv.org:
a paper without the format is HTTP 404 with a short HTML page, and a versioned id (`…v2`) finds the
paper registered under its versionless id. `reset()` forgets what was registered.

`hostile(id, mode, kind)` makes one paper's HTML or PDF misbehave: "drip" sends a byte a second for as
long as the client listens, "bomb" a gzip body that inflates to 1 GB, "huge" streams 200 MB without a
Content-Length, "offhost" redirects to another host (localhost instead of 127.0.0.1), "moved" to the same
host (`?moved=1`, then answered as usual).
"""

from __future__ import annotations

import asyncio
import functools
import re
from pathlib import Path
from typing import Literal

from aiohttp import web

from .base import LoopbackServer
from .hostile import gzip_bomb

Mode = Literal["drip", "bomb", "huge", "offhost", "moved"]

_VERSION = re.compile(r"v\d+$")
NO_HTML = b"<!DOCTYPE html><html><head><title>HTML is not available for the source.</title></head>" \
          b"<body><h1>No HTML for '%s'</h1></body></html>"


class FakeArxivPages(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.html: dict[str, bytes] = {}
        self.pdf: dict[str, bytes] = {}
        self.modes: dict[tuple[str, str], Mode] = {}
        self.dripped = 0  # bytes the drip mode sent (the test sees the fetch under way)

    def hostile(self, arxiv_id: str, mode: Mode, kind: str = "html") -> None:
        if mode == "bomb":
            _bomb()  # made here, once (seconds of deflating), not on the server's loop while a client waits
        self.modes[(kind, _base(arxiv_id))] = mode

    def add_html(self, arxiv_id: str, page: Path | bytes) -> None:
        self.html[_base(arxiv_id)] = page.read_bytes() if isinstance(page, Path) else page

    def add_pdf(self, arxiv_id: str, document: Path | bytes) -> None:
        self.pdf[_base(arxiv_id)] = document.read_bytes() if isinstance(document, Path) else document

    def reset(self) -> None:
        super().reset()
        self.html.clear()
        self.pdf.clear()
        self.modes.clear()
        self.dripped = 0

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/html/{arxiv_id:.+}", self._html)
        app.router.add_get("/pdf/{arxiv_id:.+}", self._pdf)

    async def _html(self, request: web.Request) -> web.Response:
        arxiv_id = request.match_info["arxiv_id"].rstrip("/")
        if (mode := self._mode(request, "html", arxiv_id)) is not None:
            return await self._misbehave(request, mode)
        page = self.html.get(_base(arxiv_id))
        if page is None:
            return web.Response(body=NO_HTML % arxiv_id.encode(), status=404, content_type="text/html")
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    async def _pdf(self, request: web.Request) -> web.Response:
        arxiv_id = request.match_info["arxiv_id"].removesuffix(".pdf")
        if (mode := self._mode(request, "pdf", arxiv_id)) is not None:
            return await self._misbehave(request, mode)
        document = self.pdf.get(_base(arxiv_id))
        if document is None:
            return web.Response(text=f"Paper {arxiv_id} not found", status=404)
        return web.Response(body=document, content_type="application/pdf")


    def _mode(self, request: web.Request, kind: str, arxiv_id: str) -> Mode | None:
        mode = self.modes.get((kind, _base(arxiv_id)))
        return None if mode == "moved" and request.query.get("moved") else mode

    async def _misbehave(self, request: web.Request, mode: Mode) -> web.StreamResponse:
        if mode == "moved":
            raise web.HTTPFound(f"{request.path}?moved=1")
        if mode == "bomb":
            return web.Response(body=_bomb(), headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
        if mode == "offhost":
            raise web.HTTPFound(f"http://localhost:{self.port}{request.path}")
        response = web.StreamResponse(headers={"Content-Type": "text/html"})
        response.enable_chunked_encoding()  # no Content-Length: the size shows only while reading
        await response.prepare(request)
        try:
            if mode == "drip":
                for byte in b"<!DOCTYPE html><html><body>" + b" " * 100_000:
                    if self.stale(request):
                        break
                    await response.write(bytes([byte]))
                    self.dripped += 1
                    await asyncio.sleep(1.0)
            else:
                block = b"<p>" + b"x" * (1024 * 1024 - 8) + b"</p>\n\n"
                for _ in range(200):
                    await response.write(block)
        except (ConnectionError, RuntimeError):  # the client gave up, as it should
            pass
        return response


@functools.cache
def _bomb() -> bytes:
    return gzip_bomb()


def _base(arxiv_id: str) -> str:
    return _VERSION.sub("", arxiv_id)
