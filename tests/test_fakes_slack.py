"""The Slack fake, driven by the real slack_sdk: if these pass, a failure in a paperbot test is
paperbot's, not the fake's."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes.hf import FIXTURES
from tests.fakes.slack import FakeSlack, reaction_event, sign, slash_command_body

CHANNEL = "C0PAPERS"


def web_client(slack: FakeSlack, token: str | None = None, retries: int = 0) -> AsyncWebClient:
    handlers = [AsyncRateLimitErrorRetryHandler(max_retry_count=retries)] if retries else []
    return AsyncWebClient(token=token or slack.token, base_url=slack.url + "/api/", retry_handlers=handlers)


async def test_slack_auth_test_and_bad_tokens(slack: FakeSlack) -> None:
    answer = await web_client(slack).auth_test()
    assert (answer["user_id"], answer["team_id"], answer["bot_id"]) == ("UBOT", "T0001", "B0001")
    with pytest.raises(SlackApiError) as refused:
        await web_client(slack, token="xoxb-wrong").chat_postMessage(channel=CHANNEL, text="hi")
    assert refused.value.response["error"] == "invalid_auth" and slack.messages == []
    async with httpx.AsyncClient() as http:  # no token at all
        assert (await http.post(slack.url + "/api/auth.test")).json() == {"ok": False, "error": "invalid_auth"}


async def test_slack_posts_threads_and_increasing_ts(slack: FakeSlack) -> None:
    client = web_client(slack)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Quick view*"}}]
    parent = await client.chat_postMessage(channel=CHANNEL, text="digest", blocks=blocks)
    reply = await client.chat_postMessage(channel=CHANNEL, text="deep dive", thread_ts=parent["ts"])
    elsewhere = await client.chat_postMessage(channel="C0OTHER", text="other")
    assert parent["message"]["blocks"] == blocks and reply["message"]["thread_ts"] == parent["ts"]
    stamps = [parent["ts"], reply["ts"], elsewhere["ts"]]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3 and float(stamps[0]) < float(stamps[2])
    assert [m["text"] for m in slack.messages_in(CHANNEL)] == ["digest", "deep dive"]
    assert [m["ts"] for m in slack.thread(CHANNEL, parent["ts"])] == [reply["ts"]]
    assert slack.calls_to("chat.postMessage")[0].headers["Content-Type"].startswith("application/json")


async def test_slack_form_body_blocks_arrive_as_a_json_string(slack: FakeSlack) -> None:
    blocks = [{"type": "divider"}, {"type": "section", "text": {"type": "plain_text", "text": "x"}}]
    answer = await web_client(slack).api_call("chat.postMessage", data={
        "channel": CHANNEL, "text": "form", "blocks": json.dumps(blocks)})
    assert answer["ok"] and slack.messages_in(CHANNEL)[0]["blocks"] == blocks


async def test_slack_get_and_query_string_methods(slack: FakeSlack) -> None:
    client = web_client(slack)
    posted = await client.chat_postMessage(channel=CHANNEL, text="hello")
    slack.add_user("U0BOSS", "boss", is_admin=True)
    assert (await client.users_info(user="U0BOSS"))["user"]["is_admin"] is True
    assert (await client.conversations_info(channel=CHANNEL))["channel"]["id"] == CHANNEL
    link = await client.chat_getPermalink(channel=CHANNEL, message_ts=posted["ts"])
    assert link["permalink"].endswith(posted["ts"].replace(".", ""))
    await client.reactions_add(channel=CHANNEL, timestamp=posted["ts"], name="eyes")
    assert slack.reactions == [{"channel": CHANNEL, "ts": posted["ts"], "name": "eyes"}]
    with pytest.raises(SlackApiError, match="already_reacted"):
        await client.reactions_add(channel=CHANNEL, timestamp=posted["ts"], name="eyes")
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_getPermalink(channel=CHANNEL, message_ts="1.000000")
    with pytest.raises(SlackApiError, match="unknown_method"):
        await client.api_call("papers.fetch")


async def test_slack_refuses_what_slack_refuses(slack: FakeSlack) -> None:
    client = web_client(slack)
    slack.fail_channel(CHANNEL, "not_in_channel")
    with pytest.raises(SlackApiError, match="not_in_channel"):
        await client.chat_postMessage(channel=CHANNEL, text="hi")
    slack.fail_channel(CHANNEL, None)
    assert (await client.chat_postMessage(channel=CHANNEL, text="hi"))["ok"]
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await client.chat_postMessage(channel=CHANNEL, text="x" * 40_001)
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "y" * 3001}}]
    with pytest.raises(SlackApiError) as invalid:
        await client.chat_postMessage(channel=CHANNEL, text="t", blocks=too_long)
    assert invalid.value.response["errors"] == ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        await client.chat_postMessage(channel=CHANNEL, text="t", blocks=[{"type": "divider"}] * 51)
    with pytest.raises(SlackApiError, match="no_text"), pytest.warns(UserWarning, match="`text` argument"):
        await client.chat_postMessage(channel=CHANNEL)
    assert len(slack.messages_in(CHANNEL)) == 1


async def test_slack_ephemeral_and_update(slack: FakeSlack) -> None:
    client = web_client(slack)
    await client.chat_postEphemeral(channel=CHANNEL, user="U0ALICE", text="only you")
    posted = await client.chat_postMessage(channel=CHANNEL, text="draft")
    updated = await client.chat_update(channel=CHANNEL, ts=posted["ts"], text="final")
    assert updated["message"]["text"] == "final"
    assert [m["text"] for m in slack.messages_in(CHANNEL)] == ["final"]
    assert [m["text"] for m in slack.ephemeral(CHANNEL, "U0ALICE")] == ["only you"]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel=CHANNEL, ts="1.000000", text="nope")


async def test_slack_429_is_waited_out_by_the_retry_handler(slack: FakeSlack) -> None:
    slack.fail_next(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"}, path="chat.postMessage")
    with pytest.raises(SlackApiError) as limited:  # without a handler the 429 surfaces
        await web_client(slack).chat_postMessage(channel=CHANNEL, text="first")
    assert limited.value.response.status_code == 429 and limited.value.response.headers["Retry-After"] == "1"
    slack.fail_next(429, {"ok": False, "error": "ratelimited"}, headers={"Retry-After": "1"}, path="chat.postMessage")
    started = time.monotonic()
    answer = await web_client(slack, retries=1).chat_postMessage(channel=CHANNEL, text="second")
    assert answer["ok"] and time.monotonic() - started >= 1.0
    assert len(slack.calls_to("chat.postMessage")) == 3
    assert [m["text"] for m in slack.messages_in(CHANNEL)] == ["second"]


async def test_slack_response_url_records_what_it_receives(slack: FakeSlack) -> None:
    answer = await AsyncWebhookClient(slack.response_url("cmd-1")).send(text="working on it",
                                                                        response_type="ephemeral")
    assert answer.status_code == 200 and answer.body == "ok"
    assert slack.responses_for("cmd-1") == [{"key": "cmd-1", "text": "working on it", "response_type": "ephemeral"}]


def test_slack_sign_matches_the_docs_vector() -> None:
    vector = json.loads((FIXTURES / "slack_signing_vector_docs.json").read_text())
    body = (FIXTURES / vector["body_file"]).read_bytes()
    headers = sign(vector["signing_secret"], body, int(vector["headers"]["X-Slack-Request-Timestamp"]))
    assert headers["X-Slack-Signature"] == vector["expected_signature"]
    assert headers["X-Slack-Request-Timestamp"] == "1531420618"
    fresh = sign("another-secret", b"a=1")  # now: slack_sdk's own verifier accepts it
    assert SignatureVerifier("another-secret").is_valid_request(b"a=1", fresh)
    assert not SignatureVerifier("another-secret").is_valid_request(b"a=2", fresh)


def test_slash_command_body_has_the_captured_shape() -> None:
    captured = (FIXTURES / "slack_slash_command_body_bolt-python.txt").read_bytes()
    rebuilt = slash_command_body(
        "/hello-world", "Hi", "C111", "W111", "https://hooks.slack.com/commands/T111/111/xxxxx",
        trigger_id="111.111.xxx", team_id="T111", team_domain="test-domain", channel_name="random",
        user_name="primary-owner", token="verification_token", enterprise_id="E111", enterprise_name="Org Name",
        api_app_id=None)
    assert rebuilt == captured
    fields = parse_qs(slash_command_body("/deepdive", "2601.14256 now", response_url="http://r/1").decode())
    assert fields["command"] == ["/deepdive"] and fields["text"] == ["2601.14256 now"]
    assert fields["response_url"] == ["http://r/1"] and fields["api_app_id"] == ["A0001"]


def test_reaction_event_has_the_captured_shape() -> None:
    captured = json.loads((FIXTURES / "slack_event_reaction_added_bolt-python.json").read_text())
    built = reaction_event("heart_eyes", "C111", "1599529504.000400", "W111", "Ev111", enterprise_id="E111")
    assert set(captured) <= set(built) and set(captured["event"]) == set(built["event"])
    assert built["event"]["item"] == captured["event"]["item"] and built["event"]["type"] == "reaction_added"
    assert reaction_event("fire", CHANNEL, "1.2", added=False)["event"]["type"] == "reaction_removed"
