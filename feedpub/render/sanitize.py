"""Sanitize HTML for feed readers and mail clients, and make every URL in it absolute.

The only module that imports nh3. The allow-list is what Atom/RSS readers and the big mail
clients render reliably; everything else (scripts, frames, forms, styles, event handlers,
``javascript:`` and ``data:`` URLs) is removed, and the content of script/style is dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

from feedpub.slug import resolve_url

if TYPE_CHECKING:
    import nh3

TAGS = frozenset(
    "a abbr b blockquote br caption cite code dd del dl dt em figcaption figure h1 h2 h3 h4 h5 h6 "
    "hr i img ins kbd li mark ol p pre q s small strong sub sup table tbody td tfoot th thead tr "
    "u ul".split()
)
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
SCHEMES = frozenset({"http", "https", "mailto"})
_URL_ATTRS = frozenset({"href", "src", "cite"})
_EMPTY_PARA = re.compile(r"<p>(?:\s|&nbsp;|\u00a0)*</p>\n?")
_DIGITS = re.compile(r"^\d{1,4}$")


@lru_cache(maxsize=64)
def _cleaner(base_url: str, page_url: str = "") -> nh3.Cleaner:
    import nh3  # on first use: a rebuild whose bodies all come from the build cache cleans nothing

    def keep(_tag: str, attr: str, value: str) -> str | None:
        if attr in _URL_ATTRS:
            try:
                url = resolve_url(value, base_url, page_url)
            except ValueError:
                return None  # not a URL at all: drop the attribute, keep the text
            scheme = url.split(":", 1)[0].lower() if ":" in url else ""
            return url if scheme in SCHEMES else None
        if attr in ("width", "height", "start", "colspan", "rowspan"):
            return value if _DIGITS.match(value.strip()) else None
        return value

    return nh3.Cleaner(
        tags=set(TAGS),
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript",
                            "svg", "math", "form", "textarea", "select", "title"},
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        attribute_filter=keep,
        url_schemes=set(SCHEMES),
        strip_comments=True,
        link_rel=None,
    )


# --- bounding the nesting the sanitizer is given ------------------------------------------

MAX_DEPTH = 100  # elements open at once in what the sanitizer parses; deeper start tags are dropped, text kept
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_LEAF = _VOID | {""}  # what opens nothing: "" is a comment's name
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes".split())  # no tags inside
# HTML ends an open element of these when one of its group starts (<li>a<li>b: two items, not nested)
_GROUP = {"p": "p", "li": "li", "dt": "d", "dd": "d", "tr": "tr", "td": "t", "th": "t", "option": "o",
          "thead": "s", "tbody": "s", "tfoot": "s"}
_MARK = re.compile(r"<(/?)[A-Za-z]")
_STEP = {"": 1, "/": -1}
_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.DOTALL)


def may_be_deep(html: str) -> bool:
    """Whether html may nest more than MAX_DEPTH elements (False means it does not).

    Counts every start tag as opening and every end tag as closing (void and unclosed
    elements only make it say True more often), in C-speed steps: a typical body costs a
    small part of what sanitizing it does.
    """
    if html.count("<") <= MAX_DEPTH:
        return False
    return max(accumulate(map(_STEP.__getitem__, _MARK.findall(html))), default=0) > MAX_DEPTH


def flatten(html: str) -> str:
    """Return html with at most MAX_DEPTH elements open at once: deeper start and end tags dropped, text kept.

    nh3's HTML parser (html5ever) takes time quadratic in the nesting depth of most elements
    (100,000 nested <div> take most of a minute; the ten million a 10 MB document can open,
    days), and no reader shows such depths. The depth is counted as HTML counts it, closely
    enough: void elements open nothing, an end tag closes the innermost open element of its
    name (and what is open inside it; a stray one is kept as written), a <p>, <li>, <td>…
    ends an open one of its kind, and comments and the text of <script>, <style>… hold no tags.
    """
    if not may_be_deep(html):
        return html
    out: list[str] = []
    nesting = _Nesting()
    start, end = nesting.start, nesting.end
    pos = 0
    for m in _TAG.finditer(html):
        if m.start() < pos:
            continue  # inside the text of a raw-text element, already copied
        out.append(html[pos:m.start()])
        pos = m.end()
        tag = m.group(0)
        slash, name = m.groups("")
        name = name.lower()
        if name in _LEAF or tag.endswith("/>"):  # a comment, a void or self-closed tag
            out.append(tag)
        elif slash:  # an end tag: kept when what it closes was, or as written when nothing it names is open
            if end(name):
                out.append(tag)
        else:
            if start(name):
                out.append(tag)
            if name in _RAW_TEXT:  # its text up to its end tag is no markup
                text_end = _raw_text_end(html, name, pos)
                out.append(html[pos:text_end])
                pos = text_end
    out.append(html[pos:])
    return "".join(out)


class _Nesting:
    """The elements open at a point of flatten's pass, and how many of them were kept."""

    __slots__ = ("depth", "open_by_name", "stack")

    def __init__(self) -> None:
        self.stack: list[tuple[str, bool]] = []  # (name, kept) of each open element
        self.open_by_name: dict[str, int] = {}
        self.depth = 0  # of the kept ones

    def start(self, name: str) -> bool:
        """Open an element name (ending an open one of its group near the top); return whether it is kept."""
        group = _GROUP.get(name)
        if group is not None:
            near = next((n for n, _ in reversed(self.stack[-8:]) if _GROUP.get(n) == group), None)
            if near is not None:
                self._close(near)
        kept = self.depth < MAX_DEPTH
        self.stack.append((name, kept))
        self.open_by_name[name] = self.open_by_name.get(name, 0) + 1
        self.depth += kept
        return kept

    def end(self, name: str) -> bool:
        """Close the innermost open element name; return whether its end tag is kept (as written when none is open)."""
        return not self.open_by_name.get(name) or self._close(name)

    def _close(self, name: str) -> bool:
        """Pop open elements down to the innermost one named name; return whether it was kept."""
        while True:
            inner, kept = self.stack.pop()
            self.open_by_name[inner] -= 1
            self.depth -= kept
            if inner == name:
                return kept


def _raw_text_end(html: str, name: str, pos: int) -> int:
    """Return where the text of raw-text element name, starting at pos, ends: at its end tag or the end."""
    end = re.compile(rf"</{name}\b", re.IGNORECASE).search(html, pos)
    return end.start() if end is not None else len(html)


def prepare(base_url: str) -> None:
    """Import nh3 and build the cleaner for base_url now (forked render workers then inherit it)."""
    _cleaner(base_url)


def clean(html: str, base_url: str, page_url: str = "") -> str:
    """Return html with only safe markup left and every link and image URL absolute.

    page_url: where a page bundle's relative links point (its own URL), "" for the site's base_url.
    """
    return _EMPTY_PARA.sub("", _cleaner(base_url, page_url).clean(flatten(html))).strip()


def text_only(html: str) -> str:
    """Strip every tag, keeping the text (still HTML-escaped)."""
    return _text_cleaner().clean(html)


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    """Return a cleaner that keeps no tag (made once: nh3.clean() builds one per call, slower than the cleaning)."""
    import nh3  # on first use, as _cleaner

    return nh3.Cleaner(tags=set())
