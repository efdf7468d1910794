"""Slack through slack-bolt: posting digests, slash commands and reaction votes.

HTTP mode mounts `POST /slack/events` on serve's aiohttp app (bolt verifies every signature and
refuses requests older than five minutes); with SLACK_APP_TOKEN it runs in Socket Mode instead.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from analysis.errors import ChatError, ConfigError
from analysis.models import Analysis, Digest, DigestItem, Paper, PaperAnswer
from analysis.render import answer as answers
from analysis.render import slack as render
from analysis.render.slack_votes import ACTION, DOWN_ACTION
from bot.config import Settings
from bot.shared import marks, votes
from bot.shared.answers import Invocation
from bot.shared.background import Background
from bot.shared.chat import Capabilities
from bot.shared.commands import COMMANDS, Commands
from bot.shared.refresh import Refresher
from bot.shared.slow import SLOW, deliver, not_posted
from storage.chat import Platform
from storage.store import Store

log = logging.getLogger(__name__)
HINTS = {
    "channel_not_found": "check the channel id, and invite the bot to private channels",
    "not_in_channel": "invite the bot first: /invite @paperbot in that channel",
    "is_archived": "the channel is archived; remove it with: paperbot channel remove slack <id>",
    "invalid_auth": "SLACK_BOT_TOKEN is wrong or revoked",
    "msg_too_long": "the message is too long for Slack",
    "msg_blocks_too_long": "the message's blocks hold too much text for Slack",
}
NOT_A_MEMBER = ("paperbot is not in this channel, so it could not post the digest here. Invite the bot first "
                "(/invite @paperbot), then /subscribe again.")
MEMBERSHIP_WAIT = 1.0  # seconds for conversations.info, inside the 3 s Slack gives the ack
# Slack's own markup in what people type: <https://…|label>, <https://…>; the label is only display
_SLACK_LINK = re.compile(r"<([^<>|]+)(?:\|[^<>]*)?>")


def command_text(text: str) -> str:
    """A slash command's text as typed: Slack sends links as <url|label> and &, <, > as entities."""
    return html.unescape(_SLACK_LINK.sub(r"\1", text))


class SlackAdapter:
    platform: Platform = "slack"
    capabilities = Capabilities(max_chars=render.MAX_SECTION)

    def __init__(self, settings: Settings, store: Store, commands: Commands) -> None:
        assert settings.slack_bot_token is not None
        self.settings, self.store, self.commands = settings, store, commands
        self.client = AsyncWebClient(
            token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url,
            # passing retry_handlers replaces slack_sdk's default (one retry on a dropped connection),
            # so that default is listed again next to the 429 handler
            retry_handlers=[AsyncConnectionErrorRetryHandler(), AsyncRateLimitErrorRetryHandler(max_retry_count=3)])
        secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
        bolt_log = logging.getLogger("paperbot.slack_bolt")
        # bolt reads SLACK_BOT_TOKEN itself and warns that our client's token wins: it is the same token
        bolt_log.addFilter(lambda record: "will be unused" not in record.getMessage()
                           and "will be ignored" not in record.getMessage())
        # authorize from start()'s auth.test: bolt would otherwise call auth.test itself on the first
        # request, a round trip inside the 3 s that Slack gives a slash command's ack
        self.app = AsyncApp(client=self.client, signing_secret=secret, request_verification_enabled=bool(secret),
                            logger=bolt_log, authorize=self._authorizer())
        self._socket: Any = None
        self._auth: AuthorizeResult | None = None
        self.background = Background()
        # chat.update is Tier 3 (about 50 a minute): one redraw per burst, at most one every 3 s a message
        self.refresher = Refresher(store, "slack", self.update_quick_view)
        self._register()

    # -- ChatAdapter -------------------------------------------------------------------------
    async def start(self) -> None:
        try:
            identity = await self.client.auth_test()
        except SlackApiError as exc:
            raise ConfigError(f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}); "
                              "copy the Bot User OAuth Token (xoxb-…) from your Slack app.") from None
        except (OSError, TimeoutError) as exc:  # aiohttp's connection errors are OSErrors
            raise ChatError(f"could not reach Slack at SLACK_API_URL ({type(exc).__name__}); "
                            "check the network or the URL.") from None
        self._auth = AuthorizeResult.from_auth_test_response(auth_test_response=identity,
                                                             bot_token=self.client.token)

    def _authorizer(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        # a plain function: bolt passes arguments by the names in its signature, `self` included
        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            if self._auth is None:  # a request before start(): not a state serve gets into
                await self.start()
            assert self._auth is not None
            return self._auth

        return authorize

    async def post_quick_view(self, channel_id: str, digest: Digest, votes_by_id: dict[str, int],
                              marks: dict[str, int] | None = None) -> str:
        return await self._post(channel_id, render.quick_view(digest, votes_by_id, marks))

    async def update_quick_view(self, channel_id: str, ref: str, digest: Digest, votes_by_id: dict[str, int],
                                marks: dict[str, int] | None = None) -> None:
        message = render.quick_view(digest, votes_by_id, marks)
        try:
            await self.client.chat_update(channel=channel_id, ts=ref, text=message["text"], blocks=message["blocks"])
        except SlackApiError as exc:
            raise ChatError(f"Slack refused to update {channel_id} {ref}: {exc.response.get('error')}") from None

    async def post_deep_dive(self, channel_id: str, thread_ref: str, item: DigestItem, number: int) -> list[str]:
        return [await self._post(channel_id, m, thread_ref) for m in render.deep_dive(item, number)]

    async def post_analysis(self, channel_id: str, paper: Paper, analysis: Analysis, score: int | None,
                            thread_ref: str | None) -> list[str]:
        return [await self._post(channel_id, m, thread_ref) for m in render.analysis_message(paper, analysis, score)]

    async def post_text(self, channel_id: str, text: str, thread_ref: str | None = None) -> str:
        return await self._post(channel_id, {"text": render.escape(text)}, thread_ref)

    async def post_paper_answer(self, channel_id: str, paper: Paper, question: str, answer: PaperAnswer,
                                thread_ref: str | None) -> list[str]:
        return [await self._post(channel_id, answers.slack_message(paper, question, answer), thread_ref)]

    async def listen(self, app: web.Application) -> None:
        if self.settings.slack_app_token:
            from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, self.settings.slack_app_token.get_secret_value())
            await self._socket.connect_async()
            return
        app.router.add_post("/slack/events", self._http)

    async def stop_listening(self) -> None:
        # HTTP mode stops with serve's site; Socket Mode's websocket is ours to close
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None

    def busy(self) -> set[asyncio.Task[None]]:
        return self.background.busy()

    async def close(self) -> None:
        await self.refresher.close()
        await self.stop_listening()
        await self.background.settle()

    # -- internals ---------------------------------------------------------------------------
    async def _post(self, channel: str, message: dict[str, Any], thread_ts: str | None = None) -> str:
        try:
            response = await self.client.chat_postMessage(
                channel=channel, text=message["text"], blocks=message.get("blocks"), thread_ts=thread_ts,
                unfurl_links=False, unfurl_media=False)
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            pictures = [b for b in message.get("blocks") or [] if b.get("type") == "image"]
            if error in ("invalid_blocks", "downloading image failed") and pictures:
                # Slack fetches the thumbnail itself and refuses the whole message when it cannot: drop the picture
                log.warning("Slack could not show a paper's thumbnail (%s); posting without it", error)
                kept = [b for b in message["blocks"] if b.get("type") != "image"]
                return await self._post(channel, {**message, "blocks": kept}, thread_ts)
            hint = HINTS.get(error, "see the log")
            raise ChatError(f"Slack refused a message to {channel}: {error} ({hint}).") from None
        return str(response["ts"])

    async def _http(self, request: web.Request) -> web.Response:
        return await to_aiohttp_response(await self.app.async_dispatch(await to_bolt_request(request)))

    def _register(self) -> None:
        for name in COMMANDS:
            self.app.command(f"/{name}")(self._on_command)
        self.app.event("reaction_added")(self._on_reaction)
        self.app.event("reaction_removed")(self._on_reaction)
        self.app.action(ACTION)(self._on_vote_button)
        self.app.action(DOWN_ACTION)(self._on_mark_button)

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        name, text = command["command"].lstrip("/"), command_text(command.get("text") or "")
        error = self.commands.precheck(name, text)
        if error:
            await ack(render.escape(error))  # it quotes what was typed, entities and all
            return
        who = Invocation("slack", command["channel_id"], command["user_id"])
        if name == "subscribe" and not await self._is_member(who.channel_id):
            await ack(render.escape(NOT_A_MEMBER))  # else every morning's post would fail with not_in_channel
            return
        if name not in SLOW:
            answer = await self.commands.handle(who, name, text)
            # Slack shows a bare ack text to the caller alone; /subscribe and /unsubscribe concern everyone
            await ack(text=render.escape(answer.text), response_type=None if answer.ephemeral else "in_channel")
            return
        await ack(f"🔎 Reading {render.escape(text.strip()[:300])} — {SLOW[name]} follows in the channel.")
        # Slack wants the ack within 3 s; deep dives and answers take an LLM call, so they run after.
        self.background.spawn(self._later(who, name, text, respond))

    async def _is_member(self, channel_id: str) -> bool:
        """Whether the bot can post in `channel_id`; True where Slack does not say (a DM, an app
        installed without channels:read, Slack slow to answer within the ack's 3 s)."""
        try:
            info = await asyncio.wait_for(self.client.conversations_info(channel=channel_id), MEMBERSHIP_WAIT)
        except SlackApiError as exc:
            return exc.response.get("error") != "channel_not_found"  # a private channel the bot is not in
        except (OSError, TimeoutError):
            return True
        return (info.get("channel") or {}).get("is_member") is not False

    async def _later(self, who: Invocation, name: str, text: str, respond: Any) -> None:
        try:
            answer = await self.commands.handle(who, name, text)
            if answer.paper is None:
                await respond(text=render.escape(answer.text), response_type="ephemeral")
            else:  # in the digest's thread when the paper is in it, else in the channel
                await deliver(self, self.store, who.channel_id, answer)
        except Exception as exc:  # a background task has nobody else to tell but the person who asked
            log.error("answering /%s in %s failed: %s", name, who.channel_id, exc)
            # the ack promised a post in the channel: say why none comes (e.g. the bot is not invited);
            # response_url works even where the bot is not a member
            try:
                await respond(text=render.escape(not_posted(name, exc)), response_type="ephemeral")
            except Exception as again:
                log.error("telling the user about it failed too: %s", again)

    async def _on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message" or not self.store.first_time(str(body.get("event_id"))):
            return  # Slack retries deliver the same event_id again
        channel, reaction = str(item.get("channel")), str(event.get("reaction"))
        apply = marks.react if marks.is_down(reaction) else votes.react  # 👎 marks "not for us", it is no vote
        paper = apply(self.store, "slack", channel, str(item.get("ts")), reaction, str(event.get("user")),
                      added=event.get("type") == "reaction_added")
        self.refresher.voted(channel, paper)

    async def _on_vote_button(self, ack: Any, body: dict[str, Any]) -> None:
        """A 👍 N button of the quick view (block_actions, verified like every request): toggles the vote."""
        await ack()
        action = (body.get("actions") or [{}])[0]
        match = ACTION.fullmatch(str(action.get("action_id", "")))
        channel = str((body.get("channel") or {}).get("id", ""))
        ts = str((body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts", ""))
        user = str((body.get("user") or {}).get("id", ""))
        paper = votes.listed_index(self.store, "slack", channel, ts, int(match[1])) if match else None
        if paper is None or not user:
            return
        votes.toggle(self.store, "slack", channel, paper, user)
        self.refresher.voted(channel, paper)

    async def _on_mark_button(self, ack: Any, body: dict[str, Any]) -> None:
        """A 👎 N button of the quick view: toggles the person's "not for us" mark on the N-th paper."""
        await ack()
        action = (body.get("actions") or [{}])[0]
        match = DOWN_ACTION.fullmatch(str(action.get("action_id", "")))
        channel = str((body.get("channel") or {}).get("id", ""))
        ts = str((body.get("message") or {}).get("ts") or (body.get("container") or {}).get("message_ts", ""))
        user = str((body.get("user") or {}).get("id", ""))
        pressed = marks.press(self.store, "slack", channel, ts, int(match[1]), user) if match else None
        if pressed is not None:
            self.refresher.voted(channel, pressed[0])
