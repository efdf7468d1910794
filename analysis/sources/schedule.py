"""arXiv's announcement schedule as data: which days it announces, and which submissions each covers.

arXiv mails its announcements Sunday to Thursday at 20:00 US/Eastern; each is dated the next day (the
date its "new" page and the RSS feed's `pubDate` give it), so announcements are dated Monday to Friday.
An announcement covers the submissions between the previous mailing's cutoff and its own, 14:00 Eastern
on the weekday before its date: Monday's covers Thursday 14:00 to Friday 14:00, Tuesday's Friday 14:00 to
Monday 14:00 (the weekend's submissions), and so on. On one of arXiv's holidays there is no
announcement, and the next one covers the skipped one's submissions too. The feeds are rebuilt at
midnight Eastern, so the announcement dated D is in the feed from 00:00 Eastern of D on.
Source: https://info.arxiv.org/help/availability.html (the schedule and the holiday table).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")
MAILING = dt.time(20, 0)  # the evening before the announcement's date
CUTOFF = dt.time(14, 0)  # submissions received by then are in that evening's mailing
FIRST_WEEKDAY, LAST_WEEKDAY = 0, 4  # announcements are dated Monday (0) to Friday (4)

# arXiv's published holidays (info.arxiv.org/help/availability.html; 2023-2025 from the page's history in
# arXiv/arxiv-docs). Each is an evening without a mailing: the feed dated the next day is empty, and the
# next announcement covers the skipped one's submissions too (arXiv's own worded notices, e.g. Thanksgiving
# 2020). A listed Friday or Saturday (a staff holiday, no mailing anyway) skips the Sunday mailing, as
# arXiv did for Friday 25 December 2020 and Friday 4 July 2025. No 2027 list is published yet.
PUBLISHED_HOLIDAYS: tuple[dt.date, ...] = (
    dt.date(2023, 1, 16), dt.date(2023, 6, 14), dt.date(2023, 6, 19), dt.date(2023, 7, 4), dt.date(2023, 8, 17),
    dt.date(2023, 9, 4), dt.date(2023, 11, 23), dt.date(2023, 12, 25), dt.date(2023, 12, 27),
    dt.date(2024, 1, 15), dt.date(2024, 5, 22), dt.date(2024, 6, 19), dt.date(2024, 7, 4), dt.date(2024, 9, 2),
    dt.date(2024, 10, 8), dt.date(2024, 11, 28), dt.date(2024, 12, 25), dt.date(2024, 12, 26),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 1), dt.date(2025, 1, 20), dt.date(2025, 6, 19), dt.date(2025, 7, 6), dt.date(2025, 9, 1),
    dt.date(2025, 11, 27), dt.date(2025, 12, 25), dt.date(2025, 12, 30),
    dt.date(2026, 1, 1), dt.date(2026, 1, 19), dt.date(2026, 6, 19), dt.date(2026, 7, 3), dt.date(2026, 9, 7),
    dt.date(2026, 11, 26), dt.date(2026, 12, 25), dt.date(2026, 12, 29), dt.date(2026, 12, 31),
)


def skipped_mailing(holiday: dt.date) -> dt.date:
    """The mailing evening a listed holiday cancels: that day's, or the Sunday's after a Friday or Saturday."""
    while holiday.weekday() in (4, 5):  # no mailing on Fridays and Saturdays
        holiday += dt.timedelta(days=1)
    return holiday


# The announcement dates (the feed's pubDate) with no announcement: the day after each skipped mailing.
HOLIDAYS: frozenset[dt.date] = frozenset(skipped_mailing(h) + dt.timedelta(days=1) for h in PUBLISHED_HOLIDAYS)
MOST_CAUGHT_UP = 10  # announcements one morning takes at most (two weeks down): older ones need --date


@dataclass(frozen=True)
class Window:
    """The submissions an announcement covers: `start` <= submitted < `end`, both aware (UTC)."""

    start: dt.datetime
    end: dt.datetime

    def query(self) -> str:
        """The API's `submittedDate:[… TO …]` (GMT, minutes, both ends inclusive)."""
        last = self.end - dt.timedelta(minutes=1)
        return f"submittedDate:[{self.start:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"


def announces(day: dt.date) -> bool:
    """Whether arXiv makes an announcement dated `day`."""
    return FIRST_WEEKDAY <= day.weekday() <= LAST_WEEKDAY and day not in HOLIDAYS


def _eastern(day: dt.date, at: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, at, tzinfo=EASTERN)


def mailing(day: dt.date) -> dt.datetime:
    """When the announcement dated `day` is mailed: 20:00 Eastern the evening before (Sunday for Monday)."""
    return _eastern(day - dt.timedelta(days=1), MAILING).astimezone(dt.UTC)


def cutoff(day: dt.date) -> dt.datetime:
    """The last moment a submission makes the announcement dated `day`: 14:00 Eastern of the weekday before."""
    before = day - dt.timedelta(days=1)
    while before.weekday() > LAST_WEEKDAY:
        before -= dt.timedelta(days=1)
    return _eastern(before, CUTOFF).astimezone(dt.UTC)


def in_feed_from(day: dt.date) -> dt.datetime:
    """From when the feed shows the announcement dated `day`: midnight Eastern of that day."""
    return _eastern(day, dt.time(0, 0)).astimezone(dt.UTC)


def previous(day: dt.date) -> dt.date:
    """The announcement before the one dated `day` (weekends and holidays skipped)."""
    day -= dt.timedelta(days=1)
    while not announces(day):
        day -= dt.timedelta(days=1)
    return day


def window(day: dt.date) -> Window:
    """The submissions the announcement dated `day` covers: the previous announcement's cutoff to its own."""
    return Window(cutoff(previous(day)), cutoff(day))


def latest(now: dt.datetime) -> dt.date:
    """The latest announcement the feed shows at `now`."""
    day = now.astimezone(EASTERN).date()
    return day if announces(day) else previous(day)


def since(last: dt.date | None, now: dt.datetime) -> list[dt.date]:
    """The announcements after `last` up to the feed's latest at `now`, oldest first; only the latest
    when there is no `last` (a channel's first morning). At most MOST_CAUGHT_UP of them."""
    newest = latest(now)
    if last is None or last >= newest:
        return [] if last is not None else [newest]
    days = [newest]
    while len(days) < MOST_CAUGHT_UP and (before := previous(days[-1])) > last:
        days.append(before)
    return days[::-1]
