"""The fast paths of a large build give exactly what the general code gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType
from urllib.parse import urljoin

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub.model import Category, Entry, changed
from feedpub.slug import absolute_url, encode_url
from feedpub.sources import frontmatter
from tests.conftest import NOW

_KEYS = st.sampled_from(["title", "date", "summary", "yes", "on", "null", "x-y", "_k", "Title", "n"])
_VALUES = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=25),
    st.sampled_from(
        [
            "2024-02-30",
            "2024-02-29",
            "2024-2-3",
            "2024-01-01 10:00",
            "~",
            "null",
            "yes",
            "No",
            "12",
            "0x1F",
            "1e3",
            ".5",
            "-",
            "- x",
            "a: b",
            "a #b",
            "#c",
            "'q'",
            '"q"',
            "'it''s'",
            '"a\\nb"',
            '"a \\"b\\" c"',
            '"a\\\\b"',
            '"a\\\\"',
            '"a\\"',
            '"\\x41\\"x"',
            "'a\\b'",
            "a\\b",
            "[1, 2]",
            "{a: 1}",
            "&x",
            "*x",
            "!t x",
            "|",
            ">",
            "%x",
            "@x",
            "`x",
            "a:",
            "=",
            "<<",
            "  spaced  ",
            "tab\there",
            "\u00a0nbsp",
            "x\u2028y",
            "",
        ]
    ),
)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 5))):
        key, value = draw(_KEYS), draw(_VALUES)
        sep = draw(st.sampled_from([": ", ":  ", ":", " : "]))
        lines.append(f"{key}{sep}{value}")
    if draw(st.booleans()):
        lines.insert(0, draw(st.sampled_from(["# comment", "", "  ", "  indented: 1", "- item"])))
    return "\n" + "\n".join(lines) + "\n"


class TestSimpleFrontMatter:
    @settings(max_examples=600, deadline=None)
    @given(front_matter())
    @example("\ntitle: Plain title\ndate: 2025-01-26\nsummary: It's fine, really.\n")
    @example('\ntitle: "R&D <b> 2022: x"\nimage: https://x.org/a.jpg\n')
    @example('\ntitle: "R&D \\"b\\" 2022"\nsummary: "x\\\\y"\n')
    @example("\ntitle: A\n\ndate: 2025-01-07\nlayout: page\n")
    @example("\ntitle: 'a: b'\nsummary: \"x\"  \nimage: https://x.example/a.jpg\n")
    # the edges of flat YAML: a comment, a tab, a YAML line break, a colon, a date of December
    @example("\ntitle: a #b\n")
    @example("\ntitle: b\t#c\n")
    @example("\ntitle: x\u2028y\n")
    @example("\ntitle: a: b\n")
    @example("\ntitle: a:\n")
    @example("\ndate: 2024-12-05\n")
    @example("\ntitle: SpaceX  \n")  # only the spaces after a value go
    def test_agrees_with_pyyaml_whenever_it_answers(self, fm: str) -> None:
        """When the fast path returns a mapping, PyYAML's safe loader returns the same one, types included."""
        read = frontmatter._FLAT(fm)
        if read is None:
            return
        fast = read[0]
        slow = yaml.load(fm, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        slow = {} if slow is None else slow
        assert fast == slow
        assert [type(v) for v in fast.values()] == [type(v) for v in slow.values()]
        assert read[1] == frontmatter.key_lines(fm)  # each key's line, as the general path finds them

    def test_common_front_matter_takes_the_fast_path(self) -> None:
        """Flat key: value front matter with a date is parsed without PyYAML."""
        assert frontmatter._FLAT("\ntitle: A\ndate: 2025-01-26\n") is not None
        assert frontmatter._FLAT("\ntags:\n  - a\n") is None

    @pytest.mark.parametrize("fm", [
        "\ntitle: A\ndate: 2025-12-26",  # no line break after the last line
        '\ntitle: "say \\"hi\\" \\\\ bye"\n',  # escapes in a double-quoted value
        "\ntitle: 'q'  \nsummary: Trailing   \n",  # spaces after a value
        "\ntitle: Café au lait\n",
    ])
    def test_common_shapes_take_the_fast_path_and_agree(self, fm: str) -> None:
        """Quoted values, escapes, trailing spaces, text beyond ASCII, a last line without a break: answered as PyYAML would."""
        read = frontmatter._FLAT(fm)
        assert read is not None
        assert read[0] == yaml.load(fm, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def _slow_absolute(url: str, base: str) -> str:
    url = url.strip()
    if url.startswith(("http://", "https://")):
        return encode_url(url)
    return encode_url(urljoin(base, url.lstrip("/")))


class TestAbsoluteUrl:
    @settings(max_examples=600, deadline=None)
    @given(
        st.text(alphabet="abcXYZ09-_./~%:?#@ é", max_size=20),
        st.sampled_from(
            ["https://news.example.org/", "https://h.example/news/", "http://h.example:8080/a/b/"]
        ),
    )
    def test_fast_path_equals_urllib(self, tail: str, base: str) -> None:
        """Plain URLs resolved on the fast path equal urljoin + percent-encoding."""
        for url in (tail, "/" + tail, "https://x.example/" + tail):
            if url.startswith("//") or "://" in url[8:] or url.strip().startswith(("#", "//")):
                continue
            assert absolute_url(url, base) == _slow_absolute(url, base), url


class TestChanged:
    def test_same_value_as_dataclasses_replace(self) -> None:
        """changed() gives a value equal to, hashing like and typed like dataclasses.replace's."""
        entry = Entry(
            id="urn:x", url="https://example.org/a/", title="T", title_source="front matter",
            date=NOW, date_source="front matter", updated=NOW, category=Category("news", "News"),
            category_source="default", summary="", source="", authors=(), tags=("a",), image=None,
            rel="a.md", fmt="markdown", lines=MappingProxyType({"title": 2}),
        )
        later = NOW + timedelta(microseconds=7)
        fast, slow = changed(entry, updated=later), replace(entry, updated=later)
        assert fast == slow and hash(fast) == hash(slow) and type(fast) is Entry
        assert fast.__dict__ == slow.__dict__
        assert entry.updated == NOW  # the original is untouched

    def test_unknown_field_is_refused(self) -> None:
        """A misspelt field name raises TypeError, as dataclasses.replace does."""
        with pytest.raises(TypeError, match="'slugg'"):
            changed(Category("news", "News"), slugg="x")
