"""Known fake secrets never reach a log line, an error message or a stored row."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.fakes.llm import FakeLLM
from tests.fakes.slack import FakeSlack
from tests.fakes.telegram import FakeTelegram
from tests.helpers import FIXTURES, free_port


def wait_for_health(port: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            return dict(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json())
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve did not answer /healthz")


SECRETS = {
    "LLM_API_KEY": "sk-SECRET-llm-key-0001",
    "SLACK_BOT_TOKEN": "xoxb-SECRET-slack-0002",
    "SLACK_SIGNING_SECRET": "SECRET-signing-0003",
    "TELEGRAM_BOT_TOKEN": "999:SECRET-telegram-0004",
}


def test_no_secret_in_logs_errors_or_the_database(env: dict, llm: FakeLLM, slack: FakeSlack, tmp_path: Path) -> None:
    script = str(Path(sys.executable).parent / "paperbot")
    run_env = {**os.environ, **SECRETS, "LLM_MODEL": "openai/fake", "LLM_API_BASE": llm.url,
               "SLACK_API_URL": slack.url + "/api/", "TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    slack.token = SECRETS["SLACK_BOT_TOKEN"]
    llm.fail_next(401, {"error": {"message": f"Incorrect API key provided: {SECRETS['LLM_API_KEY']}"}}, times=4)
    outputs = []
    for argv in (["channel", "add", "slack", "C1"], ["-v", "digest", "--from-file",
                                                      str(FIXTURES / "hf_daily_papers_2026-01-23.json"), "--post"],
                 ["-v", "deepdive", "2601.15621"]):
        done = subprocess.run([script, *argv], env=run_env, capture_output=True, text=True, timeout=120)
        outputs.append(done.stdout + done.stderr)
    port = free_port()
    server = subprocess.Popen([script, "-v", "serve"], env={**run_env, "PAPERBOT_PORT": str(port)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    health = wait_for_health(port)
    server.send_signal(signal.SIGTERM)
    out, err = server.communicate(timeout=60)
    outputs.append(out + err)
    slack.token = "xoxb-test-token"
    text = "\n".join(outputs)
    assert "posted the digest" in text and "telegram is unavailable" in text  # the commands did run
    assert health["adapters"]["slack"] == "up" and health["adapters"]["telegram"].startswith("down")
    assert server.returncode == 0  # SIGTERM is a clean stop
    rows = sqlite3.connect(env["PAPERBOT_DB"]).iterdump()
    dump = "\n".join(rows)
    for name, secret in SECRETS.items():
        assert secret not in text, f"{name} leaked into the output"
        assert secret not in dump, f"{name} leaked into the database"


async def test_a_refused_telegram_token_is_not_quoted_where_the_platform_is_reported_down(
        env: dict, telegram: FakeTelegram, monkeypatch: Any) -> None:
    # PTB's InvalidToken message quotes the token it sent; /healthz and `digest --post` show this reason
    from bot.adapters import open_adapters
    from bot.config import load_settings
    from bot.engine import open_engine
    from storage.store import Store

    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", SECRETS["TELEGRAM_BOT_TOKEN"])
    monkeypatch.setenv("TELEGRAM_API_URL", telegram.url + "/bot")
    settings = load_settings()
    store = Store(settings.db)
    async with open_engine(settings, store) as engine, open_adapters(settings, store, engine) as adapters:
        why = adapters.failed["telegram"]
    store.close()
    assert "telegram" not in adapters and "TELEGRAM_BOT_TOKEN" in why
    assert SECRETS["TELEGRAM_BOT_TOKEN"] not in why and "SECRET" not in why
