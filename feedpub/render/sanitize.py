"""Sanitize HTML for feed readers and mail clients, and make every URL in it absolute.

The only module that imports nh3. The allow-list is what Atom/RSS readers and the big mail
clients render reliably; everything else (scripts, frames, forms, styles, event handlers,
``javascript:`` and ``data:`` URLs) is removed, and the content of script/style is dropped.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from feedpub.slug import resolve_url
from feedpub.sources.xref import MARK

if TYPE_CHECKING:
    import nh3

TAGS = frozenset(
    "a abbr b blockquote br caption cite code dd del dl dt em figcaption figure h1 h2 h3 h4 h5 h6 "
    "hr i img ins kbd li mark ol p pre q s small strong sub sup table tbody td tfoot th thead tr "
    "u ul".split()
)
ATTRIBUTES = {
    "a": {"href", "title", "id"},  # id: a footnote's reference, a named anchor
    "li": {"id"},  # a footnote
    "sup": {"id"},
    **{f"h{n}": {"id"} for n in range(1, 7)},  # what a table of contents links to
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
_FRAGMENT_HREF = re.compile(r'(<a\b[^>]*?\bhref=")#')
_IMAGE_OF_NOTHING = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")  # its source dropped: an image of nothing, invalid HTML
_ID = re.compile(r"\S{1,200}")  # HTML: at least one character, no whitespace
_DIGITS = re.compile(r"^\d{1,4}$")


@lru_cache(maxsize=64)
def _cleaner(base_url: str, page_url: str = "") -> nh3.Cleaner:
    import nh3  # on first use: a rebuild whose bodies all come from the build cache cleans nothing

    def keep(_tag: str, attr: str, value: str) -> str | None:
        if attr == "id":
            return value if _ID.fullmatch(value) else None
        if attr == "href" and value.startswith("#"):
            return resolve_url(value, base_url) or "#"  # a place in this text (clean() says whose); "#": its top
        if attr in _URL_ATTRS:
            if value.startswith(MARK) and value[len(MARK):].isdigit():
                return value  # a link to another document: the build puts its URL in (sources.xref)
            if not value.strip():
                return None  # a link to nowhere (what a template tag left): not the home page
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
        url_schemes={*SCHEMES, MARK[:-1]},
        strip_comments=True,
        link_rel=None,
    )


# --- bounding the nesting the sanitizer is given ------------------------------------------

MAX_DEPTH = 100  # elements open at once in what the sanitizer parses; past that, start tags are dropped, text kept
MAX_FORMATTING = 16  # formatting elements (<b>, <i>, <a>…) active at once; past that, the same
_VOID = frozenset("area base br col embed hr image img input keygen link meta param source track wbr".split())
_LEAF = _VOID | {""}  # what opens nothing: "" is a comment's name
# no tags inside (noscript: as html5ever reads it, with scripting on; plaintext: to the end)
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes noscript plaintext".split())
# The names of HTML's tree-building rules (https://html.spec.whatwg.org/#parsing-main-inbody):
# elements a parser treats apart, the edges of the scopes it searches, formatting elements
# (reopened after a block closes them, until their end tag), and what a start tag ends.
_SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup "
    "dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head "
    "header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes "
    "noscript object ol p param plaintext pre script search section select source style summary table tbody td "
    "template textarea tfoot th thead title tr track ul wbr xmp".split())
# (and select: html5ever reads a select's content as the body's, HTML's newer rule, with select an edge)
_SCOPE = frozenset("applet caption html table td th marquee object template select".split())
_BUTTON_SCOPE = _SCOPE | {"button"}
_LIST_ITEM_SCOPE = _SCOPE | {"ol", "ul"}
_TABLE_SCOPE = frozenset({"html", "table", "template"})
_ITEM_SCOPE = _SPECIAL - {"address", "div", "p"}  # a new <li>, <dd>, <dt> ends an open one unless these come first
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
_MARKERS = frozenset("applet caption marquee object td template th".split())  # formatting does not outlive them
# The start tags before which HTML reopens the active formatting elements a block closed: text,
# and inline tags (every name not in _SPECIAL, and these of it), but not ruby's parts. Reopening
# where HTML does not would be wrong both ways: an end tag then closes what HTML keeps open.
_REOPENING = frozenset("applet area br button embed image img input keygen marquee object select wbr xmp".split())
_NOT_REOPENING = frozenset("rb rp rt rtc".split())
_IGNORED_STARTS = frozenset("html body head frame frameset".split())
_IGNORED_ENDS = frozenset("html body head".split())
_IMPLIED_ENDS = frozenset("dd dt li optgroup option p rb rp rt rtc".split())
_IN_TABLE = frozenset("table tbody thead tfoot tr".split())  # a <table> starting in these ends its table
_TABLE_MODES = frozenset("table tbody thead tfoot tr td th caption colgroup".split())
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr li dd dt listing main menu nav ol p plaintext pre search section summary "
    "table ul xmp".split())
# a table's parts: ignored outside a table; inside, each ends what it cannot be in (_Nesting._table_part)
_TABLE_PART = frozenset("caption col colgroup tbody td tfoot th thead tr".split())
# Elements nh3 removes with everything inside them, and whose content an HTML parser reads by
# rules of its own (SVG and MathML: "foreign content"; <template>): flatten removes them first.
_DISCARDED = frozenset({"svg", "math", "template"})
_MARK = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_TAG = re.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.DOTALL)


def may_be_deep(html: str) -> bool:
    """Whether an HTML parser may nest more than MAX_DEPTH elements of html (False means it does not).

    False only when that is sure: at most MAX_DEPTH tags in all, or every end tag closing the
    element opened last and no more than MAX_DEPTH / 2 open at once (what a Markdown renderer
    writes). Anything else (an end tag HTML ignores, a <p> or <li> left open, a formatting
    element closed out of order) is for flatten's closer reading: counting end tags as
    closing was fooled by end tags HTML ignores (<div></p> a hundred thousand times: as deep).
    """
    if html.count("<") <= MAX_DEPTH:
        return False
    open_: list[str] = []
    for slash, name in _MARK.findall(html):
        if slash:
            if not open_ or (open_[-1] != name and open_[-1].lower() != name.lower()):
                return True
            open_.pop()
        elif name not in _VOID:
            open_.append(name)
            if len(open_) > MAX_DEPTH // 2:
                return True
    return False


def flatten(html: str) -> str:
    """Return html an HTML parser nests at most about MAX_DEPTH elements deep: past that point, start tags dropped.

    nh3's HTML parser (html5ever) takes time quadratic in the nesting depth of most elements
    (100,000 nested <div> take most of a minute; the ten million a 10 MB document can open,
    days), and reopens every formatting element a block closed in each block after it
    (<p><b title=1>x</p><p><b title=2>x</p>…: 94 KB made 156 MB), and no reader shows such
    depths. The depth is counted by HTML's tree-building rules as html5ever follows them
    (:class:`_Nesting`; bench/fuzz_depth.py looks for where the count falls short). The text
    is left as written up to the first start tag that would go deeper than the bound; from
    there on every start tag is dropped (end tags and text stay: they open nothing but the
    formatting elements a parser reopens, at most MAX_FORMATTING), so what a parser builds
    of it goes no deeper, whatever the rest is. Dropping only the deeper tags, as before,
    handed the parser a text the count no longer described (a dropped <tbody> no longer
    ended its cell). <svg>, <math> and <template>, which nh3 removes with their content and
    whose content a parser reads by rules of their own, are removed first; comments and the
    text of <script>, <style>… hold no tags.
    """
    return _flattened(html)[0] if may_be_deep(html) else html


def too_deep(html: str) -> bool:
    """Whether flatten drops tags of html for its depth (removing SVG, MathML and templates aside): for check."""
    return may_be_deep(html) and _flattened(html)[1]


def _flattened(html: str) -> tuple[str, bool]:
    """Return what flatten does, and whether the depth bound was reached (start tags dropped from there)."""
    out: list[str] = []
    nesting = _Nesting()
    start, end = nesting.start, nesting.end
    ends: dict[int, int] | None = None  # made at the first <svg>, <math> or <template>
    cut = False  # past the point where the bound was reached: start tags dropped
    pos = 0
    for m in _TAG.finditer(html):
        if m.start() < pos:
            continue  # inside the text of a raw-text element or a removed element, already dealt with
        if m.start() > pos:
            out.append(html[pos:m.start()])
            if not cut:
                nesting.text()
        pos = m.end()
        tag = m.group(0)
        slash, name = m.groups("")
        name = name.lower()
        if name in _LEAF or (slash and name == "br"):  # a comment or a void element (</br> is a <br>)
            out.append(tag)  # (<div/> opens a div: only SVG and MathML elements close themselves so)
            if name and not cut and (not slash or name == "br"):  # </img> and the like are ignored
                nesting.void(name)
        elif name in _DISCARDED and not slash:  # gone with its content (a start tag without end: the tag alone)
            if ends is None:
                ends = _discarded_ends(html)
            pos = ends.get(pos, pos)
        elif slash:
            if not cut:
                end(name)
            out.append(tag)
        elif not cut:
            start(name, tag)
            if nesting.too_deep():
                cut = True  # this tag and every start tag after it are dropped
                continue
            out.append(tag)
            if name in _RAW_TEXT and nesting.innermost() == name:  # opened (not ignored): its text is no markup
                text_end = _raw_text_end(html, name, pos)
                out.append(html[pos:text_end])
                pos = text_end
    out.append(html[pos:])
    return "".join(out), cut


class _Element:
    """An element open in _Nesting's count: its name, and whether it is still open (a formatting one may not be)."""

    __slots__ = ("name", "open")

    def __init__(self, name: str) -> None:
        self.name = name
        self.open = True


class _Nesting:
    """The elements an HTML parser (html5ever) has open at a point of a text, counted so as never to be fewer.

    Follows HTML's tree-building rules where they decide depth
    (https://html.spec.whatwg.org/#parsing-main-inbody): an end tag closes its element only
    within its scope (else HTML ignores it: <div><table></div> leaves the <div> open); a start
    tag ends an open <p>, <li>, <dd>, <td>, <table>… only where HTML does (<li> does not end one
    outside the list it is in); table parts outside a table and most tags inside a <select>
    open nothing; and a formatting element closed by a block stays *active*: HTML opens a copy
    of it again before the next text or inline tag (at most three alike are active: "Noah's
    ark"), and its end tag moves it past a block opened inside it (the "adoption agency")
    instead of closing the block. Where the rules are not followed to the letter, the aim is
    to keep more open, never less; bench/fuzz_depth.py finds where that fails (two random
    sequences of 6,000, a few levels short at one tag, bounded when repeated).
    """

    __slots__ = ("active", "form", "formatting", "open_by_name", "stack")

    def __init__(self) -> None:
        self.stack: list[_Element] = []  # the open elements, innermost last
        self.form = False  # a <form> was opened and its end tag has not come (HTML's "form element pointer")
        self.open_by_name: dict[str, int] = {}
        self.active: list[tuple[_Element, str] | None] = []  # active formatting elements and tags; None: a marker
        self.formatting = 0  # the entries of active that are not markers

    def too_deep(self) -> bool:
        """Whether a parser may have more than MAX_DEPTH elements open (or to reopen), or MAX_FORMATTING active."""
        closed = sum(1 for entry in self.active if entry is not None and not entry[0].open)
        return len(self.stack) + closed > MAX_DEPTH or self.formatting > MAX_FORMATTING

    def innermost(self) -> str:
        """Return the name of the element open last ("" when none is)."""
        return self.stack[-1].name if self.stack else ""

    def text(self) -> None:
        """Text, or an inline or void tag, comes: the active formatting elements a block closed open again."""
        if self.stack and self.stack[-1].name == "colgroup":  # (and a column group, which holds none, ends)
            self._pop_to(len(self.stack) - 1)
        active = self.active
        k = len(active)
        while k and active[k - 1] is not None and not active[k - 1][0].open:  # type: ignore[index]
            k -= 1
        for i in range(k, len(active)):
            element, tag = active[i]  # type: ignore[misc]
            copy = self._push(element.name)
            active[i] = (copy, tag)

    def start(self, name: str, tag: str) -> None:
        """Open an element name (start tag tag), after ending what HTML ends then."""
        count = self.open_by_name.get
        if name != "col" and self.innermost() == "colgroup":  # a column group holds only columns: it ends
            self._pop_to(len(self.stack) - 1)
        if name == "select" and count("select"):  # a select inside a select ends it, and opens nothing
            before = len(self.stack)
            self._close_any(("select",), _SCOPE)
            if len(self.stack) < before:
                return  # (out of reach, behind an <applet> or a <td>, it is a select of its own)
        if name == "form":
            if self.form:
                return  # HTML ignores a form until the last one's end tag, even if closed otherwise
            self.form = True
        if name == "table" and self._table_mode() in _IN_TABLE:  # a table's own table ends it
            self._close_any(("table",), _TABLE_SCOPE)
        if name in _TABLE_PART and not self._table_part(name):
            return  # HTML ignores it outside a table: it opens nothing
        if name in _IGNORED_STARTS:
            return  # html, body (merged into the ones there are), head, frame: nothing opens
        if name in _CLOSES_P and count("p"):
            self._close_any(("p",), _BUTTON_SCOPE)
        if name in _HEADINGS and self.innermost() in _HEADINGS:  # a heading right inside a heading ends it
            self._pop_to(len(self.stack) - 1)
        elif name == "button" and count("button"):
            self._close_any(("button",), _SCOPE)
        elif name in ("rb", "rtc", "rp", "rt") and count("ruby"):
            self._implied_ends(exclude="rtc" if name in ("rp", "rt") else "")
        if name == "li" and count("li"):
            self._close_any(("li",), _ITEM_SCOPE)
        elif name in ("dd", "dt") and (count("dd") or count("dt")):
            self._close_any(("dd", "dt"), _ITEM_SCOPE)
        elif name in ("option", "optgroup") and self.innermost() == "option":
            self._pop_to(len(self.stack) - 1)
        elif name in ("a", "nobr") and name in self._active_names():
            self.end(name)  # a second <a> ends the first
        if (name not in _SPECIAL or name in _REOPENING) and name not in _NOT_REOPENING:  # an inline tag:
            self.text()  # active formatting elements reopen first
        element = self._push(name)
        if name in _FORMATTING:
            self._activate(element, tag)
        elif name in _MARKERS:
            self.active.append(None)

    def end(self, name: str) -> None:
        """Close what an end tag name closes (nothing when HTML ignores it)."""
        if name in _IGNORED_ENDS:
            return  # </body>, </html>: more content still goes in the body
        if name in _FORMATTING:
            self._adopt(name)
        elif name == "form":  # the form alone is taken off: what is open inside it stays open
            self.form = False
            at = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i].name == "form"), -1)
            if at >= 0 and not any(e.name in _SCOPE for e in self.stack[at + 1:]):
                element = self.stack.pop(at)
                element.open = False
                self.open_by_name["form"] -= 1
        elif name in _HEADINGS:
            self._close_any(_HEADINGS, _SCOPE)
        elif self.open_by_name.get(name):
            scope = (_BUTTON_SCOPE if name == "p" else _LIST_ITEM_SCOPE if name == "li"
                     else _TABLE_SCOPE if name in _TABLE_PART or name == "table"
                     else _SCOPE if name in _SPECIAL else _SPECIAL)
            self._close_any((name,), scope)

    def _table_mode(self) -> str:
        """Return the table element HTML's insertion mode follows now: the innermost open one ("" outside a table).

        (As HTML resets it from the stack: elements inside a cell, or foster-parented into a
        table, leave it as their table element's.)
        """
        for element in reversed(self.stack):
            if element.name in _TABLE_MODES:
                return element.name
            if element.name in ("select", "html"):
                return ""
        return ""

    def _table_part(self, name: str) -> bool:
        """Open the elements HTML opens before a table part (name) and end the ones it ends; False: it is ignored.

        A part ends the cell, row, row group, caption or column group it cannot be in, and a
        cell or row starting right in a table gets the row group and row HTML adds.
        """
        mode = self._table_mode()
        if not mode:
            return False
        if mode in ("td", "th", "caption", "colgroup"):  # a cell, caption, column group ends first
            self._close_any((mode,), _TABLE_SCOPE)
            mode = self._table_mode()
        if mode == "tr" and name not in ("td", "th"):
            self._close_any(("tr",), _TABLE_SCOPE)
            mode = self._table_mode()
        if mode in ("tbody", "thead", "tfoot") and name not in ("tr", "td", "th"):
            self._close_any((mode,), _TABLE_SCOPE)
            mode = self._table_mode()
        # what was foster-parented into the table (opened right inside it, not in a cell) ends
        self._clear_to(mode)
        if mode == "table" and name in ("tr", "td", "th"):
            self._push("tbody")
            mode = "tbody"
        if mode in ("tbody", "thead", "tfoot") and name in ("td", "th"):
            self._push("tr")
        if mode == "table" and name == "col":
            self._push("colgroup")
        return True

    def _clear_to(self, name: str) -> None:
        """Pop the elements open inside the innermost open element name (it stays open)."""
        at = next((i for i in range(len(self.stack) - 1, -1, -1) if self.stack[i].name == name), -1)
        if 0 <= at < len(self.stack) - 1:
            self._pop_to(at + 1)

    def void(self, name: str) -> None:
        """A void element comes (<img>, <br>, <hr>…): <hr> ends an open <p>; inline ones reopen formatting."""
        if name == "hr" and self.open_by_name.get("p"):
            self._close_any(("p",), _BUTTON_SCOPE)
        elif name in ("input", "keygen") and self.open_by_name.get("select"):  # they end a select
            self._close_any(("select",), _SCOPE)
        elif name == "col" and self._table_mode():  # (outside a table, ignored)
            self._table_part(name)
        if name in _REOPENING:  # <img>, <br>, <input>…: active formatting elements reopen first
            self.text()

    def _implied_ends(self, exclude: str = "") -> None:
        """Pop the elements HTML ends implicitly (<p>, <li>, <option>, ruby's parts…) while one is innermost."""
        while self.stack and self.stack[-1].name in _IMPLIED_ENDS and self.stack[-1].name != exclude:
            self._pop_to(len(self.stack) - 1)

    def _push(self, name: str) -> _Element:
        element = _Element(name)
        self.stack.append(element)
        self.open_by_name[name] = self.open_by_name.get(name, 0) + 1
        return element

    def _activate(self, element: _Element, tag: str) -> None:
        """Put a formatting element on the active list, the earliest of three alike since the last marker off it."""
        active = self.active
        alike = []
        for i in range(len(active) - 1, -1, -1):
            entry = active[i]
            if entry is None:
                break
            if entry[0].name == element.name and entry[1] == tag:
                alike.append(i)
        if len(alike) >= 3:
            del active[alike[-1]]
            self.formatting -= 1
        active.append((element, tag))
        self.formatting += 1

    def _close_any(self, names: tuple[str, ...] | frozenset[str], scope: frozenset[str]) -> None:
        """Pop to the innermost open element named in names, unless an element of scope comes first."""
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            inner = stack[i].name
            if inner in names:
                self._pop_to(i)
                return
            if inner in scope:
                return

    def _adopt(self, name: str) -> None:
        """Close formatting element name as HTML does ("adoption agency", up to 8 rounds).

        A block opened inside it stays open: the element is moved past the block (a copy of it
        goes inside), and stays active.
        """
        stack = self.stack
        for _round in range(8):
            at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i].name == name), -1)
            if at < 0:  # not open (a block closed it): only no longer active
                self._forget(name)
                return
            if any(e.name in _SCOPE for e in stack[at + 1:]):  # out of scope: HTML ignores it
                return
            block = next((j for j in range(at + 1, len(stack)) if stack[j].name in _SPECIAL), -1)
            if block < 0:
                self._pop_to(at)
                self._forget(name)
                return
            stack.insert(block + 1, stack.pop(at))  # after the block, which moves out of it: as deep as before

    def _active_names(self) -> list[str]:
        """Return the names of the active formatting elements since the last marker."""
        names: list[str] = []
        for entry in reversed(self.active):
            if entry is None:
                break
            names.append(entry[0].name)
        return names

    def _forget(self, name: str) -> None:
        """Take the innermost active formatting element name (since the last marker) off the list."""
        active = self.active
        for i in range(len(active) - 1, -1, -1):
            entry = active[i]
            if entry is None:
                return
            if entry[0].name == name:
                del active[i]
                self.formatting -= 1
                return

    def _pop_to(self, at: int) -> None:
        """Pop the open elements down to and including the one at index at."""
        stack, counts = self.stack, self.open_by_name
        while len(stack) > at:
            element = stack.pop()
            element.open = False
            counts[element.name] -= 1
            if element.name in _MARKERS and None in self.active:  # formatting opened inside it ends with it
                while self.active:
                    gone = self.active.pop()
                    if gone is None:
                        break
                    self.formatting -= 1


def _discarded_ends(html: str) -> dict[int, int]:
    """Map where each start tag of an <svg>, <math> or <template> ends to where its matching end tag ends.

    Each end tag matches the last unmatched start tag of its name; a start tag left unmatched
    is not in the map. One pass over the whole text, however many there are.
    """
    ends: dict[int, int] = {}
    open_: dict[str, list[int]] = {name: [] for name in _DISCARDED}
    for m in _TAG.finditer(html):
        slash, name = m.groups("")
        starts = open_.get(name.lower())
        if starts is None:
            continue
        if not slash:
            starts.append(m.end())
        elif starts:
            ends[starts.pop()] = m.end()
    return ends


def _raw_text_end(html: str, name: str, pos: int) -> int:
    """Return where the text of raw-text element name, starting at pos, ends: at its end tag or the end.

    <plaintext> has no end: the rest of the text is its text.
    """
    if name == "plaintext":
        return len(html)
    end = re.compile(rf"</{name}\b", re.IGNORECASE).search(html, pos)
    return end.start() if end is not None else len(html)


def prepare(base_url: str) -> None:
    """Import nh3 and build the cleaner for base_url now (forked render workers then inherit it)."""
    _cleaner(base_url)


def clean(html: str, base_url: str, page_url: str = "", own_url: str = "") -> str:
    """Return html with only safe markup left and every link and image URL absolute.

    page_url: where a page bundle's relative links point (its own URL), "" for the site's base_url.
    own_url: the URL of the page that shows this text: a link to a place in it (``#fn-1``, a
    heading's id) is made absolute against it, so that it works in a feed reader and a mail
    client (RSS has no base to resolve it against) as on the page itself. "" keeps it as written.
    """
    cleaned = _cleaner(base_url, page_url).clean(flatten(html))
    if "<img" in cleaned and cleaned.count("<img") > cleaned.count(" src="):  # the search alone costs ~10 µs
        cleaned = _IMAGE_OF_NOTHING.sub("", cleaned)
    if own_url and 'href="#' in cleaned:
        cleaned = _FRAGMENT_HREF.sub(lambda m: m.group(1) + own_url.replace("&", "&amp;") + "#", cleaned)
    return _EMPTY_PARA.sub("", cleaned).strip()


def text_only(html: str) -> str:
    """Strip every tag, keeping the text (still HTML-escaped)."""
    return _text_cleaner().clean(html)


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    """Return a cleaner that keeps no tag (made once: nh3.clean() builds one per call, slower than the cleaning)."""
    import nh3  # on first use, as _cleaner

    return nh3.Cleaner(tags=set())
