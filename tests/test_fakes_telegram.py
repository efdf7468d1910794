"""The Telegram fake, driven by the real python-telegram-bot: if these pass, a failure in a paperbot
test is paperbot's, not the fake's."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import AIORateLimiter, ExtBot

from tests.fakes.telegram import FIXTURES, FakeTelegram, load_update, parse_html, utf16_len

GROUP = -1001234567890


@pytest.fixture
async def bot(telegram: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(telegram.token, base_url=telegram.url + "/bot") as client:
        yield client


async def test_telegram_get_me_and_a_wrong_token(telegram: FakeTelegram, bot: Bot) -> None:
    assert bot.username == "paperbot_test_bot" and bot.id == 123456
    assert telegram.calls_to("/getMe")[0].path == f"/bot{telegram.token}/getMe"
    with pytest.raises(InvalidToken):
        await Bot("654321:wrong", base_url=telegram.url + "/bot").initialize()
    async with httpx.AsyncClient(base_url=telegram.url) as http:
        unauthorized = await http.post("/bot654321:wrong/getMe")
        unknown = await http.post(f"/bot{telegram.token}/sendPaper")
        case_blind = await http.post(f"/bot{telegram.token}/GETME")
    assert (unauthorized.status_code, unauthorized.json()["description"]) == (401, "Unauthorized")
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    assert case_blind.json()["result"]["username"] == "paperbot_test_bot"


async def test_telegram_send_html_reply_in_a_thread_with_buttons(telegram: FakeTelegram, bot: Bot) -> None:
    first = await bot.send_message(GROUP, "digest")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("👍 1", callback_data="vote:1")]])
    reply = await bot.send_message(GROUP, "<b>Deep</b> dive &lt;1&gt; &amp; more", parse_mode=ParseMode.HTML,
                                   reply_parameters=ReplyParameters(first.message_id), message_thread_id=7,
                                   reply_markup=keyboard)
    assert reply.text == "Deep dive <1> & more" and reply.entities[0].type == "bold"
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "digest"
    assert reply.chat.type == "supergroup" and reply.message_thread_id == 7 and reply.reply_markup == keyboard
    assert reply.message_id == first.message_id + 1 and reply.from_user is not None and reply.from_user.is_bot
    record = telegram.sent_to(GROUP)[1]
    assert (record["reply_to"], record["thread_id"], record["parse_mode"]) == (first.message_id, 7, "HTML")
    assert record["text"].startswith("<b>Deep</b>") and telegram.replies_to(GROUP, first.message_id) == [record]
    private = await bot.send_message(42, "hi")
    telegram.set_chat(-1009, "channel", "Paper feed")
    post = await bot.send_message(-1009, "to the channel")
    assert private.chat.type == "private" and post.chat.type == "channel" and post.chat.title == "Paper feed"


async def test_telegram_wire_format_is_a_form_of_json_values(telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(GROUP, "x", reply_parameters=ReplyParameters(1), disable_notification=True)
    call = telegram.calls_to("/sendMessage")[0]
    assert call.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert call.form["chat_id"] == str(GROUP) and call.form["disable_notification"] == "true"
    assert json.loads(call.form["reply_parameters"])["message_id"] == 1
    async with httpx.AsyncClient() as http:  # Telegram also takes JSON bodies
        answer = await http.post(f"{telegram.url}/bot{telegram.token}/sendMessage", json={"chat_id": 5, "text": "j"})
    assert answer.json()["result"]["chat"]["id"] == 5 and telegram.sent_to(5)[0]["text"] == "j"


@pytest.mark.parametrize("text", ["a < b", "a & b", "<b>bold</i>", "<b>open", "<br>", "<span>s</span>",
                                  "x</b>", "<a href=bad!>l</a>"])
async def test_telegram_refuses_bad_html(telegram: FakeTelegram, bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match="an't parse entities"):
        await bot.send_message(GROUP, text, parse_mode=ParseMode.HTML)
    assert telegram.sent == []
    assert (await bot.send_message(GROUP, text)).text == text  # the same text without parse_mode goes through


async def test_telegram_length_is_checked_after_parsing(telegram: FakeTelegram, bot: Bot) -> None:
    await bot.send_message(GROUP, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(GROUP, "x" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):  # an emoji is two UTF-16 units
        await bot.send_message(GROUP, "😀" * 2049)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(GROUP, "<b></b>", parse_mode=ParseMode.HTML)
    assert len(telegram.sent) == 1 and utf16_len(telegram.sent[0]["visible"]) == 4096


async def test_telegram_reject_html_once(telegram: FakeTelegram, bot: Bot) -> None:
    telegram.reject_html_once(GROUP)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(GROUP, "<b>fine</b>", parse_mode=ParseMode.HTML)
    assert (await bot.send_message(GROUP, "<b>fine</b>", parse_mode=ParseMode.HTML)).text == "fine"


def modern(update: dict[str, Any]) -> dict[str, Any]:
    """Telegram's 2015 example predates `from.is_bot`, which PTB 22 requires: one such update fails the batch."""
    sender = update.get("message", {}).get("from")
    if sender is not None:
        sender.setdefault("is_bot", False)
    return update


async def test_telegram_get_updates_honours_offset_and_timeout(telegram: FakeTelegram, bot: Bot) -> None:
    ids = [telegram.push_update(modern(load_update("private_start"))),
           telegram.push_update(load_update("private_text"))]
    updates = await bot.get_updates(timeout=5)
    assert [u.update_id for u in updates] == ids and updates[0].message is not None
    assert updates[0].message.text == "/start" and ids[1] == ids[0] + 1
    assert [u.update_id for u in await bot.get_updates(offset=ids[0] + 1)] == ids[1:]  # the first is confirmed
    assert telegram.pending_updates() == 1
    started = time.monotonic()
    assert await bot.get_updates(offset=ids[1] + 1, timeout=30) == ()
    assert 0.4 <= time.monotonic() - started < 2 and telegram.pending_updates() == 0
    poll = asyncio.create_task(bot.get_updates(offset=ids[1] + 1, timeout=30))
    await asyncio.sleep(0.1)
    pushed = telegram.push_update(load_update("group_command"))
    assert [u.update_id for u in await poll] == [pushed]  # a long poll wakes up for a new update


async def test_telegram_reactions_need_allowed_updates(telegram: FakeTelegram, bot: Bot) -> None:
    reaction = telegram.push_update(load_update("message_reaction_user"))
    assert await bot.get_updates() == ()  # not among the default update types
    updates = await bot.get_updates(allowed_updates=["message", "message_reaction"])
    assert [u.update_id for u in updates] == [reaction] and updates[0].message_reaction is not None
    assert telegram.allowed_updates == ["message", "message_reaction"]
    await bot.get_updates()  # absent: the previous setting holds
    assert telegram.allowed_updates == ["message", "message_reaction"]


async def test_every_update_fixture_parses_through_get_updates(telegram: FakeTelegram, bot: Bot) -> None:
    names = sorted(p.name for p in Path(FIXTURES).glob("telegram_update_*.json"))
    for name in names:
        telegram.push_update(modern(load_update(name)))
    updates = await bot.get_updates(allowed_updates=["message", "message_reaction", "message_reaction_count"])
    assert len(updates) == len(names) == 6
    assert sum(u.message_reaction_count is not None for u in updates) == 1
    with pytest.raises(FileNotFoundError):
        load_update("message_reaction")  # three fixtures start so: ambiguous


async def test_telegram_two_pollers_conflict(telegram: FakeTelegram, bot: Bot) -> None:
    # one Bot queues its getUpdates calls (a pool of one connection for them): it takes a second bot
    async with Bot(telegram.token, base_url=telegram.url + "/bot") as other:
        first = asyncio.create_task(bot.get_updates(timeout=30))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(other.get_updates(timeout=30))
        with pytest.raises(Conflict, match="terminated by other getUpdates"):
            await first
        assert await second == ()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after: int or timedelta
async def test_telegram_flood_raises_retry_after(telegram: FakeTelegram, bot: Bot) -> None:
    telegram.flood(retry_after=1)
    with pytest.raises(RetryAfter) as flooded:
        await bot.send_message(GROUP, "x")
    assert flooded.value.retry_after in (1, dt.timedelta(seconds=1))  # which one depends on PTB_TIMEDELTA
    assert telegram.sent == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_telegram_flood_is_waited_out_by_the_rate_limiter(telegram: FakeTelegram) -> None:
    telegram.flood(retry_after=1)
    limiter = AIORateLimiter(max_retries=1)
    async with ExtBot(telegram.token, base_url=telegram.url + "/bot", rate_limiter=limiter) as bot:
        started = time.monotonic()
        message = await bot.send_message(GROUP, "after the flood")
    assert message.text == "after the flood" and time.monotonic() - started >= 1.0
    assert len(telegram.calls_to("/sendMessage")) == 2 and len(telegram.sent) == 1


async def test_telegram_per_chat_errors(telegram: FakeTelegram, bot: Bot) -> None:
    telegram.fail_chat(GROUP, "Forbidden: bot was kicked from the group chat", code=403)
    telegram.fail_chat(-1002, "Bad Request: chat not found")
    with pytest.raises(Forbidden, match="kicked"):
        await bot.send_message(GROUP, "x")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.get_chat(-1002)
    telegram.fail_chat(GROUP, None)
    assert (await bot.send_message(GROUP, "back")).text == "back"


async def test_telegram_chat_members_and_chat(telegram: FakeTelegram, bot: Bot) -> None:
    telegram.add_admin(GROUP, 42)
    telegram.set_owner(GROUP, 1)
    assert isinstance(await bot.get_chat_member(GROUP, 42), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(GROUP, 1), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(GROUP, 43), ChatMemberMember)
    telegram.set_chat(GROUP, "group", "Readers")
    chat = await bot.get_chat(GROUP)
    assert (chat.type, chat.title) == ("group", "Readers")


async def test_telegram_commands_and_webhook(telegram: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([("deepdive", "Deep dive of a paper"), ("threshold", "Set the bar")])
    assert [c.command for c in await bot.get_my_commands()] == ["deepdive", "threshold"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Deep-Dive", "bad name")])
    with pytest.raises(BadRequest, match=r"(?i)https url"):
        await bot.set_webhook("http://insecure.example.org/hook")
    await bot.set_webhook("https://bot.example.org/hook", secret_token="s3cret", allowed_updates=["message"])
    info = await bot.get_webhook_info()
    assert info.url == "https://bot.example.org/hook" and telegram.webhook["secret_token"] == "s3cret"
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    telegram.push_update(load_update("private_start"))
    await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == "" and telegram.pending_updates() == 0


async def test_telegram_edits_and_callback_answers(telegram: FakeTelegram, bot: Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("👍 1", callback_data="v:1")]])
    sent = await bot.send_message(GROUP, "<b>list</b>", parse_mode=ParseMode.HTML, reply_markup=keyboard)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<b>list</b>", GROUP, sent.message_id, parse_mode=ParseMode.HTML,
                                    reply_markup=keyboard)
    edited = await bot.edit_message_text("list (2 votes)", GROUP, sent.message_id, reply_markup=keyboard)
    assert isinstance(edited, Message) and edited.text == telegram.sent[0]["visible"] == "list (2 votes)"
    await bot.edit_message_reply_markup(GROUP, sent.message_id, reply_markup=None)
    assert telegram.sent[0]["reply_markup"] is None
    assert [e["method"] for e in telegram.edits] == ["editMessageText", "editMessageReplyMarkup"]
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", GROUP, 999_999)
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(GROUP, "x", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("b", callback_data="d" * 65)]]))
    assert await bot.answer_callback_query("cq-1", text="Voted")
    assert telegram.answers[0]["callback_query_id"] == "cq-1"


def test_parse_html_entities_use_utf16_offsets() -> None:
    text, entities = parse_html('😀 <i>é</i> <a href="https://x.org/?a=1&amp;b=2">link</a>')
    assert text == "😀 é link"
    assert entities == [{"type": "italic", "offset": 3, "length": 1},
                        {"type": "text_link", "offset": 5, "length": 4, "url": "https://x.org/?a=1&b=2"}]
    assert parse_html("fish &amp; chips &", strict_ampersand=False)[0] == "fish & chips &"
