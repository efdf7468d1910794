"""A paper's full text: arXiv's HTML, else its PDF, else the abstract; fetched once and kept in the Store.

arXiv asks robots to send one request at a time and to say who they are: one gate per process lets
one request to arXiv through at a time, and analysis.http sends paperbot's User-Agent. Nothing here
may stall a dive for long, let alone the bot:
- a paper's text has a deadline (`deadline` seconds for its fetches and parses together); past it,
  or when the file is too big or too slow to parse, the dive reads the abstract (and says so);
- a paper waits behind another paper's request at most `wait` seconds while the queue stands still,
  then its dive reads the abstract, while its fetch stays queued and is kept for next time;
- parsing runs in a child process that is killed at the deadline (analysis.reading.worker);
- `prefetch` starts the likely picks' fetches while scoring runs, so their dives need not wait, and
  `settle` bounds how long a digest's dives wait for their texts after scoring (`2 × wait`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Protocol

import httpx

from analysis import http
from analysis.errors import SourceError
from analysis.models import Paper
from analysis.reading import worker
from analysis.reading.papertext import PaperText

log = logging.getLogger(__name__)
SERVICE = "arXiv full text"
RETRY_ABSTRACT_AFTER = dt.timedelta(days=1)  # arXiv renders HTML for new papers within about a day
MAX_BYTES = 40 * 1024 * 1024  # an HTML page or PDF, as sent and as inflated
TEXT_DEADLINE = 30.0  # seconds for one paper's text: its HTML and PDF fetched and parsed (PAPERBOT_FULLTEXT_TIMEOUT)
GATE_WAIT = 5.0  # seconds a dive waits behind another paper's request before it reads the abstract


class TextCache(Protocol):
    def cached_text(self, arxiv_id: str) -> tuple[PaperText, dt.datetime] | None: ...

    def save_text(self, arxiv_id: str, text: PaperText) -> None: ...


@dataclass
class _Fetch:
    """One paper's text being fetched; `started` is set once it has had its turn at arXiv (or ended)."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[PaperText] | None = None
    waiting: int = 0  # callers awaiting the text: a prefetch with any is never cancelled
    prefetch: bool = False
    late: asyncio.Event = field(default_factory=asyncio.Event)  # a digest stopped waiting: the fetch goes on


class FullTexts:
    """One per process (the Engine holds it): its gate is what keeps arXiv fetches one at a time."""

    def __init__(self, client: httpx.AsyncClient, cache: TextCache, *, html_url: str, pdf_url: str,
                 deadline: float = TEXT_DEADLINE, wait: float = GATE_WAIT) -> None:
        self.client = client
        self.cache = cache
        self.html_url = html_url.rstrip("/")
        self.pdf_url = pdf_url.rstrip("/")
        self.deadline = deadline
        self.wait = wait
        self._gate = asyncio.Lock()
        self._turns = 0  # how often the gate changed hands: a waiter can tell a moving queue from a stuck one
        self._fetches: dict[str, _Fetch] = {}

    async def get(self, paper: Paper) -> PaperText:
        """The paper's text; never raises for arXiv trouble (it falls back to the abstract instead)."""
        stored = self._stored(paper.arxiv_id)
        if stored is not None:
            return stored
        fetch = self._fetches.get(paper.arxiv_id) or self._begin(paper.arxiv_id)
        fetch.waiting += 1
        try:
            if not await self._turn(fetch):
                log.warning("the full text of %s waits behind another paper's fetch for more than %g s; "
                            "its dive reads the abstract", paper.arxiv_id, self.wait)
                return PaperText("abstract")
            return await self._outcome(fetch)
        finally:
            fetch.waiting -= 1

    def prefetch(self, papers: list[Paper]) -> None:
        """Start fetching these papers' texts (in this order, one request at a time) without waiting."""
        for paper in papers:
            if paper.arxiv_id not in self._fetches and self._stored(paper.arxiv_id) is None:
                self._begin(paper.arxiv_id).prefetch = True

    def keep_prefetches(self, wanted: set[str]) -> None:
        """Cancel the prefetches of papers that turned out not to be picked (and that nobody waits for)."""
        for arxiv_id, fetch in list(self._fetches.items()):
            if fetch.prefetch and arxiv_id not in wanted and not fetch.waiting and fetch.task is not None:
                fetch.task.cancel()

    def settle(self, papers: list[Paper]) -> None:
        """Give these papers' fetches (started now if not yet) `2 × wait` seconds more: a digest's posts wait
        that long at most for full texts. A dive of one still under way then reads the abstract; its fetch
        goes on and is kept for the next dive."""
        self.prefetch(papers)
        fetches = {p.arxiv_id: f for p in papers if (f := self._fetches.get(p.arxiv_id)) is not None}

        def give_up() -> None:
            for arxiv_id, fetch in fetches.items():
                if fetch.task is not None and not fetch.task.done():
                    fetch.late.set()
                    log.warning("the full text of %s is not in %g s after scoring; its dive reads the abstract",
                                arxiv_id, 2 * self.wait)

        if fetches:
            asyncio.get_running_loop().call_later(2 * self.wait, give_up)

    async def close(self) -> None:
        """Cancel every fetch still under way (the process is stopping)."""
        tasks = [f.task for f in self._fetches.values() if f.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _begin(self, arxiv_id: str) -> _Fetch:
        fetch = _Fetch()
        fetch.task = asyncio.create_task(self._read(arxiv_id, fetch.started), name=f"full text of {arxiv_id}")
        self._fetches[arxiv_id] = fetch

        def forget(_: object) -> None:
            fetch.started.set()  # a caller still waiting for its turn sees the end instead
            if self._fetches.get(arxiv_id) is fetch:
                del self._fetches[arxiv_id]

        fetch.task.add_done_callback(forget)
        return fetch

    async def _turn(self, fetch: _Fetch) -> bool:
        """Whether `fetch` had its turn at arXiv, waiting at most `wait` seconds while the queue does not move."""
        turns = -1
        while not fetch.started.is_set():
            if self._turns == turns:
                return False
            turns = self._turns
            try:
                async with asyncio.timeout(self.wait):
                    await fetch.started.wait()
            except TimeoutError:
                continue
        return True

    @staticmethod
    async def _outcome(fetch: _Fetch) -> PaperText:
        """The fetch's text, or the abstract as soon as a digest gave up on it."""
        assert fetch.task is not None
        if not fetch.late.is_set():
            given_up = asyncio.ensure_future(fetch.late.wait())
            try:
                await asyncio.wait({fetch.task, given_up}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                given_up.cancel()
        if fetch.task.done() and not fetch.task.cancelled():
            return fetch.task.result()
        return PaperText("abstract")

    def _stored(self, arxiv_id: str) -> PaperText | None:
        found = self.cache.cached_text(arxiv_id)
        if found is None:
            return None
        text, at = found
        if text.source == "abstract" and dt.datetime.now(dt.UTC) - at > RETRY_ABSTRACT_AFTER:
            return None
        return text

    async def _read(self, arxiv_id: str, started: asyncio.Event) -> PaperText:
        try:
            text, settled = await _Reading(self, arxiv_id, started).run()
        except Exception as exc:  # a bug or a broken machine must cost the dive its full text, not the dive
            log.warning("the full text of %s could not be read (%s: %s); its dive reads the abstract",
                        arxiv_id, type(exc).__name__, exc)
            return PaperText("abstract")
        if settled:
            self.cache.save_text(arxiv_id, text)
        return text


class _NoTurn(Exception):
    """The gate stayed busy for the whole deadline: nothing was asked of arXiv."""


class _Reading:
    """One paper's HTML, else PDF, within one deadline that starts at its first turn at arXiv."""

    def __init__(self, texts: FullTexts, arxiv_id: str, started: asyncio.Event) -> None:
        self.texts = texts
        self.arxiv_id = arxiv_id
        self.started = started
        self.loop = asyncio.get_running_loop()
        self.ends: float | None = None

    def left(self) -> float:
        return self.texts.deadline if self.ends is None else self.ends - self.loop.time()

    async def run(self) -> tuple[PaperText, bool]:
        """The text and whether that answer is settled (worth keeping); a 5xx or timeout is not."""
        settled = True
        for source, base in (("html", self.texts.html_url), ("pdf", self.texts.pdf_url)):
            try:
                response, final = await self._request(source, f"{base}/{self.arxiv_id}")
            except _NoTurn:
                return PaperText("abstract"), False
            settled = settled and final
            if response is None or response.status_code != 200:
                if self.left() <= 0:
                    break
                continue
            try:
                sections = await worker.parse(source, response.content, self.left())  # type: ignore[arg-type]
            except worker.ParseTimeout as exc:  # too slow to read today is too slow tomorrow: settled
                log.warning("%s of %s: %s; its dive reads the abstract", source, self.arxiv_id, exc)
                break
            except worker.ParseFailed as exc:
                log.info("%s of %s has no usable text: %s", source, self.arxiv_id, exc)
                continue
            log.info("read %s of %s: %d sections", source, self.arxiv_id, len(sections))
            return PaperText(source, sections), True  # type: ignore[arg-type]
        return PaperText("abstract"), settled

    async def _request(self, source: str, url: str) -> tuple[httpx.Response | None, bool]:
        """(the answer or None, whether that outcome is settled); one request at arXiv at a time."""
        texts = self.texts
        try:
            async with asyncio.timeout(max(0.0, self.left())):
                await texts._gate.acquire()
        except TimeoutError:
            log.warning("%s of %s: no turn at arXiv within %g s", source, self.arxiv_id, texts.deadline)
            raise _NoTurn from None
        texts._turns += 1
        try:
            if self.ends is None:
                self.ends = self.loop.time() + texts.deadline
            self.started.set()
            response = await http.get(texts.client, url, service=SERVICE, ok_status=(200, 404, 410),
                                      setting=f"ARXIV_{source.upper()}_URL", deadline=max(0.01, self.left()),
                                      max_bytes=MAX_BYTES)
            return response, True
        except http.TooLarge as exc:  # the file is what it is: settled, the dive reads the abstract
            log.warning("%s of %s: %s", source, self.arxiv_id, exc)
            return None, True
        except SourceError as exc:
            log.warning("%s of %s: %s", source, self.arxiv_id, exc)
            return None, False
        finally:
            texts._gate.release()
