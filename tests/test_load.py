"""Loading: decoding, front matter splitting, limits, located errors."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

import pytest

from feedpub.errors import SourceError
from feedpub.model import Limits
from feedpub.sources import load
from tests.conftest import write_doc


def _read(tmp_path: Path, name: str, data: bytes, limits: Limits | None = None) -> load.SourceDoc:
    path = tmp_path / name
    path.write_bytes(data)
    return load.read(path, tmp_path, limits)


def _error(tmp_path: Path, name: str, data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(SourceError) as e:
        _read(tmp_path, name, data, limits)
    return str(e.value)


class TestDecode:
    @pytest.mark.parametrize("data", [
        b"---\ntitle: Caf\xc3\xa9\n---\nBody\n",
        codecs.BOM_UTF8 + b"---\ntitle: Caf\xc3\xa9\n---\nBody\n",
        b"---\r\ntitle: Caf\xc3\xa9\r\n---\r\nBody\r\n",
        "---\ntitle: Café\n---\nBody\n".encode("utf-16"),
    ], ids=["utf8", "utf8-bom", "crlf", "utf16-bom"])
    def test_encodings_are_read(self, tmp_path: Path, data: bytes) -> None:
        """UTF-8 with or without BOM, CRLF and UTF-16 with BOM all give the same document."""
        doc = _read(tmp_path, "a.md", data)
        assert doc.meta["title"] == "Café"
        assert doc.body == "Body\n"

    def test_undecodable_byte_names_offset(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 give an error with the byte offset."""
        assert _error(tmp_path, "a.md", b"Hello \xff world") == \
            "a.md: not valid UTF-8 text: undecodable byte 0xff at byte offset 6"

    def test_binary_file_is_rejected(self, tmp_path: Path) -> None:
        """A file with NUL bytes is reported as binary."""
        assert "looks like a binary file (NUL byte at byte offset 3)" in _error(tmp_path, "a.txt", b"GIF\0\x01\x02")

    def test_control_characters_are_stripped(self, tmp_path: Path) -> None:
        """Characters XML forbids never reach a SourceDoc."""
        doc = _read(tmp_path, "a.md", b"---\ntitle: a\x01b\x0c\n---\nx\x00\x1fy\n".replace(b"\x00", b""))
        assert doc.meta["title"] == "ab"
        assert doc.body == "xy\n"


class TestFrontMatter:
    def test_body_line_is_counted(self, tmp_path: Path) -> None:
        """body_line is the file line where the body starts."""
        doc = _read(tmp_path, "a.md", b"---\ntitle: a\nsummary: b\n---\nBody\n")
        assert doc.body_line == 5
        assert doc.meta_lines["summary"] == 3  # the file line of the key

    def test_malformed_yaml_names_file_and_line(self, tmp_path: Path) -> None:
        """A YAML syntax error is reported at its line in the file."""
        msg = _error(tmp_path, "x.md", b"---\ntitle: ok\nsummary: [unclosed\ndate: 2020-01-01\n---\nBody\n")
        assert msg.startswith("x.md:4: invalid YAML front matter:")

    @pytest.mark.parametrize(("fm", "kind"), [("- a\n- b", "list"), ("just text", "str")])
    def test_front_matter_must_be_mapping(self, tmp_path: Path, fm: str, kind: str) -> None:
        """A list or scalar front matter is an error naming what it is."""
        msg = _error(tmp_path, "a.md", f"---\n{fm}\n---\nBody\n".encode())
        assert msg == f"a.md:2: front matter must be a mapping of keys, not a {kind}"

    def test_impossible_yaml_date(self, tmp_path: Path) -> None:
        """An impossible unquoted date (2022-02-30) is an error at its line, not a crash."""
        msg = _error(tmp_path, "a.md", b"---\ntitle: a\ndate: 2022-02-30\n---\nBody\n")
        assert msg.startswith("a.md:3: invalid date in front matter:")

    def test_no_front_matter(self, tmp_path: Path) -> None:
        """Text without a fence has empty meta and the whole text as body."""
        doc = _read(tmp_path, "a.txt", b"Just text.\n")
        assert not doc.has_front_matter and doc.body == "Just text.\n" and doc.body_line == 1


class TestLimits:
    def test_document_size_limit(self, tmp_path: Path) -> None:
        """A file over max_document_bytes is rejected before it is read."""
        msg = _error(tmp_path, "big.md", b"x" * 5000, Limits(max_document_bytes=4096))
        assert msg == "big.md: file is 4 KB, larger than the limit of 4 KB (max_document_kb)"

    def test_front_matter_size_limit(self, tmp_path: Path) -> None:
        """A 100,000-line front matter is rejected without parsing it."""
        fm = "".join(f"k{i}: v\n" for i in range(100_000))
        msg = _error(tmp_path, "a.md", f"---\n{fm}---\nBody\n".encode())
        assert "front matter is larger than the limit of 64 KB" in msg

    def test_deep_nesting_is_rejected(self, tmp_path: Path) -> None:
        """Deeply nested flow collections are refused before libyaml sees them."""
        msg = _error(tmp_path, "a.md", ("---\nx: " + "[" * 20000 + "]" * 20000 + "\n---\nB\n").encode())
        assert msg == "a.md:2: front matter nests 20000 levels deep; the limit is 50"

    def test_brackets_in_quoted_strings_do_not_count(self, tmp_path: Path) -> None:
        """Brackets inside quoted titles are text, not nesting."""
        doc = _read(tmp_path, "a.md", ('---\ntitle: "' + "[" * 100 + '"\n---\nB\n').encode())
        assert doc.meta["title"] == "[" * 100


class TestDiscover:
    def test_finds_documents_in_subfolders_sorted(self, tmp_path: Path) -> None:
        """.md, .markdown and .txt in subfolders are found (Jekyll's _drafts too); hidden, _-prefixed and other files are not."""
        for name in ["b.md", "a/c.txt", "a/d.markdown", ".hidden.md", "e.html", ".git/x.md", "_drafts/y.md",
                     "_private/z.md"]:
            write_doc(tmp_path, name, "x")
        found = [rel for rel, _path in load.discover_rel(tmp_path)]
        assert found == ["_drafts/y.md", "a/c.txt", "a/d.markdown", "b.md"]

    def test_what_is_not_an_article_is_left_out_with_a_reason(self, tmp_path: Path) -> None:
        """READMEs, licences, Hugo section pages, the top index.md, resource folders, the output folder and 'exclude' globs are left out, each with why."""
        for name in ["README.md", "docs/LICENSE.txt", "CHANGELOG.md", "posts/_index.md", "index.md", "posts/index.md",
                     "posts/a.md", "posts/a/notes.md", "dist/feed.txt", "node_modules/x/readme.md", "_posts/2024-01-02-p.md",
                     "drafts/wip.md", "notes/todo.txt", "posts/b/index.md"]:
            write_doc(tmp_path, name, "x")
        found = load.discover(tmp_path, load.Rules(exclude=("wip.*", "notes/*"), out=tmp_path / "dist"))
        assert [rel for rel, _path in found.found] == ["_posts/2024-01-02-p.md", "posts/a.md", "posts/b/index.md",
                                                        "posts/index.md"]
        reasons = dict(found.excluded)
        assert set(reasons) == {"README.md", "docs/LICENSE.txt", "CHANGELOG.md", "posts/_index.md", "index.md",
                                "posts/a/", "dist/", "node_modules/", "drafts/wip.md", "notes/todo.txt"}
        assert reasons["posts/a/"] == "holds the files of a.md (a document's resource folder)"
        assert reasons["dist/"] == "the output folder"
        assert reasons["index.md"] == "the site's home page (index.md at the top)"
        assert reasons["notes/todo.txt"] == reasons["drafts/wip.md"] == "matches 'exclude'"

    def test_listing_stats_every_document_and_marks_one_gone(self, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
        """listing() gives what discover_rel() finds with size and mtime; a file gone before its stat has -1."""
        for name in ["b.md", "a/c.txt", "d.md"]:
            write_doc(tmp_path, name, "x" * len(name))
        real_stat = os.stat

        def stat(path: str) -> os.stat_result:
            if path.endswith("d.md"):
                raise FileNotFoundError(path)
            return real_stat(path)

        monkeypatch.setattr(os, "stat", stat)
        found = sorted(load.listing(tmp_path))
        assert [(rel, size) for rel, _path, size, _mtime in found] == [("a/c.txt", 7), ("b.md", 4), ("d.md", -1)]
        assert [(rel, path) for rel, path, _size, _mtime in found] == sorted(load.discover_rel(tmp_path))
        assert found[1][3] == real_stat(tmp_path / "b.md").st_mtime_ns


class TestDialects:
    @pytest.mark.parametrize(("text", "dialect"), [
        ("+++\ntitle = \"T\"\ndate = 2024-01-02T10:00:00+08:00\n[taxonomies]\ntags = [\"a\"]\n+++\n\nBody\n", "toml"),
        ('{\n  "title": "T",\n  "date": "2024-01-02T10:00:00+08:00",\n  "taxonomies": {"tags": ["a"]}\n}\n\nBody\n', "json"),
        ('---json\n{"title": "T", "date": "2024-01-02T10:00:00+08:00", "taxonomies": {"tags": ["a"]}}\n---\nBody\n',
         "json"),
        ("---\ntitle: T\ndate: 2024-01-02T10:00:00+08:00\ntaxonomies: {tags: [a]}\n---\nBody\n", "yaml"),
    ])
    def test_every_dialect_gives_the_same_mapping(self, tmp_path: Path, text: str, dialect: str) -> None:
        """TOML, JSON, Eleventy's ---json and YAML front matter give one mapping and leave the body alone."""
        doc = _read(tmp_path, "a.md", text.encode())
        assert (doc.dialect, doc.meta["title"], doc.meta["taxonomies"], doc.body) == (dialect, "T", {"tags": ["a"]},
                                                                                        "Body\n")
        assert str(doc.meta["date"]).replace("T", " ") == "2024-01-02 10:00:00+08:00"

    def test_key_lines_are_file_lines(self, tmp_path: Path) -> None:
        """Each key's line is its line in the file, in TOML and in headers too."""
        toml = _read(tmp_path, "a.md", b"+++\ntitle = 'T'\n\ndate = 2024-01-02\n[extra]\nimage = 'x'\n+++\nB\n")
        assert dict(toml.meta_lines) == {"title": 2, "date": 4, "extra": 5}
        headers = _read(tmp_path, "b.md", b"Title: T\nDate: 2024-01-02\n\nBody\n")
        assert (dict(headers.meta_lines), headers.body, headers.body_line) == ({"title": 1, "date": 2}, "Body\n", 4)

    @pytest.mark.parametrize("text", [
        "Market Intelligence: the week in review\n\nText.\n",  # one header-like line, no Title
        "Title: T\nFavourite colour: blue\n\nText.\n",  # a key nobody knows
        "Title: T\nText right below.\n",  # no blank line after the headers
        "Date: 2024-01-02\nSource: X\n\nText.\n",  # known keys, but no Title
    ])
    def test_text_that_only_looks_like_headers_is_text(self, tmp_path: Path, text: str) -> None:
        """Key: value headers are read only when every key is known, one is Title, and a blank line ends them."""
        doc = _read(tmp_path, "a.txt", text.encode())
        assert (doc.has_front_matter, doc.body) == (False, text)

    def test_pelican_headers_are_read(self, tmp_path: Path) -> None:
        """Pelican's headers become lower-case keys with text values; a continuation line joins its value."""
        doc = _read(tmp_path, "a.md", b"Title: T\nTags: a, b\nSummary: one\n    two\nStatus: draft\n\nBody\n")
        assert dict(doc.meta) == {"title": "T", "tags": "a, b", "summary": "one two", "status": "draft"}

    @pytest.mark.parametrize(("text", "message"), [
        ("+++\ntitle = 'T'\ndate = \n+++\nB\n", "a.md:3: invalid TOML front matter: Invalid value"),
        ('{\n  "title": "T",\n  "x": nope\n}\nB\n', "a.md:3: invalid JSON front matter: Expecting value"),
        ("---js\n{ title: 'x' }\n---\nB\n", "a.md:1: front matter in JavaScript (---js) is not read: feedpub never "
         "runs code; write it as YAML or ---json, or add the file to 'exclude'"),
    ])
    def test_errors_name_the_line(self, tmp_path: Path, text: str, message: str) -> None:
        """Broken TOML or JSON front matter, and JavaScript front matter, are errors at their line."""
        assert _error(tmp_path, "a.md", text.encode()) == message
