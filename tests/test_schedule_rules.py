"""When each channel's digest is due, with the clock passed in (nothing sleeps until 08:30)."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from analysis.errors import BadInput
from bot.scheduler import missed_today, trigger_for
from bot.shared.channels import parse_subscribe
from storage.store import Store

UTC = dt.UTC


def test_two_channels_in_different_zones_fire_at_their_own_local_times(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    shanghai = store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="Asia/Shanghai")
    new_york = store.upsert_channel("telegram", "-1", threshold=60, post_time="08:30", timezone="America/New_York")
    now = dt.datetime(2026, 1, 23, 0, 0, tzinfo=UTC)
    first = trigger_for(shanghai).get_next_fire_time(None, now)
    second = trigger_for(new_york).get_next_fire_time(None, now)
    assert first is not None and second is not None
    assert first.astimezone(UTC) == dt.datetime(2026, 1, 23, 0, 30, tzinfo=UTC)
    assert second.astimezone(UTC) == dt.datetime(2026, 1, 23, 13, 30, tzinfo=UTC)
    # and across a DST change New York's 08:30 moves in UTC, not in local time
    summer = trigger_for(new_york).get_next_fire_time(None, dt.datetime(2026, 7, 1, tzinfo=UTC))
    assert summer is not None and summer.astimezone(ZoneInfo("America/New_York")).hour == 8
    assert summer.astimezone(UTC).hour == 12


def test_missed_today_only_after_the_post_time_and_only_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    channel = store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="Asia/Shanghai")
    before = dt.datetime(2026, 1, 23, 0, 10, tzinfo=UTC)  # 08:10 in Shanghai
    after = dt.datetime(2026, 1, 23, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai: the laptop just woke up
    assert not missed_today(store, channel, before)
    assert missed_today(store, channel, after)
    store.claim_post("slack", "C1", "2026-01-22")
    store.db.execute("update posts set claimed_at = ?", [dt.datetime(2026, 1, 23, 2, 0, tzinfo=UTC).isoformat()])
    store.db.conn.commit()
    assert missed_today(store, channel, after)  # claimed but never finished: resume it
    store.finish_post("slack", "C1", "2026-01-22")
    assert not missed_today(store, channel, after)
    next_morning = dt.datetime(2026, 1, 24, 3, 0, tzinfo=UTC)
    assert missed_today(store, channel, next_morning)


def test_a_backfill_posted_this_morning_does_not_stand_in_for_the_morning_digest(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    channel = store.upsert_channel("slack", "C1", threshold=60, post_time="08:30", timezone="Asia/Shanghai")
    after = dt.datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    store.claim_post("slack", "C1", "2026-01-23")  # `digest --date 2026-01-23 --post` at 10:00
    store.finish_post("slack", "C1", "2026-01-23")
    store.db.execute("update posts set claimed_at = ?", [dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC).isoformat()])
    store.db.conn.commit()
    assert missed_today(store, channel, after)
    store.claim_post("slack", "C1", "2026-11-24")  # the morning's own digest
    store.finish_post("slack", "C1", "2026-11-24")
    store.db.execute("update posts set claimed_at = ? where day = '2026-11-24'",
                     [dt.datetime(2026, 11, 25, 2, 30, tzinfo=UTC).isoformat()])
    store.db.conn.commit()
    assert not missed_today(store, channel, after)


@pytest.mark.parametrize("text", ["25:00", "08:00 Mars/Base", "8:61", "08:00 UTC extra", "soon"])
def test_subscribe_refuses_bad_times_and_zones(text: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_subscribe(text)
    assert "Usage: /subscribe" in str(caught.value) and "\n" not in str(caught.value)


def test_subscribe_accepts_time_zone_either_or_both() -> None:
    assert parse_subscribe("") == (None, None)
    assert parse_subscribe("7:05") == ("07:05", None)
    assert parse_subscribe("Europe/Berlin") == (None, "Europe/Berlin")
    assert parse_subscribe("09:00 Asia/Shanghai") == ("09:00", "Asia/Shanghai")
