"""Dates: every accepted form, the limits of offsets and years, named zones, and rejected values."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from feedpub.sources.dates import DateValueError, parse_date_string, to_datetime

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
