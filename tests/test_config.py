from pathlib import Path

import pytest

from analysis.errors import ConfigError
from bot.cli import main
from bot.config import load_settings


def test_defaults_follow_the_spec(env: dict[str, str]) -> None:
    settings = load_settings()
    assert settings.threshold == 60 and settings.top_n == 15 and settings.max_deep_dives == 3
    assert settings.title == "CV 论文日报" and settings.language == "zh"
    assert settings.keywords[0] == "Image Restoration" and len(settings.keywords) == 5
    assert settings.llm_model is None and settings.deep_model is None
    assert settings.post_time == "08:30" and settings.port == 3000


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("PAPERBOT_THRESHOLD", "abc", "PAPERBOT_THRESHOLD"),
    ("PAPERBOT_THRESHOLD", "150", "less than or equal to 100"),
    ("PAPERBOT_TOP_N", "-1", "PAPERBOT_TOP_N"),
    ("PAPERBOT_POST_TIME", "25:00", "HH:MM"),
    ("PAPERBOT_TIMEZONE", "Mars/Base", "IANA"),
    ("LLM_MAX_CONCURRENCY", "0", "LLM_MAX_CONCURRENCY"),
    ("PAPERBOT_FULLTEXT_TOKENS", "lots", "(got 'lots')"),  # no secret, though its name says TOKENS
    ("PAPERBOT_ARXIV_CATEGORIES", "cs.cv,eess.IV", "did you mean cs.CV?"),
    ("PAPERBOT_ARXIV_CATEGORIES", "cs.XX", "cs has AI, AR"),
    ("PAPERBOT_ARXIV_CATEGORIES", "cs.CV;eess.IV", "list them like cs.CV,eess.IV"),
])
def test_a_bad_value_is_one_line_naming_the_variable(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                      name: str, value: str, fragment: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(name) and fragment in message and "\n" not in message


def test_real_categories_of_every_kind_are_accepted(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_ARXIV_CATEGORIES", "cs.CV, eess.IV,stat.ML,hep-th,astro-ph.CO,cond-mat.mes-hall")
    assert load_settings().arxiv_categories == ["cs.CV", "eess.IV", "stat.ML", "hep-th", "astro-ph.CO",
                                                "cond-mat.mes-hall"]


def test_the_cli_reports_config_errors_without_a_traceback(env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LLM_MAX_CONCURRENCY", "many")
    assert main(["deepdive", "2601.14256"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "LLM_MAX_CONCURRENCY" in err and "Traceback" not in err
    monkeypatch.setenv("PAPERBOT_POST_TIME", "8h30")  # the quick commands check what they use, alike
    assert main(["channel", "add", "slack", "C1"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("paperbot: PAPERBOT_POST_TIME:") and "Traceback" not in err


def test_secrets_are_never_echoed_in_errors(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "x" * 5000  # too long for nothing; what matters is that it is not shown
    monkeypatch.setenv("LLM_API_KEY", secret)
    monkeypatch.setenv("LLM_DAILY_BUDGET_USD", "-3")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "x" * 10 not in str(caught.value)


def test_dotenv_is_read_and_empty_values_mean_unset(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PAPERBOT_THRESHOLD=72\nLLM_DAILY_BUDGET_USD=\nPAPERBOT_TIMEZONE=\n")
    settings = load_settings()
    assert settings.threshold == 72 and settings.llm_daily_budget_usd is None and settings.zone


@pytest.mark.parametrize("env_text", ["", "\nPAPERBOT_THRESHOLD=\nPAPERBOT_POST_TIME=\n", "PAPERBOT_THRESHOLD=72\n"
                                      "PAPERBOT_POST_TIME=7:05\nPAPERBOT_TIMEZONE=Asia/Tokyo\npaperbot_db=low.db\n"])
def test_the_quick_commands_read_their_defaults_as_settings_does(env: dict[str, str], tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, env_text: str) -> None:
    from bot.defaults import channel_defaults

    monkeypatch.delenv("PAPERBOT_DB")
    (tmp_path / ".env").write_text(env_text)
    assert channel_defaults() == load_settings().channel_defaults


def test_the_environment_wins_over_dotenv_and_bad_values_are_one_line(env: dict[str, str], tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.defaults import channel_defaults

    (tmp_path / ".env").write_text("PAPERBOT_THRESHOLD=72\n")
    monkeypatch.setenv("PAPERBOT_THRESHOLD", "55")
    assert channel_defaults().threshold == load_settings().threshold == 55
    for name, value, fragment in [("PAPERBOT_THRESHOLD", "150", "0 to 100"), ("PAPERBOT_POST_TIME", "25:00", "HH:MM"),
                                  ("PAPERBOT_TIMEZONE", "Mars/Base", "IANA")]:
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            with pytest.raises(ConfigError, match=f"^{name}: .*{fragment}"):
                channel_defaults()


def test_every_readme_variable_is_in_env_example_and_back() -> None:
    """The README's configuration table and .env.example name the same variables (the repository's own contract)."""
    import re

    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    example = (root / ".env.example").read_text(encoding="utf-8")
    table = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]{3,})`(?:, `([A-Z][A-Z0-9_]{3,})`)?", table, re.M))
    names = {n for pair in documented for n in pair if n}
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]{3,})=", example, re.M))
    assert len(names) > 25
    assert names - listed == set(), "in the README's table but not in .env.example"
    assert listed - names == set(), "in .env.example but not in the README's table"
