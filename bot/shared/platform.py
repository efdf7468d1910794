"""How a chat platform makes itself known, cheaply: the PlatformSpec each bot/<platform>/ package holds as
PLATFORM, and what the specs say together about channel ids. Imports nothing heavy (no SDK, no asyncio,
no pydantic), so `paperbot channel add` and `--help` can read every platform's spec and still start fast."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.shared.chat import ChatAdapter
    from bot.shared.commands import Commands
    from storage.chat import Platform
    from storage.store import Store


@dataclass(frozen=True)
class PlatformSpec:
    """A platform by name: whether its settings are given, how to build its adapter, what its channel ids
    look like."""

    name: Platform
    configured: Callable[[Settings], bool]  # e.g. its bot token is set
    build: Callable[[Settings, Store, Commands], ChatAdapter]  # imports the SDK: only for a configured platform
    title: str = ""  # as people write it: "Slack"
    channel_id: str = r".+"  # a regular expression a channel id typed in a shell must match
    examples: tuple[str, ...] = ()  # channel ids as the platform shows them, for messages
    token: str = ""  # the setting that turns it on, for "set SLACK_BOT_TOKEN or …"
    serve_needs: str = ""  # what `serve` needs set, when more than `token`
    check_serving: Callable[[Settings], None] | None = None  # raises ConfigError for settings serve cannot use


def none_configured(specs: Sequence[PlatformSpec], *, serving: bool) -> str:
    """What to set when no platform is configured: `SLACK_BOT_TOKEN or TELEGRAM_BOT_TOKEN` (what `serve`
    needs: `SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or TELEGRAM_BOT_TOKEN`)."""
    if serving:
        return ", or ".join(spec.serve_needs or spec.token for spec in specs)
    return " or ".join(spec.token for spec in specs)


@dataclass(frozen=True)
class ChannelIds:
    """The channel ids the configured platforms take, for checking what a person typed in a shell (ids that
    come from the platform itself need no check)."""

    specs: Sequence[PlatformSpec]

    def valid(self, platform: str, channel_id: str) -> bool:
        return any(spec.name == platform and re.fullmatch(spec.channel_id, channel_id) for spec in self.specs)

    def looks_like(self) -> str:
        """`C0123ABCD (Slack) or -1001234567890 / @channelname (Telegram)`."""
        return " or ".join(f"{' / '.join(spec.examples)} ({spec.title or spec.name})" for spec in self.specs)

    def scopes(self) -> str:
        """`--channel slack:C0123ABCD or --channel telegram:-1001234567890`."""
        return " or ".join(f"--channel {spec.name}:{spec.examples[0]}" for spec in self.specs if spec.examples)
