"""The documentation: every relative link lands, and ARCHITECTURE.md names files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "ARCHITECTURE.md", *(ROOT / "docs").glob("*.md")])
_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^(?: {4}|\t).*$", re.MULTILINE)  # indented code: its brackets are not links
_CODE = re.compile(r"`[^`\n]*`")
# a backticked path in a folder of the checkout, or a module below feedpub/ (`sources/load.py`)
_PATH = re.compile(r"`((?:feedpub|tests|bench|templates|seeds|docs)/[\w./-]*|[\w/]+\.py)`")


def anchors(text: str) -> set[str]:
    """Return the anchors GitHub makes for a Markdown text's headings."""
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        found.add(slug)
    return found


def links(text: str) -> list[str]:
    """Return the targets of a Markdown text's links, outside code."""
    return _LINK.findall(_CODE.sub("", _FENCE.sub("", text)))


def _rel(doc: Path) -> str:
    return doc.relative_to(ROOT).as_posix()


class TestLinks:
    def test_the_documents_are_found(self) -> None:
        """The check covers the README, ARCHITECTURE.md and every page of docs/."""
        names = {_rel(d) for d in DOCUMENTS}
        assert {"README.md", "ARCHITECTURE.md", "docs/performance.md", "docs/testing.md"} <= names

    @pytest.mark.parametrize("doc", DOCUMENTS, ids=_rel)
    def test_relative_links_land(self, doc: Path) -> None:
        """Each relative link names a file or folder of the checkout, and its #anchor a heading there."""
        broken = []
        for target in links(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):  # https:, mailto:: not ours to check
                continue
            path, _, anchor = target.partition("#")
            where = (doc.parent / path).resolve() if path else doc
            if not where.exists():
                broken.append(f"{target}: no such file")
            elif anchor and where.is_file() and anchor not in anchors(where.read_text(encoding="utf-8")):
                broken.append(f"{target}: no heading with that anchor")
        assert broken == []

    def test_anchors_follow_github(self) -> None:
        """Headings become GitHub's anchors: lower case, punctuation dropped, spaces as hyphens."""
        text = "## Feed history (RFC 5005 archived feeds)\n### The site's `pages`\n"
        assert anchors(text) == {"feed-history-rfc-5005-archived-feeds", "the-sites-pages"}


class TestArchitecture:
    def test_named_paths_exist(self) -> None:
        """Every path ARCHITECTURE.md names (feedpub/…, or a module below feedpub/) is in the checkout."""
        text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
        named = set(_PATH.findall(text))
        assert "feedpub/pipeline.py" in named
        missing = sorted(p for p in named
                         if not (ROOT / p).exists() and not (ROOT / "feedpub" / p).exists()
                         and not p.startswith("feedpub/_data/"))  # where the wheel puts templates
        assert missing == []
