"""Inline the digest's CSS into style attributes, for mail clients that drop <style>.

The only module that imports premailer. premailer's defaults are wrong for us in three ways,
each fixed here: it downloads linked stylesheets (``allow_network``), it logs every CSS
property cssutils does not know, and it rewrites ESP merge tags in links (with a
``base_url`` ``*|UNSUB|*`` becomes ``https://…/*|UNSUB|*``, and libxml2 percent-encodes
``{{ UnsubscribeURL }}`` in any href). Merge tags are therefore swapped for plain-word
placeholders before inlining and put back, byte for byte, afterwards.

A ``<style data-premailer="ignore">`` block (media queries, dark mode) is kept verbatim in
the head: those rules cannot be inlined and must still reach the clients that honour them.

premailer also copies ``background-color``, ``vertical-align`` and ``text-align`` into the
old ``bgcolor``, ``valign`` and ``align`` attributes of *every* styled element. Outlook for
Windows reads them on table cells (a button's colour comes from its cell's ``bgcolor``), but
on a link, an image or a div HTML has no such attribute and the Nu checker refuses the page;
they are only added where HTML defines them.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import TYPE_CHECKING

from feedpub.errors import OutputError, Problem

if TYPE_CHECKING:
    from lxml import etree

# Mailchimp *|TAG|* / *|IF:X|*, and the {{ … }} / {% … %} of listmonk (Go templates),
# Buttondown (Django) and most others.
MERGE_TAG = re.compile(r"\*\|[^|*\s]+\|\*|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
# What would make premailer or cssutils load a stylesheet: refused, not silently left in.
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
_LINKED = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?[^>]*stylesheet", re.IGNORECASE)


def protect(html: str) -> tuple[str, list[str]]:
    """Replace every merge tag with a placeholder word; return the new HTML and the tags."""
    prefix = "feedpubmergetag"
    while prefix in html:  # never collide with text already in the document
        prefix += "x"
    tags: list[str] = []

    def hide(m: re.Match[str]) -> str:
        tags.append(m.group(0))
        return f"{prefix}{len(tags) - 1}z"

    return MERGE_TAG.sub(hide, html), [prefix, *tags]


def restore(html: str, saved: list[str]) -> str:
    """Put back the merge tags that protect() took out; raise if any went missing."""
    prefix, tags = saved[0], saved[1:]
    found: list[int] = []

    def show(m: re.Match[str]) -> str:
        found.append(int(m.group(1)))
        return tags[int(m.group(1))]

    out = re.sub(rf"{prefix}(\d+)z", show, html)
    if sorted(found) != list(range(len(tags))):
        raise OutputError([Problem("digest", None, "the inliner lost or duplicated a merge tag")])
    return out


# Where HTML defines each presentational attribute premailer writes (the "obsolete but
# conforming" features of the HTML standard, §16.2); anywhere else it is invalid.
_CELLS = frozenset(("tbody", "thead", "tfoot", "tr", "td", "th", "col", "colgroup"))
DEFINED_ON: dict[str, frozenset[str]] = {
    "bgcolor": frozenset(("body", "table", "tr", "td", "th")),
    "valign": _CELLS,
    "align": _CELLS | {"caption", "div", "embed", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "iframe", "img",
                       "input", "legend", "object", "p", "table"},
}


@functools.cache
def _inliner() -> type:
    """Return premailer's Premailer, writing bgcolor/valign/align only where HTML defines them."""
    import premailer.premailer

    class Inliner(premailer.Premailer):  # type: ignore[misc]  # premailer has no type hints
        # premailer's hook for these attributes (3.10): called once per styled element, after
        # its style is merged; what it writes on the wrong element is put back as it was
        def _style_to_basic_html_attributes(self, element: etree.ElementBase, style_content: str,
                                            force: bool = False) -> None:
            before = {name: element.get(name) for name in DEFINED_ON}
            super()._style_to_basic_html_attributes(element, style_content, force)
            for name, tags in DEFINED_ON.items():
                if element.tag not in tags and element.get(name) != before[name]:
                    if before[name] is None:
                        del element.attrib[name]
                    else:
                        element.set(name, before[name])

    return Inliner


def inline(html: str, source: str = "digest template") -> str:
    """Return html with its <style> rules inlined; never touches the network."""
    if _LINKED.search(html) or any("@import" in m.group(1) for m in _STYLE.finditer(html)):
        raise OutputError([Problem(source, None, "links an external stylesheet (<link rel=stylesheet> "
                                   "or @import); put the CSS in the template, it is never fetched")])
    # imported here, not at the top: premailer brings requests and cssutils, which a rebuild
    # that finds the inlined digest in the build cache never needs
    import premailer.premailer

    hidden, saved = protect(html)
    try:
        inliner = _inliner()(
            hidden,
            base_url=None,  # links are absolute already; a base_url would prefix merge tags
            disable_link_rewrites=True,
            allow_network=False,
            allow_loading_external_files=False,
            disable_validation=True,  # email CSS (mso-*, -webkit-*) is not valid CSS 2.1
            cssutils_logging_level=logging.CRITICAL,
            strip_important=False,  # the kept media queries need !important to beat inline styles
            keep_style_tags=False,
            remove_classes=False,  # the media queries select by class
            exclude_pseudoclasses=True,
            disable_basic_attributes=["width", "height"],  # keep the template's pixel widths for Outlook
            # align="left|right" on floated images, for Outlook: finding them has cssutils
            # validate every image's style (a costly set-up), so only when some CSS floats
            align_floating_images="float" in hidden,
        )
        out = inliner.transform()
    except (premailer.premailer.ExternalNotFoundError, ValueError, OSError) as e:
        raise OutputError([Problem(source, None, f"cannot inline the CSS: {e} "
                                   "(put the CSS in the template; stylesheets are never fetched)")]) from None
    return restore(out, saved)
