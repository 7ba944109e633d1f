"""Slugs and URLs: the pieces of paths and links that must be stable and safe."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Device names Windows refuses as file names, whatever the extension: never a path segment.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
# Characters left as they are when percent-encoding a URL: the RFC 3986 reserved set plus
# '%' so an already-encoded URL is not encoded twice.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
# URLs made of these characters only come out of urlsplit/quote/urljoin unchanged, so the
# common case skips them (a large share of a big build's time otherwise).
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9/_~!$&'()*+,;=:@%.-]*)?\Z")
# A relative path of plain segments: dots only inside a name ("a.jpg"), never a "." or ".."
# segment, which urljoin would have to resolve.
_PLAIN_RELATIVE = re.compile(r"/?(?:(?!\.\.?(?:/|\Z))[A-Za-z0-9_~.-]+/)*(?:(?!\.\.?\Z)[A-Za-z0-9_~.-]+)?\Z")


def slugify(text: str, *, max_len: int = 80) -> str:
    """Turn text into a lowercase ASCII slug ("Cell & Gene" -> "cell-gene"); may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-")


def encode_url(url: str) -> str:
    """Percent-encode non-ASCII and unsafe characters; IDN hosts become punycode."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if netloc and not netloc.isascii():
        host = parts.hostname or ""
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = quote(host, safe="")
        netloc = netloc.replace(host, ascii_host)
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            quote(parts.fragment, safe=_URL_SAFE),
        )
    )


def absolute_url(url: str, base_url: str) -> str:
    """Resolve url against base_url (which ends in '/'); '/x' and 'x' land on the same URL.

    Raises ValueError for text that is not a URL at all (e.g. a broken IPv6 host "[x").

    A site often lives under a path (https://host/news/); a root-relative link written by an
    author means "relative to the site", so it is joined under that path, not the host root.
    """
    url = url.strip()
    try:
        if _PLAIN_ABSOLUTE.match(url):
            return url
        if _PLAIN_RELATIVE.match(url) and base_url.endswith("/") and _PLAIN_ABSOLUTE.match(base_url):
            return base_url + url.lstrip("/")
        if url.startswith("//"):
            return encode_url("https:" + url)
        if urlsplit(url).scheme:
            return encode_url(url)
        if url.startswith("#"):
            return encode_url(url)  # in-page anchor: nothing to resolve against
        return encode_url(urljoin(base_url, url.lstrip("/")))
    except ValueError:
        raise ValueError(f"not a valid URL: {url[:80]!r}") from None
