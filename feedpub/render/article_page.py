"""The shipped article template (``article.html.j2`` in ``base.html.j2``) written in Python: the same bytes, faster.

An article page is made for every document of a site, and Jinja2 spent ~110 µs on each
(an autoescape call and an attribute lookup per expression, a generator per block): a fifth
of a cold build. This module writes the same page directly. It is used only while the
templates a page would be rendered from are the shipped ones, byte for byte: their hashes
are recorded below, so a user's ``article.html.j2`` or ``base.html.j2`` in ``templates_dir``
(or an edit of the shipped files) goes back to Jinja2 by itself, never to a stale copy.

Changing ``templates/article.html.j2`` or ``templates/base.html.j2``: change :func:`html`
alike and record the new hashes (``tests/test_article_page.py`` renders both ways over many
pages and fails on any difference, and fails while the hashes are not the shipped files').
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TEMPLATES = {  # the shipped templates this module writes, by name: their SHA-256
    "article.html.j2": "161b8dba6ab7881d3adaf5db9ede0a76a1446fa2adc3463a6b78c92ec1f4927b",
    "base.html.j2": "4b5e6a8eb4414f4b6a629743f02643213d6917e8b5b7b24f62a5ae967db09784",
}


def escape(value: Any) -> str:
    """Return value as Jinja2's autoescaping prints it: markup (``__html__``) as it is, else its text escaped.

    markupsafe's rule and entities (``&#34;``, ``&#39;``), without making a Markup object of
    each value: that was most of what this module saves.
    """
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return str(value.__html__())
        value = str(value)
    if "&" in value:
        value = value.replace("&", "&amp;")
    return value.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def html(c: Mapping[str, Any]) -> str:
    """Return the article page the shipped templates render from context c (see pages.context)."""
    site, entry = c["site"], c["entry"]
    title, description, canonical = escape(c["title"]), escape(c["description"]), escape(c["canonical"])
    site_title, home = escape(site.title), escape(c["home"])
    category = c["category"]
    category_href, category_text = escape(category.href), escape(category.text)
    published = escape(c["published"])
    out = [
        f'<!DOCTYPE html>\n<html lang="{escape(site.language)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{title} — {site_title}</title>\n'
        '<meta name="generator" content="feedpub">\n<meta name="color-scheme" content="light dark">\n',
    ]
    if canonical:
        out.append(f'<link rel="canonical" href="{canonical}">\n')
    for feed in c["alternates"]:
        out.append(f'<link rel="alternate" type="{escape(feed.media_type)}" title="{escape(feed.title)}" '
                   f'href="{escape(feed.href)}">\n')
    out.append(
        f'<link rel="stylesheet" href="{escape(c["stylesheet"])}">\n'
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
    out.append(f'</head>\n<body>\n<header class="site-header">\n<a class="site-title" href="{home}">{site_title}</a>\n'
               f'<a href="{category_href}">{category_text}</a>\n</header>\n<main>\n<article>\n'
               f'<h1 dir="auto">{title}</h1>\n'
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
    described = f" — {escape(site.description)}" if site.description else ""
    out.append(f'</main>\n<footer class="site-footer">\n<p>{site_title}{described}. '
               f'<a href="{home}#feeds">Subscribe</a>.</p>\n</footer>\n</body>\n</html>\n')
    return "".join(out)
