"""Where each page lives and how pages link each other: the rules of feedpub/layout.py at their edges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from posixpath import normpath
from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedpub import layout
from feedpub.config import Config
from feedpub.slug import distinct_slug, slugify

BASE = "https://blog.example.org/news/"  # a site under a sub-path


@pytest.fixture
def config(tmp_path: Path, make_config: Callable[..., Config]) -> Config:
    (tmp_path / "src").mkdir()
    return make_config(tmp_path / "src", base_url=BASE)


class TestPagePath:
    @pytest.mark.parametrize(("url", "path"), [
        (BASE + "events/launch/", "events/launch/index.html"),
        (BASE + "2024/05/launch.html", "2024/05/launch.html"),
        (BASE + "2024/05/launch.HTM", "2024/05/launch.HTM"),
        (BASE + "posts/launch", "posts/launch/index.html"),
        (BASE + "a/b/#section", "a/b/index.html"),
        (BASE + "a/b/?ref=x", "a/b/index.html"),
        (BASE + "caf%C3%A9/", "café/index.html"),
        (BASE + "launch.html", "launch.html"),  # a page's own file at the top
        (BASE + "2024.html/launch", "2024.html/launch/index.html"),  # a folder named like a page: its last segment decides
    ])
    def test_a_url_under_base_url_is_a_file_there(self, config: Config, url: str, path: str) -> None:
        """A folder URL is its index.html, an .html URL itself, any other a folder; fragment and query dropped."""
        assert layout.page_path(url, config) == path

    @pytest.mark.parametrize("url", [
        "https://elsewhere.example/news/a/",  # another host
        "https://blog.example.org/other/a/",  # the same host, outside the site's path
        BASE,  # the home page is the listing's, never an entry's
        BASE + "#top",
        BASE + "/a/",  # a path that would leave the output folder's top
        BASE + "news\\a/",  # a backslash: a Windows separator, never a path of the site
        BASE + "news%5Ca/",
    ])
    def test_no_page_outside_the_site(self, config: Config, url: str) -> None:
        """A URL outside base_url, or base_url itself, gets no entry page."""
        assert layout.page_path(url, config) is None


class TestHref:
    @pytest.mark.parametrize(("here", "there", "link"), [
        ("index.html", "index.html", "./"),
        ("index.html", "news/x/index.html", "news/x/"),
        ("news/x/index.html", "index.html", "../../"),
        ("news/x/index.html", "news/y/index.html", "../y/"),
        ("news/x/index.html", "news/x/pic.png", "pic.png"),
        ("news/x/index.html", "site.css", "../../site.css"),
        ("newsx/index.html", "news/a/index.html", "../news/a/"),  # a shared prefix is not a shared folder
        ("page/2/index.html", "page/3/index.html", "../3/"),
        ("a/b.html", "a/c.html", "c.html"),
        ("a/b/c/index.html", "a/index.html", "../../"),
        ("news/x/index.html", "news/x/index.html", "./"),  # a page linking to itself
        ("news/x/index.html", "news/x/", "./"),
    ])
    def test_relative_links(self, here: str, there: str, link: str) -> None:
        """The link from here to there is relative, a folder's index.html linked as the folder."""
        assert layout.href(here, there) == link

    @pytest.mark.parametrize(("here", "there"), [
        ("x/y/z/index.html", "x/q/index.html"), ("index.html", "a/b/c.png"), ("a/index.html", "b/c/d.html"),
        ("tags/ai-ml/page/4/index.html", "categories/news/index.html"),
    ])
    def test_a_link_resolves_to_its_target(self, here: str, there: str) -> None:
        """Followed from here as a browser would, the link lands on there (or its folder)."""
        folder = here.rsplit("/", 1)[0] if "/" in here else ""
        landed = normpath(f"{folder}/{layout.href(here, there)}") if folder else normpath(layout.href(here, there))
        assert landed == normpath(there.removesuffix("index.html") or ".")


    @given(st.lists(st.sampled_from(["a", "ab", "b", "news", "page", "2", "x.html"]), max_size=4),
           st.lists(st.sampled_from(["a", "ab", "b", "news", "page", "2"]), max_size=4),
           st.sampled_from(["index.html", "site.css", "x.html"]))
    def test_every_link_resolves_to_its_target(self, here_parts: list[str], there_parts: list[str], leaf: str) -> None:
        """Any page to any file: followed by a browser (urljoin), the link lands on the file (a folder's index as the folder)."""
        here = "/".join([*here_parts, "index.html"])
        there = "/".join([*there_parts, leaf])
        site = "https://h.example/s/"
        landed = urljoin(site + here, layout.href(here, there))
        assert landed == site + there.removesuffix("index.html")


class TestListings:
    def test_page_one_is_the_folders_index(self) -> None:
        """Page 1 of a listing is its folder's index.html; page 2 on are under page/N/."""
        assert layout.list_path("", 1) == "index.html"
        assert layout.list_path("", 2) == "page/2/index.html"
        assert layout.list_path("categories/news/", 3) == "categories/news/page/3/index.html"

    def test_a_tag_s_folder(self) -> None:
        """A tag's listing and feeds live in tags/<slug>/."""
        assert layout.tag_folder("ai-ml") == "tags/ai-ml/"

    @pytest.mark.parametrize(("folder", "path"), [
        ("", "feed.css"), ("categories/x/", "../../feed.css"), ("tags/a/", "../../feed.css"), ("a/b/c/", "../../../feed.css")])
    def test_a_root_file_from_a_folder(self, folder: str, path: str) -> None:
        """A feed's stylesheet as seen from its folder: up to the top, then the file."""
        assert layout.relative_to_root(folder, layout.FEED_STYLESHEET) == path

    @pytest.mark.parametrize(("name", "slug"), [
        ("Cell & Gene", "cell-gene"), ("Café au lait", "cafe-au-lait"), ("Ünïcödé", "unicode"), ("①②", "12"),
    ])
    def test_a_name_whose_letters_have_ascii_forms_has_no_hash(self, name: str, slug: str) -> None:
        """Letters with an ASCII form (accents dropped, compatibility forms) lose nothing: the plain slug."""
        assert distinct_slug(name, "tag") == slug == slugify(name)

    def test_a_name_that_loses_letters_keeps_them_in_a_hash(self) -> None:
        """A letter with no ASCII form adds a hash of the whole name: names differing there differ in slug."""
        a, b = distinct_slug("go-map内存泄漏", "article"), distinct_slug("go-map并发", "article")
        assert a.startswith("go-map-") and b.startswith("go-map-") and a != b and len(a) == len("go-map-") + 8
        assert distinct_slug("第一章-甲", "article") != distinct_slug("第二章-乙", "article")
        assert distinct_slug("第一章-甲", "article").startswith("article-")
        assert distinct_slug("Привет", "category") == distinct_slug("Привет", "category")  # the same every build
        assert distinct_slug("!!!", "tag") == ""  # nothing to name it: the caller says so

    def test_tag_slugs(self) -> None:
        """A tag's slug is its slug; a tag of no ASCII letters gets a stable short hash, distinct per tag."""
        assert layout.tag_slug("AI & ML") == "ai-ml"
        assert layout.tag_slug("天文") == layout.tag_slug("天文") != layout.tag_slug("地理")
        assert layout.tag_slug("天文").startswith("tag-") and len(layout.tag_slug("天文")) == 12


class TestLinksAroundAPage:
    """pages.around: the links every article page shows, made once per folder of pages, equal to made per page."""

    @given(st.lists(st.sampled_from(["news", "categories", "tags", "a", "2024", "x.html", "newsx", "page"]),
                    min_size=0, max_size=4),
           st.sampled_from(["index.html", "p.html"]),
           st.sampled_from([("news", "News"), ("a", "A & B"), ("categories", "C")]))
    def test_shared_links_equal_the_pages_own(self, parts: list[str], leaf: str, category: tuple[str, str]) -> None:
        """For any page path (top level, beside a category's folder, inside one), the shared links are its own."""
        from feedpub.model import Category
        from feedpub.outputs import pages

        config = _CONFIG[0]
        here = "/".join([*parts, leaf])
        cat = Category(*category)
        assert pages.around(here, cat, config) == pages._around(here, cat, config)
        for sibling in ("other", "news"):  # a page beside it, made from the memo the first one filled
            there = "/".join([*parts[:-1], sibling, leaf]) if parts else f"{sibling}/{leaf}"
            assert pages.around(there, cat, config) == pages._around(there, cat, config)

    def test_pages_of_one_folder_share_one_value(self, config: Config) -> None:
        """Two pages beside each other get the very same links (made once); another category its own."""
        from feedpub.model import Category
        from feedpub.outputs import pages

        news = Category("news", "News")
        first = pages.around("news/a/index.html", news, config)
        assert pages.around("news/b/index.html", news, config) is first
        assert first.home == "../../" and first.category.href == "../../categories/news/"
        assert pages.around("news/c/index.html", Category("events", "Events"), config) is not first


_CONFIG: list[Config] = []


@pytest.fixture(autouse=True)
def _config_for_hypothesis(config: Config) -> None:
    """Hypothesis tests cannot take function-scoped fixtures: they read the configuration from here."""
    _CONFIG[:] = [config]
