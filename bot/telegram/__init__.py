"""Telegram: commands, reactions, vote buttons and posts through python-telegram-bot.

Importing this package loads no SDK: bot/adapters.py reads PLATFORM, and builds the adapter only when
TELEGRAM_BOT_TOKEN is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.shared.platform import PlatformSpec

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.store import Store


def _build(settings: Settings, store: Store, commands: Commands) -> ChatAdapter:
    """The adapter with its update handlers registered (the handlers need the adapter, not the reverse)."""
    from bot.telegram.adapter import TelegramAdapter
    from bot.telegram.updates import register

    adapter = TelegramAdapter(settings, store, commands)
    register(adapter)
    return adapter


# Telegram takes a public channel's @username wherever it takes a chat id (sendMessage's chat_id)
PLATFORM = PlatformSpec("telegram", lambda settings: bool(settings.telegram_bot_token), _build, title="Telegram",
                        channel_id=r"-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31}",
                        examples=("-1001234567890", "@channelname"), token="TELEGRAM_BOT_TOKEN")
