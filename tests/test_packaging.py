"""The wheel: templates and seeds ship inside it, and it builds from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import feedparser
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    return next(out.glob("feedpub-*.whl"))


class TestWheel:
    def test_ships_templates_and_seeds(self, wheel: Path) -> None:
        """The wheel holds the default templates and the four seeds."""
        names = zipfile.ZipFile(wheel).namelist()
        seeds = [n for n in names if n.startswith("feedpub/_data/seeds/")]
        assert sorted(Path(n).name for n in seeds) == sorted(p.name for p in (ROOT / "seeds").iterdir())
        shipped = sorted(n.removeprefix("feedpub/_data/templates/") for n in names
                         if n.startswith("feedpub/_data/templates/"))
        assert shipped == sorted(p.relative_to(ROOT / "templates").as_posix()
                                 for p in (ROOT / "templates").rglob("*") if p.is_file())

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
