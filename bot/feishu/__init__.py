"""Feishu / Lark: the morning card, threaded deep dives, commands and votes through lark-oapi.

Importing this package loads no SDK: bot/adapters.py reads PLATFORM, and builds the adapter only when
FEISHU_APP_ID is set; lark-oapi itself (seconds of imports) is imported in a thread when it starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.shared.platform import PlatformSpec

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.store import Store


def _build(settings: Settings, store: Store, commands: Commands) -> ChatAdapter:
    from bot.feishu.adapter import FeishuAdapter

    return FeishuAdapter(settings, store, commands)


def check_settings(settings: Settings) -> None:
    """Feishu needs the app secret with the app id, and its events are taken only verified: the verification
    token too. Checked before serve starts, and when the adapter starts (`digest --post`)."""
    from analysis.errors import ConfigError

    if settings.feishu_app_secret is None:
        raise ConfigError("FEISHU_APP_SECRET is missing: copy the App Secret from your Feishu app's Credentials & "
                          "Basic Info page.")
    if settings.feishu_verification_token is None:
        raise ConfigError("FEISHU_VERIFICATION_TOKEN is missing: events must be verified. Copy the Verification "
                          "Token from your Feishu app's Events and callbacks → Encryption strategy page.")


# Feishu chat ids: oc_ and 32 hex digits (group and one-to-one chats alike)
PLATFORM = PlatformSpec("feishu", lambda settings: bool(settings.feishu_app_id), _build, title="Feishu",
                        channel_id=r"oc_[0-9a-f]{32}", examples=("oc_4d83f1dc8596c773a09e86f50a931b77",),
                        token="FEISHU_APP_ID",
                        serve_needs="FEISHU_APP_ID, FEISHU_APP_SECRET and FEISHU_VERIFICATION_TOKEN",
                        check_serving=check_settings)
