"""A digest through its templates: the inlined HTML and the plain text, wrapped at 78 columns."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import html as lxml_html

from feedpub.config import Config
from feedpub.errors import OutputError
from feedpub.model import Category, Entry, Image, Rendered
from feedpub.outputs.digest import render, view
from feedpub.outputs.digest.week import Window

SITE = Config(source=Path("src"), out=Path("dist"), base_url="https://news.example.org/", title="Acme News")
MONDAY = datetime(2023, 2, 20, tzinfo=UTC)
WEEK = Window("2023-W08", MONDAY, MONDAY + timedelta(days=7))


def entry(id_: str, hours: int) -> Entry:
    """Return an entry of 2023-W08 with an image."""
    when = MONDAY + timedelta(hours=hours)
    return Entry(id=id_, url=f"https://news.example.org/{id_}/", title=f"Title {id_}", title_source="front matter",
                 date=when, date_source="front matter", updated=when, category=Category("news", "News"),
                 category_source="front matter", summary="", source="", authors=(), tags=(),
                 image=Image(f"https://img.test/{id_}.jpg", "image/jpeg", f"Picture {id_}"), rel=f"{id_}.md",
                 fmt="markdown")


def digest(config: Config = SITE) -> view.Digest:
    """Return a digest of two entries: a lead and one item."""
    entries = [entry("a", 2), entry("b", 1)]
    rendered = {e.id: Rendered(e, "<p>x</p>", f"Summary of {e.id}.") for e in entries}
    return view.make(entries, rendered, config, WEEK, datetime(2023, 3, 1, tzinfo=UTC))


class TestWrap:
    def test_words_fill_up_to_the_width(self) -> None:
        """Lines hold as many words as fit in 78 columns, spaces collapsed."""
        out = render.wrap("word  " * 40)  # 15 words of 4 letters make 74 columns; a 16th would make 79
        assert [len(line) for line in out.split("\n")] == [74, 74, 49]

    def test_the_first_line_has_its_own_indent(self) -> None:
        """A bullet on the first line, the indent under it; without a first, the indent everywhere."""
        assert render.wrap("a b c", "  ", "* ", width=5) == "* a b\n  c"
        assert render.wrap("a b c", "  ", width=5) == "  a b\n  c"

    def test_long_words_and_hyphens_are_never_broken(self) -> None:
        """A URL longer than the width has a line of its own; a hyphenated word is not split."""
        url = "https://example.org/" + "x" * 100
        assert render.wrap(f"see {url} now", width=20) == f"see\n{url}\nnow"
        assert render.wrap("aaa well-known", width=12) == "aaa\nwell-known"


class TestLinkLine:
    def test_one_line_when_it_fits(self) -> None:
        """'label url' on one line up to the width, inclusive."""
        assert render.link_line("Read:", "https://x.test/a", width=22) == "Read: https://x.test/a"
        assert render.link_line("Read:", "https://x.test/a", "  ", width=24) == "  Read: https://x.test/a"

    def test_the_url_on_its_own_line_when_longer(self) -> None:
        """One column too many puts the URL on the next line, indented like the label."""
        assert render.link_line("Read:", "https://x.test/a", width=21) == "Read:\nhttps://x.test/a"
        assert render.link_line("Read:", "https://x.test/a", "  ", width=23) == "  Read:\n  https://x.test/a"

    def test_the_default_width_is_78(self) -> None:
        """The text email is 78 columns wide."""
        label = "L" * (78 - 1 - 10)
        assert render.link_line(label, "u" * 10) == f"{label} {'u' * 10}"
        assert render.link_line(label + "L", "u" * 10) == f"{label}L\n{'u' * 10}"


class TestDirection:
    @pytest.mark.parametrize("language", ["ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur",
                                          "yi", "he-IL", "AR", "fa-Arab-IR"])
    def test_right_to_left(self, language: str) -> None:
        """A language written right to left, by its primary subtag in any case."""
        assert render.direction(language) == "rtl"

    @pytest.mark.parametrize("language", ["en", "en-US", "arn", "zh-Hant", "i-he", ""])
    def test_left_to_right(self, language: str) -> None:
        """Every other language, including ones whose subtag only starts like an RTL one."""
        assert render.direction(language) == "ltr"


class TestHtml:
    def test_inlined_with_the_site_s_language_and_image_sizes(self) -> None:
        """The HTML has its CSS in style attributes, the site's language and direction, 3:2 image sizes."""
        page = render.html(digest(dataclasses.replace(SITE, language="he")), dataclasses.replace(SITE, language="he"))
        root = lxml_html.fromstring(page)
        assert (root.get("lang"), root.get("dir")) == ("he", "rtl")
        lead = root.find(".//img[@class='lead-image']")
        thumb = root.find(".//img[@class='thumb']")
        assert lead is not None
        assert thumb is not None
        assert (lead.get("width"), lead.get("height"), lead.get("src")) == ("560", "373", "https://img.test/a.jpg")
        assert (thumb.get("width"), thumb.get("height")) == ("160", "106")
        assert lead.get("style")  # inlined
        assert root.find(".//a[@class='site-link']").get("href") == "https://news.example.org/"


class TestUserTemplates:
    def test_a_template_may_write_days(self, tmp_path: Path) -> None:
        """Templates are given day_text, to write a date as the rest of the digest does."""
        (tmp_path / "digest.txt.j2").write_text("{{ day_text(digest.window.start.date()) }}\n", encoding="utf-8")
        cfg = dataclasses.replace(SITE, templates_dir=tmp_path)
        assert render.text(digest(cfg), cfg) == "20 February 2023\n"

    def test_an_error_of_inlining_names_the_template(self, tmp_path: Path) -> None:
        """A template linking a stylesheet is refused, naming digest.html.j2."""
        (tmp_path / "digest.html.j2").write_text('<html><head><link rel="stylesheet" href="https://x.test/a.css">'
                                                 "</head><body></body></html>", encoding="utf-8")
        cfg = dataclasses.replace(SITE, templates_dir=tmp_path)
        with pytest.raises(OutputError) as e:
            render.html(digest(cfg), cfg)
        assert str(e.value).startswith("digest.html.j2: links an external stylesheet")


class TestText:
    def test_written_from_the_same_data(self) -> None:
        """The text names the subject, the web copy, each item and its link, wrapped."""
        text = render.text(digest(), SITE)
        lines = text.split("\n")
        assert lines[0] == "Acme News — week of 20 February 2023"
        assert lines[1] == "=" * len(lines[0])
        assert "View in your browser: https://news.example.org/digest/2023-W08.html" in lines
        assert "* Title a" in lines
        assert "  Summary of b." in lines
        assert "Acme News: https://news.example.org/" in lines
        assert max(len(line) for line in lines if "://" not in line) <= render.TEXT_WIDTH  # a URL is never cut
