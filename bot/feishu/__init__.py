"""Feishu / Lark: the morning card, threaded deep dives, commands and votes through lark-oapi.

Importing this package loads no SDK: bot/adapters.py reads PLATFORM, and builds the adapter only when
FEISHU_APP_ID is set; lark-oapi itself (seconds of imports) is imported in a thread when it starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.shared.chat import PlatformSpec

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.store import Store


def _build(settings: Settings, store: Store, commands: Commands) -> ChatAdapter:
    from bot.feishu.adapter import FeishuAdapter

    return FeishuAdapter(settings, store, commands)


PLATFORM = PlatformSpec("feishu", lambda settings: bool(settings.feishu_app_id), _build)
