"""arXiv's latest announcement for the followed categories, from its RSS feed: one request.

`{ARXIV_RSS_URL}/cs.CV+eess.IV` holds the latest announcement of those categories (up to 2,000 items):
the channel's `pubDate` is the announcement's date, and each item's `arxiv:announce_type` says what it
is — `new` (first announced today), `cross` (a cross-list into a followed category), `replace` or
`replace-cross` (a new version of an older paper). Weekends and holidays serve a feed without items.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import re
from dataclasses import dataclass, field

import httpx
from lxml import etree

from analysis import http
from analysis.errors import BadInput, SourceError
from analysis.models import Paper
from analysis.sources.hf import one_line
from analysis.sources.ids import parse_arxiv_id

log = logging.getLogger(__name__)
SERVICE = "arXiv's RSS feed"
NEW_TYPES = ("new", "cross")  # what the pool takes; replacements are not new papers
LIMIT = 2000  # items a feed holds at most (arXiv's `result_limit`): a full feed may have been cut short
_NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
_VERSION = re.compile(r"v(\d+)$")
_ABSTRACT = re.compile(r"^.*?Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.S)
# no entities, no network, no huge trees: the feed is data from outside
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class Replacement:
    """A new version of an older paper, as the announcement lists it."""

    arxiv_id: str
    version: int
    title: str


@dataclass
class Announcement:
    day: dt.date | None  # the feed's pubDate (Eastern); None when the feed does not say
    papers: list[Paper] = field(default_factory=list)  # `new` and `cross`, one per id, in feed order
    replaced: list[Replacement] = field(default_factory=list)
    items: int = 0  # every item of the feed, of any type

    @property
    def cut_short(self) -> bool:
        return self.items >= LIMIT


def feed_url(rss_url: str, categories: list[str]) -> str:
    return f"{rss_url.rstrip('/')}/{'+'.join(categories)}"


async def fetch_feed(client: httpx.AsyncClient, rss_url: str, categories: list[str]) -> Announcement:
    """The feed's current announcement; SourceError naming ARXIV_RSS_URL when it cannot be had."""
    response = await http.get(client, feed_url(rss_url, categories), service=SERVICE, setting="ARXIV_RSS_URL")
    announcement = parse_feed(response.content, categories)
    log.info("arXiv feed of %s: announcement %s, %d new or cross-listed, %d replaced", "+".join(categories),
             announcement.day, len(announcement.papers), len(announcement.replaced))
    return announcement


def parse_feed(content: bytes, categories: list[str]) -> Announcement:
    try:
        root = etree.fromstring(content, parser=_PARSER)
    except etree.XMLSyntaxError:
        raise SourceError(f"{SERVICE} answered with something that is not RSS; check ARXIV_RSS_URL.") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceError(f"{SERVICE} answered with XML that is not an RSS feed; check ARXIV_RSS_URL.")
    announcement = Announcement(_date(channel.findtext("pubDate")))
    followed, seen = set(categories), set()
    for item in channel.iterfind("item"):
        announcement.items += 1
        kind = (item.findtext("arxiv:announce_type", "", _NS) or "").strip()
        found = _id_version(item)
        if found is None:
            continue
        arxiv_id, version = found
        if kind in NEW_TYPES and arxiv_id not in seen:
            seen.add(arxiv_id)
            announcement.papers.append(_paper(item, arxiv_id, followed))
        elif kind.startswith("replace"):
            announcement.replaced.append(Replacement(arxiv_id, version, one_line(item.findtext("title") or "")))
    return announcement


def _date(text: str | None) -> dt.date | None:
    """RFC 822 `Thu, 24 Sep 2026 00:00:00 -0400`: the date as written (arXiv writes it in Eastern time)."""
    if not text:
        return None
    try:
        return email.utils.parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError):
        return None


def _id_version(item: etree._Element) -> tuple[str, int] | None:
    guid = (item.findtext("guid") or "").strip().removeprefix("oai:arXiv.org:")
    raw = guid or (item.findtext("link") or "").strip()
    try:
        arxiv_id = parse_arxiv_id(raw)
    except BadInput:
        return None
    version = _VERSION.search(raw)
    return arxiv_id, int(version[1]) if version else 1


def _paper(item: etree._Element, arxiv_id: str, followed: set[str]) -> Paper:
    categories = [c.text.strip() for c in item.iterfind("category") if c.text and c.text.strip()]
    creators = item.findtext("dc:creator", "", _NS) or ""
    return Paper(
        arxiv_id=arxiv_id,
        title=one_line(item.findtext("title") or ""),
        abstract=one_line(_ABSTRACT.sub("", item.findtext("description") or "", count=1)),
        authors=[a for a in (one_line(name) for name in creators.split(",")) if a],
        published=None,
        sources=["arxiv"],
        categories=categories,
        listed_in=[c for c in categories if c in followed],
    )
