"""The shipped page templates that every build renders by the thousand, written in Python: the same bytes, faster.

An article page is made for every document of a site and a listing page for every twenty
entries of each listing, and Jinja2 spent ~95 µs on an article page (an autoescape call and
an attribute lookup per expression, a generator per block): a fifth of a cold build. This
module writes the same pages directly (~28 µs). It is used only while the templates a page
would be rendered from are the shipped ones, byte for byte: their hashes are recorded below,
so a user's template in ``templates_dir`` (or an edit of a shipped file) goes back to Jinja2
by itself, never to a stale copy. The first page of the home listing (feeds, digests, OPML)
is always rendered by Jinja2: there is one per build.

Changing a template named below: change the function that copies it alike and record the new
hash (``tests/test_shipped_pages.py`` renders both ways over many pages and fails on any
difference, and fails while a hash is not the shipped file's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from feedpub.render import templating

BASE = {"base.html.j2": "4b5e6a8eb4414f4b6a629743f02643213d6917e8b5b7b24f62a5ae967db09784"}
ENTRIES = {"entries.html.j2": "05c6f64fbccc16306ad293dd4a7de69465809a133f3b3dc0d52fd5c5c4e766ac"}
# the shipped templates each page is rendered from, by name: their SHA-256
ARTICLE = {"article.html.j2": "161b8dba6ab7881d3adaf5db9ede0a76a1446fa2adc3463a6b78c92ec1f4927b", **BASE}
LIST = {"list.html.j2": "e0c61312a3fbc382151c2351508bbf12b6a74f01e466958685bb59d72206e10f", **ENTRIES, **BASE}
INDEX = {"index.html.j2": "b6375d629dddfb289e53a134518d4e88e7b7b014ea4acbedaac464dc04385347", **ENTRIES, **BASE}


def escape(value: Any) -> str:
    """Return value as Jinja2's autoescaping prints it: markup (``__html__``) as it is, else its text escaped.

    markupsafe's rule and entities (``&#34;``, ``&#39;``), without making a Markup object of
    each value: that was most of what this module saves.
    """
    if type(value) is str:
        return _escape_str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape_str(str(value))


def escape_text(text: str) -> str:
    """Return text escaped by markupsafe's rule, in Python (where markupsafe has no C loop to lend)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def _first_escape(text: str) -> str:
    """Escape text, and settle which function escapes from now on (markupsafe is loaded on first use)."""
    global _escape_str  # noqa: PLW0603 - set once, on the first page made
    _escape_str = templating.str_escaper() or escape_text
    return _escape_str(text)


_escape_str = _first_escape


# --- base.html.j2 ------------------------------------------------------------------------


def _start(c: Mapping[str, Any], title: str, out: list[str]) -> None:
    """Write base.html.j2 up to its head block: title is the title block's text, escaped."""
    site = c["site"]
    out.append(f'<!DOCTYPE html>\n<html lang="{escape(site.language)}">\n<head>\n<meta charset="utf-8">\n'
               '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
               f'<title>{title}</title>\n'
               '<meta name="generator" content="feedpub">\n<meta name="color-scheme" content="light dark">\n')
    canonical = c["canonical"]
    if canonical:
        out.append(f'<link rel="canonical" href="{escape(canonical)}">\n')
    for feed in c["alternates"]:
        out.append(f'<link rel="alternate" type="{escape(feed.media_type)}" title="{escape(feed.title)}" '
                   f'href="{escape(feed.href)}">\n')
    out.append(f'<link rel="stylesheet" href="{escape(c["stylesheet"])}">\n')


def _body(c: Mapping[str, Any], nav: str, out: list[str]) -> None:
    """Write base.html.j2 from the end of its head block to its main block (nav: the nav block's text)."""
    out.append(f'</head>\n<body>\n<header class="site-header">\n'
               f'<a class="site-title" href="{escape(c["home"])}">{escape(c["site"].title)}</a>\n'
               f'{nav}</header>\n<main>\n')


def _end(c: Mapping[str, Any], out: list[str]) -> str:
    """Write base.html.j2 after its main block; return the page."""
    site = c["site"]
    described = f" — {escape(site.description)}" if site.description else ""
    out.append(f'</main>\n<footer class="site-footer">\n<p>{escape(site.title)}{described}. '
               f'<a href="{escape(c["home"])}#feeds">Subscribe</a>.</p>\n</footer>\n</body>\n</html>\n')
    return "".join(out)


# --- article.html.j2 ---------------------------------------------------------------------


def article(c: Mapping[str, Any]) -> str:
    """Return the article page the shipped templates render from context c (see outputs.pages.context)."""
    site, entry = c["site"], c["entry"]
    title, description, canonical = escape(c["title"]), escape(c["description"]), escape(c["canonical"])
    site_title = escape(site.title)
    category = c["category"]
    category_href, category_text = escape(category.href), escape(category.text)
    published = escape(c["published"])
    out: list[str] = []
    _start(c, f"{title} — {site_title}", out)
    out.append(
        f'<meta name="description" content="{description}">\n<meta property="og:type" content="article">\n'
        f'<meta property="og:site_name" content="{site_title}">\n<meta property="og:title" content="{title}">\n'
        f'<meta property="og:description" content="{description}">\n<meta property="og:url" content="{canonical}">\n')
    image = entry.image
    if image:
        out.append(f'<meta property="og:image" content="{escape(image.url)}">\n')
        if image.alt:
            out.append(f'<meta property="og:image:alt" content="{escape(image.alt)}">\n')
    out.append(f'<meta property="article:published_time" content="{published}">\n'
               f'<meta property="article:modified_time" content="{escape(c["modified"])}">\n'
               f'<meta property="article:section" content="{category_text}">\n')
    tags = c["tags"]
    for tag in tags:
        out.append(f'<meta property="article:tag" content="{escape(tag.text)}">\n')
    out.append(f'<meta name="twitter:card" content="{"summary_large_image" if image else "summary"}">\n'
               f'<meta name="twitter:title" content="{title}">\n'
               f'<meta name="twitter:description" content="{description}">\n')
    if image:
        out.append(f'<meta name="twitter:image" content="{escape(image.url)}">\n')
    _body(c, f'<a href="{category_href}">{category_text}</a>\n', out)
    out.append(f'<article>\n<h1 dir="auto">{title}</h1>\n'
               f'<p class="meta"><span><time datetime="{published}">{escape(c["day"])}</time></span>\n')
    authors = c["authors"]
    if authors:
        out.append("<span>By ")
        last = len(authors) - 1
        for i, a in enumerate(authors):
            text = escape(a.text)
            out.append(f'<a href="{escape(a.href)}" rel="author">{text}</a>' if a.href else text)
            if a.affiliation:
                out.append(f" ({escape(a.affiliation)})")
            if i != last:
                out.append(", ")
        out.append("</span>")
    out.append(f'<span>In <a href="{category_href}">{category_text}</a></span></p>\n')
    shown = c["image"]
    if shown:
        out.append(f'<figure><img src="{escape(shown.url)}" alt="{escape(shown.alt)}"></figure>\n')
    out.append(f'{escape(c["content"])}\n')
    if tags:
        out.append('<ul class="tags">\n')
        for tag in tags:
            text = escape(tag.text)
            out.append(f'<li><a href="{escape(tag.href)}" rel="tag">{text}</a></li>\n' if tag.href
                       else f"<li>{text}</li>\n")
        out.append("</ul>\n")
    out.append("</article>\n")
    newer, older = c["newer"], c["older"]
    if newer or older:
        out.append('<nav class="around" aria-label="More articles">\n')
        if newer:
            out.append(f'<a class="newer" href="{escape(newer.href)}" rel="prev">← {escape(newer.text)}</a>')
        if older:
            out.append(f'<a class="older" href="{escape(older.href)}" rel="next">{escape(older.text)} →</a>')
        out.append("</nav>\n")
    return _end(c, out)


# --- list.html.j2, index.html.j2 (pages after the first) and entries.html.j2 -------------


def listing(c: Mapping[str, Any]) -> str:
    """Return a page of a category's or a tag's listing as list.html.j2 renders it from context c (outputs.lists)."""
    site_title, title, number = escape(c["site"].title), escape(c["title"]), c["number"]
    out: list[str] = []
    _start(c, f"{title}{f' (page {escape(number)})' if number > 1 else ''} — {site_title}", out)
    out.append(f'<meta name="description" content="{title} from {site_title}">\n')
    _body(c, "", out)
    out.append(f'<h1 dir="auto">{title}</h1>\n')
    own = c["own_feeds"]
    if own:
        out.append('<p class="feeds">Subscribe: ')
        for feed in own:
            out.append(f'<a href="{escape(feed.href)}" type="{escape(feed.media_type)}">{escape(feed.label)}</a>')
        out.append("</p>\n")
    _entries(c, out)
    return _end(c, out)


def home_after_first(c: Mapping[str, Any]) -> str:
    """Return a page of the home listing after the first, as index.html.j2 renders it from context c."""
    site, number = c["site"], c["number"]
    assert number > 1  # the first page (feeds, digests) is Jinja2's
    out: list[str] = []
    _start(c, f"{escape(site.title)} (page {escape(number)})", out)
    out.append(f'<meta name="description" content="{escape(site.description)}">\n')
    _body(c, "", out)
    if c["entries"]:
        out.append('<section id="latest">\n<h2>Older entries</h2>\n')
        _entries(c, out)
        out.append("</section>\n")
    return _end(c, out)


def _entries(c: Mapping[str, Any], out: list[str]) -> None:
    """Write entries.html.j2: the entries of the page and its pager."""
    out.append('<ul class="entries">\n')
    whole_site = not c["listing"].folder
    for e in c["entries"]:
        title = escape(e.title)
        out.append(f'<li><a class="title" href="{escape(e.href)}" dir="auto">{title}</a><br>\n'
                   f'<span class="meta"><time datetime="{escape(e.published)}">{escape(e.day)}</time>')
        if whole_site:
            out.append(f' · <a href="{escape(e.category.href)}">{escape(e.category.text)}</a>')
        out.append("</span>\n")
        if e.summary and e.summary != e.title:
            out.append(f'<p dir="auto">{escape(e.summary)}</p>')
        out.append("</li>\n")
    out.append("</ul>\n")
    newer, older = c["newer"], c["older"]
    if newer or older:
        out.append('<nav class="pager" aria-label="Pages">\n')
        if newer:
            out.append(f'<a href="{escape(newer.href)}" rel="prev">← {escape(newer.text)}</a>')
        out.append(f'<span class="count">Page {escape(c["number"])} of {escape(c["count"])}</span>\n')
        if older:
            out.append(f'<a href="{escape(older.href)}" rel="next">{escape(older.text)} →</a>')
        out.append("</nav>\n")
