"""The captured fixtures the benchmarks read (tests/fixtures; provenance in its SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

from analysis.models import Paper
from analysis.sources.daily_file import read_daily_file

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"


def day_papers(name: str = "hf_daily_papers_2026-01-23.json") -> list[Paper]:
    return read_daily_file(FIXTURES / name)[0]
