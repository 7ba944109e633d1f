"""Render Markdown to HTML as GitHub does (GFM: tables, strikethrough, autolinks, task lists, footnotes) with comrak.

The only module that imports comrak, the Python binding of the Rust port of GitHub's
cmark-gfm. Issue 14 made every body render, so the renderer became the hot path; it was
chosen over markdown-it-py (~15× slower, no bare-URL autolinks), cmarkgfm (GitHub's own C
library, but its binding never frees cmark's tree or HTML: ~23 KB kept per document) and
pyromark (~5× faster still, but no autolinks for bare URLs, which GitHub and Hugo both make).
``bench/markdown_bench.py`` measures them; README "Performance" has the figures.

Its output is *not* safe: raw HTML in a document passes through (as GitHub's renderer does
before GitHub sanitizes, and as Hugo does with ``unsafe = true``), so callers always hand
it to :mod:`feedpub.render.sanitize`, which alone decides what markup stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from html import unescape

MAX_DEPTH = 40  # nested quote/list elements kept; deeper ones are dropped, their text kept

# what the tasklist extension writes for "- [ ]" and "- [x]"; the sanitizer drops <input>
# (no reader or mail client shows a form control), so the state is written as a character
_CHECKBOXES = {
    '<input type="checkbox" disabled="" />': "\u2610",  # ☐
    '<input type="checkbox" checked="" disabled="" />': "\u2611",  # ☑
}
_CHECKBOX = re.compile("|".join(map(re.escape, _CHECKBOXES)))
_CONTAINER = re.compile(r"<(/?)(blockquote|ul|ol|li)\b[^>]*>")
# One scan of the HTML finds both what the checkboxes and the depth bound need (a str.count
# of a text with any non-ASCII character costs as much as this scan, each).
_NOTABLE = re.compile(r"<(blockquote|ul|ol|input)\b")


@lru_cache(maxsize=2)
def _renderer(heading_ids: bool = False) -> Callable[[str], str]:
    """Return the renderer (heading_ids: headings carry the ids GitHub, Hugo and Zola give them).

    Made (and comrak imported) on first use: a rebuild whose bodies all come from the build
    cache renders nothing.
    """
    import comrak

    extensions = comrak.ExtensionOptions()
    extensions.table = True
    extensions.strikethrough = True
    extensions.autolink = True  # bare https://…, www.… and e-mail addresses, as GitHub and Hugo link them
    extensions.tasklist = True
    extensions.footnotes = True
    if heading_ids:
        extensions.header_id_prefix = ""
    extensions.tagfilter = False  # the sanitizer drops <script> and its content; tagfilter would show it as text
    parse = comrak.ParseOptions()
    parse.smart = False  # quotes and dashes stay as written: "--" in a command line is not an en dash
    render = comrak.RenderOptions()
    render.unsafe_ = True  # raw HTML and every link reach the sanitizer, which decides what stays

    def html(markdown: str) -> str:
        return str(comrak.render_markdown(markdown, extension_options=extensions, parse_options=parse,
                                          render_options=render))

    return html


def prepare() -> None:
    """Import comrak and set its options now (forked render workers then inherit them)."""
    _renderer()
    _renderer(heading_ids=True)


# "21~31 July", "5~10 km": a tilde between two digits is a range, as East Asian text writes it.
# GFM strikes text through between single tildes, and comrak has no double-tilde-only option
# (cmark-gfm's STRIKETHROUGH_DOUBLE_TILDE; Hugo's goldmark also needs two), so such a tilde is
# escaped first, outside code: "~~struck~~" and "~word~" still strike.
_RANGE_TILDE = re.compile(r"(?<=\d)(?<!~)~(?!~)(?=\d)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.*?)\1")


def _keep_ranges(markdown: str) -> str:
    """Escape each tilde between two digits outside code, so that a range is not struck through."""
    out, fence = [], ""
    for line in markdown.split("\n"):
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
        elif m:
            fence = m.group(1)
        elif not line.startswith(("    ", "\t")) and _RANGE_TILDE.search(line):
            pos, parts = 0, []
            for span in _CODE_SPAN.finditer(line):  # code spans stay as written
                parts.append(_RANGE_TILDE.sub(r"\\~", line[pos:span.start()]) + span.group(0))
                pos = span.end()
            out.append("".join(parts) + _RANGE_TILDE.sub(r"\\~", line[pos:]))
            continue
        out.append(line)
    return "\n".join(out)


# the empty link comrak puts at the end of each heading to itself: the id is on the heading,
# which is what Hugo, Zola and Jekyll write; an empty link shows nothing and says nothing
_HEADING_ANCHOR = re.compile(
    r'<a href="#[^"]*" aria-label="[^"]*" data-heading-content="[^"]*" class="anchor"></a>(?=</h[1-6]>)')


def _links_a_place(text: str) -> bool:
    """Whether text links to a place in itself: ``](#x)``, ``href="#x"``, a reference ``[x]: #x``.

    Looks only at each '#' (a few a document: its headings'), not at every character four
    times over, as four substring searches did (~9 µs a document of the bench corpus).
    """
    at = text.find("#", 1)  # one at the very start has nothing before it
    while at > 0:
        before = text[at - 1]
        if before == "(":
            if text[at - 2:at - 1] == "]":
                return True
        elif before in "\"'":
            if text[at - 6:at - 1] == "href=":
                return True
        elif before in ": \t" and text[max(at - 40, 0):at].rstrip(" \t").endswith("]:"):
            return True
        at = text.find("#", at + 1)
    return False


def to_html(markdown: str) -> str:
    """Render a Markdown body to (unsanitized) HTML, at most MAX_DEPTH quote and list elements deep.

    Headings get ids (as Hugo, Zola and Jekyll give them) when the text links to a place in
    itself (a table of contents, "see below"): kept by the sanitizer, each id costs a call
    into Python per heading (~2 µs, ~8 µs a document of the bench corpus), which a body that
    links to none of them would pay for nothing.
    """
    render = _renderer(_links_a_place(markdown))
    if "~" in markdown:
        markdown = _keep_ranges(markdown)
    try:
        html = render(markdown)
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8: read it as U+FFFD, as comrak reads bad bytes
        html = render(markdown.encode("utf-16", "surrogatepass").decode("utf-16", "replace"))
    if "</a></h" in html:
        html = _HEADING_ANCHOR.sub("", html)
    found = _NOTABLE.findall(html)
    if not found:
        return html
    if "input" in found:
        html = _CHECKBOX.sub(lambda m: _CHECKBOXES[m.group(0)], html)
    # an <li> sits in a <ul>/<ol>, so each of these adds at most two levels
    if 2 * (len(found) - found.count("input")) <= MAX_DEPTH:
        return html
    return bounded(html)


# what can make a line's text differ from what a reader sees of it: emphasis, code, strike and
# escape markers, links and images, HTML tags and entities
_INLINE_MARKUP = frozenset("*_`~[]<&\\")
_TAG = re.compile(r"<[^>]*>")


def text_of(line: str) -> str:
    """Return the text a reader sees of one line of Markdown read as inline text (a heading's, a title's).

    Links give their text and images nothing; emphasis, code, strike and escape markers and
    HTML tags go; entities are decoded once. It is the line rendered as a heading's content
    (never a list, quote or code block) with the tags of that HTML taken off, so the rules
    are the renderer's own: ``snake_case`` and a lone ``*`` stay, ``__init__`` is bold "init".
    """
    line = " ".join(line.split())
    if _INLINE_MARKUP.isdisjoint(line):
        return line  # nearly every title: nothing to render
    if line.endswith("#"):  # a heading's closing sequence, to a renderer: "C#" is no heading's end
        line = line[:-1] + "\\#"
    return " ".join(unescape(_TAG.sub("", to_html("# " + line))).split())


def bounded(html: str) -> str:
    """Return html with <blockquote>, <ul>, <ol> and <li> nested at most MAX_DEPTH deep; deeper tags are dropped.

    comrak nests as deep as a document says (10,000 '>' make 10,000 blockquotes, without
    recursion), but the sanitizer's HTML parser takes time quadratic in the depth (~2 s for
    20,000 levels, ~9 s for 40,000, over an hour for the million a 2 MB document can ask
    for), and readers flatten such depths anyway. The text inside a dropped element stays
    where it was. This replaces markdown-it-py's maxNesting = 40, which dropped the text.
    Markdown's own markup is balanced; for raw HTML, a closing tag closes the innermost
    open element of its name, and one with none open is kept as written.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (name, kept) of each open element
    open_by_name = dict.fromkeys(("blockquote", "ul", "ol", "li"), 0)
    depth = pos = 0
    for m in _CONTAINER.finditer(html):
        out.append(html[pos:m.start()])
        pos = m.end()
        name = m.group(2)
        if not m.group(1):
            kept = depth < MAX_DEPTH
            stack.append((name, kept))
            open_by_name[name] += 1
            depth += kept
            if kept:
                out.append(m.group(0))
            continue
        if not open_by_name[name]:
            out.append(m.group(0))
            continue
        while True:  # close the innermost open element of this name, and any left open inside it
            inner, kept = stack.pop()
            open_by_name[inner] -= 1
            depth -= kept
            if inner == name:
                break
        if kept:
            out.append(m.group(0))
    out.append(html[pos:])
    return "".join(out)
