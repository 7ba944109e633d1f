"""The digest's window: ISO weeks in the site zone, their edges, and inclusive --since/--until days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedpub.config import Config
from feedpub.errors import DigestError, OptionError
from feedpub.model import Category, Entry
from feedpub.outputs.digest.week import Empty, Request, Window, in_window, window
from feedpub.render.templating import day_text

UTC_SITE = Config(source=Path("src"), out=Path("dist"))
KIRITIMATI = Config(source=Path("src"), out=Path("dist"), timezone="Pacific/Kiritimati")  # +14:00
BAKER = Config(source=Path("src"), out=Path("dist"), timezone="Etc/GMT+12")  # -12:00
NOW = datetime(2023, 3, 15, 12, tzinfo=UTC)
US = timedelta(microseconds=1)
MONDAY = date(2023, 2, 20)  # 2023-W08 runs Monday 20 to Sunday 26 February


def entry(id_: str, when: datetime) -> Entry:
    """Return an entry dated when (the other fields fixed)."""
    return Entry(id=id_, url=id_, title=id_, title_source="front matter", date=when, date_source="front matter",
                 updated=when, category=Category("news", "News"), category_source="front matter", summary="",
                 source="", authors=(), tags=(), image=None, rel=f"{id_}.md", fmt="markdown")


def at(day: date, config: Config, clock: time = time(0)) -> datetime:
    return datetime.combine(day, clock, tzinfo=config.tz)


def latest(when: datetime, config: Config = UTC_SITE) -> Window:
    found = window(Request(week="latest"), [entry("x", when)], config, NOW)
    assert found is not None
    return found


def error(request: Request, config: Config = UTC_SITE, now: datetime = NOW) -> str:
    with pytest.raises((DigestError, OptionError)) as e:
        window(request, [entry("x", NOW)], config, now)
    return str(e.value)


class TestIsoWeeks:
    @pytest.mark.parametrize("weekday", range(7))
    @pytest.mark.parametrize("clock", [time(0), time(12), time(23, 59, 59, 999_999)])
    def test_every_day_of_a_week_is_in_that_week(self, weekday: int, clock: time) -> None:
        """Monday 00:00 to Sunday 23:59:59.999999 all give the week that starts on that Monday."""
        win = latest(at(MONDAY + timedelta(days=weekday), UTC_SITE, clock))
        assert win == Window("2023-W08", at(MONDAY, UTC_SITE), at(MONDAY + timedelta(days=7), UTC_SITE))

    def test_the_next_monday_starts_the_next_week(self) -> None:
        """The instant the week ends is the first of the next one."""
        assert latest(at(MONDAY + timedelta(days=7), UTC_SITE)).label == "2023-W09"
        assert latest(at(MONDAY, UTC_SITE) - US).label == "2023-W07"

    @pytest.mark.parametrize(("day", "label", "monday"), [
        (date(2021, 1, 3), "2020-W53", date(2020, 12, 28)),  # a Sunday of the previous ISO year
        (date(2024, 12, 30), "2025-W01", date(2024, 12, 30)),  # a Monday of the next ISO year
        (date(2026, 1, 1), "2026-W01", date(2025, 12, 29)),
        (date(2027, 1, 1), "2026-W53", date(2026, 12, 28)),
    ])
    def test_weeks_across_new_year_belong_to_the_iso_year(self, day: date, label: str, monday: date) -> None:
        """A week is named by its ISO year, which is not always the calendar year of the day."""
        win = latest(at(day, UTC_SITE, time(12)))
        assert (win.label, win.start.date(), win.end.date()) == (label, monday, monday + timedelta(days=7))

    def test_week_is_taken_in_the_site_zone_at_plus_14(self) -> None:
        """Sunday 10:00 UTC is Monday 00:00 at +14:00: the next week there, starting at local midnight."""
        when = datetime(2023, 2, 26, 10, tzinfo=UTC)
        assert latest(when).label == "2023-W08"
        win = latest(when, KIRITIMATI)
        assert win.label == "2023-W09"
        assert win.start.isoformat() == "2023-02-27T00:00:00+14:00"
        assert win.end.isoformat() == "2023-03-06T00:00:00+14:00"
        assert latest(when - US, KIRITIMATI).label == "2023-W08"

    def test_week_is_taken_in_the_site_zone_at_minus_12(self) -> None:
        """Monday 11:59:59 UTC is still Sunday at -12:00: the week before, ending at local midnight."""
        when = datetime(2023, 2, 27, 11, 59, 59, tzinfo=UTC)
        assert latest(when).label == "2023-W09"
        win = latest(when, BAKER)
        assert win.label == "2023-W08"
        assert win.end.isoformat() == "2023-02-27T00:00:00-12:00"
        assert latest(when + timedelta(seconds=1), BAKER).label == "2023-W09"

    def test_latest_follows_the_newest_entry(self) -> None:
        """'latest' is the week of the newest entry, whatever the order entries come in."""
        entries = [entry("old", at(MONDAY, UTC_SITE)), entry("new", at(MONDAY, UTC_SITE, time(1)) + timedelta(days=14)),
                   entry("mid", at(MONDAY, UTC_SITE) + timedelta(days=7))]
        found = window(Request(week="latest"), entries, UTC_SITE, NOW)
        assert found is not None
        assert found.label == "2023-W10"

    def test_latest_without_entries_is_no_window(self) -> None:
        """With nothing published there is no latest week."""
        assert window(Request(week="latest"), [], UTC_SITE, NOW) is None

    @pytest.mark.parametrize("when", [at(MONDAY, UTC_SITE), datetime(2023, 3, 6, tzinfo=UTC) - US,
                                      datetime(2023, 3, 6, tzinfo=UTC), NOW])
    def test_the_default_is_the_last_week_whatever_the_entries(self, when: datetime) -> None:
        """With no week asked for, the window is the week before now's (2023-W10), not the newest entry's."""
        assert window(Request(), [entry("x", when)], UTC_SITE, NOW) == window(Request(week="last"), [], UTC_SITE, NOW)
        assert window(Request(), [], UTC_SITE, NOW) == Window("2023-W10", at(date(2023, 3, 6), UTC_SITE),
                                                             at(date(2023, 3, 13), UTC_SITE))

    @pytest.mark.parametrize(("now", "label"), [
        (datetime(2023, 2, 27, 0, 0, tzinfo=UTC), "2023-W08"),  # Monday of W09, first instant
        (datetime(2023, 3, 5, 23, 59, 59, tzinfo=UTC), "2023-W08"),  # Sunday of W09, last second
        (datetime(2023, 2, 26, 23, 59, 59, tzinfo=UTC), "2023-W07"),  # still W08
    ])
    def test_last_is_the_week_before_now(self, now: datetime, label: str) -> None:
        """'last' is the ISO week before the one holding now."""
        found = window(Request(week="last"), [], UTC_SITE, now)
        assert found is not None
        assert found.label == label

    def test_last_is_taken_in_the_site_zone(self) -> None:
        """'last' reads now in the site zone: Sunday 10:00 UTC is already Monday at +14:00."""
        now = datetime(2023, 2, 26, 10, tzinfo=UTC)
        assert window(Request(week="last"), [], UTC_SITE, now) == latest(now - timedelta(days=7))
        found = window(Request(week="last"), [], KIRITIMATI, now)
        assert found is not None
        assert (found.label, found.start.isoformat()) == ("2023-W08", "2023-02-20T00:00:00+14:00")

    @pytest.mark.parametrize(("week", "monday"), [
        ("2023-W08", date(2023, 2, 20)), ("2020-W53", date(2020, 12, 28)), ("2023-W01", date(2023, 1, 2)),
        ("2023-W52", date(2023, 12, 25)),
    ])
    def test_a_named_week(self, week: str, monday: date) -> None:
        """--week names an ISO week: Monday midnight to the next Monday midnight, in the site zone."""
        found = window(Request(week=week), [], KIRITIMATI, NOW)
        end = at(monday + timedelta(days=7), KIRITIMATI)
        assert found == Window(week, at(monday, KIRITIMATI), end, end > NOW)  # a week not over at NOW is running

    @pytest.mark.parametrize("week", ["2021-W53", "2023-W00", "2023-W54", "2023-W8", "23-W08", "2023W08",
                                      "2023-W08x", "next", ""])
    def test_a_bad_week_is_an_error_naming_it(self, week: str) -> None:
        """A week that does not exist or is not written YYYY-Www is an error quoting the value."""
        message = error(Request(week=week or "x"))
        assert message == ("digest: --week must be an ISO week like 2023-W08, 'last' or 'latest': "
                           f"{week or 'x'!r}")


class TestEdgesOfTheWindow:
    def test_start_is_in_and_end_is_out(self) -> None:
        """The window is [start, end): Monday 00:00 in, next Monday 00:00 out, one µs before it in."""
        win = latest(at(MONDAY, KIRITIMATI), KIRITIMATI)
        entries = [entry("start", win.start), entry("before", win.start - US),
                   entry("last", win.end - US), entry("end", win.end),
                   entry("sunday", at(MONDAY + timedelta(days=6), KIRITIMATI, time(23, 59, 59)))]
        assert [e.id for e in in_window(entries, win)] == ["last", "sunday", "start"]

    def test_newest_first_ties_by_id(self) -> None:
        """Entries inside come newest first, one instant's entries by id."""
        win = latest(at(MONDAY, UTC_SITE))
        noon = at(MONDAY, UTC_SITE, time(12))
        entries = [entry("b", noon), entry("a", noon), entry("c", noon + US), entry("d", noon - US)]
        assert [e.id for e in in_window(entries, win)] == ["c", "a", "b", "d"]

    def test_instants_count_not_wall_clocks(self) -> None:
        """An entry written in another zone is placed by its instant."""
        win = latest(at(MONDAY, BAKER), BAKER)  # starts 2023-02-20T12:00Z
        inside = datetime(2023, 2, 21, 0, 30, tzinfo=ZoneInfo("Pacific/Kiritimati"))  # 2023-02-20T10:30Z
        assert in_window([entry("a", inside)], win) == []
        assert [e.id for e in in_window([entry("a", win.start.astimezone(UTC))], win)] == ["a"]


class TestSinceUntil:
    def test_both_days_are_included(self) -> None:
        """--since 1 May --until 9 May runs from 1 May 00:00 to 10 May 00:00 in the site zone."""
        later = datetime(2023, 6, 1, tzinfo=UTC)  # the range is over: not running
        found = window(Request(since=date(2023, 5, 1), until=date(2023, 5, 9)), [], KIRITIMATI, later)
        assert found == Window("2023-05-01_2023-05-09", at(date(2023, 5, 1), KIRITIMATI),
                               at(date(2023, 5, 10), KIRITIMATI))
        assert found.last_day == date(2023, 5, 9)
        assert found.period == "1 May 2023 to 9 May 2023"

    def test_the_last_second_of_until_is_in(self) -> None:
        """An entry at 23:59:59 on the --until day is in; one at midnight after it is out."""
        win = window(Request(since=date(2023, 5, 1), until=date(2023, 5, 9)), [], BAKER, NOW)
        assert win is not None
        entries = [entry("first", at(date(2023, 5, 1), BAKER)), entry("eve", at(date(2023, 5, 1), BAKER) - US),
                   entry("last", at(date(2023, 5, 9), BAKER, time(23, 59, 59))),
                   entry("after", at(date(2023, 5, 10), BAKER))]
        assert [e.id for e in in_window(entries, win)] == ["last", "first"]

    def test_one_day(self) -> None:
        """--since and --until on the same day make a window of that one day."""
        later = datetime(2023, 6, 1, tzinfo=UTC)  # the day is over: not running
        win = window(Request(since=date(2023, 5, 1), until=date(2023, 5, 1)), [], UTC_SITE, later)
        assert win is not None
        assert (win.end - win.start, win.last_day, win.period) == (
            timedelta(days=1), date(2023, 5, 1), "1 May 2023 to 1 May 2023")

    def test_until_defaults_to_today_in_the_site_zone(self) -> None:
        """Without --until the window ends with today, as the site zone reckons it."""
        now = datetime(2023, 5, 9, 20, tzinfo=UTC)  # 10 May at +14:00, 9 May at -12:00
        far = window(Request(since=date(2023, 5, 1)), [], KIRITIMATI, now)
        behind = window(Request(since=date(2023, 5, 1)), [], BAKER, now)
        assert far is not None and behind is not None
        assert (far.label, far.end) == ("2023-05-01_2023-05-10", at(date(2023, 5, 11), KIRITIMATI))
        assert (behind.label, behind.end) == ("2023-05-01_2023-05-09", at(date(2023, 5, 10), BAKER))

    def test_until_before_since_is_an_error(self) -> None:
        """An --until earlier than --since is an error naming both days."""
        assert error(Request(since=date(2023, 5, 2), until=date(2023, 5, 1))) == (
            "digest: --until 2023-05-01 is before --since 2023-05-02")

    def test_the_last_weeks_of_year_9999(self) -> None:
        """9999-W51 is the last week a digest can show; W52 and an --until of 9999-12-31 end after year 9999."""
        found = window(Request(week="9999-W51"), [], KIRITIMATI, NOW)
        assert found is not None and found.end == at(date(9999, 12, 27), KIRITIMATI)
        assert error(Request(week="9999-W52")) == (
            "digest: --week 9999-W52 ends after year 9999: the last week a digest can show is 9999-W51")
        assert error(Request(since=date(9999, 12, 1), until=date(9999, 12, 31))) == (
            "digest: --until 9999-12-31 is too late: the last day a digest can end on is 9999-12-30")
        until = window(Request(since=date(9999, 12, 1), until=date(9999, 12, 30)), [], BAKER, NOW)
        assert until is not None and until.last_day == date(9999, 12, 30)

    def test_until_alone_is_an_error(self) -> None:
        """--until needs --since."""
        assert error(Request(until=date(2023, 5, 1))) == "digest: --until needs --since"

    @pytest.mark.parametrize("week", ["2023-W08", "last", "latest"])
    def test_week_with_a_range_is_an_error(self, week: str) -> None:
        """--week cannot be combined with --since/--until."""
        assert error(Request(week=week, since=date(2023, 5, 1))) == (
            "digest: use either --week or --since/--until, not both")
        assert error(Request(week=week, until=date(2023, 5, 1))) == (
            "digest: use either --week or --since/--until, not both")


class TestNames:
    def test_a_week_is_named_by_its_monday(self) -> None:
        """An ISO week's period reads 'week of <its Monday>'."""
        assert latest(at(MONDAY, UTC_SITE, time(9)) + timedelta(days=3)).period == "week of 20 February 2023"

    @pytest.mark.parametrize(("month", "name"), list(enumerate(
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"], start=1)))
    def test_day_text_names_every_month(self, month: int, name: str) -> None:
        """Dates read '5 <Month> 2023', in English whatever the locale, without a leading zero."""
        assert day_text(date(2023, month, 5)) == f"5 {name} 2023"

    def test_last_day_of_a_week_is_its_sunday(self) -> None:
        """The last day inside a week's window is its Sunday."""
        assert latest(at(MONDAY, UTC_SITE)).last_day == date(2023, 2, 26)


class TestRunning:
    def test_a_week_ending_at_the_build_time_is_complete(self) -> None:
        """A week is running until the instant it ends: built at that instant, it is complete."""
        end = at(MONDAY + timedelta(days=7), UTC_SITE)
        assert window(Request(week="2023-W08"), [], UTC_SITE, end) == Window("2023-W08", at(MONDAY, UTC_SITE), end)
        found = window(Request(week="2023-W08"), [], UTC_SITE, end - US)
        assert found is not None and found.running

    def test_a_range_ending_at_the_build_time_is_complete(self) -> None:
        """A since/until range is running until midnight after --until, in the site zone."""
        request = Request(since=date(2023, 5, 1), until=date(2023, 5, 9))
        end = at(date(2023, 5, 10), KIRITIMATI)
        over = window(request, [], KIRITIMATI, end)
        running = window(request, [], KIRITIMATI, end - US)
        assert over is not None and running is not None
        assert (over.running, running.running) == (False, True)
        assert running.period == "1 May 2023 to 9 May 2023 (so far)"

    def test_latest_leaves_out_an_entry_of_this_week_s_first_instant(self) -> None:
        """An entry at Monday 00:00 of the current week is of this week: 'latest' is the week before it."""
        this_monday = at(date(2023, 3, 13), UTC_SITE)  # NOW is Wednesday 15 March 2023
        found = window(Request(week="latest"), [entry("now", this_monday), entry("before", this_monday - US)],
                       UTC_SITE, NOW)
        assert found is not None and found.label == "2023-W10"


class TestEmptyWeek:
    def test_the_warning_names_the_week_in_the_site_zone(self) -> None:
        """The warning names the week, its days, the zone, and what became of latest.*."""
        empty = Empty(Window("2023-W08", at(MONDAY, KIRITIMATI), at(MONDAY + timedelta(days=7), KIRITIMATI)))
        head = ("digest-empty-week: no entries in 2023-W08 (20 February 2023 to 26 February 2023, "
                "Pacific/Kiritimati), the last complete week: no digest made, ")
        tail = "; 'feedpub digest --week' makes any week"
        assert empty.warning(KIRITIMATI, kept=True) == head + "digest/latest.* kept as they were" + tail
        assert empty.warning(KIRITIMATI, kept=False) == head + "no digest/latest.* yet" + tail


class TestRequest:
    @pytest.mark.parametrize(("request_", "default"), [
        (Request(), True), (Request(required=False), True), (Request(week="last"), False),
        (Request(since=date(2023, 1, 1)), False), (Request(until=date(2023, 1, 1)), False),
    ])
    def test_the_default_is_no_week_and_no_range(self, request_: Request, default: bool) -> None:
        """Only a request naming no week and no range is the weekly default."""
        assert request_.default is default
