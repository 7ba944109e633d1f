"""Render Markdown to HTML (CommonMark plus tables and strikethrough) with markdown-it-py.

The only module that imports markdown-it-py. Its output is *not* safe: raw HTML in a
document passes through, so callers always hand it to :mod:`feedpub.render.sanitize`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Made (and markdown-it imported, ~20 ms) on first use: a rebuild whose bodies all come
    # from the build cache renders nothing.
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])
    # Bounded nesting: a document of ten thousand '>' or list markers must not blow the stack.
    md.options["maxNesting"] = 40
    return md


def prepare() -> None:
    """Import markdown-it and build the parser now (forked render workers then inherit it)."""
    _parser()


def to_html(markdown: str) -> str:
    """Render a Markdown body to (unsanitized) HTML."""
    return str(_parser().render(markdown))
