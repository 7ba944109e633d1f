"""Property-based tests: whatever a document holds, feedpub fails only with its own error
type, and what it publishes is well-formed, readable and safe."""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedpub.config import load_config
from feedpub.errors import FeedpubError
from feedpub.outputs.digest import Request
from feedpub.pipeline import build
from tests.safety import assert_safe_tree

NOW = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
ATTACKS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=//evil></iframe>", "<style>*{}</style>", "<link rel=stylesheet href=//evil/x.css>",
    "<form><input></form>", "[x](javascript:alert(1))", "<a href=\"data:text/html,x\">d</a>",
    "<svg onload=alert(1)>", "]]>", "<![CDATA[x]]>", "&#0;", "&amp;", "<!--", "-->", "\u2028", "\ufeff",
]
# Any text, control characters and noncharacters included (surrogates cannot be encoded).
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
hostile_text = st.one_of(text, st.sampled_from(ATTACKS), st.lists(st.sampled_from(ATTACKS) | text, max_size=4).map("".join))
yaml_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text
    | st.dates() | st.datetimes(timezones=st.just(UTC)),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)
front_matter = st.dictionaries(
    st.sampled_from(["title", "summary", "date", "updated", "category", "categories", "tags", "image",
                     "permalink", "id", "author", "source", "draft", "slug", "x"]),
    yaml_value, max_size=8,
)
body = st.lists(hostile_text | st.sampled_from(["\n", "\n\n", "  • ", "  1. ", "# ", "Date: ", "Source: ", "<br/>"]),
                max_size=12).map("".join)


def _build_and_check(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "src")
        src.mkdir()
        for name, data in files.items():
            Path(src, name).write_bytes(data)
        config = load_config(None, {"source": str(src), "out": str(Path(tmp, "out"))}, cwd=Path(tmp))
        try:  # with the digest of the newest week (the default week, before NOW, has no entries)
            build(config, now=NOW, digest_request=Request("latest", required=False))
        except FeedpubError:
            return  # our own, located error: the expected way to refuse input
        out = config.out
        for feed in list(out.rglob("atom.xml")) + list(out.rglob("rss.xml")):
            etree.parse(str(feed))  # well-formed XML
            parsed = feedparser.parse(feed.read_bytes())
            assert parsed.bozo == 0, (feed, parsed.get("bozo_exception"))
        for feed in out.rglob("feed.json"):
            json.loads(feed.read_text(encoding="utf-8"))
        assert_safe_tree(out)


SETTINGS = settings(max_examples=int(os.environ.get("FEEDPUB_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestProperties:
    @SETTINGS
    @given(meta=front_matter, text=body)
    def test_any_front_matter_and_body(self, meta: dict, text: str) -> None:
        """Random front matter and body: our error or valid, safe feeds, nothing else."""
        head = yaml.safe_dump(meta, allow_unicode=True) if meta else ""
        doc = f"---\n{head}---\n{text}" if meta else text
        _build_and_check({"doc.md": doc.encode("utf-8", "surrogatepass")})

    @SETTINGS
    @given(data=st.binary(max_size=300))
    def test_any_bytes(self, data: bytes) -> None:
        """Arbitrary bytes as a .txt file: our error or valid, safe feeds."""
        _build_and_check({"doc.txt": data, "ok.md": b"---\ntitle: OK\ndate: 2024-01-01\n---\nFine.\n"})

    @SETTINGS
    @given(title=hostile_text, summary=hostile_text, category=hostile_text, text=body)
    def test_hostile_strings_in_every_field(self, title: str, summary: str, category: str, text: str) -> None:
        """Attack strings in title, summary, category and body never produce unsafe output."""
        meta = {"title": title or "t", "summary": summary, "category": category, "date": "2024-01-01"}
        doc = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + (text or "x")
        _build_and_check({"doc.md": doc.encode("utf-8", "surrogatepass")})
