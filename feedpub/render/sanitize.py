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
MAX_FORMATTING = 16  # formatting elements (<b>, <i>, <a>…) left open at once; more start tags are dropped
_VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_LEAF = _VOID | {""}  # what opens nothing: "" is a comment's name
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes".split())  # no tags inside
# The names of HTML's tree-building rules (https://html.spec.whatwg.org/#parsing-main-inbody):
# elements a parser treats apart, the edges of the scopes it searches, formatting elements
# (reopened after a block closes them, until their end tag), and what a start tag ends.
_SPECIAL = frozenset(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup "
    "dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head "
    "header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes "
    "noscript object ol p param plaintext pre script search section select source style summary table tbody td "
    "template textarea tfoot th thead title tr track ul wbr xmp".split())
_SCOPE = frozenset("applet caption html table td th marquee object template".split())
_BUTTON_SCOPE = _SCOPE | {"button"}
_LIST_ITEM_SCOPE = _SCOPE | {"ol", "ul"}
_TABLE_SCOPE = frozenset({"html", "table", "template"})
_FORMATTING = frozenset("a b big code em font i nobr s small strike strong tt u".split())
_MARKERS = frozenset("applet caption marquee object td template th".split())  # formatting does not outlive them
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hgroup hr li dd dt listing main menu nav ol p plaintext pre search section summary "
    "table ul xmp".split())
# table parts: ignored outside a table; one starting ends an open one of its group inside the same table
_TABLE_PART = {"tr": ("tr",), "td": ("td", "th"), "th": ("td", "th"), "thead": ("thead", "tbody", "tfoot"),
               "tbody": ("thead", "tbody", "tfoot"), "tfoot": ("thead", "tbody", "tfoot"), "caption": ("caption",),
               "colgroup": ("colgroup",), "col": ()}
# SVG and MathML: the elements inside which HTML is parsed as HTML, and the HTML tags that end them
_INTEGRATION = frozenset("foreignobject desc title mi mo mn ms mtext annotation-xml".split())
_BREAKOUT = frozenset(
    "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing menu meta "
    "nobr ol p pre ruby s small span strong strike sub sup table tt u ul var".split())
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
    """Return html with at most MAX_DEPTH elements open at once: deeper start and end tags dropped, text kept.

    nh3's HTML parser (html5ever) takes time quadratic in the nesting depth of most elements
    (100,000 nested <div> take most of a minute; the ten million a 10 MB document can open,
    days), and reopens every formatting element a block closed in each block after it
    (<p><b title=1>x</p><p><b title=2>x</p>…: 94 KB made 156 MB), and no reader shows such
    depths. The depth is counted by HTML's tree-building rules, closely enough that it is
    never much less than a parser's (:class:`_Nesting`); comments and the text of <script>,
    <style>… hold no tags.
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
        elif slash:  # an end tag: kept when what it closes was, or as written when it closes nothing
            if end(name):
                out.append(tag)
        else:
            if start(name):
                out.append(tag)
            if name in _RAW_TEXT and not nesting.stack[-1][2]:  # its text up to its end tag is no markup (in HTML)
                text_end = _raw_text_end(html, name, pos)
                out.append(html[pos:text_end])
                pos = text_end
    out.append(html[pos:])
    return "".join(out)


class _Nesting:
    """The elements open at a point of flatten's pass, as an HTML parser would have them, and which were kept.

    Follows HTML's tree-building rules where they decide depth: an end tag closes its element
    only within its scope (else HTML ignores it: <div><table></div> leaves the <div> open); a
    start tag ends an open <p>, <li>, <dd>, <td>… only where HTML does (<li> does not end one
    outside the list it is in); table parts outside a table open nothing; and a formatting
    element closed by a block stays *active* (HTML reopens it in every later block until its
    own end tag, the "adoption agency" moves it past a block instead of closing the block).
    Active formatting elements count towards the depth, at most MAX_FORMATTING at once.
    Where it differs from a parser it keeps more open, never fewer, so the bound holds.
    """

    __slots__ = ("active", "depth", "formatting", "open_by_name", "stack")

    def __init__(self) -> None:
        self.stack: list[tuple[str, bool, bool]] = []  # (name, kept, foreign: SVG or MathML) of each open element
        self.open_by_name: dict[str, int] = {}
        self.depth = 0  # kept elements open
        self.active: list[str | None] = []  # kept formatting elements not yet ended, None at each marker
        self.formatting = 0  # the names in active

    def start(self, name: str) -> bool:
        """Open an element name (ending what HTML ends then); return whether its start tag is kept."""
        count = self.open_by_name.get
        depth = self.depth + self.formatting  # before what this tag ends
        if self.in_foreign() and name not in _BREAKOUT:  # an SVG or MathML element: it ends nothing
            return self._push(name, depth < MAX_DEPTH, foreign=True)
        if count("select") and name in ("select", "input", "keygen", "textarea"):  # they end a select
            self._close_any(("select",), frozenset())
            if name == "select":
                return True  # it only ends the open one
        part = _TABLE_PART.get(name)
        if part is not None:
            if not count("table"):
                return True  # HTML ignores it: kept as written, opens nothing
            self._close_any(part, _TABLE_SCOPE)
        if name in _CLOSES_P and count("p"):
            self._close_any(("p",), _BUTTON_SCOPE)
        if name == "li" and count("li"):
            self._close_item(("li",))
        elif name in ("dd", "dt") and (count("dd") or count("dt")):
            self._close_item(("dd", "dt"))
        elif name == "option" and self.stack and self.stack[-1][0] == "option":
            self._pop_to(len(self.stack) - 1)
        elif name in ("a", "nobr") and name in self._active_names():
            self.end(name)  # a second <a> ends the first
        # kept when below the bound, or when it ended what was kept: dropped, it would not end it
        now = self.depth + self.formatting
        kept = now < MAX_DEPTH or now < depth
        if name in _FORMATTING:
            kept = kept and self.formatting < MAX_FORMATTING
            if kept:
                self.active.append(name)
                self.formatting += 1
        elif name in _MARKERS and kept:
            self.active.append(None)
        return self._push(name, kept, foreign=name in ("svg", "math"))

    def in_foreign(self) -> bool:
        """Whether the element open last is SVG or MathML whose content is not HTML (a parser's "foreign content")."""
        return bool(self.stack) and self.stack[-1][2] and self.stack[-1][0] not in _INTEGRATION

    def _push(self, name: str, kept: bool, *, foreign: bool = False) -> bool:
        self.stack.append((name, kept, foreign))
        self.open_by_name[name] = self.open_by_name.get(name, 0) + 1
        self.depth += kept
        return kept

    def end(self, name: str) -> bool:
        """Close what an end tag name closes; return whether the tag is kept (as written when it closes nothing)."""
        if self.in_foreign():
            closed = self._close_foreign(name)
            if closed is not None:
                return closed
        if self.open_by_name.get("select") and name not in ("select", "option", "optgroup"):
            return True  # HTML ignores it inside a select: as written, closing nothing
        if name in _FORMATTING:
            return self._adopt(name)
        if name in _HEADINGS:
            return self._close_any(_HEADINGS, _SCOPE)
        if not self.open_by_name.get(name):
            return True
        scope = (_BUTTON_SCOPE if name == "p" else _LIST_ITEM_SCOPE if name == "li"
                 else _TABLE_SCOPE if name in _TABLE_PART or name == "table"
                 else _SCOPE if name in _SPECIAL else _SPECIAL)
        return self._close_any((name,), scope)

    def _close_any(self, names: tuple[str, ...] | frozenset[str], scope: frozenset[str]) -> bool:
        """Pop to the innermost open element named in names, unless an element of scope comes first.

        Return whether the element popped was kept (True when none was: an end tag kept as written).
        """
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            inner = stack[i][0]
            if inner in names:
                return self._pop_to(i)
            if inner in scope:
                return True
        return True

    def _close_foreign(self, name: str) -> bool | None:
        """Close the innermost SVG or MathML element name above the innermost HTML one; None: HTML's rules decide."""
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            inner, _kept, foreign = stack[i]
            if not foreign:
                return None
            if inner == name:
                return self._pop_to(i)
        return True

    def _close_item(self, names: tuple[str, ...]) -> None:
        """End the innermost open <li> (<dd>, <dt>) as a new one starts, unless a block (not div, p) is in between."""
        stack = self.stack
        for i in range(len(stack) - 1, -1, -1):
            inner = stack[i][0]
            if inner in names:
                self._pop_to(i)
                return
            if inner in _SPECIAL and inner not in ("address", "div", "p"):
                return

    def _adopt(self, name: str) -> bool:
        """Close formatting element name as HTML does ("adoption agency", 8 rounds); return whether its end tag is kept.

        A block opened inside it stays open: the element is moved past the block (a copy of it
        goes inside), and stays active.
        """
        stack = self.stack
        for _round in range(8):
            at = next((i for i in range(len(stack) - 1, -1, -1) if stack[i][0] == name), -1)
            if at < 0:  # not open (a block closed it): only no longer active
                self._forget(name)
                return True
            if any(inner in _SCOPE for inner, _kept, _foreign in stack[at + 1:]):  # out of scope: HTML ignores it
                return True
            block = next((j for j in range(at + 1, len(stack)) if stack[j][0] in _SPECIAL), -1)
            if block < 0:
                kept = self._pop_to(at)
                if kept:  # a dropped one was never active
                    self._forget(name)
                return kept
            stack.insert(block + 1, stack.pop(at))  # after the block, which moves out of it: as deep as before
        return True

    def _active_names(self) -> list[str]:
        """Return the active formatting elements since the last marker."""
        active = self.active
        last = len(active) - 1 - active[::-1].index(None) if None in active else -1
        return [n for n in active[last + 1:] if n is not None]

    def _forget(self, name: str) -> None:
        """Take the innermost active formatting element name (since the last marker) off the list."""
        active = self.active
        for i in range(len(active) - 1, -1, -1):
            if active[i] is None:
                return
            if active[i] == name:
                del active[i]
                self.formatting -= 1
                return

    def _pop_to(self, at: int) -> bool:
        """Pop the open elements down to and including the one at index at; return whether that one was kept.

        One that was dropped is taken off alone: the tag that ends it is dropped too, so what
        was kept inside it stays open, as it does for the parser, which never saw it.
        """
        stack, counts = self.stack, self.open_by_name
        if not stack[at][1]:
            inner, _kept, _foreign = stack.pop(at)
            counts[inner] -= 1
            return False
        kept = True
        while len(stack) > at:
            inner, kept, _foreign = stack.pop()
            counts[inner] -= 1
            self.depth -= kept
            if inner in _MARKERS and None in self.active:  # formatting opened inside it ends with it
                while self.active:
                    gone = self.active.pop()
                    if gone is None:
                        break
                    self.formatting -= 1
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
