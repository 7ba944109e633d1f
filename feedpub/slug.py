"""Slugs and URLs: the pieces of paths and links that must be stable and safe."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from hashlib import blake2b
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Device names Windows refuses as file names, whatever the extension: never a path segment.
RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
# Characters left as they are when percent-encoding a URL: the RFC 3986 reserved set plus
# '%' so an already-encoded URL is not encoded twice.
_URL_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
# URLs made of these characters only come out of urlsplit/quote/urljoin unchanged, so a base
# URL like this takes a relative path by concatenation.
_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9/_~!$&'()*+,;=:@%.-]*)?\Z")
# A relative path of plain segments: dots only inside a name ("a.jpg"), never a "." or ".."
# segment, which urljoin would have to resolve.
_PLAIN_RELATIVE = re.compile(r"/?(?:(?!\.\.?(?:/|\Z))[A-Za-z0-9_~.-]+/)*(?:(?!\.\.?\Z)[A-Za-z0-9_~.-]+)?\Z")


# What quote(text, safe=_URL_SAFE) leaves as it is: its always-safe ASCII plus _URL_SAFE. A run
# of anything else is UTF-8 encoded and every byte written %XX, as quote() does byte by byte
# (a Python step per byte there; one regex and one hex() per run here).
_UNSAFE_RUN = re.compile("[^A-Za-z0-9_.~" + re.escape(_URL_SAFE) + "]+")
# An absolute http(s) URL with a plain ASCII host and nothing after its path: urlsplit gives
# scheme, host and path, and encode_url only percent-encodes the path.
_PLAIN_HOST_PATH = re.compile(r"(https?://[A-Za-z0-9.-]+(?::[0-9]+)?)(/[^?#\x00-\x20]*)?\Z")


def _percent_run(m: re.Match[str]) -> str:
    return "%" + m.group().encode("utf-8").hex("%").upper()


def quote_url_part(text: str) -> str:
    """Percent-encode text as ``urllib.parse.quote(text, safe=_URL_SAFE)`` does, faster."""
    return _UNSAFE_RUN.sub(_percent_run, text)


def slugify(text: str, *, max_len: int = 80) -> str:
    """Turn text into a lowercase ASCII slug ("Cell & Gene" -> "cell-gene"); may be empty."""
    # ASCII text is its own NFKD form, and all of it is kept: nothing to decompose or drop
    ascii_text = text if text.isascii() else unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NON_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-")


def distinct_slug(text: str, kind: str) -> str:
    """Return the ASCII slug of a name that must not share it with another name: a page's, a category's, a tag's.

    slugify keeps the letters that have ASCII forms ("Café" is "cafe") and drops the others
    (Chinese, Cyrillic, Arabic…): "第一章-甲" and "第二章-乙" both had no slug, "go-map内存泄漏"
    and "go-map并发" both "go-map", and their pages or feeds clashed. When a letter or digit is
    dropped, a short hash of the whole name follows what is left ("go-map-1a2b3c4d"), or
    follows kind when nothing is ("tag-9f8e7d6c", the form tags always had).
    """
    slug = slugify(text)
    if text.isascii() or not _drops_letters(text):
        return slug
    return f"{slug or kind}-{blake2b(text.encode('utf-8'), digest_size=4).hexdigest()}"


def _drops_letters(text: str) -> bool:
    """Whether slugify drops a letter or digit of text (one with no ASCII form)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = decomposed.encode("ascii", "ignore").decode()
    return sum(map(str.isalnum, kept)) < sum(map(str.isalnum, decomposed))


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
            quote_url_part(parts.path),
            quote_url_part(parts.query),
            quote_url_part(parts.fragment),
        )
    )


@lru_cache(maxsize=16)
def _plain_base(base_url: str) -> bool:
    """Whether a plain relative path is joined to base_url by concatenation (one base a build)."""
    return base_url.endswith("/") and _PLAIN_ABSOLUTE.match(base_url) is not None


def absolute_url(url: str, base_url: str) -> str:
    """Resolve url against base_url (which ends in '/'); '/x' and 'x' land on the same URL.

    Raises ValueError for text that is not a URL at all (e.g. a broken IPv6 host "[x").

    A site often lives under a path (https://host/news/); a root-relative link written by an
    author means "relative to the site", so it is joined under that path, not the host root.
    """
    url = url.strip()
    try:
        if m := _PLAIN_HOST_PATH.match(url):  # a plain URL comes out unchanged
            return m.group(1) + quote_url_part(m.group(2) or "")
        if _PLAIN_RELATIVE.match(url) and _plain_base(base_url):
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


def resolve_url(url: str, base_url: str, page_url: str = "") -> str:
    """Resolve a URL a document names: a relative path against its page's URL when given, else as absolute_url.

    A page bundle keeps its images beside its index.md: ``pipeline.svg`` there means the one
    under the page's own address. A root-relative ``/x`` still means the site's (see absolute_url).
    """
    if page_url and url and not url.startswith(("/", "#", "?")) and ":" not in url.split("/", 1)[0]:
        return absolute_url(url, page_url)
    return absolute_url(url, base_url)
