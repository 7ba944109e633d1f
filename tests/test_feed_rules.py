"""What each entry becomes in the Atom and RSS feeds (guid, links, dates, authors, summaries), and which feeds exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from feedpub import layout
from feedpub.config import Config
from feedpub.incremental import inputs
from feedpub.model import Author, Category, Entry, Image, Rendered
from feedpub.outputs import archive, atom_rss, feeds
from feedpub.outputs.atom_rss import FeedSpec
from feedpub.outputs.protocol import Build, Job
from feedpub.records import Record, record_of
from feedpub.render import content
from feedpub.select import Selection, choose
from feedpub.sources import load
from feedpub.sources.normalise import normalise
from feedpub.write import Previous, Written
from tests.conftest import write_doc

A = "{http://www.w3.org/2005/Atom}"
MEDIA = "{http://search.yahoo.com/mrss/}"
DC = "{http://purl.org/dc/elements/1.1/}"
NOW = datetime(2025, 1, 15, 12, tzinfo=UTC)
DAY = datetime(2024, 6, 1, 9, 30, tzinfo=UTC)


def config(**fields: Any) -> Config:
    return Config(source=Path("src"), out=Path("dist"), **fields)


def entry(id_: str = "https://news.example.org/news/a/", *, url: str | None = None, date: datetime = DAY,
          updated: datetime | None = None, author: str = "", source: str = "", image: Image | None = None,
          tags: tuple[str, ...] = (), category: tuple[str, str] = ("news", "News"), title: str = "A title") -> Entry:
    """Return an entry with the fields a feed shows."""
    return Entry(id=id_, url=id_ if url is None else url, title=title, title_source="front matter", date=date,
                 date_source="front matter", updated=date if updated is None else updated,
                 category=Category(*category), category_source="front matter", summary="", source=source,
                 authors=(Author(author),) if author else (), tags=tags, image=image, rel="a.md", fmt="markdown")


def spec(*entries: Entry, summary: str = "The summary.", html: str = "<p>The body.</p>", **fields: Any) -> FeedSpec:
    values = {"title": "Site", "subtitle": "About the site", "atom_url": "https://news.example.org/atom.xml",
              "rss_url": "https://news.example.org/rss.xml", "json_url": "https://news.example.org/feed.json",
              "home_url": "https://news.example.org/", "built": NOW, **fields}
    return FeedSpec(entries=tuple(Rendered(e, html, summary) for e in entries), **values)


def atom(s: FeedSpec, cfg: Config | None = None) -> etree._Element:
    return etree.fromstring(atom_rss.atom(s, cfg or config()))


def rss(s: FeedSpec, cfg: Config | None = None) -> etree._Element:
    return etree.fromstring(atom_rss.rss(s, cfg or config()))


def atom_entry(s: FeedSpec, cfg: Config | None = None) -> etree._Element:
    found = atom(s, cfg).find(f"{A}entry")
    assert found is not None
    return found


def rss_item(s: FeedSpec, cfg: Config | None = None) -> etree._Element:
    found = rss(s, cfg).find("channel/item")
    assert found is not None
    return found


class TestGuid:
    @pytest.mark.parametrize(("id_", "url", "permalink"), [
        ("https://news.example.org/news/a/", None, "true"),
        ("http://news.example.org/news/a/", None, "true"),
        ("https://news.example.org/news/a/", "https://news.example.org/news/b/", "false"),
        ("https://elsewhere.example.com/a", "https://news.example.org/news/a/", "false"),
        ("urn:uuid:0f6b1a3e-8c0e-4d6b-9f1e-2d3c4b5a6978", "https://news.example.org/news/a/", "false"),
        ("tag:news.example.org,2024:a", "https://news.example.org/news/a/", "false"),
        ("ftp://news.example.org/a", None, "false"),
        ("news.example.org/news/a/", None, "false"),
    ])
    def test_is_permalink_only_when_the_guid_is_the_entry_url(self, id_: str, url: str | None,
                                                                permalink: str) -> None:
        """isPermaLink is true only when the guid is the entry's own http(s) URL."""
        item = rss_item(spec(entry(id_, url=url)))
        guid = item.find("guid")
        assert guid is not None
        assert (guid.text, guid.get("isPermaLink")) == (id_, permalink)

    def test_feedparser_reads_the_link_and_the_id_apart(self) -> None:
        """A reader takes the link from <link> and the id from <guid>, even when they differ."""
        parsed = feedparser.parse(atom_rss.rss(spec(entry("urn:x:1", url="https://news.example.org/a/")), config()))
        assert parsed.bozo == 0
        assert (parsed.entries[0].id, parsed.entries[0].link) == ("urn:x:1", "https://news.example.org/a/")

    def test_atom_id_is_the_entry_id(self) -> None:
        """Atom's <id> is the entry id, whatever its URL."""
        el = atom_entry(spec(entry("urn:x:1", url="https://news.example.org/a/")))
        assert el.findtext(f"{A}id") == "urn:x:1"


class TestEntryFields:
    def test_links_alternate_then_enclosure(self) -> None:
        """Atom links: the page (text/html), then the image as an enclosure of its type."""
        image = Image("https://news.example.org/i.png", "image/png", "alt")
        links = atom_entry(spec(entry(image=image))).findall(f"{A}link")
        assert [(x.get("rel"), x.get("href"), x.get("type")) for x in links] == [
            ("alternate", "https://news.example.org/news/a/", "text/html"),
            ("enclosure", "https://news.example.org/i.png", "image/png"),
        ]

    def test_no_image_no_enclosure(self) -> None:
        """Without an image an entry has one link and no enclosure or media element."""
        el, item = atom_entry(spec(entry())), rss_item(spec(entry()))
        assert len(el.findall(f"{A}link")) == 1
        assert item.find("enclosure") is None
        assert next(item.iter(f"{MEDIA}content"), None) is None

    def test_image_is_media_content(self) -> None:
        """In RSS the image is a media:content of medium image; any enclosure is that image, with a length."""
        image = Image("https://news.example.org/i.jpg", "image/jpeg", "alt")
        item = rss_item(spec(entry(image=image)))
        media = item.find(f"{MEDIA}content")
        assert media is not None
        assert (media.get("url"), media.get("type"), media.get("medium")) == (image.url, "image/jpeg", "image")
        for enclosure in item.findall("enclosure"):  # RSS requires a length: a number of bytes
            assert (enclosure.get("url"), enclosure.get("type")) == (image.url, "image/jpeg")
            assert (enclosure.get("length") or "").isdigit()

    def test_dates(self) -> None:
        """Atom gives published (the date) and updated; RSS gives pubDate, the date."""
        e = entry(date=DAY, updated=DAY + timedelta(days=3, seconds=5))
        el = atom_entry(spec(e))
        assert el.findtext(f"{A}published") == "2024-06-01T09:30:00+00:00"
        assert el.findtext(f"{A}updated") == "2024-06-04T09:30:05+00:00"
        assert rss_item(spec(e)).findtext("pubDate") == "Sat, 01 Jun 2024 09:30:00 +0000"

    @pytest.mark.parametrize(("author", "source", "name"), [
        ("Mei-Ling Chen", "GeneOnline", "Mei-Ling Chen"),
        ("", "GeneOnline", None),
        ("Wei Lin", "", "Wei Lin"),
    ])
    def test_the_author_names_the_entry_never_its_source(self, author: str, source: str, name: str | None) -> None:
        """The author names an entry (Atom <author>, RSS dc:creator); a source it came from never does."""
        s = spec(entry(author=author, source=source))
        el = atom_entry(s)
        assert el.findtext(f"{A}author/{A}name") == name
        assert el.find(f"{DC}creator") is None
        assert rss_item(s).findtext(f"{DC}creator") == name

    def test_no_author_and_no_source_names_nobody(self) -> None:
        """An entry with neither has no entry author (the feed's author stands for it)."""
        s = spec(entry())
        assert atom_entry(s).find(f"{A}author") is None
        assert rss_item(s).find(f"{DC}creator") is None

    def test_category_then_tags(self) -> None:
        """The category's name comes first among an entry's categories, then each tag, in order."""
        el = atom_entry(spec(entry(category=("bio-tech", "Bio Tech"), tags=("crispr", "Gene Therapy"))))
        shown = [c.get("label") or c.get("term") for c in el.findall(f"{A}category")]
        assert shown == ["Bio Tech", "crispr", "Gene Therapy"]
        item = rss_item(spec(entry(category=("bio-tech", "Bio Tech"), tags=("crispr",))))
        assert [c.text for c in item.findall("category")] == ["Bio Tech", "crispr"]

    def test_title(self) -> None:
        """The entry's title is its title, in both formats."""
        s = spec(entry(title="Q3 & more"))
        assert atom_entry(s).findtext(f"{A}title") == "Q3 & more"
        assert rss_item(s).findtext("title") == "Q3 & more"

    def test_entries_keep_their_order(self) -> None:
        """Entries are written in the order given (newest first already), not re-sorted."""
        old = entry("https://news.example.org/old/", date=DAY - timedelta(days=1))
        new = entry("https://news.example.org/new/", date=DAY)
        for order in ((new, old), (old, new)):
            ids = [x.findtext(f"{A}id") for x in atom(spec(*order)).findall(f"{A}entry")]
            assert ids == [e.id for e in order]
            guids = [x.findtext("guid") for x in rss(spec(*order)).iter("item")]
            assert guids == [e.id for e in order]


class TestContentModes:
    def test_both_gives_summary_and_content(self) -> None:
        """content_mode both: Atom has the summary and the HTML content; RSS describes with the summary."""
        s = spec(entry())
        el = atom_entry(s, config(content_mode="both"))
        assert el.findtext(f"{A}summary") == "The summary."
        content_el = el.find(f"{A}content")
        assert content_el is not None
        assert (content_el.get("type"), content_el.text) == ("html", "<p>The body.</p>")
        assert rss_item(s, config(content_mode="both")).findtext("description") == "The summary."

    def test_summary_mode_has_no_content(self) -> None:
        """content_mode summary: the summary only."""
        s = spec(entry())
        el = atom_entry(s, config(content_mode="summary"))
        assert el.findtext(f"{A}summary") == "The summary."
        assert el.find(f"{A}content") is None
        item = rss_item(s, config(content_mode="summary"))
        assert item.findtext("description") == "The summary."
        assert item.find("{http://purl.org/rss/1.0/modules/content/}encoded") is None

    def test_full_mode_has_no_summary_and_describes_with_the_html(self) -> None:
        """content_mode full: Atom has only the content, declared HTML; RSS's description is the HTML body."""
        s = spec(entry())
        el = atom_entry(s, config(content_mode="full"))
        assert el.find(f"{A}summary") is None
        content_el = el.find(f"{A}content")
        assert content_el is not None
        assert (content_el.get("type"), content_el.text) == ("html", "<p>The body.</p>")
        parsed = feedparser.parse(atom_rss.atom(s, config(content_mode="full")))
        assert parsed.entries[0].content[0].type == "text/html"
        item = rss_item(s, config(content_mode="full"))
        assert item.findtext("description") == "<p>The body.</p>"
        assert item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") == "<p>The body.</p>"

    def test_a_summary_that_looks_like_markup_stays_text(self) -> None:
        """A summary with '<' is shown as those characters by a reader, never as markup."""
        s = spec(entry(), summary="1 < 2 <img src=x onerror=alert(1)>")
        parsed = feedparser.parse(atom_rss.atom(s, config()))
        assert parsed.bozo == 0
        shown = (parsed.entries[0].summary_detail.type, parsed.entries[0].summary)
        assert shown in {("text/plain", "1 < 2 <img src=x onerror=alert(1)>"),  # text: the characters
                         ("text/html", "1 &lt; 2 &lt;img src=x onerror=alert(1)&gt;")}  # or HTML showing them
        item = rss_item(s)
        assert item.findtext("description") == "1 &lt; 2 &lt;img src=x onerror=alert(1)&gt;"


class TestFeedLevel:
    def test_updated_is_the_newest_entry_updated(self) -> None:
        """The feed's updated is the latest 'updated' of its entries, not of their dates or of now."""
        a = entry("https://x/a", date=DAY, updated=DAY + timedelta(days=5))
        b = entry("https://x/b", date=DAY + timedelta(days=1))
        s = spec(b, a)
        assert s.updated == DAY + timedelta(days=5)
        assert atom(s).findtext(f"{A}updated") == "2024-06-06T09:30:00+00:00"
        assert rss(s).findtext("channel/lastBuildDate") == "Thu, 06 Jun 2024 09:30:00 +0000"

    def test_an_empty_feed_is_dated_by_the_build(self) -> None:
        """A feed without entries says it was updated at the build's now; without now it is an error."""
        assert spec().updated == NOW
        assert atom(spec()).findtext(f"{A}updated") == "2025-01-15T12:00:00+00:00"
        with pytest.raises(ValueError, match="needs the build time"):
            _ = spec(built=None).updated

    def test_identity_and_links(self) -> None:
        """The feed id is its own URL; self, alternate and the RSS channel link point where they should."""
        root = atom(spec(entry()))
        assert root.findtext(f"{A}id") == "https://news.example.org/atom.xml"
        links = {x.get("rel"): x.get("href") for x in root.findall(f"{A}link")}
        assert links == {"alternate": "https://news.example.org/", "self": "https://news.example.org/atom.xml"}
        channel = rss(spec(entry()))
        assert channel.findtext("channel/link") == "https://news.example.org/"

    def test_subtitle_defaults_to_the_title(self) -> None:
        """Without a subtitle the title describes the feed (RSS requires a description)."""
        assert atom(spec(subtitle="")).findtext(f"{A}subtitle") == "Site"
        assert rss(spec(subtitle="")).findtext("channel/description") == "Site"
        assert atom(spec()).findtext(f"{A}subtitle") == "About the site"

    def test_author_language_generator(self) -> None:
        """The feed names its author (with email when set), its language and feedpub as generator."""
        root = atom(spec(), config(author="Ed", author_email="ed@example.org", language="zh-TW"))
        assert (root.findtext(f"{A}author/{A}name"), root.findtext(f"{A}author/{A}email")) == ("Ed", "ed@example.org")
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-TW"
        generator = root.find(f"{A}generator")
        assert generator is not None
        assert (generator.text, generator.get("uri")) == ("feedpub", atom_rss.GENERATOR_URI)
        plain = atom(spec(), config(title="T"))
        assert (plain.findtext(f"{A}author/{A}name"), plain.find(f"{A}author/{A}email")) == ("T", None)

    def test_one_generator_gives_the_same_bytes(self) -> None:
        """atom_and_rss() writes what atom() and rss() write one by one."""
        s = spec(entry(author="A", image=Image("https://x/i.png", "image/png", "")))
        assert atom_rss.atom_and_rss(s, config()) == (atom_rss.atom(s, config()), atom_rss.rss(s, config()))


class TestSummaries:
    @pytest.fixture
    def rendered(self, tmp_path: Path, make_config: Callable[..., Config]) -> Callable[[str], Rendered]:
        src = tmp_path / "src"

        def make(text: str) -> Rendered:
            path = write_doc(src, "a.md", text)
            cfg = make_config(src)
            doc = load.read(path, src)
            return content.render(normalise(doc, cfg), cfg, doc)

        return make

    def test_a_given_summary_is_used(self, rendered) -> None:
        """The document's own summary is the entry's summary."""
        r = rendered("---\ntitle: T\nsummary: Given.\n---\nFirst paragraph.\n")
        assert r.summary == "Given."

    def test_else_the_first_paragraph_with_text(self, rendered) -> None:
        """Without one, the first paragraph that has text (headings and images skipped) summarises."""
        r = rendered("---\ntitle: T\n---\n# Heading\n\n![](x.png)\n\nFirst *real* paragraph.\n\nSecond.\n")
        assert r.summary == "First real paragraph."

    def test_a_long_paragraph_is_shortened(self, rendered) -> None:
        """A derived summary is cut at a word, under the summary limit, with an ellipsis."""
        words = " ".join(f"word{i}" for i in range(200))
        r = rendered(f"---\ntitle: T\n---\n{words}\n")
        assert len(r.summary) <= 300
        assert r.summary.endswith("…")
        assert words.startswith(r.summary.removesuffix("…").rstrip())

    def test_a_link_post_is_summarised_by_its_title(self, rendered) -> None:
        """With no body text and no summary field, the title is the summary (and the body)."""
        r = rendered("---\ntitle: Only a title\nsummary: ''\n---\n\n![](x.png)\n")
        assert r.summary == "Only a title"


class TestAttribution:
    """A document's source ends its text once, in every format alike; it is never its author."""

    @pytest.fixture
    def rendered(self, tmp_path: Path, make_config: Callable[..., Config]) -> Callable[[str], Rendered]:
        src = tmp_path / "src"

        def make(text: str) -> Rendered:
            path = write_doc(src, "a.md", text)
            cfg = make_config(src)
            doc = load.read(path, src)
            return content.render(normalise(doc, cfg), cfg, doc)

        return make

    def test_a_source_ends_the_body_and_not_the_summary(self, rendered) -> None:
        """The front matter's source is the last paragraph; the summary is still the first paragraph."""
        r = rendered("---\ntitle: T\nsource: Gene <Online> & Co\n---\nFirst.\n")
        assert r.content_html == "<p>First.</p>\n<p>Source: Gene &lt;Online&gt; &amp; Co</p>"
        assert r.summary == "First."
        assert r.entry.authors == ()

    def test_a_url_source_is_a_link(self, rendered) -> None:
        """A source that is one http(s) URL links there; anything else is text."""
        r = rendered("---\ntitle: T\nsource: https://example.org/a?b=1&c=2\n---\nx\n")
        assert r.content_html.endswith('<p>Source: <a href="https://example.org/a?b=1&amp;c=2">'
                                       'https://example.org/a?b=1&amp;c=2</a></p>')
        r = rendered("---\ntitle: T\nsource: javascript:alert(1)\n---\nx\n")
        assert r.content_html.endswith("<p>Source: javascript:alert(1)</p>")

    def test_no_source_adds_nothing(self, rendered) -> None:
        """Without a source the body is the rendered text alone."""
        assert rendered("---\ntitle: T\n---\nx\n").content_html == "<p>x</p>"

    def test_a_trailing_source_line_is_the_attribution(self, rendered) -> None:
        """A plain trailing "Source:" line leaves the text and comes back once, as the attribution."""
        r = rendered("---\ntitle: T\n---\nBody.\n\nSource: GeneOnline\n")
        assert r.content_html == "<p>Body.</p>\n<p>Source: GeneOnline</p>"


class TestWhichFeeds:
    def test_site_feed_and_one_per_category_each_capped(self) -> None:
        """The site feed takes the newest feed_limit entries; each category feed its own newest."""
        entries = [entry(f"https://x/{i}", date=DAY - timedelta(days=i), category=(c, c.title()))
                   for i, c in enumerate(["b", "a", "b", "b", "a", "c"])]
        plan = feeds.feed_entries(entries, config(feed_limit=2))
        assert {k.slug if k else None: [e.id for e in v] for k, v in plan.items()} == {
            None: ["https://x/0", "https://x/1"],
            "a": ["https://x/1", "https://x/4"],
            "b": ["https://x/0", "https://x/2"],
            "c": ["https://x/5"],
        }
        assert list(plan)[1:] == [Category("a", "A"), Category("b", "B"), Category("c", "C")]
        fast = feeds.feed_entries(entries, config(feed_limit=2), {"a", "b", "c"})
        assert fast == plan
        assert list(fast) == list(plan)

    def test_a_category_feed_fills_after_the_others_start(self) -> None:
        """Given the slugs, every category feed still fills up to the limit, however entries interleave."""
        entries = [entry(f"https://x/{i}", date=DAY - timedelta(days=i), category=(c, c.upper()))
                   for i, c in enumerate("abcabcabca")]
        plan = feeds.feed_entries(entries, config(feed_limit=3), {"a", "b", "c"})
        assert {k.slug if k else None: len(v) for k, v in plan.items()} == {None: 3, "a": 3, "b": 3, "c": 3}
        assert plan == feeds.feed_entries(entries, config(feed_limit=3))
        two = [entry(f"https://x/{i}", date=DAY - timedelta(days=i), category=(c, c.upper())) for i, c in enumerate("aabb")]
        plan = feeds.feed_entries(two, config(feed_limit=2), {"a", "b"})
        assert {k.slug if k else None: len(v) for k, v in plan.items()} == {None: 2, "a": 2, "b": 2}

    def test_specs_name_each_feed(self) -> None:
        """A category feed is titled 'Site — Name', links under categories/<slug>/, without the archive link."""
        cfg = config(title="Site", description="All of it", hub_url="https://hub.example/")
        e = entry(category=("bio", "Bio"))
        chosen = choose([e], cfg, NOW)
        plan = feeds.feed_entries(chosen.published, cfg)
        made = feeds.specs(plan, {e.id: Rendered(e, "<p>x</p>", "x")}, cfg, NOW, "https://x/archive/1.xml")
        site, bio = made
        assert (site.title, site.subtitle, site.folder, site.prev_archive_url) == (
            "Site", "All of it", "", "https://x/archive/1.xml")
        assert (bio.title, bio.subtitle, bio.folder, bio.prev_archive_url) == (
            "Site — Bio", "Bio from Site", "categories/bio/", None)
        assert (bio.atom_url, bio.rss_url, bio.json_url) == (
            "https://news.example.org/categories/bio/atom.xml", "https://news.example.org/categories/bio/rss.xml",
            "https://news.example.org/categories/bio/feed.json")
        assert (bio.stylesheet_url, site.stylesheet_url) == ("../../feed.css", "feed.css")
        assert bio.hub_url == site.hub_url == "https://hub.example/"
        assert [r.entry.id for r in bio.entries] == [e.id]
        assert bio.built == NOW
        assert feeds.specs(plan, {e.id: Rendered(e, "", "x")}, config(), NOW)[0].hub_url is None


def record(id_: str, category: Category, data: bytes = b"A", *, updated: datetime | None = None) -> Record:
    """Return the record of a document in category (data: its bytes, in its fingerprint)."""
    e = entry(id_, category=(category.slug, category.name), updated=updated)
    return record_of(e, len(data), 0, 0, data)


class TestFeedKeys:
    def _keys(self, published: list[Record], *, names: dict[str, str] | None = None,
              tied: frozenset[int] = frozenset(), now: datetime = NOW, archived: bool = True,
              context: str = "ctx") -> dict[str, bytes]:
        """Return the key of each feed job of a build publishing records, by its folder."""
        chosen: Selection[Record] = Selection(published, names or {"bio": "Bio"}, tied)
        build = Build(config(), now, chosen, context)
        page = archive.Planned(archive.Page(2, ()), 2, ())
        before = [Job("archive", ("archive/atom/2.xml",), page)] if archived else []
        return {job.paths[0]: inputs.Keys(build)(job) for job in feeds.KIND.plan(build, before)}

    def test_each_input_changes_the_key(self) -> None:
        """A feed's key changes with its entries, their settled values, its name, the archive link and the context."""
        bio = Category("bio", "Bio")
        a, b = record("a", bio, updated=DAY + timedelta(hours=1)), record("b", bio)
        base = self._keys([a, b])
        assert base == self._keys([a, b])
        assert len(set(base.values())) == 2
        changed = [
            self._keys([a]),
            self._keys([b, a]),
            self._keys([a, record("b", bio, b"C")]),
            self._keys([a, b], tied=frozenset({a.updated_instant})),
            self._keys([a, b], names={"bio": "BIO"}),
            self._keys([a, b], archived=False),
            self._keys([a, b], context="other"),
        ]
        for other in changed:
            assert other["atom.xml"] != base["atom.xml"]
        assert self._keys([a, b], archived=False)["categories/bio/atom.xml"] == base["categories/bio/atom.xml"]
        assert self._keys([a, b], names={"bio": "BIO"})["categories/bio/atom.xml"] != base["categories/bio/atom.xml"]

    def test_now_counts_only_for_an_empty_feed(self) -> None:
        """The build time is part of the key of a feed without entries only (it is that feed's 'updated')."""
        full = [record("a", Category("bio", "Bio"))]
        later = NOW + timedelta(days=1)
        assert self._keys(full) == self._keys(full, now=later)
        assert self._keys([]) != self._keys([], now=later)

    def test_held_needs_all_three_files_for_the_key(self, tmp_path: Path) -> None:
        """A feed job is kept when its Atom, RSS and JSON files are those written for its key, none missing."""

        def held(category: Category | None, key: bytes, previous: Previous) -> bool:
            paths = tuple(layout.feed_paths(category).path(kind) for kind in feeds.KINDS)
            return previous.holds_all(paths, key)

        bio = Category("bio", "Bio")
        folder = tmp_path / "categories" / "bio"
        folder.mkdir(parents=True)
        written = {}
        for name in ("atom.xml", "rss.xml", "feed.json"):
            (folder / name).write_text(name)
            st = (folder / name).stat()
            written[f"categories/bio/{name}"] = Written(b"k", st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
        previous = Previous(tmp_path, written)
        assert held(bio, b"k", previous)
        assert not held(bio, b"other", previous)
        assert not held(None, b"k", previous)
        (folder / "rss.xml").unlink()
        assert not held(bio, b"k", previous)

    def test_outputs_are_three_files_per_feed(self) -> None:
        """Each feed gives atom.xml, rss.xml and feed.json in its folder (the executor gives them its key)."""
        site, bio = spec(entry()), spec(entry(), folder="categories/bio/")
        made = feeds.outputs([site, bio], config())
        assert [(o.path, o.key) for o in made] == [
            ("atom.xml", b""), ("rss.xml", b""), ("feed.json", b""),
            ("categories/bio/atom.xml", b""), ("categories/bio/rss.xml", b""), ("categories/bio/feed.json", b""),
        ]
        assert made[0].data == atom_rss.atom(site, config())
        assert made[1].data == atom_rss.rss(site, config())
        assert made[2].data.startswith(b"{")
