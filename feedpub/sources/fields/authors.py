"""The authors of an entry, and the one parser of author text (front matter and a trailing 'Author:' line alike)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from feedpub.config import Config
from feedpub.model import Author, SourceDoc, make
from feedpub.slug import absolute_url
from feedpub.sources import conventions as keys
from feedpub.sources.body import Body
from feedpub.sources.fields.common import Problems, key_tables, kind
from feedpub.sources.plaintext import clean_line

# "[Jane Doe](https://example.com/jane)" (a URL may hold balanced parentheses), and the
# "(Acme)" written right after it: her affiliation, not part of her name
_MARKDOWN_LINK = re.compile(r"\[([^\[\]]+)\]\(\s*<?([^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*)>?(?:\s+\"[^\"]*\")?\s*\)")
_AFFILIATION = re.compile(r"\s*\(([^()]*)\)")
_NAME_EMAIL = re.compile(r"(.*?)\s*<([^<>@\s]+@[^<>\s]+)>")
_EMAIL = re.compile(r"[^<>@\s()]+@[^<>@\s()]+\.[^<>@\s()]+")
# What joins the names of a list written as text: "A, B and C", "A & B", "By A with B"
_JOINERS = re.compile(r"[,;&]|\b(?:and|with)\b", re.IGNORECASE)
_BY = re.compile(r"\s*by\b\s*", re.IGNORECASE)


_AUTHOR = frozenset((*keys.AUTHOR, *keys.THEME_TABLES))


def authors(doc: SourceDoc, body: Body, config: Config, probs: Problems) -> tuple[Author, ...]:
    """Return a document's authors: its front matter's (then [extra]'s, [params]'s), else its 'Author:' line."""
    meta = doc.meta
    found = _front_matter(meta, config, probs) if meta and not _AUTHOR.isdisjoint(meta) else ()
    if not found and body.trailer.author:
        return tuple(a for a in parse_authors(body.trailer.author, config.base_url) if a.name)
    return found


def _front_matter(meta: Mapping[str, Any], config: Config, probs: Problems) -> tuple[Author, ...]:
    """Return the authors of the first author key with a value: a name, a list, a mapping, links, Name <email>."""
    for _name, table in key_tables(meta):
        for key in keys.AUTHOR:
            value = table.get(key)
            if value is not None and value not in ("", []):
                return _named(key, value, config, probs)
    return ()


def _named(key: str, value: Any, config: Config, probs: Problems) -> tuple[Author, ...]:
    """Return the authors of one key's value, once each; () with a problem when an item names nobody."""
    found: list[Author] = []
    for item in _items(key, value):
        named = _author(item, config)
        if named is None:
            probs.add(key, f"'{key}' must be a name, a list of names or of {{name: …}}, not {kind(item)}")
            return ()
        found += (a for a in named if a.name)
    return tuple(dict.fromkeys(found))


def _items(key: str, value: Any) -> list[Any]:
    """Return the items of an author value: a list's, the names of a text, or the value alone."""
    if isinstance(value, str) and "](" not in value:
        # Pelican's Authors: A, B (or "Doe, Jane; Roe, Richard"); an author string is one
        # name unless it holds ';' (Markdown links are taken apart by parse_authors)
        split = ";" if ";" in value or key != "authors" else ","
        return [v for v in value.split(split) if v.strip()]
    return value if isinstance(value, list) else [value]


def _author(value: Any, config: Config) -> tuple[Author, ...] | None:
    """Return the authors of a string or a mapping; None when the value is neither."""
    if isinstance(value, dict):
        name = str(value["name"]) if isinstance(value.get("name"), str) else ""
        link = next((str(value[k]) for k in keys.AUTHOR_LINK if isinstance(value.get(k), str)), "")
        email = str(value["email"]) if isinstance(value.get("email"), str) else ""
        affiliation = str(value["affiliation"]) if isinstance(value.get("affiliation"), str) else ""
        return (make(Author, {"name": clean_line(name), "uri": _author_uri(link, config.base_url),
                              "email": email.strip(), "affiliation": clean_line(affiliation)}),)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return parse_authors(value, config.base_url)


def parse_authors(text: str, base_url: str) -> tuple[Author, ...]:
    """Return the people an author text names, Markdown links and addresses taken apart.

    ``[Jane Doe](https://example.com/jane) (Acme)`` is Jane Doe, her page and her affiliation;
    every link of a list is one author (``[A](u1), [B](u2)``, ``By [A](u1) (X) and [B](u2) (Y)``),
    a name written without a link between them another one. ``Jane Doe <jane@example.com>`` and a
    bare address give an e-mail. A link to anything but a web page or a ``mailto:`` keeps only its
    words. Text without a link is one name.
    """
    text = clean_line(text)
    if "](" not in text or not (links := list(_MARKDOWN_LINK.finditer(text))):
        return (_plain_author(text),)
    found: list[Author] = []
    at = 0
    for m in links:
        found += _names_between(text[at:m.start()], first=at == 0)
        affiliation = _AFFILIATION.match(text, m.end())
        at = affiliation.end() if affiliation else m.end()
        name, target = clean_line(m.group(1)), m.group(2)
        uri = email = ""
        if target.lower().startswith("mailto:") and _EMAIL.fullmatch(target[7:]):
            email = target[7:]
        else:
            uri = _author_uri(target, base_url)
        found.append(make(Author, {"name": name, "uri": uri, "email": email,
                                   "affiliation": clean_line(affiliation.group(1)) if affiliation else ""}))
    found += _names_between(text[at:], first=False)
    return tuple(found)


def _names_between(text: str, *, first: bool) -> list[Author]:
    """Return the names written without a link around the links of an author list ("By", "and" are none).

    A piece that starts in lower case ("on behalf of the team") is prose, not a name.
    """
    if first and (by := _BY.match(text)):
        text = text[by.end():]
    return [_plain_author(piece) for piece in (p.strip() for p in _JOINERS.split(text))
            if piece and piece[0].isalpha() and not piece[0].islower()]


def _plain_author(text: str) -> Author:
    """Return the author a text without links names: "Name <email>", an address, or a name."""
    if m := _NAME_EMAIL.fullmatch(text):
        return make(Author, {"name": clean_line(m.group(1)) or m.group(2), "uri": "",
                             "email": m.group(2), "affiliation": ""})
    if _EMAIL.fullmatch(text):
        return make(Author, {"name": text, "uri": "", "email": text, "affiliation": ""})
    return make(Author, {"name": clean_line(text), "uri": "", "email": "", "affiliation": ""})


def _author_uri(link: str, base_url: str) -> str:
    """Return an author's page as an absolute http(s) URL, or "" when it is not one."""
    if not link.strip():
        return ""
    try:
        url = absolute_url(link, base_url)
    except ValueError:
        return ""
    return url if url.lower().startswith(("http://", "https://")) else ""
