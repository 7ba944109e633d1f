"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written with the standard library.

feedgen has no JSON Feed writer, and the format is small enough that a dict is clearer than
a dependency. Keys are emitted in a fixed order so output is byte-identical across runs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from feedpub.config import Config
from feedpub.model import Author, Rendered
from feedpub.outputs import mapping
from feedpub.outputs.atom_rss import FeedSpec

VERSION = "https://jsonfeed.org/version/1.1"


def _author(a: Author) -> dict[str, str]:
    """Return a JSON Feed author: a name and a web page (JSON Feed has no e-mail: a mailto: link)."""
    url = a.uri or (f"mailto:{a.email}" if a.email else "")
    return {"name": a.name, **({"url": url} if url else {})}


def _item(r: Rendered, config: Config, sizes: Mapping[str, int]) -> dict[str, Any]:
    e, mode = r.entry, config.content_mode
    item: dict[str, Any] = {"id": e.id, "url": e.url, "title": e.title}
    if mode in ("both", "full"):
        item["content_html"] = r.content_html
    else:
        item["content_text"] = r.summary
    if mode in ("both", "summary"):
        item["summary"] = r.summary
    if e.image is not None:
        item["image"] = e.image.url
    item["date_published"] = mapping.iso(e.date)
    item["date_modified"] = mapping.iso(e.updated)
    authors = mapping.authors_of(e)
    if authors:
        item["authors"] = [_author(a) for a in authors]
    item["tags"] = [t.name for t in mapping.terms_of(e, config)]
    if e.image is not None:
        attachment: dict[str, Any] = {"url": e.image.url, "mime_type": e.image.mime_type}
        length = mapping.enclosure_length(e.image, sizes)
        if length:
            attachment["size_in_bytes"] = length
        item["attachments"] = [attachment]
    return item


def jsonfeed(spec: FeedSpec, config: Config) -> bytes:
    """Return the JSON Feed 1.1 document of a feed."""
    doc: dict[str, Any] = {
        "version": VERSION,
        "title": spec.title,
        "home_page_url": spec.home_url,
        "feed_url": spec.json_url,
        "description": spec.subtitle or spec.title,
        "language": config.language,
        "authors": [{"name": config.author_name}],
    }
    if spec.hub_url:
        doc["hubs"] = [{"type": "WebSub", "url": spec.hub_url}]
    doc["items"] = [_item(r, config, spec.image_sizes) for r in spec.entries]
    return (dumps(doc) + "\n").encode("utf-8")


_string = json.encoder.encode_basestring  # the C one, as json.dumps(ensure_ascii=False) uses


def dumps(value: Any) -> str:
    """Return json.dumps(value, ensure_ascii=False, indent=2), for JSON-shaped values, faster.

    json.dumps with an indent runs its pure-Python encoder, a generator per nesting level for
    every chunk: a third of a feed's time. This writes the same text in one pass.
    """
    out: list[str] = []
    _write(value, "\n", out)
    return "".join(out)


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append the indented JSON of value; newline is a line break and the current indent."""
    if isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        sep = "{" + inner
        for key, item in value.items():
            out.append(f"{sep}{_string(key)}: ")
            _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            _write(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    else:  # numbers, booleans and null: rare here, and json knows their spelling
        out.append(json.dumps(value))
