"""Template syntax that a generator would have run and feedpub never runs: Liquid, shortcodes, Go actions.

A Jekyll post may hold ``{% raw %}…{% endraw %}`` around text meant literally: the markers go,
the text stays. Hugo's escaped shortcode ``{{</* x */>}}`` stands for the literal ``{{< x >}}``, and a quoted
path through a base-URL filter (``{{ "/a.png" | relative_url }}``) for the path.
Any other tag (``{% link … %}``, ``{{ site.x }}``, ``{{< youtube … >}}``, ``{{% note %}}``) is
found with its line, for ``check`` to report as ``template-syntax``, and is stripped from the
body or kept as text, as the ``template_syntax`` setting says.

In Markdown, code (a fenced block, an inline code span) is text an author shows: a Hugo post
about templates shows ``{{ .Title }}`` there, and Hugo publishes it as written (it runs
shortcodes in content, never Go templates). So inside code only shortcodes (which Hugo runs
even there) and raw markers are handled; every other tag is code, kept and not reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_OPENING = re.compile(r"\{[{%#]")
_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_ESCAPED_SHORTCODE = re.compile(r"\{\{([<%])/\*(.*?)\*/([>%])\}\}", re.DOTALL)
# A quoted path through the filter that puts the site's base before it (Jekyll's relative_url and
# absolute_url, prepend: site.baseurl; Eleventy's url): the path is what feedpub makes absolute
# against base_url anyway, so the tag stands for its path (![x]({{ "/a.png" | relative_url }}))
_BASED_PATH = re.compile(
    r"\{\{-?\s*([\"'])([^\"'{}\n]*)\1\s*\|\s*(?:relative_url|absolute_url|url|prepend:\s*site\.baseurl)\s*-?\}\}")
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


def process(text: str, *, strip: bool, markdown: bool = False) -> Found:
    """Unwrap raw blocks and escaped shortcodes; find (and with strip, remove) every other tag.

    markdown: the text is Markdown, whose code keeps its tags (see the module's docstring).
    """
    if text.find("{") < 0 or _OPENING.search(text) is None:
        return Found(text, ())  # nearly every document: one scan for one character
    shown: list[str] = []
    if markdown and ("highlight" in text or "codeblock" in text):
        text = _HIGHLIGHT.sub(_fenced, text)
    if markdown and ("`" in text or "~~~" in text):
        text = _code_kept(text, shown)
    found = _processed(text, strip)
    if not shown:
        return found
    kept = found.text
    for i, tag in enumerate(shown):
        kept = kept.replace(_placeholder(i, tag), tag, 1)
    return Found(kept, found.tags)


def _placeholder(i: int, tag: str) -> str:
    """Return what stands for the i-th tag put aside: as many lines as the tag, so later tags keep their lines."""
    return f"\0c{i}" + "\n" * tag.count("\n") + "\0"


# Jekyll's {% highlight ruby %}…{% endhighlight %} (Octopress's {% codeblock %}): a code block, as Jekyll
# renders it; written as a fence, its lines are code (kept as written) and keep their numbers
_HIGHLIGHT = re.compile(r"\{%-?\s*(highlight|codeblock)\b[ \t]*([\w+#.-]*)[^%\n]*?-?%\}[ \t]*\n?(.*?)"
                        r"\{%-?\s*end\1\s*-?%\}", re.DOTALL)


def _fenced(m: re.Match[str]) -> str:
    """Return a highlight block as a fenced code block (a fence longer than any run of backticks in it)."""
    code = m.group(3)
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`+", code))])
    end = "" if code.endswith("\n") else "\n"
    return f"{fence}{m.group(2)}\n{code}{end}{fence}"


# a fence: three or more backticks or tildes (CommonMark 4.5), indented any depth (inside a list item)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
# an inline code span: a run of backticks, text not spanning a blank line, the same run (CommonMark 6.1)
_SPAN = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
_RUN_BY_HUGO = re.compile(r"\{\{[<%]|\{%-?\s*(?:end)?raw\s*-?%\}")  # shortcodes and raw markers


def _code_kept(text: str, shown: list[str]) -> str:
    """Return text with each tag inside code (not a shortcode, not a raw marker) put aside in shown.

    Each is replaced by a placeholder (NUL never reaches a body: load strips control
    characters) that process() puts back once the tags outside code are handled.
    """
    def aside(code: str) -> str:
        def one(m: re.Match[str]) -> str:
            if _RUN_BY_HUGO.match(m.group(0)):
                return m.group(0)
            shown.append(m.group(0))
            return _placeholder(len(shown) - 1, m.group(0))
        return _TAG.sub(one, code)

    return code_mapped(text, aside)


def outside_code(text: str, change: Callable[[str], str]) -> str:
    """Return Markdown text with change applied outside its code only (code is what the author shows as written)."""
    kept: list[str] = []

    def aside(code: str) -> str:
        kept.append(code)
        return _aside_mark(len(kept) - 1, code)

    changed = change(code_mapped(text, aside))
    for i, code in enumerate(kept):
        changed = changed.replace(_aside_mark(i, code), code, 1)
    return changed


def _aside_mark(i: int, code: str) -> str:
    """Return what stands for the i-th piece of code outside_code put aside: NUL-delimited, as many lines."""
    return f"\0o{i}" + "\n" * code.count("\n") + "\0"


def code_mapped(text: str, code: Callable[[str], str]) -> str:
    """Return Markdown text with each piece of code (a fenced block's lines, a code span) replaced by code(piece).

    The fence lines themselves are no code: an info string is the author's, not shown.
    """
    pieces: list[str] = []
    fence = ""  # the open fence's run, while inside a fenced block
    lines: list[str] = []  # of the prose, or of the fenced block, since the last fence
    for line in text.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line[m.end():].strip():
                pieces += (code("".join(lines)), line)
                fence, lines = "", []
                continue
        elif m and not (m.group(1)[0] == "`" and "`" in line[m.end():]):  # a backtick fence's info has none
            pieces += (_SPAN.sub(lambda s: code(s.group(0)), "".join(lines)), line)
            fence, lines = m.group(1), []
            continue
        lines.append(line)
    # a block left open runs to the end of the document (CommonMark 4.5)
    rest = "".join(lines)
    pieces.append(code(rest) if fence else _SPAN.sub(lambda s: code(s.group(0)), rest))
    return "".join(pieces)


def _processed(text: str, strip: bool) -> Found:
    """Unwrap raw blocks and escaped shortcodes; find (and with strip, remove) every other tag."""
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
    if "|" in text:
        text = _BASED_PATH.sub(lambda m: m.group(2), text)
    for m in _TAG.finditer(text):
        tag = " ".join(m.group(0).split())
        tags.append((line + text.count("\n", 0, m.start()), tag if len(tag) <= 60 else tag[:57] + "..."))
    if strip:
        text = _TAG.sub("", text)
    for i, value in enumerate(literal):
        text = text.replace(f"\0{i}\0", value)
    return text, after
