"""Slack: slash commands, reactions and posts through slack-bolt (HTTP mode or Socket Mode).

Importing this package loads no SDK: bot/adapters.py reads PLATFORM, and builds the adapter only when
SLACK_BOT_TOKEN is set."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.shared.platform import PlatformSpec

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.store import Store


def _build(settings: Settings, store: Store, commands: Commands) -> ChatAdapter:
    from bot.slack.adapter import SlackAdapter

    return SlackAdapter(settings, store, commands)


def _check_serving(settings: Settings) -> None:
    from analysis.errors import ConfigError

    if not (settings.slack_signing_secret or settings.slack_app_token):
        raise ConfigError("SLACK_SIGNING_SECRET is missing: HTTP mode must verify Slack's requests. Copy it from "
                          "your Slack app's Basic Information page, or set SLACK_APP_TOKEN for Socket Mode.")


PLATFORM = PlatformSpec("slack", lambda settings: bool(settings.slack_bot_token), _build, title="Slack",
                        channel_id=r"[A-Z0-9]{2,20}", examples=("C0123ABCD",), token="SLACK_BOT_TOKEN",
                        serve_needs="SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET", check_serving=_check_serving)
