"""The fast paths of reading and normalising a document give exactly what the general code gives."""

from __future__ import annotations

import sys
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub import load
from feedpub.errors import SourceError
from feedpub.plaintext import CONTROL
from tests.test_fastpaths import front_matter

# Characters around the ones CONTROL removes, and the bytes that spell them in UTF-8.
_EDGY = st.sampled_from(
    [chr(c) for c in (*range(0x00, 0x21), *range(0x7E, 0xA2), 0xC2, 0xEF, 0xBF, 0xFF)]
    + ["\ufeff", "\ufffd", "\ufffe", "\uffff", "\uefbf", "\u00e9", "\u4e2d", "\uff0c", "\U0001f600"]
)
_TEXT = st.lists(st.one_of(_EDGY, st.characters(exclude_categories=("Cs",))), max_size=40).map("".join)


def _general_decode(data: bytes) -> str:
    """decode() as it was before the byte test: CONTROL over every decoded text."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    text = data.decode(encoding)
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


class TestControlCharacters:
    def test_every_code_point_control_is_seen_in_its_utf8(self) -> None:
        """For every code point, the UTF-8 byte test says 'may have' whenever CONTROL matches it."""
        for c in range(sys.maxunicode + 1):
            if 0xD800 <= c <= 0xDFFF:
                continue  # strict UTF-8 cannot spell a surrogate
            ch = chr(c)
            data = ("a" + ch + "b").encode("utf-8")
            assert load.utf8_may_have_controls(data) == bool(CONTROL.search(ch)), hex(c)

    @settings(max_examples=800, deadline=None)
    @given(_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le+bom", "utf-16-be+bom"]))
    @example("a\x85b\ufffe\x7f\x01\r\nc\rd", "utf-8")
    def test_decode_equals_the_full_substitution(self, text: str, encoding: str) -> None:
        """decode() gives what CONTROL over the whole decoded text gives, for UTF-8 and UTF-16."""
        if encoding.endswith("+bom"):
            data = "\ufeff".encode(encoding[:-4]) + text.encode(encoding[:-4])
        else:
            data = text.encode(encoding)
        try:
            expected = _general_decode(data)
        except UnicodeDecodeError:
            return
        if b"\0" in data[:8192] and not encoding.startswith("utf-16"):
            with pytest.raises(SourceError, match="NUL byte"):
                load.decode(data, "a.md")
            return
        assert load.decode(data, "a.md") == expected

    @settings(max_examples=400, deadline=None)
    @given(st.binary(max_size=40))
    def test_decode_equals_the_full_substitution_on_any_bytes(self, data: bytes) -> None:
        """On arbitrary bytes, decode() gives the general result or the same refusal."""
        try:
            expected: str | None = _general_decode(data)
        except UnicodeDecodeError:
            expected = None
        try:
            got: str | None = load.decode(data, "a.md")
        except SourceError:
            got = None
            assert expected is None or b"\0" in data[:8192]
            return
        assert got == expected


_WORDS = st.text(alphabet="abnotyNTF019 ,./é中", min_size=1, max_size=14)
_COMMON_VALUES = st.one_of(
    _WORDS,
    _WORDS,
    _WORDS,
    st.text(alphabet="abnotyNTF0129 :#-'\"./é中", min_size=1, max_size=14),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
    st.dates().map(date.isoformat),
    st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2} {0,2}", fullmatch=True),
    st.tuples(st.sampled_from("'\""), _WORDS).map(lambda q: q[0] + q[1] + q[0]),
    st.from_regex(r"[\"'][^\n]{0,12}[\"'] {0,2}", fullmatch=True),
    st.sampled_from(["news", "true", "no", "Null", "null x", "on", "off x", "y", "n", "~x",
                     "1.5", "2025-01-07T10:00", "2025-13-01", "a: b", "a:b", "a #b", "a#b", "x:",
                     "x:  ", "page  ", "'it''s'", '"say "hi""', "'", '"', "Tab\tx", "nbsp\u00a0"]),
)
_USUAL_VALUES = st.one_of(
    st.from_regex(r"[A-Za-z中é][a-z ,./:-]{0,20}", fullmatch=True),
    st.dates().map(date.isoformat),
    st.tuples(st.sampled_from("'\""), _WORDS).map(lambda q: q[0] + q[1] + q[0]),
)
_COMMON_KEYS = ["title", "date", "summary", "layout", "image", "_x", "a-b", "t9", "category", "Title",
                "n", "yes", "On"]  # the last ones PyYAML does not read as text


@st.composite
def common_front_matter(draw: st.DrawFn) -> str:
    """Front matter close to the common shape: key: value lines, sometimes something else."""
    lines = []
    keys = draw(st.lists(st.sampled_from(_COMMON_KEYS[: 10 if draw(st.integers(0, 4)) else None]),
                         max_size=7, unique=draw(st.integers(0, 5)) > 0))
    for key in keys:
        sep = ": " if draw(st.integers(0, 9)) else draw(st.sampled_from([":   ", ":", " : ", ":\t"]))
        lines.append(key + sep + draw(_USUAL_VALUES if draw(st.integers(0, 4)) else _COMMON_VALUES))
        if draw(st.integers(0, 19)) == 0:
            lines.append(draw(st.sampled_from(["", "   ", "# c", "- x", "  k: v"])))
    return draw(st.sampled_from(["", "\n", " \n"])) + "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


class TestCommonFrontMatter:
    @settings(max_examples=500, deadline=None)
    @given(st.one_of(common_front_matter(), front_matter()))
    @example("\ntitle: A\n\ndate: 2025-01-07\nlayout: page\n")
    @example("\ntitle: 'a: b'\nsummary: \"x\"  \nimage: https://x.example/a.jpg\n")
    def test_agrees_with_the_line_by_line_reading(self, fm: str) -> None:
        """The one-regex reading, when it answers, equals the line-by-line one, types and lines included."""
        fast = load._common_front_matter(fm)
        slow = load._line_by_line(fm)
        if fast is not None:
            assert slow is not None
            assert fast == slow
            assert [type(v) for v in fast[0].values()] == [type(v) for v in slow[0].values()]
        if slow is not None:
            assert slow[1] == load.key_lines(fm)

    def test_common_front_matter_takes_the_one_regex_path(self) -> None:
        """The usual front matter of an archive (quoted title, date, URLs) is read by the fast reading."""
        fm = '\ntitle: "Q: a"\nsummary: It is.\nimage: https://x.example/a.jpg\ncategory: news\ndate: 2025-01-07\n'
        assert load._common_front_matter(fm) is not None
