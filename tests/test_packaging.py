"""The wheel: templates and seeds ship inside it, and it builds from any directory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import feedparser
import pytest

from tests.conftest import write_doc

ROOT = Path(__file__).resolve().parent.parent


def _tracked(folder: str) -> list[str]:
    """Return the files of a folder of the checkout that git tracks, relative to it."""
    listed = subprocess.run(["git", "ls-files", "-z", folder], cwd=ROOT, capture_output=True, check=True).stdout
    return sorted(Path(p).relative_to(folder).as_posix() for p in listed.decode().split("\0") if p)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of a copy of the checkout whose seeds and templates hold left-over hidden files."""
    src = tmp_path_factory.mktemp("checkout") / "feedpub"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", ".gitignore"):  # what the build reads besides the three folders
        shutil.copy2(ROOT / name, src / name)
    for folder in ("feedpub", "templates", "seeds"):
        shutil.copytree(ROOT / folder, src / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("seeds", "templates"):  # what an old build's cache or an editor leaves behind
        write_doc(src / folder, ".feedpub/cache.sqlite", "not a seed")
        write_doc(src / folder, ".news.md.swp", "not a seed")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(src)], check=True, capture_output=True)
    return next(out.glob("feedpub-*.whl"))


class TestWheel:
    def test_ships_templates_and_seeds(self, wheel: Path) -> None:
        """The wheel holds the default templates and the four seeds, and no hidden file beside them."""
        names = zipfile.ZipFile(wheel).namelist()
        seeds = sorted(n.removeprefix("feedpub/_data/seeds/") for n in names if n.startswith("feedpub/_data/seeds/"))
        assert seeds == _tracked("seeds")
        assert len(seeds) == 4
        shipped = sorted(n.removeprefix("feedpub/_data/templates/") for n in names
                         if n.startswith("feedpub/_data/templates/"))
        assert shipped == _tracked("templates")
        assert not [n for n in names if "/." in n or "cache.sqlite" in n]

    def test_builds_embedded_seeds_from_any_directory(self, wheel: Path, tmp_path: Path) -> None:
        """Installed from the wheel, `feedpub build` in an empty folder builds the embedded seeds."""
        site = tmp_path / "site-packages"
        subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                       check=True, capture_output=True)
        work = tmp_path / "elsewhere"
        work.mkdir()
        # No SOURCE_DATE_EPOCH: the undated seeds are dated by their installed mtime, which
        # must not be in the future of the build.
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"} | {"PYTHONPATH": str(site)}
        p = subprocess.run([sys.executable, "-m", "feedpub", "build"], cwd=work, env=env,
                           capture_output=True, text=True, check=False)
        assert p.returncode == 0, p.stderr
        assert str(site) in subprocess.run(
            [sys.executable, "-c", "import feedpub; print(feedpub.__file__)"], cwd=work, env=env,
            capture_output=True, text=True, check=True).stdout
        feed = feedparser.parse((work / "dist" / "atom.xml").read_bytes())
        assert feed.bozo == 0 and len(feed.entries) == 4


def _quickstart_code() -> list[str]:
    """Return the command lines of the README's Quickstart section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    return [line[4:] for line in section.splitlines() if line.startswith("    ") and line.strip()]


class TestCI:
    def test_ci_runs_the_readme_quickstart_literally(self) -> None:
        """.ci/run runs the Quickstart's first two command lines as written, install-and-build first."""
        listed = subprocess.run(["bash", str(ROOT / ".ci" / "run"), "--list"], capture_output=True, text=True,
                                check=True).stdout.splitlines()
        assert listed == _quickstart_code()[:2]
        assert listed[0].startswith("python3 -m pip install . ") and listed[0].endswith("&& feedpub build")
        assert listed[1] == "python3 -m pip install '.[test]' && python3 -m pytest"
