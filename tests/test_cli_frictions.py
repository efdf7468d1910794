"""Issue 12's measured frictions, one test (or more) each, through the real CLI against the loopback fakes."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from storage.store import Store
from tests.fakes.hf import FakeHF
from tests.fakes.llm import FakeLLM
from tests.helpers import FIXTURES, free_port

DAY_FILE = FIXTURES / "hf_daily_papers_2026-01-23.json"
SCRIPT = str(Path(sys.executable).parent / "paperbot")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    assert err.count("\n") == 1 and err.startswith("paperbot: ") and "Traceback" not in err, err
    return err


# 1. --from-file takes the day from the file's contents, else --date, else refuses
def test_from_file_is_dated_by_its_contents(env: dict[str, str], tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    renamed = tmp_path / "papers.json"
    shutil.copy(DAY_FILE, renamed)
    code, out, err = run(capsys, "digest", "--from-file", str(renamed))
    assert code == 0, err
    assert out.startswith("# 🚀 CV 论文日报 | 2026-01-23\n")
    code, _, err = run(capsys, "digest", "--from-file", str(renamed), "--date", "2026-01-20")
    assert code == 1 and "--date 2026-01-20" in one_line(err) and "2026-01-23" in err


def test_from_file_without_a_day_needs_date(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    old = str(FIXTURES / "hf_daily_papers_2024-05-27_oldschema.json")
    code, out, err = run(capsys, "digest", "--from-file", old)
    assert code == 1 and out == "" and "add --date YYYY-MM-DD" in one_line(err)
    code, out, _ = run(capsys, "digest", "--from-file", old, "--date", "2024-05-27")
    assert code == 0 and out.startswith("# 🚀 CV 论文日报 | 2024-05-27\n")


# 2. --out is checked before anything is fetched or paid for
def test_out_in_a_missing_folder_fails_before_any_call(llm_env: dict[str, str], llm: FakeLLM, hf: FakeHF,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "digest", "--date", "2026-01-23", "--out", "/missing/dir/x.md")
    assert code == 1 and out == "" and "--out /missing/dir/x.md" in one_line(err) and "does not exist" in err
    assert llm.requests == [] and hf.calls == []


# 3. a reader that goes away is no traceback
def test_a_closed_pipe_is_quiet(env: dict[str, str]) -> None:
    proc = subprocess.Popen([SCRIPT, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the process has written anything: its write meets a closed pipe
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipeError" not in err
    proc = subprocess.Popen([SCRIPT, "history"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""


# 4. a missing provider key is one line naming the variable, and the digest still comes out
def test_missing_provider_key_falls_back_to_keywords(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LLM_MODEL", "openai/gpt-4o-mini")
    code, out, err = run(capsys, "digest", "--from-file", str(DAY_FILE))
    assert code == 0 and "关键词" in out
    warnings = [line for line in err.splitlines() if "OPENAI_API_KEY" in line]
    assert len(warnings) == 1 and warnings[0].startswith("paperbot: LLM_MODEL=openai/gpt-4o-mini needs OPENAI_API_KEY")
    assert "InternalServerError" not in err and "WARNING" not in err


def test_a_refused_key_is_said_in_plain_words(llm_env: dict[str, str], llm: FakeLLM,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    llm.fail_next(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}},
                  times=50)
    code, out, err = run(capsys, "digest", "--from-file", str(DAY_FILE))
    assert code == 0 and "关键词" in out  # the digest still comes out, keyword-scored
    assert "refused the credentials (HTTP 401); check LLM_API_KEY" in err and "AuthenticationError" not in err
    assert "attempt" not in err  # retries are for -v


# 5. an unpriced model says the budget cannot be enforced; LLM_PRICE_IN/OUT price it
def test_unpriced_model_warns_once_and_prices_make_it_enforceable(
        llm_env: dict[str, str], llm: FakeLLM, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LLM_DAILY_BUDGET_USD", "1")
    code, _, err = run(capsys, "digest", "--from-file", str(DAY_FILE))
    assert code == 0 and err.count("LLM_DAILY_BUDGET_USD cannot be enforced") == 1 and "LLM_PRICE_IN" in err
    monkeypatch.setenv("LLM_PRICE_IN", "2")
    monkeypatch.setenv("LLM_PRICE_OUT", "4")
    monkeypatch.setenv("PAPERBOT_LANGUAGE", "en")  # a new prompt: the calls are made (and priced) again
    code, _, err = run(capsys, "digest", "--from-file", str(DAY_FILE))
    assert code == 0 and "cannot be enforced" not in err
    store = Store(llm_env["PAPERBOT_DB"])
    rows = list(store.db.execute("select prompt_tokens, completion_tokens, cost_usd from llm_usage where cost_usd > 0"))
    assert rows and all(abs(cost - (p * 2 + c * 4) / 1e6) < 1e-12 for p, c, cost in rows)
    monkeypatch.delenv("LLM_PRICE_OUT")
    code, _, err = run(capsys, "digest", "--from-file", str(DAY_FILE))
    assert code == 1 and "LLM_PRICE_IN and LLM_PRICE_OUT go together" in one_line(err)


# 6 and 7: see tests/test_report_all_papers.py (failed dives not counted) and test_chat_legend below
def test_chat_legend_only_on_days_with_a_deep_dive() -> None:
    from bot.slack import render as slack
    from bot.telegram import render as telegram
    from tests.test_report import sample_digest

    with_dives, without = sample_digest([85, 40]), sample_digest([85, 40], with_dives=False)
    assert "⭐ = 深度解读" in json.dumps(slack.quick_view(with_dives, {}), ensure_ascii=False)
    assert "⭐ = 深度解读" in "".join(telegram.quick_view(with_dives, {}))
    texts = (json.dumps(slack.quick_view(without, {}), ensure_ascii=False), "".join(telegram.quick_view(without, {})))
    for text in texts:
        assert "⭐ = 深度解读" not in text and "见本消息的回复" not in text and "今日没有深度解读" in text


# 8. HF unreachable: one line naming HF_ENDPOINT, retries only with -v; a malformed URL is refused at once
def test_hf_unreachable_is_one_line_naming_hf_endpoint(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    code, out, err = run(capsys, "digest", "--date", "2026-01-22")
    progress, error = err.splitlines()  # what it was doing, then why it stopped: no retry warnings
    assert code == 1 and out == "" and progress == "paperbot: fetching Hugging Face daily papers for 2026-01-22"
    assert error.startswith("paperbot: Hugging Face could not be reached at http://127.0.0.1:")
    assert error.endswith("check HF_ENDPOINT or try again later.")
    code, _, err = run(capsys, "digest", "-v", "--date", "2026-01-22")  # -v after the command, too
    assert code == 1 and err.count("attempt") == 3 and "HF_ENDPOINT" in err.splitlines()[-1]


def test_a_malformed_url_setting_is_refused_before_any_call(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "notaurl")
    code, _, err = run(capsys, "digest")
    assert code == 1 and one_line(err).startswith("paperbot: HF_ENDPOINT: is not an http(s) URL")


# 9. --from-file errors name the file and the flag, not Hugging Face
@pytest.mark.parametrize(("content", "fragment"), [
    ("[]", "is an empty list"), ("{}", "holds a JSON object"), ('[{"foo": 1}]', "none of its 1 entries is a paper"),
    ("not json", "is not JSON")])
def test_from_file_errors_name_the_file(env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        content: str, fragment: str) -> None:
    path = tmp_path / "papers.json"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "digest", "--from-file", str(path), "--date", "2026-01-23")
    assert code == 1 and out == "" and f"--from-file {path}" in one_line(err) and fragment in err
    assert "Hugging Face" not in err and "HF_ENDPOINT" not in err


# 10. the channel CLI speaks in flags, says what changed, forgets a removed channel, shows --quiet-empty
def test_channel_cli(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("150", "-1", "many"):
        code, _, err = run(capsys, "channel", "add", "slack", "C0123", "--threshold", bad)
        assert code == 1 and f"--threshold {bad} is out of range" in one_line(err) and "/threshold" not in err
    assert run(capsys, "channel", "add", "slack", "C0123", "--threshold", "70")[1].startswith("subscribed slack C0123")
    _, out, _ = run(capsys, "channel", "add", "slack", "C0123", "--threshold", "70")
    assert "already subscribed" in out and "nothing changed" in out
    _, out, _ = run(capsys, "channel", "add", "slack", "C0123", "--threshold", "80", "--quiet-empty")
    assert out.strip() == "updated slack C0123: threshold 70 → 80, empty days note → quiet"
    _, out, _ = run(capsys, "channel", "list")
    assert "threshold  80" in out and "quiet on days without papers" in out
    run(capsys, "channel", "remove", "slack", "C0123")
    _, out, _ = run(capsys, "channel", "add", "slack", "C0123")
    assert out.startswith("subscribed slack C0123: threshold 60,") and "quiet" not in out  # a fresh start
    code, out, err = run(capsys, "channel", "add", "telegram", "@paperbot_news")
    assert code == 0 and out.startswith("subscribed telegram @paperbot_news") and err == ""


# 11. a read-only database says so
@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_database_says_read_only(env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str], what: str) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "paperbot.db"
    Store(db).close()
    target = db if what == "file" else folder
    root = os.geteuid() == 0  # root ignores permission bits; the immutable attribute stops it too
    if root and shutil.which("chattr") is None:
        pytest.skip("running as root without chattr")
    lock = ["chattr", "+i", str(target)] if root else None
    if lock:
        subprocess.run(lock, check=True)
    else:
        target.chmod(0o555 if target.is_dir() else 0o444)
    try:
        monkeypatch.setenv("PAPERBOT_DB", str(db))
        code, _, err = run(capsys, "channel", "add", "slack", "C1")
    finally:
        if lock:
            subprocess.run(["chattr", "-i", str(target)], check=True)
        else:
            target.chmod(0o755 if target.is_dir() else 0o644)
    assert code == 1 and f"the database {db} is read-only" in one_line(err) and "PAPERBOT_DB" in err


def test_a_database_path_that_is_a_folder_says_so(env: dict[str, str], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PAPERBOT_DB", str(tmp_path))
    code, _, err = run(capsys, "channel", "list")
    assert code == 1 and f"PAPERBOT_DB={tmp_path} is a folder; give a file in it" in one_line(err)


# 12. progress tells the truth (cached reruns: tests/test_cli.py); deepdive says what it is doing
def test_deepdive_progress_and_stored_score(llm_env: dict[str, str], llm: FakeLLM,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "digest", "--from-file", str(DAY_FILE))
    code, out, err = run(capsys, "deepdive", "2601.15621")
    assert code == 0 and "looking up 2601.15621" in err and "writing the deep dive of 2601.15621" in err
    store = Store(llm_env["PAPERBOT_DB"])
    stored = store.db.execute("select score from scores where arxiv_id = '2601.15621'").fetchone()[0]
    assert f"**评分**: {stored}/100" in out.splitlines()[1]
    _, again, err = run(capsys, "deepdive", "2601.15621")
    assert again == out and "cached (0 LLM calls)" in err


def test_the_spinner_is_for_terminals_only() -> None:
    import io

    from bot.cli.progress import Progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    plain, terminal = io.StringIO(), Terminal()
    for stream in (plain, terminal):
        with Progress(stream) as progress:
            progress("scoring [15] papers")
            progress("writing 3 deep dive(s)")
    assert plain.getvalue() == "paperbot: scoring [15] papers\npaperbot: writing 3 deep dive(s)\n"
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal.getvalue())
    assert "✓ scoring [15] papers" in shown and "✓ writing 3 deep dive(s)" in shown


def test_rich_stays_off_the_help_path() -> None:
    probe = ("import sys, contextlib, io\nfrom bot.cli import main\n"
             "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
             "    main(['digest', '--help'])\n"
             "print([m for m in ('rich', 'litellm', 'pydantic', 'asyncio') if m in sys.modules])\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout
    assert out.strip() == "[]"


# 13. settings a command does not read cannot stop it
def test_serve_only_settings_do_not_stop_digest(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PAPERBOT_PORT", "abc")
    code, out, err = run(capsys, "digest", "--from-file", str(DAY_FILE))
    assert code == 0 and out.startswith("# 🚀"), err
    code, _, err = run(capsys, "serve")
    assert code == 1 and one_line(err).startswith("paperbot: PAPERBOT_PORT:")


# 14. looking back and getting data out
def test_version_and_bare_paperbot(env: dict[str, str]) -> None:
    version = subprocess.run([SCRIPT, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("paperbot 0.")
    bare = subprocess.run([SCRIPT], capture_output=True, text=True, timeout=60)
    assert bare.returncode == 0 and bare.stderr == ""
    assert all(name in bare.stdout for name in ("digest", "deepdive", "history", "channel", "usage", "serve"))


def test_history_and_a_stored_day_rebuilt_without_hf(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "history")
    assert code == 0
    code, first, _ = run(capsys, "digest", "--date", "2026-01-22")
    assert code == 0
    _, out, _ = run(capsys, "history")
    assert out.startswith("2026-01-22   18 papers") and "paperbot digest --date" in out  # the whole day
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{free_port()}")
    code, again, err = run(capsys, "digest", "--date", "2026-01-22")
    assert code == 0 and "rebuilding 2026-01-22 from the 18 papers stored" in err
    note = "> ⚠️ Hugging Face 无法访问：本日报由数据库中保存的当日论文重建。"
    assert note in again.splitlines() and [line for line in again.splitlines() if line != note] == first.splitlines()


def test_json_export(llm_env: dict[str, str], llm: FakeLLM, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "digest", "--from-file", str(DAY_FILE), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["date"] == "2026-01-23" and len(data["papers"]) == 27
    scores = [p["score"] for p in data["papers"]]
    assert scores == sorted(scores, reverse=True) and all(p["reason"] for p in data["papers"])
    selected = [p for p in data["papers"] if p["selected"]]
    assert selected and all(p["deep_dive"]["key_contribution"] for p in selected)
    # the fake arXiv has no HTML or PDF of these papers: the dives say they read the abstract only
    assert {p["deep_dive_read"] for p in selected} == {"abstract"}
    assert {p["deep_dive_read"] for p in data["papers"] if not p["selected"]} == {None}


def test_usage_per_day(llm_env: dict[str, str], llm: FakeLLM, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "digest", "--from-file", str(DAY_FILE))
    code, out, _ = run(capsys, "usage", "--days", "7")
    from storage.store import today

    day_line, note = out.splitlines()
    assert code == 0 and day_line.startswith(today()) and "calls" in day_line and "$0.0000" in day_line
    # the fake model has no price: its $0 says "unknown", not "free"
    assert note.startswith("cost unknown for openai/fake-mini (") and "LLM_PRICE_IN" in note
    code, _, err = run(capsys, "usage", "--days", "0")
    assert code == 1 and "--days 0" in one_line(err)
