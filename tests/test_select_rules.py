"""Choosing what is published, rule by rule: drafts, the future, order, category names, ties, duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from feedpub import select
from feedpub.config import Config
from feedpub.errors import SourceError
from feedpub.model import Category, Entry, instant_of

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
CONFIG = Config(source=Path("src"), out=Path("dist"))
FUTURE = Config(source=Path("src"), out=Path("dist"), future=True)
US = timedelta(microseconds=1)


def entry(id_: str, date: datetime = NOW - timedelta(days=1), *, updated: datetime | None = None,
          category: tuple[str, str] = ("news", "News"), draft: bool = False, url: str | None = None,
          rel: str | None = None, lines: dict[str, int] | None = None) -> Entry:
    """Return an entry with the fields choosing looks at (the others fixed)."""
    return Entry(
        id=id_, url=id_ if url is None else url, title=id_, title_source="front matter", date=date,
        date_source="front matter", updated=date if updated is None else updated,
        category=Category(*category), category_source="front matter", summary="", source="", authors=(),
        tags=(), image=None, rel=rel or f"{id_}.md", fmt="markdown", draft=draft, lines=lines or {},
    )


def ids(items: Any) -> list[str]:
    return [x.id for x in items]


class TestDraftsAndFuture:
    def test_drafts_are_never_published(self) -> None:
        """A draft is left out, with or without future publishing."""
        items = [entry("a"), entry("b", draft=True), entry("c", NOW + timedelta(days=1), draft=True)]
        assert ids(select.publishable(items, CONFIG, NOW)) == ["a"]
        assert ids(select.publishable(items, FUTURE, NOW)) == ["a"]

    def test_an_entry_dated_exactly_now_is_published(self) -> None:
        """The boundary instant belongs to the past: dated now is in, one microsecond later is out."""
        items = [entry("at", NOW), entry("after", NOW + US), entry("before", NOW - US)]
        assert ids(select.publishable(items, CONFIG, NOW)) == ["at", "before"]

    def test_now_in_another_zone_is_the_same_instant(self) -> None:
        """The limit is an instant: 'now' written in +14:00 cuts where UTC does."""
        far_east = NOW.astimezone(timezone(timedelta(hours=14)))
        items = [entry("at", NOW.astimezone(timezone(timedelta(hours=-12)))), entry("after", NOW + US)]
        assert ids(select.publishable(items, CONFIG, far_east)) == ["at"]

    def test_future_entries_are_kept_when_asked(self) -> None:
        """With future publishing on, a future date is published, newest first."""
        items = [entry("old"), entry("later", NOW + timedelta(days=365))]
        assert ids(select.publishable(items, FUTURE, NOW)) == ["later", "old"]


class TestOrder:
    def test_newest_first(self) -> None:
        """Entries come newest first whatever their input order, one microsecond apart included."""
        items = [entry("a", NOW - 3 * US), entry("b", NOW - US), entry("c", NOW - 2 * US)]
        assert ids(select.publishable(items, CONFIG, NOW)) == ["b", "c", "a"]

    def test_ties_are_broken_by_id(self) -> None:
        """Entries of one instant are ordered by id, ascending, whatever the input order."""
        same = NOW - timedelta(hours=1)
        items = [entry("b", same), entry("c", same), entry("a", same), entry("z", NOW - timedelta(hours=2))]
        assert ids(select.publishable(items, CONFIG, NOW)) == ["a", "b", "c", "z"]
        assert ids(select.publishable(list(reversed(items)), CONFIG, NOW)) == ["a", "b", "c", "z"]

    def test_same_instant_in_two_zones_is_a_tie(self) -> None:
        """Order compares instants, not wall clocks: 13:00+01:00 ties with 12:00Z and sorts by id."""
        items = [entry("b", datetime(2024, 1, 1, 12, tzinfo=UTC)),
                 entry("a", datetime(2024, 1, 1, 13, tzinfo=timezone(timedelta(hours=1)))),
                 entry("c", datetime(2024, 1, 1, 12, 30, tzinfo=timezone(timedelta(hours=1))))]
        assert ids(select.publishable(items, CONFIG, NOW)) == ["a", "b", "c"]

    def test_choose_keeps_that_order(self) -> None:
        """choose() publishes in the same order, drafts and future entries out."""
        items = [entry("x", NOW - US), entry("y", NOW + US), entry("a", NOW - US), entry("d", draft=True)]
        assert ids(select.choose(items, CONFIG, NOW).published) == ["a", "x"]


class TestCategoryNames:
    def test_most_used_spelling_wins(self) -> None:
        """The spelling most published entries use names the category, for every entry of it."""
        items = [entry("a", category=("biotech", "BioTech")),
                 entry("b", category=("biotech", "Biotech")),
                 entry("c", category=("biotech", "Biotech"))]
        chosen = select.choose(items, CONFIG, NOW)
        assert chosen.names == {"biotech": "Biotech"}
        assert {x.category for x in chosen.published} == {Category("biotech", "Biotech")}

    def test_most_used_wins_whatever_the_order(self) -> None:
        """The least-used spelling never wins, even when it comes first or sorts first."""
        for spellings in (["AAA", "Zed", "Zed"], ["Zed", "AAA", "Zed"], ["Zed", "Zed", "AAA"]):
            items = [entry(f"e{i}", category=("x", name)) for i, name in enumerate(spellings)]
            assert select.choose(items, CONFIG, NOW).names == {"x": "Zed"}

    def test_a_tie_between_spellings_goes_to_the_first_in_code_point_order(self) -> None:
        """Equally used spellings: the smallest string wins ('B' < 'b'), whatever the input order."""
        for order in (["biotech", "Biotech"], ["Biotech", "biotech"]):
            items = [entry(f"e{i}", category=("biotech", name)) for i, name in enumerate(order)]
            assert select.choose(items, CONFIG, NOW).names == {"biotech": "Biotech"}

    def test_only_published_entries_count(self) -> None:
        """Drafts and future entries do not vote for a spelling."""
        items = [entry("a", category=("bio", "Bio")),
                 entry("b", category=("bio", "BIO"), draft=True),
                 entry("c", category=("bio", "BIO"), draft=True),
                 entry("d", NOW + US, category=("bio", "BIO"))]
        assert select.choose(items, CONFIG, NOW).names == {"bio": "Bio"}

    def test_configured_name_wins_over_every_spelling(self) -> None:
        """A name set in [categories] is used even when no document spells it so."""
        config = Config(source=Path("src"), out=Path("dist"), categories={"bio": "Life Sciences"})
        items = [entry("a", category=("bio", "Bio")), entry("b", category=("news", "News"))]
        chosen = select.choose(items, config, NOW)
        assert chosen.names == {"bio": "Life Sciences", "news": "News"}
        assert [x.category.name for x in chosen.published] == ["Life Sciences", "News"]

    def test_a_configured_name_no_entry_uses_renames_them_all(self) -> None:
        """When the configured name is nobody's spelling, every entry is renamed, not one left as it was."""
        config = Config(source=Path("src"), out=Path("dist"), categories={"bio": "Life Sciences"})
        items = [entry("a", category=("bio", "Bio")), entry("b", category=("bio", "Bio"))]
        chosen = select.choose(items, config, NOW)
        assert [x.category for x in chosen.published] == [Category("bio", "Life Sciences")] * 2

    def test_each_slug_is_settled_on_its_own(self) -> None:
        """Two slugs keep their own names; an entry already spelt right is returned as it is."""
        kept = entry("k", category=("a", "Alpha"))
        items = [kept, entry("l", category=("a", "Alpha")), entry("m", category=("a", "ALPHA")),
                 entry("n", category=("b", "beta"))]
        chosen = select.choose(items, CONFIG, NOW)
        assert chosen.names == {"a": "Alpha", "b": "beta"}
        assert [x.category.name for x in chosen.published] == ["Alpha", "Alpha", "Alpha", "beta"]
        assert chosen.published[0] is kept


class TestUpdatedTies:
    def test_entries_sharing_a_whole_second_are_moved_apart(self) -> None:
        """Two published entries with one 'updated' second each move by their own whole seconds (under an hour)."""
        t = datetime(2024, 5, 1, 0, 0, tzinfo=UTC)
        a, b, c = entry("a", t), entry("b", t), entry("c", t - timedelta(days=1))
        chosen = select.choose([a, b, c], CONFIG, NOW)
        assert chosen.tied == frozenset({instant_of(t)})
        moved = {x.id: chosen.updated(x) for x in chosen.published}
        assert moved["a"] == t + timedelta(microseconds=a.micros)
        assert moved["b"] == t + timedelta(microseconds=b.micros)
        assert moved["a"] != moved["b"]
        assert t < moved["a"] < t + timedelta(hours=1) and moved["a"].microsecond == 0
        assert moved["c"] == c.updated

    def test_a_tie_off_the_whole_second_is_left_alone(self) -> None:
        """Entries that share an 'updated' with a fraction of a second are not moved."""
        t = datetime(2024, 5, 1, 0, 0, 0, 500_000, tzinfo=UTC)
        chosen = select.choose([entry("a", t), entry("b", t)], CONFIG, NOW)
        assert chosen.tied == frozenset()
        assert [chosen.updated(x) for x in chosen.published] == [t, t]

    def test_a_draft_or_future_entry_makes_no_tie(self) -> None:
        """Only published entries can tie: a draft with the same 'updated' leaves the other alone."""
        t = datetime(2024, 5, 1, tzinfo=UTC)
        chosen = select.choose([entry("a", t), entry("b", t, draft=True),
                                entry("c", NOW + US, updated=t)], CONFIG, NOW)
        assert chosen.tied == frozenset()
        assert chosen.updated(chosen.published[0]) == t

    def test_ties_are_counted_on_updated_not_date(self) -> None:
        """Same date but different 'updated' is no tie; different dates with one 'updated' are."""
        t = datetime(2024, 5, 1, tzinfo=UTC)
        u = t + timedelta(days=2)
        apart = [entry("a", t, updated=u), entry("b", t, updated=u + timedelta(seconds=1))]
        assert select.tied_instants(apart) == frozenset()
        together = [entry("a", t, updated=u), entry("b", t - timedelta(days=1), updated=u)]
        assert select.tied_instants(together) == frozenset({instant_of(u)})

    def test_three_way_tie_is_one_instant(self) -> None:
        """Three entries on one second give one tied instant and three different values."""
        t = datetime(2024, 5, 1, tzinfo=UTC)
        chosen = select.choose([entry(x, t) for x in "abc"], CONFIG, NOW)
        assert len({chosen.updated(x) for x in chosen.published}) == 3

    def test_settle_gives_the_settled_values(self) -> None:
        """settle() returns the entry with its category's settled name and its moved 'updated'."""
        t = datetime(2024, 5, 1, tzinfo=UTC)
        a, b = entry("a", t, category=("x", "X")), entry("b", t, category=("x", "x"))
        chosen = select.choose([a, b, entry("c", t, category=("x", "X"))], CONFIG, NOW)
        settled = chosen.settle(b)
        assert settled.category == Category("x", "X")
        assert settled.updated == t + timedelta(microseconds=b.micros)
        assert (settled.id, settled.date, settled.title) == (b.id, b.date, b.title)

    def test_settle_moves_a_tied_entry_already_named_right(self) -> None:
        """An entry under its settled name still gets its moved 'updated' when it is tied."""
        t = datetime(2024, 5, 1, tzinfo=UTC)
        a = entry("a", t)
        chosen = select.choose([a, entry("b", t)], CONFIG, NOW)
        assert chosen.settle(a).updated == t + timedelta(microseconds=a.micros)

    def test_settle_returns_an_entry_needing_nothing_as_it_is(self) -> None:
        """An entry already under its settled name and not tied is returned unchanged (the same object)."""
        a = entry("a")
        chosen = select.choose([a, entry("b", NOW - timedelta(days=2))], CONFIG, NOW)
        assert chosen.settle(a) is a

    def test_settle_keeps_an_unknown_slug_s_own_name(self) -> None:
        """An entry whose slug the selection never saw keeps its own category name."""
        chosen = select.choose([entry("a")], CONFIG, NOW)
        other = entry("z", category=("other", "Other"))
        assert chosen.settle(other).category == Category("other", "Other")


class TestTokens:
    def test_tokens_change_with_the_ties_and_names(self) -> None:
        """What an output depends on changes when an item's tie or its category's name changes."""
        t = datetime(2024, 5, 1, tzinfo=UTC)
        a, b = entry("a", t, category=("x", "X")), entry("b", t - timedelta(days=1), category=("x", "X"))
        plain = select.choose([a, b], CONFIG, NOW)
        tied = select.choose([a, b, entry("c", t)], CONFIG, NOW)
        renamed = select.choose([a, b, entry("d", category=("x", "x")), entry("e", category=("x", "x")),
                                 entry("f", category=("x", "x"))], CONFIG, NOW)
        prints = [b"1" * 16, b"2" * 16]

        def tokens(chosen: select.Selection[Entry], items: list[Entry], fingerprints: list[bytes]) -> bytes:
            return b"".join(map(chosen.token, items, fingerprints))

        base = tokens(plain, [a, b], prints)
        assert base == tokens(plain, [a, b], prints)
        assert base != tokens(tied, [a, b], prints)
        assert base != tokens(renamed, [a, b], prints)
        assert base != tokens(plain, [a, b], [b"3" * 16, b"2" * 16])
        assert base != tokens(plain, [a], prints[:1])

    def test_tokens_join_without_ambiguity(self) -> None:
        """Each part of a token has its length told: two lists of items never join to the same bytes."""
        chosen = select.choose([entry("a", category=("x", "X")), entry("b", NOW - timedelta(days=2),
                                                                       category=("xx", "Xx"))], CONFIG, NOW)
        a, b = chosen.published
        assert chosen.token(a, b"xy") != chosen.token(a, b"x") + chosen.token(b, b"y")
        assert chosen.token(a, b"ab") + chosen.token(b, b"c") != chosen.token(a, b"a") + chosen.token(b, b"bc")


class TestDuplicates:
    def test_a_shared_id_names_both_files_and_the_id_line(self) -> None:
        """Two entries with one id: each file is reported once at its id line, naming the other."""
        items = [entry("same", rel="z.md", url="https://x/1", lines={"id": 4}),
                 entry("same", rel="a.md", url="https://x/2", lines={"id": 2}, date=NOW - timedelta(days=2))]
        with pytest.raises(SourceError) as e:
            select.choose(items, CONFIG, NOW)
        assert [str(p) for p in e.value.problems] == ["a.md:2: duplicate id 'same': also used by z.md",
                                                      "z.md:4: duplicate id 'same': also used by a.md"]

    def test_a_shared_permalink_names_both_files(self) -> None:
        """Two entries with one URL but different ids: each at its permalink line, naming the other."""
        items = [entry("i1", rel="b.md", url="https://x/p", lines={"permalink": 3, "id": 9}),
                 entry("i2", rel="c.md", url="https://x/p", lines={"permalink": 5, "id": 7})]
        with pytest.raises(SourceError) as e:
            select.check_unique(items)
        assert [str(p) for p in e.value.problems] == ["b.md:3: duplicate permalink 'https://x/p': also used by c.md",
                                                      "c.md:5: duplicate permalink 'https://x/p': also used by b.md"]

    def test_a_permalink_without_its_line_falls_back_to_url(self) -> None:
        """Without id or permalink lines the url line locates a duplicate; id and permalink are one problem."""
        items = [entry("i", rel="b.md", url="https://x/p", lines={"url": 6}),
                 entry("i", rel="c.md", url="https://x/p", lines={"url": 8})]
        with pytest.raises(SourceError) as e:
            select.check_unique(items)
        assert [str(p) for p in e.value.problems] == [
            "b.md:6: duplicate id 'i' and permalink 'https://x/p': also used by c.md",
            "c.md:8: duplicate id 'i' and permalink 'https://x/p': also used by b.md",
        ]

    def test_every_duplicate_is_reported_at_once(self) -> None:
        """Three files on one id give three problems, each naming the two others."""
        items = [entry("d", rel=f"{n}.md", url=f"https://x/{n}") for n in "cab"]
        with pytest.raises(SourceError) as e:
            select.check_unique(items)
        assert [str(p) for p in e.value.problems] == [
            "a.md: duplicate id 'd': also used by b.md, c.md",
            "b.md: duplicate id 'd': also used by a.md, c.md",
            "c.md: duplicate id 'd': also used by a.md, b.md",
        ]

    def test_a_made_permalink_says_how_to_part_them(self) -> None:
        """Two addresses made of category and name (no permalink, url, path or slug given): the problem says what to do;
        an address a document gives is its author's, and nothing is suggested."""
        made = [entry(f"https://x/blog/study-hugo/{n}", url="https://x/blog/study-hugo/", rel=f"{n}/study_hugo/index.md")
                for n in "ab"]
        with pytest.raises(SourceError) as e:
            select.check_unique(made)
        assert str(e.value.problems[0]) == (
            "a/study_hugo/index.md: duplicate permalink 'https://x/blog/study-hugo/': also used by b/study_hugo/index.md "
            "(made of its category and file name: give one of them a 'slug' or 'url' of its own)")
        given = [entry(f"https://x/{n}", url="https://x/p", rel=f"{n}.md", lines={"url": 3}) for n in "ab"]
        with pytest.raises(SourceError) as e:
            select.check_unique(given)
        assert str(e.value.problems[0]).endswith("also used by b.md")

    def test_equal_urls_that_are_different_strings_are_caught(self) -> None:
        """A permalink shared by value (not the same string object) is still a duplicate."""
        url = "https://x/" + "p"
        other = "".join(["https://x/", "p"])
        assert url == other and url is not other
        with pytest.raises(SourceError, match="duplicate permalink"):
            select.check_unique([entry("a", url=url), entry("b", url=other)])

    def test_unique_ids_and_urls_pass(self) -> None:
        """Distinct ids and distinct URLs raise nothing, whether url is the id or not."""
        select.check_unique([entry("https://x/a"), entry("https://x/b")])
        select.check_unique([entry("a", url="https://x/a"), entry("b", url="https://x/b")])
        select.check_unique([])

    def test_choose_passes_whole_on(self) -> None:
        """choose() locates a duplicate with the lines of the entry whole() gives."""
        items = [entry("d", rel="a.md", url="https://x/1"), entry("d", rel="b.md", url="https://x/2")]
        with pytest.raises(SourceError) as e:
            select.choose(items, CONFIG, NOW, lambda x: entry("d", rel=x.rel, lines={"id": 12}))
        assert [str(p) for p in e.value.problems] == ["a.md:12: duplicate id 'd': also used by b.md",
                                                      "b.md:12: duplicate id 'd': also used by a.md"]

    def test_whole_gives_the_lines_of_a_record(self) -> None:
        """Given whole(), the duplicate's lines come from the full entry it returns."""
        items = [entry("d", rel="a.md", url="https://x/1"), entry("d", rel="b.md", url="https://x/2")]
        full = {x.rel: entry("d", rel=x.rel, lines={"id": 11}) for x in items}
        with pytest.raises(SourceError) as e:
            select.check_unique(items, lambda x: full[x.rel])
        assert [str(p) for p in e.value.problems] == ["a.md:11: duplicate id 'd': also used by b.md",
                                                      "b.md:11: duplicate id 'd': also used by a.md"]


class TestByCategory:
    def test_groups_sorted_by_slug_keep_entry_order(self) -> None:
        """Groups come in slug order, each keyed by its first entry's category, entries in their order."""
        items = [entry("1", category=("zeta", "Zeta")), entry("2", category=("alpha", "Alpha")),
                 entry("3", category=("zeta", "Zeta")), entry("4", category=("alpha", "Alpha"))]
        groups = select.by_category(items)
        assert list(groups) == [Category("alpha", "Alpha"), Category("zeta", "Zeta")]
        assert [ids(v) for v in groups.values()] == [["2", "4"], ["1", "3"]]
        assert select.by_category([]) == {}

    def test_a_group_is_keyed_by_its_first_entry(self) -> None:
        """A group of one is keyed by its entry's category; of several, by the first entry's spelling."""
        items = [entry("1", category=("a", "First")), entry("2", category=("a", "Second")),
                 entry("3", category=("b", "Only"))]
        assert list(select.by_category(items)) == [Category("a", "First"), Category("b", "Only")]
