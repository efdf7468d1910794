"""`paperbot check` through the real process: one line per configured service, exit 1 naming what failed."""

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.fakes.arxiv_rss import FakeArxivRSS, captured
from tests.fakes.hf import FakeHF

SCRIPT = str(Path(sys.executable).parent / "paperbot")


def _check(env: dict[str, str], **more: str) -> tuple[int, dict[str, str], str, float]:
    started = time.monotonic()
    done = subprocess.run([SCRIPT, "check"], env={**os.environ, **env, **more}, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    lines = {line.split()[1]: line for line in done.stdout.splitlines() if line[:1] in "✓✗"}
    return done.returncode, lines, done.stdout + done.stderr, time.monotonic() - started


def test_every_configured_service_is_checked_in_parallel_and_passes(
        llm_env: dict[str, str], slack_env: dict[str, str], telegram_env: dict[str, str],
        arxiv_rss: FakeArxivRSS) -> None:
    arxiv_rss.serve(captured(), "cs.CV")
    code, lines, out, took = _check({**llm_env, **slack_env, **telegram_env},
                                    PAPERBOT_ARXIV_CATEGORIES="cs.CV")
    assert code == 0, out
    assert set(lines) == {"database", "HF", "arXiv", "feed", "listing", "LLM", "Slack", "Telegram"}, out
    assert "announcement of 2026-09-24, 3 new or cross-listed" in lines["feed"]
    assert all(line.startswith("✓") for line in lines.values()), out
    assert "schema version" in lines["database"] and "team Fake Team" in lines["Slack"]
    assert took < 10, f"{took:.1f} s"


def test_without_chat_or_llm_settings_only_the_sources_and_the_database_are_checked(env: dict[str, str]) -> None:
    code, lines, out, _ = _check(env)
    assert code == 0, out
    assert set(lines) == {"database", "HF", "arXiv"}


def test_an_unreachable_llm_fails_its_line_and_the_command(env: dict[str, str]) -> None:
    code, lines, out, _ = _check(env, LLM_MODEL="openai/gpt-4o-mini", LLM_API_BASE="http://127.0.0.1:1",
                                 LLM_API_KEY="sk-test-not-a-real-key")
    assert code == 1
    assert lines["LLM"].startswith("✗") and "could not reach the LLM at http://127.0.0.1:1" in lines["LLM"]
    assert lines["HF"].startswith("✓") and "sk-test-not-a-real-key" not in out
    assert out.rstrip().endswith("1 of 4 checks failed (LLM)")


def test_hf_answering_5xx_names_hf_endpoint(env: dict[str, str], hf: FakeHF) -> None:
    hf.fail_next(503, times=5)
    code, lines, _, _ = _check(env)
    assert code == 1 and lines["HF"].startswith("✗") and "HF_ENDPOINT" in lines["HF"]


def test_refused_chat_tokens_name_their_variable_and_are_never_printed(
        slack_env: dict[str, str], telegram_env: dict[str, str]) -> None:
    code, lines, out, _ = _check({**slack_env, **telegram_env}, SLACK_BOT_TOKEN="xoxb-wrong-0000",
                                 TELEGRAM_BOT_TOKEN="123456:wrong-token-value")
    assert code == 1
    assert lines["Slack"].startswith("✗") and "SLACK_BOT_TOKEN" in lines["Slack"]
    assert lines["Telegram"].startswith("✗") and "TELEGRAM_BOT_TOKEN" in lines["Telegram"]
    assert "xoxb-wrong-0000" not in out and "wrong-token-value" not in out


def test_a_database_that_is_a_folder_fails_its_line(env: dict[str, str], tmp_path: Path) -> None:
    folder = tmp_path / "db-folder"
    folder.mkdir()
    code, lines, out, _ = _check(env, PAPERBOT_DB=str(folder))
    assert code == 1 and lines["database"].startswith("✗") and "folder" in lines["database"], out
