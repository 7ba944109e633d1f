"""The output folder: changed files put in only when a build succeeds, unchanged files kept, kept outputs trusted only while intact."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from feedpub import write
from feedpub.errors import OutputError
from feedpub.model import Kept, Output


def _write(out: Path, files: dict[str, bytes], key: bytes = b"k") -> write.WriteReport:
    return write.write_outputs([Output(p, data, key) for p, data in files.items()], out)


class _Ready:
    """A Later whose result is there already (as the background walk's, once it has ended)."""

    def __init__(self, value: dict[str, write.Held]) -> None:
        self._value = value

    def result(self) -> dict[str, write.Held]:
        return self._value


class TestPrevious:
    def test_holds_a_file_only_as_recorded(self, tmp_path: Path) -> None:
        """A file is held for its recorded key while its size, mtime and inode are as recorded."""
        out = tmp_path / "out"
        report = _write(out, {"a.xml": b"<a/>", "sub/b.xml": b"<b/>"})
        previous = write.Previous(out, report.files)
        assert previous.holds("a.xml", b"k") and previous.holds("sub/b.xml", b"k")
        assert not previous.holds("a.xml", b"other key")
        assert not previous.holds("c.xml", b"k")
        (out / "a.xml").write_bytes(b"<A/>")  # same size, new mtime
        os.utime(out / "sub" / "b.xml", ns=(0, 10**9))
        assert not previous.holds("a.xml", b"k")
        assert not previous.holds("sub/b.xml", b"k")

    def test_a_file_rewritten_with_its_mtime_put_back_is_not_held(self, tmp_path: Path) -> None:
        """A file rewritten in place (same inode, size and mtime, put back) is not held: its ctime moved."""
        out = tmp_path / "out"
        report = _write(out, {"a.xml": b"<a/>"})
        st = (out / "a.xml").stat()
        (out / "a.xml").write_bytes(b"<z/>")
        os.utime(out / "a.xml", ns=(st.st_atime_ns, st.st_mtime_ns))
        now = (out / "a.xml").stat()
        assert (now.st_ino, now.st_size, now.st_mtime_ns) == (st.st_ino, st.st_size, st.st_mtime_ns)
        assert not write.Previous(out, report.files).holds("a.xml", b"k")
        assert not write.Previous(out, report.files, _Ready(write.existing(out))).holds("a.xml", b"k")

    def test_a_replaced_file_is_not_held(self, tmp_path: Path) -> None:
        """A file replaced by another of the same size and mtime (a new inode) is not held."""
        out = tmp_path / "out"
        report = _write(out, {"a.xml": b"<a/>"})
        st = (out / "a.xml").stat()
        (out / "a.xml").rename(tmp_path / "aside.xml")  # still alive: its inode cannot be reused
        (out / "a.xml").write_bytes(b"<z/>")
        os.utime(out / "a.xml", ns=(st.st_atime_ns, st.st_mtime_ns))
        assert (out / "a.xml").stat().st_ino != st.st_ino
        assert not write.Previous(out, report.files).holds("a.xml", b"k")


class TestKept:
    def test_kept_files_are_linked_not_rewritten(self, tmp_path: Path) -> None:
        """A kept output keeps its inode and mtime; only the new file is written."""
        out = tmp_path / "out"
        first = _write(out, {"a.xml": b"<a/>", "b.xml": b"<b/>"})
        before = (out / "a.xml").stat()
        report = write.write_outputs([Kept("a.xml", b"k"), Output("b.xml", b"<b2/>", b"k2")], out)
        assert report.written == ("b.xml",) and report.unchanged == ("a.xml",)
        after = (out / "a.xml").stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
        assert (out / "b.xml").read_bytes() == b"<b2/>"
        assert report.files["a.xml"] == first.files["a.xml"]
        assert report.files["b.xml"].key == b"k2"

    def test_nothing_changed_touches_nothing(self, tmp_path: Path) -> None:
        """When every output is kept or equal, the folder itself is not replaced."""
        out = tmp_path / "out"
        _write(out, {"a.xml": b"<a/>", "b.xml": b"<b/>"})
        folder = out.stat().st_ino
        report = write.write_outputs([Kept("a.xml", b"k"), Output("b.xml", b"<b/>", b"k")], out)
        assert not report.changed
        assert out.stat().st_ino == folder

    def test_a_kept_file_gone_is_an_error_and_changes_nothing(self, tmp_path: Path) -> None:
        """A kept output whose file vanished during the build fails the write; the folder stays as it was."""
        out = tmp_path / "out"
        _write(out, {"a.xml": b"<a/>", "b.xml": b"<b/>"})
        (out / "a.xml").unlink()
        with pytest.raises(OutputError, match=r"a\.xml disappeared from the output folder"):
            write.write_outputs([Kept("a.xml", b"k"), Output("b.xml", b"<b2/>")], out)
        assert (out / "b.xml").read_bytes() == b"<b/>"

    def test_an_output_of_several_files_is_kept_whole(self, tmp_path: Path) -> None:
        """keep() takes every file of an output (a feed's three) under its key; a path kept twice is a clash,
        a file gone is an error, and neither moves anything."""
        out = tmp_path / "out"
        first = _write(out, {"a.xml": b"<a/>", "a.json": b"{}", "b.xml": b"<b/>"})
        with write.Staging(out, known=first.files) as stage:
            stage.keep(("a.xml", "a.json"), b"k")
            stage.add([Output("b.xml", b"<b/>", b"k2")])
            report = stage.commit()
        assert report.unchanged == ("a.json", "a.xml", "b.xml") and not report.changed
        assert {p: report.files[p].key for p in report.files} == {"a.xml": b"k", "a.json": b"k", "b.xml": b"k2"}
        with write.Staging(out) as stage:
            stage.keep(("a.xml",), b"k")
            with pytest.raises(OutputError, match=r"two outputs would be written to 'a\.xml'"):
                stage.keep(("a.json", "a.xml"), b"k3")
        (out / "a.json").unlink()
        with write.Staging(out) as stage, pytest.raises(OutputError, match=r"a\.json disappeared"):
            stage.keep(("a.xml", "a.json"), b"k")
        assert sorted(p.name for p in out.iterdir()) == [".feedpub-output", "a.xml", "b.xml"]

    def test_removed_outputs_leave(self, tmp_path: Path) -> None:
        """Files of the old output that the new one does not list are removed."""
        out = tmp_path / "out"
        _write(out, {"a.xml": b"<a/>", "old/b.xml": b"<b/>"})
        report = write.write_outputs([Kept("a.xml", b"k")], out)
        assert report.removed == ("old/b.xml",)
        assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
            ".feedpub-output", "a.xml"]


class TestInPlace:
    def test_only_changed_files_are_replaced(self, tmp_path: Path) -> None:
        """A rebuild replaces the changed file (new inode) and leaves every other file and folder as it was."""
        out = tmp_path / "out"
        _write(out, {"a/index.html": b"a", "b/index.html": b"b", "feed.xml": b"f"})
        before = {p: (out / p).stat().st_ino for p in ("a/index.html", "b/index.html", "feed.xml")}
        folder = (out / "b").stat().st_ino
        report = _write(out, {"a/index.html": b"a", "b/index.html": b"B", "feed.xml": b"f"})
        assert report.written == ("b/index.html",) and (out / "b/index.html").read_bytes() == b"B"
        assert (out / "b/index.html").stat().st_ino != before["b/index.html"]
        assert {p: (out / p).stat().st_ino for p in ("a/index.html", "feed.xml")} == \
            {p: before[p] for p in ("a/index.html", "feed.xml")}
        assert (out / "b").stat().st_ino == folder  # the output folder was not replaced
        assert not list(out.glob(".feedpub-stage-*"))  # no staging folder left behind

    def test_a_removed_page_leaves_no_empty_folder(self, tmp_path: Path) -> None:
        """A page that is gone takes its now empty folders with it; a folder still holding files stays."""
        out = tmp_path / "out"
        _write(out, {"news/x/index.html": b"x", "news/y/index.html": b"y", "deep/a/b/c.html": b"c"})
        _write(out, {"news/y/index.html": b"y"})
        assert not (out / "news/x").exists() and not (out / "deep").exists()
        assert (out / "news/y/index.html").read_bytes() == b"y"

    def test_a_failure_before_commit_changes_nothing(self, tmp_path: Path) -> None:
        """An error after some outputs were staged leaves the output folder as it was, and no staging folder."""
        out = tmp_path / "out"
        _write(out, {"a.html": b"a", "b.html": b"b"})
        with write.Staging(out) as stage:
            stage.add([Output("a.html", b"changed", b"k"), Output("c.html", b"new", b"k")])
            with pytest.raises(OutputError):
                stage.add([Output("a.html", b"again", b"k")])  # two outputs at one path: an error
        assert (out / "a.html").read_bytes() == b"a" and not (out / "c.html").exists()
        assert not list(out.glob(".feedpub-stage-*")) and sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_a_file_where_a_folder_must_go(self, tmp_path: Path) -> None:
        """An old output file at the path of a new output's folder is removed first."""
        out = tmp_path / "out"
        _write(out, {"posts": b"a file"})
        _write(out, {"posts/index.html": b"a page"})
        assert (out / "posts/index.html").read_bytes() == b"a page"


class TestStagedElsewhere:
    """Article pages are staged by the worker processes that make them; this process only notes them."""

    def _in_child(self, put: object, outputs: list[Output]) -> list[write.Staged]:
        """Run put(outputs) in a forked child, as a page worker does; return what it returned."""
        from feedpub.incremental import workers

        return workers.start(lambda: put(outputs), background=True).result()  # type: ignore[operator]

    def test_files_staged_by_a_child_are_committed(self, tmp_path: Path) -> None:
        """A changed or new file a child staged is put in; an equal one is noted unchanged and not rewritten."""
        out = tmp_path / "out"
        _write(out, {"news/a/index.html": b"a", "news/b/index.html": b"b"})
        before = (out / "news/a/index.html").stat()
        with write.Staging(out) as stage:
            staged = self._in_child(stage.stager(), [Output("news/a/index.html", b"a", b"k2"),
                                                     Output("news/b/index.html", b"B", b"k2"),
                                                     Output("news/c/index.html", b"c", b"k2")])
            assert [s.written for s in staged] == [False, True, True]
            stage.note(staged)
            stage.add([Output("index.html", b"home", b"k2")])
            report = stage.commit()
        assert report.written == ("index.html", "news/b/index.html", "news/c/index.html")
        assert report.unchanged == ("news/a/index.html",)
        assert (out / "news/b/index.html").read_bytes() == b"B" and (out / "news/c/index.html").read_bytes() == b"c"
        assert (out / "news/a/index.html").stat().st_ino == before.st_ino
        assert {p: f.key for p, f in report.files.items()} == dict.fromkeys(
            ("index.html", "news/a/index.html", "news/b/index.html", "news/c/index.html"), b"k2")

    def test_a_path_staged_twice_is_an_error_and_changes_nothing(self, tmp_path: Path) -> None:
        """A page at the path another output has is refused when noted, and the output folder stays as it was."""
        out = tmp_path / "out"
        _write(out, {"a.html": b"a"})
        with write.Staging(out) as stage:
            stage.add([Output("news/x/index.html", b"list", b"k")])
            staged = self._in_child(stage.stager(), [Output("news/x/index.html", b"page", b"k")])
            with pytest.raises(OutputError, match=re.escape("two outputs would be written to 'news/x/index.html'")):
                stage.note(staged)
        assert sorted(p.name for p in out.iterdir()) == [".feedpub-output", "a.html"]
        assert not list(out.glob(".feedpub-stage-*")) and sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_an_unsafe_path_is_refused_where_it_is_staged(self, tmp_path: Path) -> None:
        """The stager checks each path as add() does: nothing is written outside the staging folder."""
        with write.Staging(tmp_path / "out") as stage:
            put = stage.stager()
            with pytest.raises(OutputError, match="forbidden segment"):
                put([Output("../escape.html", b"x", b"k")])
        assert not (tmp_path / "escape.html").exists()


class TestExisting:
    def test_every_file_with_its_stat(self, tmp_path: Path) -> None:
        """Each file below the folder, by its relative path, with the stat os.stat gives; not the marker."""
        out = tmp_path / "out"
        (out / "a" / "b").mkdir(parents=True)
        (out / write.MARKER).write_bytes(b"")
        (out / "top.html").write_bytes(b"1")
        (out / "a" / "b" / "deep.xml").write_bytes(b"22")
        found = write.existing(out)
        assert set(found) == {"top.html", "a/b/deep.xml"}
        for rel, held in found.items():
            st = os.stat(out / rel)
            assert held == write.Held(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def test_links_are_listed_never_followed(self, tmp_path: Path) -> None:
        """A link to a folder, to a file or to nothing is listed as a file matching no output (stat -1), never entered."""
        out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
        out.mkdir()
        elsewhere.mkdir()
        (elsewhere / "x.txt").write_bytes(b"x")
        (out / "folder").symlink_to(elsewhere, target_is_directory=True)
        (out / "file").symlink_to(elsewhere / "x.txt")
        (out / "gone").symlink_to(tmp_path / "nothing")
        found = write.existing(out)
        assert set(found) == {"folder", "file", "gone"}
        assert set(found.values()) == {write.NOT_HELD}

    def test_no_folder_holds_nothing(self, tmp_path: Path) -> None:
        assert write.existing(tmp_path / "none") == {}

    def test_the_background_walk_sends_the_same_listing(self, tmp_path: Path) -> None:
        """What a rebuild's background walk sends back (as columns) is existing() itself: files, links, nothing."""
        from feedpub.incremental import context

        out = tmp_path / "out"
        (out / "été" / "天文").mkdir(parents=True)
        (out / "été" / "天文" / "index.html").write_bytes(b"<p>x</p>")
        (out / "top.xml").write_bytes(b"")
        (out / "link").symlink_to(out / "top.xml")
        for folder in (out, tmp_path / "empty", tmp_path / "none"):
            folder.mkdir(exist_ok=folder.name != "none")
            if folder.name == "none":
                folder.rmdir()
            found, back = write.existing(folder), context._unlisted([context._listed(folder)])
            assert back == found
            assert all(type(held) is write.Held for held in back.values())  # read by name: held.size
        assert len(write.existing(out)) == 3
