"""The image that stands for an entry (a feed's enclosure, a page's card)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from feedpub.config import Config
from feedpub.model import Image, SourceDoc, make
from feedpub.slug import resolve_url
from feedpub.sources import conventions as keys
from feedpub.sources import pelican
from feedpub.sources.fields.common import Problems, first_of, is_bundle, key_tables, kind, text_field
from feedpub.sources.plaintext import clean_line

IMAGE_TYPES = {
    "jpg": "image/jpeg", "jpeg": "image/jpeg", "jpe": "image/jpeg", "png": "image/png", "gif": "image/gif",
    "webp": "image/webp", "avif": "image/avif", "svg": "image/svg+xml", "bmp": "image/bmp",
    "tif": "image/tiff", "tiff": "image/tiff", "ico": "image/vnd.microsoft.icon", "heic": "image/heic",
}
_IMAGE_KEYS, _IMAGE_ALT = frozenset((*keys.IMAGE, *keys.THEME_TABLES)), frozenset(keys.IMAGE_ALT)
# The extension of the path's last segment: after its last dot, up to a query, fragment or the end
# (the greedy [^?#]* backs off to that dot; a dot followed by a '/' is in a folder's name).
_EXTENSION = re.compile(r"[^?#]*\.([^./?#]*)(?:[?#]|\Z)")


def image(doc: SourceDoc, title: str, config: Config, page_base: str, probs: Problems) -> Image | None:
    """Return the image the front matter names (top level, then [extra], [params]), its alt the title's by default."""
    meta = doc.meta
    if not meta or _IMAGE_KEYS.isdisjoint(meta):
        return None
    url, key, alt = _named(meta, probs)
    if not url:
        return None
    if doc.dialect == "headers":  # Pelican: Image: {static}/images/x.png
        url = pelican.resolved(url, doc.rel, bundle=is_bundle(doc.rel), markdown=False)
    absolute = _absolute(url, key, config, page_base, probs)
    if absolute is None:
        return None
    if not alt and not _IMAGE_ALT.isdisjoint(meta):
        alt, _ = text_field(doc, probs, *keys.IMAGE_ALT)
    return make(Image, {"url": absolute, "mime_type": image_type(absolute),
                        "alt": (clean_line(alt) if alt else "") or title})


def _named(meta: Mapping[str, Any], probs: Problems) -> tuple[str, str | None, str]:
    """Return (url, key, alt) of the first image key with a value; ("", key, alt) when that value is not text."""
    alt = ""
    for _name, table in key_tables(meta):  # Zola themes keep theirs under [extra], Hugo's under [params]
        for candidate in keys.IMAGE:
            if candidate not in table:
                continue
            value, alt = _unwrapped(table[candidate], alt)
            if value is not None and value != "":
                if isinstance(value, str):
                    return clean_line(value), candidate, alt
                probs.add(candidate, f"'{candidate}' must be text, not {kind(value)}")
                return "", candidate, alt
    return "", None, alt


def _unwrapped(value: Any, alt: str) -> tuple[Any, str]:
    """Return the image a value names (the first of a list, the image of a {image: …, alt: …}) and its alt text."""
    value = first_of(value)  # Hugo's images: [a, b]; Beautiful Jekyll's images: [{path: …}]
    if isinstance(value, dict):
        alt = str(value["alt"]) if isinstance(value.get("alt"), str) else ""
        inner = [value.get(k) for k in keys.COVER]
        value = next((v for v in inner if v), inner[-1])
    return first_of(value), alt


def _absolute(url: str, key: str | None, config: Config, page_base: str, probs: Problems) -> str | None:
    """Return an image's absolute http(s) URL; None, the problem recorded, when it has none."""
    try:
        absolute = resolve_url(url, config.base_url, page_base)
    except ValueError as e:
        probs.add(key, f"'{key}' is {e}")
        return None
    if not absolute.lower().startswith(("http://", "https://")):
        probs.add(key, f"'{key}' is not an http(s) URL: {url!r}")
        return None
    return absolute


def image_type(url: str) -> str:
    """Return the MIME type an image URL's extension names (image/jpeg when it names none we know).

    A fixed table, not mimetypes: its answers depend on the machine's /etc/mime.types.
    Unknown extensions are taken as JPEG, the overwhelmingly common case (RSS needs a type).
    """
    m = _EXTENSION.match(url)
    return IMAGE_TYPES.get(m.group(1).lower(), "image/jpeg") if m else "image/jpeg"
