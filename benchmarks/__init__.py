"""Benchmarks: wall time, LLM calls and tokens of a real digest against the loopback fakes.

They borrow two things from tests/ without importing the `tests` package: the loopback fakes, imported as the
top-level package `fakes` (tests/fakes uses only relative imports, so it works under either name), and the
captured fixtures in tests/fixtures.
"""

import sys
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.append(str(_TESTS))
