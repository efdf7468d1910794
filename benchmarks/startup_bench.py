"""Start-up: `paperbot --help` and `paperbot channel list` against `python -c pass`, best of 5; and the
real cold start of `paperbot digest` with an LLM configured (litellm's import included), best of 3."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.report import check, table

LIMIT = 0.3


def _best(argv: list[str], runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, env={**os.environ, "PAPERBOT_DB": "startup.db"})
        best = min(best, time.perf_counter() - t0)
    return best


def _digest_once(script: str, env: dict[str, str], tmp: str) -> tuple[float, float]:
    """(wall seconds, seconds from the report's last byte to the process's exit) of one cold digest."""
    from benchmarks.fixtures import FIXTURES

    argv = [script, "digest", "--from-file", str(FIXTURES / "hf_daily_papers_2026-01-23.json")]
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=tmp)
    assert proc.stdout is not None
    last = started
    while proc.stdout.read1(65536):
        last = time.perf_counter()
    proc.wait()
    ended = time.perf_counter()
    return ended - started, ended - last


def cold_digest(runs: int = 3) -> list[tuple[str, float, str]]:
    import tempfile

    from fakes.arxiv_pages import FakeArxivPages
    from fakes.llm import FakeLLM

    script = str(Path(sys.executable).parent / "paperbot")
    results = []
    with FakeLLM() as llm, FakeArxivPages() as pages:  # no pages: deep dives read the abstract
        for n in range(runs):
            with tempfile.TemporaryDirectory() as tmp:  # a fresh database: every LLM call is made
                env = {**os.environ, "PAPERBOT_DB": f"{tmp}/cold{n}.db", "LLM_MODEL": "openai/fake-mini",
                       "LLM_API_BASE": llm.url, "LLM_API_KEY": "sk-bench", "ARXIV_HTML_URL": pages.url + "/html",
                       "ARXIV_PDF_URL": pages.url + "/pdf", "ARXIV_API_URL": pages.url + "/api/query"}
                results.append(_digest_once(script, env, tmp))
    import_s = _best([sys.executable, "-c", "import os; os.environ['LITELLM_LOCAL_MODEL_COST_MAP'] = 'True'; "
                      "import litellm"], runs)
    wall, tail = min(results)
    return [("python -c 'import litellm'", import_s, ""),
            ("paperbot digest --from-file, cold (LLM 0 s)", wall, "litellm import overlapped"),
            ("  of which: exit after the report", tail, "")]


def run() -> list[str]:
    misses: list[str] = []
    script = str(Path(sys.executable).parent / "paperbot")
    base = _best([sys.executable, "-c", "pass"])
    rows = [("python -c pass", base, "")]
    for argv in (["--help"], ["channel", "list"]):
        wall = _best([script, *argv])
        rows.append((f"paperbot {' '.join(argv)}", wall,
                     f"<= {LIMIT} s " + check(misses, wall <= LIMIT, f"start-up of paperbot {' '.join(argv)}")))
    table("Start-up (best of 5 wall seconds)", ["command", "wall s", "target"], rows)
    table("Cold start of a digest with an LLM configured (best of 3 wall seconds)", ["command", "wall s", "note"],
          cold_digest())
    return misses
