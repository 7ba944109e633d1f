"""The shipped article template written in Python (feedpub/render/shipped_pages.py) gives Jinja2's bytes, exactly.

Every page is rendered both ways and compared: over generated entries with every optional
part present or not and text that must be escaped, and over the seeds. The Python copy is
used only while the shipped templates are the ones it copies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Author, Category, Entry, Image, Rendered
from feedpub.outputs import pages
from feedpub.pipeline import build, entries
from feedpub.render import shipped_pages, templating
from tests.conftest import AFTER_SEEDS

BASE = "https://news.example.org/"
TEXT = st.lists(st.sampled_from([*"ab <>&\"'é—天", "{{", "%}", "\u00a0"]), min_size=1, max_size=8).map("".join)
MAYBE = st.one_of(st.just(""), TEXT)


@st.composite
def rendered_entries(draw: st.DrawFn) -> tuple[Rendered, tuple[str, str] | None, tuple[str, str] | None]:
    """An entry with or without authors (links, affiliations), tags, an image (shown in the body or not), neighbours."""
    slug = draw(st.sampled_from(["a", "news/b", "2024/05/c"]))
    url = BASE + slug + "/"
    image = draw(st.one_of(st.none(), st.builds(Image, st.sampled_from([BASE + "i.png", "https://cdn.example/x.jpg"]),
                                                st.just("image/png"), MAYBE)))
    body = draw(st.sampled_from(["<p>Body &amp; text.</p>", "", f'<p><img src="{BASE}i.png" alt=""></p>']))
    when = datetime(2024, 5, 1, 9, tzinfo=UTC) + timedelta(seconds=draw(st.integers(0, 10**7)))
    authors = tuple(draw(st.lists(st.builds(Author, TEXT, st.sampled_from(["", "https://example.org/a?x=1&y=2"]),
                                            st.just(""), MAYBE), max_size=3)))
    entry = Entry(id=url, url=url, title=draw(TEXT), title_source="front matter", date=when, date_source="front matter",
                  updated=when + timedelta(seconds=draw(st.integers(0, 99))),
                  category=Category(draw(st.sampled_from(["news", "events"])), draw(TEXT)), category_source="default",
                  summary=draw(TEXT), source="", authors=authors, tags=tuple(draw(st.lists(TEXT, max_size=3))),
                  image=image, rel=slug + ".md", fmt="markdown")
    neighbour = st.one_of(st.none(), st.tuples(st.sampled_from([BASE + "x/", "https://elsewhere.example/y"]), TEXT))
    return Rendered(entry, body, draw(TEXT)), draw(neighbour), draw(neighbour)


def both_ways(r: Rendered, newer: Any, older: Any, config: Config) -> tuple[str, str]:
    """Return the page as Jinja2 renders the shipped templates and as shipped_pages writes it."""
    here = layout.page_path(r.entry.url, config) or "x/index.html"
    values = pages.context(r, here, newer, older, config)
    return templating.render(config, pages.TEMPLATE, **values), shipped_pages.article(values)


class TestSameBytes:
    @settings(max_examples=300, deadline=None)
    @given(case=rendered_entries(), tag_pages=st.booleans(), described=st.booleans())
    def test_generated_pages(self, case: Any, tag_pages: bool, described: bool, tmp_path_factory: pytest.TempPathFactory,
                             ) -> None:
        """Any entry, with any optional part present or not, gives the same page both ways."""
        from feedpub.config import load_config

        folder = tmp_path_factory.mktemp("src")
        config = load_config(None, {"source": str(folder), "base_url": BASE, "tag_feeds": tag_pages,
                                    "description": "A site & <more>" if described else ""})
        jinja, python = both_ways(*case, config)
        assert python == jinja

    def test_the_seeds_pages(self, make_config: Callable[..., Config], seeds: Path) -> None:
        """Every page of the seeds gives the same bytes both ways, and a build writes those bytes."""
        config = make_config(seeds)
        result = build(config, now=AFTER_SEEDS)
        for e in entries(result, config):
            from feedpub.render import content

            r = content.render(e, config)
            jinja, python = both_ways(r, None, (BASE, "Older & <older>"), config)
            assert python == jinja


class TestWholeSites:
    @pytest.mark.parametrize(("tags", "described", "size"), [(True, True, 2), (False, False, 3), (True, False, 50)])
    def test_a_site_is_the_same_with_jinja_alone(self, make_config: Callable[..., Config], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch, tags: bool, described: bool,
                                                 size: int) -> None:
        """Every file of a site (articles, category, tag and home pages, several pages each or one) is the same
        when every page is rendered by Jinja2."""
        from tests.conftest import NOW, output_tree, write_corpus

        write_corpus(tmp_path / "src", 24)
        settings = {"tag_feeds": tags, "list_size": size, "cache": False,
                    "description": "Notes & <news>" if described else ""}
        fast = make_config(tmp_path / "src", out=str(tmp_path / "fast"), **settings)
        build(fast, now=NOW)
        monkeypatch.setattr(templating, "shipped", lambda *_args: False)
        slow = make_config(tmp_path / "src", out=str(tmp_path / "slow"), **settings)
        build(slow, now=NOW)
        made = output_tree(fast.out)
        assert made == output_tree(slow.out)
        assert sum(1 for p in made if p.endswith("index.html")) > 24  # articles and listing pages were compared


class TestOnlyForTheShippedTemplates:
    @pytest.mark.parametrize("copied", [shipped_pages.ARTICLE, shipped_pages.LIST, shipped_pages.INDEX])
    def test_the_recorded_hashes_are_the_shipped_files(self, copied: dict[str, str]) -> None:
        """The Python copy says which templates it copies; when they change, this fails until it is changed alike."""
        from feedpub import resources

        for name, digest in copied.items():
            assert hashlib.sha256((resources.templates_dir() / name).read_bytes()).hexdigest() == digest, name

    # a template, a line of it to mark, and a page of the site rendered from it
    OVERRIDES = (("article.html.j2", "<article>", "news/a0004/index.html"),
                 ("base.html.j2", "<main>", "news/a0004/index.html"),
                 ("base.html.j2", "<main>", "categories/news/page/2/index.html"),
                 ("list.html.j2", '<h1 dir="auto">', "categories/news/index.html"),
                 ("entries.html.j2", '<ul class="entries">', "categories/news/page/2/index.html"),
                 ("entries.html.j2", '<ul class="entries">', "page/2/index.html"),
                 ("index.html.j2", '<section id="latest">', "page/2/index.html"))

    @pytest.mark.parametrize(("name", "line", "page"), OVERRIDES)
    def test_a_users_template_is_rendered_by_jinja(self, name: str, line: str, page: str,
                                                   make_config: Callable[..., Config], tmp_path: Path) -> None:
        """A templates_dir overriding a template is used for every page made from it (the Python copy is not)."""
        from feedpub import resources
        from tests.conftest import NOW, write_corpus

        write_corpus(tmp_path / "src", 12)
        mine = tmp_path / "tpl"
        mine.mkdir()
        shipped = (resources.templates_dir() / name).read_text(encoding="utf-8")
        assert line in shipped
        (mine / name).write_text(shipped.replace(line, line.replace(">", " data-mine>", 1), 1), encoding="utf-8")
        config = make_config(tmp_path / "src", templates_dir=str(mine), list_size=2)
        build(config, now=NOW)
        assert "data-mine" in (config.out / page).read_text(encoding="utf-8")


class TestEscape:
    @given(st.one_of(st.text(), st.integers(), st.none(), st.floats(allow_nan=False)))
    def test_as_autoescaping_prints_it(self, value: Any) -> None:
        """Text, numbers and None are escaped exactly as markupsafe escapes them (the same entities)."""
        from markupsafe import escape

        assert shipped_pages.escape(value) == str(escape(value))

    @given(st.text())
    def test_the_python_escape_is_markupsafes_too(self, text: str) -> None:
        """The str.replace chain kept for a markupsafe without its C loop escapes as markupsafe does."""
        from markupsafe import escape

        assert shipped_pages.escape_text(text) == str(escape(text))

    def test_markup_is_printed_as_it_is(self) -> None:
        """A value that is markup already (a sanitized body) is not escaped again."""
        from markupsafe import Markup

        assert shipped_pages.escape(Markup("<p>a &amp; b</p>")) == "<p>a &amp; b</p>"
        assert shipped_pages.escape("<p>a &amp; b</p>") == "&lt;p&gt;a &amp;amp; b&lt;/p&gt;"
        assert shipped_pages.escape("'\"") == "&#39;&#34;"
