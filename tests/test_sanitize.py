"""The sanitizer's input bound: raw HTML nested at most MAX_DEPTH elements deep, the text kept."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedpub.render import sanitize
from feedpub.render.sanitize import MAX_DEPTH, MAX_FORMATTING, flatten

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

    @pytest.mark.parametrize(("html", "deepest"), [
        (nested("div", 100_000, "deep text"), MAX_DEPTH),
        ("<div><span>" * 50_000 + "deep text", MAX_DEPTH),  # never closed
        ("<b><i>" * 50_000 + "deep text" + "</i></b>" * 50_000, MAX_FORMATTING),  # formatting: fewer open
        (nested("section", 20_000, "deep text") * 3, MAX_DEPTH),
    ], ids=["divs", "unclosed", "formatting", "three-deep-sections"])
    def test_deep_html_is_bounded_and_keeps_its_text(self, html: str, deepest: int) -> None:
        """However deep the input, the output nests at most MAX_DEPTH elements (MAX_FORMATTING <b>, <i>…) and has all of its text."""
        out = flatten(html)
        assert depth(out) == deepest
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


# --- what an HTML parser builds of flatten's output ----------------------------------------------


def parsed(html: str) -> tuple[int, int]:
    """Return how deep the elements an HTML parser builds of html nest, and how many it builds.

    html5lib follows the HTML standard's tree building, as html5ever (nh3's parser) does:
    it ignores end tags out of scope, reopens formatting elements a block closed, moves them
    past blocks. A test oracle only (pure Python: slow on large input, never in a build).
    """
    import html5lib

    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    deepest = count = 0
    todo = [(fragment, 0)]
    while todo:
        element, level = todo.pop()
        for child in element:
            if isinstance(child.tag, str):  # not a comment
                count += 1
                deepest = max(deepest, level + 1)
                todo.append((child, level + 1))
    return deepest, count


TAG_NAMES = ("div p li ul ol dd dt dl b i a em nobr span blockquote h1 h2 table tr td th tbody caption "
             "select option button object").split()


class TestAsAParserBuildsIt:
    """flatten bounds what a parser following the HTML standard builds, not only what a tag count says.

    With small bounds (8 open, 3 formatting), repeated patterns that once nested without
    end in a parser and not by flatten's count: end tags HTML ignores, starts that end
    nothing there, formatting elements reopened in every block.
    """

    @pytest.fixture(autouse=True)
    def _small_bounds(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(sanitize, "MAX_DEPTH", 8)
        monkeypatch.setattr(sanitize, "MAX_FORMATTING", 3)

    @pytest.mark.parametrize("unit", [
        "<ul><li>", "<ol><li>", "<dl><dd>", "<li><ul>",  # an item ends no item outside its own list
        "<p><blockquote>", "<div><p><blockquote>",  # a block ends the open <p>; the next <p> opens inside it
        "<div></p>", "<div><tr>", "<div><table></div>",  # end tags and table parts HTML ignores there
        "<span><li><ul></span>", "<b><div></b>", "<em><div></em>x",  # a formatting end tag moved past a block
        '<p><b title="{k}">x</p>',  # each <b> reopened in every later paragraph: 94 KB made 156 MB
        "x<button><td></h1><select><option></select></select><h1><select>",  # inside a select
        "x</tr><th><i></th><tr><span><span><b></i></p><i>",  # dropped tags ending what was kept
        "<span><span>x<dt></dl><p><a><ol></dt><li><a><span>",
    ])
    def test_repeated_patterns_stay_bounded(self, unit: str) -> None:
        html = "".join(unit.format(k=k) for k in range(300))
        deepest, count = parsed(flatten(html))
        assert deepest <= 4 * sanitize.MAX_DEPTH
        assert count <= 2 * html.count("<")  # no element reopened without end

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.one_of(
        st.sampled_from(TAG_NAMES).map(lambda n: f"<{n}>"),
        st.sampled_from(TAG_NAMES).map(lambda n: f"</{n}>"),
        st.sampled_from(TAG_NAMES).map(lambda n: f'<{n} title="x">'),
        st.just("x")), min_size=1, max_size=12))
    def test_any_html_tag_soup_repeated_stays_bounded(self, tokens: list[str]) -> None:
        """Any sequence of HTML tags (tables, lists, formatting, blocks), repeated: a parser nests flatten's output boundedly.

        Not SVG, MathML or <template>: see docs/troubleshooting.md (a known gap of the bound).
        """
        html = "".join(tokens) * 40
        deepest, _count = parsed(flatten(html))
        assert deepest <= 4 * sanitize.MAX_DEPTH + sanitize.MAX_FORMATTING

