"""Start-up: `paperbot --help` and `paperbot channel list` against `python -c pass`, best of 5."""

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
    return misses
