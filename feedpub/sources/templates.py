"""Template syntax that a generator would have run and feedpub never runs: Liquid, shortcodes, Go actions.

A Jekyll post may hold ``{% raw %}…{% endraw %}`` around text meant literally: the markers go,
the text stays. Hugo's escaped shortcode ``{{</* x */>}}`` stands for the literal ``{{< x >}}``.
Any other tag (``{% link … %}``, ``{{ site.x }}``, ``{{< youtube … >}}``, ``{{% note %}}``) is
found with its line, for ``check`` to report as ``template-syntax``, and is stripped from the
body or kept as text, as the ``template_syntax`` setting says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OPENING = re.compile(r"\{[{%#]")
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_ESCAPED_SHORTCODE = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
# Shortcodes first ({{< >}}, {{% %}}), then Liquid/Jinja/Nunjucks tags and comments, then
# output tags and Go template actions ({{ … }}), none spanning a blank line.
_TAG = re.compile(
    r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%-?(?:(?!\n\s*\n).)*?-?%\}|\{#(?:(?!\n\s*\n).)*?#\}|\{\{(?:(?!\n\s*\n).)*?\}\}",
    re.DOTALL,
)


@dataclass(frozen=True)
class Found:
    """A body with its raw blocks unwrapped, and the template tags left in it."""

    text: str
    tags: tuple[tuple[int, str], ...]  # (0-based line in text, the tag shortened)


def process(text: str, *, strip: bool) -> Found:
    """Unwrap raw blocks and escaped shortcodes; find (and with strip, remove) every other tag."""
    if text.find("{") < 0 or _OPENING.search(text) is None:
        return Found(text, ())  # nearly every document: one scan for one character
    pieces: list[str] = []
    tags: list[tuple[int, str]] = []
    at = 0
    line = 0
    for m in _RAW.finditer(text):
        piece, line = _tags(text[at:m.start()], line, tags, strip)
        pieces += (piece, m.group(1))
        line += m.group(0).count("\n")
        at = m.end()
    piece, _line = _tags(text[at:], line, tags, strip)
    pieces.append(piece)
    return Found("".join(pieces), tuple(tags))


def _tags(text: str, line: int, tags: list[tuple[int, str]], strip: bool) -> tuple[str, int]:
    """Return text with its tags handled, and the line after it; append the tags found."""
    literal: list[str] = []
    after = line + text.count("\n")

    def escaped(m: re.Match[str]) -> str:
        literal.append("{{" + m.group(1) + m.group(2) + m.group(3) + "}}")
        return f"\0{len(literal) - 1}\0"  # put back after the search for tags

    text = _ESCAPED_SHORTCODE.sub(escaped, text)
    for m in _TAG.finditer(text):
        tag = " ".join(m.group(0).split())
        tags.append((line + text.count("\n", 0, m.start()), tag if len(tag) <= 60 else tag[:57] + "..."))
    if strip:
        text = _TAG.sub("", text)
    for i, value in enumerate(literal):
        text = text.replace(f"\0{i}\0", value)
    return text, after
