"""What a build may read and write: folders inside one another refused, links leading outside and non-files not read."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from feedpub import places
from feedpub.commands.check import check
from feedpub.config import Config
from feedpub.errors import ConfigError, SourceError
from feedpub.pipeline import build
from feedpub.sources import load
from tests.conftest import NOW, output_tree, write_doc

DOC = "---\ntitle: {title}\ndate: 2025-01-10\n---\nText of {title}.\n"
SECRET = "root:x:0:0:SECRET-LINE:/root:/bin/bash\n"

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(signal, "SIGALRM"),
                                reason="no FIFOs on this system")


@pytest.fixture
def no_hang() -> Iterator[None]:
    """Fail a test whose read blocks (a FIFO opened) after 60 s instead of hanging the run."""

    def fail(_signum: int, _frame: object) -> None:
        raise TimeoutError("a read blocked")

    before = signal.signal(signal.SIGALRM, fail)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)


def _site(folder: Path, *titles: str) -> Path:
    for title in titles or ("A",):
        write_doc(folder, f"{title.lower()}.md", DOC.format(title=title))
    return folder


def _feedpub(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI in another process, killed after 60 s: a read that blocks fails the test instead of hanging it."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    return subprocess.run([sys.executable, "-m", "feedpub", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


def _published(out: Path) -> str:
    return (out / "feed.json").read_text(encoding="utf-8")


class TestFolders:
    def test_source_inside_the_output_is_refused_and_nothing_is_deleted(self, tmp_path: Path) -> None:
        """--source dist/articles --out dist: an error naming both folders; the documents stay."""
        assert _feedpub("build", "--source", _site(tmp_path / "src"), "--out", "dist", cwd=tmp_path).returncode == 0
        _site(tmp_path / "dist" / "articles")
        done = _feedpub("build", "--source", "dist/articles", "--out", "dist", cwd=tmp_path)
        assert done.returncode == 1
        assert f"'source' ({tmp_path / 'dist' / 'articles'}) is inside 'out' ({tmp_path / 'dist'})" in done.stderr
        assert "Traceback" not in done.stderr
        assert (tmp_path / "dist" / "articles" / "a.md").is_file()

    @pytest.mark.parametrize("command", ["build", "check", "digest"])
    def test_every_command_that_reads_the_source_refuses(self, tmp_path: Path, command: str) -> None:
        """build, check and digest all refuse a source folder that is the output folder."""
        _site(tmp_path / "src")
        args = ["--source", "src"] + (["--out", "src"] if command != "check" else [])
        (tmp_path / "feedpub.toml").write_text('out = "src"\n', encoding="utf-8")
        done = _feedpub(command, *args, cwd=tmp_path)
        assert done.returncode == 1
        assert f"'source' and 'out' are one folder ({tmp_path / 'src'})" in done.stderr + done.stdout

    def test_paths_are_compared_as_they_really_are(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A source reached through a link to the output folder, or through '..', is still inside it."""
        out = tmp_path / "dist"
        _site(out / "articles")
        (tmp_path / "link").symlink_to(out)
        for source in (tmp_path / "link" / "articles", tmp_path / "other" / ".." / "dist" / "articles"):
            with pytest.raises(ConfigError, match=r"'source' \(.*/dist/articles\) is inside 'out' \(.*/dist\)"):
                build(make_config(source, out=str(out)), now=NOW)
        assert (out / "articles" / "a.md").is_file()

    def test_static_folder_that_is_the_output_is_refused(self, tmp_path: Path,
                                                          make_config: Callable[..., Config]) -> None:
        """static_dir = out: refused before anything is written, the static files kept."""
        (tmp_path / "dist").mkdir()
        (tmp_path / "dist" / "logo.png").write_bytes(b"png")
        config = make_config(_site(tmp_path / "src"), static_dir=str(tmp_path / "dist"))
        with pytest.raises(ConfigError, match=r"'out' and 'static_dir' are one folder .*a build replaces the output"):
            build(config, now=NOW)
        with pytest.raises(ConfigError, match="are one folder"):
            check(config, now=NOW)
        assert (tmp_path / "dist" / "logo.png").read_bytes() == b"png"

    def test_static_folder_inside_the_output_is_refused(self, tmp_path: Path,
                                                         make_config: Callable[..., Config]) -> None:
        """static_dir inside an output folder feedpub made: refused, where a build would delete its files."""
        config = make_config(_site(tmp_path / "src"))
        build(config, now=NOW)
        write_doc(tmp_path / "dist", "static/logo.svg", "<svg/>")
        config = make_config(tmp_path / "src", static_dir=str(tmp_path / "dist" / "static"))
        with pytest.raises(ConfigError, match=r"'static_dir' \(.*\) is inside 'out'"):
            build(config, now=NOW)
        assert (tmp_path / "dist" / "static" / "logo.svg").is_file()

    def test_cache_inside_the_output_is_refused(self, tmp_path: Path, make_config: Callable[..., Config],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """A cache folder inside the output folder (FEEDPUB_CACHE_DIR or cache_dir) is refused; with no cache, not."""
        config = make_config(_site(tmp_path / "src"))
        build(config, now=NOW)
        monkeypatch.setenv("FEEDPUB_CACHE_DIR", str(tmp_path / "dist" / "cache"))
        with pytest.raises(ConfigError, match=r"the cache folder \(.*/dist/cache\) is inside 'out' \(.*/dist\)"):
            build(config, now=NOW)
        with pytest.raises(ConfigError, match=r"the cache folder \(.*/dist/c\) is inside 'out'"):
            build(make_config(tmp_path / "src", cache_dir=str(tmp_path / "dist" / "c")), now=NOW)
        assert not (tmp_path / "dist" / "cache").exists() and not (tmp_path / "dist" / "c").exists()
        assert build(make_config(tmp_path / "src", cache=False), now=NOW).published

    def test_cache_inside_the_source_is_refused(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """The cache is written nowhere feedpub reads."""
        config = make_config(_site(tmp_path / "src"), cache_dir=str(tmp_path / "src" / "cache"))
        with pytest.raises(ConfigError, match=r"the cache folder .* is inside 'source'.*nowhere it reads"):
            build(config, now=NOW)

    def test_source_inside_the_static_folder_is_refused(self, tmp_path: Path,
                                                        make_config: Callable[..., Config]) -> None:
        """A source inside static_dir would publish its documents, drafts too, as files."""
        config = make_config(_site(tmp_path / "site" / "posts"), static_dir=str(tmp_path / "site"))
        with pytest.raises(ConfigError, match=r"'source' .* is inside 'static_dir'.*drafts too"):
            build(config, now=NOW)

    def test_every_clash_is_named_at_once(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Two clashes, two problems in one error."""
        (tmp_path / "dist" / "static").mkdir(parents=True)
        config = make_config(_site(tmp_path / "dist" / "src"), static_dir=str(tmp_path / "dist" / "static"))
        with pytest.raises(ConfigError) as caught:
            places.check(config)
        assert [p.message.split(" (")[0] for p in caught.value.problems] == ["'source'", "'static_dir'"]

    def test_output_inside_the_source_or_static_folder_is_allowed_and_never_read(
            self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A site folder holding its own dist/ builds twice alike: the output is never read as documents or files."""
        site = _site(tmp_path / "site")
        write_doc(site, "static/robots.txt", "User-agent: *\n")
        config = make_config(site, out=str(site / "dist"), static_dir=str(site), future=True)
        with pytest.raises(ConfigError):  # the static folder holds the source: refused, as above
            build(config, now=NOW)
        config = make_config(site, out=str(site / "dist"), static_dir=str(site / "static"))
        first = build(config, now=NOW)
        second = build(config, now=NOW)
        assert [r.rel for r in first.published] == [r.rel for r in second.published] == ["a.md"]
        assert not second.report.written and not (site / "dist" / "dist").exists()
        assert check(config, now=NOW).errors == ()


class TestLinks:
    def test_a_document_linked_to_a_file_outside_is_not_published(self, tmp_path: Path,
                                                                  make_config: Callable[..., Config]) -> None:
        """articles/x.md -> a file outside the source: not read, a warning naming it and its target; the build goes on."""
        secret = tmp_path / "passwd"
        secret.write_text("---\ntitle: Secret\n---\n" + SECRET, encoding="utf-8")
        source = _site(tmp_path / "src")
        (source / "articles").mkdir()
        (source / "articles" / "x.md").symlink_to(secret)
        config = make_config(source)
        result = build(config, now=NOW)
        assert [r.rel for r in result.published] == ["a.md"]
        assert "SECRET-LINE" not in "".join(p.read_text(errors="replace") for p in config.out.rglob("*") if p.is_file())
        assert f"articles/x.md: a symbolic link to {secret}, outside the source folder: not read" in result.warnings
        found = [(f.code, f.path, f.message) for f in check(config, now=NOW).findings if f.code == "not-read"]
        assert found == [("not-read", "articles/x.md", f"a symbolic link to {secret}, outside the source folder: "
                                                        "not read")]

    def test_a_linked_document_outside_is_dropped_from_a_cached_build(self, tmp_path: Path,
                                                                      make_config: Callable[..., Config]) -> None:
        """A document replaced by a link leading outside is gone from the next (cached) build too."""
        secret = tmp_path / "elsewhere.md"
        secret.write_text(DOC.format(title="Secret"), encoding="utf-8")
        config = make_config(_site(tmp_path / "src", "A", "B"))
        assert len(build(config, now=NOW).published) == 2
        (tmp_path / "src" / "b.md").unlink()
        (tmp_path / "src" / "b.md").symlink_to(secret)
        result = build(config, now=NOW)
        assert [r.rel for r in result.published] == ["a.md"]
        assert any(w.startswith("b.md: a symbolic link to") for w in result.warnings)

    def test_links_that_stay_inside_keep_working(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A document, an image and a static file linked to files inside their own folder are read and copied."""
        source = _site(tmp_path / "src")
        write_doc(source, "drafts/real.md", DOC.format(title="Linked"))
        (source / "linked.md").symlink_to(source / "drafts" / "real.md")
        (source / "img").mkdir()
        (source / "img" / "real.png").write_bytes(b"png-bytes")
        (source / "img" / "shown.png").symlink_to("real.png")
        static = tmp_path / "static"
        write_doc(static, "files/robots.txt", "User-agent: *\n")
        (static / "robots.txt").symlink_to(static / "files" / "robots.txt")
        config = make_config(source, static_dir=str(static), exclude=["drafts/**"])
        result = build(config, now=NOW)
        assert sorted(r.rel for r in result.published) == ["a.md", "linked.md"]
        assert (config.out / "img" / "shown.png").read_bytes() == b"png-bytes"
        assert (config.out / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\n"
        assert not [w for w in result.warnings if "not read" in w]

    def test_files_linked_outside_are_not_copied(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """An image beside the documents and a static file linked outside their folders: not copied, each named."""
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "key.png").write_bytes(b"SECRET")
        source = _site(tmp_path / "src")
        (source / "photo.png").symlink_to(outside / "key.png")
        static = tmp_path / "static"
        static.mkdir()
        (static / "id_rsa.pdf").symlink_to(outside / "key.png")
        config = make_config(source, static_dir=str(static))
        result = build(config, now=NOW)
        assert not (config.out / "photo.png").exists() and not (config.out / "id_rsa.pdf").exists()
        target = outside / "key.png"
        assert f"photo.png: a symbolic link to {target}, outside the source folder: not read" in result.warnings
        assert f"id_rsa.pdf: a symbolic link to {target}, outside static_dir: not read" in result.warnings
        assert {f.path for f in check(config, now=NOW).findings if f.code == "not-read"} == {"photo.png",
                                                                                              "id_rsa.pdf"}

    def test_the_size_of_an_image_linked_outside_is_not_published(self, tmp_path: Path,
                                                                  make_config: Callable[..., Config]) -> None:
        """An entry's image that is a link (or below a link) leading outside the source: its size is in no feed."""
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "key.png").write_bytes(b"S" * 1234)
        source = _site(tmp_path / "src")
        (source / "photo.png").symlink_to(outside / "key.png")
        (source / "shots").symlink_to(outside, target_is_directory=True)
        write_doc(source, "b.md", "---\ntitle: B\ndate: 2025-01-11\nimage: /photo.png\n---\nText.\n")
        write_doc(source, "c.md", "---\ntitle: C\ndate: 2025-01-12\nimage: /shots/key.png\n---\nText.\n")
        config = make_config(source, base_url="https://example.com/")
        build(config, now=NOW)
        for feed in ("rss.xml", "atom.xml", "feed.json"):
            text = (config.out / feed).read_text(encoding="utf-8")
            assert "1234" not in text, feed
            assert "example.com/photo.png" in text and "example.com/shots/key.png" in text
        (source / "real.png").write_bytes(b"R" * 4321)
        (source / "linked.png").symlink_to("real.png")  # a link inside keeps its size
        write_doc(source, "b.md", "---\ntitle: B\ndate: 2025-01-11\nimage: /linked.png\n---\nText.\n")
        build(config, now=NOW)
        assert 'length="4321"' in (config.out / "rss.xml").read_text(encoding="utf-8")

    def test_links_put_into_the_output_folder_are_removed_never_written_through(
            self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A link to a folder outside, put where a build writes pages, and a link to a file: both go, outside untouched."""
        config = make_config(_site(tmp_path / "src", "A"))
        build(config, now=NOW)
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "keep.css").write_bytes(b"same bytes")
        shutil.rmtree(config.out / "news")
        (config.out / "news").symlink_to(outside, target_is_directory=True)
        (config.out / "feed.css").unlink()
        (config.out / "feed.css").symlink_to(outside / "keep.css")
        write_doc(tmp_path / "src", "b.md", DOC.format(title="B"))
        build(config, now=NOW)
        assert sorted(p.name for p in outside.iterdir()) == ["keep.css"]
        assert (outside / "keep.css").read_bytes() == b"same bytes"
        assert not (config.out / "news").is_symlink() and (config.out / "news" / "b" / "index.html").is_file()
        assert not (config.out / "feed.css").is_symlink()
        fresh = make_config(tmp_path / "src", out=str(tmp_path / "fresh"), cache=False)
        build(fresh, now=NOW)
        assert output_tree(config.out) == output_tree(fresh.out)

    def test_folders_linked_outside_are_not_entered(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A link to a folder outside, in the source or static folder: nothing under it read, named once each."""
        outside = tmp_path / "outside"
        write_doc(outside, "leak.md", DOC.format(title="Leak"))
        (outside / "leak.png").write_bytes(b"SECRET")
        source = _site(tmp_path / "src")
        (source / "more").symlink_to(outside, target_is_directory=True)
        static = tmp_path / "static"
        static.mkdir()
        (static / "etc").symlink_to(outside, target_is_directory=True)
        config = make_config(source, static_dir=str(static))
        result = build(config, now=NOW)
        assert [r.rel for r in result.published] == ["a.md"]
        assert not (config.out / "more").exists() and not (config.out / "etc").exists()
        said = [w for w in result.warnings if "not read" in w]
        assert said == [f"more/: a symbolic link to {outside}, a folder outside the source folder: not read",
                        f"etc/: a symbolic link to {outside}, a folder outside static_dir: not read"]
        assert [f.path for f in check(config, now=NOW).findings if f.code == "not-read"] == ["more/", "etc/"]

    def test_a_broken_link_inside_is_an_error_naming_it(self, tmp_path: Path,
                                                        make_config: Callable[..., Config]) -> None:
        """A document that is a link to nothing inside the source is read, and reading it names the problem."""
        source = _site(tmp_path / "src")
        (source / "gone.md").symlink_to("nowhere.md")
        config = make_config(source)
        with pytest.raises(SourceError, match=r"gone\.md: cannot read file: No such file"):
            build(config, now=NOW)
        (source / "gone.md").unlink()
        build(config, now=NOW)
        (source / "gone.md").symlink_to("nowhere.md")  # the same through the listing of a cached build
        with pytest.raises(SourceError, match=r"gone\.md: cannot read file: No such file"):
            build(config, now=NOW)


@needs_fifo
class TestNotFiles:
    def test_a_fifo_document_is_skipped_by_build_and_check(self, tmp_path: Path) -> None:
        """A FIFO named x.md never blocks: build and check name it in a warning and go on."""
        source = _site(tmp_path / "src")
        os.mkfifo(source / "x.md")
        done = _feedpub("build", "--source", source, "--out", tmp_path / "dist", cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "Warning: x.md: a FIFO (named pipe) in the source folder, not a regular file: not read" in done.stderr
        assert '"title": "A"' in _published(tmp_path / "dist")
        done = _feedpub("check", "--source", source, cwd=tmp_path)
        assert "x.md: warning: a FIFO (named pipe) in the source folder, not a regular file: not read" in done.stdout
        assert "Traceback" not in done.stderr

    def test_a_fifo_or_socket_in_the_static_folder_is_not_copied(self, tmp_path: Path) -> None:
        """A FIFO or a socket in static_dir is named and not copied; the other static files are."""
        import socket

        _site(tmp_path / "src")
        static = tmp_path / "static"  # beside feedpub.toml: the static folder
        write_doc(static, "robots.txt", "User-agent: *\n")
        os.mkfifo(static / "pipe.txt")
        (tmp_path / "feedpub.toml").write_text('source = "src"\n', encoding="utf-8")
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(str(static / "s.sock"))
            done = _feedpub("build", cwd=tmp_path)
        finally:
            sock.close()
        assert done.returncode == 0, done.stderr
        assert "Warning: pipe.txt: a FIFO (named pipe) in static_dir, not a regular file: not read" in done.stderr
        assert "Warning: s.sock: a socket in static_dir, not a regular file: not read" in done.stderr
        assert (tmp_path / "dist" / "robots.txt").is_file()
        assert not (tmp_path / "dist" / "pipe.txt").exists() and not (tmp_path / "dist" / "s.sock").exists()

    @pytest.mark.usefixtures("no_hang")
    def test_a_link_to_a_fifo_inside_is_not_read(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A document linked to a FIFO inside the source is named as such, not opened."""
        source = _site(tmp_path / "src")
        os.mkfifo(source / "pipe")
        (source / "y.md").symlink_to("pipe")
        result = build(make_config(source), now=NOW)
        assert ("y.md: a symbolic link in the source folder to a FIFO (named pipe), not a regular file: not read"
                in result.warnings)

    @pytest.mark.usefixtures("no_hang")
    def test_reading_refuses_what_is_not_a_regular_file_without_blocking(self, tmp_path: Path) -> None:
        """A FIFO swapped in after the walk is an error naming it when read, never a read that waits."""
        os.mkfifo(tmp_path / "x.md")
        with pytest.raises(SourceError, match=r"x\.md: cannot read file: a FIFO \(named pipe\), not a regular file"):
            load.read_bytes(tmp_path / "x.md", "x.md")
        with pytest.raises(OSError, match="not a regular file"):
            places.open_regular(tmp_path / "x.md", os.stat(tmp_path / "x.md"))
