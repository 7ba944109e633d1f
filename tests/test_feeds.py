"""The feed writers: one mapping of an entry onto Atom, RSS and JSON Feed that every client reads alike."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from feedpub import model
from feedpub.config import Config
from feedpub.incremental import inputs
from feedpub.outputs import atom_rss, feeds, jsonfeed, mapping
from feedpub.outputs.protocol import NOT_A_FILE, File
from feedpub.pipeline import build, read_entries, render_all
from feedpub.render import content
from feedpub.sources import load
from feedpub.sources.normalise import normalise
from tests import clients, feedcheck
from tests.conftest import NOW, ROOT, check_json_feed, check_xml_feed, write_doc


class TestAtomAndRss:
    def test_one_generator_writes_what_two_do(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """atom_and_rss gives the bytes of atom() and rss(), for every feed, with hub and archive links."""
        config = make_config(seeds, hub_url="https://hub.example.com/")
        entries, _ = read_entries(config)
        plan = feeds.feed_entries(sorted(entries, key=lambda e: e.sort_key), config)
        rendered = render_all((e for members in plan.values() for e in members), config)
        specs = feeds.specs(plan, rendered, config, NOW, "https://example.com/archive/atom/3.xml")
        assert len(specs) > 2
        for spec in specs:
            assert atom_rss.atom_and_rss(spec, config) == (atom_rss.atom(spec, config), atom_rss.rss(spec, config))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


class TestJsonDumps:
    @given(_json)
    def test_same_text_as_json_dumps(self, value: Any) -> None:
        """dumps writes exactly what json.dumps(ensure_ascii=False, indent=2) writes."""
        assert jsonfeed.dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


# --- one mapping, read alike by every client ---------------------------------------------

ATOM_NS = "{http://www.w3.org/2005/Atom}"
MAKE_CORPUS = ROOT.parent / "shared" / "bench" / "make_corpus.py"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def awkward_site(folder: Path) -> Path:
    """Write a site of awkward entries: markup-like, emoji and RTL titles, tags, several authors, ties."""
    write_doc(folder, "a.md", "---\ntitle: R&D <agency> opens\ndate: 2024-05-01\ncategory: Go Brand\n"
              "tags: [AI & ML, Launch]\nauthor: '[Jane Doe](https://example.com/jane)'\n"
              "image: https://cdn.example.net/x.jpg\n---\n# Heading first\n\nThe agency opens a lab.\n\nMore text.\n")
    write_doc(folder, "b.md", "---\ntitle: <b>2021</b> in review\ndate: 2024-05-01\ncategory: go-brand\n"
              "author: Omar Haddad <omar@example.com>\n---\n```\ncode\n\nstill code\n```\n\nThe year in text.\n")
    write_doc(folder, "c.md", "---\ntitle: Launch day 🚀 at dawn\ndate: 2024-05-01\n"
              "authors: [Mei Lin, Tomas Novak]\nimage: /images/pic.png\n---\nEmoji 🚀 body.\n")
    write_doc(folder, "d.md", "---\ntitle: مرحبا بالعالم\ndate: 2024-05-02T10:00:00+03:00\n"
              "category: events\ntags: [عربي]\n---\nنص عربي.\n")
    write_doc(folder, "e.txt", "Plain headline five\n\nA plain-text body, first paragraph.\n\nDate: 2024-05-03\n"
              "Source: Wire & Co\n")
    for i in range(6):  # enough for an archive page or two, dated on one day: ties in 'updated'
        write_doc(folder, f"news/n{i}.md", f"---\ntitle: Note {i}\ndate: 2024-04-0{i + 1}\n---\nNote {i} text.\n")
    (folder / "images").mkdir()
    (folder / "images/pic.png").write_bytes(PNG)
    return folder


@pytest.fixture
def awkward(tmp_path: Path, make_config: Callable[..., Config]) -> Config:
    """The awkward site built at NOW with feeds of 8, archive pages of 4 and a feed per tag."""
    config = make_config(awkward_site(tmp_path / "awkward"), feed_limit=8, archive_page_size=4, tag_feeds=True)
    build(config, now=NOW)
    return config


@pytest.fixture
def corpus(tmp_path: Path, make_config: Callable[..., Config]) -> Config:
    """The synthetic 1,000-document corpus (shared/bench/make_corpus.py, seed 1) built at NOW."""
    if not MAKE_CORPUS.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MAKE_CORPUS} is missing")
        pytest.skip(f"{MAKE_CORPUS} is missing")
    source = tmp_path / "corpus"
    subprocess.run([sys.executable, str(MAKE_CORPUS), "1000", str(source), "--seed", "1"], check=True,
                   capture_output=True)
    config = make_config(source)
    build(config, now=NOW)
    return config


def _all_feeds(out: Path) -> tuple[list[Path], list[Path]]:
    xml = sorted(p for p in out.rglob("*.xml") if not p.name.startswith("sitemap"))  # a sitemap is no feed
    return xml, sorted(out.rglob("feed.json"))


def _valid(config: Config, atom_schema: etree.RelaxNG, jsonfeed_validator: Any) -> None:
    xml, json_feeds = _all_feeds(config.out)
    for p in xml:
        check_xml_feed(p, atom_schema if etree.parse(str(p)).getroot().tag == f"{ATOM_NS}feed" else None)
    for p in json_feeds:
        check_json_feed(p, jsonfeed_validator)


class TestEveryClientAgrees:
    def test_seeds(self, built: Config, atom_schema: etree.RelaxNG, jsonfeed_validator: Any) -> None:
        """Every client shows each seed entry with the same title, link, id, date, authors and categories in each format."""
        _valid(built, atom_schema, jsonfeed_validator)
        assert clients.agree(built.out) >= 3 * 6

    def test_awkward_site(self, awkward: Config, atom_schema: etree.RelaxNG, jsonfeed_validator: Any) -> None:
        """Markup-like, emoji and RTL titles, tags and several authors read the same in every format and client."""
        _valid(awkward, atom_schema, jsonfeed_validator)
        assert clients.agree(awkward.out) >= 3 * 6
        items = {i["title"]: i for i in json.loads((awkward.out / "feed.json").read_text())["items"]}
        assert items["R&D <agency> opens"]["authors"] == [{"name": "Jane Doe", "url": "https://example.com/jane"}]
        assert items["R&D <agency> opens"]["tags"] == ["Go Brand", "AI & ML", "Launch"]
        assert items["<b>2021</b> in review"]["authors"] == [{"name": "Omar Haddad",
                                                              "url": "mailto:omar@example.com"}]
        assert "مرحبا بالعالم" in items and "Launch day 🚀 at dawn" in items
        tagged = json.loads((awkward.out / "tags/launch/feed.json").read_text())
        assert tagged["title"] == "feedpub — #Launch" and tagged["home_page_url"] == awkward.base_url + "tags/launch/"
        assert [i["title"] for i in tagged["items"]] == ["R&D <agency> opens"]  # by slug: "Launch" only here
        assert sorted(p.parent.name for p in (awkward.out / "tags").glob("*/atom.xml")) == \
            sorted(["ai-ml", "launch", "tag-" + __import__("hashlib").blake2b("عربي".encode(), digest_size=4).hexdigest()])

    def test_corpus(self, corpus: Config, atom_schema: etree.RelaxNG, jsonfeed_validator: Any) -> None:
        """The 1,000-document corpus: every feed and archive page valid, every client agrees on every entry."""
        _valid(corpus, atom_schema, jsonfeed_validator)
        assert clients.agree(corpus.out) >= 3 * 9
        assert clients.agree_atom(sorted((corpus.out / "archive/atom").glob("*.xml"))) == 3 * 16  # complete pages of 50 among the entries dated before NOW


class TestValidatorWarnings:
    def test_none_on_the_seeds(self, built: Config) -> None:
        """The seeds' feeds give none of the validator's warnings."""
        xml, _ = _all_feeds(built.out)
        assert [w for p in xml for w in feedcheck.warnings(p)] == []

    def test_only_rss_titles_with_markup_on_the_awkward_site(self, awkward: Config) -> None:
        """On the awkward site only RSS titles holding an HTML end tag warn (ContainsHTML: no spelling avoids it)."""
        xml, _ = _all_feeds(awkward.out)
        assert len([p for p in xml if "archive" in p.parts]) == 2
        found = [(p.name, *w) for p in xml for w in feedcheck.warnings(p)]
        assert found and all(f[0] == "rss.xml" and f[1] == "ContainsHTML" and f[3] == "<b>2021</b> in review"
                             for f in found), found

    def test_only_unavoidable_on_the_corpus(self, corpus: Config) -> None:
        """On the corpus every warning is ContainsHTML of an RSS title that holds an HTML end tag."""
        xml, _ = _all_feeds(corpus.out)
        found = [w for p in xml for w in feedcheck.warnings(p)]
        assert found == feedcheck.unavoidable(found)
        assert all("</" in w[2] for w in found)

    def test_checks_fire(self, tmp_path: Path) -> None:
        """The checks find what they look for (an undeclared HTML title, no text, length 0, a bare RSS author)."""
        atom = tmp_path / "a.xml"
        atom.write_text(f'<feed xmlns="{ATOM_NS[1:-1]}"><author><name>x</name></author><entry><id>i</id>'
                        "<title>&lt;b&gt;x&lt;/b&gt;</title><updated>2024-01-01T00:00:00.5+00:00</updated>"
                        '<link rel="enclosure" href="h" length="0"/></entry></feed>')
        assert sorted(w[0] for w in feedcheck.warnings(atom)) == [
            "ContainsUndeclaredHTML", "InvalidIntegerAttribute", "MissingTextualContent"]
        rss = tmp_path / "r.xml"
        rss.write_text('<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><item><title>a &amp;amp; b</title>'
                       "<author>Jane</author><dc:creator>Jane</dc:creator><pubDate>2024-01-01</pubDate>"
                       '<enclosure url="h" length="0" type="image/png"/></item></channel></rss>')
        assert sorted(w[0] for w in feedcheck.warnings(rss)) == [
            "ContainsHTML", "DuplicateItemSemantics", "InvalidContact", "InvalidIntegerAttribute",
            "InvalidRFC2822Date"]


class TestMapping:
    def test_rss_creators(self) -> None:
        """RSS names every author with a dc:creator name, an e-mail address never in it."""
        jane = mapping.Author("Jane", email="j@example.com")
        assert mapping.rss_creators((jane,)) == ("Jane",)
        assert mapping.rss_creators((jane, mapping.Author("Bob", uri="https://b.example/"))) == ("Jane", "Bob")
        assert mapping.rss_creators(()) == ()

    @pytest.mark.parametrize(("text", "html"), [
        ("R&D <agency>", False), ("<b>2021</b>", True), ("a &amp; b", True), ("x &#60; y", True),
        ("</agency> & co", False), ("Tom & Jerry;", False), ("a <B>b</B>", True),
    ])
    def test_looks_like_html(self, text: str, html: bool) -> None:
        """Text reads as HTML when it holds an HTML end tag or a character reference, as the validator decides."""
        assert mapping.looks_like_html(text) is html
        assert feedcheck.looks_like_html(text) is html

    def test_enclosure_length_of_local_file(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """An image in the source folder has its file size; a remote or missing one none."""
        config = make_config(awkward_site(tmp_path / "s"))

        def length(url: str) -> int | None:
            image = model.Image(url, "image/png", "")
            _files, sizes = mapping.image_sizes([image], config, inputs.Stats())
            return mapping.enclosure_length(image, dict(sizes))

        assert length(config.base_url + "images/pic.png") == len(PNG)
        assert length("https://news.example.org/images/pic.png") == len(PNG)  # below the host, for /images/x.png
        assert length(config.base_url + "images/none.png") is None
        assert length("https://cdn.example.net/images/pic.png") is None
        assert length(config.base_url + "../../etc/passwd") is None

    def test_image_files_are_measured_once_and_declared(self, tmp_path: Path,
                                                        make_config: Callable[..., Config]) -> None:
        """Every file an image may be is declared with its size and mtime, a missing one too; each is stat'ed once."""
        config = make_config(awkward_site(tmp_path / "s"), base_url="https://news.example.org/blog/")
        stat = inputs.Stats()
        seen: list[str] = []

        def counting(path: str) -> File:
            seen.append(path)
            return stat(path)

        image = model.Image("https://news.example.org/images/pic.png", "image/png", "")
        files, sizes = mapping.image_sizes([image, image, None], config, counting)
        source = os.path.normpath(config.source)
        assert [f.path for f in files] == [os.path.join(source, "images/pic.png")]
        assert files[0].size == len(PNG) and files[0].mtime_ns == os.stat(files[0].path).st_mtime_ns
        assert sizes == ((image.url, len(PNG)),)
        assert seen == [files[0].path]
        missing = model.Image("https://news.example.org/blog/none.png", "image/png", "")
        files, sizes = mapping.image_sizes([missing], config, stat)
        assert [(f.path, f.size) for f in files] == [(os.path.join(source, "none.png"), NOT_A_FILE),
                                                     (os.path.join(source, "blog/none.png"), NOT_A_FILE)]
        assert sizes == ()


class TestFormatsSayTheSame:
    def test_local_image_has_its_length_everywhere(self, awkward: Config) -> None:
        """A local image's size is the RSS enclosure length, the Atom link length, media:content fileSize and size_in_bytes."""
        rss = etree.parse(str(awkward.out / "rss.xml")).getroot()
        lengths = {i.findtext("title"): i.find("enclosure") for i in rss.iter("item")}
        assert lengths["Launch day 🚀 at dawn"].get("length") == str(len(PNG))
        assert lengths["R&D <agency> opens"] is None  # remote, size unknown: media:content only
        media = rss.find(".//{http://search.yahoo.com/mrss/}content")
        assert media is not None
        atom = feedparser.parse((awkward.out / "atom.xml").read_bytes())
        launch = next(e for e in atom.entries if e.title.startswith("Launch"))
        assert next(link for link in launch.links if link.rel == "enclosure").length == str(len(PNG))
        items = json.loads((awkward.out / "feed.json").read_text())["items"]
        assert next(i for i in items if i["title"].startswith("Launch"))["attachments"][0]["size_in_bytes"] == len(PNG)

    def test_dates_at_whole_seconds_and_ties_apart(self, awkward: Config) -> None:
        """No date has a fraction of a second in any format, and entries tied in 'updated' stay distinct."""
        for p in awkward.out.rglob("*.xml"):
            for el in etree.parse(str(p)).getroot().iter(f"{ATOM_NS}updated", f"{ATOM_NS}published"):
                assert "." not in (el.text or ""), (p, el.text)
        atom = etree.parse(str(awkward.out / "atom.xml")).getroot()
        updated = [e.findtext(f"{ATOM_NS}updated") for e in atom.findall(f"{ATOM_NS}entry")]
        assert len(set(updated)) == len(updated)
        items = json.loads((awkward.out / "feed.json").read_text())["items"]
        assert [i["date_modified"] for i in items] == [mapping.iso(datetime.fromisoformat(u)) for u in updated]
        moved = [u for u in updated if u.startswith("2024-05-01T") and not u.startswith("2024-05-01T00:00:00")]
        assert len(moved) == 3  # the three entries of 1 May, moved whole seconds apart

    def test_archive_entries_have_text_and_declared_markup(self, awkward: Config) -> None:
        """Archive entries all have a summary, markup-like titles are type="html", and every client reads pages alike."""
        summaries = {}
        for page in (awkward.out / "archive/atom").glob("*.xml"):
            for entry in feedparser.parse(page.read_bytes()).entries:
                summaries[entry.title] = entry.summary
            root = etree.parse(str(page)).getroot()
            for title in root.iter(f"{ATOM_NS}title"):
                assert not feedcheck.looks_like_html(title.text or "") or title.get("type") == "html"
        assert len(summaries) == 8
        assert all(summaries.values())
        assert clients.agree_atom(sorted((awkward.out / "archive/atom").glob("*.xml"))) == 2 * 3
        current = {e.title: e.summary for e in feedparser.parse((awkward.out / "atom.xml").read_bytes()).entries}
        for title in set(summaries) & set(current):
            assert summaries[title] == current[title]
        assert summaries["Note 0"] == "Note 0 text."

    def test_archive_entries_say_what_the_current_feed_says(self, awkward: Config) -> None:
        """An entry both in an archive page and in the current Atom feed reads the same in both, field by field."""
        def read(path: Path) -> dict[str, tuple[Any, ...]]:
            return {e.id: (e.title, e.title_detail.type, e.link, e.published, e.updated,
                           [(a.get("name"), a.get("email"), a.get("href")) for a in e.get("authors", [])],
                           [(t.term, t.scheme) for t in e.tags], e.summary,
                           [(link.href, link.get("length")) for link in e.links if link.rel == "enclosure"])
                    for e in feedparser.parse(path.read_bytes()).entries}

        current = read(awkward.out / "atom.xml")
        archived: dict[str, tuple[Any, ...]] = {}
        for page in (awkward.out / "archive/atom").glob("*.xml"):
            archived.update(read(page))
        both = set(current) & set(archived)
        assert len(both) == 5
        for entry_id in both:
            assert archived[entry_id] == current[entry_id], entry_id
        review = archived["https://news.example.org/go-brand/b/"]
        assert review[:2] == ("&lt;b&gt;2021&lt;/b&gt; in review", "text/html")  # HTML showing the tags as text
        assert review[5] == [("Omar Haddad", "omar@example.com", None)]
        assert review[6] == [("Go Brand", "https://news.example.org/categories/go-brand/")]
        launch = archived["https://news.example.org/news/c/"]
        assert launch[8] == [("https://news.example.org/images/pic.png", str(len(PNG)))]

    def test_lead_summary_is_the_rendered_summary(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """The archive's summary, made from the first blocks, is the one a full render gives (headings, fences, text)."""
        config = make_config(awkward_site(tmp_path / "s"))
        for path in sorted(config.source.rglob("*")):
            if path.suffix in (".md", ".txt"):
                doc = load.read(path, config.source, config.limits)
                entry = normalise(doc, config)
                assert content.lead_summary(entry, doc, config) == content.render(entry, config, doc).summary
        doc = load.read(config.source / "b.md", config.source, config.limits)
        assert content.lead_summary(normalise(doc, config), doc, config) == "The year in text."
        headings = "".join(f"## Part {i}\n\n" for i in range(content.LEAD_BLOCKS + 1))
        late = write_doc(config.source, "late.md", f"---\ntitle: Late\n---\n{headings}At last, text.\n")
        doc = load.read(late, config.source, config.limits)
        assert content.lead_summary(normalise(doc, config), doc, config) == "At last, text."  # rendered whole

    @pytest.mark.parametrize(("body", "summary"), [
        ("A claim.[^1]\n\nMore.\n\n[^1]: The source.\n", "A claim.1"),
        ("Read [the report][r] now.\n\nMore.\n\n[r]: https://example.org/r\n", "Read the report now."),
        ("![a chart][c]\n\nText after.\n\n[c]: /c.png\n", "Text after."),
    ], ids=["footnote", "reference-link", "reference-image"])
    def test_lead_summary_with_definitions_below(self, tmp_path: Path, make_config: Callable[..., Config],
                                                 body: str, summary: str) -> None:
        """A first block whose footnote or link reference is defined further down summarises as a full render does."""
        config = make_config(tmp_path / "s")
        path = write_doc(config.source, "d.md", f"---\ntitle: D\n---\n{body}")
        doc = load.read(path, config.source, config.limits)
        entry = normalise(doc, config)
        assert content.lead_summary(entry, doc, config) == content.render(entry, config, doc).summary == summary

    def test_a_tag_that_is_the_category_is_said_once(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A tag equal to the category (or differing only in case) is left out of every format and the page; others stay."""
        source = tmp_path / "s"
        write_doc(source, "formats.md", "---\ntitle: Formats\ndate: 2024-05-01\ncategory: Post Formats\n"
                  "tags: [gallery, Post Formats, post formats, Post-Formats]\n---\nText.\n")
        write_doc(source, "Container/box.md", "---\ntitle: Box\ndate: 2024-05-02\ntags: [Container, docker]\n---\nText.\n")
        write_doc(source, "plain.md", "---\ntitle: Plain\ndate: 2024-05-03\ncategory: News\ntags: [Newsletter]\n---\nText.\n")
        config = make_config(source, tag_feeds=True, archive_page_size=1, feed_limit=1)
        build(config, now=NOW)
        expected = {"Formats": ["Post Formats", "gallery", "Post-Formats"], "Box": ["Container", "docker"],
                    "Plain": ["News", "Newsletter"]}
        atom = {e.title: [t.term for t in e.tags] for p in [config.out / "atom.xml", *(config.out / "archive/atom").glob("*.xml")]
                for e in feedparser.parse(p.read_bytes()).entries}
        rss = {e.title: [t.term for t in e.tags] for e in feedparser.parse((config.out / "rss.xml").read_bytes()).entries}
        json_items = {i["title"]: i["tags"] for i in json.loads((config.out / "feed.json").read_text())["items"]}
        assert atom == expected  # the current feed holds the newest, the archive pages the others
        assert rss == {"Plain": expected["Plain"]} and json_items == {"Plain": expected["Plain"]}
        for folder, title in (("categories/post-formats/", "Formats"), ("categories/container/", "Box")):
            rss_items = feedparser.parse((config.out / folder / "rss.xml").read_bytes()).entries
            assert [t.term for t in rss_items[0].tags] == expected[title]
            items = json.loads((config.out / folder / "feed.json").read_text())["items"]
            assert items[0]["tags"] == expected[title]
        page = lxml_html.parse(str(config.out / "post-formats/formats/index.html")).getroot()
        assert page.xpath("//meta[@property='article:section']/@content") == ["Post Formats"]
        assert page.xpath("//meta[@property='article:tag']/@content") == ["gallery", "Post-Formats"]
        assert [li.text_content() for li in page.xpath("//ul[@class='tags']/li")] == ["gallery", "Post-Formats"]
        assert (config.out / "tags/post-formats/feed.json").is_file()  # the tag keeps its page and feed

    def test_a_folder_category_is_named_as_the_folder_spells_it(self, tmp_path: Path,
                                                                 make_config: Callable[..., Config]) -> None:
        """BigData/ is "BigData" in every format and on its page, news/ is "News"; slugs and URLs stay lower-case."""
        source = tmp_path / "s"
        write_doc(source, "BigData/spark.md", "---\ntitle: Spark\ndate: 2024-05-01\n---\nText.\n")
        write_doc(source, "news/hello.md", "---\ntitle: Hello\ndate: 2024-05-02\n---\nText.\n")
        config = make_config(source)
        build(config, now=NOW)
        base = config.base_url
        atom = {e.title: (e.link, [(t.term, t.scheme) for t in e.tags])
                for e in feedparser.parse((config.out / "atom.xml").read_bytes()).entries}
        assert atom == {"Spark": (base + "bigdata/spark/", [("BigData", base + "categories/bigdata/")]),
                        "Hello": (base + "news/hello/", [("News", base + "categories/news/")])}
        rss = feedparser.parse((config.out / "rss.xml").read_bytes()).entries
        assert sorted(t.term for e in rss for t in e.tags) == ["BigData", "News"]
        items = json.loads((config.out / "categories/bigdata/feed.json").read_text())["items"]
        assert [i["tags"] for i in items] == [["BigData"]]
        page = lxml_html.parse(str(config.out / "bigdata/spark/index.html")).getroot()
        assert page.xpath("//meta[@property='article:section']/@content") == ["BigData"]


class TestImageFiles:
    """Which files of the source folder an image URL may be: only those of the site's own host, inside the folder."""

    @pytest.mark.parametrize(("url", "files"), [
        ("https://news.example.org/blog/img/a.png", ["img/a.png", "blog/img/a.png"]),  # below base_url, then the host
        ("https://news.example.org/img/a.png", ["img/a.png"]),
        ("HTTPS://news.example.org/img/a.png", ["img/a.png"]),  # a scheme in capitals is the same scheme
        ("https://NEWS.example.org/img/a.png", []),  # a host is compared as base_url writes it
        ("http://news.example.org/img/a.png", []),  # another scheme
        ("https://news.example.org.evil.example/img/a.png", []),  # base_url's host as a prefix of another
        ("https://cdn.example.org/img/a.png", []),
        ("https://news.example.org/../../etc/passwd", []),  # outside the source folder
        ("https://news.example.org/img/", []),  # a folder
        ("https://news.example.org/img/%E5%9C%96.png", ["img/圖.png"]),
    ])
    def test_files_an_image_may_be(self, tmp_path: Path, make_config: Callable[..., Config], url: str,
                                   files: list[str]) -> None:
        """Each URL maps to the files it may be, most likely first."""
        (tmp_path / "src").mkdir()
        config = make_config(tmp_path / "src", base_url="https://news.example.org/blog/")
        root = os.path.normpath(tmp_path / "src")
        found = mapping.image_files(model.Image(url, "image/png", ""), config)
        assert [os.path.relpath(f, root) for f in found] == files

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.sampled_from(["https://news.example.org/", "https://news.example.org/blog/"]),
           st.sampled_from(["", "https://news.example.org", "https://news.example.org/", "HTTPS://news.example.org/",
                            "https://news.example.org/blog/", "https://news.example.org:443/"]),
           st.text(st.sampled_from(list("ab./:?#%2Ee\\ \t\n\x00\x7f@[]é圖-_")), max_size=14))
    @example("https://news.example.org/blog/", "https://news.example.org/", "Ximg/a.png")  # the path below the host
    @example("https://news.example.org/", "https://news.example.org/", "img:a.png")  # "img:" read as a scheme
    @example("https://news.example.org/", "https://news.example.org/", "/img/a.png")  # "//": a host
    @example("https://news.example.org/", "https://news.example.org/", " img/a.png")  # stripped
    def test_the_quick_way_finds_what_parsing_finds(self, tmp_path: Path, make_config: Callable[..., Config],
                                                    base: str, start: str, rest: str) -> None:
        """Whatever the URL, image_files finds the files that parsing it in full (as it did before) finds."""
        from urllib.parse import unquote, urlsplit

        def parsed(url: str, base: str, root: str) -> tuple[str, ...]:  # every URL parsed, twice
            site = urlsplit(base)
            if url[:len(f"{site.scheme}://{site.netloc}")].lower() != f"{site.scheme}://{site.netloc}".lower():
                return ()
            candidates = [urlsplit(url[len(base):]).path] if url.startswith(base) else []
            parts = urlsplit(url)
            if parts.netloc == site.netloc and parts.scheme == site.scheme:
                candidates.append(parts.path.lstrip("/"))
            found: list[str] = []
            for rel in candidates:
                path = os.path.normpath(os.path.join(root, unquote(rel)))
                if rel and not rel.endswith("/") and path.startswith(root + os.sep) and path not in found:
                    found.append(path)
            return tuple(found)

        (tmp_path / "src").mkdir(exist_ok=True)
        config = make_config(tmp_path / "src", base_url=base)
        url = start + rest
        try:
            expected = parsed(url, config.base_url, os.path.normpath(config.source))
        except ValueError:  # "Invalid IPv6 URL": refused when the document is read (tests/test_fields.py)
            assume(False)
        assert mapping.image_files(model.Image(url, "image/png", ""), config) == expected
