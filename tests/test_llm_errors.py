"""A broken LLM is told as what it is, once per run, and a command whose answer was not written exits non-zero."""

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import FIXTURES

DAY_FILE = str(FIXTURES / "hf_daily_papers_2026-01-23.json")
SCRIPT = str(Path(sys.executable).parent / "paperbot")


def _run(env: dict[str, str], *argv: str, **llm: str) -> subprocess.CompletedProcess[str]:
    run_env = {**os.environ, **env, "PAPERBOT_THRESHOLD": "0", "LLM_API_KEY": "sk-test-not-a-real-key", **llm}
    return subprocess.run([SCRIPT, *argv], env=run_env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_an_llm_that_cannot_be_reached_is_said_once_and_not_as_http_500(env: dict[str, str]) -> None:
    done = _run(env, "digest", "--from-file", DAY_FILE,
                LLM_MODEL="openai/gpt-4o-mini", LLM_API_BASE="http://127.0.0.1:1")
    assert done.returncode == 0, done.stderr  # the digest falls back to keywords and says so
    said = [line for line in done.stderr.splitlines() if "127.0.0.1:1" in line]
    assert len(said) == 1, done.stderr
    assert "could not reach the LLM at http://127.0.0.1:1" in said[0]
    assert "HTTP 500" not in done.stderr and "sk-test-not-a-real-key" not in done.stderr + done.stdout


def test_a_model_litellm_cannot_route_names_its_provider_not_http_400(env: dict[str, str]) -> None:
    done = _run(env, "digest", "--from-file", DAY_FILE, LLM_MODEL="nonsense/model-x")
    said = [line for line in done.stderr.splitlines() if "failed" in line or "provider" in line]
    assert len(said) == 1, done.stderr  # two scoring batches and three deep dives: one line
    assert "does not know the provider 'nonsense'" in said[0] and "HTTP 400" not in done.stderr


def test_deepdive_exits_non_zero_when_the_llm_wrote_no_dive(env: dict[str, str]) -> None:
    done = _run(env, "deepdive", "2601.15621", LLM_MODEL="openai/gpt-4o-mini", LLM_API_BASE="http://127.0.0.1:1")
    assert done.returncode == 1
    assert "2601.15621" in done.stdout  # the abstract is still shown
    assert done.stderr.strip().splitlines()[-1].startswith("paperbot: no deep dive was written")
