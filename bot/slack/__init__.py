"""Slack: slash commands, reactions and posts through slack-bolt (HTTP mode or Socket Mode).

Importing this package loads no SDK: bot/adapters.py reads PLATFORM, and builds the adapter only when
SLACK_BOT_TOKEN is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.shared.chat import PlatformSpec

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.store import Store


def _build(settings: Settings, store: Store, commands: Commands) -> ChatAdapter:
    from bot.slack.adapter import SlackAdapter

    return SlackAdapter(settings, store, commands)


PLATFORM = PlatformSpec("slack", lambda settings: bool(settings.slack_bot_token), _build)
