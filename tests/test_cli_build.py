"""`feedpub build` from the command line: exit codes, Error: lines, nothing lost on failure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from feedpub.cli import cli
from tests.conftest import write_doc


def _run(tmp_path: Path, *args: str) -> object:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env={"SOURCE_DATE_EPOCH": "1736942400"})


class TestBuildCommand:
    def test_builds_seeds(self, seeds: Path, tmp_path: Path) -> None:
        """build writes the feeds and exits 0."""
        r = _run(tmp_path, "build", "--source", str(seeds), "--out", str(tmp_path / "out"))
        assert r.exit_code == 0, r.output
        assert (tmp_path / "out" / "atom.xml").is_file()

    def test_malformed_front_matter_gives_file_line_and_exit_1(self, tmp_path: Path) -> None:
        """Bad YAML: 'Error: file:line: message' on stderr, exit 1, no traceback."""
        src = tmp_path / "src"
        write_doc(src, "good.md", "---\ntitle: Good\ndate: 2024-01-01\n---\nText.\n")
        write_doc(src, "bad.md", "---\ntitle: Bad\nsummary: [x\n---\nText.\n")
        r = _run(tmp_path, "build", "--source", str(src), "--out", str(tmp_path / "out"))
        assert r.exit_code == 1
        assert r.stderr.startswith("Error: bad.md:4: invalid YAML front matter:")
        assert "Traceback" not in r.output
        assert not (tmp_path / "out").exists()

    def test_unreadable_file(self, tmp_path: Path) -> None:
        """A file that cannot be read is reported by name, exit 1."""
        src = tmp_path / "src"
        write_doc(src, "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nx\n")
        (src / "b.md").symlink_to(src / "missing.md")
        r = _run(tmp_path, "build", "--source", str(src), "--out", str(tmp_path / "out"))
        assert r.exit_code == 1
        assert r.stderr == "Error: b.md: cannot read file: No such file or directory\n"

    def test_failed_build_keeps_last_good_output(self, seeds: Path, tmp_path: Path) -> None:
        """After a failed build the previous dist/ is byte-identical."""
        out = tmp_path / "out"
        assert _run(tmp_path, "build", "--source", str(seeds), "--out", str(out)).exit_code == 0
        before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
        write_doc(seeds, "broken.md", "---\ntitle: [a\n---\n")
        assert _run(tmp_path, "build", "--source", str(seeds), "--out", str(out)).exit_code == 1
        assert before == {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def test_skip_invalid_publishes_the_rest_and_exits_1(self, seeds: Path, tmp_path: Path) -> None:
        """--skip-invalid writes the valid documents, lists the skipped ones, still exits 1."""
        write_doc(seeds, "broken.md", "---\ntitle: [a, b]\n---\nx\n")
        out = tmp_path / "out"
        r = _run(tmp_path, "build", "--source", str(seeds), "--out", str(out), "--skip-invalid")
        assert r.exit_code == 1
        assert "Error: broken.md:2: 'title' must be text, not a list (skipped)" in r.stderr
        assert (out / "atom.xml").read_bytes().count(b"<entry>") == 4

    def test_verbose_names_date_sources(self, seeds: Path, tmp_path: Path) -> None:
        """-v says where each entry's title and date came from."""
        r = _run(tmp_path, "build", "-v", "--source", str(seeds), "--out", str(tmp_path / "o"))
        assert "003_2fe242069e3d0db2.txt: title from header block, date 2024-03-01 from mtime" in r.output
        assert "000_68c078592e5616ba.txt: title from front matter, date 2022-06-14 from Date: line" in r.output

    def test_refuses_to_replace_a_foreign_folder(self, seeds: Path, tmp_path: Path) -> None:
        """An existing non-empty folder feedpub did not write is never replaced."""
        out = tmp_path / "precious"
        write_doc(out, "thesis.txt", "years of work")
        r = _run(tmp_path, "build", "--source", str(seeds), "--out", str(out))
        assert r.exit_code == 1
        assert "refusing to replace a folder feedpub did not create" in r.stderr
        assert (out / "thesis.txt").read_text() == "years of work"

    def test_python_dash_m_works(self, seeds: Path, tmp_path: Path) -> None:
        """`python -m feedpub build` runs the same command."""
        out = tmp_path / "m"
        p = subprocess.run([sys.executable, "-m", "feedpub", "build", "--source", str(seeds), "--out", str(out)],
                           capture_output=True, text=True, check=False, cwd=Path(__file__).parent.parent)
        assert p.returncode == 0, p.stderr
        assert (out / "rss.xml").is_file()
