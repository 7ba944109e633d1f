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


def prepare(base_url: str) -> None:
    """Import nh3 and build the cleaner for base_url now (forked render workers then inherit it)."""
    _cleaner(base_url)


def clean(html: str, base_url: str, page_url: str = "") -> str:
    """Return html with only safe markup left and every link and image URL absolute.

    page_url: where a page bundle's relative links point (its own URL), "" for the site's base_url.
    """
    return _EMPTY_PARA.sub("", _cleaner(base_url, page_url).clean(html)).strip()


def text_only(html: str) -> str:
    """Strip every tag, keeping the text (still HTML-escaped)."""
    import nh3

    return nh3.clean(html, tags=set())
