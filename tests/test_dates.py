"""Dates: every accepted form, the limits of offsets and years, named zones, and rejected values."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedpub.sources.dates import (
    DateValueError,
    from_filename,
    from_mtime,
    from_path,
    git_first_commit_dates,
    parse_date_string,
    to_datetime,
)


def from_git(path: Path, root: Path) -> datetime | None:
    """Return the git date of a file under root as a build's SourceContext gives it."""
    return git_first_commit_dates(root).get(path.resolve())

TAIPEI = ZoneInfo("Asia/Taipei")
NEW_YORK = ZoneInfo("America/New_York")


def _offset(text: str) -> timedelta | None:
    return parse_date_string(text, TAIPEI).utcoffset()


class TestOffsets:
    @pytest.mark.parametrize(("text", "hours", "minutes"), [
        ("2022-06-14T10:00:00+14:00", 14, 0),
        ("2022-06-14T10:00:00-14:00", -14, 0),
        ("2022-06-14T10:00:00+1400", 14, 0),
        ("2022-06-14T10:00:00-12:00", -12, 0),
        ("2022-06-14T10:00:00+05:45", 5, 45),
        ("2022-06-14T10:00:00+00:59", 0, 59),
        ("2022-06-14T10:00:00-03:30", -3, -30),
        ("2022-06-14 10:00 +0530", 5, 30),
        ("2022-06-14T10:00:00+00:00", 0, 0),
        ("2022-06-14T10:00:00-00:00", 0, 0),
    ])
    def test_offsets_up_to_14_hours_either_way_are_kept(self, text: str, hours: int, minutes: int) -> None:
        """An offset within ±14:00 (the range of xsd:dateTime and of real zones) is kept as written."""
        assert _offset(text) == timedelta(hours=hours, minutes=minutes)

    @pytest.mark.parametrize("text", [
        "2022-06-14T10:00:00+14:01",
        "2022-06-14T10:00:00-14:01",
        "2022-06-14T10:00:00+15:00",
        "2022-06-14T10:00:00-15:00",
        "2022-06-14T10:00:00+23:59",
        "2022-06-14T10:00:00+24:00",
        "2022-06-14T10:00:00-24:00",
        "2022-06-14T10:00:00+05:60",
        "2022-06-14 10:00 +9900",
    ])
    def test_offsets_beyond_14_hours_or_60_minutes_are_rejected(self, text: str) -> None:
        """An offset past ±14:00, or with 60 minutes or more, is an error naming the value."""
        with pytest.raises(DateValueError, match=r"is not a date: '.*' \(bad UTC offset\)") as e:
            parse_date_string(text, TAIPEI)
        assert repr(text) in str(e.value)

    @pytest.mark.parametrize(("value", "ok"), [
        (datetime(2022, 6, 14, 10, tzinfo=timezone(timedelta(hours=14))), True),
        (datetime(2022, 6, 14, 10, tzinfo=timezone(timedelta(hours=-14))), True),
        (datetime(2022, 6, 14, 10, tzinfo=timezone(timedelta(hours=14, minutes=1))), False),
        (datetime(2022, 6, 14, 10, tzinfo=timezone(timedelta(hours=-15))), False),
    ])
    def test_a_yaml_datetime_obeys_the_same_limit(self, value: datetime, ok: bool) -> None:
        """A datetime YAML already parsed is held to ±14:00 like a string is."""
        if ok:
            assert to_datetime(value, TAIPEI) is value
        else:
            with pytest.raises(DateValueError, match=r"bad UTC offset"):
                to_datetime(value, TAIPEI)

    def test_z_is_utc(self) -> None:
        """A trailing Z means UTC, not the site zone."""
        parsed = parse_date_string("2022-06-14T10:00:00Z", TAIPEI)
        assert (parsed.utcoffset(), parsed.hour) == (timedelta(0), 10)


    @pytest.mark.parametrize("text", ["2008-10-13 06:03:12 UTC", "2008-10-13 06:03:12 GMT", "2008-10-13 06:03 UTC",
                                      "2008-10-13T06:03:12UTC", "  2008-10-13 06:03:12 UTC\n"])
    def test_a_trailing_utc_or_gmt_is_utc(self, text: str) -> None:
        """Jekyll and Octopress write ' UTC' after the time (Ruby's Time.parse reads it): UTC, not the site zone."""
        parsed = parse_date_string(text, TAIPEI)
        assert (parsed.utcoffset(), parsed.hour, parsed.minute) == (timedelta(0), 6, 3)

    @pytest.mark.parametrize(("text", "message"), [
        ("2008-10-13 06:03:12 EST", "is not a valid date"),  # other zone names are ambiguous (EST, IST, CST…)
        ("2008-10-13 06:03:12 UTC+1", "is not a valid date"),
        ("2008-10-13 06:03:12 +0000 UTC", "is not a valid date"),  # one zone only
        ("2008-10-13 06:03:12 UTC UTC", "is not a valid date"),
        ("2008-10-13 06:03:12 XUTC", "is not a valid date"),
        ("UTC", "is not a date"),
        ("06:03:12 UTC", "is not a date"),
    ])
    def test_other_zone_names_are_still_refused(self, text: str, message: str) -> None:
        """Only UTC and GMT are read as names; anything else around them is no date."""
        with pytest.raises(DateValueError) as e:
            parse_date_string(text, TAIPEI)
        assert str(e.value).startswith(f"{message}: {text!r}")


class TestForms:
    @pytest.mark.parametrize(("text", "expected"), [
        ("2022-06-14", "2022-06-14T00:00:00+08:00"),
        ("  2022-06-14\n", "2022-06-14T00:00:00+08:00"),
        ("2022-06-14T10:30", "2022-06-14T10:30:00+08:00"),
        ("2022-06-14T10:30:45", "2022-06-14T10:30:45+08:00"),
        ("2022-06-14 10:30", "2022-06-14T10:30:00+08:00"),
        ("2022-06-14 10:30:45", "2022-06-14T10:30:45+08:00"),
        (" 2022-06-14 10:30:45 ", "2022-06-14T10:30:45+08:00"),
        ("2022-06-14T10:30:45+02:00", "2022-06-14T10:30:45+02:00"),
        ("2022-06-14T10:30+02:00", "2022-06-14T10:30:00+02:00"),
        ("2022-06-14 10:30:45 +0200", "2022-06-14T10:30:45+02:00"),
        ("2022-06-14 10:30 -0330", "2022-06-14T10:30:00-03:30"),
        ("2022-06-14T10:30:45Z", "2022-06-14T10:30:45+00:00"),
        ("2022-06-14 10:30Z", "2022-06-14T10:30:00+00:00"),
        ("2022-06-14Z", "2022-06-14T00:00:00+00:00"),
        ("2022-06-14+02:00", "2022-06-14T00:00:00+02:00"),
        ("2022-6-1", "2022-06-01T00:00:00+08:00"),  # strptime takes one-digit months and days
        ("2022-6-1 9:05", "2022-06-01T09:05:00+08:00"),
    ])
    def test_every_accepted_form(self, text: str, expected: str) -> None:
        """Each accepted form gives its wall clock in its own offset, else in the site zone."""
        assert parse_date_string(text, TAIPEI).isoformat() == expected

    @pytest.mark.parametrize(("text", "expected"), [
        ("2022-06-14T10:30:45.5", "2022-06-14T10:30:45+08:00"),
        ("2022-06-14T10:30:45.999999", "2022-06-14T10:30:45+08:00"),
        ("2022-06-14T10:30:45.123456789Z", "2022-06-14T10:30:45+00:00"),
        ("2022-06-14 10:30:45.1 +0100", "2022-06-14T10:30:45+01:00"),
        ("2022-06-14T23:59:59.999+14:00", "2022-06-14T23:59:59+14:00"),
    ])
    def test_fractions_of_seconds_are_dropped(self, text: str, expected: str) -> None:
        """A fraction of a second is accepted and dropped, never rounded up into the next second."""
        assert parse_date_string(text, TAIPEI).isoformat() == expected

    def test_date_only_is_midnight_in_the_site_zone(self) -> None:
        """A date alone means 00:00 of that day where the site is, in every path."""
        for value in ("2022-06-14", date(2022, 6, 14)):
            parsed = to_datetime(value, NEW_YORK)
            assert (parsed.isoformat(), parsed.tzinfo) == ("2022-06-14T00:00:00-04:00", NEW_YORK)

    def test_a_naive_datetime_is_site_wall_clock(self) -> None:
        """A datetime without zone is wall-clock time in the site zone; an aware one is kept."""
        naive = datetime(2022, 1, 14, 10, 30)  # noqa: DTZ001 - what YAML gives for a time without offset
        assert to_datetime(naive, NEW_YORK).isoformat() == "2022-01-14T10:30:00-05:00"
        aware = datetime(2022, 1, 14, 10, 30, tzinfo=UTC)
        assert to_datetime(aware, NEW_YORK) is aware

    def test_strings_go_through_the_same_parser(self) -> None:
        """to_datetime reads a string as parse_date_string does."""
        assert to_datetime("2022-06-14 10:30 +0530", TAIPEI) == parse_date_string("2022-06-14 10:30 +0530", TAIPEI)


class TestNamedZones:
    def test_a_time_in_the_spring_gap_takes_the_offset_before_it(self) -> None:
        """02:30 on the spring-forward day does not exist in New York: it is read with the winter offset."""
        parsed = parse_date_string("2024-03-10T02:30", NEW_YORK)
        assert parsed.utcoffset() == timedelta(hours=-5)
        assert parsed.astimezone(UTC).isoformat() == "2024-03-10T07:30:00+00:00"

    def test_an_ambiguous_time_in_the_autumn_fold_is_the_first(self) -> None:
        """01:30 on the fall-back day happens twice in New York: the first (summer time) is meant."""
        parsed = parse_date_string("2024-11-03 01:30:00", NEW_YORK)
        assert parsed.astimezone(UTC).isoformat() == "2024-11-03T05:30:00+00:00"

    def test_either_side_of_a_transition(self) -> None:
        """Just before and after the switch, each wall clock has its own offset."""
        before = parse_date_string("2024-03-10T01:59:59", NEW_YORK)
        after = parse_date_string("2024-03-10T03:00:00", NEW_YORK)
        assert after - before == timedelta(hours=1, seconds=1)  # wall clocks, aware arithmetic in one zone
        assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(seconds=1)

    def test_an_explicit_offset_beats_the_site_zone(self) -> None:
        """An offset in the value is used as written, even inside the site zone's gap."""
        parsed = parse_date_string("2024-03-10T02:30:00-04:00", NEW_YORK)
        assert parsed.astimezone(UTC).isoformat() == "2024-03-10T06:30:00+00:00"


class TestYears:
    @pytest.mark.parametrize("text", ["1970-01-01", "1970-01-01T00:00:00Z", "9999-12-31", "9999-12-31 23:59:59"])
    def test_1970_to_9999_are_accepted(self, text: str) -> None:
        """The first and last accepted years parse, in the short and the general path."""
        assert parse_date_string(text, UTC).year in (1970, 9999)

    @pytest.mark.parametrize("text", ["1969-12-31", "1969-12-31T23:59:59Z", "0001-01-01", "1969-12-31 10:00"])
    def test_years_before_1970_are_rejected(self, text: str) -> None:
        """A year before 1970 is an error naming the year and the range."""
        with pytest.raises(DateValueError, match=r"^year \d+ is out of range 1970-9999$"):
            parse_date_string(text, UTC)

    @pytest.mark.parametrize("value", [date(1969, 12, 31), datetime(1969, 12, 31, 23, tzinfo=UTC)])
    def test_yaml_values_before_1970_are_rejected(self, value: date) -> None:
        """A date or datetime YAML parsed is held to the same years."""
        with pytest.raises(DateValueError, match="year 1969 is out of range 1970-9999"):
            to_datetime(value, UTC)

    @pytest.mark.parametrize("value", [date(1970, 1, 1), datetime(9999, 12, 31, 12, tzinfo=UTC)])
    def test_yaml_values_at_the_limits_are_accepted(self, value: date) -> None:
        """The first and last accepted years pass as YAML values too."""
        assert to_datetime(value, UTC).year == value.year


class TestRejected:
    @pytest.mark.parametrize("text", ["2022-02-30", "2022-13-01", "2022-02-29T10:00", "2022-06-14T25:00",
                                      "2022-06-14T10:61", "2022-06-14T10", "2022-06-14 garbage"])
    def test_an_impossible_or_misshapen_date_is_not_valid(self, text: str) -> None:
        """Something shaped like a date that is none is 'not a valid date', quoting the value."""
        with pytest.raises(DateValueError) as e:
            parse_date_string(text, UTC)
        assert str(e.value) == f"is not a valid date: {text!r}"

    @pytest.mark.parametrize(("text", "day"), [
        ("Jul 08 2022", "2022-07-08"), ("July 8, 2022", "2022-07-08"), ("8 Jul 2022", "2022-07-08"),
        ("2025.12.07", "2025-12-07"), ("2025/12/07", "2025-12-07"),
    ])
    def test_the_forms_javascript_reads(self, text: str, day: str) -> None:
        """Astro reads a date with JavaScript's Date: its starter's 'Jul 08 2022', and sites' 2025.12.07, are dates."""
        assert parse_date_string(text, UTC).isoformat() == day + "T00:00:00+00:00"

    def test_fractional_seconds_are_dropped_only_after_a_time(self) -> None:
        """'.5' after seconds is dropped; the '.07' of a dotted date is its day."""
        assert parse_date_string("2022-06-14 10:00:00.5", UTC).isoformat() == "2022-06-14T10:00:00+00:00"
        assert parse_date_string("2022.06.14", UTC).day == 14

    @pytest.mark.parametrize("text", ["June 31", "yesterday", "14/06/2022", "", "20220614", "2022/13/14",
                                      "Jul 32 2022", "Foo 08 2022", "T10:00", "10:00+02:00"])
    def test_garbage_is_not_a_date_and_says_what_is_expected(self, text: str) -> None:
        """A value that is no date at all is quoted, with the forms accepted."""
        with pytest.raises(DateValueError) as e:
            parse_date_string(text, UTC)
        assert str(e.value) == (f"is not a date: {text!r} "
                                "(expected YYYY-MM-DD, optionally with time and offset)")

    @pytest.mark.parametrize(("value", "shown"), [
        (20220614, "20220614"), (2022.5, "2022.5"), (True, "True"), (None, "a NoneType"),
        (["2022-06-14"], "a list"), ({"date": 1}, "a dict"),
    ])
    def test_a_value_of_another_type_is_named(self, value: object, shown: str) -> None:
        """A number is shown as written, anything else by its type."""
        with pytest.raises(DateValueError) as e:
            to_datetime(value, UTC)
        assert str(e.value) == f"is not a date: {shown}"

    def test_date_value_error_is_a_value_error(self) -> None:
        """Callers that catch ValueError catch these too."""
        assert issubclass(DateValueError, ValueError)


class TestFilenames:
    @pytest.mark.parametrize(("name", "expected"), [
        ("2023-02-20-hello.md", "2023-02-20T00:00:00-05:00"),
        ("1970-01-01-x.txt", "1970-01-01T00:00:00-05:00"),
        ("9999-12-26-x.md", "9999-12-26T00:00:00-05:00"),
        ("2024-02-29-leap.md", "2024-02-29T00:00:00-05:00"),
        ("2023-02-20-.md", "2023-02-20T00:00:00-05:00"),
        ("2023-02-20_x.md", "2023-02-20T00:00:00-05:00"),  # Zola
        ("2014-06-21 notes.md", "2014-06-21T00:00:00-04:00"),  # Pelican sites: a space ends the date too
        ("2018-04-03 SCaLE Report", "2018-04-03T00:00:00-04:00"),  # a bundle's folder
    ])
    def test_a_date_prefix_is_midnight_in_the_site_zone(self, name: str, expected: str) -> None:
        """'YYYY-MM-DD-' at the start of a file name dates it at midnight where the site is."""
        found = from_filename(name, NEW_YORK)
        assert found is not None
        assert found.isoformat() == expected

    @pytest.mark.parametrize("name", ["2023-02-20.md", "x-2023-02-20-y.md", "2023-02-30-x.md", "2023-13-01-x.md",
                                      "1969-12-31-x.md", "23-02-20-x.md", "2023-2-20-x.md", "hello.md", "0000-01-01-x.md",
                                      "2014-06-21notes.md", "2014-06-21\tnotes.md", " 2014-06-21 notes.md",
                                      "2014-6-21 notes.md", "2014-06-31 notes.md"])
    def test_anything_else_gives_no_date(self, name: str) -> None:
        """No prefix, an impossible day or a year out of range gives None (the next source decides)."""
        assert from_filename(name, NEW_YORK) is None

    def test_a_day_past_the_latest_is_still_its_date(self) -> None:
        """9999-12-31 (a far-future day keeps a post back) is a date; fields.when decides what it means."""
        found = from_filename("9999-12-31-x.md", NEW_YORK)
        assert found is not None and found.isoformat() == "9999-12-31T00:00:00-05:00"


class TestFromPath:
    @pytest.mark.parametrize(("path", "expected"), [
        ("2014/12/12/1.0-Timeline", "2014-12-12T00:00:00-05:00"),
        ("/2014/12/12/x/", "2014-12-12T00:00:00-05:00"),
        ("inside-rust/2024/01/02/x", "2024-01-02T00:00:00-05:00"),
        ("https://blog.example.org/2024/01/02/x/", "2024-01-02T00:00:00-05:00"),
        ("9999/12/25/x", "9999-12-25T00:00:00-05:00"),  # the last day whose digest week stays in 9999
    ])
    def test_an_address_that_starts_with_a_day_dates_it(self, path: str, expected: str) -> None:
        """YYYY/MM/DD at the start of an address (one folder may come first) is midnight where the site is."""
        found = from_path(path, NEW_YORK)
        assert found is not None and found.isoformat() == expected

    @pytest.mark.parametrize("path", ["2014/13/45/x", "2019/02/29/x", "2014/1/2/x", "a/b/2024/01/02/x",
                                      "1969/12/31/x", "blog/x", "20241202/x"])
    def test_anything_else_gives_no_date(self, path: str) -> None:
        """An impossible day, a date two folders deep or a year out of range: None, as for names."""
        assert from_path(path, NEW_YORK) is None

    def test_a_day_past_the_latest_is_still_its_date(self) -> None:
        """blog.rust-lang.org keeps a post back at path = "inside-rust/9999/12/31/…": that is its date."""
        found = from_path("inside-rust/9999/12/31/x", NEW_YORK)
        assert found is not None and found.isoformat() == "9999-12-31T00:00:00-05:00"


class TestMtime:
    def test_mtime_is_whole_seconds_in_the_site_zone(self) -> None:
        """A file time is cut to its second (never rounded up) and shown in the site zone."""
        stamp = datetime(2024, 3, 1, 9, 30, 59, tzinfo=UTC).timestamp() + 0.999
        found = from_mtime(stamp, TAIPEI)
        assert found.isoformat() == "2024-03-01T17:30:59+08:00"
        assert found.tzinfo is TAIPEI


class TestGit:
    @staticmethod
    def _git(folder: Path, *args: str, when: str = "2024-01-02T03:04:05+08:00") -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
               "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
        subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)

    @pytest.mark.skipif(shutil.which("git") is None and os.environ.get("CI") != "true", reason="git is not installed")
    def test_a_committed_file_is_dated_by_the_commit_that_added_it(self, tmp_path: Path) -> None:
        """The first commit of a file dates it, not a later one; an uncommitted file has no git date."""
        repo = tmp_path / "repo"
        (repo / "posts").mkdir(parents=True)
        self._git(repo, "init", "-q")
        first = repo / "posts" / "a.md"
        first.write_text("one\n")
        self._git(repo, "add", ".")
        self._git(repo, "commit", "-q", "-m", "add")
        first.write_text("two\n")
        self._git(repo, "commit", "-q", "-am", "edit", when="2024-05-06T07:08:09Z")
        (repo / "posts" / "new.md").write_text("new\n")
        found = from_git(first, repo / "posts")
        assert found is not None
        assert found.isoformat() == "2024-01-02T03:04:05+08:00"
        assert from_git(repo / "posts" / "new.md", repo / "posts") is None

    def test_outside_git_there_is_no_git_date(self, tmp_path: Path) -> None:
        """A folder in no git work tree gives no date."""
        (tmp_path / "a.md").write_text("x\n")
        assert from_git(tmp_path / "a.md", tmp_path) is None
