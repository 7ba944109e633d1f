"""Loading: decoding, front matter splitting, limits, located errors."""

from __future__ import annotations

import codecs
import datetime as dt
import os
import sys
from pathlib import Path

import pytest

from feedpub.errors import SourceError
from feedpub.model import EMPTY, Limits, SourceDoc
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

    def test_listing_stats_every_document(self, tmp_path: Path) -> None:
        """listing() gives what discover_rel() finds with size and mtime."""
        for name in ["b.md", "a/c.txt", "d.md"]:
            write_doc(tmp_path, name, "x" * len(name))
        found, refused = load.listing(tmp_path)
        found.sort()
        assert [(rel, size) for rel, _path, size, _mtime, _ctime in found] == [("a/c.txt", 7), ("b.md", 4), ("d.md", 4)]
        assert [(rel, path) for rel, path, _size, _mtime, _ctime in found] == sorted(load.discover_rel(tmp_path))
        assert found[1][3] == os.stat(tmp_path / "b.md").st_mtime_ns
        assert refused == []


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
        "Version: 2\nTitle: T\nDate: 2024-01-02\n\nText.\n",  # a key nobody knows, and Title not first
    ])
    def test_text_that_only_looks_like_headers_is_text(self, tmp_path: Path, text: str) -> None:
        """Key: value headers are read only when every key is known, one is Title, and a blank line ends them."""
        doc = _read(tmp_path, "a.txt", text.encode())
        assert (doc.has_front_matter, doc.body) == (False, text)

    def test_pelican_headers_of_the_sites_own_are_read(self, tmp_path: Path) -> None:
        """Title first and another known key: keys of the site's own (Pelican takes any) are read with the rest."""
        doc = _read(tmp_path, "a.md", b"Title: Hello\nDate: 2018-04-01\nPagetitle: x\nVersion: 0.2.0\n\nBody\n")
        assert dict(doc.meta) == {"title": "Hello", "date": "2018-04-01", "pagetitle": "x", "version": "0.2.0"}
        assert doc.body == "Body\n"

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


class TestDecodeRule:
    """decode() at its edges: encodings, line ends, binary files, control characters."""

    @pytest.mark.parametrize(("data", "text"), [
        (b"\xef\xbb\xbfA\r\nB\rC\n", "A\nB\nC\n"),  # UTF-8 BOM dropped, CRLF and CR become LF
        ("A\r\nB\rC".encode("utf-16"), "A\nB\nC"),  # UTF-16 with its BOM, the same line ends
        ("\ufeffA".encode("utf-16-be"), "A"),
        (b"tab\tkept\n", "tab\tkept\n"),
        ("caf\u00e9 \u2014 \u4e2d".encode(), "caf\u00e9 \u2014 \u4e2d"),
    ])
    def test_encodings_and_line_ends(self, data: bytes, text: str) -> None:
        """UTF-8 (BOM or not) and UTF-16 with a BOM are read; every line end becomes a newline."""
        assert load.decode(data, "a.md") == text

    @pytest.mark.parametrize(("char", "kept"), [
        ("\x00", False), ("\x07", False), ("\x1f", False), ("\x7f", False), ("\x85", False), ("\x9f", False),
        ("\ufffe", False), ("\uffff", False), ("\t", True), ("\n", True), ("\xa0", True), ("\u2028", True),
    ])
    def test_control_characters(self, char: str, kept: bool) -> None:
        """C0 (but tab and newline), DEL, C1 and the two non-characters are removed; other text stays."""
        data = ("a" * 9000 + char + "b").encode()  # past the first 8 KB, where a NUL means binary
        assert load.decode(data, "a.md") == "a" * 9000 + (char if kept else "") + "b"
        assert load.utf8_may_have_controls(data) is not kept

    @pytest.mark.parametrize("char", ["\x85", "\ufffe", "\uffff", "\x07"])
    def test_a_control_character_at_the_very_start(self, char: str) -> None:
        """A C1 control or a non-character as the file's first character is removed like any other."""
        data = (char + "Text").encode()
        assert (load.decode(data, "a.md"), load.utf8_may_have_controls(data)) == ("Text", True)

    def test_a_line_end_as_the_first_byte(self) -> None:
        """A CR (or CRLF) that opens the file becomes a newline too."""
        assert load.decode(b"\rA\rB", "a.md") == "\nA\nB"
        assert load.decode(b"\r\nA", "a.md") == "\nA"

    def test_utf16_without_ascii_loses_its_non_characters(self) -> None:
        """UTF-16 text with no byte below 0x20 (CJK) still has U+FFFE removed."""
        assert load.decode("中\ufffe文".encode("utf-16"), "a.md") == "中文"

    def test_utf16_controls_are_removed_too(self) -> None:
        """A UTF-16 document takes the same control-character rule."""
        assert load.decode("a\x07b\x85c".encode("utf-16"), "a.md") == "abc"

    def test_a_nul_in_the_first_8_kb_means_binary(self) -> None:
        """A NUL byte in the first 8,192 bytes makes the file binary, named with its offset; later it is a control."""
        with pytest.raises(SourceError, match="NUL byte at byte offset 8191"):
            load.decode(b"a" * 8191 + b"\0", "a.md")
        assert load.decode(b"a" * 8192 + b"\0", "a.md") == "a" * 8192

    def test_undecodable_bytes_name_their_offset(self) -> None:
        """Invalid UTF-8 is an error naming the byte and its offset (after a BOM, counted in the file)."""
        with pytest.raises(SourceError, match="undecodable byte 0xff at byte offset 5"):
            load.decode(b"\xef\xbb\xbfab\xff", "a.md")
        with pytest.raises(SourceError, match="not valid UTF-16 text"):
            load.decode(codecs.BOM_UTF16_LE + b"\x00\xd8", "a.md")  # a lone high surrogate
        with pytest.raises(SourceError) as e:
            load.decode(codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xd8", "a.md")
        assert str(e.value) == "a.md: not valid UTF-16 text: undecodable byte 0x00 at byte offset 6"

    def test_binary_file_message_names_the_first_nul(self) -> None:
        """The message names the file and the first NUL byte's offset, 0 included."""
        with pytest.raises(SourceError) as e:
            load.decode(b"\0\0\0A", "a.txt")
        assert str(e.value) == ("a.txt: looks like a binary file (NUL byte at byte offset 0); "
                                "documents must be UTF-8 or UTF-16 text")
        with pytest.raises(SourceError, match=r"NUL byte at byte offset 3\)"):
            load.decode(b"GIF\0\0\0", "a.gif")


class TestSourceDoc:
    """A SourceDoc is exactly what the file says, every field of it."""

    def test_a_document_without_front_matter(self, tmp_path: Path) -> None:
        """Its path, rel, whole text as body, line 1, no meta, the file's mtime and no dialect."""
        path = tmp_path / "notes" / "a.txt"
        path.parent.mkdir()
        path.write_bytes(b"Just text.\n")
        assert load.read(path, tmp_path) == SourceDoc(
            path=path, rel="notes/a.txt", meta=EMPTY, meta_lines=EMPTY, body="Just text.\n", body_line=1,
            has_front_matter=False, mtime=path.stat().st_mtime, dialect="")

    def test_a_document_with_front_matter(self, tmp_path: Path) -> None:
        """Its meta and key lines, the body below the fence and where it starts, and the dialect."""
        path = tmp_path / "a.md"
        path.write_bytes(b"---\ntitle: T\n---\nBody\n")
        assert load.read(path, tmp_path) == SourceDoc(
            path=path, rel="a.md", meta={"title": "T"}, meta_lines={"title": 2}, body="Body\n", body_line=4,
            has_front_matter=True, mtime=path.stat().st_mtime, dialect="yaml")

    def test_from_bytes_keeps_the_path_and_the_limits(self, tmp_path: Path) -> None:
        """from_bytes() gives the document the path it is told, and applies the limits it is given."""
        doc = load.from_bytes(b"---\ntitle: T\n---\nB\n", tmp_path / "a.md", "a.md", 5.0)
        assert (doc.path, doc.rel, doc.mtime) == (tmp_path / "a.md", "a.md", 5.0)
        with pytest.raises(SourceError, match="front matter is larger than the limit"):
            load.from_bytes(b"---\ntitle: T\n---\nB\n", tmp_path / "a.md", "a.md", 5.0,
                            Limits(max_front_matter_bytes=5))

    def test_split_front_matter(self) -> None:
        """The text between the --- fences, and everything after the closing one; None without fences."""
        assert load.split_front_matter("---\ntitle: T\n---\nBody") == ("\ntitle: T\n", "\nBody")
        assert load.split_front_matter("---\ntitle: T\n---") == ("\ntitle: T\n", "")
        assert load.split_front_matter("Title: T\n\nBody") is None


class TestReadBytes:
    def test_the_size_limit_is_inclusive(self, tmp_path: Path) -> None:
        """A file of exactly max_document_kb is read; one byte more is refused before reading."""
        from feedpub.model import Limits

        limits = Limits(max_document_bytes=1024)
        (tmp_path / "ok.md").write_bytes(b"x" * 1024)
        (tmp_path / "big.md").write_bytes(b"x" * 1025)
        data, stat = load.read_bytes(tmp_path / "ok.md", "ok.md", limits)
        assert data == b"x" * 1024 and stat.st_size == 1024
        with pytest.raises(SourceError, match="larger than the limit of 1 KB"):
            load.read_bytes(tmp_path / "big.md", "big.md", limits)
        (tmp_path / "big.md").write_bytes(b"x" * 2048)
        with pytest.raises(SourceError) as e:
            load.read_bytes(tmp_path / "big.md", "big.md", limits)
        assert str(e.value) == "big.md: file is 2 KB, larger than the limit of 1 KB (max_document_kb)"

    def test_a_file_that_cannot_be_read(self, tmp_path: Path) -> None:
        """A missing file or a folder is an error naming the document, not a traceback."""
        with pytest.raises(SourceError) as e:
            load.read_bytes(tmp_path / "gone.md", "gone.md")
        assert str(e.value) == "gone.md: cannot read file: No such file or directory"
        (tmp_path / "dir.md").mkdir()
        with pytest.raises(SourceError, match=r"dir\.md: cannot read file"):
            load.read_bytes(tmp_path / "dir.md", "dir.md")

    @pytest.mark.parametrize("chunk", [None, 5])
    def test_a_file_that_grew_after_its_stat_is_read_to_its_end(self, tmp_path: Path, chunk: int | None,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """With the stat of an older, shorter file, every byte now in it is read, also when read() returns little at a time."""
        path = tmp_path / "a.md"
        path.write_bytes(b"0123456789")
        stat = os.stat(path)
        path.write_bytes(bytes(range(48, 123)))  # 75 bytes
        if chunk:  # a pipe or a network file system: read() may return fewer bytes than asked
            real = os.read
            monkeypatch.setattr(os, "read", lambda fd, n: real(fd, min(n, chunk)))
        data, _ = load.read_bytes(path, "a.md", Limits(max_document_bytes=75), stat)
        assert data == bytes(range(48, 123))
        with pytest.raises(SourceError) as e:
            load.read_bytes(path, "a.md", Limits(max_document_bytes=74), stat)
        assert str(e.value) == "a.md: file grew past the size limit while being read"

    def test_short_reads_are_read_on(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A read() that returns fewer bytes than asked is followed by more until the end of the file."""
        data = bytes(range(256)) * 10
        (tmp_path / "a.md").write_bytes(data)
        real = os.read
        monkeypatch.setattr(os, "read", lambda fd, n: real(fd, min(n, 100)))
        assert load.read_bytes(tmp_path / "a.md", "a.md")[0] == data

    def test_a_large_file_is_read_whole(self, tmp_path: Path) -> None:
        """A file larger than one read() returns is read to its end."""
        data = bytes(range(256)) * 40000  # 10 MB
        (tmp_path / "a.md").write_bytes(data)
        assert load.read_bytes(tmp_path / "a.md", "a.md")[0] == data


class TestFrontMatterEdges:
    """Where front matter ends, what it may hold, and how its errors read."""

    def test_empty_front_matter(self, tmp_path: Path) -> None:
        """Two fences with nothing (or only a comment) between them: front matter with no keys, the body below."""
        for text in (b"---\n---\nBody", b"---\n# notes\n---\nBody"):
            doc = _read(tmp_path, "a.md", text)
            assert (doc.has_front_matter, dict(doc.meta), doc.body) == (True, {}, "Body"), text

    def test_a_rule_in_the_body_is_not_a_fence(self, tmp_path: Path) -> None:
        """The first '---' line after the opening one closes the front matter; a later one is the body's."""
        doc = _read(tmp_path, "a.md", b"---\ntitle: T\n---\nPara.\n\n---\n\nMore.\n")
        assert (dict(doc.meta), doc.body, doc.body_line) == ({"title": "T"}, "Para.\n\n---\n\nMore.\n", 4)

    @pytest.mark.parametrize(("text", "fence", "closing"), [
        (b"---\ntitle: T\ndate: 2024-01-02\n\nBody.\n", "---", "---"),
        (b"---\n\n  \ntitle: T\n", "---", "---"),  # blank lines above the first key
        (b"---\nTitle: T\n", "---", "---"),  # a key conventions know, in any case
        (b"---\nlayout: post\n", "---", "---"),  # any key in lower case
        (b"----  \ntitle: T\n", "----", "---"),
        (b"---yaml\nTitle: T\n", "---yaml", "---"),  # a language: front matter whatever follows
        (b"---json\nprose\n", "---json", "---"),
        (b"+++\ntitle = 'T'\n\nBody.\n", "+++", "+++"),
        (b'+++\n"title" = "T"\n', "+++", "+++"),
        (b"+++\n[extra]\n", "+++", "+++"),
        (b'{\n  "title": "T"\n', "{", "}"),
    ])
    def test_front_matter_never_closed_is_an_error(self, tmp_path: Path, text: bytes, fence: str,
                                                   closing: str) -> None:
        """An opening fence above a key of its dialect with no closing fence is an error naming line 1."""
        assert _error(tmp_path, "a.md", text) == (
            f"a.md:1: front matter opened at line 1 by {fence!r} is never closed (no {closing!r} line ends it)")

    @pytest.mark.parametrize("text", [
        b"---\n\nNote: read this first.\n",  # a capitalised word no generator uses as a key
        b"---\nSome prose below a rule.\n",
        b"---\n# A heading\n",
        b"---\n  title: indented, so no key\n",
        b"---\nhttps://example.org/\n",
        b"---\n", b"---\n\n\n",
        b"+++\nprose\n", b"{\nprose\n", b"{\n",
    ])
    def test_a_fence_above_text_is_text(self, tmp_path: Path, text: bytes) -> None:
        """A rule (or brace) above a line that is no key of its dialect opens nothing: the file is all body."""
        doc = _read(tmp_path, "a.md", text)
        assert (doc.has_front_matter, doc.body) == (False, text.decode())

    @pytest.mark.parametrize(("text", "line"), [
        (b"\n---\ntitle: X\ndate: 2020-01-05\n---\nBody", 2),
        (b"\n\n \t\n---\ntitle: X\ndate: 2020-01-05\n---\nBody", 4),  # several, whitespace-only among them
        (b"\xef\xbb\xbf\n---\ntitle: X\ndate: 2020-01-05\n---\nBody", 2),  # a BOM, then a blank line
        (b"\n\xef\xbb\xbf---\ntitle: X\ndate: 2020-01-05\n---\nBody", 2),  # a BOM later (files joined): Hugo skips it
        (b"\r\n\r\n---\r\ntitle: X\r\ndate: 2020-01-05\r\n---\r\nBody", 3),
        (b"\n+++\ntitle = 'X'\ndate = 2020-01-05\n+++\nBody", 2),
        (b"\n---yaml\ntitle: X\ndate: 2020-01-05\n---\nBody", 2),
    ])
    def test_blank_lines_above_the_fence(self, tmp_path: Path, text: bytes, line: int) -> None:
        """Blank lines (and BOMs) above an opening fence are skipped, as Hugo's lexer does; lines stay file lines."""
        doc = _read(tmp_path, "a.md", text)
        assert (doc.has_front_matter, doc.meta["title"], str(doc.meta["date"]), doc.body) == (
            True, "X", "2020-01-05", "Body")
        assert (doc.meta_lines["title"], doc.meta_lines["date"], doc.body_line) == (line + 1, line + 2, line + 4)

    @pytest.mark.parametrize("text", [
        b"\n---\n\nSome prose below a rule.\n\n---\n\nMore prose.\n",  # rules around prose: a Markdown text
        b"\n---\nNote: read this first.\n---\nMore.\n",  # no key generators write
        b"\n---\n---\nBody\n",
        b"\nText first.\n\n---\ntitle: X\n---\nBody\n",  # text above the fence: the fence is the text's
        b"\n+++\nprose\n+++\n",
        b"\n{\n  \"title\": \"X\"\n}\nBody\n",  # JSON is read at the very top only
        b"\nTitle: X\n\nBody\n",  # so are headers (Pelican's end at the first blank line)
    ])
    def test_a_fence_below_blank_lines_above_no_key_is_text(self, tmp_path: Path, text: bytes) -> None:
        """Below blank lines a fence opens front matter only when the line below it is a key: else all is body."""
        doc = _read(tmp_path, "a.md", text)
        assert (doc.has_front_matter, doc.body) == (False, text.decode())

    def test_errors_below_blank_lines_name_file_lines(self, tmp_path: Path) -> None:
        """An unclosed fence or bad YAML below blank lines is reported at its own line."""
        assert _error(tmp_path, "a.md", b"\n\n---\ntitle: T\n\nBody.\n") == (
            "a.md:3: front matter opened at line 3 by '---' is never closed (no '---' line ends it)")
        assert _error(tmp_path, "a.md", b"\n---\ntitle: T\nsummary: [x\n---\nBody.\n") == (
            "a.md:5: invalid YAML front matter: did not find expected ',' or ']'")
        assert _error(tmp_path, "a.md", b"\n---js\nmodule.exports = {}\n---\nBody.\n").startswith(
            "a.md:2: front matter in JavaScript (---js) is not read")

    def test_json_opening_brace_may_have_a_trailing_space(self, tmp_path: Path) -> None:
        """Hugo's JSON front matter is read when its '{' line ends in a space."""
        doc = _read(tmp_path, "a.md", b'{ \n  "title": "T"\n}\nBody')
        assert (doc.dialect, dict(doc.meta), doc.body) == ("json", {"title": "T"}, "Body")

    def test_headers_up_to_the_end_of_the_file(self, tmp_path: Path) -> None:
        """Pelican headers with no body below them are still headers."""
        doc = _read(tmp_path, "a.md", b"Title: T\nDate: 2024-01-02\n")
        assert (doc.dialect, dict(doc.meta), doc.body) == ("headers", {"title": "T", "date": "2024-01-02"}, "")

    def test_key_lines_of_nested_yaml_and_fenced_json(self, tmp_path: Path) -> None:
        """Keys of YAML with a nested list, of ---json and of ---yaml have their file lines."""
        nested = _read(tmp_path, "a.md", b"---\ntitle: T\ntags:\n  - a\n  - b\nsummary: S\n---\nB\n")
        assert dict(nested.meta_lines) == {"title": 2, "tags": 3, "summary": 6}
        fenced = _read(tmp_path, "b.md", b'---json\n{\n  "title": "T",\n  "date": "2024-01-02"\n}\n---\nB\n')
        assert dict(fenced.meta_lines) == {"title": 3, "date": 4}
        yaml = _read(tmp_path, "c.md", b"---yaml\ntitle: T\ntags: [a]\n---\nB\n")
        assert dict(yaml.meta_lines) == {"title": 2, "tags": 3}

    def test_keys_must_be_text(self, tmp_path: Path) -> None:
        """A YAML key that is a number is an error naming it, at the front matter's first line."""
        assert _error(tmp_path, "a.md", b"---\n2024: x\n---\nB\n") == "a.md:2: front matter key 2024 is not a string"

    def test_yaml_error_message(self, tmp_path: Path) -> None:
        """A YAML syntax error says what the parser expected, at the line where it noticed."""
        msg = _error(tmp_path, "x.md", b"---\ntitle: ok\nsummary: [unclosed\ndate: 2020-01-01\n---\nBody\n")
        assert msg == "x.md:4: invalid YAML front matter: did not find expected ',' or ']'"

    def test_toml_error_at_the_end(self, tmp_path: Path) -> None:
        """TOML that ends mid-value is an error at the front matter's opening line."""
        msg = _error(tmp_path, "a.md", b"+++\ntitle = 'T'\nx = [1,\n+++\nB\n")
        assert msg == "a.md:1: invalid TOML front matter: Invalid value"


class TestFrontMatterDates:
    """Impossible dates in YAML: which one the error names, and the files whose name dates them."""

    def test_the_impossible_date_is_named_not_the_first(self, tmp_path: Path) -> None:
        """With a valid 29 February (2024) above an impossible one (2023), the error names 2023-02-29."""
        msg = _error(tmp_path, "a.md", b"---\ndate: 2024-02-29\nupdated: 2023-02-29\n---\nB\n")
        assert msg == 'a.md:3: invalid date in front matter: "2023-02-29" (day is out of range for month)'

    def test_an_offset_out_of_range(self, tmp_path: Path) -> None:
        """A timestamp with a +25:00 offset is an error naming the value and why."""
        msg = _error(tmp_path, "a.md", b"---\ntitle: T\ndate: 2024-01-02 10:00:00 +25:00\n---\nB\n")
        assert msg == 'a.md:3: invalid date in front matter: "2024-01-02 10:00:00 +25:00" (UTC offset out of range)'

    def test_a_nested_impossible_date(self, tmp_path: Path) -> None:
        """An impossible date below a top-level key is still an error, without a line to name."""
        msg = _error(tmp_path, "a.md", b"---\ntitle: T\nextra:\n  date: 2024-02-30\n---\nB\n")
        assert msg == "a.md: invalid date in front matter: a date (day is out of range for month)"

    @pytest.mark.parametrize("name", ["2022-02-28-post.md", "posts/2022-02-28_post.md", "2022-02-28-post/index.md"])
    def test_a_dated_file_keeps_its_impossible_date_as_text(self, tmp_path: Path, name: str) -> None:
        """In a file whose name (or bundle folder) carries a date, an impossible date stays text; valid ones stay dates."""
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        doc = _read(tmp_path, name, b"---\ntitle: T\ndate: 2022-02-30\nupdated: 2022-03-01\n---\nB\n")
        assert (doc.meta["date"], doc.meta["updated"]) == ("2022-02-30", dt.date(2022, 3, 1))

    def test_a_dated_toml_file_is_not_excused(self, tmp_path: Path) -> None:
        """TOML has no impossible-date leniency: the error stands even in a dated file."""
        msg = _error(tmp_path, "2022-02-28-post.md", b"+++\ntitle = 'T'\ndate = 2022-02-30\n+++\nB\n")
        assert msg.startswith("2022-02-28-post.md:3: invalid TOML front matter:")


class TestFrontMatterLimits:
    """The size and nesting limits at their edges."""

    LIMIT = sys.get_int_max_str_digits()  # the most decimal digits Python reads or writes an int with
    TOO_LONG = f"a number of more than {LIMIT} digits: too long to read (quote it to keep it as text)"

    @pytest.mark.parametrize(("head", "key_line", "tail"), [
        ("---\ntitle: T\nweight: ", "weight: ", "\n---\nB\n"),
        ("+++\ntitle = 'T'\nweight = ", "weight = ", "\n+++\nB\n"),
        ('{\n"title": "T",\n"weight": ', '"weight": ', "\n}\nB\n"),
    ])
    def test_a_number_too_long_to_read_names_its_line(self, tmp_path: Path, head: str, key_line: str,
                                                      tail: str) -> None:
        """A decimal number of one digit more than Python reads is an error naming its key and line; the limit is not."""
        ok = _read(tmp_path, "a.md", (head + "9" * self.LIMIT + tail).encode())
        assert ok.meta["weight"] == 10 ** self.LIMIT - 1
        assert _error(tmp_path, "b.md", (head + "9" * (self.LIMIT + 1) + tail).encode()) == (
            f"b.md:3: 'weight' holds {self.TOO_LONG}")

    def test_a_long_number_in_a_list_names_its_line(self, tmp_path: Path) -> None:
        """A long number on a line of its own (a list item) names that line."""
        text = f"---\ntitle: T\nratings:\n  - 1\n  - {'9' * 5000}\n---\nB\n"
        assert _error(tmp_path, "a.md", text.encode()) == f"a.md:5: {self.TOO_LONG}"

    @pytest.mark.parametrize("text", [
        "---\ntitle: 0x{}\ndate: 2024-01-02\n---\nB\n",
        "---\ntitle: T\ntags: [a, 0x{}]\n---\nB\n",
        "---\ntitle: T\nextra:\n  weight: 0x{}\n---\nB\n",
    ])
    def test_a_hexadecimal_number_too_long_to_show(self, tmp_path: Path, text: str) -> None:
        """0x… reads at any length, but one of more decimal digits than Python writes names the key that holds it."""
        digits = len(f"{10 ** self.LIMIT:x}")  # the shortest hexadecimal number that is too long
        key, line = ("title", 2) if "title: 0x" in text else (("tags", 3) if "tags" in text else ("extra", 3))
        assert _error(tmp_path, "a.md", text.format("f" * digits).encode()) == (
            f"a.md:{line}: '{key}' holds {self.TOO_LONG}")
        assert _read(tmp_path, "b.md", text.format("f" * (digits - 1)).encode()).has_front_matter

    def test_the_size_limit_counts_bytes(self, tmp_path: Path) -> None:
        """Front matter of exactly max_front_matter_bytes UTF-8 bytes is read; one more byte is refused."""
        fm = "\ntitle: " + "é" * 10 + "\n"  # 20 bytes of é, 10 characters
        size = len(fm.encode())
        doc = _read(tmp_path, "a.md", f"---{fm}---\nB\n".encode(), Limits(max_front_matter_bytes=size))
        assert doc.meta["title"] == "é" * 10
        msg = _error(tmp_path, "a.md", f"---{fm}---\nB\n".encode(), Limits(max_front_matter_bytes=size - 1))
        assert msg == "a.md:1: front matter is larger than the limit of 0 KB (max_front_matter_kb)"

    def test_nesting_limit_is_inclusive(self, tmp_path: Path) -> None:
        """50 nested lists are read; 51 are refused."""
        doc = _read(tmp_path, "a.md", ("---\nx: " + "[" * 50 + "]" * 50 + "\n---\nB\n").encode())
        assert "x" in doc.meta
        msg = _error(tmp_path, "a.md", ("---\nx: " + "[" * 51 + "]" * 51 + "\n---\nB\n").encode())
        assert msg == "a.md:2: front matter nests 51 levels deep; the limit is 50"

    def test_nested_mappings_count_too(self, tmp_path: Path) -> None:
        """Flow mappings {…} nest as lists do."""
        msg = _error(tmp_path, "a.md", ("---\nx: " + "{a: " * 51 + "1" + "}" * 51 + "\n---\nB\n").encode())
        assert msg == "a.md:2: front matter nests 51 levels deep; the limit is 50"

    def test_depth_is_the_deepest_point(self, tmp_path: Path) -> None:
        """Sixty sibling lists are two levels deep; an empty list before a deep one does not lower its depth."""
        doc = _read(tmp_path, "a.md", ("---\nx: [" + ", ".join(["[a]"] * 60) + "]\n---\nB\n").encode())
        assert len(doc.meta["x"]) == 60
        msg = _error(tmp_path, "a.md", ("---\nx: [[[]" + "[" * 49 + "]" * 49 + "]]\n---\nB\n").encode())
        assert msg == "a.md:2: front matter nests 51 levels deep; the limit is 50"

    @pytest.mark.parametrize("entry", ["- ", "? ", "-\t"])
    def test_block_entries_opened_on_one_line_count_too(self, tmp_path: Path, entry: str) -> None:
        """'- - - a' nests a list per dash: 50 on a line are read; 30,000 are refused at their line, not a crash."""
        doc = _read(tmp_path, "a.md", ("---\ntitle: T\nx:\n  " + "- " * 50 + "a\n---\nB\n").encode())
        assert doc.meta["title"] == "T"
        msg = _error(tmp_path, "a.md", ("---\ntitle: T\nx:\n  " + entry * 30000 + "a\n---\nB\n").encode())
        assert msg == "a.md:4: front matter nests 30000 levels deep on one line; the limit is 50"
