"""arXiv's announcement feeds, `GET /rss/{cat1}+{cat2}`, built from a real captured feed.

Tests point `ARXIV_RSS_URL` at `FakeArxivRSS.url + "/rss"`. `serve(body)` sets what the feed answers
(for every category set, or one); nothing set is HTTP 404, as arXiv answers an unknown category. The
bodies come from the capture (`CAPTURE`): `captured()` byte for byte, or `feed(day, items)` — the
capture's channel (its header, `skipDays` and all) dated `day`, holding `items` made by `item()` from
the capture's first item, so every element, namespace and text layout is arXiv's. A weekend's feed is
`feed(saturday, [])`: the channel with no item, as arXiv serves it.
"""

from __future__ import annotations

import copy
import datetime as dt
from zoneinfo import ZoneInfo

from aiohttp import web
from lxml import etree

from .base import LoopbackServer
from .hf import FIXTURES

CAPTURE = FIXTURES / "arxiv_rss" / "rss_2026-09-24_cs.LG+cs.AI+cs.CL+stat.ML_4items.xml"
RSS_TYPE = "application/rss+xml"
EASTERN = ZoneInfo("America/New_York")
NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}


def captured() -> bytes:
    return CAPTURE.read_bytes()


def _root() -> etree._Element:
    return etree.fromstring(captured())


def midnight(day: dt.date) -> str:
    """arXiv's pubDate: midnight Eastern of `day`, RFC 822 (`Thu, 24 Sep 2026 00:00:00 -0400`)."""
    at = dt.datetime.combine(day, dt.time(0), tzinfo=EASTERN)
    return at.strftime("%a, %d %b %Y %H:%M:%S %z")


def item(arxiv_id: str, kind: str = "new", *, version: int = 1, title: str | None = None,
         abstract: str = "An abstract.", categories: tuple[str, ...] = ("cs.CV",),
         authors: tuple[str, ...] = ("Ada Lovelace",)) -> etree._Element:
    """An `<item>` laid out as the capture's first one, with these fields."""
    template = _root().find("channel/item")
    assert template is not None
    made = copy.deepcopy(template)
    made.find("title").text = title or f"Paper {arxiv_id}"  # type: ignore[union-attr]
    made.find("link").text = f"https://arxiv.org/abs/{arxiv_id}"  # type: ignore[union-attr]
    made.find("description").text = (  # type: ignore[union-attr]
        f"arXiv:{arxiv_id}v{version} Announce Type: {kind} \nAbstract: {abstract}")
    made.find("guid").text = f"oai:arXiv.org:{arxiv_id}v{version}"  # type: ignore[union-attr]
    made.find("arxiv:announce_type", NS).text = kind  # type: ignore[union-attr]
    made.find("dc:creator", NS).text = ", ".join(authors)  # type: ignore[union-attr]
    first = made.find("category")
    assert first is not None
    for old in made.findall("category"):
        if old is not first:
            made.remove(old)
    first.text = categories[0]
    for offset, extra in enumerate(categories[1:], start=1):
        added = copy.deepcopy(first)
        added.text = extra
        first.addnext(added) if offset == 1 else made.findall("category")[-1].addnext(added)
    return made


def captured_items() -> list[etree._Element]:
    return list(_root().iterfind("channel/item"))


def feed(day: dt.date, items: list[etree._Element], categories: tuple[str, ...] = ("cs.CV", "eess.IV")) -> bytes:
    """The capture's channel dated `day` (pubDate on the channel and every item), holding `items`."""
    root = _root()
    channel = root.find("channel")
    assert channel is not None
    for old in channel.findall("item"):
        channel.remove(old)
    joined = "+".join(categories)
    channel.find("title").text = f"{', '.join(categories)} updates on arXiv.org"  # type: ignore[union-attr]
    channel.find("link").text = f"http://rss.arxiv.org/rss/{joined}"  # type: ignore[union-attr]
    channel.find("pubDate").text = midnight(day)  # type: ignore[union-attr]
    for one in items:
        made = copy.deepcopy(one)
        made.find("pubDate").text = midnight(day)  # type: ignore[union-attr]
        channel.append(made)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


class FakeArxivRSS(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.feeds: dict[str, bytes] = {}  # "cs.CV+eess.IV" (or "*") -> the feed's body

    def serve(self, body: bytes, categories: str = "*") -> None:
        with self._lock:
            self.feeds[categories] = body

    def reset(self) -> None:
        super().reset()
        with self._lock:
            self.feeds.clear()

    def setup(self, app: web.Application) -> None:
        app.router.add_get("/rss/{categories}", self._feed)

    async def _feed(self, request: web.Request) -> web.Response:
        with self._lock:
            body = self.feeds.get(request.match_info["categories"], self.feeds.get("*"))
        if body is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=body, content_type=RSS_TYPE)
