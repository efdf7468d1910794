"""The arXiv export API: `GET /api/query?id_list=…` answering Atom the way export.arxiv.org does.

Tests point `ARXIV_API_URL` at `FakeArxiv.url + "/api/query"`. Known papers come from `add_entry` or
from captured feeds (`index_fixture`). As on the real service: a well-formed id that arXiv does not know
is silently missing from the feed; a malformed one is HTTP 400 with an error feed; `max_results`
defaults to 10; being rate limited is HTTP **200** with a plain-text "Rate exceeded.".
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from tests.fakes.base import LoopbackServer
from tests.fakes.hf import FIXTURES

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
ARXIV = "http://arxiv.org/schemas/atom"
ERROR_FIXTURE = FIXTURES / "arxiv_api_error-400_bad-id_2026-04.xml"
# The captures say arXiv sends no charset (a recorder decoded its UTF-8 as Latin-1): clients must parse bytes.
ATOM_TYPE = "application/atom+xml"
DEFAULT_MAX_RESULTS = 10  # the real API's default, and easy to trip over with a long id_list

NEW_STYLE = re.compile(r"\d{4}\.\d{4,5}(v\d+)?")
OLD_STYLE = re.compile(r"[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?")
_VERSION = re.compile(r"v(\d+)$")
_RAW_ENTRY = re.compile(r"<entry\b.*?</entry>", re.S)
_FIRST_ID = re.compile(r"<id>\s*(.*?)\s*</id>", re.S)
_ABS_URL = re.compile(r"arxiv\.org/abs/(.+?)(v\d+)?$")


def is_well_formed(arxiv_id: str) -> bool:
    return bool(NEW_STYLE.fullmatch(arxiv_id) or OLD_STYLE.fullmatch(arxiv_id))


def split_version(arxiv_id: str) -> tuple[str, int | None]:
    """`2601.14256v2` -> (`2601.14256`, 2); no version -> None."""
    found = _VERSION.search(arxiv_id)
    if found is None:
        return arxiv_id, None
    return arxiv_id[: found.start()], int(found[1])


class FakeArxiv(LoopbackServer):
    """`entries` maps a versionless id to its `<entry>` XML; it survives `reset()`."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}
        self._rate_limited = 0

    # -- data ---------------------------------------------------------------------------------
    def add_entry(self, arxiv_id: str, title: str, summary: str, authors: list[str],
                  published: str = "2026-01-01T00:00:00Z", *, updated: str | None = None,
                  category: str = "cs.CV") -> None:
        """Serve a paper; `arxiv_id` may carry a version (`v1` otherwise)."""
        base, version = split_version(arxiv_id)
        if not is_well_formed(base):
            raise ValueError(f"not an arXiv id: {arxiv_id!r}")
        self.entries[base] = _entry_xml(f"{base}v{version or 1}", title, summary, authors, published,
                                        updated or published, category)

    def index_fixture(self, path: Path) -> list[str]:
        """Re-serve, byte for byte, every paper `<entry>` of a captured feed under its versionless id.

        Error entries (ids that are not `arxiv.org/abs/…` URLs) are skipped. Returns the ids indexed.
        """
        text = path.read_bytes().decode("utf-8")
        ET.fromstring(text)  # a broken capture fails here, not as a puzzling empty answer later
        indexed: list[str] = []
        for raw in _RAW_ENTRY.findall(text):
            first_id = _FIRST_ID.search(raw)
            found = _ABS_URL.search(first_id[1]) if first_id else None
            if found is None:
                continue
            ET.fromstring(_feed([raw], total=1))  # a fragment that needs the capture's own root fails loudly
            self.entries[found[1]] = raw
            indexed.append(found[1])
        return indexed

    def rate_limited(self, times: int = 1) -> None:
        """The next `times` queries answer HTTP 200 `text/plain` "Rate exceeded." (arXiv's own way)."""
        with self._lock:
            self._rate_limited += times

    # -- routes -------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_get("/api/query", self._query)

    async def _query(self, request: web.Request) -> web.Response:
        if self._take_rate_limit():
            return web.Response(text="Rate exceeded.", content_type="text/plain")
        ids = [i.strip() for i in request.query.get("id_list", "").split(",") if i.strip()]
        bad = next((i for i in ids if not is_well_formed(i)), None)
        if bad is not None:
            return _error(f"incorrect id format for {bad}")
        start, max_results = _int_param(request, "start", 0), _int_param(request, "max_results", DEFAULT_MAX_RESULTS)
        if start is None or max_results is None:
            return _error("start and max_results must be integers")
        found = [entry for entry in (self._lookup(i) for i in ids) if entry is not None]
        body = _feed(found[start:start + max_results], total=len(found), start=start, max_results=max_results,
                     id_list=",".join(ids), search_query=request.query.get("search_query", ""))
        return web.Response(body=body.encode("utf-8"), content_type=ATOM_TYPE)

    def _take_rate_limit(self) -> bool:
        with self._lock:
            if self._rate_limited <= 0:
                return False
            self._rate_limited -= 1
            return True

    def _lookup(self, arxiv_id: str) -> str | None:
        base, version = split_version(arxiv_id)
        entry = self.entries.get(base)
        if entry is None or version is None:
            return entry
        # asked for a given version: that version's URLs, as arXiv answers (the text itself is what we have)
        return re.sub(rf"((?:abs|pdf)/{re.escape(base)})v\d+", rf"\g<1>v{version}", entry)


def _entry_xml(versioned_id: str, title: str, summary: str, authors: list[str], published: str, updated: str,
               category: str) -> str:
    """An `<entry>` laid out as the 2026 API lays it out (see the idlist captures)."""
    people = "".join(f"\n    <author>\n      <name>{escape(name)}</name>\n    </author>" for name in authors)
    return (
        f"<entry>\n    <id>http://arxiv.org/abs/{versioned_id}</id>\n    <title>{escape(title)}</title>\n"
        f"    <updated>{updated}</updated>\n"
        f'    <link href="https://arxiv.org/abs/{versioned_id}" rel="alternate" type="text/html"/>\n'
        f'    <link href="https://arxiv.org/pdf/{versioned_id}" rel="related" type="application/pdf" title="pdf"/>\n'
        f"    <summary>{escape(summary)}</summary>\n"
        f'    <category term={quoteattr(category)} scheme="{ARXIV}"/>\n'
        f"    <published>{published}</published>\n"
        f"    <arxiv:primary_category term={quoteattr(category)}/>{people}\n  </entry>"
    )


def _feed(entries: list[str], *, total: int, start: int = 0, max_results: int = DEFAULT_MAX_RESULTS,
          id_list: str = "", search_query: str = "") -> str:
    query = f"search_query={search_query}&id_list={id_list}&start={start}&max_results={max_results}"
    link = (f"https://arxiv.org/api/query?search_query={quote(search_query)}&start={start}"
            f"&max_results={max_results}&id_list={quote(id_list, safe=',/')}")
    body = "".join(f"\n  {entry}" for entry in entries)
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        f'<feed xmlns:opensearch="{OPENSEARCH}" xmlns:arxiv="{ARXIV}" xmlns="{ATOM}">\n'
        f"  <id>https://arxiv.org/api/{_feed_id(query)}</id>\n"
        f"  <title>arXiv Query: {escape(query)}</title>\n"
        f"  <updated>{_now()}</updated>\n"
        f"  <link href={quoteattr(link)} type=\"application/atom+xml\"/>\n"
        f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>{body}\n</feed>\n"
    )


def _error(message: str) -> web.Response:
    """HTTP 400 with the captured error feed, saying `message` instead of the capture's own."""
    template = ERROR_FIXTURE.read_text(encoding="utf-8")
    slug = quote(message.replace(" ", "_"), safe="_.-/")
    text = (template.replace("incorrect_id_format_for_abc", escape(slug))
            .replace("incorrect id format for abc", escape(message)))
    return web.Response(body=text.encode("utf-8"), status=400, content_type=ATOM_TYPE)


def _int_param(request: web.Request, name: str, default: int) -> int | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    return int(raw) if raw.isdigit() else None


def _feed_id(query: str) -> str:
    digest = hashlib.sha1(query.encode()).digest()
    return base64.b64encode(digest).decode().rstrip("=")


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
