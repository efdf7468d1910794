"""arXiv's announcement schedule, one test per rule (info.arxiv.org/help/availability.html)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from analysis.sources import schedule

NY = ZoneInfo("America/New_York")
UTC = dt.UTC
# a week of December 2026 (EST) and one of September 2026 (EDT)
MON, TUE, WED, THU, FRI, SAT, SUN = (dt.date(2026, 12, 7) + dt.timedelta(days=n) for n in range(7))


def eastern(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=NY)


def test_announcements_are_dated_monday_to_friday_and_mailed_sunday_to_thursday_at_20_eastern() -> None:
    assert [schedule.announces(d) for d in (MON, TUE, WED, THU, FRI, SAT, SUN)] == [True] * 5 + [False] * 2
    mailings = [schedule.mailing(d).astimezone(NY) for d in (MON, TUE, WED, THU, FRI)]
    assert [m.strftime("%a %H:%M") for m in mailings] == ["Sun 20:00", "Mon 20:00", "Tue 20:00", "Wed 20:00",
                                                          "Thu 20:00"]


@pytest.mark.parametrize(("day", "start", "end"), [
    (MON, eastern(THU - dt.timedelta(days=7), 14), eastern(FRI - dt.timedelta(days=7), 14)),  # Thu -> Fri
    (TUE, eastern(FRI - dt.timedelta(days=7), 14), eastern(MON, 14)),  # the weekend's submissions
    (WED, eastern(MON, 14), eastern(TUE, 14)),
    (THU, eastern(TUE, 14), eastern(WED, 14)),
    (FRI, eastern(WED, 14), eastern(THU, 14)),
])
def test_each_announcement_covers_the_previous_cutoff_to_its_own_at_14_eastern(
        day: dt.date, start: dt.datetime, end: dt.datetime) -> None:
    window = schedule.window(day)
    assert (window.start, window.end) == (start, end)


def test_the_cutoff_is_14_eastern_in_summer_and_winter_alike() -> None:
    summer = schedule.window(dt.date(2026, 9, 24))  # the captured feed's Thursday: Tue 14:00 EDT to Wed 14:00 EDT
    assert (summer.start, summer.end) == (dt.datetime(2026, 9, 22, 18, tzinfo=UTC), dt.datetime(2026, 9, 23, 18,
                                                                                                 tzinfo=UTC))
    assert schedule.window(WED).end == dt.datetime(2026, 12, 8, 19, tzinfo=UTC)


def test_the_api_query_is_the_window_in_gmt_minutes_both_ends_inclusive() -> None:
    assert schedule.window(WED).query() == "submittedDate:[202612071900 TO 202612081859]"


def test_a_thursday_holiday_empties_friday_and_monday_covers_both_days() -> None:
    thanksgiving = dt.date(2026, 11, 26)  # the Thursday mailing is skipped
    assert schedule.announces(thanksgiving) and not schedule.announces(dt.date(2026, 11, 27))
    monday = schedule.window(dt.date(2026, 11, 30))
    assert (monday.start, monday.end) == (eastern(dt.date(2026, 11, 25), 14), eastern(dt.date(2026, 11, 27), 14))


def test_a_monday_holiday_empties_tuesday_and_wednesday_covers_friday_to_tuesday() -> None:
    assert not schedule.announces(dt.date(2026, 1, 20))  # Martin Luther King day, Monday 19 January 2026
    wednesday = schedule.window(dt.date(2026, 1, 21))
    assert (wednesday.start, wednesday.end) == (eastern(dt.date(2026, 1, 16), 14), eastern(dt.date(2026, 1, 20), 14))


def test_a_friday_staff_holiday_skips_the_sunday_mailing() -> None:
    assert schedule.skipped_mailing(dt.date(2026, 12, 25)) == dt.date(2026, 12, 27)
    assert not schedule.announces(dt.date(2026, 12, 28))
    tuesday = schedule.window(dt.date(2026, 12, 29))
    assert (tuesday.start, tuesday.end) == (eastern(dt.date(2026, 12, 24), 14), eastern(dt.date(2026, 12, 28), 14))


def test_the_feed_shows_an_announcement_from_midnight_eastern_of_its_date() -> None:
    assert schedule.in_feed_from(WED) == dt.datetime(2026, 12, 9, 5, tzinfo=UTC)
    # 08:30 in Shanghai on Wednesday is Tuesday 19:30 in New York: Wednesday's is not mailed yet
    assert schedule.latest(dt.datetime(2026, 12, 9, 0, 30, tzinfo=UTC)) == TUE
    # mailed at 20:00, but the feed switches at midnight: until then the latest is still Tuesday's
    assert schedule.latest(eastern(TUE, 23, 59)) == TUE and schedule.latest(eastern(WED, 0, 0)) == WED
    assert schedule.latest(eastern(SUN, 12)) == FRI  # a weekend shows Friday's as the latest


def test_a_first_morning_takes_the_latest_only_and_later_ones_every_announcement_since() -> None:
    assert schedule.since(None, eastern(WED, 8)) == [WED]
    assert schedule.since(WED, eastern(WED, 18)) == []
    assert schedule.since(FRI, eastern(SAT, 8)) == [] and schedule.since(FRI, eastern(SUN, 8)) == []
    assert schedule.since(FRI, eastern(MON + dt.timedelta(days=7), 8)) == [MON + dt.timedelta(days=7)]
    assert schedule.since(MON, eastern(WED, 8)) == [TUE, WED]  # a morning the bot was down
    assert schedule.since(dt.date(2026, 11, 25), eastern(dt.date(2026, 11, 30), 8)) == [dt.date(2026, 11, 26),
                                                                                       dt.date(2026, 11, 30)]
    long_ago = schedule.since(dt.date(2026, 6, 1), eastern(WED, 8))
    assert len(long_ago) == schedule.MOST_CAUGHT_UP and long_ago[-1] == WED
