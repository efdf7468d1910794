"""Slack through slack-bolt: posting digests, slash commands and reaction votes.

HTTP mode mounts `POST /slack/events` on serve's aiohttp app (bolt verifies every signature and
refuses requests older than five minutes); with SLACK_APP_TOKEN it runs in Socket Mode instead.
"""

from __future__ import annotations

import asyncio
import logging
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
from bot.config import Settings
from bot.shared.commands import Commands
from bot.shared.inbound import Inbound
from bot.slack import handlers, render
from bot.slack.reactions import REACTIONS
from bot.slack.signing import REFUSED, plausible_timestamp
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


class SlackAdapter:
    platform: Platform = "slack"

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
        # chat.update is Tier 3 (about 50 a minute): the Inbound's refresher redraws at most every 3 s a message
        self.inbound = Inbound(self, store, commands, REACTIONS)
        handlers.register(self)

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
        return [await self._post(channel_id, render.paper_answer(paper, question, answer), thread_ref)]

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
        return self.inbound.busy()

    async def close(self) -> None:
        await self.inbound.close(self.stop_listening)

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
        if not plausible_timestamp(request.headers.get("X-Slack-Request-Timestamp")):
            log.info("refused a request to %s: X-Slack-Request-Timestamp is no Unix time", request.path)
            return web.json_response(REFUSED, status=401)
        return await to_aiohttp_response(await self.app.async_dispatch(await to_bolt_request(request)))
