"""Feed clients of several ecosystems, each reduced to what it shows of an entry.

feedparser (Python) reads Atom and RSS; Debian's sfeed (C) reads Atom and RSS; Node's
@extractus/feed-extractor reads all three formats and rss-parser Atom and RSS (both from
tests/node, installed by .ci/run); a JSON Feed is also read as the spec says, with json.
:func:`agree` reads the three files of every feed of a build with each of them and asserts
that every client shows every entry the same in every format it reads.
"""

from __future__ import annotations

import calendar
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from lxml import etree

from tests import feedcheck

NODE_DIR = Path(__file__).resolve().parent / "node"
_TAG = re.compile(r"<[^>]*>")
FORMATS = {"atom": "atom.xml", "rss": "rss.xml", "json": "feed.json"}


@dataclass(frozen=True)
class Seen:
    """One entry as a client shows it."""

    title: str
    link: str
    id: str
    published: int  # seconds since the epoch
    authors: tuple[str, ...]
    categories: tuple[str, ...]


def need(tool: str) -> None:
    """Skip the test when tool is missing, except under CI (CI=true), where that fails."""
    if shutil.which(tool) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is not installed (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")


def _node_ready() -> None:
    need("node")
    if not (NODE_DIR / "node_modules" / "rss-parser").is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail("tests/node has no node_modules: .ci/run runs 'npm ci' there")
        pytest.skip("tests/node has no node_modules (cd tests/node && npm ci)")


def _epoch(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def read_feedparser(path: Path) -> list[Seen]:
    """Return the entries of an Atom or RSS file as feedparser shows them (bozo must be 0)."""
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    return [
        Seen(_shown(e), e.get("link", ""), e.get("id", ""), calendar.timegm(e.published_parsed),
             tuple(a.get("name", "") for a in e.get("authors", [])),
             tuple(t.term for t in e.get("tags", [])))
        for e in parsed.entries
    ]


def _shown(entry: Any) -> str:
    """Return the text a reader shows for a feedparser title: HTML titles as their text."""
    title = entry.get("title", "")
    if entry.get("title_detail", {}).get("type") == "text/html":
        return as_text(title)
    return str(title)


def as_text(markup: str) -> str:
    """Return the text a reader shows for HTML (tags dropped, references resolved)."""
    return html.unescape(_TAG.sub("", markup))


def html_titles(atom: Path) -> set[str]:
    """Return the ids of the entries of an Atom file whose title is declared type="html"."""
    root = etree.parse(str(atom)).getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    return {e.findtext("a:id", namespaces=ns) or "" for e in root.findall("a:entry", ns)
            if e.find("a:title", ns).get("type") == "html"}


def _titles_as_text(seen: list[Seen], ids: set[str]) -> list[Seen]:
    """Show the titles of ids as text: sfeed and rss-parser hand over an HTML title's markup."""
    return [replace(s, title=as_text(s.title)) if s.id in ids else s for s in seen]


def read_json(path: Path) -> list[Seen]:
    """Return the entries of a JSON Feed as the JSON Feed 1.1 spec reads them."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Seen(i.get("title", ""), i.get("url", ""), i["id"], _epoch(i["date_published"]),
             tuple(a["name"] for a in i.get("authors", [])), tuple(i.get("tags", [])))
        for i in data["items"]
    ]


def read_sfeed(path: Path) -> list[Seen]:
    """Return the entries of an Atom or RSS file as sfeed shows them (its TSV, one line each).

    sfeed has one author field: the first author (see its man page); it separates
    categories with '|'.
    """
    need("sfeed")
    out = subprocess.run(["sfeed"], input=path.read_bytes(), capture_output=True, check=True).stdout
    seen = []
    for line in out.decode("utf-8").splitlines():
        f = line.split("\t")
        seen.append(Seen(_unescape_sfeed(f[1]), f[2], f[5], int(f[0]), (_unescape_sfeed(f[6]),) if f[6] else (),
                         tuple(_unescape_sfeed(c) for c in f[8].split("|")) if f[8] else ()))
    return seen


def _unescape_sfeed(text: str) -> str:
    """Undo sfeed's escapes of TAB, newline and backslash in a field."""
    return text.replace("\\t", "\t").replace("\\n", "\n").replace("\\\\", "\\")


def read_node(paths: list[Path]) -> dict[Path, dict[str, list[Seen]]]:
    """Return, for each file, what feed-extractor and (not for JSON Feed) rss-parser show."""
    _node_ready()
    done = subprocess.run(["node", str(NODE_DIR / "read.mjs")], input=json.dumps([str(p) for p in paths]),
                          capture_output=True, text=True, check=False, cwd=NODE_DIR)
    assert done.returncode == 0, done.stderr
    result: dict[Path, dict[str, list[Seen]]] = {}
    for path, by_client in json.loads(done.stdout).items():
        result[Path(path)] = {
            client: [Seen(e["title"], e["link"], e["id"], _epoch(e["published"]), tuple(e["authors"]),
                          tuple(e["categories"])) for e in entries]
            for client, entries in by_client.items()
        }
    return result


def feed_folders(out: Path) -> list[Path]:
    """Return every folder of a build's output that holds a feed (atom.xml, rss.xml, feed.json)."""
    return sorted(p.parent for p in out.rglob(FORMATS["json"]))


def agree(out: Path, *, sfeed: bool = True, node: bool = True) -> int:
    """Assert that every client shows every entry of every feed under out the same in each format.

    The reference is the JSON Feed as its spec reads it. Return how many (client, file)
    readings were compared.
    """
    folders = feed_folders(out)
    node_seen = read_node([f / name for f in folders for name in FORMATS.values()]) if node else {}
    compared = 0
    for folder in folders:
        expected = read_json(folder / FORMATS["json"])
        marked = html_titles(folder / FORMATS["atom"])
        readings: dict[str, list[Seen]] = {}
        for kind in ("atom", "rss"):
            path = folder / FORMATS[kind]
            readings[f"feedparser {kind}"] = read_feedparser(path)
            if sfeed:
                seen = _first_author(read_sfeed(path))
                readings[f"sfeed {kind}"] = _titles_as_text(seen, marked) if kind == "atom" else seen
        for kind, name in FORMATS.items():
            for client, shown in node_seen.get(folder / name, {}).items():
                if client == "rss-parser":  # one author; an Atom HTML title as its markup, as sfeed
                    one = _first_author(shown)
                    readings[f"{client} {kind}"] = _titles_as_text(one, marked) if kind == "atom" else one
                else:
                    readings[f"{client} {kind}"] = shown
        for label, seen in readings.items():
            want = _first_author(expected) if label.startswith(("sfeed", "rss-parser")) else expected
            _same(folder, label, seen, want)
            compared += 1
    return compared


def _first_author(seen: list[Seen]) -> list[Seen]:
    """Keep only the first author: sfeed and rss-parser show one."""
    return [Seen(s.title, s.link, s.id, s.published, s.authors[:1], s.categories) for s in seen]


def _same(folder: Path, label: str, seen: list[Seen], expected: list[Seen]) -> None:
    """Assert that a client's reading of a file shows what the JSON Feed says, field by field.

    The one exception is the validator's unavoidable ContainsHTML: an RSS title holding an
    HTML end tag is text to some clients and HTML to others (feedparser shows
    ``<b>2021</b>`` bold), so there the title may also be shown as that HTML's text.
    """
    assert len(seen) == len(expected), f"{folder}: {label} shows {len(seen)} entries, JSON Feed {len(expected)}"
    for n, (got, want) in enumerate(zip(seen, expected, strict=True)):
        for f in fields(Seen):
            a, b = getattr(got, f.name), getattr(want, f.name)
            if f.name == "title" and label.endswith(" rss") and feedcheck.looks_like_html(b) and a == as_text(b):
                continue
            assert a == b, f"{folder}: entry {n} ({want.id}): {label} shows {f.name} {a!r}, JSON Feed {b!r}"


def agree_atom(paths: list[Path]) -> int:
    """Assert that sfeed, rss-parser and feed-extractor show each entry of Atom-only files as feedparser does.

    For the RFC 5005 archive pages, which have no RSS or JSON Feed twin. Return how many
    (client, file) readings were compared.
    """
    node_seen = read_node(paths)
    compared = 0
    for path in paths:
        expected = read_feedparser(path)
        marked = html_titles(path)
        readings = {"sfeed atom": _titles_as_text(_first_author(read_sfeed(path)), marked)}
        for client, shown in node_seen[path].items():
            one = _titles_as_text(_first_author(shown), marked) if client == "rss-parser" else shown
            readings[f"{client} atom"] = one
        for label, seen in readings.items():
            want = _first_author(expected) if label.startswith(("sfeed", "rss-parser")) else expected
            _same(path, label, seen, want)
            compared += 1
    return compared
