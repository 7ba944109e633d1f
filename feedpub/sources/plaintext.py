"""Understand documents written as plain text: trailers, header blocks, lists, paragraphs.

Newsroom copy often arrives as pasted text, not Markdown: a kicker and headline on top,
Unicode bullets, and a ``Date:`` / ``Source:`` trailer at the bottom. These pure functions
turn that into structure; they know nothing of files or configuration.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from feedpub.model import make

TRAILER_SCAN = 40  # lines from the end searched for Date:/Source:/Author:
_TRAILER = re.compile(r"^\s*(date|source|author)\s*:\s*(.*?)\s*$", re.IGNORECASE)
_BREAK = re.compile(r"^\s*(?:<br\s*/?>\s*)+$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[•·▪‣◦●○■□–\-\*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)]\s+(.*)$")
_URL = re.compile(r"https?://[^\s<>\"']+")
_ABBREV = re.compile(r"(?:\b[A-Z]\.)+$|\b(?:Mr|Mrs|Ms|Dr|Prof|Inc|Ltd|Co|Corp|St|vs|etc|No|Jr|Sr)\.$")
_SENTENCE_END = re.compile(r"[.!?](?=[\"”’)]?\s+[\"“‘(]?[A-Z0-9])")
_WS = re.compile(r"\s+")
# Characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/FFFF),
# plus DEL and the C1 controls, which are legal but never meant in an article.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Trailer:
    """The trailing ``Date:`` / ``Source:`` / ``Author:`` lines of a body."""

    date: str | None = None
    date_line: int | None = None  # 0-based line index within the body
    source: str | None = None
    author: str | None = None


_NO_TRAILER = Trailer()


def split_trailer(body: str) -> tuple[str, Trailer]:
    """Remove trailing Date:/Source:/Author: lines (and the <br/> between them) from body.

    Only the last lines can be a trailer, so the body is read from the end, at most
    TRAILER_SCAN lines one by one; everything above them counts as one piece (line numbers
    stay those of the whole body). Every document of an archive passes through here, and
    most end in running text: then only their last line or two are looked at.
    """
    if _ends_in_text(body):
        return body, _NO_TRAILER
    found, kept = _scan_trailer(body)
    if not found:
        return body, _NO_TRAILER
    date = found.get("date")
    return body[:kept], make(Trailer, {
        "date": date[0] if date else None,
        # 0-based line of the Date: line, or for one in the top piece, of that piece's last line
        "date_line": body.count("\n") - date[1] if date else None,
        "source": found["source"][0] if "source" in found else None,
        "author": found["author"][0] if "author" in found else None,
    })


def _ends_in_text(body: str) -> bool:
    """Whether body ends in the commonest way: a last line that cannot be part of a trailer.

    That is a last line with text but neither ':' (which every trailer line has) nor '<'
    (which every <br> has), within TRAILER_SCAN lines of the end. _scan_trailer would pass
    the blank lines under it and stop at it, having found nothing.
    """
    text_end = len(body.rstrip())  # rstrip() and strip() agree on what whitespace is
    if not text_end:
        return False
    start = body.rfind("\n", 0, text_end) + 1
    return (body.find(":", start, text_end) < 0 and body.find("<", start, text_end) < 0
            and body.count("\n", start) < TRAILER_SCAN)


def _scan_trailer(body: str) -> tuple[dict[str, tuple[str, int]], int]:
    """Return the trailer's key -> (value, lines between it and the end), and the length of the text above it.

    That length is 0 when every piece belongs to the trailer.
    """
    found: dict[str, tuple[str, int]] = {}
    end = len(body)
    for from_end in range(TRAILER_SCAN + 1):
        newline = body.rfind("\n", 0, end) if from_end < TRAILER_SCAN else -1
        if not _in_trailer(body[newline + 1:end], from_end, found):
            # the text above the trailer: the blank lines and <br/> just below it go too
            return found, end
        if newline < 0:
            break
        end = newline
    return found, 0


def _in_trailer(line: str, from_end: int, found: dict[str, tuple[str, int]]) -> bool:
    """Whether line, from_end lines above the end, belongs to the trailer; add its key and value to found."""
    if not line or line.isspace():
        return True  # a blank line belongs to the trailer (or to nothing)
    # every trailer line has a ':' and every <br> a '<': most lines need no regex
    m = _TRAILER.match(line) if ":" in line else None
    if m and m.group(1).lower() not in found and m.group(2):
        found[m.group(1).lower()] = (m.group(2), from_end)
        return True
    return "<" in line and _BREAK.match(line) is not None


_BLOCK_START = re.compile(r"^\s*(?:[#>|<*+\-•]|\d{1,3}[.)]\s|```|~~~)|^ {4}")
# A blank line and the first character of the line after it. Only where that character is a
# lowercase letter and the line before the blank one ends in a lowercase letter or comma can
# a paragraph be rejoined.
_BLANK_THEN = re.compile(r"\n[^\S\n]*\n(\S)")


def _may_join(text: str, blank: re.Match[str]) -> bool:
    """Whether the lines around a blank line are a first part and a second part to rejoin."""
    if not blank.group(1).islower():
        return False
    end = blank.start()
    before = text[text.rfind("\n", 0, end) + 1:end].rstrip()
    return before[-1:] in _JOINABLE_ENDS


_JOINABLE_ENDS = frozenset("abcdefghijklmnopqrstuvwxyz,")


def join_broken_paragraphs(text: str) -> str:
    """Rejoin a paragraph that pasting split mid-sentence ("companies in the" / "convention, …").

    Only when the first part ends in a lowercase letter or comma, the second starts with a
    lowercase letter, and neither is a heading, list, quote, table, HTML or code line.
    """
    if not any(_may_join(text, m) for m in _BLANK_THEN.finditer(text)):  # most bodies: the loop would join nothing
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            i + 2 < len(lines)
            and not lines[i + 1].strip()
            and line.rstrip()[-1:] in _JOINABLE_ENDS
            and lines[i + 2][:1].islower()
            and not _BLOCK_START.match(line)
            and not _BLOCK_START.match(lines[i + 2])
        ):
            lines[i + 2] = line.rstrip() + " " + lines[i + 2]
            i += 2
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


def clean_line(text: str) -> str:
    """Collapse whitespace (no-break spaces, newlines too), drop control characters, trim.

    Values from YAML need this even though the file was cleaned: a double-quoted YAML string
    can spell a control character as an escape ("\\a").
    """
    if text.isprintable():  # the common case: no control characters, no whitespace but ' '
        return " ".join(text.split()) if "  " in text else text.strip()
    return _WS.sub(" ", CONTROL.sub("", text).replace("\u00a0", " ")).strip()


def _title_like(line: str) -> bool:
    return bool(_title_text(line))


def _title_text(line: str) -> str:
    """Return the cleaned line when it could be a title (short, no sentence end, no list item), else ""."""
    s = clean_line(line)
    if (
        0 < len(s) <= 150
        and not s.endswith((".", "!", "?", ",", ";", ":"))
        and not s[0].islower()
        and not _BULLET.match(line)
        and not _NUMBERED.match(line)
    ):
        return s
    return ""


@dataclass(frozen=True)
class Header:
    """The header block on top of a plain-text document."""

    title: str | None
    kicker: tuple[str, ...]  # lines above the headline ("Market Intelligence")
    body: str  # what follows the header block
    lines_removed: int


def split_header(body: str) -> Header:
    """Find a header block: short title-like lines, blank-line separated, before the text.

    The headline is the last of them; lines above it are kickers/section labels. A short
    first line that runs straight on into a lowercase line is a wrapped paragraph, not a
    headline, so it is left alone. Only the lines on top are read (by offset): the body is
    neither split into lines nor joined again.
    """
    heads, rest_at = _header_lines(body)
    rest = body[rest_at:] if rest_at >= 0 else ""
    if not heads or not rest or rest.isspace():
        return Header(None, (), body, 0)
    text = rest.lstrip("\n")
    return Header(heads[-1], tuple(heads[:-1]), text, body.count("\n", 0, rest_at) + len(rest) - len(text))


def _header_lines(body: str) -> tuple[list[str], int]:
    """Return the cleaned title-like lines on top of body, and the offset of the line after them (-1: none)."""
    heads: list[str] = []
    start = 0  # offset of the line looked at; -1 past the last one
    rest_at = 0  # offset of the first line after the header block so far
    while start >= 0:
        newline = body.find("\n", start)
        after = newline + 1 if newline >= 0 else -1
        line = body[start:newline] if newline >= 0 else body[start:]
        if not line or line.isspace():
            start = after
            continue
        head = _title_text(line)
        if not head or _runs_on(body, after):
            break
        heads.append(head)
        start = rest_at = after
    return heads, rest_at


def _runs_on(body: str, at: int) -> bool:
    """Whether the line at offset at (-1: none) is running text, so that a short line above it starts a paragraph."""
    if at < 0:
        return False
    newline = body.find("\n", at)
    nxt = body[at:newline] if newline >= 0 else body[at:]
    return bool(nxt) and not nxt.isspace() and not _title_text(nxt)


def first_sentence(text: str) -> str:
    """Return the first sentence of text (abbreviations like 'U.S.' do not end it)."""
    s = clean_line(text)
    for m in _SENTENCE_END.finditer(s):
        end = m.end()
        # Whether an abbreviation ends there, asked of the last six characters only (searching
        # the whole sentence cost ~7 us): the longest ("Corp.") has five, and a chain like
        # "U.S." ends in a link "S." that matches alone. The \b before the window's first
        # character still sees the one before it (search() starts at pos in the whole text).
        if not _ABBREV.search(s, max(end - 6, 0), end):
            return s[:end]
    return s


def shorten(text: str, limit: int) -> str:
    """Shorten text to at most limit characters at a word boundary, ending with '…'."""
    return shorten_clean(clean_line(text), limit)


def shorten_clean(s: str, limit: int) -> str:
    """Shorten text that clean_line has already cleaned, as shorten() does (cleaning changes it no more)."""
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    if s[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


def _autolink(escaped: str) -> str:
    def link(m: re.Match[str]) -> str:
        url = m.group(0)
        tail = ""
        while url and url[-1] in ".,;:!?)":
            url, tail = url[:-1], url[-1] + tail
        return f'<a href="{url}">{url}</a>{tail}'

    return _URL.sub(link, escaped)


def _inline(text: str) -> str:
    return _autolink(html.escape(clean_line(text), quote=False))


def _is_heading(block: list[str], is_last: bool) -> bool:
    if len(block) != 1 or is_last:
        return False
    s = clean_line(block[0])
    return _title_like(block[0]) and len(s) <= 80 and " / " not in s


class _BlockWriter:
    """Turns the lines of one plain-text block into paragraphs and lists."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.para: list[str] = []
        self.items: list[str] = []
        self.kind = ""
        self.start = 1

    def flush_para(self) -> None:
        if self.para:
            self.out.append(f"<p>{_inline(' '.join(self.para))}</p>")
            self.para = []

    def flush_list(self) -> None:
        if self.items:
            attr = f' start="{self.start}"' if self.kind == "ol" and self.start != 1 else ""
            lis = "".join(f"<li>{i}</li>" for i in self.items)
            self.out.append(f"<{self.kind}{attr}>{lis}</{self.kind}>")
            self.items = []
        self.kind = ""

    def item(self, kind: str, text: str, number: int) -> None:
        self.flush_para()
        if self.kind != kind:
            self.flush_list()
            self.kind, self.start = kind, number
        self.items.append(_inline(text))

    def write(self, block: list[str]) -> None:
        for k, line in enumerate(block):
            bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
            if bullet:
                self.item("ul", bullet.group(1), 1)
                continue
            if numbered:
                self.item("ol", numbered.group(2), int(numbered.group(1)))
                continue
            if self.items and line[:1].isspace() and not self.para:
                self.items[-1] += " " + _inline(line)  # indented continuation of a list item
                continue
            self.flush_list()
            self.para.append(line)
            nxt = block[k + 1] if k + 1 < len(block) else ""
            # In pasted copy one line is one paragraph; a line that runs on in lowercase is
            # a hard-wrapped paragraph and continues.
            if not (nxt.strip() and nxt.lstrip()[:1].islower()):
                self.flush_para()
        self.flush_para()
        self.flush_list()


def to_html(body: str) -> str:
    """Turn plain text into HTML: paragraphs, headings, bullet and numbered lists.

    Every character of the text is escaped: markup in a plain-text document is shown as
    text, never interpreted.
    """
    blocks: list[list[str]] = [[]]
    for line in body.split("\n"):
        if clean_line(line):
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    out: list[str] = []
    writer = _BlockWriter(out)
    for n, block in enumerate(blocks):
        if _is_heading(block, n == len(blocks) - 1):
            out.append(f"<h2>{_inline(block[0])}</h2>")
        else:
            writer.write(block)
    return "\n".join(out)
