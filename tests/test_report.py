"""What commands tell their user (feedpub/commands/report.py): each line once, in one format, on the right stream."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import feedpub.cli
from feedpub.cli import cli
from feedpub.commands.report import Reporter
from feedpub.commands.serve import Rebuild
from feedpub.errors import FeedpubError, Problem
from tests.conftest import AFTER_SEEDS

MONDAY = str(int(AFTER_SEEDS.timestamp()))  # the seeds' newest week is complete: a digest is made


def _repeated(text: str) -> list[str]:
    return [line for line, n in Counter(text.splitlines()).items() if n > 1]


class TestDigestCommand:
    @pytest.mark.parametrize("terminal", [True, False])
    def test_each_line_is_said_once(self, seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    terminal: bool) -> None:
        """On a terminal or not, `digest` says its size line and each not-ready warning exactly once."""
        monkeypatch.setattr(feedpub.cli, "_on_terminal", lambda: terminal)
        args = ["--source", str(seeds), "--out", str(tmp_path / "out"), "digest", "--week", "latest"]
        result = CliRunner(env={"SOURCE_DATE_EPOCH": MONDAY}).invoke(cli, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert _repeated(result.stderr) == []
        assert sum(line.startswith("digest 2024-W09: 2 entries, inlined HTML ") for line in
                   result.stderr.splitlines()) == 1
        assert sum("is not ready to send" in line for line in result.stderr.splitlines()) == 2
        assert ("4 entries (Events 1, News 3)" in result.stderr) is terminal  # the summary only for a person

    def test_the_build_summary_says_the_digest_as_digest_does(self, seeds: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
        """`build` on a terminal and `digest` word the digest's size and warnings alike."""
        monkeypatch.setattr(feedpub.cli, "_on_terminal", lambda: True)
        runner = CliRunner(env={"SOURCE_DATE_EPOCH": MONDAY})

        def digest_lines(command: str) -> list[str]:
            result = runner.invoke(cli, ["--source", str(seeds), "--out", str(tmp_path / command), command])
            assert result.exit_code == 0, result.output
            return [line for line in result.stderr.splitlines() if "digest 2024-W09" in line]

        assert digest_lines("build") == digest_lines("digest")
        assert len(digest_lines("build")) == 3


def _result(*warnings: str, entries: int = 1) -> SimpleNamespace:
    return SimpleNamespace(warnings=warnings, skipped=(), published=[SimpleNamespace()] * entries,
                           report=SimpleNamespace(written=("a",), unchanged=(), removed=()),
                           mail=SimpleNamespace(label="", items=0))


class TestServe:
    def test_a_rebuild_says_only_new_warnings(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A warning is said by the first build that has it; a rebuild that still has it is silent about it."""
        reporter = Reporter()
        reporter.rebuilt(Rebuild(_result("a.md: not a post"), None, ()))  # type: ignore[arg-type]
        reporter.rebuilt(Rebuild(_result("a.md: not a post", "b.md: not a post"), None, ("src/b.md",)))  # type: ignore[arg-type]
        reporter.rebuilt(Rebuild(_result("b.md: not a post"), None, ("src/a.md",)))  # type: ignore[arg-type]
        reporter.rebuilt(Rebuild(_result("a.md: not a post"), None, ("src/a.md",)))  # type: ignore[arg-type]
        out = capsys.readouterr()
        assert out.out == ""
        assert out.err.splitlines() == [
            "Warning: a.md: not a post", "Rebuilt (): 1 entry, 1 file written",
            "Warning: b.md: not a post", "Rebuilt (b.md): 1 entry, 1 file written",
            "Rebuilt (a.md): 1 entry, 1 file written",
            "Warning: a.md: not a post", "Rebuilt (a.md): 1 entry, 1 file written",  # gone, then back: said again
        ]

    def test_a_failed_rebuild_says_its_errors(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A rebuild that fails prints each problem as 'Error: path:line: message', on stderr."""
        Reporter(quiet=True).rebuilt(Rebuild(None, FeedpubError([Problem("a.md", 3, "bad date")]), ("a.md",)))
        out = capsys.readouterr()
        assert (out.out, out.err) == ("", "Error: a.md:3: bad date\nStill serving the last good build.\n")

    def test_the_urls_go_to_stdout_and_the_rest_to_stderr(self, capsys: pytest.CaptureFixture[str],
                                                         tmp_path: Path) -> None:
        """What `serve` serves is its answer (stdout); how to stop it is said on stderr."""
        Reporter().serving("http://127.0.0.1:8000/", SimpleNamespace(out=tmp_path))  # type: ignore[arg-type]
        out = capsys.readouterr()
        assert out.out.splitlines()[0] == f"Serving {tmp_path} at http://127.0.0.1:8000/"
        assert "  http://127.0.0.1:8000/atom.xml" in out.out.splitlines()
        assert out.err.startswith("Watching for changes")


class TestBuild:
    def test_quiet_keeps_warnings_and_skipped(self, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
        """-q prints errors and warnings (a log must keep them) but no summary and no removal notice."""
        result = _result("x.md: refused")
        result.skipped = (Problem("b.md", 2, "bad"),)
        result.report.removed = ("old.html",)
        Reporter(quiet=True, summaries=True).build(result, SimpleNamespace(out=tmp_path))  # type: ignore[arg-type]
        assert capsys.readouterr().err == "Error: b.md:2: bad (skipped)\nWarning: x.md: refused\n"


class TestPrintable:
    def test_a_file_name_s_bytes_that_are_not_utf8_are_escaped(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A name read from the file system keeps a non-UTF-8 byte as a surrogate: said as \\xe9, on both streams."""
        import os

        from feedpub.commands import report

        name = os.fsdecode(b"news/caf\xe9.md")
        report.say(name)
        report.warning(f"{name}: a symbolic link outside the source folder: not read")
        report.say("caf\u00e9 \u5929\u6587 \ud800")  # text stays text; a lone surrogate that is no byte is escaped too
        out, err = capsys.readouterr()
        assert out == "news/caf\\xe9.md\ncaf\u00e9 \u5929\u6587 \\ud800\n"
        assert err == "Warning: news/caf\\xe9.md: a symbolic link outside the source folder: not read\n"
