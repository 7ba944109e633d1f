"""The shipped article template written in Python (feedpub/render/article_page.py) gives Jinja2's bytes, exactly.

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
from feedpub.render import article_page, templating
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
    """Return the page as Jinja2 renders the shipped templates and as article_page writes it."""
    here = layout.page_path(r.entry.url, config) or "x/index.html"
    values = pages.context(r, here, newer, older, config)
    return templating.render(config, pages.TEMPLATE, **values), article_page.html(values)


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


class TestOnlyForTheShippedTemplates:
    def test_the_recorded_hashes_are_the_shipped_files(self) -> None:
        """The Python copy says which templates it copies; when they change, this fails until it is changed alike."""
        from feedpub import resources

        for name, digest in article_page.TEMPLATES.items():
            assert hashlib.sha256((resources.templates_dir() / name).read_bytes()).hexdigest() == digest, name

    @pytest.mark.parametrize("name", sorted(article_page.TEMPLATES))
    def test_a_users_template_is_rendered_by_jinja(self, name: str, make_config: Callable[..., Config],
                                                   seeds: Path, tmp_path: Path) -> None:
        """A templates_dir overriding either template is used for the article pages (the Python copy is not)."""
        from feedpub import resources

        mine = tmp_path / "tpl"
        mine.mkdir()
        shipped = (resources.templates_dir() / name).read_text(encoding="utf-8")
        (mine / name).write_text(shipped.replace("<main>", "<main data-mine>") if name == "base.html.j2"
                                 else shipped.replace("<article>", "<article data-mine>"), encoding="utf-8")
        config = make_config(seeds, templates_dir=str(mine))
        build(config, now=AFTER_SEEDS)
        page = next(p for p in config.out.rglob("index.html") if "<article" in p.read_text(encoding="utf-8"))
        assert "data-mine" in page.read_text(encoding="utf-8")
        assert not templating.shipped(config, article_page.TEMPLATES)


class TestEscape:
    @given(st.one_of(st.text(), st.integers(), st.none(), st.floats(allow_nan=False)))
    def test_as_autoescaping_prints_it(self, value: Any) -> None:
        """Text, numbers and None are escaped exactly as markupsafe escapes them (the same entities)."""
        from markupsafe import escape

        assert article_page.escape(value) == str(escape(value))

    def test_markup_is_printed_as_it_is(self) -> None:
        """A value that is markup already (a sanitized body) is not escaped again."""
        from markupsafe import Markup

        assert article_page.escape(Markup("<p>a &amp; b</p>")) == "<p>a &amp; b</p>"
        assert article_page.escape("<p>a &amp; b</p>") == "&lt;p&gt;a &amp;amp; b&lt;/p&gt;"
        assert article_page.escape("'\"") == "&#39;&#34;"
