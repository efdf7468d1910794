"""The chat platforms, and their adapters opened for one command or for the life of `serve`.

Cheap to import (no SDK, asyncio or pydantic at the top): `paperbot channel add` reads PLATFORMS."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from analysis.errors import ConfigError, PaperbotError
from bot import logs
from bot.shared.platform import ChannelIds, PlatformSpec, none_configured

if TYPE_CHECKING:
    from analysis.engine import Engine
    from analysis.models import Digest
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.store import Store

log = logging.getLogger(__name__)
# The chat platforms, each a bot/<name>/ package with a PLATFORM spec: a new platform is one more name here.
PLATFORMS = ("slack", "telegram", "feishu")


def platforms() -> list[PlatformSpec]:
    """The specs of PLATFORMS, in order (their packages import no SDK until an adapter is built)."""
    return [importlib.import_module(f"bot.{name}").PLATFORM for name in PLATFORMS]


def channel_ids() -> ChannelIds:
    """What every platform's channel ids look like, for ids typed in a shell."""
    return ChannelIds(platforms())


class Adapters(dict[str, "ChatAdapter"]):
    """Started adapters by platform, and why the others did not start (one platform being down must
    not keep the digest from the other)."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: dict[str, str] = {}

    def down(self, platform: str, exc: Exception) -> None:
        """Mark `platform` down with one line of reason; /healthz and `digest --post` show it, so it is
        redacted (a library's message may quote a token)."""
        why = str(exc) if isinstance(exc, PaperbotError) else f"{type(exc).__name__}: {exc}"
        why = logs.redact(why.splitlines()[0] if why.strip() else type(exc).__name__)
        log.error("%s is unavailable: %s", platform, why)
        self.failed[platform] = why
        self.pop(platform, None)


@asynccontextmanager
async def open_adapters(settings: Settings, store: Store, engine: Engine, commands: Commands | None = None,
                        specs: Sequence[PlatformSpec] | None = None) -> AsyncIterator[Adapters]:
    """Adapters for every platform whose settings are given (of `specs`, by default PLATFORMS'), started;
    closed on exit.

    `serve` passes its one Commands object, so the scheduler hears every subscription change."""
    from bot.shared.commands import Commands

    commands = commands or Commands(settings, store, engine)
    adapters = Adapters()
    async with AsyncExitStack() as stack:
        candidates = [spec.build(settings, store, commands) for spec in (platforms() if specs is None else specs)
                      if spec.configured(settings)]
        for adapter in candidates:
            stack.push_async_callback(_close, adapter)
            try:
                await adapter.start()
            except Exception as exc:  # one platform that cannot start must not keep the other from serving
                adapters.down(adapter.platform, exc)
                continue
            adapters[adapter.platform] = adapter
        yield adapters


async def _close(adapter: ChatAdapter, timeout: float = 5.0) -> None:
    """Closing waits for the adapter's own background work: bounded, so no hung handler keeps a
    command (or serve's stop) from ending."""
    import asyncio

    try:
        await asyncio.wait_for(adapter.close(), timeout)
    except TimeoutError:
        log.warning("closing %s took over %.0f s; left behind", adapter.platform, timeout)
    except Exception as exc:  # e.g. the close serve's deadline cut short, finished here
        log.warning("closing %s: %s", adapter.platform, exc)


async def post_everywhere(settings: Settings, store: Store, engine: Engine,
                          digest: Digest | Mapping[str, Digest]) -> Sequence[str]:
    from bot.shared.posting import post_to_channels

    channels = store.channels()
    if not channels:
        return ["no channels subscribed; add one with: paperbot channel add slack C0123ABC"]
    async with open_adapters(settings, store, engine) as adapters:
        if not adapters and not adapters.failed:
            raise ConfigError(f"no chat platform configured: set {none_configured(platforms(), serving=False)} "
                              "to post.")
        return await post_to_channels(adapters, store, channels, digest)
