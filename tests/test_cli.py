"""The command line end to end against the loopback fakes (HF, arXiv, LLM)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from storage.store import Store
from tests.fakes.llm import FakeLLM
from tests.helpers import FIXTURES

DAY_FILE = str(FIXTURES / "hf_daily_papers_2026-01-23.json")
ROOT = Path(__file__).resolve().parents[1]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_digest_from_file_prints_the_report_and_a_rerun_makes_no_llm_call(
        llm_env: dict[str, str], llm: FakeLLM, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "digest", "--from-file", DAY_FILE, "--date", "2026-01-23")
    assert code == 0, err
    # PAPERBOT_TOP_N (15) caps the chat quick view only: the whole day is scanned
    assert out.startswith("# 🚀 CV 论文日报 | 2026-01-23\n> 🤖 今日动态：扫描 27 篇 (HF Top 27)，精选 ")
    assert "## 🧠 深度解读 (Deep Dive)" in out and "### 1. 核心创新点 (Key Contribution)" in out
    assert "scoring 27 of 27 papers with openai/fake-mini (2 LLM calls)" in err  # progress: stderr, not the report
    first = len(llm.requests)
    assert len(llm.calls_for("paper_scores")) == 2 and first >= 3
    code, again, err = run(capsys, "digest", "--from-file", DAY_FILE, "--date", "2026-01-23")
    assert code == 0 and again == out and len(llm.requests) == first
    assert "scores cached (0 LLM calls)" in err and "deep dive(s) cached (0 LLM calls)" in err  # says what it does
    assert "scoring 27" not in err and "writing" not in err


def test_digest_fetches_the_date_from_hf(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "digest", "--date", "2026-01-21")
    assert code == 0 and "# 🚀 CV 论文日报 | 2026-01-21" in out
    assert "关键词" in out  # no LLM configured: keyword scores, and the report says so


def test_digest_out_writes_the_file(env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.md"
    code, out, _ = run(capsys, "digest", "--from-file", DAY_FILE, "--out", str(target))
    assert code == 0 and out == "" and target.read_text(encoding="utf-8").startswith("# 🚀")


def test_a_day_without_papers_is_a_clear_error(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "digest", "--date", "2026-01-25")
    assert code == 1 and out == "" and "no papers for 2026-01-25" in err.splitlines()[-1]
    assert "Traceback" not in err


def test_bad_date_is_one_line(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "digest", "--date", "23/01/2026")
    assert code == 1 and "YYYY-MM-DD" in err and err.count("\n") == 1


def test_deepdive_of_an_hf_paper(llm_env: dict[str, str], llm: FakeLLM, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "deepdive", "2601.15621")
    assert code == 0, err
    assert out.startswith("# Qwen3-TTS") and "https://arxiv.org/abs/2601.15621" in out
    assert "### 4. 潜在缺陷 (Limitations)" in out and len(llm.calls_for("deep_dive")) == 1
    code, again, _ = run(capsys, "deepdive", "https://huggingface.co/papers/2601.15621")
    assert again == out and len(llm.calls_for("deep_dive")) == 1  # cached


def test_deepdive_falls_back_to_arxiv(llm_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "deepdive", "astro-ph/0601001")
    assert code == 0 and "Frequency of Hot Jupiters" in out and "**来源**: arXiv" in out


@pytest.mark.parametrize(("arg", "fragment"), [("12345", "not an arXiv id"), ("1234", "not an arXiv id"),
                                               ("2601.99999", "has no paper 2601.99999")])
def test_deepdive_bad_or_unknown_id_is_one_line(env: dict[str, str], capsys: pytest.CaptureFixture[str],
                                                arg: str, fragment: str) -> None:
    code, out, err = run(capsys, "deepdive", arg)
    assert code == 1 and out == "" and fragment in err.splitlines()[-1] and "Traceback" not in err


def test_channel_add_list_remove(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "channel", "add", "slack", "C0123", "--threshold", "70", "--time", "9:05",
               "--tz", "Asia/Shanghai")[0] == 0
    assert run(capsys, "channel", "add", "telegram", "-1001234")[0] == 0
    code, out, _ = run(capsys, "channel", "list")
    assert "slack     C0123" in out and "threshold  70  at 09:05 Asia/Shanghai" in out and "-1001234" in out
    assert run(capsys, "channel", "remove", "slack", "C0123")[0] == 0
    code, out, _ = run(capsys, "channel", "list")
    assert "C0123" not in out
    code, _, err = run(capsys, "channel", "remove", "slack", "C0123")
    assert code == 1 and "not subscribed" in err
    code, _, err = run(capsys, "channel", "add", "slack", "C9", "--tz", "Mars/Base")
    assert code == 1 and "IANA" in err
    for platform, bad in [("telegram", "@no"), ("slack", "#general"), ("slack", "c0123; drop")]:
        code, _, err = run(capsys, "channel", "add", platform, bad)
        assert code == 1 and f"is not a {platform} channel id" in err and err.count("\n") == 1
    store = Store(env["PAPERBOT_DB"])
    assert {c.channel_id for c in store.channels(active_only=False)} == {"C0123", "-1001234"}


def test_usage_shows_calls_and_cost(llm_env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "digest", "--from-file", DAY_FILE)
    code, out, _ = run(capsys, "usage")
    assert code == 0 and out.startswith("today: $") and "score" in out and "deep_dive" in out


def test_help_is_fast_and_does_not_import_litellm() -> None:
    probe = ("import sys, contextlib, io\nfrom bot.cli import main\n"
             "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['--help'])\n"
             "mods = ('litellm', 'slack_bolt', 'telegram', 'apscheduler', 'pydantic', 'lxml', 'pypdf', 'sklearn')\n"
             "heavy = [m for m in mods if m in sys.modules]\n"
             "print(heavy)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"


def test_channel_commands_do_not_import_pydantic(env: dict[str, str]) -> None:
    probe = ("import sys\nfrom bot.cli import main\n"
             "assert main(['channel', 'add', 'slack', 'C1']) == 0 and main(['channel', 'list']) == 0\n"
             "assert main(['usage']) == 0\n"
             "print([m for m in ('pydantic', 'pydantic_settings', 'asyncio', 'litellm') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip().endswith("[]") and "slack     C1" in out  # ~0.2 s of start-up saved: see benchmarks


def test_the_installed_console_script_runs(env: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "paperbot"
    result = subprocess.run([str(script), "deepdive", "1234"], capture_output=True, text=True,
                            env={**os.environ}, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("paperbot: '1234' is not an arXiv id") and "Traceback" not in result.stderr


def test_the_latest_day_without_papers_names_the_days_tried(env: dict[str, str],
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    code, out, err = run(capsys, "digest")  # the fake HF lists nothing for the last days
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=3)
    assert code == 1 and out == ""
    assert f"no papers for any day from {first} to {yesterday}; pass --date" in err.splitlines()[-1]
