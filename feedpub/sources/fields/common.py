"""What the fields share: a document's problems, a key read as text or as a list, names in a document's path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from feedpub.errors import Problem
from feedpub.model import SourceDoc
from feedpub.sources import conventions as keys
from feedpub.sources.assets import bundle_folder
from feedpub.sources.dates import FILENAME_DATE
from feedpub.sources.plaintext import clean_line


class Problems:
    """Collects every problem of one document so they are all reported together."""

    def __init__(self, doc: SourceDoc) -> None:
        self.doc = doc
        self.items: list[Problem] = []

    def add(self, key: str | None, message: str, line: int | None = None) -> None:
        """Record a problem at line, or at key's line when no line is given."""
        if line is None and key is not None:
            line = self.doc.meta_lines.get(key)
        self.items.append(Problem(self.doc.rel, line, message))


def text_field(doc: SourceDoc, probs: Problems, *names: str, allow_list: bool = False) -> tuple[str, str | None]:
    """Return (cleaned text, key) of the first of names present; ("", None) when none is.

    Numbers are read as text (YAML makes ``title: 2023`` an int). With allow_list, a list
    of strings (``authors: [A, B]``) is joined and a ``{name: …}`` mapping gives its name.
    """
    meta = doc.meta
    if not meta:  # a document without front matter: asked ten times a document
        return "", None
    for key in names:
        value = meta.get(key)
        if value is None:
            continue
        text = value if isinstance(value, str) else _as_text(value, allow_list)  # nearly always a str
        if text is None:
            probs.add(key, f"'{key}' must be text, not {kind(value)}")
            return "", key
        return clean_line(text), key
    return "", None


def _as_text(value: Any, allow_list: bool) -> str | None:
    """Return the text a number (or with allow_list, a list of text or a {name: …}) stands for; None if none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if allow_list and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if allow_list and isinstance(value, dict) and isinstance(value.get("name"), str):
        return str(value["name"])
    return None


def list_field(doc: SourceDoc, probs: Problems, key: str) -> tuple[str, ...]:
    """Return the non-empty items of a list of text (or of a text "a, b", or "a, b; c" when an item holds a comma)."""
    value = doc.meta.get(key)
    if value is None:
        return ()
    if isinstance(value, str):  # Pelican: "a, b", or "a, b; c" when a tag holds a comma
        items = value.split(";" if ";" in value else ",")
    elif isinstance(value, list) and all(_scalar(v) for v in value):
        items = [str(v) for v in value]
    else:
        probs.add(key, f"'{key}' must be a list of text, not {kind(value)}")
        return ()
    return tuple(t for t in map(clean_line, items) if t)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def kind(value: Any) -> str:
    """Describe a value by its type, never by repr: a YAML alias bomb must not be printed."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()}; YAML reads yes/no/on/off as booleans: quote text)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):  # a scalar: named with its value, shortened
        return "the string " + json.dumps(value if len(value) <= 60 else value[:57] + "...", ensure_ascii=False)
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    return type(value).__name__


def first_of(value: Any) -> Any:
    """Return the first item of a list (None when empty), or the value itself."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def key_tables(meta: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Return where a document's image and authors may be, in order, each with its name ("": the top level).

    The top level, then Zola's [extra] and Hugo's [params] where they are tables: a key there
    counts only when the top level has none with a value.
    """
    found: list[tuple[str, Mapping[str, Any]]] = [("", meta)]
    for name in keys.THEME_TABLES:
        table = meta.get(name)
        if isinstance(table, dict):
            found.append((name, table))
    return found


def empty_header(doc: SourceDoc, value: object) -> bool:
    """Whether value is a Pelican / MultiMarkdown header written with nothing after its key."""
    return value == "" and doc.dialect == "headers"


def is_bundle(rel: str) -> bool:
    """Whether a document is a page bundle's index (its folder is the page, its files sit beside it)."""
    return bundle_folder(rel) is not None


def dated_name(rel: str) -> str:
    """Return the name that may carry a document's date: its file's, or its bundle folder's."""
    parts = rel.split("/")
    return parts[-2] if is_bundle(rel) else parts[-1]


def undated(name: str) -> str:
    """Return a name without its YYYY-MM-DD- prefix (Jekyll, Zola and Pelican take the slug from the rest)."""
    m = FILENAME_DATE.match(name)
    return name[m.end():] if m and m.end() < len(name) else name


def named_slug(rel: str) -> str:
    """Return the slug a document's name gives: its bundle folder's or its file's, without extension or date."""
    parts = rel.split("/")
    return undated(parts[-2] if is_bundle(rel) else stem(rel))


def in_posts_folder(rel: str) -> bool:
    """Whether a document sits in a Jekyll _posts folder (at any depth below it)."""
    return f"/{keys.POSTS_FOLDER}/" in f"/{rel}"


def stem(rel: str) -> str:
    """Return PurePosixPath(rel).with_suffix("").name: the file name without its extension."""
    name = rel[rel.rfind("/") + 1:]
    if not name or name == ".":  # the last segment is not the name: pathlib decides
        return PurePosixPath(rel).with_suffix("").name
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name
