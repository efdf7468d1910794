"""Telegram updates delivered twice are handled once; serve's HTTP side closes idle connections."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest
from aiohttp import web

from bot.http_server import HttpServer, connection_cap
from bot.telegram.seen import RecentIds
from tests.chat_harness import running
from tests.fakes.telegram import FakeTelegram
from tests.helpers import free_port, until

SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}


def command(text: str, message_id: int, chat: int = 7) -> dict[str, Any]:
    return {"message": {"message_id": message_id, "date": int(time.time()), "text": text,
                        "chat": {"id": chat, "type": "private"},
                        "from": {"id": chat, "is_bot": False, "first_name": "Alice"},
                        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]}}


async def test_a_webhook_update_posted_twice_is_answered_once(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/hook")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    async with running() as h:
        first = {"update_id": 501, **command("/help", 21)}
        answers = [await h.http.post("/telegram/hook", json=first, headers=SECRET) for _ in range(2)]  # a retry
        # then another update: once it is answered, a second answer to the first would have come already
        await h.http.post("/telegram/hook", json={"update_id": 502, **command("/status", 22)}, headers=SECRET)
        await until(lambda: any(m["reply_to"] == 22 for m in telegram.sent_to(7)))
    assert [a.status_code for a in answers] == [200, 200]  # Telegram stops retrying on 200
    assert [m["reply_to"] for m in telegram.sent_to(7)] == [21, 22]


async def test_a_polled_update_delivered_twice_is_answered_once(env: dict, telegram_env: dict,
                                                               telegram: FakeTelegram) -> None:
    async with running():
        again = telegram.push_update(command("/help", 31))
        telegram.push_update(command("/help", 31), update_id=again)  # its getUpdates answer was lost
        telegram.push_update(command("/status", 32))
        await until(lambda: any(m["reply_to"] == 32 for m in telegram.sent_to(7)))
    assert [m["reply_to"] for m in telegram.sent_to(7)] == [31, 32]


def test_recent_ids_stay_bounded() -> None:
    seen = RecentIds(most=3)
    assert [seen.first_time(n) for n in (1, 2, 1, 3, 4, 5)] == [True, True, False, True, True, True]
    assert seen.first_time(5) is False and seen.first_time(1) is True  # 1 was forgotten: only the last 3 are kept


def test_serve_raises_its_open_file_limit_to_the_hard_limit() -> None:
    probe = ("import resource\nfrom bot.http_server import raise_fd_limit\n"
             "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
             "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
             "print(raise_fd_limit() == hard == resource.getrlimit(resource.RLIMIT_NOFILE)[0])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=30)
    assert out.stdout.strip() == "True", out.stderr


def test_the_connection_cap_leaves_descriptors_for_everything_else() -> None:
    assert connection_cap(1024) == 512 and connection_cap(1_048_576) == 512 and connection_cap(40) == 20


async def test_an_idle_connection_is_closed_after_the_keepalive_timeout() -> None:
    app = web.Application()

    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    app.router.add_get("/", ok)
    server = HttpServer(app, shutdown_timeout=0.5, keepalive=0.5, most=4)
    port = free_port()
    await server.start("127.0.0.1", port)
    try:
        silent, _ = await asyncio.open_connection("127.0.0.1", port)  # never sends a request
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive after its answer
        started = time.monotonic()
        assert b"200 OK" in await reader.readuntil(b"ok")
        assert await asyncio.wait_for(silent.read(), 5) == b"" and await asyncio.wait_for(reader.read(), 5) == b""
        assert time.monotonic() - started < 3  # aiohttp's default would have kept both for 75 s
    finally:
        await server.cleanup()
