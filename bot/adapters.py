"""The configured adapters, opened for one command or for the life of `serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING

from bot.chat import ChatAdapter

if TYPE_CHECKING:
    from analysis.pipeline import Engine
    from bot.commands import Commands
    from bot.config import Settings
    from storage.store import Store


@asynccontextmanager
async def open_adapters(settings: Settings, store: Store, engine: Engine,
                        commands: Commands | None = None) -> AsyncIterator[dict[str, ChatAdapter]]:
    """Adapters for every platform whose token is set, started; closed on exit.

    `serve` passes its one Commands object, so the scheduler hears every subscription change."""
    from bot.commands import Commands

    commands = commands or Commands(settings, store, engine)
    adapters: dict[str, ChatAdapter] = {}
    async with AsyncExitStack() as stack:
        if settings.slack_bot_token:
            from bot.slack import SlackAdapter

            slack = SlackAdapter(settings, store, commands)
            stack.push_async_callback(slack.close)
            await slack.start()
            adapters["slack"] = slack
        if settings.telegram_bot_token:
            from bot.telegram import TelegramAdapter

            telegram = TelegramAdapter(settings, store, commands)
            stack.push_async_callback(telegram.close)
            await telegram.start()
            adapters["telegram"] = telegram
        yield adapters
