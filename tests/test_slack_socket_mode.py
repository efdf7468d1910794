"""Slack in Socket Mode (SLACK_APP_TOKEN set): the same commands and votes, over a websocket to the fake,
with slack_sdk's real Socket Mode client under bolt."""

import pytest

from tests.chat_harness import running
from tests.fakes.slack import FakeSlack, reaction_event, slash_command_body
from tests.helpers import until

CHANNEL = "C0PAPERS"


async def test_commands_and_votes_arrive_over_the_socket(env: dict, slack_env: dict, slack: FakeSlack,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", slack.socket_mode.app_token)
    socket = slack.socket_mode
    async with running() as h:
        await until(lambda: socket.connected)
        assert (await h.http.post("/slack/events", content=b"{}")).status_code == 404  # no HTTP endpoint
        threshold = socket.push_command(slash_command_body("/threshold", "70", channel_id=CHANNEL))
        await until(lambda: socket.ack(threshold))
        channel = h.store.get_channel("slack", CHANNEL)
        assert channel is not None and channel.threshold == 70
        deepdive = socket.push_command(slash_command_body("/deepdive", "2601.15621", channel_id=CHANNEL,
                                                          response_url=slack.response_url("dd")))
        await until(lambda: slack.messages_in(CHANNEL))
        answer = slack.messages_in(CHANNEL)[0]
        vote = socket.push("events_api", reaction_event("+1", CHANNEL, answer["ts"], event_id="EvSocket1"))
        await until(lambda: h.store.vote_counts("slack", CHANNEL).get("2601.15621") == 1)
        await until(lambda: socket.ack(vote))
    acks = [socket.ack(threshold), socket.ack(deepdive)]
    assert "Threshold set to 70" in acks[0]["payload"]["text"]  # type: ignore[index]
    assert "Reading 2601.15621" in acks[1]["payload"]["text"] and "Qwen3-TTS" in answer["text"]  # type: ignore[index]
    await until(lambda: not socket.connected)  # closed with the adapter
    assert socket.connections == 1
