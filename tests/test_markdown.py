"""Markdown rendering: GitHub's dialect where GitHub and Hugo agree, raw HTML to the sanitizer, bounded depth."""

from __future__ import annotations

import re
import time

import pytest

from feedpub.render import markdown, sanitize

BASE = "https://news.example.org/"


def html(text: str, own_url: str = "") -> str:
    """Render text and sanitize it, as a body reaches a feed (own_url: the entry's, which a build gives)."""
    return sanitize.clean(markdown.to_html(text), BASE, "", own_url)


def depth(text: str) -> int:
    """Return how deep quote and list elements nest in text."""
    level = deepest = 0
    for m in re.finditer(r"<(/?)(?:blockquote|ul|ol|li)\b", text):
        level += -1 if m.group(1) else 1
        deepest = max(deepest, level)
    return deepest


class TestTables:
    def test_aligned_table_has_header_and_body_cells(self) -> None:
        """A GFM table with aligned columns is a table; an escaped pipe in code stays in its cell."""
        out = markdown.to_html("| L | C | R |\n|:--|:-:|--:|\n| a | `x\\|y` | 1 |\n")
        assert re.findall(r"<th[^>]*>(.*?)</th>", out) == ["L", "C", "R"]
        assert re.findall(r"<td[^>]*>(.*?)</td>", out) == ["a", "<code>x|y</code>", "1"]
        assert re.findall(r'<th align="(\w+)"', out) == ["left", "center", "right"]

    def test_table_without_outer_pipes(self) -> None:
        """The outer pipes are optional, as on GitHub and Hugo."""
        assert "<td>1</td>" in markdown.to_html("a | b\n--- | ---\n1 | 2\n")

    def test_delimiter_row_must_match_the_header(self) -> None:
        """A delimiter row with fewer cells than the header makes no table."""
        assert "<table>" not in markdown.to_html("| a | b |\n|---|\n| 1 | 2 |\n")


class TestAutolinks:
    def test_bare_url_www_and_email_are_links(self) -> None:
        """Bare URLs, www. hosts and e-mail addresses are linked, as GitHub and Hugo link them."""
        out = markdown.to_html("See https://example.org/a?b=1 and www.example.com, or info@example.org.\n")
        assert re.findall(r'href="([^"]+)"', out) == [
            "https://example.org/a?b=1", "http://www.example.com", "mailto:info@example.org"]

    def test_trailing_punctuation_is_not_part_of_the_link(self) -> None:
        """A full stop or '!' after a URL ends the sentence; balanced parentheses stay in the URL."""
        out = markdown.to_html("(https://example.org/a_(b)) then https://example.org/x. Done https://example.org/y!\n")
        assert re.findall(r'href="([^"]+)"', out) == [
            "https://example.org/a_(b)", "https://example.org/x", "https://example.org/y"]
        assert out.endswith("</a>!</p>\n")

    def test_angle_bracket_autolink(self) -> None:
        """<https://…> is a link whose text is the URL."""
        assert markdown.to_html("<https://example.org/x>") == (
            '<p><a href="https://example.org/x">https://example.org/x</a></p>\n')

    def test_no_link_inside_code_or_inside_a_link(self) -> None:
        """A URL in a code span, or as a link's text, is not linked again."""
        out = markdown.to_html("`https://a.example` and [https://b.example](https://c.example)\n")
        assert out == ('<p><code>https://a.example</code> and '
                       '<a href="https://c.example">https://b.example</a></p>\n')

    def test_javascript_link_loses_its_href(self) -> None:
        """A javascript: link in Markdown or raw HTML keeps its text, never its URL."""
        out = html('[x](javascript:alert(1)) <a href="javascript:alert(2)">y</a>')
        assert "javascript" not in out
        assert out == "<p><a>x</a> <a>y</a></p>"


class TestInline:
    def test_double_tilde_strikes_through(self) -> None:
        """~~text~~ is deleted text; three tildes are no delimiter."""
        assert markdown.to_html("~~gone~~ ~~~three~~~") == "<p><del>gone</del> ~~~three~~~</p>\n"

    def test_single_tilde_strikes_through_as_on_github(self) -> None:
        """~text~ strikes through as on GitHub (Hugo needs two); a lone '~5' is text."""
        assert markdown.to_html("~one~ and ~5 or ~10") == "<p><del>one</del> and ~5 or ~10</p>\n"

    def test_a_tilde_between_digits_is_a_range(self) -> None:
        """'21~31 July' and '5~10 km' are ranges, not struck through; '~~x~~' next to digits still strikes."""
        assert markdown.to_html("held 21~31 July, 5~10 km") == "<p>held 21~31 July, 5~10 km</p>\n"
        assert markdown.to_html("1~~2~~3") == "<p>1<del>2</del>3</p>\n"
        assert markdown.to_html("a~b~c") == "<p>a<del>b</del>c</p>\n"  # only digits make a range

    def test_a_range_in_code_is_left_as_written(self) -> None:
        """In a code span, a fenced block or an indented block the tilde is not escaped (a backslash would show)."""
        assert markdown.to_html("`5~10` and 5~10") == "<p><code>5~10</code> and 5~10</p>\n"
        assert markdown.to_html("```\n1~2 3~4\n```\nafter 5~6") == \
            "<pre><code>1~2 3~4\n</code></pre>\n<p>after 5~6</p>\n"
        assert markdown.to_html("~~~\n1~2\n~~~") == "<pre><code>1~2\n</code></pre>\n"
        assert markdown.to_html("    1~2 3~4") == "<pre><code>1~2 3~4\n</code></pre>\n"

    def test_no_smart_punctuation(self) -> None:
        """Quotes, dashes and dots stay as written (Hugo's typographer would curl them)."""
        out = html("\"Quoted\" and 'single' -- dash --- em... it's")
        assert out == "<p>\"Quoted\" and 'single' -- dash --- em... it's</p>"

    def test_entities(self) -> None:
        """Named and numeric references are characters; an unknown one and a bare & are text."""
        assert markdown.to_html("&copy; &#x27; &#169; &bogus; AT&T") == "<p>© ' © &amp;bogus; AT&amp;T</p>\n"

    def test_hard_line_breaks(self) -> None:
        """Two trailing spaces or a backslash break the line; a plain newline does not."""
        out = markdown.to_html("one  \ntwo\\\nthree\nfour")
        assert out == "<p>one<br />\ntwo<br />\nthree\nfour</p>\n"

    def test_intraword_underscores_are_text(self) -> None:
        """snake_case stays one word; ** next to CJK punctuation still emphasises."""
        assert markdown.to_html("snake_case_word 中文**强调**。") == (
            "<p>snake_case_word 中文<strong>强调</strong>。</p>\n")


class TestBlocks:
    def test_heading_closing_hashes(self) -> None:
        """A closing run of '#' after a space is dropped; one glued to the text is kept."""
        out = markdown.to_html("## Title ##\n\n# C# #\n\n### Ends with#\n")
        assert out == "<h2>Title</h2>\n<h1>C#</h1>\n<h3>Ends with#</h3>\n"

    def test_headings_have_ids_as_generators_give_them(self) -> None:
        """Each heading has the id GitHub, Hugo and Zola give it (a second of one text numbered), and no empty link."""
        out = html("## Getting started!\n\n## Getting started!\n\n### Über *uns*\n\n[Back](#getting-started)\n",
                   own_url="https://news.example.org/news/x/")
        assert out.splitlines()[:3] == ['<h2 id="getting-started">Getting started!</h2>',
                                        '<h2 id="getting-started-1">Getting started!</h2>',
                                        '<h3 id="über-uns">Über <em>uns</em></h3>']
        assert '<a href="https://news.example.org/news/x/#getting-started">Back</a>' in out

    @pytest.mark.parametrize("link", ["[Back](#top)", '<a href="#top">Back</a>', "<a href='#top'>x</a>",
                                      "[Back][t]\n\n[t]: #top", "[Back][t]\n\n[t]:#top", "#[Back](#top)"])
    def test_headings_have_ids_when_the_text_links_a_place_in_itself(self, link: str) -> None:
        """Any link to a place in the text (Markdown, HTML, a reference) gives the headings their ids; none, no ids."""
        assert markdown.to_html(f"## Top\n\n{link}\n").startswith('<h2 id="top">Top</h2>')
        for none in ("[Elsewhere](https://x.example/#top) and C# #1 (#2) '#3' href=#4", "x: #5 [y]", "#"):
            assert markdown.to_html(f"## Top\n\n{none}\n").startswith("<h2>Top</h2>"), none

    def test_fence_info_string_gives_the_language(self) -> None:
        """The first word of a fence's info string is the language; the code is escaped."""
        out = markdown.to_html('```python title="x.py"\nprint(1 < 2)\n```\n')
        assert out == '<pre><code class="language-python">print(1 &lt; 2)\n</code></pre>\n'

    def test_nested_lists(self) -> None:
        """A list indented under an item nests in it; a blank line makes an item loose."""
        out = markdown.to_html("1. one\n   - a\n     - deep\n2. two\n\n   para\n")
        assert depth(out) == 6  # ol > li > ul > li > ul > li
        assert "<li>\n<p>two</p>\n<p>para</p>\n</li>" in out

    def test_task_list_state_survives_the_sanitizer(self) -> None:
        """A task's box is a character (☐/☑): the sanitizer removes form controls, readers show characters."""
        assert html("- [ ] todo\n- [x] done\n- [X] also") == "<ul>\n<li>☐ todo</li>\n<li>☑ done</li>\n<li>☑ also</li>\n</ul>"

    def test_brackets_that_are_no_task_stay_text(self) -> None:
        """'[ ]' later in an item, or without a list, is text."""
        assert html("- a [ ] b\n\n[x] c") == "<ul>\n<li>a [ ] b</li>\n</ul>\n<p>[x] c</p>"

    def test_footnote_reference_and_note(self) -> None:
        """A footnote reference links its note, listed at the end, which links back: on the entry's own page."""
        out = html("Text with a note.[^1]\n\nMore.\n\n[^1]: The note.\n", own_url="https://news.example.org/a/")
        assert out.startswith('<p>Text with a note.<sup><a href="https://news.example.org/a/#fn-1" id="fnref-1">1</a>'
                              "</sup></p>\n<p>More.</p>")
        assert re.search(r'<ol>\s*<li id="fn-1">\s*<p>The note\. <a href="https://news.example.org/a/#fnref-1">↩</a>'
                         r"</p>\s*</li>\s*</ol>$", out)

    def test_a_link_or_image_to_nowhere_is_no_link_to_the_home_page(self) -> None:
        """An empty target (what a stripped {% post_url %} leaves) is no link and no image, not the site's home page."""
        assert html("[t]() ![alt]() <img src=\"\" alt=\"y\"> <a href=\" \">u</a>") == "<p><a>t</a>   <a>u</a></p>"

    def test_a_link_to_a_place_in_the_text_without_its_page_stays_a_fragment(self) -> None:
        """Without the page's URL (a summary's text), '#x' stays as written; '#' alone is the top."""
        assert html("[a](#x) [b](#)") == '<p><a href="#x">a</a> <a href="#">b</a></p>'
        assert html("[a](#x) [b](#)", own_url="https://s.example/p/") == (
            '<p><a href="https://s.example/p/#x">a</a> <a href="https://s.example/p/#">b</a></p>')

    def test_undefined_footnote_is_text(self) -> None:
        """A reference to a note that is not defined stays as written."""
        assert markdown.to_html("x[^9]") == "<p>x[^9]</p>\n"


class TestRawHtml:
    def test_inline_and_block_html_pass_through(self) -> None:
        """Allowed raw HTML stays; Markdown inside a block of HTML is read only after a blank line."""
        out = html('Press <kbd>Ctrl</kbd>, H<sub>2</sub>O.\n\n<div class="note">\n*not*\n</div>\n\n'
                   "<details>\n\n*yes*\n\n</details>\n")
        assert "<kbd>Ctrl</kbd>" in out and "<sub>2</sub>" in out
        assert "*not*" in out and "<em>yes</em>" in out

    @pytest.mark.parametrize("text", [
        "Hi <script>alert(1)</script>",
        "<script>\nalert(1)\n</script>",
        "<SCRIPT src=//evil.example/x.js></SCRIPT>",
        "- <script>alert(1)</script>",
        "| a |\n|---|\n| <script>alert(1)</script> |",
        "<img src=x onerror=alert(1)>",
        "[a](https://x.example \"<script>alert(1)</script>\")",
    ])
    def test_script_never_reaches_output(self, text: str) -> None:
        """Raw <script> (and event handlers) in Markdown never reach a reader once the body is sanitized."""
        out = html(text)
        assert "<script" not in out.lower()
        assert "alert(1)" not in out or "&lt;script" in out  # a title attribute may keep it as escaped text
        assert "onerror" not in out

    def test_renderer_leaves_raw_html_to_the_sanitizer(self) -> None:
        """The renderer itself keeps raw HTML as written (no tagfilter): removing it is the sanitizer's one job."""
        assert markdown.to_html("<script>\nalert(1)\n</script>") == "<script>\nalert(1)\n</script>\n"

    def test_comments_are_dropped(self) -> None:
        """HTML comments (<!--more--> too) never reach a reader."""
        assert html("a <!--more--> b\n\n<!-- note -->\n") == "<p>a  b</p>"


class TestBoundedDepth:
    @pytest.mark.parametrize("text", [
        "> " * 10_000 + "deep\n",
        "- " * 10_000 + "deep\n",
        "1. " * 10_000 + "deep\n",
        "\n".join("  " * i + "- deep" for i in range(3_000)),
        "".join(">" * i + " deep\n" for i in range(1, 2_000)),
    ], ids=["quotes", "bullets", "numbers", "indented", "quote-lines"])
    def test_ten_thousand_levels_render_bounded(self, text: str) -> None:
        """Thousands of nested quotes or list markers render in well under a second, at most MAX_DEPTH deep, the text kept."""
        start = time.perf_counter()
        out = html(text)
        assert time.perf_counter() - start < 5  # unbounded, the sanitizer alone takes ~0.5 s per 10,000 levels, growing with their square
        assert depth(out) <= markdown.MAX_DEPTH
        assert "deep" in out

    def test_million_quote_markers(self) -> None:
        """A 2 MB document of '>' (a million levels) renders in linear time, not the sanitizer's quadratic hours."""
        start = time.perf_counter()
        out = html("> " * 1_000_000 + "deep\n")
        assert time.perf_counter() - start < 30
        assert depth(out) == markdown.MAX_DEPTH and out.count("</blockquote>") == markdown.MAX_DEPTH

    def test_depth_at_the_limit_is_kept_whole(self) -> None:
        """Quotes exactly MAX_DEPTH deep are untouched; one more level drops only the innermost tags."""
        at = markdown.to_html("> " * markdown.MAX_DEPTH + "x")
        assert depth(at) == markdown.MAX_DEPTH and at.count("<blockquote>") == markdown.MAX_DEPTH
        over = markdown.to_html("> " * (markdown.MAX_DEPTH + 1) + "x")
        assert depth(over) == markdown.MAX_DEPTH and over.count("</blockquote>") == markdown.MAX_DEPTH
        assert "<p>x</p>" in over

    def test_bounded_keeps_order_and_balance(self) -> None:
        """Dropped levels leave balanced markup: what follows a deep quote is outside every quote."""
        out = markdown.to_html("> " * 60 + "deep\n\nafter\n")
        assert out.count("<blockquote>") == out.count("</blockquote>") == markdown.MAX_DEPTH
        assert out.endswith("</blockquote>\n<p>after</p>\n")

    def test_unbalanced_raw_html_closes_by_name(self) -> None:
        """A raw </ul> closes the innermost open <ul> and items left open in it; a stray close stays as written."""
        nested = "<ul><li>" * 30 + "x" + "</ul>" * 30 + "</blockquote>"
        out = markdown.bounded(nested)
        assert depth(out) <= markdown.MAX_DEPTH
        assert out.count("<ul>") == out.count("</ul>") == 20 and out.endswith("</blockquote>")

    def test_shallow_html_is_unchanged(self) -> None:
        """Many containers that are not deep keep every tag; so do lists with as many levels as allowed."""
        many = "<blockquote><ol><li>a</li></ol></blockquote>" * 100
        assert markdown.bounded(many) == many
        levels = markdown.MAX_DEPTH // 2
        text = "\n".join("  " * i + "- x" for i in range(levels))
        assert depth(markdown.to_html(text)) == markdown.MAX_DEPTH
        assert depth(markdown.to_html(text + "\n" + "  " * levels + "- y")) == markdown.MAX_DEPTH

    def test_many_shallow_lists_are_kept(self) -> None:
        """A long document of short lists (more containers than MAX_DEPTH, none deep) loses no tag."""
        text = "- a\n- b\n\n> q\n\n" * 50
        out = markdown.to_html(text)
        assert out.count("<ul>") == 50 and out.count("<li>") == 100 and out.count("<blockquote>") == 50


class TestText:
    def test_lone_surrogate_is_a_replacement_character(self) -> None:
        """Text that cannot be UTF-8 (a lone surrogate) renders with U+FFFD instead of raising."""
        assert markdown.to_html("a\ud800b") == "<p>a\ufffdb</p>\n"

    def test_nul_is_a_replacement_character(self) -> None:
        """NUL is replaced, as CommonMark requires."""
        assert markdown.to_html("a\0b") == "<p>a\ufffdb</p>\n"

    def test_rendering_is_deterministic(self) -> None:
        """The same text renders to the same bytes, footnotes and all."""
        text = "a[^2] b[^1]\n\n[^1]: one\n[^2]: two\n\n| x |\n|---|\n| https://y.example |\n"
        assert len({markdown.to_html(text) for _ in range(5)}) == 1
