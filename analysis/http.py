"""GET with bounded retries: backoff with jitter on 5xx, 429 and network errors, then a clear error."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import httpx

from analysis.errors import SourceError

log = logging.getLogger(__name__)

USER_AGENT = "paperbot/0.1 (+https://github.com/paperbot; research digest bot)"
RETRY_STATUS = {429, 500, 502, 503, 504}


def new_client(timeout: float = 20.0) -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=timeout, headers={"User-Agent": USER_AGENT}, follow_redirects=True)


def backoff(attempt: int, base: float = 0.5, cap: float = 8.0) -> float:
    """Full jitter: a random wait up to base·2^attempt, so retrying clients do not march in step."""
    return random.uniform(0, min(cap, base * 2**attempt))


async def get(client: httpx.AsyncClient, url: str, *, params: dict[str, Any] | None = None,
              service: str, attempts: int = 3, ok_status: tuple[int, ...] = (200,),
              setting: str = "the URL setting") -> httpx.Response:
    """The response once its status is in `ok_status`; SourceError naming `service` and `setting` after `attempts`.

    Each failed attempt is logged at INFO (seen with -v): the one error at the end says all a person needs."""
    problem = ""
    for attempt in range(attempts):
        if attempt:
            await asyncio.sleep(backoff(attempt))
        try:
            response = await client.get(url, params=params)
        except httpx.TimeoutException:
            problem = "timed out"
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


def _origin(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.host}{':' + str(parsed.port) if parsed.port else ''}{parsed.path}"
