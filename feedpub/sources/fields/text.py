"""The fields that are text: title, summary, source, tags."""

from __future__ import annotations

import re

from feedpub.model import SourceDoc
from feedpub.render import markdown
from feedpub.sources import conventions as keys
from feedpub.sources import plaintext
from feedpub.sources.body import Body
from feedpub.sources.fields.common import Problems, in_posts_folder, list_field, named_slug, text_field

TITLE_MAX = 80  # characters of an inferred title; a headline longer than this is not one
SUMMARY_MAX = 300

# a closing run of #s is one after a space (CommonMark 4.2): "C#" keeps its own
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)(?:\s+#+)?\s*$")
_INLINE_MARKUP = re.compile(r"[*_`\[\]]|\(https?://[^)]*\)|<[^>]*>")


def title(doc: SourceDoc, body: Body, probs: Problems) -> tuple[str, str]:
    """Return the title and where it came from: the front matter, a header block, a Jekyll post's name, or the text."""
    found, key = text_field(doc, probs, *keys.TITLE)
    if key:
        if not found and isinstance(doc.meta.get(key), str):
            probs.add(key, f"'{key}' is empty")
        return found, "front matter"
    if body.header is not None and body.header.title:
        return body.header.title, "header block"
    if in_posts_folder(doc.rel) and (named := title_of_slug(named_slug(doc.rel))):
        return named, "filename"
    return _title_of_text(doc, body, probs)


def title_of_slug(slug: str) -> str:
    """Return the title Jekyll gives a post without one: its slug's words split at '-', each capitalised.

    Jekyll's Utils.titleize_slug, after Document#populate_title drops the slug's trailing dots.
    Ruby's capitalize lowers the rest of each word ("SCaLE" is "Scale"), as str.capitalize does.
    """
    return plaintext.clean_line(" ".join(word.capitalize() for word in slug.rstrip(".").split("-")))


def _title_of_text(doc: SourceDoc, body: Body, probs: Problems) -> tuple[str, str]:
    """Return the title the body's first line gives: a Markdown heading's text, else its first sentence."""
    if body.fmt == "markdown":
        first, heading = _first_markdown_line(body.text)
        if heading:
            return plaintext.clean_line(first), "first heading"
    else:
        first = first_text_line(body.text)
    if not first:
        probs.add(None, "document has no title and no text to make one from", doc.body_line)
        return "", "none"
    # first_sentence's text is cleaned already
    return plaintext.shorten_clean(plaintext.first_sentence(first), TITLE_MAX), "first sentence"


def first_text_line(text: str) -> str:
    """Return the first line of text that has any text once cleaned, or "" (the body is not split)."""
    start = 0
    while True:
        newline = text.find("\n", start)
        line = text[start:] if newline < 0 else text[start:newline]
        if plaintext.clean_line(line):
            return line
        if newline < 0:
            return ""
        start = newline + 1


# a GFM table's delimiter row: cells of hyphens, maybe colons, with at least one pipe
_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


def _first_markdown_line(text: str) -> tuple[str, bool]:
    """Return the text a reader sees of the first Markdown line that shows any, and whether it is a heading.

    A table (a row with '|' over a delimiter row, to the blank line under it) is no sentence,
    and a line of only markup (an image, an empty link) shows nothing: both are passed over.
    """
    first = first_text_line(text)
    if "|" not in first and (shown := _shown(first))[0]:
        return shown  # nearly every body: its first line with text
    lines = text.split("\n")
    at = 0
    while at < len(lines):
        line = lines[at]
        if "|" in line and at + 1 < len(lines) and "|" in lines[at + 1] and _DELIMITER_ROW.match(lines[at + 1]):
            while at < len(lines) and plaintext.clean_line(lines[at]):
                at += 1  # the table's rows
            continue
        found, heading = _shown(line)
        if found:
            return found, heading
        at += 1
    return "", False


def _shown(line: str) -> tuple[str, bool]:
    """Return the text a reader sees of one Markdown line (a heading's: its text), and whether it is a heading."""
    m = _HEADING.match(line)
    return (markdown.text_of(m.group(1) if m else line), m is not None)


def summary(doc: SourceDoc, body: Body, probs: Problems) -> tuple[str, str]:
    """Return the summary and where it came from: the front matter, the text above a divider, or ("", "")."""
    found, key = text_field(doc, probs, *keys.SUMMARY)
    source = "front matter" if key else ""
    if found and key == "summary" and doc.dialect == "headers" and body.fmt == "markdown":
        found = markdown.text_of(found)  # Pelican renders a Summary header as Markdown (its FORMATTED_FIELDS)
    if not found and body.excerpt is not None:
        found = plain(body.excerpt, body.fmt)
        source = "divider" if found else ""
    return (plaintext.shorten_clean(found, SUMMARY_MAX * 2) if found else ""), source


def plain(text: str, fmt: str) -> str:
    """Return the text of a Markdown or plain-text excerpt as one line (markup dropped)."""
    if fmt != "markdown":
        return plaintext.clean_line(text)
    lines = [_HEADING.sub(r"\1", line) for line in text.split("\n")]
    return plaintext.clean_line(_INLINE_MARKUP.sub("", " ".join(lines)))


def source(doc: SourceDoc, body: Body, probs: Problems) -> str:
    """Return where the article came from: the front matter's source, else a trailing 'Source:' line."""
    found = text_field(doc, probs, *keys.SOURCE, allow_list=True)[0] if keys.SOURCE[0] in doc.meta else ""
    if found or not body.trailer.source:
        return found
    return plaintext.clean_line(body.trailer.source)


_TAGS = frozenset((*keys.TAGS, keys.TAXONOMIES))


def tags(doc: SourceDoc, body: Body, probs: Problems) -> tuple[str, ...]:
    """Return the tags, once each: a header block's kicker, then tags, keywords and Zola's [taxonomies] tags."""
    found = body.header.kicker if body.header is not None else ()
    if doc.meta and not _TAGS.isdisjoint(doc.meta):
        found += tuple(t for t in _front_matter_tags(doc, probs) if t not in keys.COLLECTION_TAGS)
    return tuple(dict.fromkeys(found)) if found else ()


def _front_matter_tags(doc: SourceDoc, probs: Problems) -> tuple[str, ...]:
    found = tuple(t for key in keys.TAGS for t in list_field(doc, probs, key))
    taxonomies = doc.meta.get(keys.TAXONOMIES)
    if isinstance(taxonomies, dict) and isinstance(zola := taxonomies.get("tags"), list):
        found += tuple(t for t in (plaintext.clean_line(str(v)) for v in zola if isinstance(v, str | int)) if t)
    return found
