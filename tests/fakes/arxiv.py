"""The arXiv export API: `GET /api/query?id_list=…` answering Atom, unknown ids silently missing."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path

from aiohttp import web

from tests.fakes.base import LoopbackServer
from tests.fakes.hf import FIXTURES

ATOM = "http://www.w3.org/2005/Atom"
_NEW = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
_OLD = re.compile(r"[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?")
_ID_IN_URL = re.compile(r"abs/(.+?)(v\d+)?$")


class FakeArxiv(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}  # versionless id -> <entry> XML
        self._rate_limited = 0

    def add_entry(self, arxiv_id: str, title: str, summary: str, authors: list[str],
                  published: str = "2026-01-01T00:00:00Z") -> None:
        people = "".join(f"<author><name>{escape(a)}</name></author>" for a in authors)
        self.entries[arxiv_id] = (
            f'<entry xmlns="{ATOM}"><id>http://arxiv.org/abs/{arxiv_id}v1</id><updated>{published}</updated>'
            f"<published>{published}</published><title>{escape(title)}</title>"
            f"<summary>{escape(summary)}</summary>{people}"
            f'<link href="http://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/></entry>'
        )

    def index_fixture(self, path: Path) -> None:
        """Re-serve every entry of a captured feed under its versionless id."""
        root = ET.fromstring(path.read_bytes())
        for entry in root.findall(f"{{{ATOM}}}entry"):
            found = _ID_IN_URL.search((entry.findtext(f"{{{ATOM}}}id") or "").strip())
            if found:
                self.entries[found[1]] = ET.tostring(entry, encoding="unicode")

    def rate_limited(self, times: int = 1) -> None:
        self._rate_limited += times

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/api/query", self._query)

    async def _query(self, request: web.Request) -> web.Response:
        if self._rate_limited:
            self._rate_limited -= 1
            return web.Response(text="Rate exceeded.", content_type="text/plain")
        ids = [i.strip() for i in request.query.get("id_list", "").split(",") if i.strip()]
        if any(not (_NEW.fullmatch(i) or _OLD.fullmatch(i)) for i in ids):
            body = (FIXTURES / "arxiv_api_error-400_bad-id_2026-04.xml").read_bytes()
            return web.Response(body=body, status=400, content_type="application/atom+xml")
        found = [self.entries[re.sub(r"v\d+$", "", i)] for i in ids if re.sub(r"v\d+$", "", i) in self.entries]
        return web.Response(text=_feed(found), content_type="application/atom+xml", charset="utf-8")


def _feed(entries: list[str]) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="{ATOM}" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f"<title>arXiv Query</title><opensearch:totalResults>{len(entries)}</opensearch:totalResults>"
        f"<opensearch:startIndex>0</opensearch:startIndex>{''.join(entries)}</feed>"
    )
