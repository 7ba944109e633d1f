"""The spill (feedpub/incremental/spill.py): what a build read once, kept on disk for its outputs, and nothing left after."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedpub.incremental import spill
from feedpub.model import Author, Category, Entry, Image


def _entry(n: int) -> Entry:
    when = datetime(2024, 5, n % 28 + 1, 9, tzinfo=UTC)
    return Entry(id=f"e{n}", url=f"https://x.example/{n}/", title=f"Title {n} & <b>", title_source="front matter",
                 date=when, date_source="front matter", updated=when, category=Category("news", "News"),
                 category_source="default", summary="", source="", authors=(Author("A", "https://a.example/"),),
                 tags=("t",), image=Image("https://x.example/i.png", "image/png", ""), rel=f"d{n}.md", fmt="markdown",
                 lines={"title": 2})


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
                assert s.get(f"d{n}.md") == (_entry(n), f"<p>{n}</p>", f"summary {n}")
                assert f"d{n}.md" in s
            assert s.get("other.md") is None and "other.md" not in s
            assert dict(s.get("d1.md")[0].lines) == {"title": 2}  # type: ignore[index]

    def test_files_are_kept_open_once_and_closed_at_the_end(self, tmp_path: Path) -> None:
        """Reading a thousand bodies opens the file once; closing closes it and the one written, and removes the folder."""
        before = _open_fds()
        with spill.opened(True, tmp_path) as s:
            s.note([s.put("d.md", (_entry(1), "<p>x</p>", ""))])
            for _ in range(1000):
                assert s.get("d.md") is not None
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
            assert s.get("b.md") == (_entry(2), "<p>child</p>", "")
            assert s.get("a.md") == (_entry(1), "<p>parent</p>", "")

    def test_disabled_spill(self) -> None:
        """Disabled: nothing is spilled, nothing is found."""
        with spill.opened(False, None) as s:
            assert not s.enabled and s.folder is None and s.get("d.md") is None


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
