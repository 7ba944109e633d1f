"""Hostile and broken input: exact errors, safe output, bounded cost, no network, nothing lost."""

from __future__ import annotations

import html
import shutil
import socket
from collections.abc import Callable
from datetime import date
from pathlib import Path

import lxml.html
import pytest
from lxml import etree

from feedpub.commands.check import check
from feedpub.config import Config
from feedpub.errors import FeedpubError, SourceError
from feedpub.outputs.digest import Request
from feedpub.pipeline import build
from tests.conftest import NOW, check_json_feed, check_xml_feed, write_doc
from tests.safety import assert_safe_tree

HOSTILE = Path(__file__).parent / "hostile"

# Each hostile document, built alone, gives exactly these errors.
EXPECTED = {
    "alias-bomb.md": ["alias-bomb.md:11: 'title' must be text, not a list",
                      "alias-bomb.md:12: 'summary' must be text, not a list",
                      "alias-bomb.md:13: 'tags' must be a list of text, not a list"],
    "bad-offset.md": ["bad-offset.md:3: invalid date in front matter: \"2022-01-01T10:00:00+99:00\" (UTC offset out of range)"],
    "bad-trailer-date.txt": ["bad-trailer-date.txt:6: 'Date:' line is not a valid date: '2022-02-30'"],
    "broken-url.md": ["broken-url.md:4: 'image' is not a valid URL: 'https://cdn]x/a.jpg'"],
    "binary.txt": ["binary.txt: looks like a binary file (NUL byte at byte offset 8); "
                   "documents must be UTF-8 or UTF-16 text"],
    "date-without-year.md": ["date-without-year.md:3: 'date' is not a date: 'June 14' "
                             "(expected YYYY-MM-DD, optionally with time and offset)"],
    "date-yes.md": ["date-yes.md:2: 'title' must be text, not a boolean "
                    "(true; YAML reads yes/no/on/off as booleans: quote text)",
                    "date-yes.md:3: 'date' is not a date: True (YAML read it as a boolean)"],
    "deep-nesting.md": ["deep-nesting.md:2: front matter nests 5000 levels deep; the limit is 50"],
    "draft-not-bool.md": ["draft-not-bool.md:4: 'draft' must be true or false, not the string \"sometimes\""],
    "empty.md": ["empty.md: file is empty"],
    "impossible-date.md": ["impossible-date.md:3: invalid date in front matter: \"2022-02-30\" (day is out of range for month)"],
    "javascript-image.md": ["javascript-image.md:4: 'image' is not an http(s) URL: 'javascript:alert(1)'"],
    "javascript-permalink.md": ["javascript-permalink.md:4: 'permalink' must be a path or an http(s) URL, "
                                'not the string "javascript:alert(1)"'],
    "late-9999.md": ["late-9999.md:3: 'date' is out of range: '9999-12-31T23:30:00-05:00' (the latest date an "
                     "entry can carry is 9999-12-26T10:00:00Z, so that every time zone and its digest week stay "
                     "inside year 9999)"],
    "latin1.txt": ["latin1.txt: not valid UTF-8 text: undecodable byte 0xe9 at byte offset 3"],
    "list-front-matter.md": ["list-front-matter.md:2: front matter must be a mapping of keys, not a list"],
    "long-number.md": ["long-number.md:4: 'weight' holds a number of more than 4300 digits: too long to read "
                       "(quote it to keep it as text)"],
    "reserved-category.md": ["reserved-category.md:4: category 'CON' is a reserved device name on Windows "
                             "and cannot name a feed folder"],
    "scalar-front-matter.md": ["scalar-front-matter.md:2: front matter must be a mapping of keys, not a str"],
    "slug-nul.md": ["slug-nul.md:4: 'slug' 'nul' is a reserved device name on Windows and cannot name a page folder"],
    "title-list.md": ["title-list.md:2: 'title' must be text, not a list"],
    "unclosed-fence.md": ["unclosed-fence.md:1: front matter opened at line 1 by '---' is never closed "
                          "(no '---' line ends it)"],
    "unclosed-toml.md": ["unclosed-toml.md:1: front matter opened at line 1 by '+++' is never closed "
                         "(no '+++' line ends it)"],
    "unclosed-yaml.md": ["unclosed-yaml.md:4: invalid YAML front matter: found unexpected end of stream"],
    "year-99999.md": ["year-99999.md:3: 'date' is not a date: '99999-01-01' "
                      "(expected YYYY-MM-DD, optionally with time and offset)"],
    "year-zero.md": ["year-zero.md:3: invalid date in front matter: \"0000-01-01\" (year 0 is out of range)"],
}


def _copy(tmp_path: Path, folder: str) -> Path:
    """Copy a corpus folder out of the repository (a build keeps its cache in the source folder)."""
    return Path(shutil.copytree(HOSTILE / folder, tmp_path / folder))


def _alone(tmp_path: Path, name: str) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(HOSTILE / "errors" / name, src / name)
    return src


class TestErrorCorpus:
    def test_every_hostile_file_has_an_expectation(self) -> None:
        """The corpus and the table of expected errors list the same files."""
        assert sorted(p.name for p in (HOSTILE / "errors").iterdir()) == sorted(EXPECTED)

    @pytest.mark.parametrize("name", sorted(EXPECTED))
    def test_exact_error(self, name: str, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Each hostile document gives exactly its expected errors and writes nothing.

        With 'future' on: without it, late-9999.md is a future post, left out (fields.when).
        """
        config = make_config(_alone(tmp_path, name), future=True)
        with pytest.raises(SourceError) as e:
            build(config, now=NOW)
        assert [str(p) for p in e.value.problems] == EXPECTED[name]
        assert not config.out.exists()

    def test_all_problems_of_a_run_together(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Building the whole corpus reports every document's problems in one run."""
        with pytest.raises(SourceError) as e:
            build(make_config(_copy(tmp_path, "errors"), future=True), now=NOW)
        assert [str(p) for p in e.value.problems] == [m for name in sorted(EXPECTED) for m in EXPECTED[name]]


class TestUnsafeCorpus:
    @pytest.fixture
    def out(self, tmp_path: Path, make_config: Callable[..., Config]) -> Path:
        config = make_config(_copy(tmp_path, "unsafe"))
        everything = Request(since=date(2000, 1, 1), until=NOW.date())  # every document in the digest too
        build(config, now=NOW, digest_request=everything)
        assert len(list((config.out / "digest").glob("*.html"))) == 2  # the range's, and latest.html
        return config.out

    def test_no_active_markup_reaches_any_output(self, out: Path) -> None:
        """Scripts, frames, forms, styles, handlers and javascript:/data: URLs are all gone."""
        assert_safe_tree(out)

    def test_outputs_stay_valid(self, out: Path, atom_schema: etree.RelaxNG, jsonfeed_validator) -> None:
        """Hostile text still gives feeds that parse and validate."""
        for p in out.rglob("atom.xml"):
            check_xml_feed(p, atom_schema)
        for p in out.rglob("rss.xml"):
            check_xml_feed(p)
        for p in out.rglob("feed.json"):
            check_json_feed(p, jsonfeed_validator)

    def test_titles_are_escaped_text(self, out: Path) -> None:
        """A title holding tags is kept as text: escaped in XML, literal when parsed."""
        root = etree.parse(str(out / "atom.xml")).getroot()
        title = next(t for t in root.iter("{http://www.w3.org/2005/Atom}title") if "alert" in (t.text or ""))
        # declared as escaped HTML, which readers show as exactly these characters
        assert title.get("type") == "html"
        assert html.unescape(title.text) == "<script>alert('title')</script> & <b>bold</b>"
        assert lxml.html.fragment_fromstring(title.text, create_parent="p").text_content() == \
            "<script>alert('title')</script> & <b>bold</b>"
        assert b"<script>" not in (out / "atom.xml").read_bytes()

    def test_paths_stay_inside_the_output(self, out: Path) -> None:
        """Traversal and Windows-path categories become plain slugs inside dist/."""
        folders = sorted(p.name for p in (out / "categories").iterdir())
        assert "tmp-evil" in folders and "c-windows-system32" in folders
        assert all(p.resolve().is_relative_to(out.resolve()) for p in out.rglob("*"))

    def test_control_characters_are_stripped(self, out: Path) -> None:
        """Control characters from the body and from YAML escapes never reach XML or JSON."""
        data = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file())
        assert not any(ch in data for ch in (b"\x01", b"\x07", b"\x0b", b"\x1b", "\ufffe".encode()))


class TestNoNetwork:
    def test_build_opens_no_socket(self, tmp_path: Path, make_config: Callable[..., Config],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
        """A build of documents referencing remote stylesheets and images never connects."""
        attempts: list[object] = []

        def refuse(*args: object, **kwargs: object) -> None:
            attempts.append(args)
            raise OSError("network disabled in tests")

        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(socket.socket, "connect_ex", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        monkeypatch.setattr(socket, "getaddrinfo", refuse)
        config = make_config(_copy(tmp_path, "unsafe"))
        build(config, now=NOW)
        assert attempts == []
        assert (config.out / "atom.xml").is_file()


class TestBoundedCost:
    def test_fifty_megabyte_document_is_rejected(self, tmp_path: Path, make_config) -> None:
        """A 50 MB document is refused by size before it is read."""
        src = tmp_path / "src"
        src.mkdir()
        with (src / "huge.md").open("wb") as f:
            f.truncate(50 * 1024 * 1024)  # sparse: costs no disk
        with pytest.raises(SourceError, match=r"huge.md: file is 51200 KB, larger than the limit of 10240 KB"):
            build(make_config(src), now=NOW)

    def test_deeply_nested_markdown_list_renders(self, tmp_path: Path, make_config) -> None:
        """Thousands of nested list and quote levels are handled (nesting is capped)."""
        src = tmp_path / "src"
        body = "\n".join("  " * i + "- item" for i in range(2000)) + "\n\n" + "> " * 5000 + "deep\n"
        write_doc(src, "nest.md", f"---\ntitle: Nest\ndate: 2024-01-01\n---\n{body}")
        config = make_config(src)
        build(config, now=NOW)
        check_xml_feed(config.out / "atom.xml")


    def test_hundred_thousand_nested_divs_build_flattened(self, tmp_path: Path, make_config) -> None:
        """100,000 nested <div> build (flattened below the sanitizer's bound), the text kept; check warns."""
        src = tmp_path / "src"
        body = "<div>" * 100_000 + "deep text" + "</div>" * 100_000
        write_doc(src, "divs.md", f"---\ntitle: Divs\ndate: 2024-01-01\n---\nBefore.\n\n{body}\n\nAfter.\n")
        config = make_config(src)
        build(config, now=NOW)
        page = (config.out / "news/divs/index.html").read_text(encoding="utf-8")
        assert "Before." in page and "deep text" in page and "After." in page
        assert "deep text" in (config.out / "atom.xml").read_text(encoding="utf-8")
        report = check(config, now=NOW)
        assert [str(f) for f in report.warnings if f.code == "deep-html"] == [
            "divs.md: warning: its HTML nests more than 100 elements deep (or keeps more than 16 like <b> open) "
            "as a browser reads it: from there on its tags are dropped, the text kept"]


class TestRules:
    def test_duplicate_permalink_names_both_files(self, tmp_path: Path, make_config) -> None:
        """Two documents with one permalink: one error each naming the other (not one as id, one as permalink)."""
        src = tmp_path / "src"
        write_doc(src, "a.md", "---\ntitle: A\ndate: 2024-01-01\npermalink: /same/\n---\nx\n")
        write_doc(src, "b.md", "---\ntitle: B\ndate: 2024-01-02\npermalink: same/\n---\nx\n")
        with pytest.raises(SourceError) as e:
            build(make_config(src), now=NOW)
        assert [str(p) for p in e.value.problems] == [
            "a.md:4: duplicate permalink 'https://news.example.org/same/': also used by b.md",
            "b.md:4: duplicate permalink 'https://news.example.org/same/': also used by a.md",
        ]  # once: the id is the permalink

    def test_a_file_name_not_valid_utf8_is_an_error_naming_it(self, tmp_path: Path, make_config) -> None:
        """A document named in bytes that are not UTF-8 (a Linux file name) is refused by name, never a crash.

        Build and check say so, with the byte escaped; --skip-invalid publishes the others, and
        a static file so named is copied as it is (its name's bytes kept).
        """
        import os

        src = tmp_path / "src"
        (src / "news").mkdir(parents=True)
        try:
            with open(os.path.join(os.fsencode(src), b"news", b"caf\xe9.md"), "wb") as f:
                f.write(b"---\ntitle: Cafe\ndate: 2024-05-01\n---\nBody.\n")
            with open(os.path.join(os.fsencode(src), b"news", b"pic\xe9.png"), "wb") as f:
                f.write(b"PNG")
        except OSError:  # a file system that takes UTF-8 names only (macOS)
            pytest.skip("this file system refuses names that are not UTF-8")
        write_doc(src, "news/good.md", "---\ntitle: Good\ndate: 2024-05-02\n---\nBody.\n")
        message = "news/caf\\xe9.md: the file's name is not valid UTF-8: rename it"
        config = make_config(src)
        with pytest.raises(SourceError) as e:
            build(config, now=NOW)
        assert [str(p) for p in e.value.problems] == [message + " (an entry's address, its feeds and the digest "
                                                      "are UTF-8 text)"]
        assert [f"{f.path}: {f.message}".startswith(message) for f in check(config, now=NOW).errors] == [True]
        result = build(config, now=NOW, skip_invalid=True)
        assert [r.rel for r in result.published] == ["news/good.md"]
        assert [str(p).startswith(message) for p in result.skipped] == [True]
        assert (Path(config.out) / "news" / os.fsdecode(b"pic\xe9.png")).read_bytes() == b"PNG"

    def test_page_paths_a_build_cannot_write_name_the_document(self, tmp_path: Path, make_config) -> None:
        """A slug or permalink that makes a reserved device name is an error naming the key's line.

        (A page on a file the build makes, such as /feed.css, is refused with every other clash of
        output paths: tests/test_promises_write.py.)
        """
        src = tmp_path / "src"
        write_doc(src, "aux.md", "---\ntitle: A\ndate: 2024-01-01\n---\nx\n")
        write_doc(src, "con.md", "---\ntitle: D\ndate: 2024-01-01\nurl: /notes/con.html\n---\nx\n")
        write_doc(src, "nul.md", "---\ntitle: N\ndate: 2024-01-01\nslug: NUL\n---\nx\n")
        with pytest.raises(SourceError) as e:
            build(make_config(src), now=NOW)
        assert [str(p) for p in e.value.problems] == [
            "aux.md: the file name's slug 'aux' is a reserved device name on Windows and cannot name a page "
            "folder: set slug",
            "con.md:4: 'url' '/notes/con.html' gives the page 'notes/con.html', and 'con.html' is a reserved "
            "device name on Windows (with any extension)",
            "nul.md:4: 'slug' 'NUL' is a reserved device name on Windows and cannot name a page folder",
        ]

    def test_names_near_reserved_ones_are_pages(self, tmp_path: Path, make_config) -> None:
        """A slug or permalink that only starts like a reserved or build-made name is an ordinary page."""
        src = tmp_path / "src"
        write_doc(src, "a.md", "---\ntitle: A\ndate: 2024-01-01\nslug: con-1\n---\nx\n")
        write_doc(src, "b.md", "---\ntitle: B\ndate: 2024-01-02\npermalink: /index.htm\n---\nx\n")
        write_doc(src, "c.md", "---\ntitle: C\ndate: 2024-01-03\npermalink: /notes/feed.css/\n---\nx\n")
        config = make_config(src)
        build(config, now=NOW)
        assert all((config.out / p).is_file() for p in ("news/con-1/index.html", "index.htm",
                                                        "notes/feed.css/index.html"))

    def test_empty_folder(self, tmp_path: Path, make_config) -> None:
        """An empty source folder is a clear error, not an empty feed."""
        (tmp_path / "src").mkdir()
        with pytest.raises(FeedpubError, match="no documents found"):
            build(make_config(tmp_path / "src"), now=NOW)

    def test_missing_source_folder(self, tmp_path: Path, make_config) -> None:
        """A source folder that does not exist is named as such, and nothing is written."""
        with pytest.raises(FeedpubError, match="source folder not found") as e:
            build(make_config(tmp_path / "nowhere"), now=NOW)
        assert str(e.value.problems[0]) == f"{tmp_path / 'nowhere'}: source folder not found"
        assert not (tmp_path / "dist").exists()

    def test_the_latest_date_an_entry_can_carry(self, tmp_path: Path, make_config) -> None:
        """Up to 9999-12-26T10:00Z an entry builds with --future in any zone; from there on it is an error."""
        src = tmp_path / "src"
        write_doc(src, "last.md", "---\ntitle: Last\ndate: 9999-12-26T23:59:59+14:00\n"
                  "updated: 9999-12-26T09:59:59Z\nexpiryDate: 9999-12-31T23:59:59-12:00\n---\nx\n")
        for zone in ("Pacific/Kiritimati", "Etc/GMT+12"):
            config = make_config(src, future=True, timezone=zone, out=str(tmp_path / zone.replace("/", "-")))
            assert [e.title for e in build(config, now=NOW).published] == ["Last"]
            assert b"9999-12-26" in (config.out / "atom.xml").read_bytes()
        write_doc(src, "after.md", "---\ntitle: After\ndate: 2024-01-01\nupdated: 9999-12-26T10:00:00Z\n---\nx\n")
        write_doc(src, "trailer.txt", "Trailer\n\nText.\n\nDate: 9999-12-31\n")
        with pytest.raises(SourceError) as e:
            build(make_config(src, future=True), now=NOW)
        later = ("(the latest date an entry can carry is 9999-12-26T10:00:00Z, so that every time zone and its "
                 "digest week stay inside year 9999)")
        assert [str(p) for p in e.value.problems] == [
            f"after.md:4: 'updated' is out of range: '9999-12-26T10:00:00+00:00' {later}",
            f"trailer.txt:5: 'Date:' line is out of range: '9999-12-31' {later}",
        ]

    def test_the_earliest_date_in_any_zone(self, tmp_path: Path, make_config) -> None:
        """1970-01-01 at +14:00 (still 1969 in UTC) builds; year 1 at +05:00 is an error naming its line."""
        src = tmp_path / "src"
        write_doc(src, "first.md", "---\ntitle: First\ndate: 1970-01-01T00:00:00+14:00\n---\nx\n")
        config = make_config(src, future=True)
        assert [e.date.year for e in build(config, now=NOW).published] == [1970]
        write_doc(src, "one.md", "---\ntitle: One\ndate: 0001-01-01T00:00:00+05:00\n---\nx\n")
        with pytest.raises(SourceError) as e:
            build(make_config(src, future=True), now=NOW)
        assert [str(p) for p in e.value.problems] == ["one.md:3: 'date' year 1 is out of range 1970-9999"]

    def test_future_entries_wait_unless_asked(self, tmp_path: Path, make_config) -> None:
        """Entries dated after 'now' are left out, and published with future=true."""
        src = tmp_path / "src"
        write_doc(src, "past.md", "---\ntitle: Past\ndate: 2024-01-01\n---\nx\n")
        write_doc(src, "future.md", "---\ntitle: Future\ndate: 2030-01-01\n---\nx\n")
        assert [e.title for e in build(make_config(src), now=NOW).published] == ["Past"]
        later = make_config(src, future=True, out=str(tmp_path / "f"))
        assert [e.title for e in build(later, now=NOW).published] == ["Future", "Past"]
