"""The sanitizer's input bound: raw HTML nested at most MAX_DEPTH elements deep, the text kept."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from feedpub.render import sanitize
from feedpub.render.sanitize import MAX_DEPTH, flatten

VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class _Depth(HTMLParser):
    """The deepest nesting of elements in a text, as the standard library's HTML parser reads its tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.deepest = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in VOID:
            self.open.append(tag)
            self.deepest = max(self.deepest, len(self.open))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1] == tag:  # the common case, without a search of the whole stack
            self.open.pop()
        elif tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def depth(html: str) -> int:
    """Return how deep elements nest in html (elements closed by their end tags)."""
    parser = _Depth()
    parser.feed(html)
    return parser.deepest


def text(html: str) -> str:
    """Return the text of html."""
    parser = _Depth()
    parser.feed(html)
    return "".join(parser.text)


def nested(tag: str, levels: int, inner: str = "deep") -> str:
    return f"<{tag}>" * levels + inner + f"</{tag}>" * levels


class TestFlatten:
    def test_max_depth_is_untouched(self) -> None:
        """Elements exactly MAX_DEPTH deep are left as written."""
        html = nested("div", MAX_DEPTH)
        assert flatten(html) == html

    def test_one_level_more_drops_only_the_innermost_tags(self) -> None:
        """MAX_DEPTH + 1 levels: the innermost start and end tag go, its text stays where it was."""
        out = flatten(nested("div", MAX_DEPTH + 1))
        assert out == nested("div", MAX_DEPTH)

    @pytest.mark.parametrize("html", [
        nested("div", 100_000, "deep text"),
        "<div><span>" * 50_000 + "deep text",  # never closed
        "<b><i>" * 50_000 + "deep text" + "</i></b>" * 50_000,
        nested("section", 20_000, "deep text") * 3,
    ], ids=["divs", "unclosed", "formatting", "three-deep-sections"])
    def test_deep_html_is_bounded_and_keeps_its_text(self, html: str) -> None:
        """However deep the input, the output nests at most MAX_DEPTH elements and has all of its text."""
        out = flatten(html)
        assert depth(out) == MAX_DEPTH
        assert text(out) == text(html)

    @pytest.mark.parametrize("html", [
        "".join(f"<p>para {i}<li>item<td>cell<tr>row" for i in range(300)),  # ended by the next of their kind
        "<p>" + "<b>b</b> <img src=x> <br> <hr/> <x-a/>" * 300 + "</p>",  # void and self-closed elements
        "<div>" + "<!-- <div> -->" * 300 + "</div>",  # tags in comments
        "<div>" + "<script>" + "<div>" * 300 + "</script>" + "<style>" + "<p>" * 300 + "</style></div>",
        "<div>" + "</span>" * 300 + "</div>" + "<p>x</p>" * 300,  # stray end tags
        '<a title="<div><div>" href="/x">a</a>' * 300,  # '<' and '>' inside attribute values
    ], ids=["implied-ends", "void", "comments", "raw-text", "stray-ends", "attribute-values"])
    def test_shallow_html_is_untouched(self, html: str) -> None:
        """What does not nest deeper than MAX_DEPTH by HTML's rules is left byte for byte."""
        assert flatten(html) == html

    def test_an_outer_end_tag_closes_what_is_open_inside(self) -> None:
        """An end tag closes the elements left open inside its element: later siblings are not deeper."""
        html = ("<div><span>" * 10 + "x" + "</div>" * 10) * 30
        assert flatten(html) == html


class TestClean:
    def test_the_sanitizer_is_given_bounded_html(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """clean() hands nh3 at most MAX_DEPTH levels of 100,000 nested <div>, and the text comes out."""
        given: list[str] = []
        real = sanitize._cleaner("https://e.org/")

        class Spy:
            def clean(self, html: str) -> str:
                given.append(html)
                return real.clean(html)

        monkeypatch.setattr(sanitize, "_cleaner", lambda *_args: Spy())
        out = sanitize.clean(nested("div", 100_000, "deep <em>text</em>"), "https://e.org/")
        assert [depth(g) for g in given] == [MAX_DEPTH]
        assert out == "deep text"  # <div> is not on the allow-list, and <em>, 100,001 deep, was dropped
