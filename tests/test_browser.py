"""Real-browser checks in headless Chromium: the index page and feeds rendered via XSL, served by serve."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import feedparser
import pytest

from feedpub.config import Config
from feedpub.serve import Preview
from tests.browser import save_screenshot
from tests.conftest import NOW

pytestmark = pytest.mark.browser
FEED_FILES = {"atom.xml", "rss.xml", "feed.json"}


@pytest.fixture
def served(seeds: Path, make_config: Callable[..., Config]) -> Iterator[Preview]:
    preview = Preview(make_config(seeds), clock=lambda: NOW, port=0)
    preview.start()
    yield preview
    preview.stop()


def _feeds_in(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.name in FEED_FILES}


class TestIndexPage:
    def test_lists_every_feed(self, served: Preview, browser_page: Callable[..., Any]) -> None:
        """The rendered page links every feed file of the build, in three formats per feed."""
        page = browser_page(served.url)
        hrefs = page.eval_on_selector_all("li.feed a", "els => els.map(a => a.getAttribute('href'))")
        assert sorted(hrefs) == sorted(_feeds_in(served.config.out))
        assert page.locator("li.feed").count() == 3
        save_screenshot(page, "index-1280")

    def test_autodiscovery_links_resolve(self, served: Preview, browser_page: Callable[..., Any]) -> None:
        """Every <link rel=alternate> resolves, through the server, to a feed of its declared type."""
        page = browser_page(served.url)
        links = page.eval_on_selector_all("head link[rel=alternate]", "els => els.map(l => [l.href, l.type])")
        assert len(links) == len(_feeds_in(served.config.out)) == 9
        for href, media in links:
            assert href.startswith(served.url)
            response = page.request.get(href, headers={"Accept": feedparser.http.ACCEPT_HEADER})
            assert response.status == 200, href
            assert response.headers["content-type"] == media, href
            if media != "application/feed+json":
                assert feedparser.parse(response.body()).bozo == 0, href

    def test_no_horizontal_scroll_on_a_phone(self, served: Preview, browser_page: Callable[..., Any]) -> None:
        """At 375 px wide the index page fits the viewport."""
        page = browser_page(served.url, width=375)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        save_screenshot(page, "index-375")


class TestFeedInBrowser:
    @pytest.mark.parametrize("path", ["atom.xml", "categories/news/rss.xml"])
    def test_feed_renders_via_xsl(self, served: Preview, browser_page: Callable[..., Any], path: str) -> None:
        """A feed opened in the browser becomes an HTML page with the subscribe note and every entry title."""
        page = browser_page(served.url + path)
        assert page.evaluate("document.contentType") == "text/html"  # the XSL turned XML into HTML
        note = page.inner_text("#subscribe")
        assert "copy this URL into your reader" in note
        assert served.config.base_url + path in note
        titles = [e.title for e in feedparser.parse((served.config.out / path).read_bytes()).entries]
        assert page.locator("article h2").all_inner_texts() == titles
        save_screenshot(page, "feed-" + path.replace("/", "-").removesuffix(".xml"))
