"""Every link a built site holds, read with real parsers (lxml for HTML and XML, json for JSON Feed).

Used by tests/test_links.py: a link into base_url must resolve to a file of the output
folder, as a static web server would serve it (a folder's URL is its index.html).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin

from lxml import etree, html

_URL_ATTRS = ("href", "src", "url", "xmlUrl", "htmlUrl")
_META_URLS = ("og:url", "og:image", "twitter:image")
_HTML_TEXT = {"{http://purl.org/rss/1.0/modules/content/}encoded", "description"}


def _html_links(text: str, page_url: str) -> Iterator[str]:
    """Yield every URL an HTML document or fragment links, shows or declares, made absolute."""
    if not text.strip():
        return
    root = html.fromstring(text)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("href", "src"):
            value = el.get(attr)
            if value and not value.startswith(("mailto:", "#")):
                yield urljoin(page_url, value.strip())
        if el.tag == "meta" and el.get("property", el.get("name")) in _META_URLS and el.get("content"):
            yield urljoin(page_url, el.get("content"))


def _xml_links(path: Path, page_url: str) -> Iterator[str]:
    """Yield every URL of a feed, OPML or sitemap: attributes, RSS link/guid/loc text, HTML content."""
    root = etree.parse(str(path)).getroot()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in _URL_ATTRS:
            if el.get(attr):
                yield urljoin(page_url, el.get(attr))
        local = etree.QName(el).localname
        text = el.text or ""
        if local in ("link", "loc") and text.strip() and not el.get("href"):
            yield urljoin(page_url, text.strip())
        elif local == "guid" and el.get("isPermaLink", "true") == "true" and text.strip():
            yield text.strip()
        elif (el.tag in _HTML_TEXT or (local in ("content", "summary") and el.get("type") == "html")) and text:
            yield from _html_links(text, page_url)


def _json_links(path: Path, page_url: str) -> Iterator[str]:
    """Yield every URL of a JSON Feed: the feed's, each item's, attachments', and in content_html."""
    feed = json.loads(path.read_text(encoding="utf-8"))
    for key in ("home_page_url", "feed_url", "next_url", "icon", "favicon"):
        if feed.get(key):
            yield urljoin(page_url, feed[key])
    for item in feed.get("items", []):
        for key in ("url", "external_url", "image", "banner_image"):
            if item.get(key):
                yield urljoin(page_url, item[key])
        for a in item.get("attachments", []):
            yield urljoin(page_url, a["url"])
        yield from _html_links(item.get("content_html", ""), page_url)


def links(out: Path, base_url: str) -> Iterator[tuple[str, str]]:
    """Yield (file, absolute URL) for every link of every page, feed, digest, OPML and sitemap in out."""
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out).as_posix()
        if not path.is_file() or rel.startswith("."):
            continue
        page_url = base_url + rel
        if path.suffix == ".html":
            found = _html_links(path.read_text(encoding="utf-8"), page_url)
        elif path.suffix in (".xml", ".opml"):
            found = _xml_links(path, page_url)
        elif path.suffix == ".json":
            found = _json_links(path, page_url)
        else:
            continue
        for url in found:
            yield rel, url


def target(url: str, base_url: str) -> str | None:
    """Return the output path a URL into base_url is served from (None: not into the site)."""
    if not url.startswith(base_url):
        return None
    path = unquote(url[len(base_url):].partition("#")[0].partition("?")[0])
    return path + "index.html" if path == "" or path.endswith("/") else path


def dead(out: Path, base_url: str) -> dict[str, set[str]]:
    """Return each output path that is linked into base_url but is not a file of out, with who links it."""
    found: dict[str, set[str]] = {}
    for rel, url in links(out, base_url):
        path = target(url, base_url)
        if path is not None and not (out / path).is_file():
            found.setdefault(path, set()).add(rel)
    return found
