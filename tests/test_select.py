"""Choosing what is published gives the same answer from catalogue records as from entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedpub import records, select
from feedpub.config import Config
from feedpub.incremental import catalogue
from feedpub.model import Category, Entry, changed, instant_of
from feedpub.outputs import feeds
from feedpub.pipeline import read_entries
from tests.conftest import NOW, write_corpus, write_doc


def _records(entries: list[Entry]) -> list[records.Record]:
    return [records.record_of(e, 0, 0, 0, e.rel.encode()) for e in entries]  # as a build does


def _same(a: select.Selection[Entry], b: select.Selection[records.Record]) -> None:
    assert [e.id for e in a.published] == [r.id for r in b.published]
    assert [(e.category.slug, e.category.name) for e in a.published] == [
        (r.category.slug, r.category.name) for r in b.published]
    assert a.names == b.names
    assert a.tied == b.tied
    assert [a.updated(e).isoformat() for e in a.published] == [b.updated(r).isoformat() for r in b.published]
    # the sitemap's lastmod texts: each the settled 'updated' to the second, ties moved apart
    for chosen in (a, b):
        assert chosen.updated_texts(chosen.published) == [
            chosen.updated(x).isoformat(timespec="seconds") for x in chosen.published]


class TestRecordsAndEntriesAgree:
    def test_on_a_corpus(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A varied corpus (drafts, future dates, spellings of one category, shared dates) chooses alike."""
        source = tmp_path / "corpus"
        write_corpus(source, 40)
        write_doc(source, "draft.md", "---\ntitle: Draft\ndate: 2024-01-03\ndraft: true\n---\nx\n")
        write_doc(source, "future.md", "---\ntitle: Later\ndate: 2030-01-01\n---\nx\n")
        write_doc(source, "spelt.md", "---\ntitle: Spelt\ndate: 2024-01-05\ncategory: NEWS\n---\nx\n")
        config = make_config(source)
        entries, problems = read_entries(config)
        assert not problems
        _same(select.choose(entries, config, NOW), select.choose(_records(entries), config, NOW))
        future = make_config(source, future=True)
        _same(select.choose(entries, future, NOW), select.choose(_records(entries), future, NOW))

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3), st.sampled_from(["a", "b", "c"]),
                              st.sampled_from(["A", "a", "Aa"]), st.booleans()), min_size=1, max_size=25))
    def test_on_any_dates_and_spellings(self, tmp_path: Path, make_config: Callable[..., Config],
                                        spec: list[tuple[int, int, str, str, bool]]) -> None:
        """Any mix of shared instants, sub-second times, category spellings and drafts chooses alike."""
        (tmp_path / "src").mkdir(exist_ok=True)
        config = make_config(tmp_path / "src")
        base = Entry(id="", url="", title="t", title_source="front matter", date=NOW, date_source="front matter",
                     updated=NOW, category=Category("a", "A"), category_source="front matter", summary="",
                     source="", authors=(), tags=(), image=None, rel="", fmt="markdown")
        entries = []
        for i, (day, micro, slug, name, draft) in enumerate(spec):
            when = NOW - timedelta(days=day, microseconds=micro * 250_000)
            entries.append(changed(base, id=f"urn:x:{i}", url=f"https://x.example/{i}/", rel=f"{i:03d}.md",
                                   date=when, updated=when, category=Category(slug, f"{name}{slug}"), draft=draft))
        _same(select.choose(entries, config, NOW), select.choose(_records(entries), config, NOW))
        # as a rebuild has them: decoded from the catalogue, one datetime object per distinct date
        decoded = catalogue.decode(catalogue.encode(_records(entries)), catalogue.Shared())
        _same(select.choose(entries, config, NOW), select.choose(decoded, config, NOW))


class TestFeedEntries:
    def test_early_stop_with_every_slug_gives_the_same_feeds(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """Given every category slug, the feeds stop filling early and hold what a full pass gives."""
        source = tmp_path / "corpus"
        write_corpus(source, 60)
        entries, _ = read_entries(make_config(source))
        for limit in (1, 3, 50):
            config = make_config(source, feed_limit=limit)
            chosen = select.choose(_records(entries), config, NOW)
            full = feeds.feed_entries(chosen.published, config)
            early = feeds.feed_entries(chosen.published, config, chosen.names)
            assert list(early) == list(full)
            assert {c: [r.id for r in m] for c, m in early.items()} == {c: [r.id for r in m] for c, m in full.items()}


class _Tied(NamedTuple):
    """What updated_texts reads of an item."""

    updated: datetime
    updated_instant: int
    micros: int


_ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "America/St_Johns",
          "Pacific/Chatham", "Africa/Casablanca"]


class TestLastmodTexts:
    """A tied date's text is written from its date's, moved on: always what the moved datetime itself says."""

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(st.sampled_from([*_ZONES, "+05:45", "-00:25:21"]),
           st.datetimes(datetime(1900, 1, 1), datetime(2100, 1, 1)),  # noqa: DTZ001 - naive: the zone is set below
           st.booleans(), st.lists(st.integers(1, 3_599), min_size=1, max_size=4), st.booleans())
    def test_moved_text_is_the_moved_datetime_s(self, zone: str, when: datetime, fold: bool, seconds: list[int],
                                               near_a_change: bool) -> None:
        """Across changes of offset (DST, a half-hour gap), folds, midnight, fixed offsets: the same text."""
        if zone[0] in "+-":
            sign = -1 if zone[0] == "-" else 1
            h, m, *s = (int(p) for p in zone[1:].split(":"))
            tz: tzinfo = timezone(sign * timedelta(hours=h, minutes=m, seconds=s[0] if s else 0))
        else:
            tz = ZoneInfo(zone)
        if near_a_change:  # the hour before a change of offset in March or October, where most zones change
            when = when.replace(month=(3, 10)[when.day % 2], hour=when.hour % 4, minute=when.minute // 2 * 2)
        d = when.replace(microsecond=0, tzinfo=tz, fold=int(fold))
        instant = instant_of(d)
        items = [_Tied(d, instant, s * 1_000_000) for s in seconds]
        chosen = select.Selection(items, {}, frozenset({instant}))
        assert chosen.updated_texts(items) == [chosen.updated(x).isoformat(timespec="seconds") for x in items]

    def test_around_a_change_of_offset(self) -> None:
        """Every 7 minutes of the hours around Paris's spring and autumn changes (both readings), before midnight."""
        tz = ZoneInfo("Europe/Paris")
        starts = [datetime(2024, 3, 31, 0, tzinfo=tz), datetime(2024, 10, 27, 0, tzinfo=tz),
                  datetime(2024, 10, 27, 2, 30, tzinfo=tz, fold=1), datetime(2024, 5, 1, 23, tzinfo=tz)]
        times = [start + timedelta(minutes=m) for start in starts for m in range(0, 240, 7)]
        times += [t.replace(fold=1) for t in times]  # the second reading of an hour read twice (a moved one has fold 0)
        # an offset with a fraction of a second: a whole-second instant at a wall time that has one
        times.append(datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=timezone(timedelta(hours=1, microseconds=500_000))))
        items = [_Tied(t, instant_of(t), s * 1_000_000) for t in times for s in (1, 1_799, 3_599)]
        # moved exactly onto the next midnight, and one second short of it
        items += [_Tied(t, instant_of(t), 3_599_000_000) for t in (datetime(2024, 5, 1, 23, 0, 1, tzinfo=tz),
                                                                   datetime(2024, 5, 1, 23, 0, 0, tzinfo=tz))]
        assert all(x.updated_instant % 1_000_000 == 0 for x in items)
        chosen = select.Selection(items, {}, frozenset(x.updated_instant for x in items))
        assert chosen.updated_texts(items) == [chosen.updated(x).isoformat(timespec="seconds") for x in items]
