"""Check that no output carries active markup, whatever the documents said.

Used by the hostile-corpus and property tests on every file of a build: feeds (the HTML
inside Atom content/summary, RSS description/content:encoded, JSON content_html), and any
HTML page or email part.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import lxml.html
from lxml import etree

FORBIDDEN_TAGS = {"script", "iframe", "object", "embed", "form", "input", "button", "style", "link",
                  "svg", "math", "frame", "frameset", "applet", "base", "meta", "textarea", "select"}
BAD_URL = re.compile(r"^\s*(javascript|vbscript|data|file):", re.IGNORECASE)
URL_ATTRS = {"href", "src", "action", "formaction", "background", "poster", "cite", "xlink:href"}
# Elements whose text readers render as HTML: RSS description and content:encoded always, Atom
# content/summary when type="html" (type="text" is shown literally, by the spec).
RSS_HTML = {"description", "{http://purl.org/rss/1.0/modules/content/}encoded"}
ATOM_TEXT = {"{http://www.w3.org/2005/Atom}content", "{http://www.w3.org/2005/Atom}summary",
             "{http://www.w3.org/2005/Atom}title"}


def assert_safe_fragment(html: str, where: str, *, page: bool = False) -> None:
    """Fail if an HTML fragment (or page) holds a forbidden tag, handler, style or URL."""
    if not html.strip():
        return
    root = lxml.html.document_fromstring(html) if page else lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        # A page's own <style>/<link> (templates) is allowed; document markup never is.
        if not (page and tag in {"style", "link", "meta"}):
            assert tag not in FORBIDDEN_TAGS, f"{where}: <{tag}> in output"
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: event handler {name}= on <{tag}>"
            if name.lower() in URL_ATTRS:
                assert not BAD_URL.match(value), f"{where}: {name}={value!r} on <{tag}>"


def assert_safe_feed(path: Path) -> None:
    """Fail if an Atom/RSS/JSON feed carries unsafe markup in any HTML it holds."""
    if path.suffix == ".json":
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            assert_safe_fragment(item.get("content_html", ""), f"{path}#{item['id']}")
            for key in ("url", "image", "external_url"):
                assert not BAD_URL.match(item.get(key, "")), f"{path}: {key}"
        return
    root = etree.parse(str(path)).getroot()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        # Only elements in the feed vocabularies: no HTML element may appear unescaped.
        assert local.lower() not in FORBIDDEN_TAGS - {"link"} or el.tag.startswith("{http://www.w3.org/2005/Atom}"), \
            f"{path}: element {el.tag}"
        for attr in ("href", "url", "src"):
            assert not BAD_URL.match(el.get(attr, "")), f"{path}: {attr}={el.get(attr)!r}"
        if el.tag in RSS_HTML or (el.tag in ATOM_TEXT and el.get("type") in ("html", "xhtml")):
            assert_safe_fragment(el.text or "", f"{path}:<{local}>")
        elif el.tag in ATOM_TEXT:
            assert el.get("type", "text") == "text", f"{path}: {local} type {el.get('type')}"


def assert_safe_tree(out: Path) -> None:
    """Check every feed, page and email of an output folder."""
    for path in sorted(out.rglob("*")):
        if path.suffix in (".xml", ".json") and path.is_file():
            assert_safe_feed(path)
        elif path.suffix == ".html" and path.is_file():
            assert_safe_fragment(path.read_text(encoding="utf-8"), str(path), page=True)
