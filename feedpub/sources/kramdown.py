"""kramdown's attribute lists and extensions, which Jekyll's Markdown runs and GFM shows as text.

kramdown (Jekyll's default Markdown) styles the element before it with an inline attribute
list: a block IAL on a line of its own (``{: .notice--info}`` under a paragraph, or above the
block it styles) and a span IAL right after an element (``![a](x.png){: .align-center}``,
``[b](url){:target="_blank"}``). Its extensions ``{::options … /}``, ``{::comment}…{:/comment}``
and ``{::nomarkdown}…{:/}`` set options, hide text and pass text through. A feed has no
classes to give and no options to set, so they go, as kramdown removes them from the page.

What kramdown itself would show stays: a span IAL after plain text (``text{: .x}``),
``{:`` inside a sentence (Python's ``"{:.2f}"``), and anything inside code. Every line of
the body stays (a removed line is a blank one, which ends a paragraph as the IAL line did),
so what ``check`` reports is still at its line in the file.
"""

from __future__ import annotations

import re

from feedpub.sources import templates

_ATTRS = r"(?![:/])(?:\\\}|[^}\n])+"  # kramdown's ALD_ANY_CHARS, not starting an extension
# a line that is only an IAL (or an attribute list definition, {:name: …}), in a quote or list too
_BLOCK_IAL = re.compile(r"^((?:[ \t]*>)*)[ \t]*\{:" + _ATTRS + r"\}[ \t]*$", re.MULTILINE)
# right after an element: a link or image, emphasis, inline HTML, a code span (maybe put aside: \0)
_SPAN_IAL = re.compile(r"(?<=[)\]*_>`\0])\{:" + _ATTRS + r"\}")
# {::name attrs /} alone, or {::name attrs}body{:/name} (kramdown's EXT_START_STR and EXT_STOP_STR)
_EXTENSION = re.compile(r"\{::(comment|nomarkdown|options)(?:\s(?:\\\}|[^}])*?)?"
                        r"(?:/\}|\}(?P<body>.*?)\{:/(?:\1)?\})", re.DOTALL)


def strip(text: str) -> str:
    """Return Markdown text without kramdown's attribute lists and extensions outside code, every line kept."""
    if "{:" not in text:
        return text  # nearly every document: one search
    if "`" in text or "~~~" in text:
        return templates.outside_code(text, _stripped)  # a code span put aside ends in NUL: see _SPAN_IAL
    return _stripped(text)


def _stripped(text: str) -> str:
    """Return text (its code put aside) without attribute lists and extensions."""
    text = _EXTENSION.sub(_extension, text)
    return _SPAN_IAL.sub("", _BLOCK_IAL.sub(r"\1", text))


def _extension(m: re.Match[str]) -> str:
    """Return what an extension leaves: a nomarkdown block's text, else its lines, blank."""
    if m.group(1) == "nomarkdown" and m.group("body") is not None:
        return str(m.group("body"))
    return "\n" * m.group(0).count("\n")
