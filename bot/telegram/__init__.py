"""Telegram: commands, reactions, vote buttons and posts through python-telegram-bot."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.telegram.adapter import TelegramAdapter
from bot.telegram.updates import register

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.commands import Commands
    from storage.store import Store

__all__ = ["TelegramAdapter", "telegram_adapter"]


def telegram_adapter(settings: Settings, store: Store, commands: Commands) -> TelegramAdapter:
    """The adapter with its update handlers registered (the handlers need the adapter, not the reverse)."""
    adapter = TelegramAdapter(settings, store, commands)
    register(adapter)
    return adapter
