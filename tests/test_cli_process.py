"""The real `paperbot` process with an LLM: litellm warmed up in a thread, and a clean exit."""

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.llm import FakeLLM
from tests.helpers import FIXTURES

SCRIPT = str(Path(sys.executable).parent / "paperbot")


def paperbot(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, *argv], capture_output=True, text=True, env={**os.environ}, timeout=120, cwd=cwd)


def test_the_last_llm_call_leaves_no_never_awaited_warning(llm_env: dict, llm: FakeLLM, tmp_path: Path) -> None:
    # /deepdive's LLM call is the last thing before the loop closes: litellm's success callback was still
    # queued then, and every run printed "coroutine 'Logging.async_success_handler' was never awaited"
    result = paperbot("deepdive", "2601.15621", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("# Qwen3-TTS")
    assert "never awaited" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    digest = paperbot("digest", "--from-file", str(FIXTURES / "hf_daily_papers_2026-01-23.json"), cwd=tmp_path)
    assert digest.returncode == 0 and digest.stdout.startswith("# 🚀 CV 论文日报 | 2026-01-23")
    assert "never awaited" not in digest.stderr, digest.stderr
    assert llm.calls_for("deep_dive") and llm.calls_for("paper_scores")  # the LLM was really used
