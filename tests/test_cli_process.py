"""The real `paperbot digest` process with an LLM: litellm warmed up in a thread, and a clean exit."""

import os
import subprocess
import sys
from pathlib import Path

from tests.fakes.llm import FakeLLM
from tests.helpers import SHARED


def test_a_cold_digest_with_an_llm_exits_cleanly(llm_env: dict, llm: FakeLLM, tmp_path: Path) -> None:
    script = str(Path(sys.executable).parent / "paperbot")
    day = str(SHARED / "hf_daily_papers_2026-01-23.json")
    for _ in range(2):  # the warning came in about one run of three
        result = subprocess.run([script, "digest", "--from-file", day], capture_output=True, text=True,
                                env={**os.environ}, timeout=120, cwd=tmp_path)
        assert result.returncode == 0 and result.stdout.startswith("# 🚀 CV 论文日报 | 2026-01-23")
        # litellm's success callbacks are settled before the loop closes
        assert "never awaited" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert llm.calls_for("paper_scores")  # the LLM was really used (the second run from the cache)
