"""Real-browser checks in headless Chromium: the index page and feeds styled by CSS, served by serve, live reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feedpub.commands.serve import Preview
from feedpub.config import Config
from tests.browser import reloads_itself, save_screenshot
from tests.conftest import NOW, write_doc

pytestmark = pytest.mark.browser
FEED_FILES = {"atom.xml", "rss.xml", "feed.json"}


def _feeds_in(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.name in FEED_FILES}


class TestIndexPage:
    def test_lists_every_feed(self, preview: Preview, browser_page: Callable[..., Any]) -> None:
        """The rendered page links every feed file of the build, in three formats per feed."""
        page = browser_page(preview.url)
        hrefs = page.eval_on_selector_all("li.feed a[data-kind]", "els => els.map(a => a.getAttribute('href'))")
        assert sorted(hrefs) == sorted(_feeds_in(preview.config.out))
        assert page.locator("li.feed").count() == 3
        save_screenshot(page, "index-1280")

    def test_autodiscovery_links_resolve(self, preview: Preview, browser_page: Callable[..., Any]) -> None:
        """Every <link rel=alternate> resolves, through the server, to a feed of its declared type."""
        page = browser_page(preview.url)
        links = page.eval_on_selector_all("head link[rel=alternate]", "els => els.map(l => [l.href, l.type])")
        assert len(links) == len(_feeds_in(preview.config.out)) == 9
        for href, media in links:
            assert href.startswith(preview.url)
            response = page.request.get(href, headers={"Accept": feedparser.http.ACCEPT_HEADER})
            assert response.status == 200, href
            assert response.headers["content-type"] == media, href
            if media != "application/feed+json":
                assert feedparser.parse(response.body()).bozo == 0, href

    def test_no_horizontal_scroll_on_a_phone(self, preview: Preview, browser_page: Callable[..., Any]) -> None:
        """At 375 px wide the index page fits the viewport."""
        page = browser_page(preview.url, width=375)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        save_screenshot(page, "index-375")


ARTICLE = "news/taiwan-to-become-asias-centre-of-excellence-for-the-production-and-development-of-advanced-medical-devices/"


class TestSitePages:
    @pytest.mark.parametrize("width", [375, 1024])
    @pytest.mark.parametrize("path", [ARTICLE, "categories/news/"])
    def test_fit_the_viewport(self, preview: Preview, browser_page: Callable[..., Any], path: str, width: int) -> None:
        """An article page (the seeds' longest title) and a category page fit 375 and 1024 px: no sideways scroll."""
        page = browser_page(preview.url + path, width=width)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert page.locator("h1").bounding_box()["width"] <= width
        save_screenshot(page, f"{path.split('/', maxsplit=1)[0]}-{width}")

    def test_article_page_shows_the_entry(self, preview: Preview, browser_page: Callable[..., Any]) -> None:
        """The article page shows its title, date, category link, body and attribution; its links are served."""
        page = browser_page(preview.url + ARTICLE, width=1024)
        assert page.locator("h1").inner_text().startswith("Taiwan to become Asia's centre")
        assert page.locator("time").get_attribute("datetime").startswith("2023-02-20")
        assert page.locator("article").inner_text().rstrip().endswith("Source: Healthcare+ Expo")
        category = page.locator("p.meta a", has_text="News")
        assert category.get_attribute("href") == "../../categories/news/"
        for selector in ("nav.around a", "link[rel=stylesheet]", "link[rel=alternate]"):
            for href in page.eval_on_selector_all(selector, "els => els.map(e => e.href)"):
                assert page.request.get(href).ok, href

    def test_dark_mode(self, preview: Preview, chromium: Any) -> None:
        """With the system in dark mode the pages turn dark, text light."""
        context = chromium.new_context(viewport={"width": 375, "height": 800}, color_scheme="dark")
        try:
            page = context.new_page()
            page.goto(preview.url + ARTICLE)
            colours = page.evaluate("""() => [getComputedStyle(document.body).backgroundColor,
                                              getComputedStyle(document.body).color]""")
            luminance = [sum(int(c) for c in v[v.index("(") + 1:-1].split(",")[:3]) / 3 for v in colours]
            background, text = luminance
            assert background < 60 and text > 180, colours
            save_screenshot(page, "article-375-dark")
        finally:
            context.close()


_SHOWN = """root => {
  const shown = el => getComputedStyle(el).display !== "none";
  const all = [...root.getElementsByTagNameNS("*", "*")];
  const self = all.find(el => el.localName === "link" && el.getAttribute("rel") === "self");
  const note = getComputedStyle(self, "::before").content + " " + getComputedStyle(self, "::after").content;
  const entries = all.filter(el => (el.localName === "entry" || el.localName === "item") && shown(el));
  const child = (el, name) => [...el.children].find(c => c.localName === name);
  return {
    note,
    titles: entries.map(e => child(e, "title").textContent),
    dates: entries.map(e => {
      const d = child(e, "published") || child(e, "pubDate");
      return shown(d) ? [d.textContent, d.getBoundingClientRect().width, d.scrollWidth] : null;
    }),
    hidden: all.filter(el => ["content", "encoded", "guid", "id", "updated"].includes(el.localName))
               .every(el => !shown(el)),
  };
}"""


_OVERLAY_JS = """() => {
  const box = document.getElementById("feedpub-build-errors");
  if (!box) return null;
  const r = box.getBoundingClientRect();
  return {position: getComputedStyle(box).position, items: [...box.querySelectorAll("li")].map(li => li.textContent),
          inside: r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth,
          heading: document.querySelector("h1").textContent};
}"""


class TestLiveReload:
    def test_page_reloads_itself_after_an_edit(
        self, preview: Preview, seeds: Path, browser_page: Callable[..., Any]
    ) -> None:
        """With the watcher running, editing a document makes the open page reload by itself, once, with the new title."""
        write_doc(seeds, "2024-05-01-draft.md", "---\ntitle: First working title\n---\nBody.\n")
        preview.poll()
        preview.watch_in_background(interval=0.05)
        page = browser_page(preview.url)
        assert "First working title" in page.inner_text("body")
        with reloads_itself(page):
            write_doc(seeds, "2024-05-01-draft.md", "---\ntitle: The title we settled on\n---\nBody.\n")
        text = page.inner_text("body")
        assert "The title we settled on" in text and "First working title" not in text
        # the reloaded page knows its build: it does not reload again (no reload loop)
        page.evaluate("window.__stillHere = true")
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__stillHere === true")

    def test_failed_build_shows_its_errors_until_fixed(
        self, preview: Preview, seeds: Path, browser_page: Callable[..., Any]
    ) -> None:
        """A failed rebuild reloads the page into the last good build under a fixed box naming file:line, as text; the fix removes it."""
        page = browser_page(preview.url)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        assert page.evaluate(_OVERLAY_JS) is None
        with reloads_itself(page):
            write_doc(seeds, "bad.md", '---\ntitle: Bad\ndate: "<script>alert(1)</script>"\n---\nx\n')
            assert preview.poll().error is not None  # type: ignore[union-attr]
        shown = page.evaluate(_OVERLAY_JS)
        assert shown is not None
        assert shown["position"] == "fixed" and shown["inside"]
        assert len(shown["items"]) == 1
        assert shown["items"][0].startswith("bad.md:3: 'date' is not a date: '<script>alert(1)</script>'")
        assert shown["heading"] == "feedpub"  # the last good page underneath
        save_screenshot(page, "serve-build-errors", full_page=False)
        with reloads_itself(page):
            write_doc(seeds, "bad.md", "---\ntitle: Mended\ndate: 2024-05-03\n---\nx\n")
            assert preview.poll().error is None  # type: ignore[union-attr]
        assert page.evaluate(_OVERLAY_JS) is None
        assert "Mended" in page.inner_text("body")
        assert dialogs == []  # the error text never ran as script


class TestFeedInBrowser:
    @pytest.mark.parametrize("path", ["atom.xml", "categories/news/rss.xml"])
    def test_feed_renders_with_css(self, preview: Preview, browser_page: Callable[..., Any], path: str) -> None:
        """A feed opened in the browser is styled by feed.css: the subscribe note and URL, every title and its day."""
        page = browser_page(preview.url + path)
        assert page.evaluate("document.contentType").endswith("xml")  # no XSLT: the feed itself, styled
        seen = page.evaluate(_SHOWN, page.evaluate_handle("document.documentElement"))
        assert "copy this URL into your reader" in seen["note"]
        assert preview.config.base_url + path in seen["note"]
        titles = [e.title for e in feedparser.parse((preview.config.out / path).read_bytes()).entries]
        assert seen["titles"] == titles
        for text, width, full in seen["dates"]:  # cut to the day: '2024-03-01', 'Fri, 01 Mar 2024'
            assert width < full, text
        assert seen["hidden"]
        save_screenshot(page, "feed-" + path.replace("/", "-").removesuffix(".xml"), full_page=False)


def _png(width: int, height: int) -> bytes:
    """A solid-colour PNG of the given size (stands in for remote article images)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x40\x80\xc0" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# Measured in the page: horizontal overflow, images outside the viewport, and visible text
# smaller than 14 px (hidden preheader text excluded).
_LAYOUT_JS = """() => {
  const vw = window.innerWidth;
  const imgs = [...document.images].map(i => {
    const r = i.getBoundingClientRect();
    return {src: i.currentSrc, left: r.left, right: r.right, width: r.width, loaded: i.naturalWidth > 0};
  });
  const small = [];
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 14) small.push(el.tagName + ' ' + size + 'px: ' + el.textContent.trim().slice(0, 30));
  }
  return {vw, scroll: document.documentElement.scrollWidth, imgs, small};
}"""


# Where the digest's parts land: the lead story's top and every item's, the card's top, each
# thumbnail column with its text column, and the colours dark mode changes.
_GEOMETRY_JS = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const lead = document.querySelector('.lead');
  const pairs = [...document.querySelectorAll('.thumb-col')].map(c =>
    [box(c.querySelector('img')), box(c.parentElement.querySelector('.text-col'))]);
  return {lead: lead ? lead.getBoundingClientRect().top : null,
          items: [...document.querySelectorAll('.item')].map(i => i.getBoundingClientRect().top),
          card_top: document.querySelector('.card').getBoundingClientRect().top,
          pairs,
          background: getComputedStyle(document.querySelector('.outer')).backgroundColor,
          title_color: getComputedStyle(document.querySelector('.title-link')).color};
}"""


class TestDigestInBrowser:
    @pytest.fixture
    def digest_file(self, seeds: Path, make_config: Callable[..., Config]) -> Path:
        from feedpub.outputs import digest as digest_mod
        from feedpub.pipeline import build

        config = make_config(seeds, **{"digest.logo_url": "https://news.example.org/logo.png",
                                       "digest.postal_address": "1 Example Road, Taipei"})
        build(config, now=NOW, digest_request=digest_mod.Request(None, since=__import__("datetime").date(2022, 1, 1),
                                                                 until=__import__("datetime").date(2024, 12, 31)))
        return next((config.out / "digest").glob("2022-01-01_*.html"))

    @pytest.mark.parametrize("scheme", ["light", "dark"])
    @pytest.mark.parametrize("width", [375, 600, 1024])
    def test_fits_the_viewport(self, chromium: Any, digest_file: Path, width: int, scheme: str) -> None:
        """At phone to desktop widths, light and dark: no horizontal scroll, images inside, no text under 14 px."""
        context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        requested: list[str] = []

        def fake_image(route: Any) -> None:
            # No network in tests: every remote image is a large local PNG, which the layout
            # must scale down to the viewport.
            requested.append(route.request.url)
            route.fulfill(status=200, content_type="image/png", body=_png(1200, 800))

        page.route("http*://**/*", fake_image)
        page.goto(digest_file.resolve().as_uri())
        page.wait_for_load_state("load")
        m = page.evaluate(_LAYOUT_JS)
        g = page.evaluate(_GEOMETRY_JS)
        save_screenshot(page, f"digest-{width}-{scheme}")
        context.close()
        assert requested, "the digest should show the article images"
        assert m["scroll"] <= m["vw"], f"horizontal scroll: {m['scroll']} > {m['vw']}"
        assert m["imgs"] and all(i["loaded"] for i in m["imgs"])
        for img in m["imgs"]:
            assert img["left"] >= 0 and img["right"] <= m["vw"] + 0.5, img
        assert m["small"] == []
        # the lead story comes first, above every other item; the card does not touch the top
        assert g["lead"] is not None and all(g["lead"] < top for top in g["items"])
        assert g["card_top"] >= 16
        # thumbnails beside the text where there is room, above it on a phone
        for thumb, text in g["pairs"]:
            if width >= 600:
                assert thumb["right"] <= text["left"] and abs(thumb["top"] - text["top"]) < 2, (thumb, text)
            else:
                assert thumb["bottom"] <= text["top"] + 0.5, (thumb, text)
        assert g["pairs"]
        dark = g["background"] == "rgb(18, 20, 23)"
        assert dark == (scheme == "dark"), g["background"]
        assert (g["title_color"] == "rgb(241, 243, 245)") == dark  # light titles on the dark card

    def test_right_to_left_puts_the_thumbnail_on_the_right(self, chromium: Any, seeds: Path,
                                                         make_config: Callable[..., Config]) -> None:
        """In a dir=rtl digest at 600 px, each thumbnail sits to the right of its text."""
        from datetime import date

        from feedpub.outputs import digest as digest_mod
        from feedpub.pipeline import build

        config = make_config(seeds, language="he")
        build(config, now=NOW, digest_request=digest_mod.Request(None, since=date(2022, 1, 1),
                                                                 until=date(2024, 12, 31)))
        context = chromium.new_context(viewport={"width": 600, "height": 900})
        page = context.new_page()
        page.route("http*://**/*", lambda route: route.fulfill(status=200, content_type="image/png",
                                                                 body=_png(1200, 800)))
        page.goto(next((config.out / "digest").glob("2022-01-01_*.html")).resolve().as_uri())
        page.wait_for_load_state("load")
        g = page.evaluate(_GEOMETRY_JS)
        save_screenshot(page, "digest-600-rtl")
        context.close()
        assert g["pairs"]
        for thumb, text in g["pairs"]:
            assert thumb["left"] >= text["right"] and abs(thumb["top"] - text["top"]) < 2, (thumb, text)
