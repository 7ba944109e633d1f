"""Stage 3 — render: give the entries that land in an output their sanitized HTML body.

Only entries selected for some output come through here (rendering Markdown is the
expensive step of a build). The body is read again from disk rather than kept in every
Entry, so memory holds metadata, not article text, for the whole archive.
"""

from __future__ import annotations

import html
import re

from feedpub.config import Config
from feedpub.model import Entry, Rendered, SourceDoc
from feedpub.render import markdown, sanitize
from feedpub.sources import load, plaintext
from feedpub.sources.normalise import SUMMARY_MAX, body_of, source_path

_PARA = re.compile(r"<p>(.*?)</p>", re.DOTALL)


def body_html(entry: Entry, config: Config, doc: SourceDoc | None = None) -> str:
    """Return the sanitized HTML body of entry (read from its file unless doc is given), URLs absolute."""
    if doc is None:
        doc = load.read(source_path(entry, config), config.source, config.limits)
    body = body_of(doc)
    text = plaintext.join_broken_paragraphs(body.text)  # only rendered bodies pay for this
    raw = markdown.to_html(text) if body.fmt == "markdown" else plaintext.to_html(text)
    return sanitize.clean(raw, config.base_url)


def summary_from_html(content_html: str) -> str:
    """Return the text of the first paragraph that has any, shortened for a summary."""
    for m in _PARA.finditer(content_html):
        text = plaintext.clean_line(html.unescape(sanitize.text_only(m.group(1))))
        if text:
            return plaintext.shorten(text, SUMMARY_MAX)
    return ""


def prepare(config: Config) -> None:
    """Set up the Markdown parser and the sanitizer before forking render workers.

    Each worker would otherwise import markdown-it and build its parser itself (~45 ms of
    CPU apiece); built once here, the forked workers share it.
    """
    markdown.prepare()
    sanitize.prepare(config.base_url)


def render(entry: Entry, config: Config, doc: SourceDoc | None = None) -> Rendered:
    """Render one entry's body (doc: its document, if already read) and settle its summary."""
    content = body_html(entry, config, doc)
    summary = entry.summary or summary_from_html(content) or entry.title
    if not content:
        content = f"<p>{html.escape(summary, quote=False)}</p>"  # a link post: its summary is its text
    return Rendered(entry, content, summary)
