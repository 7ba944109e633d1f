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
from feedpub.sources.body import body_of
from feedpub.sources.fields.text import SUMMARY_MAX
from feedpub.sources.normalise import source_path

_PARA = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FENCE = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)
LEAD_BLOCKS = 12  # blocks of a body read for its first paragraph before the whole body is rendered


def body_html(entry: Entry, config: Config, doc: SourceDoc | None = None) -> str:
    """Return the sanitized HTML body of entry (read from its file unless doc is given), URLs absolute."""
    if doc is None:
        doc = load.read(source_path(entry, config), config.source, config.limits)
    body = body_of(doc, config.template_syntax)
    return sanitized(markup(body.text, body.fmt), entry, config)


def markup(text: str, fmt: str) -> str:
    """Return a body's HTML as its format renders it, before sanitizing.

    The one rendering of a body: the build sanitizes it (``body_html``); ``feedpub check``
    also looks at it as written (relative links, nesting depth) before sanitizing does.
    """
    text = plaintext.join_broken_paragraphs(text)  # only rendered bodies pay for this
    return markdown.to_html(text) if fmt == "markdown" else plaintext.to_html(text)


def sanitized(raw: str, entry: Entry, config: Config) -> str:
    """Return rendered HTML with only safe markup left, its URLs absolute from the entry's page."""
    return sanitize.clean(raw, config.base_url, entry.page_base, entry.url)


def summary_from_html(content_html: str) -> str:
    """Return the text of the first paragraph that has any, shortened for a summary."""
    for m in _PARA.finditer(content_html):
        text = plaintext.clean_line(html.unescape(sanitize.text_only(m.group(1))))
        if text:
            return plaintext.shorten(text, SUMMARY_MAX)
    return ""


def lead_summary(entry: Entry, doc: SourceDoc, config: Config) -> str:
    """Return the summary render() gives an entry, rendering only the first blocks of its body.

    For the archive, which lists every document of a site: the summary of the front matter,
    else the text of the first paragraph, else the title. Blocks (split at blank lines) are
    rendered one at a time until one holds a paragraph with text (a fenced code block with
    blank lines inside stays one block); only a body whose first blocks have none is
    rendered whole. So is a body that defines link references or footnotes (``[r]: url``,
    ``[^1]: note``): a block that uses them renders differently without the definition.
    Plain text is rendered whole: it is fast, and a line is a heading or not by what follows it.
    """
    if entry.summary:
        return entry.summary
    body = body_of(doc)
    if body.fmt != "markdown":  # plain text renders fast, and whether a line is a heading depends on the next
        return summary_from_html(body_html(entry, config, doc)) or entry.title
    text = plaintext.join_broken_paragraphs(body.text)
    if "]:" in text:  # a link reference or footnote defined anywhere: a block alone would show "[x][r]", "[^1]"
        return summary_from_html(body_html(entry, config, doc)) or entry.title
    blocks = _BLANK_LINE.split(text, maxsplit=LEAD_BLOCKS)
    found = _blocks_summary(blocks[:LEAD_BLOCKS], config)
    if found:
        return found
    if len(blocks) > LEAD_BLOCKS:
        return summary_from_html(body_html(entry, config, doc)) or entry.title
    return entry.title


def _blocks_summary(blocks: list[str], config: Config) -> str:
    """Return the summary of the first of blocks (Markdown) holding a paragraph with text, rendering
    them one at a time; "" when none does."""
    chunk = ""
    for block in blocks:
        chunk = f"{chunk}\n\n{block}" if chunk else block
        if len(_FENCE.findall(chunk)) % 2:  # inside a fenced block: it goes on after the blank line
            continue
        found = summary_from_html(sanitize.clean(markdown.to_html(chunk), config.base_url))
        if found:
            return found
        chunk = ""
    return ""


def prepare(config: Config) -> None:
    """Set up the Markdown parser and the sanitizer before forking render workers.

    Each worker would otherwise import the Markdown renderer and nh3 and set them up itself;
    done once here, the forked workers share them.
    """
    markdown.prepare()
    sanitize.prepare(config.base_url)


def render(entry: Entry, config: Config, doc: SourceDoc | None = None) -> Rendered:
    """Render one entry's body (doc: its document, if already read) and settle its summary."""
    content = body_html(entry, config, doc)
    summary = entry.summary or summary_from_html(content) or entry.title
    if not content:
        content = f"<p>{html.escape(summary, quote=False)}</p>"  # a link post: its summary is its text
    return Rendered(entry, content + attribution(entry.source), summary)


def attribution(source: str) -> str:
    """Return the closing "Source: …" paragraph of a body whose article came from elsewhere.

    A source is no author (sources/normalise), and no feed format has a field readers show
    for it (RSS ``<source>`` names a feed and needs its URL; Atom ``<source>`` is a whole
    feed's metadata), so the attribution the document ends with stays in the text every
    format carries alike. A source that is a URL is a link.
    """
    if not source:
        return ""
    text = html.escape(source, quote=False)
    if source.startswith(("http://", "https://")) and not any(c.isspace() or c in "<>\"" for c in source):
        text = f'<a href="{html.escape(source)}">{text}</a>'
    return f"\n<p>Source: {text}</p>"
