"""The spill (feedpub/incremental/spill.py): what a build read once, kept on disk for its outputs, and nothing left after."""

from __future__ import annotations

import dataclasses
import os
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

import pytest

from feedpub.incremental import spill
from feedpub.model import Author, Category, Entry, Image
from feedpub.records import Record, record_of


def _entry(n: int) -> Entry:
    when = datetime(2024, 5, n % 28 + 1, 9, tzinfo=UTC)
    return Entry(id=f"e{n}", url=f"https://x.example/{n}/", title=f"Title {n} & <b>", title_source="front matter",
                 date=when, date_source="front matter", updated=when, category=Category("news", "News"),
                 category_source="default", summary="", source="", authors=(Author("A", "https://a.example/"),),
                 tags=("t",), image=Image("https://x.example/i.png", "image/png", ""), rel=f"d{n}.md", fmt="markdown",
                 lines={"title": 2})


def _record(n: int) -> Record:
    """The catalogue record of _entry(n), its listing summary not the entry's (as a build makes it)."""
    return record_of(_entry(n), 10, 20, 30, b"bytes", summary=f"first paragraph {n}")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts open files in /proc")


class TestSpill:
    def test_what_is_put_comes_back(self, tmp_path: Path) -> None:
        """Each document's entry and body come back as put, by its path; another path gives None."""
        with spill.opened(True, tmp_path) as s:
            found = [s.put(f"d{n}.md", (_entry(n), f"<p>{n}</p>", f"summary {n}")) for n in range(5)]
            s.note(found)
            for n in range(5):
                assert s.get(_record(n)) == (_entry(n), f"<p>{n}</p>", f"summary {n}")
                assert f"d{n}.md" in s
            assert s.get(_record(99)) is None and "d99.md" not in s
            assert dict(s.get(_record(1))[0].lines) == {"title": 2}  # type: ignore[index]

    def test_files_are_kept_open_once_and_closed_at_the_end(self, tmp_path: Path) -> None:
        """Reading a thousand bodies opens the file once; closing closes it and the one written, and removes the folder."""
        before = _open_fds()
        with spill.opened(True, tmp_path) as s:
            s.note([s.put("d.md", (_entry(1), "<p>x</p>", ""))])
            r = record_of(_entry(1), 1, 1, 1, b"")._replace(rel="d.md")
            for _ in range(1000):
                assert s.get(r) is not None
            assert _open_fds() == before + 2  # the file appended to and the one read
            folder = Path(str(s.folder))
        assert _open_fds() == before
        assert not folder.exists()
        s.close()  # again: nothing left to close or remove
        os.fstat(1)  # standard output is still open

    def test_closing_an_unused_spill(self, tmp_path: Path) -> None:
        """A spill nothing was put in closes without error, and closes nothing it did not open."""
        before = _open_fds()
        with spill.opened(True, tmp_path) as s:
            assert s.enabled
        assert _open_fds() == before
        os.fstat(0)
        os.fstat(1)
        os.fstat(2)

    def test_bodies_are_private(self, tmp_path: Path) -> None:
        """A spill file is readable by its owner only: drafts' bodies are spilled too."""
        with spill.opened(True, tmp_path) as s:
            _name, (file, _offset, _length) = s.put("d.md", (_entry(1), "<p>draft</p>", ""))
            mode = stat.S_IMODE((Path(str(s.folder)) / file).stat().st_mode)
        assert mode & 0o077 == 0

    def test_a_forked_worker_writes_a_file_of_its_own(self, tmp_path: Path) -> None:
        """After a fork the child appends to its own file, from offset 0; the parent reads what the child reported."""
        with spill.opened(True, tmp_path) as s:
            here = s.put("a.md", (_entry(1), "<p>parent</p>", ""))
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                try:
                    _rel, (name, offset, length) = s.put("b.md", (_entry(2), "<p>child</p>", ""))
                    os.write(write, f"{name} {offset} {length}".encode())
                finally:
                    os._exit(0)
            os.waitpid(pid, 0)
            name, offset, length = os.read(read, 200).decode().split()
            os.close(read)
            os.close(write)
            assert name == f"{pid}.bin" != here[1][0] and int(offset) == 0
            s.note([here, ("b.md", (name, int(offset), int(length)))])
            assert s.get(_record(2)._replace(rel="b.md")) == (_replace(_entry(2), rel="b.md"), "<p>child</p>", "")
            assert s.get(_record(1)._replace(rel="a.md")) == (_replace(_entry(1), rel="a.md"), "<p>parent</p>", "")

    def test_disabled_spill(self) -> None:
        """Disabled: nothing is spilled, nothing is found."""
        with spill.opened(False, None) as s:
            assert not s.enabled and s.folder is None and s.get(_record(1)) is None


_replace = dataclasses.replace


class TestEntryRebuilt:
    """What a page reads back is the entry as read: its own fields spilled, the rest from its record."""

    def _every_field_set(self, tz: object) -> Entry:
        when = datetime(2024, 3, 31, 1, 30, tzinfo=tz)  # type: ignore[arg-type]
        return Entry(id="urn:x", url="https://x.example/a/", title="T", title_source="first line", date=when,
                     date_source="path", updated=when + timedelta(hours=5), category=Category("news", "Nëws"),
                     category_source="folder", summary="Its own summary", source="Wire",
                     authors=(Author("A", "https://a.example/", "", "Acme"),), tags=("x", "天"),
                     image=Image("https://x.example/i.png", "image/png", "alt"), rel="a/b.md", fmt="text",
                     draft=True, lines={"title": 3, "date": 4}, expires=when + timedelta(days=400),
                     summary_source="divider", page_base="https://x.example/a/", template_only=7,
                     refs=("3\x1fhugo\x1f#p\x1f\x1fa/c.md",))

    @pytest.mark.parametrize("tz", [UTC, ZoneInfo("Europe/Paris"), timezone(timedelta(hours=-5, minutes=-30))])
    def test_every_field_comes_back(self, tmp_path: Path, tz: object) -> None:
        """Every field differs from its default; each comes back equal, its datetimes in their own zone."""
        entry = self._every_field_set(tz)
        for f in dataclasses.fields(Entry):  # the test sets every field: a new one must be added here
            if f.default is not dataclasses.MISSING:
                assert getattr(entry, f.name) != f.default, f.name
        record = record_of(entry, 1, 2, 3, b"x", summary="the listing's summary")
        with spill.opened(True, tmp_path) as s:
            s.note([s.put(entry.rel, (entry, "<p>body</p>", "short"))])
            back, html, summary = s.get(record)  # type: ignore[misc]
        assert (back, html, summary) == (entry, "<p>body</p>", "short")
        assert back.summary == "Its own summary"  # the entry's, not the record's listing summary
        assert back.expires is not None and back.expires.tzinfo == entry.date.tzinfo
        assert back.date.utcoffset() == entry.date.utcoffset() and back.date.tzname() == entry.date.tzname()
        assert isinstance(back.lines, MappingProxyType)

    def test_the_record_gives_the_settled_values(self, tmp_path: Path) -> None:
        """The entry takes its record's fields: a category the build settled comes back under that name."""
        entry = _entry(3)
        settled = record_of(entry, 1, 1, 1, b"").with_category(Category("news", "NEWS"))
        with spill.opened(True, tmp_path) as s:
            s.note([s.put(entry.rel, (entry, "", ""))])
            back = s.get(settled)
        assert back is not None and back[0].category == Category("news", "NEWS")
        assert _replace(back[0], category=entry.category) == entry

    def test_a_str_subclass_is_spilled_as_text(self, tmp_path: Path) -> None:
        """A body that is a str subclass (markup) is spilled as plain text, not refused."""
        from markupsafe import Markup

        with spill.opened(True, tmp_path) as s:
            s.note([s.put("d1.md", (_entry(1), Markup("<p>x</p>"), Markup("s")))])
            back = s.get(_record(1))
        assert back is not None and back[1:] == ("<p>x</p>", "s") and type(back[1]) is str


class TestAbandoned:
    def test_a_hyphenated_host_name(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The host is what precedes the process id, hyphens and all: only this host's dead builds' folders go."""
        monkeypatch.setattr(socket, "gethostname", lambda: "build-host-1")
        gone = int(subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                                  text=True, check=True).stdout)
        mine = tmp_path / f"spill-build-host-1-{gone}-abc"
        other = tmp_path / f"spill-build-host-{gone}-def"  # host "build-host", not this one
        for folder in (mine, other):
            folder.mkdir()
        with spill.opened(True, tmp_path) as s:
            assert Path(str(s.folder)).name.startswith(f"spill-build-host-1-{os.getpid()}-")
            assert not mine.exists() and other.exists()
