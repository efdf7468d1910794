"""Slack's requests as shared events: slash commands, reactions and vote-button presses, handed to the
adapter's Inbound. Slack wants every request acknowledged within 3 s: the ack is a command's first reply."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from typing import TYPE_CHECKING, Any

from slack_sdk.errors import SlackApiError

from bot.shared.answers import Invocation
from bot.shared.commands import COMMANDS
from bot.shared.events import Command, Reaction, Reply, VoteButton
from bot.shared.slow import SLOW
from bot.slack import buttons
from bot.slack.reactions import REACTIONS, base_name
from bot.slack.render import escape

if TYPE_CHECKING:
    from bot.slack.adapter import SlackAdapter

log = logging.getLogger(__name__)
NOT_A_MEMBER = ("paperbot is not in this channel, so it could not post the digest here. Invite the bot first "
                "(/invite @paperbot), then /subscribe again.")
MEMBERSHIP_WAIT = 1.0  # seconds for conversations.info, inside the 3 s Slack gives the ack
# Slack's own markup in what people type: <https://…|label>, <https://…>; the label is only display
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|[^<>]*)?>")


def command_text(text: str) -> str:
    """A slash command's text as typed: Slack sends links as <url|label> and &, <, > as entities."""
    return html.unescape(_SLACK_LINK.sub(r"\1", text))


def register(adapter: SlackAdapter) -> None:
    async def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        who = Invocation("slack", command["channel_id"], command["user_id"])
        name, text = command["command"].lstrip("/"), command_text(command.get("text") or "")
        await adapter.inbound.command(Command(who, name, text), SlackReply(adapter, ack, respond))

    async def on_reaction(body: dict[str, Any], event: dict[str, Any]) -> None:
        await _on_reaction(adapter, body, event)

    async def on_vote_button(ack: Any, body: dict[str, Any]) -> None:
        await ack()
        await _on_vote_button(adapter, body)

    for name in COMMANDS:
        adapter.app.command(f"/{name}")(on_command)
    adapter.app.event("reaction_added")(on_reaction)
    adapter.app.event("reaction_removed")(on_reaction)
    adapter.app.action(buttons.ACTION)(on_vote_button)
    adapter.app.action(buttons.DOWN_ACTION)(on_vote_button)


class SlackReply(Reply):
    """The ack is the first reply, shown to the caller alone unless it concerns everyone; later text
    goes by response_url, which works even where the bot is not a member."""

    def __init__(self, adapter: SlackAdapter, ack: Any, respond: Any) -> None:
        self.adapter, self.ack, self.respond = adapter, ack, respond

    async def answer(self, text: str, *, ephemeral: bool) -> None:
        # an error quotes what was typed, entities and all: escaped like everything else
        await self.ack(text=escape(text), response_type=None if ephemeral else "in_channel")

    async def started(self, name: str, text: str) -> None:
        # Slack wants the ack within 3 s; deep dives and answers take an LLM call, so they run after
        await self.ack(f"🔎 Reading {escape(text.strip()[:300])} — {SLOW[name]} follows in the channel.")

    async def follow_up(self, text: str) -> None:
        await self.respond(text=escape(text), response_type="ephemeral")

    async def refusal(self, command: Command) -> str | None:
        if command.name == "subscribe" and not await is_member(self.adapter, command.who.channel_id):
            return NOT_A_MEMBER  # else every morning's post would fail with not_in_channel
        return None


async def is_member(adapter: SlackAdapter, channel_id: str) -> bool:
    """Whether the bot can post in `channel_id`; True where Slack does not say (a DM, an app
    installed without channels:read, Slack slow to answer within the ack's 3 s)."""
    try:
        info = await asyncio.wait_for(adapter.client.conversations_info(channel=channel_id), MEMBERSHIP_WAIT)
    except SlackApiError as exc:
        return exc.response.get("error") != "channel_not_found"  # a private channel the bot is not in
    except (OSError, TimeoutError):
        return True
    return (info.get("channel") or {}).get("is_member") is not False


async def _on_reaction(adapter: SlackAdapter, body: dict[str, Any], event: dict[str, Any]) -> None:
    item = event.get("item") or {}
    store = adapter.store
    if item.get("type") != "message" or not await store.call(store.first_time, str(body.get("event_id"))):
        log.debug("reaction event %s is on no message, or was seen before: dropped", body.get("event_id"))
        return  # Slack retries deliver the same event_id again
    channel, user, ts, name = (str(item.get("channel")), str(event.get("user")), str(item.get("ts")),
                               base_name(str(event.get("reaction"))))
    added = event.get("type") == "reaction_added"
    reaction = Reaction.of(REACTIONS, "slack", channel, user, ts, name, added=added)
    if reaction is None:
        log.debug("reaction %r %s by %s on %s in %s: no vote", name, "added" if added else "removed", user, ts,
                  channel)
        return
    await adapter.inbound.reaction(reaction)


async def _on_vote_button(adapter: SlackAdapter, body: dict[str, Any]) -> None:
    """A 👍 N or 👎 N button of the quick view (block_actions, verified like every request): toggles the
    vote, or the "not for us" mark."""
    action = (body.get("actions") or [{}])[0]
    found = buttons.pressed_kind(str(action.get("action_id", "")))
    channel = str((body.get("channel") or {}).get("id", ""))
    ts = str((body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts", ""))
    user = str((body.get("user") or {}).get("id", ""))
    if found is not None:
        await adapter.inbound.vote_button(VoteButton("slack", channel, user, ts, position=found[0], kind=found[1]))
