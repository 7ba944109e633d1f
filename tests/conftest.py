"""Shared fixtures and real-parser checks for feedpub's tests.

Outputs are checked with real clients: feedparser (bozo == 0), the Atom RELAX NG schema and
the JSON Feed 1.1 JSON Schema from ../shared/schemas (copies in tests/schemas/ so a clean
clone has them).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from feedpub.config import Config, load_config
from feedpub.errors import SourceError
from feedpub.model import Entry
from feedpub.sources import load
from feedpub.sources.normalise import normalise

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SCHEMAS = Path(__file__).resolve().parent / "schemas"
# A fixed build time and a fixed mtime for the undated seeds make outputs reproducible.
NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
SEED_MTIME = datetime(2024, 3, 1, 9, 30, tzinfo=UTC).timestamp()
# At NOW the last complete week has no seed, so a plain build makes no digest; on the Monday
# after the seeds' newest week (2024-W09) it makes that week's, as a weekly build would.
AFTER_SEEDS = datetime(2024, 3, 4, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def cache_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's build caches (and its subprocesses') live in a temporary folder, never ~/.cache."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("FEEDPUB_CACHE_DIR", str(folder))
    return folder


@pytest.fixture(scope="session")
def atom_schema() -> etree.RelaxNG:
    """The Atom 1.0 RELAX NG schema (RFC 4287 appendix B)."""
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


@pytest.fixture(scope="session")
def jsonfeed_validator() -> jsonschema.protocols.Validator:
    """A validator for the JSON Feed 1.1 schema."""
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A copy of the seeds with a fixed mtime (outside git, so mtime is their date source)."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    for p in dest.iterdir():
        os.utime(p, (SEED_MTIME, SEED_MTIME))
    return dest


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[..., Config]:
    """Build a Config for a source folder, writing output under tmp_path/dist."""

    def make(source: Path, **overrides: Any) -> Config:
        return load_config(None, {"source": str(source), "out": str(tmp_path / "dist"), **overrides},
                           cwd=tmp_path)

    return make


@pytest.fixture
def built(seeds: Path, make_config: Callable[..., Config]) -> Config:
    """The seeds built at NOW into tmp_path/dist, with the digest of their newest week; returns the config.

    At NOW the last complete week has no seed, so a plain build makes no digest: the digest
    of the seeds' newest week (2024-W09, and latest.*) is asked for, as `feedpub digest
    --week latest` does, so the whole output is there for the tests and golden files.
    """
    from feedpub.outputs.digest import Request
    from feedpub.pipeline import build

    config = make_config(seeds)
    build(config, now=NOW, digest_request=Request("latest"))
    return config


def output_tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative POSIX path -> bytes), to compare whole outputs."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def preview(seeds: Path, make_config: Callable[..., Config]) -> Iterator[Any]:
    """A feedpub serve preview of the seeds on 127.0.0.1 (any free port), stopped afterwards."""
    from feedpub.commands.serve import Preview

    p = Preview(make_config(seeds), clock=lambda: NOW, port=0)
    p.start()
    yield p
    p.stop()


def write_doc(folder: Path, name: str, text: str) -> Path:
    """Write a document (making folders) and return its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check_xml_feed(path: Path, atom_schema: etree.RelaxNG | None = None) -> Any:
    """Parse a feed with feedparser (bozo must be 0) and, for Atom, validate with RELAX NG."""
    parsed = feedparser.parse(path.read_bytes())
    assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
    if atom_schema is not None:
        doc = etree.parse(str(path))
        assert atom_schema.validate(doc), f"{path}: {atom_schema.error_log}"
    return parsed


def check_json_feed(path: Path, validator: jsonschema.protocols.Validator) -> Any:
    """Validate a JSON Feed against the JSON Feed 1.1 schema (feedparser 6.0 cannot read JSON)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, f"{path}: {errors[0].message}"
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert len({item["id"] for item in data["items"]}) == len(data["items"]), "ids must be unique"
    return data


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add --update-golden, which rewrites golden files from the current output."""
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden from current output")


def write_corpus(folder: Path, n: int, *, start: int = 0) -> list[Path]:
    """Write n varied documents (front matter, plain text, Date: trailers, folders) dated one day apart."""
    paths = []
    for i in range(start, start + n):
        day = datetime(2024, 1, 1, tzinfo=UTC).timestamp() + i * 86400
        date = datetime.fromtimestamp(day, tz=UTC).date().isoformat()
        kind = i % 4
        if kind == 0:
            text = (f"---\ntitle: Article {i} & <friends>\ndate: {date}\n"
                    f"summary: Summary {i}.\n"
                    f"category: {'events' if i % 8 == 0 else 'news'}\n---\n# Heading {i}\n\nBody *{i}*.\n")
            name = f"a{i:04d}.md"
        elif kind == 1:
            text = (f"---\ntitle: 'Quoted: {i}'\ntags: [x, y]\n---\nBody of {i}.\n\n"
                    f"Date: {date}\nSource: Wire {i}\n")
            name = f"policy/b{i:04d}.md"
        elif kind == 2:
            text = f"Market Intelligence\n\nPlain headline {i}\n\nPlain body of {i}.\n• one\n• two\n"
            name = f"c{i:04d}.txt"
        else:
            text = f"---\ntitle: Dated by name {i}\n---\nText {i}.\n"
            name = f"{date}-d{i:04d}.md"
        path = write_doc(folder, name, text)
        os.utime(path, (day, day))  # plain-text documents take their date from mtime
        paths.append(path)
    return paths


# Headless-browser fixtures (chromium, browser_page) live in tests/browser.py; importing them
# here makes them available to every test module.
from tests.browser import browser_page, chromium  # noqa: E402, F401


@pytest.fixture
def entry_of(tmp_path: Path, make_config: Callable[..., Config]) -> Callable[..., Entry]:
    """Return a function that writes a document into a source folder and normalises it (config overrides as keywords)."""
    src = tmp_path / "src"

    def make(name: str, text: str, **config: object) -> Entry:
        path = write_doc(src, name, text)
        return normalise(load.read(path, src), make_config(src, **config))

    return make


@pytest.fixture
def error_of(entry_of: Callable[..., Entry]) -> Callable[..., str]:
    """Return a function that gives the error a document is refused with (it must be refused)."""
    def error(name: str, text: str, **config: object) -> str:
        with pytest.raises(SourceError) as e:
            entry_of(name, text, **config)
        return str(e.value)

    return error


def front_matter(*lines: str, body: str = "Text.") -> str:
    """Return a document with YAML front matter of lines (a title and a date first) and a body."""
    return "\n".join(("---", "title: T", "date: 2024-01-02", *lines, "---", body, ""))


def commit_all(folder: Path, when: str) -> None:
    """Make folder a git repository whose one commit, at when (ISO 8601), adds every file in it."""
    import subprocess

    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "add"]):
        subprocess.run(["git", "-C", str(folder), *cmd], check=True, env=env)
