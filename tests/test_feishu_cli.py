"""Feishu from a shell: `channel add feishu`, `paperbot check`, and lark-oapi kept off the quick paths."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes import feishu as lark
from tests.fakes.feishu import APP_SECRET, FakeFeishu

SCRIPT = str(Path(sys.executable).parent / "paperbot")
ROOT = Path(__file__).resolve().parents[1]


def test_help_and_channel_commands_do_not_import_lark(env: dict[str, str]) -> None:
    probe = ("import sys, contextlib, io\nfrom bot.cli import main\n"
             "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['--help'])\n"
             f"assert main(['channel', 'add', 'feishu', '{lark.chat_id(3)}']) == 0\n"
             "import bot.adapters; bot.adapters.platforms()\n"
             "print([m for m in ('lark_oapi', 'Crypto') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip().endswith("[]") and f"subscribed feishu {lark.chat_id(3)}" in out


@pytest.mark.parametrize("bad", ["oc_123", "oc_" + "g" * 32, "ou_" + "a" * 32, lark.chat_id(1).upper()])
def test_a_feishu_chat_id_is_oc_and_32_hex_digits(env: dict[str, str], bad: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["channel", "add", "feishu", bad]) == 1
    err = capsys.readouterr().err
    assert "is not a feishu channel id" in err and "oc_4d83f1dc8596c773a09e86f50a931b77 (Feishu)" in err
    assert err.count("\n") == 1
    assert main(["channel", "add", "feishu", lark.chat_id(1)]) == 0
    assert main(["channel", "remove", "feishu", lark.chat_id(1)]) == 0


def test_check_asks_feishu_for_a_token_and_the_bots_name(feishu_env: dict[str, str], feishu: FakeFeishu) -> None:
    done = subprocess.run([SCRIPT, "check"], env=dict(os.environ), capture_output=True, text=True, timeout=60)
    line = next(line for line in done.stdout.splitlines() if " Feishu " in f" {line} ")
    assert done.returncode == 0 and line.startswith("✓") and "bot paperbot" in line, done.stdout
    wrong = subprocess.run([SCRIPT, "check"], env={**os.environ, "FEISHU_APP_SECRET": "not-it"}, capture_output=True,
                           text=True, timeout=60)
    line = next(line for line in wrong.stdout.splitlines() if " Feishu " in f" {line} ")
    assert wrong.returncode == 1 and line.startswith("✗") and "FEISHU_APP_SECRET" in line
    assert "not-it" not in wrong.stdout + wrong.stderr and APP_SECRET not in wrong.stdout + wrong.stderr
