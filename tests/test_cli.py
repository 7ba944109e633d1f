"""The command line, driven through click's CliRunner: exit codes and exact messages."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner, Result

import feedpub.cli
import feedpub.commands.check
from feedpub import __version__
from feedpub.cli import cli
from feedpub.commands.init import CONFIG_TEXT
from feedpub.config import OPTIONS
from tests.conftest import AFTER_SEEDS, NOW, ROOT, write_doc

EPOCH = "1736942400"  # 2025-01-15T12:00:00Z, the tests' NOW
WEEKLY = str(int(AFTER_SEEDS.timestamp()))  # a build whose default digest has entries: the seeds' newest week


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"SOURCE_DATE_EPOCH": EPOCH})


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


class TestGlobal:
    @pytest.mark.parametrize("command", [[], ["build"], ["check"], ["serve"], ["init"]])
    def test_every_command_has_help_with_an_example(self, runner: CliRunner, command: list[str]) -> None:
        """--help exits 0 and shows an example."""
        result = run(runner, *command, "--help")
        assert result.exit_code == 0
        assert "Example:\n" in result.stdout
        assert "  feedpub " in result.stdout

    def test_version(self, runner: CliRunner) -> None:
        """--version prints the package version."""
        result = run(runner, "--version")
        assert (result.exit_code, result.stdout) == (0, f"feedpub, version {__version__}\n")

    def test_unknown_command_is_a_usage_error(self, runner: CliRunner) -> None:
        """An unknown command exits 2 with click's usage message on stderr."""
        result = run(runner, "publish")
        assert result.exit_code == 2
        assert result.stderr.endswith("Error: No such command 'publish'.\n")

    def test_bad_option_value_is_a_usage_error(self, runner: CliRunner) -> None:
        """An invalid option value exits 2."""
        result = run(runner, "check", "--format", "xml")
        assert result.exit_code == 2
        assert "Invalid value for '--format'" in result.stderr

    def test_config_error_names_file_and_line(self, runner: CliRunner, tmp_path: Path, seeds: Path) -> None:
        """An unknown config key is 'Error: file:line: message', exit 1, no traceback."""
        toml = tmp_path / "feedpub.toml"
        toml.write_text('title = "x"\ntitel = "y"\n')
        result = run(runner, "--config", toml, "--source", seeds, "check")
        assert result.exit_code == 1
        assert result.stderr == f"Error: {toml}:2: unknown key 'titel' (did you mean 'title'?)\n"

    def test_internal_error_has_no_traceback_without_debug(
        self, runner: CliRunner, seeds: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A bug surfaces as one 'Error: internal error' line, exit 1; --debug re-raises it."""
        def broken(*_a: object, **_k: object) -> None:
            raise KeyError("boom")

        monkeypatch.setattr(feedpub.commands.check, "check", broken)
        result = run(runner, "--source", seeds, "check")
        assert result.exit_code == 1
        assert result.stderr == ("Error: internal error: KeyError: 'boom' "
                                 "(run 'feedpub --debug …' for a traceback and please report it)\n")
        assert "Traceback" not in result.output
        with pytest.raises(KeyError):
            run(runner, "--debug", "--source", seeds, "check")


class TestBuild:
    def test_builds_quietly_when_not_a_terminal(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """Off a terminal build prints nothing and writes feeds, site pages and the digest."""
        out = tmp_path / "out"
        result = run(CliRunner(env={"SOURCE_DATE_EPOCH": WEEKLY}), "--source", seeds, "--out", out, "build")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        assert {"atom.xml", "index.html", "feeds.opml", "feed.css", "digest"} <= {p.name for p in out.iterdir()}

    def test_a_process_that_goes_on_keeps_its_garbage_collector(self, seeds: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """Only a process that ends with the command (main) leaves the collector off after a build."""
        import gc

        assert gc.isenabled()
        out = tmp_path / "out"
        assert run(CliRunner(env={"SOURCE_DATE_EPOCH": WEEKLY}), "--source", seeds, "--out", out, "build").exit_code == 0
        assert gc.isenabled()
        monkeypatch.setattr(feedpub.cli, "_ENDS_AFTER", [True])  # as main() says before it runs the command
        try:
            assert run(CliRunner(env={"SOURCE_DATE_EPOCH": WEEKLY}), "--source", seeds, "--out", out,
                       "build").exit_code == 0
            assert not gc.isenabled()
        finally:
            gc.enable()

    def test_verbose_summary(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """-v shows each document's inference, entries per category and files written."""
        result = run(CliRunner(env={"SOURCE_DATE_EPOCH": WEEKLY}), "-v", "--source", seeds, "--out", tmp_path / "out",
                     "build")
        assert result.exit_code == 0
        assert (
            "002_745ad8260e82fd0e.txt: title from first sentence, date 2024-03-01 from mtime" in result.stdout
        )
        files = sum(1 for p in (tmp_path / "out").rglob("*") if p.is_file() and not p.name.startswith("."))
        assert f"4 entries (Events 1, News 3)\n{files} files written, 0 unchanged, 0 removed:" in result.stderr
        assert re.search(r"^digest 2024-W09: 2 entries, inlined HTML \d+\.\d KB of 102 KB\n", result.stderr, re.M)

    def test_progress_bar_and_summary_on_a_terminal(
        self, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """On a terminal a build of 50+ entries starts a 'Rendering' progress bar, then prints the summary."""
        for i in range(60):
            write_doc(
                tmp_path / "src" / ("a" if i % 2 else "b"),
                f"2024-01-{i % 28 + 1:02d}-p{i}.md",
                f"---\ntitle: Post {i}\n---\nText {i}.\n",
            )
        monkeypatch.setattr(feedpub.cli, "_on_terminal", lambda: True)
        monday = str(int(datetime(2024, 1, 29, 9, tzinfo=UTC).timestamp()))  # after the posts' last week: a digest
        result = run(CliRunner(env={"SOURCE_DATE_EPOCH": monday}), "--source", tmp_path / "src", "--out",
                     tmp_path / "out", "build")
        assert result.exit_code == 0
        # click draws only the label when the stream is not a real TTY (as in CliRunner)
        files = sum(1 for p in (tmp_path / "out").rglob("*") if p.is_file() and not p.name.startswith("."))
        assert result.stderr.startswith(f"Rendering\n60 entries (A 30, B 30)\n{files} files written")

    def test_no_progress_bar_for_short_builds(
        self, runner: CliRunner, seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A build of a few entries prints the summary on a terminal but no bar."""
        monkeypatch.setattr(feedpub.cli, "_on_terminal", lambda: True)
        result = run(CliRunner(env={"SOURCE_DATE_EPOCH": WEEKLY}), "--source", seeds, "--out", tmp_path / "out",
                     "build")
        assert "Rendering" not in result.stderr
        assert result.stderr.startswith("4 entries (Events 1, News 3)\n")

    def test_bad_document_is_an_error_with_location(self, runner: CliRunner, tmp_path: Path) -> None:
        """A document with an impossible date fails the build with 'Error: file:line: …' and exit 1."""
        write_doc(tmp_path / "src", "b.md", "---\ntitle: B\ndate: 2024-02-30\n---\nText.\n")
        result = run(runner, "--source", tmp_path / "src", "--out", tmp_path / "out", "build")
        assert result.exit_code == 1
        assert result.stderr == ('Error: b.md:3: invalid date in front matter: "2024-02-30" '
                                 "(day is out of range for month)\n")
        assert not (tmp_path / "out").exists()


class TestCheck:
    def test_seeds_pass_and_name_the_inferred_documents(self, runner: CliRunner, seeds: Path) -> None:
        """check on the seeds exits 0 and names 002 and 003 as title-and-date inferred."""
        result = run(runner, "--source", seeds, "check")
        assert result.exit_code == 0
        lines = result.stdout.splitlines()
        assert lines[-1] == "Title and date inferred: 002_745ad8260e82fd0e.txt, 003_2fe242069e3d0db2.txt"
        # 2: the digest lacks unsubscribe and address; 1: the news seed's image is in no folder of the site
        assert lines[-2] == "4 documents, 0 errors, 7 warnings"
        assert "001_0ea8fba5654caf24.txt:4: warning: relative 'image'" in result.stdout
        assert not (seeds.parent / "dist").exists()

    def test_many_inferred_documents_are_named_a_few_at_a_time(self, runner: CliRunner, tmp_path: Path) -> None:
        """Past ten, the last line names the first ten and counts the rest; -v names every one."""
        from feedpub.commands.report import INFERRED_SHOWN

        for n in range(INFERRED_SHOWN + 2):
            write_doc(tmp_path / "src", f"note-{n:02d}.txt", f"Note number {n} says something.\n")
        names = [f"note-{n:02d}.txt" for n in range(INFERRED_SHOWN + 2)]
        last = run(runner, "--source", tmp_path / "src", "check").stdout.splitlines()[-1]
        assert last == f"Title and date inferred: {', '.join(names[:INFERRED_SHOWN])} and 2 more (-v names them all)"
        last = run(runner, "-v", "--source", tmp_path / "src", "check").stdout.splitlines()[-1]
        assert last == f"Title and date inferred: {', '.join(names)}"
        (tmp_path / "src" / "note-00.txt").unlink()
        (tmp_path / "src" / "note-01.txt").unlink()
        last = run(runner, "--source", tmp_path / "src", "check").stdout.splitlines()[-1]
        assert last == f"Title and date inferred: {', '.join(names[2:])}"

    def test_strict_fails_on_warnings(self, runner: CliRunner, seeds: Path) -> None:
        """--strict turns the seeds' warnings into exit 1."""
        assert run(runner, "--source", seeds, "check", "--strict").exit_code == 1

    def test_json(self, runner: CliRunner, seeds: Path) -> None:
        """--format json prints the report as JSON on stdout."""
        result = run(runner, "check", "--source", seeds, "--format", "json")
        data = json.loads(result.stdout)
        assert result.exit_code == 0
        assert data["summary"]["title_and_date_inferred"] == [
            "002_745ad8260e82fd0e.txt",
            "003_2fe242069e3d0db2.txt",
        ]
        assert {f["code"] for f in data["findings"]} == {"no-base-url", "relative-image", "undated", "missing-file",
                                                       "digest-unsubscribe", "digest-postal-address"}

    def test_errors_exit_1(self, runner: CliRunner, tmp_path: Path) -> None:
        """Duplicate permalinks are errors: exit 1, each named file:line."""
        for name in ("a.md", "b.md"):
            write_doc(
                tmp_path / "src", name, "---\ntitle: T\ndate: 2024-01-01\npermalink: /same/\n---\nText.\n"
            )
        result = run(runner, "check", "--source", tmp_path / "src")
        assert result.exit_code == 1
        assert (
            "b.md:4: error: duplicate permalink 'https://news.example.org/same/': also used by a.md"
            in result.stdout.splitlines()
        )


class TestInit:
    def test_writes_a_project_that_checks_and_builds(self, runner: CliRunner, tmp_path: Path) -> None:
        """init writes feedpub.toml and an example; check exits 0 and build works from the config."""
        site = tmp_path / "site"
        result = run(runner, "init", site)
        assert result.exit_code == 0
        assert result.stdout.splitlines()[:2] == [
            f"Wrote {site}/feedpub.toml",
            f"Wrote {site}/articles/hello-feedpub.md",
        ]
        toml = site / "feedpub.toml"
        assert run(runner, "--config", toml, "check").exit_code == 0
        assert run(runner, "--config", toml, "build").exit_code == 0
        titles = [e.title for e in feedparser.parse((site / "dist" / "atom.xml").read_bytes()).entries]
        assert titles == ["Hello, feedpub"]

    def test_refuses_to_overwrite(self, runner: CliRunner, tmp_path: Path) -> None:
        """A second init exits 1 naming both files and leaves an edited config alone; --force overwrites."""
        run(runner, "init", tmp_path)
        (tmp_path / "feedpub.toml").write_text('title = "Mine"\n')
        result = run(runner, "init", tmp_path)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: {tmp_path}/feedpub.toml: already exists (use --force to overwrite)\n"
            f"Error: {tmp_path}/articles/hello-feedpub.md: already exists "
            "(use --force to overwrite)\n"
        )
        assert (tmp_path / "feedpub.toml").read_text() == 'title = "Mine"\n'
        assert run(runner, "init", "--force", tmp_path).exit_code == 0
        assert (tmp_path / "feedpub.toml").read_text() == CONFIG_TEXT

    def test_config_mentions_every_key(self) -> None:
        """The commented config names every configuration key."""
        for key in OPTIONS:
            table, _, name = key.rpartition(".")
            text = "\n" + CONFIG_TEXT.split(f"[{table}]\n", 1)[1] if table else CONFIG_TEXT
            assert f"\n{name} = " in text or f"\n# {name} = " in text or f"[{name}]" in text, key


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


class TestServe:
    def test_port_in_use(self, runner: CliRunner, seeds: Path, tmp_path: Path, busy_port: int) -> None:
        """A taken port is 'Error: 127.0.0.1:PORT: cannot serve: …', exit 1."""
        result = run(
            runner, "-q", "--source", seeds, "--out", tmp_path / "out", "serve", "--port", str(busy_port)
        )
        assert result.exit_code == 1
        assert result.stderr == (
            f"Error: 127.0.0.1:{busy_port}: cannot serve: Address already in use "
            "(try another --port, or --port 0)\n"
        )

    def test_serves_and_stops_cleanly_on_ctrl_c(self, seeds: Path, tmp_path: Path) -> None:
        """`feedpub serve --port 0` prints its URL, serves the Atom feed, and exits 0 on SIGINT."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "feedpub",
                "--source",
                str(seeds),
                "--out",
                str(tmp_path / "out"),
                "serve",
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.startswith(f"Serving {tmp_path / 'out'} at http://127.0.0.1:")
            url = first.rsplit(" ", 1)[1].strip()
            assert proc.stdout.readline() == f"  {url}atom.xml\n"
            with urllib.request.urlopen(url + "atom.xml", timeout=10) as r:  # noqa: S310 - 127.0.0.1 only
                assert r.headers["Content-Type"] == "application/atom+xml"
                assert feedparser.parse(r.read()).bozo == 0
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0
        assert "Traceback" not in err
        assert err.endswith("Stopped.\n")


    def test_serving_the_example_shows_its_digest(self, tmp_path: Path) -> None:
        """With no feedpub.toml and no --source, serve makes the example's digest as build does."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": EPOCH}
        proc = subprocess.Popen([sys.executable, "-m", "feedpub", "serve", "--port", "0"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().startswith(f"Serving {tmp_path / 'dist'} at http://127.0.0.1:")
            assert (tmp_path / "dist" / "digest" / "latest.html").is_file()
            assert 'href="digest/latest.html"' in (tmp_path / "dist" / "index.html").read_text(encoding="utf-8")
        finally:
            proc.send_signal(signal.SIGINT)
            _out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "digest-empty-week" not in err

class TestProcessExit:
    """`python -m feedpub` ends with os._exit: its output must still arrive whole, with the right code."""

    def _run(self, *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
        return subprocess.run([sys.executable, "-m", "feedpub", *map(str, args)], capture_output=True,
                              text=True, env=env, cwd=cwd, timeout=120, check=False)

    def test_output_is_flushed_and_success_is_0(self, seeds: Path, tmp_path: Path) -> None:
        """A verbose build prints every entry's line on stdout and its summary, and exits 0."""
        proc = self._run("-v", "--source", seeds, "--out", tmp_path / "out", "build", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert len([line for line in proc.stdout.splitlines() if ": title from " in line]) == 4
        assert "4 entries (Events 1, News 3)" in proc.stderr
        assert (tmp_path / "out" / "atom.xml").is_file()

    def test_errors_exit_1_with_their_message(self, tmp_path: Path) -> None:
        """A failed build exits 1 and says why on stderr, without a traceback."""
        proc = self._run("build", "--source", tmp_path / "nowhere", "--out", tmp_path / "out", cwd=tmp_path)
        assert proc.returncode == 1
        assert proc.stderr == f"Error: {tmp_path / 'nowhere'}: source folder not found\n"

    def test_usage_errors_exit_2(self, tmp_path: Path) -> None:
        """A wrong option exits 2, as click says."""
        proc = self._run("build", "--no-such-option", cwd=tmp_path)
        assert proc.returncode == 2
        assert "No such option" in proc.stderr
