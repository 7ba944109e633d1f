"""The last good output is never damaged: clashes refused before anything moves, failed moves undone, leftovers removed."""

from __future__ import annotations

import errno
import os
import re
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest

from feedpub import write
from feedpub.commands.check import check
from feedpub.config import Config
from feedpub.errors import OutputError
from feedpub.model import Output
from feedpub.pipeline import build
from tests.conftest import NOW, output_tree


def _doc(folder: Path, name: str, date: str, extra: str = "") -> None:
    (folder / name).write_text(f"---\ntitle: {name}\ndate: {date}\n{extra}---\nThe text of {name}.\n",
                               encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, make_config: Callable[..., Config]) -> Config:
    """Three documents built once into tmp_path/dist."""
    src = tmp_path / "src"
    src.mkdir()
    for i in (1, 2, 3):
        _doc(src, f"p{i}.md", f"2024-01-0{i}")
    config = make_config(src)
    build(config, now=NOW)
    return config


def snapshot(out: Path) -> dict[str, Any]:
    """Every file and folder below out: a file's bytes, inode and mtime (a folder is only there)."""
    found: dict[str, Any] = {}
    for p in sorted(out.rglob("*")):
        st = p.lstat()
        found[p.relative_to(out).as_posix()] = "folder" if p.is_dir() else (p.read_bytes(), st.st_ino, st.st_mtime_ns)
    return found


def dead_pid() -> int:
    """Return the pid of a process that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


class TestClashesRule:
    """write.clashes: which paths cannot both be files of one folder."""

    def test_one_path_twice(self) -> None:
        """The same path claimed twice clashes, the first claim named first."""
        assert write.clashes([("a.html", 1), ("b.html", 2), ("a.html", 3)]) == [
            write.Clash("a.html", 1, "a.html", 3, "same")]

    def test_paths_equal_but_for_case_or_normalization(self) -> None:
        """Paths one case-insensitive, normalization-insensitive file system (macOS, Windows) takes as one clash."""
        assert [c.how for c in write.clashes([("News/a.html", 1), ("news/A.html", 2)])] == ["case"]
        assert [c.how for c in write.clashes([("caf\u00e9/x", 1), ("cafe\u0301/x", 2)])] == ["case"]
        assert [c.how for c in write.clashes([("STRASSE", 1), ("stra\u00dfe", 2)])] == ["case"]

    def test_a_file_where_a_folder_must_be(self) -> None:
        """A file at a folder of another path clashes, at any depth, in either order, in any case."""
        assert write.clashes([("feed.css", 1), ("feed.css/index.html", 2)]) == [
            write.Clash("feed.css", 1, "feed.css/index.html", 2, "folder")]
        assert write.clashes([("a/b/c/d.html", 1), ("a/b", 2)]) == [write.Clash("a/b", 2, "a/b/c/d.html", 1, "folder")]
        assert write.clashes([("A/x.html", 1), ("a", 2)]) == [write.Clash("a", 2, "A/x.html", 1, "folder")]

    def test_neighbours_that_do_not_clash(self) -> None:
        """Names that share a beginning but not a folder, and files side by side in one folder, are fine."""
        assert write.clashes([("a", 1), ("ab/c", 2), ("a-b/c", 3), ("a.b", 4), ("x/a", 5), ("x/b", 6),
                              ("x/y/a", 7), ("y", 8), ("z/y", 9)]) == []


class TestClashRefusedBeforeAnythingMoves:
    """A document whose page lands on a file the build makes fails the build, naming both; nothing changes."""

    @pytest.mark.parametrize(("permalink", "said"), [
        ("/feed.css/", "its page 'feed.css/index.html' needs a folder at the path of the file 'feed.css' that the "
                       "build makes (site)"),
        ("/sitemap.xml/", "its page 'sitemap.xml/index.html' needs a folder at the path of the file 'sitemap.xml'"),
        ("/categories/news/atom.xml/", "needs a folder at the path of the file 'categories/news/atom.xml' that the "
                                       "build makes (feeds)"),
        ("/index.html", "its page 'index.html' has the same path as the file 'index.html' that the build makes "
                        "(lists)"),
        ("/Index.html", "its page 'Index.html' and the file 'index.html' that the build makes (lists) differ only "
                        "in case"),
        ("/.feedpub-output/", "refusing to write its page '.feedpub-output/index.html': the path starts with "
                              "'.feedpub-'"),
    ])
    def test_the_build_fails_naming_the_document_and_changes_nothing(self, site: Config, permalink: str,
                                                                     said: str) -> None:
        """The error is at the document's permalink line and names the other file; the output stays byte for byte."""
        _doc(site.source, "p4.md", "2024-01-04")  # a change that would rewrite the feeds and lists
        _doc(site.source, "p1.md", "2024-01-01", f"permalink: {permalink}\n")
        before = snapshot(site.out)
        with pytest.raises(OutputError) as e:
            build(site, now=NOW)
        assert len(e.value.problems) == 1
        problem = e.value.problems[0]
        assert (problem.path, problem.line) == ("p1.md", 4)
        assert said in problem.message
        assert snapshot(site.out) == before
        assert sorted(p.name for p in site.out.parent.iterdir()) == ["dist", "src"]

    def test_two_documents_that_differ_in_case_are_both_named(self, site: Config) -> None:
        """Two pages one file apart only by case: the error names both documents."""
        _doc(site.source, "p1.md", "2024-01-01", "permalink: /News/p2/\n")
        before = snapshot(site.out)
        with pytest.raises(OutputError) as e:
            build(site, now=NOW)
        assert [str(p) for p in e.value.problems] == [
            "p2.md: its page 'news/p2/index.html' and the page of p1.md ('News/p2/index.html') differ only in case: "
            "one file on macOS and Windows: give the document another permalink or slug"]
        assert snapshot(site.out) == before

    def test_a_copied_file_where_a_page_needs_a_folder(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A file of the static folder at the path of a page's folder is named, with the document."""
        src, static = tmp_path / "src", tmp_path / "static"
        src.mkdir()
        static.mkdir()
        _doc(src, "p1.md", "2024-01-01", "permalink: /about/team/\n")
        (static / "about").write_bytes(b"a file, not a folder")
        with pytest.raises(OutputError) as e:
            build(make_config(src, static_dir=str(static)), now=NOW)
        assert [str(p) for p in e.value.problems] == [
            f"p1.md:4: its page 'about/team/index.html' needs a folder at the path of the copy of {static / 'about'} "
            "('about'): give the document another permalink or slug"]
        assert not (tmp_path / "dist").exists()

    def test_check_reports_what_the_build_refuses(self, site: Config) -> None:
        """check names the same clash as the build, with the same message (one rule), and writes nothing."""
        _doc(site.source, "p1.md", "2024-01-01", "permalink: /feed.css/\n")
        before = snapshot(site.out)
        with pytest.raises(OutputError) as e:
            build(site, now=NOW)
        found = check(site, now=NOW).errors
        assert [(f.code, f.path, f.line, f.message) for f in found] == [
            ("output-clash", p.path, p.line, p.message) for p in e.value.problems]
        assert snapshot(site.out) == before

    def test_check_reports_an_unsafe_path_at_its_document(self, site: Config) -> None:
        """A permalink into feedpub's own names is an 'unsafe-path' error of check, at the document's line."""
        _doc(site.source, "p2.md", "2024-01-02", "permalink: /.feedpub-output/\n")
        assert [(f.code, f.path, f.line) for f in check(site, now=NOW).errors] == [("unsafe-path", "p2.md", 4)]

    @pytest.mark.parametrize("permalink", ["/digest/latest.html", "/digest/Latest.html", "/digest/2023-W01.html"])
    def test_a_page_named_like_a_digest_file_fails_every_build(self, tmp_path: Path,
                                                               make_config: Callable[..., Config],
                                                               permalink: str) -> None:
        """A page on a digest file's name is refused when no digest is made too: a later build would keep it as one."""
        src = tmp_path / "src"
        src.mkdir()
        _doc(src, "p1.md", "2024-01-01", f"permalink: {permalink}\n")
        config = make_config(src)
        for _build in range(2):  # the second one would find the first one's page in digest/
            with pytest.raises(OutputError) as e:
                build(config, now=NOW)
            assert [(p.path, p.line) for p in e.value.problems] == [("p1.md", 4)]
            assert "a later build would keep it as a digest" in e.value.problems[0].message
        assert not (tmp_path / "dist").exists()
        assert [(f.code, f.path, f.line) for f in check(config, now=NOW).errors] == [("unsafe-path", "p1.md", 4)]

    def test_a_static_file_named_like_a_digest_file_is_refused(self, tmp_path: Path,
                                                               make_config: Callable[..., Config]) -> None:
        """A copied file at a digest file's name is named: kept as a digest, its changes would never be copied."""
        src, static = tmp_path / "src", tmp_path / "static"
        src.mkdir()
        _doc(src, "p1.md", "2024-01-01")
        (static / "digest").mkdir(parents=True)
        (static / "digest" / "2023-W01.html").write_bytes(b"<p>old issue</p>")
        (static / "digest" / "logo.png").write_bytes(b"png")
        with pytest.raises(OutputError) as e:
            build(make_config(src, static_dir=str(static)), now=NOW)
        assert [p.path for p in e.value.problems] == [str(static / "digest" / "2023-W01.html")]

    def test_the_staging_refuses_a_clash_itself(self, tmp_path: Path) -> None:
        """Staging.commit refuses clashing outputs whoever calls it: the old files stay, no staging folder is left."""
        out = tmp_path / "out"
        write.write_outputs([Output("a.html", b"a", b"k"), Output("feed.css", b"css", b"k")], out)
        before = snapshot(out)
        with pytest.raises(OutputError, match=re.escape("output 'feed.css' is a file where 'feed.css/index.html' "
                                                        "needs a folder: nothing was written")):
            write.write_outputs([Output("a.html", b"A", b"k"), Output("feed.css", b"css", b"k"),
                                 Output("feed.css/index.html", b"page", b"k")], out)
        assert snapshot(out) == before


    def test_paths_cleared_before_are_not_other_paths(self, tmp_path: Path) -> None:
        """A caller's clearance (paths it found free of clashes) counts only for exactly those paths."""
        out = tmp_path / "out"
        write.write_outputs([Output("a.html", b"a", b"k"), Output("feed.css", b"css", b"k")], out)
        before = snapshot(out)
        for cleared in ({"a.html", "feed.css"}, {"a.html", "feed.css", "feed.css/index.html", "b.html"}):
            with write.Staging(out, cleared=frozenset(cleared)) as stage:
                stage.add([Output("a.html", b"A", b"k"), Output("feed.css", b"css", b"k"),
                           Output("feed.css/index.html", b"page", b"k")])
                with pytest.raises(OutputError, match="needs a folder: nothing was written"):
                    stage.commit()
            assert snapshot(out) == before

class TestStagingFolder:
    """Files are staged inside the output folder (one file system), and what killed builds left is removed."""

    def test_staged_inside_the_output_folder(self, tmp_path: Path) -> None:
        """While a build stages, its files are in out/.feedpub-stage-<pid>; nothing is written beside out."""
        out = tmp_path / "out"
        write.write_outputs([Output("a.html", b"a", b"k")], out)
        with write.Staging(out) as stage:
            stage.add([Output("a.html", b"A", b"k")])
            assert (out / f".feedpub-stage-{os.getpid()}" / "a.html").read_bytes() == b"A"
            assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
            stage.commit()
        assert sorted(p.name for p in out.iterdir()) == [".feedpub-output", "a.html"]

    def test_a_failed_first_build_leaves_no_folder(self, tmp_path: Path) -> None:
        """An output folder that staging made is removed again when the build fails."""
        out = tmp_path / "out"
        with write.Staging(out) as stage:
            stage.add([Output("a.html", b"a", b"k")])
        assert not out.exists()

    def _leftover(self, out: Path, pid: int, host: str | None = None) -> Path:
        folder = out / f".feedpub-stage-{pid}"
        (folder / "news").mkdir(parents=True)
        (folder / "news" / "x.html").write_bytes(b"half")
        if host is not None:
            (folder / write.STAGE_MARKER).write_text(f"feedpub staging folder\nhost {host}\npid {pid}\n")
        return folder

    def test_a_killed_builds_folder_is_removed_and_named(self, site: Config) -> None:
        """The staging folder of a process that is gone, made on this host, is removed; the build says so."""
        pid = dead_pid()
        folder = self._leftover(site.out, pid, socket.gethostname())
        result = build(site, now=NOW)
        assert not folder.exists()
        assert f"removed {folder}: the staging folder of a build that was stopped (process {pid})" in result.warnings
        assert not result.report.removed  # its files were never taken for outputs

    def test_what_is_not_provably_a_leftover_stays(self, site: Config) -> None:
        """No marker, another host, or a process still running: the folder is left alone (and said, unless in use)."""
        no_marker = self._leftover(site.out, dead_pid())
        elsewhere = self._leftover(site.out, dead_pid() + 1, "another-host")
        running = self._leftover(site.out, os.getppid(), socket.gethostname())
        result = build(site, now=NOW)
        assert no_marker.exists() and elsewhere.exists() and running.exists()
        said = [w for w in result.warnings if ".feedpub-stage-" in w]
        assert sorted(said) == sorted([
            f"{no_marker} looks like a staging folder a stopped build left, but holds no .feedpub-stage: left alone "
            "(delete it if it is not yours)",
            f"{elsewhere} is the staging folder of a build on host another-host: left alone (delete it when no build "
            "runs there)"])
        assert not result.report.removed

    def test_an_older_versions_folder_beside_the_output(self, site: Config) -> None:
        """Beside the output, a '.dist.tmp-<pid>' holding the output marker, of a process gone, is removed."""
        pid = dead_pid()
        old = site.out.parent / f".dist.tmp-{pid}"
        old.mkdir()
        (old / write.MARKER).write_bytes(b"")
        unproven = site.out.parent / f".dist.tmp-{pid + 1}"
        unproven.mkdir()
        result = build(site, now=NOW)
        assert not old.exists() and unproven.exists()
        assert f"removed {old}: the staging folder of a build that was stopped (process {pid})" in result.warnings


def _failing(monkeypatch: pytest.MonkeyPatch, name: str, nth: int, *, after: bool = False,
             code: int = errno.EXDEV) -> None:
    """Make os.<name> fail on its nth call from now (after: and on every call after it too)."""
    real = getattr(os, name)
    calls = [0]

    def fake(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == nth or (after and calls[0] > nth):
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    monkeypatch.setattr(os, name, fake)


class TestMovesUndone:
    """A commit whose moves fail midway undoes them: the old output as it was, or the new files named."""

    OLD: ClassVar[dict[str, bytes]] = {"a.html": b"a", "news/x/index.html": b"x", "news/y/index.html": b"y", "gone/page.html": b"g",
           "posts": b"a file", "feed.xml": b"f", "deep/a/index.html": b"d"}
    NEW: ClassVar[dict[str, bytes]] = {"a.html": b"A", "news/x/index.html": b"X", "news/z/index.html": b"z", "posts/index.html": b"folder now",
           "feed.xml": b"f", "more/deep/n.html": b"n", "deep": b"a file now"}

    def _commit(self, out: Path) -> None:
        write.write_outputs([Output(p, data, b"k") for p, data in self.NEW.items()], out)

    @pytest.mark.parametrize(("name", "calls"), [("replace", 7), ("rename", 5), ("mkdir", 4), ("link", 3)])
    def test_every_failing_move_is_undone(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                          calls: int) -> None:
        """Whichever move fails (a replace, a move aside, a new folder, a link), the old output stays as it was."""
        out = tmp_path / "out"
        write.write_outputs([Output(p, data, b"k") for p, data in self.OLD.items()], out)
        before = snapshot(out)
        for nth in range(1, calls + 1):
            with monkeypatch.context() as m:
                _failing(m, name, nth, code=errno.ENOSPC)
                failed = ""
                try:
                    self._commit(out)
                except OutputError as e:  # while staging, or while moving in (then undone)
                    failed = str(e)
            if failed:
                assert "undoing the moves failed" not in failed
                assert snapshot(out) == before, f"os.{name} failing at call {nth}"
                continue
            # the fault came too late to matter (a link that fell back to a move): the commit was whole
            assert output_tree(out) == {**self.NEW, ".feedpub-output": output_tree(out)[".feedpub-output"]}
            write.write_outputs([Output(p, data, b"k") for p, data in self.OLD.items()], out)
            before = snapshot(out)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]

    def test_a_first_build_that_fails_moving_leaves_nothing(self, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
        """A new output folder whose moves fail is taken away again."""
        out = tmp_path / "out"
        _failing(monkeypatch, "rename", 3)
        with pytest.raises(OutputError, match="nothing in the output folder was changed"):
            self._commit(out)
        assert not out.exists()

    def test_when_undoing_fails_too_the_new_files_are_named(self, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
        """If the moves cannot be undone either, the error lists the files that may be new or missing."""
        out = tmp_path / "out"
        write.write_outputs([Output(p, data, b"k") for p, data in self.OLD.items()], out)
        _failing(monkeypatch, "replace", 3, after=True)
        with pytest.raises(OutputError) as e:
            self._commit(out)
        message = str(e.value)
        assert "undoing the moves failed too" in message
        assert "the next build that succeeds makes them again" in message
        named = message.split("): ", 1)[1].split(f" in {out}", 1)[0].split(", ")
        # the moves done before the third replace failed: the removed files set aside, two files replaced
        assert named == ["a.html", "deep/a/index.html", "gone/page.html", "news/x/index.html", "news/y/index.html",
                         "posts"]

    def test_the_next_build_repairs_what_could_not_be_undone(self, site: Config,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
        """After a rebuild whose moves could not be undone, the next build makes the output a fresh build makes."""
        _doc(site.source, "p4.md", "2024-01-04")
        _doc(site.source, "p2.md", "2024-01-02", "summary: changed\n")
        (site.source / "p3.md").unlink()
        with monkeypatch.context() as m:
            _failing(m, "replace", 4, after=True)
            with pytest.raises(OutputError, match="undoing the moves failed too"):
                build(site, now=NOW)
        build(site, now=NOW)
        fresh = Config(**{**site.__dict__, "out": site.out.parent / "fresh", "cache": False})
        build(fresh, now=NOW)
        assert output_tree(site.out) == output_tree(fresh.out)
        assert sorted(p.name for p in site.out.iterdir() if p.name.startswith(".feedpub-")) == [".feedpub-output"]
