"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1), written with the standard library.

feedgen has no JSON Feed writer, and the format is small enough that a dict is clearer than
a dependency. Keys are emitted in a fixed order so output is byte-identical across runs.
"""

from __future__ import annotations

import json
from typing import Any

from feedpub.config import Config
from feedpub.feeds import FeedSpec
from feedpub.model import Rendered

VERSION = "https://jsonfeed.org/version/1.1"


def _rfc3339(value: Any) -> str:
    return str(value.isoformat(timespec="seconds"))


def _item(r: Rendered, mode: str) -> dict[str, Any]:
    e = r.entry
    item: dict[str, Any] = {"id": e.id, "url": e.url, "title": e.title}
    if mode in ("both", "full"):
        item["content_html"] = r.content_html
    else:
        item["content_text"] = r.summary
    if mode in ("both", "summary"):
        item["summary"] = r.summary
    if e.image is not None:
        item["image"] = e.image.url
    item["date_published"] = _rfc3339(e.date)
    item["date_modified"] = _rfc3339(e.updated)
    name = e.author or e.source
    if name:
        item["authors"] = [{"name": name}]
    item["tags"] = [e.category.name, *e.tags]
    if e.image is not None:
        item["attachments"] = [{"url": e.image.url, "mime_type": e.image.mime_type}]
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
    doc["items"] = [_item(r, config.content_mode) for r in spec.entries]
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
