"""Bounded GETs: a total deadline, a byte cap before and after decompression, same-host redirects, retries.

Nothing from outside may stall the bot: a server that drips one byte a second meets the deadline (it
is wall clock for the whole answer, not a per-read timeout that each byte restarts), a gzip bomb
meets the cap while it inflates (off the event loop), and a redirect to another host is refused.
Back-off is for 429, 5xx and timeouts; a refused connection or a failed name lookup is retried once.
"""

from __future__ import annotations

import asyncio
import logging
import random
import zlib
from typing import Any

import httpx

from analysis.errors import SourceError

log = logging.getLogger(__name__)

USER_AGENT = "paperbot/0.1 (+https://github.com/paperbot; research digest bot)"
RETRY_STATUS = {429, 500, 502, 503, 504}
DEADLINE = 60.0  # seconds for one get(): every attempt, pause and byte of the answer
MAX_BYTES = 16 * 1024 * 1024  # an API answer: HF's day or an arXiv page of 200 entries is well under 2 MB
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"  # what _Inflate decodes; asking for no other keeps brotli and zstd out


class TooLarge(SourceError):
    """The answer passed the byte cap (as sent, or once inflated)."""


class Refused(SourceError):
    """An answer we will not read: a redirect to another host, an encoding we did not ask for."""


class DeadlinePassed(SourceError):
    """The whole answer did not arrive within the deadline."""


def new_client(timeout: float = 20.0) -> httpx.AsyncClient:
    # redirects are followed by fetch(), which keeps them on the same host
    return httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
                             follow_redirects=False)


def backoff(attempt: int, base: float = 0.5, cap: float = 8.0) -> float:
    """Full jitter: a random wait up to base·2^attempt, so retrying clients do not march in step."""
    return random.uniform(0, min(cap, base * 2**attempt))


async def get(client: httpx.AsyncClient, url: str, *, params: dict[str, Any] | None = None,
              service: str, attempts: int = 3, ok_status: tuple[int, ...] = (200,),
              setting: str = "the URL setting", deadline: float = DEADLINE,
              max_bytes: int = MAX_BYTES) -> httpx.Response:
    """The response (body read) once its status is in `ok_status`; SourceError naming `service` and `setting`
    after `attempts`, or when `deadline` seconds have passed, or when the answer is over `max_bytes`.

    Each failed attempt is logged at INFO (seen with -v): the one error at the end says all a person needs."""
    loop = asyncio.get_running_loop()
    ends = loop.time() + deadline
    problem = f"timed out (no complete answer within {deadline:.3g} s)"
    unreachable = 0
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(min(backoff(attempt), max(0.0, ends - loop.time())))
        left = ends - loop.time()
        if left <= 0:
            break
        try:
            response = await fetch(client, url, params=params, deadline=left, max_bytes=max_bytes)
        except DeadlinePassed:
            problem = f"timed out (no complete answer within {deadline:.3g} s)"
            break
        except (TooLarge, Refused) as exc:
            raise type(exc)(f"{service} {exc} at {_origin(url)}; check {setting} or try again later.") from None
        except httpx.TimeoutException:
            problem = "timed out"
        except httpx.ConnectError as exc:
            problem = "could not be reached"
            log.info("%s: %s", service, exc or type(exc).__name__)
            unreachable += 1
            if unreachable > 1:  # nobody is listening, or the name does not resolve: waiting will not help
                break
        except httpx.TransportError as exc:
            problem = "could not be reached"
            log.info("%s: %s", service, type(exc).__name__)
        else:
            if response.status_code in ok_status:
                return response
            problem = f"answered HTTP {response.status_code}"
            if response.status_code not in RETRY_STATUS:
                break
        log.info("%s %s (attempt %d of %d)", service, problem, attempt + 1, attempts)
    raise SourceError(f"{service} {problem} at {_origin(url)}; check {setting} or try again later.")


async def fetch(client: httpx.AsyncClient, url: str, *, params: dict[str, Any] | None = None,
                deadline: float = DEADLINE, max_bytes: int = MAX_BYTES) -> httpx.Response:
    """One GET, no retries: the response with its body read, all within `deadline` seconds.

    The body is capped at `max_bytes` as sent and again as inflated; redirects are followed on the
    same host only. Raises DeadlinePassed, TooLarge, Refused, or httpx's TransportError."""
    try:
        async with asyncio.timeout(deadline):
            return await _follow(client, client.build_request("GET", url, params=params, headers={
                "User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}), max_bytes)
    except TimeoutError:
        raise DeadlinePassed(f"no complete answer within {deadline:.3g} s") from None


async def _follow(client: httpx.AsyncClient, request: httpx.Request, max_bytes: int) -> httpx.Response:
    host = request.url.host
    for _ in range(MAX_REDIRECTS + 1):
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            following = response.next_request
            if following is None:
                body = await _read(response, max_bytes)
                return _with_body(response, body)
        finally:
            await response.aclose()
        if following.url.host != host:
            raise Refused(f"redirected to another host ({following.url.host}), which paperbot does not follow")
        request = following
    raise Refused(f"redirected more than {MAX_REDIRECTS} times")


async def _read(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"sent {_mb(int(declared))} (more than the {_mb(max_bytes)} paperbot reads)")
    inflate = _Inflate.for_encoding(response.headers.get("Content-Encoding", ""))
    body = bytearray()
    sent = 0
    async for chunk in response.aiter_raw(CHUNK):
        sent += len(chunk)
        if sent > max_bytes:
            raise TooLarge(f"sent more than the {_mb(max_bytes)} paperbot reads")
        if inflate is not None:  # a 64 kB chunk of a bomb inflates to megabytes: not on the event loop
            chunk = await asyncio.to_thread(inflate.feed, chunk, max_bytes - len(body))
        body += chunk
        if len(body) > max_bytes:
            raise TooLarge(f"inflated past the {_mb(max_bytes)} paperbot reads")
    return bytes(body)


class _Inflate:
    """gzip or deflate decoded piece by piece, never past the room left under the cap."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self.inflater = zlib.decompressobj(32 + zlib.MAX_WBITS)  # a gzip or zlib header, found by zlib
        self.started = False

    @classmethod
    def for_encoding(cls, header: str) -> _Inflate | None:
        encoding = header.strip().lower()
        if encoding in ("", "identity"):
            return None
        if encoding in ("gzip", "x-gzip", "deflate"):
            return cls(encoding)
        raise Refused(f"answered in an encoding paperbot did not ask for ({header[:40]})")

    def feed(self, data: bytes, room: int) -> bytes:
        """The next piece of the body: at most one byte past `room`, which is how the caller sees the cap passed."""
        try:
            out = self.inflater.decompress(data, room + 1)
        except zlib.error:
            if self.started or self.encoding != "deflate":
                raise Refused(f"sent a damaged {self.encoding} body") from None
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as some servers send it
            return self.feed(data, room)
        self.started = True
        return out


def _with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """A plain response holding the decoded body, so `.content`, `.text` and `.json()` work as usual."""
    dropped = {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() not in dropped]
    return httpx.Response(response.status_code, headers=headers, content=body, request=response.request)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}{':' + str(parsed.port) if parsed.port else ''}{parsed.path}"
