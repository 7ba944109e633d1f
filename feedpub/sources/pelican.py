"""Pelican's internal links: ``{static}``, ``{attach}``, ``{filename}`` (or ``|filename|``) before a path.

Pelican replaces each with the URL of the file it names (its docs, "Linking to internal
content"): a path starting with ``/`` from the content folder, any other from the folder of
the document that writes it. feedpub copies a document's files at their paths below the
source folder (a page bundle's below its page), so the marker goes and the path becomes one
feedpub resolves as Pelican would: from the site's root for a document that is not a bundle,
unchanged in a bundle, whose relative paths already resolve against its page. A link to
another document (``{filename}other.md``) names its source file, which the site does not
have: ``check`` says so (dead-link).
"""

from __future__ import annotations

import posixpath
import re

from feedpub.sources import templates

_MARKED = re.compile(r"(?:\{(?:static|attach|filename)\}|\|(?:static|attach|filename)\|)([^\s()\"'<>\[\]]*)")


def resolved(text: str, rel: str, *, bundle: bool, markdown: bool) -> str:
    """Return text with each internal link's marker gone and its path resolved (see the module's docstring).

    rel: the document's path below the source folder; bundle: it is a page bundle's index;
    markdown: code (fenced blocks, code spans) keeps its markers, as Pelican's own docs show them.
    """
    if "static" not in text and "attach" not in text and "filename" not in text:
        return text  # nearly every document
    where = posixpath.dirname(rel)

    def path(m: re.Match[str]) -> str:
        named = m.group(1)
        if named.startswith("/") or bundle:
            return named
        return "/" + posixpath.normpath(posixpath.join(where, named))

    def prose(piece: str) -> str:
        return _MARKED.sub(path, piece)

    return templates.outside_code(text, prose) if markdown else prose(text)

