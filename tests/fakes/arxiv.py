"""The arXiv export API: `GET /api/query?id_list=…` answering Atom the way export.arxiv.org does.

Tests point `ARXIV_API_URL` at `FakeArxiv.url + "/api/query"`. Known papers come from `add_entry` or
from captured feeds (`index_fixture`). As on the real service: a well-formed id that arXiv does not know
is silently missing from the feed; a malformed one is HTTP 400 with an error feed; `max_results`
defaults to 10; being rate limited is HTTP **200** with a plain-text "Rate exceeded." (or a 503).

Listings: `list_on(day, entries, at=…)` files entries as submitted at `at` (default 12:00 UTC of `day`),
and a `search_query=(cat:A OR cat:B) AND submittedDate:[YYYYMMDDHHMM TO YYYYMMDDHHMM]` query (GMT, both
ends inclusive, as arXiv reads it) pages through the entries submitted then in any of those categories,
with `start`/`max_results`. Quirks on demand: `empty_pages`
(a page without entries inside a non-empty result) and `list_cross_lists_twice` (a paper in two of
the asked categories listed under each).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from aiohttp import web

from .base import LoopbackServer
from .hf import FIXTURES

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
_CATEGORY = re.compile(r'<category\b[^>]*\bterm="([^"]+)"')
_QUERY_CAT = re.compile(r"cat:([A-Za-z.-]+)")
_QUERY_DATES = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")


def captured_entries(path: Path) -> list[str]:
    """The `<entry>` elements of a captured answer: raw Atom, or a recorder's JSON whose `body` holds
    the response bytes decoded as Latin-1 (lukasschwab/arxiv.py's golden files)."""
    data = path.read_bytes()
    if path.suffix == ".json":
        data = json.loads(data)["body"].encode("latin-1")
    text = data.decode("utf-8")
    ET.fromstring(text)
    return _RAW_ENTRY.findall(text)


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
        self.listings: dict[str, list[str]] = {}  # YYYYMMDDHHMM (GMT) -> raw entries submitted then
        self._rate_limited: list[int] = []  # HTTP status of each pending "Rate exceeded." answer
        self._empty_pages = self._pages_before_empty = 0
        self.list_cross_lists_twice = False

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

    def rate_limited(self, times: int = 1, status: int = 200) -> None:
        """The next `times` queries answer `text/plain` "Rate exceeded." with HTTP 200 (arXiv's usual
        way) or `status` (503 is the other one seen)."""
        with self._lock:
            self._rate_limited += [status] * times

    def list_on(self, day: dt.date, entries: list[str], at: dt.datetime | None = None) -> None:
        """File raw `<entry>` XML as submitted at `at` (aware; default 12:00 UTC of `day`), in listing order."""
        when = (at or dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)).astimezone(dt.UTC)
        self.listings.setdefault(when.strftime("%Y%m%d%H%M"), []).extend(entries)

    def entry_xml(self, arxiv_id: str, title: str, summary: str, authors: list[str], *,
                  categories: tuple[str, ...] = ("cs.CV",), published: str = "2026-01-01T00:00:00Z") -> str:
        """An entry in the 2026 API's layout, for listing papers that exist only as text (no capture)."""
        return _entry_xml(arxiv_id if _VERSION.search(arxiv_id) else f"{arxiv_id}v1", title, summary, authors,
                          published, published, categories[0], categories[1:])

    def empty_pages(self, times: int = 1, after: int = 0) -> None:
        """After `after` good listing pages, the next `times` come back without entries (but with the
        true totalResults)."""
        with self._lock:
            self._empty_pages, self._pages_before_empty = times, after

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.listings.clear()
            self._rate_limited.clear()
            self._empty_pages = self._pages_before_empty = 0
        self.list_cross_lists_twice = False

    # -- routes -------------------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        app.router.add_get("/api/query", self._query)

    async def _query(self, request: web.Request) -> web.Response:
        limited = self._take_rate_limit()
        if limited:
            return web.Response(text="Rate exceeded.", content_type="text/plain", status=limited)
        if request.query.get("search_query", "").strip():
            return self._search(request)
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

    def _search(self, request: web.Request) -> web.Response:
        query = request.query["search_query"]
        dates, cats = _QUERY_DATES.search(query), set(_QUERY_CAT.findall(query))
        if dates is None or not cats:
            return _error("this fake answers only cat:… AND submittedDate:[… TO …] searches")
        start, max_results = _int_param(request, "start", 0), _int_param(request, "max_results", DEFAULT_MAX_RESULTS)
        if start is None or max_results is None:
            return _error("start and max_results must be integers")
        found = []
        for day in sorted(d for d in self.listings if dates[1] <= d <= dates[2]):
            for entry in self.listings[day]:
                matching = set(_CATEGORY.findall(entry)) & cats
                found += [entry] * (len(matching) if self.list_cross_lists_twice else min(1, len(matching)))
        page = [] if self._take_empty_page() else found[start:start + max_results]
        body = _feed(page, total=len(found), start=start, max_results=max_results, search_query=query)
        return web.Response(body=body.encode("utf-8"), content_type=ATOM_TYPE)

    def _take_empty_page(self) -> bool:
        with self._lock:
            if self._empty_pages <= 0:
                return False
            if self._pages_before_empty > 0:
                self._pages_before_empty -= 1
                return False
            self._empty_pages -= 1
            return True

    def _take_rate_limit(self) -> int:
        with self._lock:
            return self._rate_limited.pop(0) if self._rate_limited else 0

    def _lookup(self, arxiv_id: str) -> str | None:
        base, version = split_version(arxiv_id)
        entry = self.entries.get(base)
        if entry is None or version is None:
            return entry
        # asked for a given version: that version's URLs, as arXiv answers (the text itself is what we have)
        return re.sub(rf"((?:abs|pdf)/{re.escape(base)})v\d+", rf"\g<1>v{version}", entry)


def _entry_xml(versioned_id: str, title: str, summary: str, authors: list[str], published: str, updated: str,
               category: str, cross_lists: tuple[str, ...] = ()) -> str:
    """An `<entry>` laid out as the 2026 API lays it out (see the idlist captures)."""
    people = "".join(f"\n    <author>\n      <name>{escape(name)}</name>\n    </author>" for name in authors)
    return (
        f"<entry>\n    <id>http://arxiv.org/abs/{versioned_id}</id>\n    <title>{escape(title)}</title>\n"
        f"    <updated>{updated}</updated>\n"
        f'    <link href="https://arxiv.org/abs/{versioned_id}" rel="alternate" type="text/html"/>\n'
        f'    <link href="https://arxiv.org/pdf/{versioned_id}" rel="related" type="application/pdf" title="pdf"/>\n'
        f"    <summary>{escape(summary)}</summary>\n"
        + "".join(f'    <category term={quoteattr(c)} scheme="{ARXIV}"/>\n' for c in (category, *cross_lists)) +
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
