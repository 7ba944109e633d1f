"""Front matter in every dialect static site generators write, split from the body and parsed.

This is the only module that imports python-frontmatter and PyYAML. The dialects:

- YAML between ``---`` lines (Jekyll, Hugo, Zola's older sites, Eleventy, Astro…), also with
  a language after the opening fence as gray-matter (Eleventy) allows: ``---yaml``, ``---json``;
  ``---js`` / ``---javascript`` is JavaScript, which feedpub never runs: an error naming the file.
- TOML between ``+++`` lines (Hugo, Zola), parsed with :mod:`tomllib`.
- JSON: an object whose ``{`` and ``}`` stand alone on the first line and a later one (Hugo).
- ``Key: value`` headers on the first lines, ended by a blank line (Pelican, MultiMarkdown):
  only when every key is one :mod:`feedpub.sources.conventions` knows and one is ``Title``
  (or the first is ``Title`` and another is known: Pelican's own keys, see ``_headers``),
  so a plain-text article that starts with "Market Intelligence: the week" is not misread.

A ``---`` or ``+++`` fence may have blank lines above it, as Hugo allows.

Nothing is inferred here: the mapping is what the front matter says.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import tomllib
from dataclasses import dataclass, replace
from typing import Any

import frontmatter
import yaml

from feedpub.errors import Problem, SourceError
from feedpub.model import Limits
from feedpub.sources.dates import FILENAME_DATE
from feedpub.sources.flat_yaml import FlatReader


class _YAML(frontmatter.default_handlers.YAMLHandler):
    """python-frontmatter's YAML handler, pinned to the safe C loader when PyYAML has it."""

    def load(self, fm: str, **_kwargs: object) -> Any:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(fm, Loader=loader)  # noqa: S506 - a safe loader, never the full one


class _TOML(frontmatter.default_handlers.BaseHandler):
    """TOML between ``+++`` fences (python-frontmatter's boundary), parsed by the standard tomllib."""

    FM_BOUNDARY = re.compile(r"^\+{3,}\s*$", re.MULTILINE)
    START_DELIMITER = END_DELIMITER = "+++"

    def load(self, fm: str, **_kwargs: object) -> Any:
        return tomllib.loads(fm)


class _KeepBadTimestamps(yaml.SafeLoader):
    """PyYAML's safe loader, except that an impossible timestamp (2022-02-30) stays text."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_KeepBadTimestamps.add_constructor("tag:yaml.org,2002:timestamp", _KeepBadTimestamps.construct_yaml_timestamp)
# a file or bundle whose name dates it (dates.FILENAME_DATE, without its '^')
_DATED_NAME = re.compile(rf"(?:^|/){FILENAME_DATE.pattern.removeprefix('^')}[^/]*(?:/index\.[a-z]+)?$")

YAML_HANDLER = _YAML()
TOML_HANDLER = _TOML()
JSON_HANDLER = frontmatter.default_handlers.JSONHandler()
_FLAT = FlatReader(yaml.resolver.Resolver.yaml_implicit_resolvers)

_JSON_END = re.compile(r"^\}\s*$", re.MULTILINE)  # as the other fences: a blank line below goes too
_LANGUAGE_FENCE = re.compile(r"---([A-Za-z]+)[ \t]*\n")
_LANGUAGES = {"yaml": "yaml", "yml": "yaml", "json": "json", "toml": "toml", "js": "js", "javascript": "js"}
# "Key: value"; "Tags:" with nothing after it is a key with an empty value (Pelican reads it so)
_HEADER = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(?:[ \t]+(\S.*?))?[ \t]*\n")
_CONTINUED = re.compile(r"[ ]{4,}(\S.*?)[ \t]*\n")
_YAML_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.MULTILINE)
_TOML_KEY = re.compile(r"^[ \t]*\"?([A-Za-z_][\w-]*)\"?[ \t]*=", re.MULTILINE)
_TOML_TABLE = re.compile(r"^[ \t]*\[+[ \t]*\"?([A-Za-z_][\w-]*)", re.MULTILINE)
_JSON_KEY = re.compile(r"^[ \t]*\"([^\"\n]+)\"[ \t]*:", re.MULTILINE)
_QUOTED = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\n]|'')*'")
# Two or more block entries opened on one line ("- - - a": a list in a list in a list)
_COMPACT = re.compile(r"^[ \t]*((?:[-?:][ \t]+){2,})", re.MULTILINE)


@dataclass(frozen=True)
class Split:
    """Where a document's front matter is, and in which dialect."""

    dialect: str  # "yaml", "toml", "json", "headers", "js", or "unclosed" (an error: see _unclosed)
    fm: str  # the front matter's text, without its fences (for "unclosed", the opening fence)
    fm_line: int  # file line of fm's first line
    body_start: int  # offset of the body in the text
    body_line: int  # file line on which the body starts
    fence_end: int  # offset just after the closing fence (the body may start a line below)
    fence_line: int = 1  # file line of the opening fence (below blank lines, not the first)


def split(text: str, header_keys: frozenset[str]) -> Split | None:
    """Find the front matter of a decoded text; None when it has none.

    header_keys: the keys ``Key: value`` headers may use (lower case).
    """
    first = text[:1]
    if first in _BLANK_STARTS:
        return _below_blank_lines(text, header_keys)
    if first == "-":
        if text.startswith("---"):
            return _fenced(text) or _unclosed(text, header_keys)
        return None
    if first == "+":
        return (_between(text, TOML_HANDLER, "toml") or _unclosed(text, header_keys)) if text.startswith("+++") \
            else None
    if first == "{":
        return _json(text) or _unclosed(text, header_keys)
    if first.isalpha():
        return _headers(text, header_keys)
    return None


_BLANK_STARTS = frozenset(("\n", " ", "\t", "\ufeff"))
# Whole blank lines (spaces, tabs and BOMs only) above a fence, and BOMs just before it
_ABOVE_FENCE = re.compile(r"(?:[ \t\ufeff]*\n)*\ufeff*")


def _below_blank_lines(text: str, header_keys: frozenset[str]) -> Split | None:
    """Split ``---`` or ``+++`` front matter whose opening fence has blank lines above it; None when none opens.

    Hugo's lexer (lexIntroSection) skips whitespace and BOMs before the fence, and editors and
    exporters leave a blank line there. Below blank lines a fence opens front matter only as
    an unclosed one would (see _unclosed: a language, or a key of its dialect on the first line
    of text below it), so a Markdown text that starts with a rule above prose stays text.
    JSON and headers are read at the top of the file only, as before.
    """
    above = _ABOVE_FENCE.match(text)
    assert above is not None  # the pattern matches the empty string
    at = above.end()
    if not text.startswith(("---", "+++"), at):
        return None
    rest = text[at:]
    end = rest.find("\n")
    language = _LANGUAGE_FENCE.match(rest)
    if not ((language is not None and language.group(1).lower() in _LANGUAGES)
            or (end >= 0 and _bare_fence_opens(rest, end, header_keys))):
        return None
    found = split(rest, header_keys)
    if found is None:
        return None
    lines = text.count("\n", 0, at)
    return replace(found, fm_line=found.fm_line + lines, body_start=found.body_start + at,
                   body_line=found.body_line + lines, fence_end=found.fence_end + at,
                   fence_line=found.fence_line + lines)


def _fenced(text: str) -> Split | None:
    """Split ``---`` front matter as python-frontmatter's YAML handler does (or ``---lang``)."""
    language = _LANGUAGE_FENCE.match(text)
    if language is not None and language.group(1).lower() in _LANGUAGES:
        dialect = _LANGUAGES[language.group(1).lower()]
        closing = YAML_HANDLER.FM_BOUNDARY.search(text, language.end())
        if closing is None:
            return None
        return _made(text, dialect, language.end(), closing.start(), closing.end())
    fence = YAML_HANDLER.FM_BOUNDARY
    opening = fence.match(text)
    if opening is None:
        return None
    # the handler's split(): the closing fence is the first later line its pattern matches,
    # and such a line starts with '---', so only those lines are tried
    at = opening.end() - 1
    while (at := text.find("\n---", at)) >= 0:
        at += 1
        closing = fence.match(text, at)
        if closing is not None:
            return _made(text, "yaml", opening.end(), closing.start(), closing.end())
    return None


def _between(text: str, handler: frontmatter.default_handlers.BaseHandler, dialect: str) -> Split | None:
    assert handler.FM_BOUNDARY is not None
    opening = handler.FM_BOUNDARY.match(text)
    if opening is None:
        return None
    closing = handler.FM_BOUNDARY.search(text, opening.end())
    if closing is None:
        return None
    return _made(text, dialect, opening.end(), closing.start(), closing.end())


def _json(text: str) -> Split | None:
    """Split Hugo's JSON front matter: '{' alone on the first line up to the first '}' alone on a line."""
    if not text.startswith(("{\n", "{ \n")):
        return None
    closing = _JSON_END.search(text)
    if closing is None:
        return None
    return _made(text, "json", 0, closing.start() + 1, closing.end())


_FIRST_TEXT_LINE = re.compile(r"^[ \t]*\S.*$", re.MULTILINE)
_YAML_KEY_LINE = re.compile(r"([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]|$)")
_OPENERS = (  # an opening fence, and what the first line of text below it is when it opens front matter
    (re.compile(r"-{3,}[ \t]*"), _YAML_KEY_LINE),
    (re.compile(r"\+{3,}[ \t]*"), re.compile(r"[ \t]*(?:\[|\"?[A-Za-z_][\w-]*\"?[ \t]*=)")),
    (re.compile(r"\{[ \t]*"), re.compile(r"[ \t]*\"[^\"\n]+\"[ \t]*:")),
)


def _unclosed(text: str, known: frozenset[str]) -> Split | None:
    """Return a Split of dialect "unclosed" when text opens front matter that no fence closes, else None.

    Such a document would otherwise be published with its fence as the title and its keys as
    text. A fence with a language (``---yaml``) always opens front matter. A bare fence does
    when the first line of text below it is a key of the fence's dialect: a TOML key or
    [table] below ``+++``, a quoted key below ``{``, and below ``---`` a YAML key that starts
    in lower case (as generators' keys do) or is one conventions know. So a Markdown rule
    ``---`` above prose stays the text's own, even above "Note: read this first".
    """
    end = text.find("\n")
    if end < 0:
        return None  # a fence alone opens nothing
    language = _LANGUAGE_FENCE.match(text)
    if (language is not None and language.group(1).lower() in _LANGUAGES) or _bare_fence_opens(text, end, known):
        return Split("unclosed", text[:end].rstrip(), 1, 0, 1, 0)
    return None


def _bare_fence_opens(text: str, end: int, known: frozenset[str]) -> bool:
    """Whether the fence line text[:end] opens front matter: the first line of text below it is a key of its dialect."""
    below = _FIRST_TEXT_LINE.search(text, end + 1)
    if below is None:
        return False
    for opener, first_line in _OPENERS:
        if opener.fullmatch(text, 0, end) is None:
            continue
        key = first_line.match(below.group(0))
        if key is None:
            return False
        return key.re is not _YAML_KEY_LINE or key.group(1)[0].islower() or key.group(1).lower() in known
    return False


def _made(text: str, dialect: str, fm_start: int, fm_end: int, body_start: int) -> Split:
    # the body starts after the closing fence, or on the line below it
    fence_end = body_start
    body_line = text.count("\n", 0, body_start) + 1
    if text.startswith("\n", body_start):
        body_start, body_line = body_start + 1, body_line + 1
    # fm's first line is the rest of the opening fence's line when the fence's pattern left
    # the newline in (then it is empty), else the line below the fence
    fm_line = text.count("\n", 0, fm_start) + 1
    return Split(dialect, text[fm_start:fm_end], fm_line, body_start, body_line, fence_end)


def _headers(text: str, known: frozenset[str]) -> Split | None:
    """Split Pelican / MultiMarkdown ``Key: value`` headers, when they say so; else None (the text is text).

    They say so when one key is Title and every key is known, or when the first is Title and
    another is known too: Pelican takes any key as the article's own metadata
    (``Version:``, ``Lang:``, ``Pagetitle:``…), and a site using some had its headers read as
    text. A line such as "Market Intelligence: the week" alone, or "Title:" above keys
    nobody knows, is still text.
    """
    at = 0
    keys: list[str] = []
    while True:
        m = _HEADER.match(text, at)
        if m is not None:
            keys.append(m.group(1).lower())
            at = m.end()
            continue
        if keys and (c := _CONTINUED.match(text, at)) is not None:
            at = c.end()
            continue
        break
    if "title" not in keys or not (set(keys) <= known or (keys[0] == "title" and len(set(keys) & known) >= 2)):
        return None
    if at < len(text) and not text.startswith("\n", at):
        return None  # headers end with a blank line (or the end of the file)
    body_start = at + 1 if at < len(text) else at
    return Split("headers", text[:at], 1, body_start, text.count("\n", 0, body_start) + 1, at)


def _nesting(fm: str) -> int:
    """Return the deepest nesting of flow collections ([ and {) outside quoted strings."""
    depth = deepest = 0
    for ch in _QUOTED.sub("", fm):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def _compact_nesting(fm: str) -> tuple[int, int]:
    """Return the most block collections one line of YAML opens at once, and that line's offset in fm.

    "- - - a" nests three lists at two bytes a level: a 64 KB front matter holds 30,000 levels,
    and libyaml's composer (recursive C) overflows the stack, killing the process, near 20,000.
    Nesting by indentation costs a line per level, so it cannot get that deep.
    """
    deepest, at = 0, 0
    for m in _COMPACT.finditer(fm):
        depth = sum(m.group(1).count(c) for c in "-?:")
        if depth > deepest:
            deepest, at = depth, m.start()
    return deepest, at


def parse(found: Split, rel: str, limits: Limits) -> tuple[dict[str, Any], dict[str, int]]:
    """Return the front matter's mapping and each key's file line; raise SourceError naming file:line."""
    fm, first = found.fm, found.fm_line
    if fm.startswith("\n"):
        first += 1  # the first line that can hold a key: what errors about the whole mapping name
    _refuse_unreadable(found, rel, limits, first)
    if found.dialect == "headers":
        return _parse_headers(fm)
    if found.dialect == "yaml":
        flat = _FLAT(fm)
        if flat is not None:
            return flat[0], {k: found.fm_line - 1 + n for k, n in flat[1].items()}
        _refuse_compact_nesting(found, rel, limits)
    meta = _mapping(_load(found, rel), rel, first)
    lines = {k: found.fm_line - 1 + n for k, n in key_lines(fm, found.dialect).items()}
    _refuse_long_numbers(meta, lines, fm, rel, first)
    return meta, lines


def _refuse_unreadable(found: Split, rel: str, limits: Limits, first: int) -> None:
    """Raise SourceError when front matter is unclosed, in JavaScript, too large or nested too deep to read."""
    fm = found.fm
    if found.dialect == "unclosed":
        closing = "}" if found.fm == "{" else found.fm[:3]
        raise SourceError([Problem(rel, found.fence_line, f"front matter opened at line {found.fence_line} by "
                                   f"{found.fm!r} is never closed (no {closing!r} line ends it)")])
    if found.dialect == "js":
        raise SourceError([Problem(rel, found.fence_line, "front matter in JavaScript (---js) is not read: feedpub "
                                   "never runs code; write it as YAML or ---json, or add the file to 'exclude'")])
    # an ASCII text is as long in UTF-8 as in characters (isascii() reads a flag: no scan)
    if (len(fm) if fm.isascii() else len(fm.encode("utf-8"))) > limits.max_front_matter_bytes:
        raise SourceError([Problem(rel, found.fence_line, f"front matter is larger than the limit of "
                                   f"{limits.max_front_matter_bytes // 1024} KB (max_front_matter_kb)")])
    if ("[" in fm or "{" in fm) and (deepest := _nesting(fm)) > limits.max_nesting:
        raise SourceError([Problem(rel, first, f"front matter nests {deepest} levels deep; "
                                   f"the limit is {limits.max_nesting}")])


def _refuse_compact_nesting(found: Split, rel: str, limits: Limits) -> None:
    """Raise SourceError when one line of YAML nests block collections deeper than the limit.

    Only what PyYAML reads can be nested so (the flat reader takes no lists).
    """
    deepest, at = _compact_nesting(found.fm)
    if deepest > limits.max_nesting:
        raise SourceError([Problem(rel, found.fm_line + found.fm.count("\n", 0, at), f"front matter nests {deepest} "
                                   f"levels deep on one line; the limit is {limits.max_nesting}")])


def _mapping(meta: Any, rel: str, first: int) -> dict[str, Any]:
    """Return loaded front matter as a mapping of string keys ({} when empty); raise SourceError if it is not one."""
    if meta is None:
        return {}
    if not isinstance(meta, dict):
        raise SourceError(
            [Problem(rel, first, f"front matter must be a mapping of keys, not a {type(meta).__name__}")]
        )
    bad_keys = [k for k in meta if not isinstance(k, str)]
    if bad_keys:
        raise SourceError([Problem(rel, first, f"front matter key {bad_keys[0]!r} is not a string")])
    return meta


def _refuse_long_numbers(meta: dict[str, Any], lines: dict[str, int], fm: str, rel: str, first: int) -> None:
    """Raise SourceError naming the first key whose value holds an int too long to read or show."""
    # a hexadecimal number needs more than 4 characters for every 5 decimal digits: shorter front
    # matter holds none too long
    if _MAX_DIGITS and len(fm) > _MAX_DIGITS * 4 // 5:
        long_key = next((k for k, v in meta.items() if _has_long_number(v)), None)
        if long_key is not None:
            raise SourceError([Problem(rel, lines.get(long_key, first), f"'{long_key}' holds {_TOO_LONG}")])


# Python reads and writes an int of at most this many decimal digits (0: any); one more
# digit raises ValueError, so a longer number in front matter could be neither read nor shown.
_MAX_DIGITS = sys.get_int_max_str_digits()
_TOO_LONG = f"a number of more than {_MAX_DIGITS} digits: too long to read (quote it to keep it as text)"
_LONG_DIGITS = re.compile(rf"[0-9][0-9_]{{{_MAX_DIGITS},}}" if _MAX_DIGITS else r"(?!)")
_LINE_KEY = re.compile(r"[ \t]*[\"']?([A-Za-z_][\w-]*)[\"']?[ \t]*[:=]")


def _has_long_number(value: object) -> bool:
    """Whether value is or holds an int of more than _MAX_DIGITS decimal digits (a 0x… one can be)."""
    if isinstance(value, int):
        return not isinstance(value, bool) and abs(value) >= 10 ** _MAX_DIGITS
    if isinstance(value, dict):
        return any(_has_long_number(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_long_number(v) for v in value)
    return False


def _long_number(fm: str, first: int) -> tuple[int, str] | None:
    """Return the file line and message of the first decimal number in fm too long to read, or None."""
    m = _LONG_DIGITS.search(fm)
    if m is None or len(m.group(0).replace("_", "")) <= _MAX_DIGITS:
        return None
    start = fm.rfind("\n", 0, m.start()) + 1
    key = _LINE_KEY.match(fm, start)
    line = first + fm.count("\n", 0, m.start())
    return line, f"'{key.group(1)}' holds {_TOO_LONG}" if key is not None else _TOO_LONG


def _load(found: Split, rel: str) -> Any:
    fm, first = found.fm, found.fm_line
    try:
        if found.dialect == "toml":
            return TOML_HANDLER.load(fm)
        if found.dialect == "json":
            return JSON_HANDLER.load(fm)
        return YAML_HANDLER.load(fm)
    except yaml.YAMLError as e:
        raise _yaml_problem(e, rel, first) from None
    except tomllib.TOMLDecodeError as e:
        raise _toml_problem(e, rel, first) from None
    except json.JSONDecodeError as e:
        raise SourceError([Problem(rel, first - 1 + e.lineno, f"invalid JSON front matter: {e.msg}")]) from None
    except (ValueError, TypeError, OverflowError) as e:
        return _load_despite(found, rel, e)
    except RecursionError:
        raise SourceError([Problem(rel, first, "front matter is nested too deeply")]) from None


def _yaml_problem(e: yaml.YAMLError, rel: str, first: int) -> SourceError:
    """Return the error naming the file line PyYAML's mark points at (else the first line)."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    line = first + mark.line if mark is not None else first
    problem = getattr(e, "problem", None) or str(e).splitlines()[0]
    return SourceError([Problem(rel, line, f"invalid YAML front matter: {problem}")])


def _toml_problem(e: tomllib.TOMLDecodeError, rel: str, first: int) -> SourceError:
    """Return the error naming the file line of tomllib's message ("... (at line N, column M)")."""
    m = re.search(r"at line (\d+)", str(e))
    line = first - 1 + int(m.group(1)) if m else first
    return SourceError([Problem(rel, line, f"invalid TOML front matter: {str(e).split(' (at ')[0]}")])


def _load_despite(found: Split, rel: str, e: ValueError | TypeError | OverflowError) -> Any:
    """Return what front matter holding a value Python cannot build still gives, or raise SourceError naming it."""
    fm, first = found.fm, found.fm_line
    long_number = _long_number(fm, first)
    if long_number is not None:
        raise SourceError([Problem(rel, *long_number)]) from None
    # PyYAML raises ValueError when it builds an impossible timestamp like 2022-02-30. In
    # a file whose name carries a date, the value stays text: normalise then dates it by
    # the name, and check says why (a typo does not stop a whole archive).
    if found.dialect == "yaml" and _DATED_NAME.search(rel):
        try:
            return yaml.load(fm, Loader=_KeepBadTimestamps)  # noqa: S506 - a safe loader
        except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
            pass
    at, value = _bad_date(fm)
    line = first - 1 + at if at is not None else None
    why = "UTC offset out of range" if "offset" in str(e) else str(e)
    raise SourceError([Problem(rel, line, f"invalid date in front matter: {value} ({why})")]) from None


_DATE_VALUE = re.compile(r"^\w+\s*[:=]\s*['\"]?((\d{4})-(\d{1,2})-(\d{1,2})[^'\"\n#]*)", re.MULTILINE)


def _bad_date(fm: str) -> tuple[int | None, str]:
    """Return the line (in ``fm``) and quoted text of its impossible date, else of its first date.

    The message names the value so that the user sees *which* date is wrong ("2024-02-30"),
    not only the parser's reason ("day is out of range for month").
    """
    found = list(_DATE_VALUE.finditer(fm))
    for m in found:
        try:
            dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        except ValueError:
            break
    else:
        if not found:
            return None, "a date"
        m = found[0]
    return fm.count("\n", 0, m.start()) + 1, f'"{m.group(1).strip()}"'


def _parse_headers(fm: str) -> tuple[dict[str, Any], dict[str, int]]:
    """Read ``Key: value`` headers as Pelican does: keys in lower case, values as text."""
    meta: dict[str, Any] = {}
    lines: dict[str, int] = {}
    key = ""
    for number, line in enumerate(fm.split("\n"), 1):
        m = _HEADER.match(line + "\n")
        if m is not None:
            key = m.group(1).lower()
            meta[key], lines[key] = m.group(2) or "", number
        elif line.strip() and key:
            meta[key] = f"{meta[key]} {line.strip()}"  # a continuation line
    return meta, lines


def key_lines(fm: str, dialect: str = "yaml") -> dict[str, int]:
    """Map each top-level key that starts a line of front matter to that line (the last one if repeated)."""
    if dialect == "toml":
        table = _TOML_TABLE.search(fm)  # keys below the first [table] are that table's
        top = table.start() if table is not None else len(fm)
        found = {m.group(1): fm.count("\n", 0, m.start()) + 1 for m in _TOML_KEY.finditer(fm, 0, top)}
        for m in _TOML_TABLE.finditer(fm):  # [taxonomies], [extra], [[…]]
            found.setdefault(m.group(1), fm.count("\n", 0, m.start()) + 1)
        return found
    pattern = _JSON_KEY if dialect == "json" else _YAML_KEY
    return {m.group(1): fm.count("\n", 0, m.start()) + 1 for m in pattern.finditer(fm)}
