"""Render Markdown to HTML (CommonMark plus tables and strikethrough) with markdown-it-py.

The only module that imports markdown-it-py. Its output is *not* safe: raw HTML in a
document passes through, so callers always hand it to :mod:`feedpub.sanitize`.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])
# Bounded nesting: a document of ten thousand '>' or list markers must not blow the stack.
_MD.options["maxNesting"] = 40


def to_html(markdown: str) -> str:
    """Render a Markdown body to (unsanitized) HTML."""
    return str(_MD.render(markdown))
