"""Feishu against the loopback fake: the morning card and its thread, commands, votes and rate limits."""

from __future__ import annotations

import json
import logging
from typing import Any

import httpx
import pytest

from analysis.errors import ChatError
from bot.feishu import cards
from bot.shared.posting import post_digest
from tests.chat_harness import Harness, running
from tests.fakes import feishu as lark
from tests.fakes.feishu import BOT_OPEN_ID, FakeFeishu
from tests.fakes.llm import FakeLLM
from tests.helpers import until

CHAT = lark.chat_id(1)
MANAGER, MEMBER = "ou_" + "a" * 32, "ou_" + "b" * 32


async def deliver(h: Harness, event_type: str, event: dict[str, Any], key: str | None = None,
                  event_id: str | None = None, **kw: Any) -> httpx.Response:
    body, headers = lark.request(lark.envelope(event_type, event, event_id=event_id), key, **kw)
    return await h.http.post("/feishu/events", content=body, headers=headers)


async def say(h: Harness, feishu: FakeFeishu, text: str, user: str = MANAGER, **kw: Any) -> httpx.Response:
    return await deliver(h, "im.message.receive_v1", feishu.heard(lark.message_event(CHAT, text, user, **kw)))


async def posted(h: Harness, threshold: int = 0) -> str:
    channel = h.store.upsert_channel("feishu", CHAT, threshold=threshold, post_time="08:30", timezone="UTC")
    outcome = await post_digest(h.adapters["feishu"], h.store, channel, await h.digest())
    assert "posted the digest" in outcome, outcome
    return str(h.store.last_post("feishu", CHAT)["quick_view_ref"])  # type: ignore[index]


def texts(feishu: FakeFeishu) -> list[str]:
    return [m["content"].get("text") or cards.card_text(m["content"]) for m in feishu.in_chat(CHAT)]


async def test_the_digest_is_one_card_and_one_threaded_reply_per_selected_paper(
        env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    async with running() as h:
        ref = await posted(h, threshold=0)
        digest = (await h.digest()).with_threshold(0)
        card = feishu.message(ref)
        assert card is not None and card["msg_type"] == "interactive" and card["root_id"] is None
        text = cards.card_text(card["content"])
        assert digest.title in text and "👍 1" in text and "arxiv.org/abs/" in text and "另扫描了" in text
        buttons = [b for e in card["content"]["elements"] if e["tag"] == "action" for b in e["actions"]]
        assert len(buttons) == 2 * len(digest.quick_items())  # 👍 N and 👎 N for every listed paper
        assert [b["value"]["paperbot"] for b in buttons[:2]] == ["vote", "down"]
        replies = feishu.thread(ref)
        assert len(replies) == len(digest.selected()) > 0  # one card each: no deep dive needed a second one
        again = await post_digest(h.adapters["feishu"], h.store, h.store.get_channel("feishu", CHAT), digest)
        assert "already posted" in again and len(feishu.in_chat(CHAT)) == 1 + len(replies)
        assert h.adapters["feishu"].bot_open_id == BOT_OPEN_ID
        assert json.loads(card["raw"])["config"]["update_multi"] is True


async def test_threshold_is_for_the_groups_owner_and_managers(env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    feishu.chats[CHAT] = {"managers": [MANAGER], "members": [MEMBER]}
    async with running() as h:
        assert (await say(h, feishu, "/threshold 70")).status_code == 200
        await until(lambda: len(feishu.in_chat(CHAT)) == 1)
        assert h.store.get_channel("feishu", CHAT).threshold == 70  # type: ignore[union-attr]
        await say(h, feishu, "/threshold 20", user=MEMBER)
        await until(lambda: len(feishu.in_chat(CHAT)) == 2)
        assert h.store.get_channel("feishu", CHAT).threshold == 70  # type: ignore[union-attr]
        assert "Only chat administrators" in texts(feishu)[1]
        assert feishu.chat_gets == 1  # the managers are remembered for a few minutes
    command, answer = feishu.in_chat(CHAT)[0]["parent_id"], feishu.in_chat(CHAT)[0]
    assert command and answer["in_thread"] is False and "Threshold set to 70" in answer["content"]["text"]


async def test_only_commands_meant_for_the_bot_are_answered(env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    async with running() as h:
        await say(h, feishu, "/status", mention_bot=False)  # a group message that does not mention the bot
        await say(h, feishu, "good morning")  # a mention that is no command
        await say(h, feishu, "/help", MEMBER, p2p=True, mention_bot=False)
        await until(lambda: len(feishu.in_chat(CHAT)) == 1)
        assert feishu.in_chat(CHAT)[0]["content"]["text"].startswith("paperbot commands:")
        await say(h, feishu, "/status", user=MEMBER)  # anyone may ask for the status
        await until(lambda: len(feishu.in_chat(CHAT)) == 2)
    assert "Not subscribed here" in texts(feishu)[1]


async def test_deepdive_of_a_listed_paper_answers_in_the_cards_thread(llm_env: dict, feishu_env: dict,
                                                                      feishu: FakeFeishu, llm: FakeLLM) -> None:
    async with running() as h:
        ref = await posted(h, threshold=60)
        last = (await h.digest()).items[-1].paper.arxiv_id  # listed but not selected
        before = len(feishu.thread(ref))
        await say(h, feishu, f"/deepdive {last}", user=MEMBER)
        await until(lambda: len(feishu.thread(ref)) > before)
        await h.adapters["feishu"].inbound.background.settle()
    answer = feishu.thread(ref)[-1]
    assert last in cards.card_text(answer["content"]) and answer["msg_type"] == "interactive"


async def test_a_thumbsup_on_a_deep_dive_votes_once_and_patches_the_card(env: dict, feishu_env: dict,
                                                                         feishu: FakeFeishu) -> None:
    async with running() as h:
        ref = await posted(h, threshold=0)
        dive = feishu.thread(ref)[0]
        event = lark.reaction_event(dive["message_id"], "THUMBSUP", MEMBER)
        for _ in range(2):  # Feishu retries an event it thinks unanswered: the same event id
            answer = await deliver(h, "im.message.reaction.created_v1", event, event_id="ev-thumbs-1")
            assert answer.status_code == 200
        await deliver(h, "im.message.reaction.created_v1", lark.reaction_event(dive["message_id"], "FIRE", MEMBER))
        await until(lambda: bool(feishu.patches))
        paper = h.store.find_message("feishu", CHAT, dive["message_id"])["arxiv_id"]  # type: ignore[index]
        assert h.store.vote_counts("feishu", CHAT) == {paper: 1}
        await deliver(h, "im.message.reaction.created_v1",
                      lark.reaction_event(dive["message_id"], "THUMBSDOWN", MANAGER))
        await deliver(h, "im.message.reaction.created_v1", lark.reaction_event(ref, "SMILE", MANAGER))
        await deliver(h, "im.message.reaction.deleted_v1",
                      lark.reaction_event(dive["message_id"], "THUMBSUP", MEMBER, added=False), event_id="ev-last")
        await until(lambda: h.store.first_time("feishu:ev-last") is False and not h.adapters["feishu"].busy())
        assert h.store.vote_counts("feishu", CHAT) == {paper: 1}  # 🔥 still stands; 👎 and 😄 are no votes
        assert h.store.mark_counts("feishu", CHAT) == {paper: 1}  # 👎 is the manager's "not for us" mark
    assert "· 1" in cards.card_text(feishu.patches[-1]["card"])


async def test_a_vote_button_toggles_and_a_retried_press_counts_once(env: dict, feishu_env: dict,
                                                                     feishu: FakeFeishu) -> None:
    async with running() as h:
        ref = await posted(h)
        first = (await h.digest()).quick_items()[1].paper.arxiv_id
        press = lark.card_action(CHAT, ref, MEMBER, {"paperbot": "vote", "index": 1})
        answers = [await deliver(h, "card.action.trigger", press, event_id="press-1") for _ in range(2)]
        assert "已为" in answers[0].json()["toast"]["content"] and answers[1].json() == {"msg": "success"}
        assert h.store.vote_counts("feishu", CHAT) == {first: 1}
        await until(lambda: bool(feishu.patches))
        assert "👍 2 · 1" in cards.card_text(feishu.patches[-1]["card"])
        again = await deliver(h, "card.action.trigger", press)
        assert "撤回" in again.json()["toast"]["content"] and h.store.vote_counts("feishu", CHAT) == {}
        stray = await deliver(h, "card.action.trigger", lark.card_action(CHAT, ref, MEMBER, {"key": "value"}))
        assert stray.status_code == 200 and h.store.vote_counts("feishu", CHAT) == {}
        down = await deliver(h, "card.action.trigger",
                             lark.card_action(CHAT, ref, MANAGER, {"paperbot": "down", "index": 1}))
        assert "不适合我们" in down.json()["toast"]["content"] and h.store.mark_counts("feishu", CHAT) == {first: 1}
        await until(lambda: any("👎 2 · 1" in cards.card_text(p["card"]) for p in feishu.patches))


async def test_forty_chats_are_posted_within_feishus_limits_without_loss(env: dict, feishu_env: dict,
                                                                         feishu: FakeFeishu,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.shared.posting import post_to_channels

    monkeypatch.setenv("PAPERBOT_MAX_DEEP_DIVES", "1")
    chats = [lark.chat_id(n) for n in range(40)]
    feishu.fail_next(429, lark.fixture("api_error_rate_limit_429.docs-transcribed.json"), path="/im/v1/messages",
                     headers={"x-ogw-ratelimit-reset": "1"})  # one answer of the real rate limit on top
    async with running(listen=False) as h:
        channels = [h.store.upsert_channel("feishu", c, threshold=0, post_time="08:30", timezone="UTC")
                    for c in chats]
        outcomes = await post_to_channels(h.adapters, h.store, channels, await h.digest())
    assert all("with 1 deep dive(s)" in o for o in outcomes), outcomes
    for chat in chats:  # every chat got its card and the deep dive in the card's thread
        card, dive = feishu.in_chat(chat)
        assert card["msg_type"] == "interactive" and dive["root_id"] == card["message_id"] and dive["in_thread"]


async def test_the_token_is_renewed_before_it_expires_and_after_a_revocation(
        env: dict, feishu_env: dict, feishu: FakeFeishu, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(listen=False) as h:
        api = h.adapters["feishu"].api
        assert feishu.token_requests == 1  # one token for start, the bot's identity and everything after
        await api.send(CHAT, "text", {"text": "one"})
        feishu.revoke_tokens()  # Feishu refuses the token (99991663): fetched once more, the send succeeds
        await api.send(CHAT, "text", {"text": "two"})
        assert feishu.token_requests == 2
        feishu.token_expire = 1  # the next token lives a second...
        feishu.revoke_tokens()
        await api.send(CHAT, "text", {"text": "three"})
        assert feishu.token_requests == 3 and feishu.token_refusals == 2
        while feishu.token_requests == 3:  # ...and is renewed before Feishu refuses it
            await api.send(CHAT, "text", {"text": "again"})
        assert feishu.token_refusals == 2 and len(feishu.in_chat(CHAT)) >= 4
    tokens = {c.headers.get("Authorization", "") for c in feishu.calls if "Authorization" in c.headers}
    assert all(token.split()[-1] not in record.getMessage() for token in tokens for record in caplog.records)


@pytest.mark.parametrize(("unset", "value", "fragment"), [
    ("FEISHU_VERIFICATION_TOKEN", None, "FEISHU_VERIFICATION_TOKEN is missing"),
    ("FEISHU_APP_SECRET", "wrong-secret", "Feishu refused FEISHU_APP_ID / FEISHU_APP_SECRET (code 10014)"),
    ("FEISHU_API_URL", "http://open.feishu.example", "FEISHU_API_URL=http://open.feishu.example is refused"),
    ("FEISHU_API_URL", "http://127.0.0.1:1", "could not reach Feishu at FEISHU_API_URL for the tenant token"),
])
async def test_a_feishu_that_cannot_start_is_down_with_one_line(env: dict, feishu_env: dict, feishu: FakeFeishu,
                                                                monkeypatch: pytest.MonkeyPatch, unset: str,
                                                                value: str | None, fragment: str) -> None:
    if value is None:
        monkeypatch.delenv(unset)
    else:
        monkeypatch.setenv(unset, value)
    async with running(listen=False) as h:
        why = h.adapters.failed["feishu"]  # type: ignore[attr-defined]
    assert "feishu" not in h.adapters and why.startswith(fragment) and "\n" not in why
    assert "wrong-secret" not in why


async def test_a_resumed_digest_message_is_not_sent_twice(env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    async with running(listen=False) as h:
        ref = await posted(h, threshold=0)
        digest = (await h.digest()).with_threshold(0)
        sent = len(feishu.in_chat(CHAT))
        # a process that died after Feishu took a deep dive but before its id was stored sends it again
        again = await h.adapters["feishu"].post_deep_dive(CHAT, ref, digest.selected()[0], 1)
    assert again == [feishu.thread(ref)[0]["message_id"]] and len(feishu.in_chat(CHAT)) == sent


async def test_a_chat_the_bot_left_is_unsubscribed_and_a_chat_rate_limit_waited_out(
        env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    gone, busy = lark.chat_id(8), lark.chat_id(9)
    feishu.gone.add(gone)
    feishu.fail_next(400, {"code": 230020, "msg": "This operation triggers the frequency limit."},
                     path="/im/v1/messages", headers={"x-ogw-ratelimit-reset": "0.5"})
    async with running(listen=False) as h:
        channels = [h.store.upsert_channel("feishu", c, threshold=90, post_time="08:30", timezone="UTC")
                    for c in (busy, gone)]
        from bot.shared.posting import post_to_channels

        outcomes = await post_to_channels(h.adapters, h.store, channels, await h.digest())
        left = h.store.get_channel("feishu", gone)
    assert "posted the digest" in outcomes[0] and len(feishu.in_chat(busy)) >= 1
    assert "code 230002" in outcomes[1] and "add it to the group" in outcomes[1]
    assert left is not None and not left.active


async def test_ask_in_reply_to_a_deep_dive_may_leave_out_the_id(llm_env: dict, feishu_env: dict,
                                                                feishu: FakeFeishu, llm: FakeLLM) -> None:
    async with running() as h:
        ref = await posted(h, threshold=0)
        dive = feishu.thread(ref)[0]
        event = lark.message_event(CHAT, "/ask Which datasets?", MEMBER, thread_id=dive["thread_id"])
        event["message"].update(parent_id=dive["message_id"], root_id=ref)
        await deliver(h, "im.message.receive_v1", feishu.heard(event))
        await until(lambda: any(m["parent_id"] == event["message"]["message_id"] for m in feishu.messages), 20)
    answer = next(m for m in feishu.messages if m["parent_id"] == event["message"]["message_id"])
    paper = h.store.find_message("feishu", CHAT, dive["message_id"])["arxiv_id"]  # type: ignore[index]
    assert answer["msg_type"] == "interactive" and answer["in_thread"]
    assert "Which datasets?" in cards.card_text(answer["content"]) and str(paper) in cards.card_text(answer["content"])


async def test_a_proxys_html_error_page_is_one_line(env: dict, feishu_env: dict, feishu: FakeFeishu) -> None:
    feishu.fail_next(502, "<html><body>502 Bad Gateway</body></html>", path="/im/v1/messages")
    async with running(listen=False) as h:
        channel = h.store.upsert_channel("feishu", CHAT, threshold=60, post_time="08:30", timezone="UTC")
        with pytest.raises(ChatError, match=r"^Feishu's answer to a message to oc_\w+ was not JSON .* FEISHU_API_URL"):
            await post_digest(h.adapters["feishu"], h.store, channel, await h.digest())
        assert h.store.post_status("feishu", CHAT, "2026-01-23") is None  # released: the next run posts it
