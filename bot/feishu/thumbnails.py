"""The paper's HF thumbnail on its Feishu deep dive: Feishu shows only images uploaded to it, so the picture
is downloaded (from HF's own domain only, at most 10 MB, Feishu's limit) and uploaded once per paper; the
image key serves every chat. No picture when any of that fails: the dive matters, the picture does not."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)
MAX_BYTES = 10 * 1024 * 1024
TIMEOUT = 10.0


def from_hf(url: str, hf_endpoint: str) -> bool:
    """Whether `url` is on HF_ENDPOINT's host or below it (cdn-thumbnails.huggingface.co for huggingface.co):
    nothing else is fetched on a paper's say-so."""
    host, hf = urlsplit(url).hostname or "", urlsplit(hf_endpoint).hostname or ""
    return bool(hf) and urlsplit(url).scheme in ("http", "https") and (host == hf or host.endswith("." + hf))


class Thumbnails:
    def __init__(self, hf_endpoint: str, upload: Callable[[bytes], Awaitable[str]]) -> None:
        self.hf_endpoint, self.upload = hf_endpoint, upload
        self._keys: dict[str, str | None] = {}  # thumbnail URL -> Feishu image key (None: it failed)

    async def key(self, url: str | None) -> str | None:
        if not url or not from_hf(url, self.hf_endpoint):
            return None
        if url not in self._keys:
            if len(self._keys) > 1000:
                self._keys.clear()
            self._keys[url] = await self._fetch_and_upload(url)
        return self._keys[url]

    async def _fetch_and_upload(self, url: str) -> str | None:
        try:
            data = await _download(url)
            return await self.upload(data) if data else None
        except Exception as exc:  # the SDK's, httpx's, Feishu's refusal: all mean "no picture"
            log.warning("no thumbnail on Feishu for %s: %s", url, str(exc).splitlines()[0][:200] if str(exc) else exc)
            return None


async def _download(url: str) -> bytes | None:
    async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client, \
            client.stream("GET", url) as answer:
        if answer.status_code != 200 or not answer.headers.get("content-type", "").startswith("image/"):
            log.info("thumbnail %s answered HTTP %d (%s); none shown", url, answer.status_code,
                     answer.headers.get("content-type", "?"))
            return None
        data = bytearray()
        async for chunk in answer.aiter_bytes():
            data += chunk
            if len(data) > MAX_BYTES:
                log.info("thumbnail %s is over 10 MB; none shown", url)
                return None
        return bytes(data)
