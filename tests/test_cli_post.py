"""`paperbot digest --post`: the exit code says whether every channel got its digest; no secret is printed."""

import pytest

from bot.cli import main
from tests.fakes.telegram import FakeTelegram
from tests.helpers import FIXTURES

DAY_FILE = str(FIXTURES / "hf_daily_papers_2026-01-23.json")
GOOD, GONE = -1001234567890, -1009999999999


def test_a_channel_that_fails_makes_the_post_exit_1(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    # a description quoting the token stands for any platform error that might
    telegram.fail_chat(GONE, f"Forbidden: bot was kicked from the group chat ({telegram.token})", code=403)
    for chat in (GOOD, GONE):
        assert main(["channel", "add", "telegram", str(chat)]) == 0
    capsys.readouterr()
    code = main(["digest", "--from-file", DAY_FILE, "--post"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "# " in out  # the report is printed all the same
    assert f"telegram {GOOD}: posted the digest" in err and f"telegram {GONE}: failed (" in err
    assert telegram.token not in err and "***" in err
    # the kicked chat was unsubscribed, the other has today's digest: nothing fails
    assert main(["digest", "--from-file", DAY_FILE, "--post"]) == 0
    assert "already posted" in capsys.readouterr().err


def test_a_channel_subscribed_by_name_gets_the_day_once(env: dict, telegram_env: dict, telegram: FakeTelegram,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    # the first post resolves @papers_daily to its id at start, but posts under the name it was planned for
    telegram.set_chat(GOOD, "channel", username="papers_daily")
    assert main(["channel", "add", "telegram", "@papers_daily"]) == 0
    assert main(["digest", "--from-file", DAY_FILE, "--post"]) == 0
    sent = len(telegram.sent_to(GOOD))
    assert main(["digest", "--from-file", DAY_FILE, "--post"]) == 0
    assert sent > 0 and len(telegram.sent_to(GOOD)) == sent
    assert f"telegram {GOOD}: digest of 2026-01-23 was already posted" in capsys.readouterr().err
