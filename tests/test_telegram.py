"""Telegram end to end: real python-telegram-bot against the loopback fake Bot API, which refuses bad
HTML and over-long messages the way Telegram does."""

import copy
import logging
import time
from typing import Any

import pytest

from bot.shared.posting import post_digest
from bot.telegram.updates import parse_command
from tests.chat_harness import Harness, running
from tests.fakes.llm import FakeLLM
from tests.fakes.telegram import FakeTelegram, load_update, utf16_len, visible_text
from tests.helpers import until

GROUP = -1001234567890
ALICE, BOB = 42, 43


def subscribe(h: Harness, threshold: int = 60, chat: int = GROUP) -> Any:
    return h.store.upsert_channel("telegram", str(chat), threshold=threshold, post_time="08:30", timezone="UTC")


def message(text: str, *, chat: int = GROUP, user: int = ALICE, entities: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_id": int(time.time() * 1000) % 10**9, "date": int(time.time()), "text": text,
        "chat": {"id": chat, "type": "supergroup" if chat < 0 else "private", "title": "papers"},
        "from": {"id": user, "is_bot": False, "first_name": "Alice"},
    }
    if entities and text.startswith("/"):
        body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": body}


async def replies_after(telegram: FakeTelegram, count: int, chat: int = GROUP) -> list[dict[str, Any]]:
    await until(lambda: len(telegram.sent_to(chat)) > count)
    return telegram.sent_to(chat)[count:]


async def first_deep_dive(h: Harness, telegram: FakeTelegram) -> tuple[str, int]:
    """Post a day where every paper gets a deep dive: the first one's paper and message id."""
    digest = await h.digest(thresholds=(0,))
    await post_digest(h.adapters["telegram"], h.store, subscribe(h, threshold=0), digest)
    return digest.selected(0)[0].paper.arxiv_id, telegram.sent_to(GROUP)[1]["message_id"]


def logged(caplog: pytest.LogCaptureFixture, text: str) -> int:
    """How many of paperbot's log lines so far say `text` (an update handled and dropped says so)."""
    return sum(text in record.getMessage() for record in caplog.records)


@pytest.fixture
def dropped(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="bot")
    return caplog


def test_commands_for_this_bot_only() -> None:
    assert parse_command("/threshold 70", "paperbot_test_bot") == ("threshold", "70")
    assert parse_command("/threshold@paperbot_test_bot 70", "paperbot_test_bot") == ("threshold", "70")
    assert parse_command("/threshold@OtherBot 70", "paperbot_test_bot") is None
    assert parse_command("/deepdive  2601.14256 ", "x_bot") == ("deepdive", "2601.14256")
    assert parse_command("hello /threshold 70", "x_bot") is None


async def test_post_quick_view_replies_and_vote_buttons(llm_env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                        llm: FakeLLM) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        outcome = await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
    sent = telegram.sent_to(GROUP)
    quick = sent[0]
    assert "posted the digest" in outcome and quick["parse_mode"] == "HTML" and quick["reply_to"] is None
    # the best PAPERBOT_TOP_N (15) of the 27 scanned, a vote button each; then how many more, and /deepdive
    assert [item.paper.arxiv_id in quick["text"] for item in digest.items] == [True] * 15 + [False] * 12
    assert "另扫描了 12 篇" in quick["text"] and "/deepdive &lt;arXiv id&gt;" in quick["text"]
    buttons = [b for row in quick["reply_markup"]["inline_keyboard"] for b in row]
    # rows of 👍 N (eight a row), each with its row of 👎 N ("not for us") beneath
    rows = [range(8), range(8, 15)]
    assert [b["callback_data"] for b in buttons] == [f"{kind}:{i}" for row in rows for kind in "vd" for i in row]
    # each deep dive: HF's thumbnail with a short caption, then the dive
    photos = [m for m in sent if "photo" in m]
    assert len(sent) == 1 + 2 * len(digest.selected()) and len(photos) == len(digest.selected())
    assert all(sent[sent.index(p) + 1]["visible"].startswith(p["visible"][:30]) for p in photos)
    assert [p["photo"] for p in photos] == [item.paper.thumbnail for item in digest.selected()]
    assert all(m["reply_to"] == quick["message_id"] for m in sent[1:])


async def test_titles_with_markup_characters_are_escaped(env: dict, telegram_env: dict,
                                                         telegram: FakeTelegram) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        digest.items[0].paper.title = "Fast <b>Diffusion</b> & Flow <script>alert(1)</script> `x` *y* _z_ \u200f"
        await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
    quick = telegram.sent_to(GROUP)[0]
    assert "Fast <b>Diffusion</b> & Flow <script>" in visible_text(quick["text"])  # shown, not interpreted
    assert "&lt;script&gt;" in quick["text"]


async def test_a_9000_character_deep_dive_is_split_into_valid_parts(llm_env: dict, telegram_env: dict,
                                                                    telegram: FakeTelegram, llm: FakeLLM) -> None:
    llm.deep_dive_size = 9000
    async with running(listen=False) as h:
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
    replies = telegram.sent_to(GROUP)[1:]
    assert len(replies) >= 2 * len(digest.selected())  # the fake refuses > 4096 and bad HTML, so each part is valid
    assert all(utf16_len(visible_text(m["text"])) <= 4096 for m in replies)


async def test_a_rerun_sends_nothing(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    async with running(listen=False) as h:
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
        count = len(telegram.sent)
        assert "already posted" in await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
    assert len(telegram.sent) == count


async def test_threshold_in_groups_is_for_admins(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                 dropped: pytest.LogCaptureFixture) -> None:
    telegram.add_admin(GROUP, ALICE)
    async with running() as h:
        telegram.push_update(message("/threshold 70", user=BOB))
        refused = await replies_after(telegram, 0)
        telegram.push_update(message("/threshold@paperbot_test_bot 70", user=ALICE))
        accepted = await replies_after(telegram, 1)
        telegram.push_update(message("/threshold@OtherBot 10", user=ALICE))
        telegram.push_update(message("/threshold abc", user=ALICE))
        await until(lambda: logged(dropped, "is no command for this bot") >= 1)
        bad = await replies_after(telegram, 2)
        channel = h.store.get_channel("telegram", str(GROUP))
    assert "Only chat administrators" in refused[0]["text"]
    assert "Threshold set to 70" in accepted[0]["text"]
    assert len(bad) == 1 and "'abc' is not a threshold" in bad[0]["text"]  # the other bot's command was ignored
    assert channel is not None and channel.threshold == 70
    assert set(telegram.allowed_updates or []) >= {"message", "message_reaction", "message_reaction_count",
                                                    "callback_query"}


async def test_start_without_entities_in_a_private_chat(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    update = load_update("private_start_official-webhooks-doc")
    update["message"]["from"]["is_bot"] = False  # 2015's example predates the field; PTB requires it
    async with running() as h:
        assert h.commands is not None
        telegram.push_update(update)
        answer = await replies_after(telegram, 0, chat=1111111)
    assert "/deepdive" in answer[0]["text"] and answer[0]["reply_to"] == 1365
    assert [c["command"] for c in telegram.commands][:2] == ["deepdive", "threshold"]


async def test_deepdive_good_and_bad(llm_env: dict, telegram_env: dict, telegram: FakeTelegram, llm: FakeLLM) -> None:
    async with running() as h:
        assert h.commands is not None
        telegram.push_update(message("/deepdive 1234", entities=False))
        bad = await replies_after(telegram, 0)
        telegram.push_update(message("/deepdive https://huggingface.co/papers/2601.15621"))
        good = await replies_after(telegram, 1)
    assert "'1234' is not an arXiv id" in bad[0]["text"] and "\n" not in visible_text(bad[0]["text"])
    assert "Qwen3-TTS" in good[0]["text"] and "核心创新点" in good[0]["text"]


async def test_reactions_vote_and_take_back(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                            dropped: pytest.LogCaptureFixture) -> None:
    async with running() as h:
        paper, dive_id = await first_deep_dive(h, telegram)
        added = copy.deepcopy(load_update("message_reaction_user_supergroup_teloxide"))
        added["message_reaction"].update(chat={"id": GROUP, "title": "papers", "type": "supergroup"},
                                         message_id=dive_id, new_reaction=[{"type": "emoji", "emoji": "👍"}])
        telegram.push_update(added)
        await until(lambda: h.store.vote_counts("telegram", str(GROUP)).get(paper) == 1)
        anonymous = copy.deepcopy(load_update("message_reaction_anonymous_actor_chat_teloxide"))
        anonymous["message_reaction"].update(chat={"id": GROUP, "title": "papers", "type": "supergroup"},
                                             message_id=dive_id, old_reaction=[],
                                             new_reaction=[{"type": "emoji", "emoji": "❤"}])
        telegram.push_update(anonymous)
        await until(lambda: h.store.vote_counts("telegram", str(GROUP)).get(paper) == 2)
        removed = copy.deepcopy(added)
        removed["message_reaction"].update(old_reaction=[{"type": "emoji", "emoji": "👍"}], new_reaction=[])
        telegram.push_update(removed)
        await until(lambda: h.store.vote_counts("telegram", str(GROUP)).get(paper) == 1)
        hotdog = copy.deepcopy(added)
        hotdog["message_reaction"]["new_reaction"] = [{"type": "emoji", "emoji": "🌭"}]
        telegram.push_update(hotdog)  # not an up-vote emoji
        await until(lambda: logged(dropped, "changed no vote") == 1)
        assert h.store.vote_counts("telegram", str(GROUP)).get(paper) == 1


async def test_channel_reaction_counts_keep_an_anonymous_tally(env: dict, telegram_env: dict,
                                                               telegram: FakeTelegram) -> None:
    channel_id = -1002236736395
    telegram.set_chat(channel_id, "channel")
    async with running() as h:
        digest = await h.digest(thresholds=(0,))
        await post_digest(h.adapters["telegram"], h.store, subscribe(h, threshold=0, chat=channel_id), digest)
        paper = digest.selected(0)[0].paper.arxiv_id
        counted = copy.deepcopy(load_update("message_reaction_count_channel_teloxide"))
        counted["message_reaction_count"]["message_id"] = telegram.sent_to(channel_id)[1]["message_id"]
        counted["message_reaction_count"]["reactions"].append({"type": {"type": "emoji", "emoji": "🔥"},
                                                               "total_count": 3})
        telegram.push_update(counted)
        await until(lambda: h.store.vote_counts("telegram", str(channel_id)).get(paper) == 3)


async def test_vote_buttons_toggle(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    async with running() as h:
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
        quick = telegram.sent_to(GROUP)[0]
        second = digest.items[1].paper.arxiv_id
        press = {"callback_query": {
            "id": "cb1", "from": {"id": ALICE, "is_bot": False, "first_name": "Alice"}, "chat_instance": "ci",
            "data": "v:1", "message": {"message_id": quick["message_id"], "date": int(time.time()),
                                       "chat": {"id": GROUP, "type": "supergroup", "title": "papers"}}}}
        telegram.push_update(press)
        await until(lambda: h.store.vote_counts("telegram", str(GROUP)).get(second) == 1)
        telegram.push_update(press)
        await until(lambda: second not in h.store.vote_counts("telegram", str(GROUP)))
        forged = copy.deepcopy(press)
        forged["callback_query"]["data"] = "v:999"
        telegram.push_update(forged)
        await until(lambda: len(telegram.answers) == 3)
    assert "Voted" in telegram.answers[0]["text"] and "taken back" in telegram.answers[1]["text"]
    assert "no longer votes" in telegram.answers[2]["text"]


async def test_a_429_is_waited_out(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    telegram.flood(retry_after=1)
    async with running(listen=False) as h:
        started = time.monotonic()
        ref = await h.adapters["telegram"].post_text(str(GROUP), "No new papers today <3")
    assert ref and time.monotonic() - started >= 0.9 and len(telegram.calls_to("/sendMessage")) == 2
    assert visible_text(telegram.sent_to(GROUP)[0]["text"]) == "No new papers today <3"


async def test_unparseable_html_is_resent_as_plain_text(env: dict, telegram_env: dict,
                                                       telegram: FakeTelegram) -> None:
    telegram.reject_html_once(GROUP)
    async with running(listen=False) as h:
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
    quick = telegram.sent_to(GROUP)[0]
    assert quick["parse_mode"] is None and "<b>" not in quick["text"]
    assert digest.items[0].paper.arxiv_id in quick["text"]


async def test_a_kicked_bot_unsubscribes_the_chat(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    telegram.fail_chat(GROUP, "Forbidden: bot was kicked from the supergroup chat", code=403)
    async with running(listen=False) as h:
        digest = await h.digest()
        with pytest.raises(Exception, match="kicked"):
            await post_digest(h.adapters["telegram"], h.store, subscribe(h), digest)
        channel = h.store.get_channel("telegram", str(GROUP))
    assert channel is not None and not channel.active


@pytest.mark.parametrize(("header", "status"), [(None, 403), ("wrong", 403), ("s3cret-token", 200)])
async def test_webhook_requires_the_secret(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                           monkeypatch: pytest.MonkeyPatch, header: str | None, status: int) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    async with running() as h:
        headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
        response = await h.http.post("/telegram/hook", json={"update_id": 1, **message("/help", chat=7, user=7)},
                                     headers=headers)
        assert response.status_code == status
        if status == 200:
            answer = await replies_after(telegram, 0, chat=7)
            assert "/deepdive" in answer[0]["text"]
        else:  # a later update with the secret is answered, and it is the only one
            later = {"update_id": 2, **message("/help", chat=7, user=7)}
            response = await h.http.post("/telegram/hook", json=later,
                                         headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            assert response.status_code == 200
            await replies_after(telegram, 0, chat=7)
            assert [m["reply_to"] for m in telegram.sent_to(7)] == [later["message"]["message_id"]]
    assert telegram.webhook["url"] == "https://bot.example.org/telegram/hook"
    assert telegram.webhook["secret_token"] == "s3cret-token"


async def test_a_webhook_body_that_is_no_update_is_a_400(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    async with running() as h:
        headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
        for body in (b"not json", b"[1, 2]", b'{"message": {"text": "no update_id"}}'):
            response = await h.http.post("/telegram/hook", content=body, headers=headers)
            assert response.status_code == 400


def test_the_vote_keyboard_stays_within_telegrams_100_buttons() -> None:
    from bot.telegram.buttons import vote_keyboard

    rows = vote_keyboard(130).inline_keyboard
    assert sum(len(row) for row in rows) == 100 and rows[-1][-1].callback_data == "v:99"


async def test_commands_in_channels_arrive(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    # Channel posts are their own update type: without "channel_post" in allowed_updates Telegram never sends them.
    channel_id = -1002236736395
    telegram.set_chat(channel_id, "channel")
    chat = {"id": channel_id, "type": "channel", "title": "papers"}
    async with running():
        telegram.push_update({"channel_post": {"message_id": 7, "date": int(time.time()), "chat": chat,
                                               "sender_chat": chat, "text": "/status"}})
        answer = await replies_after(telegram, 0, chat=channel_id)
    assert "Not subscribed here" in answer[0]["text"] and answer[0]["reply_to"] == 7
    assert "channel_post" in (telegram.allowed_updates or [])


async def test_edited_commands_are_not_run_again(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB's filters.TEXT also matches edited_message; an edit must not run the command a second time.
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    edited = message("/help", chat=7, user=7)["message"]
    later = {**edited, "message_id": edited["message_id"] + 1}
    headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
    async with running() as h:
        response = await h.http.post("/telegram/hook", headers=headers,
                                     json={"update_id": 3, "edited_message": {**edited, "edit_date": edited["date"]}})
        assert response.status_code == 200
        # the next message is answered, and only it: the edit ran nothing
        assert (await h.http.post("/telegram/hook", headers=headers,
                                  json={"update_id": 4, "message": later})).status_code == 200
        await replies_after(telegram, 0, chat=7)
    assert [m["reply_to"] for m in telegram.sent_to(7)] == [later["message_id"]]


async def test_switching_between_up_reactions_keeps_the_vote(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                             dropped: pytest.LogCaptureFixture) -> None:
    # One vote per person per paper: 👍 → 🔥 (old [👍], new [🔥]) or dropping one of two up emoji is no take-back.
    async with running() as h:
        paper, dive_id = await first_deep_dive(h, telegram)

        def reaction(old: list[str], new: list[str]) -> dict[str, Any]:
            update = copy.deepcopy(load_update("message_reaction_user_supergroup_teloxide"))
            update["message_reaction"].update(
                chat={"id": GROUP, "title": "papers", "type": "supergroup"}, message_id=dive_id,
                old_reaction=[{"type": "emoji", "emoji": e} for e in old],
                new_reaction=[{"type": "emoji", "emoji": e} for e in new])
            return update

        telegram.push_update(reaction([], ["👍"]))
        await until(lambda: h.store.vote_counts("telegram", str(GROUP)).get(paper) == 1)
        telegram.push_update(reaction(["👍"], ["🔥"]))
        await until(lambda: logged(dropped, "changed no vote") == 1)
        assert h.store.vote_counts("telegram", str(GROUP)).get(paper) == 1
        telegram.push_update(reaction(["🔥"], ["🔥", "❤"]))
        telegram.push_update(reaction(["🔥", "❤"], ["❤"]))
        await until(lambda: logged(dropped, "changed no vote") == 3)
        assert h.store.vote_counts("telegram", str(GROUP)).get(paper) == 1
        telegram.push_update(reaction(["❤"], []))
        await until(lambda: paper not in h.store.vote_counts("telegram", str(GROUP)))


async def test_no_whitespace_only_part(env: dict, telegram_env: dict, telegram: FakeTelegram) -> None:
    # Telegram refuses a message whose text is only whitespace ("message text is empty").
    async with running(listen=False) as h:
        await h.adapters["telegram"].post_text(str(GROUP), "a" * 3998 + "\n\n \n\n \n\n" + "b" * 4500)
    assert [visible_text(m["text"]).strip()[0] for m in telegram.sent_to(GROUP)] == ["a", "b", "b"]


async def test_a_forum_subscribed_from_a_topic_gets_its_digest_in_that_topic(
        llm_env: dict, telegram_env: dict, telegram: FakeTelegram, llm: FakeLLM) -> None:
    telegram.add_admin(GROUP, ALICE)
    in_topic = message("/subscribe 08:30 UTC")
    in_topic["message"].update(message_thread_id=77, is_topic_message=True)
    async with running() as h:
        telegram.push_update(in_topic)
        answer = await replies_after(telegram, 0)
        assert answer[0]["thread_id"] == 77  # the answer, in the topic it was asked in
        channel = h.store.get_channel("telegram", str(GROUP))
        assert channel is not None and channel.topic == "77"
        digest = await h.digest()
        await post_digest(h.adapters["telegram"], h.store, channel, digest)
        posted = telegram.sent_to(GROUP)[1:]
        # quick view, then each deep dive as HF's thumbnail and the dive's text, all in the topic
        assert len(posted) == 1 + 2 * len(digest.selected()) and {m["thread_id"] for m in posted} == {77}
        telegram.push_update(message("/subscribe"))  # again, from the General topic: the digest moves there
        await replies_after(telegram, len(telegram.sent_to(GROUP)))
        channel = h.store.get_channel("telegram", str(GROUP))
    assert channel is not None and channel.topic is None and channel.post_time == "08:30"


async def test_admin_lookups_are_remembered_for_a_few_minutes(env: dict, telegram_env: dict,
                                                              telegram: FakeTelegram) -> None:
    telegram.add_admin(GROUP, ALICE)
    async with running() as h:
        for n, value in enumerate(("70", "65", "60")):
            telegram.push_update(message(f"/threshold {value}", user=ALICE))
            assert "Threshold set to" in (await replies_after(telegram, n))[0]["text"]
        telegram.push_update(message("/threshold 10", user=BOB))
        assert "Only chat administrators" in (await replies_after(telegram, 3))[0]["text"]
        assert h.adapters["telegram"].admins.get(GROUP, ALICE) is True
    # one getChatMember per person, not per command: they count against the bot's request budget
    assert len(telegram.calls_to("/getChatMember")) == 2
