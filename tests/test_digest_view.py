"""What a digest says: its lead story, sections and items, merge tags made inert, UTM links, texts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from feedpub.config import Config
from feedpub.errors import DigestError
from feedpub.model import Category, Entry, Image, Rendered, instant_of
from feedpub.outputs.digest import view
from feedpub.outputs.digest.week import Window

SITE = Config(source=Path("src"), out=Path("dist"), base_url="https://news.example.org/", title="Acme News")
MONDAY = datetime(2023, 2, 20, tzinfo=UTC)
WEEK = Window("2023-W08", MONDAY, MONDAY + timedelta(days=7))
NOW = datetime(2023, 3, 1, 9, tzinfo=UTC)
NEWS, EVENTS, POLICY = Category("news", "News"), Category("events", "Events"), Category("policy", "Policy")
UTM = "utm_source=newsletter&utm_medium=email&utm_campaign=digest-2023-W08"


def config(**digest: Any) -> Config:
    """Return the site's configuration with some digest settings."""
    return dataclasses.replace(SITE, digest=dataclasses.replace(SITE.digest, **digest))


def entry(id_: str, hours: float, category: Category = NEWS, **fields: Any) -> Entry:
    """Return an entry dated hours after the week's Monday midnight."""
    when = MONDAY + timedelta(hours=hours)
    values: dict[str, Any] = {
        "id": id_, "url": f"https://news.example.org/{id_}/", "title": f"Title {id_}", "title_source": "front matter",
        "date": when, "date_source": "front matter", "updated": when, "category": category,
        "category_source": "front matter", "summary": "", "source": "", "authors": (), "tags": (), "image": None,
        "rel": f"{id_}.md", "fmt": "markdown"}
    return Entry(**{**values, **fields})


def rendered(*entries: Entry, summary: str = "A summary.") -> dict[str, Rendered]:
    """Return the rendered bodies of entries, by id, each with the same summary."""
    return {e.id: Rendered(e, "<p>x</p>", summary) for e in entries}


def make(*entries: Entry, cfg: Config = SITE) -> view.Digest:
    """Return the digest of 2023-W08 of entries, made at NOW."""
    return view.make(list(entries), rendered(*entries), cfg, WEEK, NOW)


class TestUtm:
    def test_added_after_the_query_before_the_fragment(self) -> None:
        """utm_source, utm_medium, utm_campaign ({week} filled in) follow the link's own query."""
        assert view.with_utm("https://x.org/a", SITE, WEEK) == f"https://x.org/a?{UTM}"
        assert view.with_utm("https://x.org/a?id=3#top", SITE, WEEK) == f"https://x.org/a?id=3&{UTM}#top"

    @pytest.mark.parametrize("query", ["utm_source=rss", "a=1&UTM_Medium=x", "utm_=1"])
    def test_a_link_with_its_own_utm_is_left_alone(self, query: str) -> None:
        """Any utm_ parameter (any case) means the link was tagged on purpose."""
        assert view.with_utm(f"https://x.org/a?{query}", SITE, WEEK) == f"https://x.org/a?{query}"

    def test_a_parameter_only_containing_utm_does_not_count(self) -> None:
        """xutm_source is not a UTM parameter."""
        assert view.with_utm("https://x.org/a?xutm_source=1", SITE, WEEK) == f"https://x.org/a?xutm_source=1&{UTM}"

    def test_empty_settings_are_left_out(self) -> None:
        """An empty UTM setting adds no parameter; with all three empty the link is unchanged."""
        cfg = config(utm_medium="", utm_campaign="spring sale")
        assert view.with_utm("https://x.org/a", cfg, WEEK) == "https://x.org/a?utm_source=newsletter&utm_campaign=spring+sale"
        bare = config(utm_source="", utm_medium="", utm_campaign="")
        assert view.with_utm("https://x.org/a?b=1", bare, WEEK) == "https://x.org/a?b=1"


class TestInert:
    @pytest.mark.parametrize(("text", "out"), [
        ("{{ Subscriber.Email }}", "{\u200b{ Subscriber.Email }\u200b}"),
        ("{% if x %}", "{\u200b% if x %\u200b}"),
        ("*|UNSUB|*", "*\u200b|UNSUB|\u200b*"),
        ("{|x|}", "{\u200b|x|\u200b}"),
        ("*{a}*", "*\u200b{a}\u200b*"),
    ])
    def test_tag_openers_and_closers_are_broken(self, text: str, out: str) -> None:
        """Each two-character opener or closer of a merge tag gets a zero-width space between its characters."""
        assert view.inert(text) == out

    @pytest.mark.parametrize("text", ["{a} *b* |c| %d%", "a { { b", "x} }", "50% off", ""])
    def test_other_text_is_unchanged(self, text: str) -> None:
        """Braces, stars, bars and percent signs that open or close no tag stay as they are."""
        assert view.inert(text) == text


class TestSummaryText:
    def test_a_title_that_is_the_first_sentence_is_not_repeated(self) -> None:
        """The summary starts after the sentence the title repeats (case and spaces aside)."""
        assert view.summary_text("Hello  World", "hello world. Second sentence here.", 160) == "Second sentence here."

    def test_a_cut_title_skips_its_whole_sentence(self) -> None:
        """A title cut with '…' is the start of the first sentence: the whole sentence is left out."""
        summary = "A very long first sentence that goes on and on. Then the rest."
        assert view.summary_text("A very long first sentence that goes…", summary, 160) == "Then the rest."

    def test_a_title_with_its_full_stop(self) -> None:
        """A title ending in '.' matches the sentence it starts, whatever punctuation follows it there."""
        assert view.summary_text("Done.", "Done. More.", 160) == "More."
        assert view.summary_text("Big news.", "Big news: the details. More.", 160) == "More."

    def test_only_the_title_s_own_end_is_ignored(self) -> None:
        """A title matches only the start it spells: the last letter of 'Meet X' is not punctuation."""
        assert view.summary_text("Meet X", "Meet Y. Then more.", 160) == "Meet Y. Then more."

    def test_a_sentence_without_end_is_the_title_s(self) -> None:
        """A summary of one sentence that starts with the title is all said by the title."""
        assert view.summary_text("Hello", "Hello: world without end", 160) == ""

    def test_a_title_longer_than_the_first_sentence(self) -> None:
        """When the title spans sentences, what follows the title is kept, punctuation trimmed."""
        assert view.summary_text("Hi. There", "Hi. There and more.", 160) == "and more."
        assert view.summary_text("Hi. There", "Hi. There: — … and more.", 160) == "and more."
        assert view.summary_text("Hi. There", "Hi. There Xavier came.", 160) == "Xavier came."

    def test_only_the_title_leaves_nothing(self) -> None:
        """A summary that is only the title says nothing more."""
        assert view.summary_text("Hello", "Hello", 160) == ""
        assert view.summary_text("Hello", "Hello.", 160) == ""

    def test_another_summary_is_kept(self) -> None:
        """A summary that does not start with the title is shown, spaces collapsed."""
        assert view.summary_text("Other", "Hello\n  world.", 160) == "Hello world."
        assert view.summary_text("", "Hello world.", 160) == "Hello world."

    def test_cut_to_the_limit(self) -> None:
        """A long summary is cut to at most limit characters, on a word, with '…'."""
        out = view.summary_text("T", "word " * 100, 40)
        assert len(out) <= 40
        assert out.endswith("…")
        assert len(view.summary_text("T", "word " * 100, 80)) > 40


class TestSections:
    def test_by_size_then_name_newest_first(self) -> None:
        """Larger categories first, then by name; each category's entries keep their order."""
        e = [entry("a", 1, EVENTS), entry("b", 2, NEWS), entry("c", 3, POLICY), entry("d", 4, NEWS)]
        found = view.sections(e, SITE)
        assert [(c.slug, [x.id for x in m], more) for c, m, more in found] == [
            ("news", ["b", "d"], 0), ("events", ["a"], 0), ("policy", ["c"], 0)]

    def test_the_category_order_setting_comes_first(self) -> None:
        """Slugs of digest.category_order first, in its order; the rest after, by size then name."""
        e = [entry("a", 1, EVENTS), entry("b", 2, NEWS), entry("c", 3, POLICY), entry("d", 4, NEWS)]
        found = view.sections(e, config(category_order=("policy", "events")))
        assert [c.slug for c, _m, _more in found] == ["policy", "events", "news"]

    def test_the_cap_counts_what_it_leaves_out(self) -> None:
        """max_items_per_category keeps the first N and counts the rest; 0 keeps all."""
        e = [entry(str(i), i) for i in range(4)]
        capped = view.sections(e, config(max_items_per_category=3))
        assert [([x.id for x in m], more) for _c, m, more in capped] == [(["0", "1", "2"], 1)]
        exact = view.sections(e, config(max_items_per_category=4))
        assert [([x.id for x in m], more) for _c, m, more in exact] == [(["0", "1", "2", "3"], 0)]
        assert view.sections(e, SITE)[0][2] == 0


class TestLead:
    def test_the_newest_is_the_lead_and_is_not_repeated(self) -> None:
        """The newest entry leads; its section shows the others."""
        d = make(entry("old", 1), entry("new", 2))
        assert d.lead is not None
        assert d.lead.title == "Title new"
        assert [[i.title for i in s.items] for s in d.sections] == [["Title old"]]
        assert d.count == 2

    def test_a_featured_entry_leads(self) -> None:
        """The newest entry tagged 'featured' (any case) leads, even when others are newer."""
        d = make(entry("a", 1, tags=("Featured",)), entry("b", 2, tags=("featured",)), entry("c", 3))
        assert d.lead is not None
        assert d.lead.title == "Title b"

    def test_ties_go_to_the_smaller_id(self) -> None:
        """Two entries of the same instant: the one with the smaller id leads."""
        d = make(entry("b", 1), entry("a", 1))
        assert d.lead is not None
        assert d.lead.title == "Title a"

    def test_a_category_of_only_the_lead_has_no_section(self) -> None:
        """A section left empty by the lead is dropped, unless the cap left entries out."""
        d = make(entry("lead", 5, EVENTS), entry("n", 1, NEWS))
        assert [s.category.slug for s in d.sections] == ["news"]
        capped = make(entry("lead", 5, EVENTS), entry("e", 4, EVENTS), entry("n", 1, NEWS),
                      cfg=config(max_items_per_category=1))
        assert [(s.category.slug, len(s.items), s.more) for s in capped.sections] == [("events", 0, 1), ("news", 1, 0)]


class TestItems:
    def test_an_item_carries_what_the_templates_show(self) -> None:
        """Title, UTM link, summary, source, day in the site zone, category name and accent."""
        e = entry("a", 23.5, EVENTS, source="Reuters")
        cfg = dataclasses.replace(config(accent_colors={"events": "#aa0000"}), timezone="Asia/Taipei")
        d = view.make([e], rendered(e, summary="Title a. More words here."), cfg, WEEK, NOW)
        assert d.lead == view.Item("Title a", f"https://news.example.org/a/?{UTM}", "More words here.", None,
                                   "Reuters", "21 February 2023", "Events", "#aa0000")

    def test_the_default_accent(self) -> None:
        """A category with no colour set gets the default accent, in its item and its section."""
        d = make(entry("a", 2), entry("b", 1))
        assert d.lead is not None
        assert d.lead.accent == view.DEFAULT_ACCENT == d.sections[0].accent == d.sections[0].items[0].accent

    def test_document_text_is_inert(self) -> None:
        """Title, summary, source, category name and image alt of a document cannot run as merge tags."""
        cat = Category("x", "{{ Cat }}")
        e = entry("a", 1, cat, title="{{ T }}", source="*|S|*", image=Image("https://i.test/a.jpg", "image/jpeg", "{% A %}"))
        f = entry("b", 0, cat)
        d = view.make([e, f], {**rendered(e, summary="{{ Sum }}"), **rendered(f)}, SITE, WEEK, NOW)
        assert d.lead is not None
        lead = d.lead
        assert (lead.title, lead.summary, lead.source, lead.category) == (
            "{\u200b{ T }\u200b}", "{\u200b{ Sum }\u200b}", "*\u200b|S|\u200b*", "{\u200b{ Cat }\u200b}")
        assert lead.image is not None
        assert lead.image.alt == "{\u200b% A %\u200b}"
        assert d.sections[0].category == Category("x", "{\u200b{ Cat }\u200b}")

    def test_an_alt_repeating_the_title_is_dropped(self) -> None:
        """An image alt that only repeats the title beside it (case and spaces aside) is emptied."""
        e = entry("a", 1, title="Big  News", image=Image("https://i.test/a.jpg", "image/jpeg", "big news"))
        d = make(e)
        assert d.lead is not None
        assert d.lead.image == Image("https://i.test/a.jpg", "image/jpeg", "")

    def test_summaries_are_cut_to_their_place(self) -> None:
        """The lead's summary may be longer than a section item's."""
        a, b = entry("a", 2), entry("b", 1)
        d = view.make([a, b], rendered(a, b, summary="word " * 100), SITE, WEEK, NOW)
        assert d.lead is not None
        assert view.SUMMARY_CHARS < len(d.lead.summary) <= view.LEAD_SUMMARY_CHARS
        assert len(d.sections[0].items[0].summary) <= view.SUMMARY_CHARS

    def test_more_links_to_the_category_feed(self) -> None:
        """A section's 'more' link is its category's Atom feed, with UTM parameters."""
        d = make(entry("a", 2), entry("b", 1))
        assert d.sections[0].more_url == f"https://news.example.org/categories/news/atom.xml?{UTM}"


class TestTexts:
    def test_defaults(self) -> None:
        """Subject, preheader (the first three titles), intro and footer note by default; made at now."""
        d = make(entry("a", 5, NEWS), entry("b", 4, NEWS), entry("b2", 3, NEWS), entry("c", 2, EVENTS),
                 entry("d", 1, POLICY))
        assert d.window == WEEK
        assert d.subject == "Acme News — week of 20 February 2023"
        assert d.preheader == "In this issue: Title a · Title b · Title c"  # the lead, then each section's first
        assert d.intro == WEEK.intro
        assert d.footer_note == "You are receiving this email because you subscribed to Acme News."
        assert d.made == NOW
        assert (d.unsubscribe, d.view_online, d.preview_tag, d.list_unsubscribe) == (
            "", "https://news.example.org/digest/2023-W08.html", "", "")

    def test_settings(self) -> None:
        """Each setting replaces its default; subject fields are filled in, spaces collapsed."""
        cfg = config(subject="{site}:  {week}\n{start}–{end} ({period})", preheader="Five  stories",
                     intro="Hello.", footer_note="You asked.", profile="mailchimp")
        d = make(entry("a", 1), cfg=cfg)
        assert d.subject == "Acme News: 2023-W08 20 February 2023–26 February 2023 (week of 20 February 2023)"
        assert d.preheader == "Five stories"
        assert (d.intro, d.footer_note) == ("Hello.", "You asked.")
        assert (d.unsubscribe, d.view_online, d.preview_tag) == ("*|UNSUB|*", "*|ARCHIVE|*", "*|MC_PREVIEW_TEXT|*")

    def test_a_preheader_of_few_items(self) -> None:
        """With one item the preheader names it alone."""
        assert make(entry("a", 1)).preheader == "In this issue: Title a"


class TestWhatIsShown:
    def test_only_the_window_s_entries(self) -> None:
        """Entries outside the window are not shown."""
        d = make(entry("in", 1), entry("before", -1), entry("after", 24 * 7))
        assert d.lead is not None
        assert (d.lead.title, d.sections) == ("Title in", ())

    def test_no_entries_is_an_error_naming_the_window(self) -> None:
        """A window without entries makes no digest: the error names it in the site zone."""
        with pytest.raises(DigestError) as e:
            make(entry("before", -1))
        assert str(e.value) == "digest: no entries in 2023-W08 (2023-02-20 to 2023-02-26, UTC); nothing to send"

    def test_a_record_that_was_not_rendered_is_a_bug(self) -> None:
        """Only an Entry can be rendered here; a record missing from rendered is a KeyError naming it."""

        @dataclass(frozen=True)
        class Shown:
            id: str
            rel: str
            category: Category
            instant: int

        r = Shown("x", "x.md", NEWS, instant_of(MONDAY + timedelta(hours=1)))
        with pytest.raises(KeyError, match=r"x\.md is shown in the digest but was not rendered"):
            view.make([r], {}, SITE, WEEK, NOW)  # type: ignore[list-item]

    def test_an_entry_that_was_not_rendered_is_rendered(self, tmp_path: Path) -> None:
        """An Entry missing from rendered is rendered from its document, as the lead or in a section."""
        for name in ("a", "b"):
            (tmp_path / f"{name}.md").write_text(f"---\ntitle: Title {name}\n---\nThe body.\n", encoding="utf-8")
        cfg = dataclasses.replace(SITE, source=tmp_path)
        entries = [entry("a", 2, summary="Summary of a."), entry("b", 1, summary="Summary of b.")]
        d = view.make(entries, {}, cfg, WEEK, NOW)
        assert d.lead is not None
        assert (d.lead.summary, d.sections[0].items[0].summary) == ("Summary of a.", "Summary of b.")
