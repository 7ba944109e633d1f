"""End-to-end builds of the seeds: every output parsed by real clients, pinned by golden files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from feedpub.config import Config
from feedpub.pipeline import build
from tests.conftest import NOW, check_json_feed, check_xml_feed, output_tree

GOLDEN = Path(__file__).parent / "golden" / "seeds"
ATOM = "{http://www.w3.org/2005/Atom}"




class TestSeedsBuild:
    def test_every_feed_is_valid(self, built: Config, atom_schema: etree.RelaxNG, jsonfeed_validator) -> None:
        """Every Atom file passes RELAX NG and feedparser; every RSS feedparser; every JSON the schema."""
        atoms = list(built.out.rglob("atom.xml"))
        assert len(atoms) == 3  # site + events + news
        for p in atoms:
            check_xml_feed(p, atom_schema)
        for p in built.out.rglob("rss.xml"):
            check_xml_feed(p)
        for p in built.out.rglob("feed.json"):
            check_json_feed(p, jsonfeed_validator)

    def test_seed_entries_come_out_right(self, built: Config) -> None:
        """Each seed has the right title, date, category and absolute image URL; its Source: line is no author."""
        feed = feedparser.parse((built.out / "atom.xml").read_bytes())
        by_title = {e.title: e for e in feed.entries}
        assert len(feed.entries) == 4
        bio = by_title["BIO Asia-Taiwan 2022： Connecting the Asian Value Chain"]
        assert bio.published.startswith("2022-06-14T00:00:00")
        assert "author" not in bio  # "Source: GeneOnline" names where it came from, not who wrote it
        assert (bio.tags[0].term, bio.tags[0].scheme) == ("Events", "https://news.example.org/categories/events/")
        enclosure = next(link for link in bio.links if link.rel == "enclosure")
        assert enclosure.href == ("https://www.geneonline.com/wp-content/uploads/"
                                  "%E5%AF%A6%E9%AB%94%E5%B1%95%E5%A0%B4-scaled.jpg")
        devices = next(e for t, e in by_title.items() if t.startswith("Taiwan to become Asia"))
        assert devices.published.startswith("2023-02-20")
        assert "author" not in devices
        assert devices.tags[0].term == "News"
        assert next(link for link in devices.links if link.rel == "enclosure").href == \
            "https://news.example.org/images/20230220news.jpg"
        assert devices.link == ("https://news.example.org/news/taiwan-to-become-asias-centre-of-excellence"
                                "-for-the-production-and-development-of-advanced-medical-devices/")
        assert "Taiwan Cell and Gene Therapy" in by_title  # the headline, not the kicker
        assert "Market Intelligence" not in by_title
        untitled = next(t for t in by_title if t.startswith("As global supply chains"))
        assert untitled.endswith("…") and len(untitled) <= 80

    def test_trailer_lines_leave_the_body(self, built: Config) -> None:
        """Trailing Date:/Source: lines and their <br/> leave the text; the source ends it once, as attribution."""
        sources = {}
        for e in feedparser.parse((built.out / "atom.xml").read_bytes()).entries:
            text = e.content[0].value
            assert "Date:" not in text and "<br" not in text
            assert text.count("Source:") <= 1
            if "Source:" in text:
                last = text.rstrip().rsplit("\n", 1)[-1]
                assert last.startswith("<p>Source: ") and last.endswith("</p>"), last
                sources[e.title[:20]] = last
            assert "author" not in e  # a source is never the author
        assert sorted(sources.values()) == ["<p>Source: GeneOnline</p>", "<p>Source: Healthcare+ Expo</p>"]

    def test_plain_text_lists_become_lists(self, built: Config) -> None:
        """Numbered lines and Unicode bullets of the plain-text seed become <ol> and <ul>."""
        entry = next(e for e in feedparser.parse((built.out / "atom.xml").read_bytes()).entries
                     if e.title == "Taiwan Cell and Gene Therapy")
        html = etree.HTML(entry.content[0].value)
        assert len(html.findall(".//ol/li")) == 3
        assert len(html.findall(".//ul/li")) == 4
        assert "•" not in entry.content[0].value

    def test_order_newest_first_and_updated_is_newest(self, built: Config) -> None:
        """Entries run newest first; the feed's updated is the newest entry's."""
        root = etree.parse(str(built.out / "atom.xml")).getroot()
        stamps = [e.findtext(f"{ATOM}updated") for e in root.iter(f"{ATOM}entry")]
        assert stamps == sorted(stamps, reverse=True)
        assert root.findtext(f"{ATOM}updated") == stamps[0]

    def test_links_are_absolute(self, built: Config) -> None:
        """Every href and src in every feed is an absolute http(s) URL."""
        for p in built.out.rglob("*.xml"):
            for el in etree.parse(str(p)).iter():
                for attr in ("href", "url", "src"):
                    if el.get(attr):
                        assert el.get(attr).startswith(("http://", "https://")), (p, el.get(attr))

    def test_category_feeds_name_their_category(self, built: Config) -> None:
        """A category feed's title names the category and holds only its entries."""
        feed = feedparser.parse((built.out / "categories/events/atom.xml").read_bytes())
        assert "Events" in feed.feed.title
        assert [e.tags[0].term for e in feed.entries] == ["Events"]

    def test_rss_has_summary_and_full_content(self, built: Config) -> None:
        """In 'both' mode RSS description is the summary and content:encoded the full HTML."""
        root = etree.parse(str(built.out / "rss.xml")).getroot()
        item = root.find("channel/item")
        assert item is not None
        full = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded")
        assert full and "<p>" in full
        assert "<p>" not in item.findtext("description")
        enclosures = root.findall("channel/item/enclosure")
        assert all(e.get("length") == "0" and e.get("type") == "image/jpeg" for e in enclosures)
        assert root.findtext("channel/link") == built.base_url
        guid = item.find("guid")
        assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")

    def test_golden(self, built: Config, request: pytest.FixtureRequest) -> None:
        """The seeds' outputs match tests/golden/seeds byte for byte (--update-golden rewrites)."""
        tree = output_tree(built.out)
        if request.config.getoption("--update-golden"):
            import shutil

            shutil.rmtree(GOLDEN, ignore_errors=True)
            for rel, data in tree.items():
                (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
                (GOLDEN / rel).write_bytes(data)
        assert tree == output_tree(GOLDEN)


class TestDeterminism:
    def test_rebuild_is_byte_identical(self, seeds: Path, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """Two builds of the same input into different folders are byte-identical."""
        first = make_config(seeds)
        second = make_config(seeds, out=str(tmp_path / "dist2"))
        build(first, now=NOW)
        build(second, now=NOW)
        digest = {k: hashlib.sha256(v).hexdigest() for k, v in output_tree(first.out).items()}
        assert digest == {k: hashlib.sha256(v).hexdigest() for k, v in output_tree(second.out).items()}

    def test_unchanged_rebuild_touches_nothing(self, built: Config) -> None:
        """A rebuild with no change rewrites no file (mtimes and inodes stay)."""
        before = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in built.out.rglob("*") if p.is_file()}
        result = build(built, now=NOW)
        assert not result.report.changed
        assert before == {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in built.out.rglob("*") if p.is_file()}

    def test_build_time_does_not_leak_into_output(self, seeds: Path, make_config, tmp_path: Path) -> None:
        """Building at another 'now' gives the same bytes (now decides what is future, and dates the digest's .eml)."""
        import re
        from datetime import timedelta

        def undated(tree: dict[str, bytes]) -> dict[str, bytes]:
            return {k: re.sub(rb"(?m)^Date: .*\r\n", b"", v) if k.endswith(".eml") else v for k, v in tree.items()}

        from feedpub.outputs.digest import Request

        a = make_config(seeds)
        b = make_config(seeds, out=str(tmp_path / "later"))
        week = Request("2024-W09")  # the default week would differ: it follows now
        build(a, now=NOW, digest_request=week)
        build(b, now=NOW + timedelta(days=400), digest_request=week)
        assert output_tree(a.out) != output_tree(b.out)  # the message's Date: the build time
        assert undated(output_tree(a.out)) == undated(output_tree(b.out))

    def test_timezone_is_not_the_machines(self, seeds: Path, make_config, tmp_path: Path) -> None:
        """The machine's TZ does not change output; date-only values are midnight in the site zone."""
        import time

        a = make_config(seeds)
        build(a, now=NOW)
        old = os.environ.get("TZ")
        os.environ["TZ"] = "Pacific/Kiritimati"
        time.tzset()
        try:
            b = make_config(seeds, out=str(tmp_path / "tz"))
            build(b, now=NOW)
        finally:
            if old is None:
                del os.environ["TZ"]
            else:
                os.environ["TZ"] = old
            time.tzset()
        assert output_tree(a.out) == output_tree(b.out)


class TestFeedOptions:
    def test_content_modes(self, seeds: Path, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """full: Atom content only, RSS description is HTML; summary: Atom summary only, no content:encoded."""
        full = make_config(seeds, content_mode="full", out=str(tmp_path / "full"))
        summary = make_config(seeds, content_mode="summary", out=str(tmp_path / "summary"))
        build(full, now=NOW)
        build(summary, now=NOW)
        entry = feedparser.parse((full.out / "atom.xml").read_bytes()).entries[0]
        assert "content" in entry and "<p>" in entry.content[0].value
        assert etree.parse(str(full.out / "atom.xml")).find(f"{ATOM}entry/{ATOM}summary") is None
        item = etree.parse(str(full.out / "rss.xml")).find("channel/item")
        assert "<p>" in item.findtext("description")
        root = etree.parse(str(summary.out / "atom.xml"))
        assert root.find(f"{ATOM}entry/{ATOM}content") is None and root.find(f"{ATOM}entry/{ATOM}summary") is not None
        rss = etree.parse(str(summary.out / "rss.xml"))
        assert rss.find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded") is None
        json_item = __import__("json").loads((summary.out / "feed.json").read_text())["items"][0]
        assert "content_html" not in json_item and json_item["content_text"]

    def test_feed_limit_keeps_the_newest(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """feed_limit caps every feed to its newest entries."""
        config = make_config(seeds, feed_limit=2)
        build(config, now=NOW)
        feed = feedparser.parse((config.out / "atom.xml").read_bytes())
        assert [e.published[:10] for e in feed.entries] == ["2024-03-01", "2024-03-01"]
        assert len(feedparser.parse((config.out / "categories/news/atom.xml").read_bytes()).entries) == 2

    def test_atom_entry_links_keep_rel_and_no_bogus_length(self, built: Config) -> None:
        """The feedgen rel bug (#135) and length="None" are worked around."""
        root = etree.parse(str(built.out / "atom.xml")).getroot()
        for link in root.iter(f"{ATOM}link"):
            assert link.get("rel") in {"alternate", "self", "enclosure"}
            assert link.get("length") != "None"
        rels = [link.get("rel") for link in root.find(f"{ATOM}entry").iter(f"{ATOM}link")]
        assert rels[0] == "alternate"

    def test_category_slug_collision_merges_names(self, tmp_path: Path, make_config) -> None:
        """'Cell Therapy' and 'cell-therapy' are one category with one feed and one name."""
        from tests.conftest import write_doc

        src = tmp_path / "src"
        write_doc(src, "a.md", "---\ntitle: A\ndate: 2024-01-01\ncategory: Cell Therapy\n---\nx\n")
        write_doc(src, "b.md", "---\ntitle: B\ndate: 2024-01-02\ncategory: cell-therapy\n---\nx\n")
        write_doc(src, "c.md", "---\ntitle: C\ndate: 2024-01-03\ncategory: Cell Therapy\n---\nx\n")
        config = make_config(src)
        result = build(config, now=NOW)
        assert {e.category.name for e in result.published} == {"Cell Therapy"}
        feed = feedparser.parse((config.out / "categories/cell-therapy/atom.xml").read_bytes())
        assert len(feed.entries) == 3 and feed.feed.title.endswith("Cell Therapy")


class TestValidatorWarnings:
    def test_no_two_entries_share_updated(self, built: Config) -> None:
        """Entries that share a timestamp (one git commit) get distinct atom:updated values."""
        root = etree.parse(str(built.out / "atom.xml")).getroot()
        stamps = [e.findtext(f"{ATOM}updated") for e in root.iter(f"{ATOM}entry")]
        assert len(set(stamps)) == len(stamps)

    def test_tie_offsets_do_not_depend_on_neighbours(self) -> None:
        """An entry's offset comes from its id only, so adding entries never moves it."""
        from dataclasses import replace
        from datetime import datetime

        from feedpub.model import Category, Entry
        from feedpub.select import Selection, tied_instants

        def entry(i: str) -> Entry:
            return Entry(id=f"urn:x:{i}", url=f"https://h/{i}", title=i, title_source="t", date=NOW,
                         date_source="d", updated=NOW, category=Category("n", "N"), category_source="c",
                         summary="", source="", authors=(), tags=(), image=None, rel=i, fmt="markdown")

        def settled(entries: list[Entry]) -> list[datetime]:
            chosen = Selection(entries, {}, tied_instants(entries))
            return [chosen.updated(e) for e in entries]

        two = settled([entry("a"), entry("b")])
        three = settled([entry("a"), entry("b"), entry("c")])
        assert two == three[:2]
        assert len(set(three)) == 3
        lone = settled([entry("a"), replace(entry("z"), updated=NOW.replace(year=2020))])
        assert lone[0] == NOW  # no tie, no offset

    def test_single_media_content_is_not_grouped(self, built: Config) -> None:
        """A lone media:content is not wrapped in media:group (MediaGroupWithoutAlternatives)."""
        for name in ("atom.xml", "rss.xml"):
            data = (built.out / name).read_bytes()
            assert b"media:group" not in data and b"<media:content" in data


class TestPublishableOrder:
    def test_order_is_newest_first_then_id_whatever_the_input_order(self) -> None:
        """publishable() orders by Entry.sort_key (date descending, id ascending) for any input order."""
        import random
        from datetime import timedelta

        from feedpub.config import Config
        from feedpub.model import Category, Entry
        from feedpub.select import publishable

        rng = random.Random(5)

        def entry(i: int) -> Entry:
            when = NOW - timedelta(days=rng.randrange(4), hours=rng.choice((0, 0, 5)))
            return Entry(id=f"urn:x:{rng.randrange(10**6)}-{i}", url=f"https://h/{i}", title="t",
                         title_source="t", date=when, date_source="d", updated=when,
                         category=Category("n", "N"), category_source="c", summary="", source="", authors=(),
                         tags=(), image=None, rel=str(i), fmt="markdown")

        entries = [entry(i) for i in range(300)]
        config = Config(source=Path("."), out=Path("out"), base_url="https://h/")
        want = sorted(entries, key=lambda e: e.sort_key)
        for _ in range(5):
            rng.shuffle(entries)
            assert publishable(entries, config, NOW) == want


class TestAllProblemsAtOnce:
    def _site(self, tmp_path: Path) -> Path:
        from tests.conftest import write_doc

        src = tmp_path / "src"
        write_doc(src, "bad1.md", "---\ntitle: [unclosed\n---\nx\n")
        write_doc(src, "bad2.md", "---\ntitle: Two\ndate: 2024-02-31\n---\nx\n")
        write_doc(src, "dup-a.md", "---\ntitle: A\ndate: 2024-01-01\npermalink: /same/\n---\nx\n")
        write_doc(src, "dup-b.md", "---\ntitle: B\ndate: 2024-01-02\npermalink: /same/\n---\nx\n")
        write_doc(src, "good.md", "---\ntitle: Good\ndate: 2024-01-03\n---\nx\n")
        return src

    def test_broken_documents_and_duplicates_are_reported_together(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """Unreadable documents and a duplicate permalink fail one build together, in file order."""
        from feedpub.errors import SourceError

        config = make_config(self._site(tmp_path))
        with pytest.raises(SourceError) as e:
            build(config, now=NOW)
        assert [p.path for p in e.value.problems] == ["bad1.md", "bad2.md", "dup-a.md", "dup-b.md"]
        assert [p.message.rsplit(" ", 1)[1] for p in e.value.problems[2:]] == ["dup-b.md", "dup-a.md"]
        assert not config.out.exists()

    def test_skip_invalid_skips_and_lists_both_documents_in_conflict(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """With skip_invalid, documents in conflict are left out (both) and listed; the rest is published."""
        config = make_config(self._site(tmp_path))
        result = build(config, now=NOW, skip_invalid=True)
        assert [r.rel for r in result.published] == ["good.md"]
        assert [p.path for p in result.skipped] == ["bad1.md", "bad2.md", "dup-a.md", "dup-b.md"]
        titles = [e.title for e in feedparser.parse((config.out / "atom.xml").read_bytes()).entries]
        assert titles == ["Good"]

    @pytest.mark.parametrize("left", ["nothing", "a draft", "a future post"])
    def test_skip_invalid_with_nothing_else_to_publish(self, tmp_path: Path, make_config: Callable[..., Config],
                                                      left: str) -> None:
        """With skip_invalid, a build whose documents are all in conflict still fails; one with a draft besides
        (or a post dated later) publishes nothing, but is no failure: some document is left."""
        from feedpub.errors import SourceError
        from tests.conftest import write_doc

        src = tmp_path / "src"
        write_doc(src, "dup-a.md", "---\ntitle: A\ndate: 2024-01-01\npermalink: /same/\n---\nx\n")
        write_doc(src, "dup-b.md", "---\ntitle: B\ndate: 2024-01-02\npermalink: /same/\n---\nx\n")
        if left == "a draft":
            write_doc(src, "draft.md", "---\ntitle: D\ndate: 2024-01-03\ndraft: true\n---\nx\n")
        elif left == "a future post":
            write_doc(src, "later.md", "---\ntitle: L\ndate: 2099-01-03\n---\nx\n")
        config = make_config(src)
        if left == "nothing":
            with pytest.raises(SourceError) as e:
                build(config, now=NOW, skip_invalid=True)
            assert [p.path for p in e.value.problems] == ["dup-a.md", "dup-b.md"]
            assert not config.out.exists()
            return
        result = build(config, now=NOW, skip_invalid=True)
        assert not result.published
        assert [p.path for p in result.skipped] == ["dup-a.md", "dup-b.md"]


class TestNamesWithoutAsciiForms:
    """A Chinese or Russian blog: names whose letters have no ASCII form still name distinct pages and feeds."""

    def test_chinese_names_and_categories_build(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Posts named 第一章-… and 第二章-… (their slugs were one empty slug: a duplicate permalink stopped the
        build), go-map内存泄漏 beside go-map并发, and categories 技术 and Привет, each get a page and a feed of their own."""
        from tests.conftest import write_doc

        src = tmp_path / "src"
        for i, name in enumerate(("第一章-盈利体系为什么重要", "第二章-我们需要构建什么样的盈利体系", "go-map内存泄漏", "go-map并发")):
            write_doc(src, f"技术/{name}.md", f"---\ntitle: 标题 {i}\ndate: 2024-05-0{i + 1}\n---\n正文 {i}。\n")
        write_doc(src, "misc/a.md", "---\ntitle: Мир\ndate: 2024-05-09\ncategory: Привет\n---\nТекст.\n")
        config = make_config(src)
        result = build(config, now=NOW)
        assert len({r.url for r in result.published}) == 5
        tree = output_tree(config.out)
        pages = [p for p in tree if p.endswith("/index.html") and p.count("/") == 2 and not p.startswith("categories/")]
        assert len(pages) == 5  # <category>/<slug>/index.html, one each
        assert sorted(p.split("/")[1] for p in pages if "go-map" in p)[0].startswith("go-map-")
        terms = {c.term for e in feedparser.parse((config.out / "atom.xml").read_bytes()).entries for c in e.tags}
        assert terms == {"技术", "Привет"}  # the names as written; only their folders are ASCII
        feeds = sorted(p for p in tree if p.startswith("categories/") and p.endswith("atom.xml"))
        assert len(feeds) == 2 and all(p.isascii() for p in tree)
