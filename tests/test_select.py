"""Choosing what is published gives the same answer from catalogue records as from entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedpub import records, select
from feedpub.config import Config
from feedpub.incremental import catalogue
from feedpub.model import Category, Entry, changed
from feedpub.outputs import feeds
from feedpub.pipeline import read_entries
from tests.conftest import NOW, write_corpus, write_doc


def _records(entries: list[Entry]) -> list[records.Record]:
    return [records.record_of(e, 0, 0, e.rel.encode()) for e in entries]  # as a build does


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
