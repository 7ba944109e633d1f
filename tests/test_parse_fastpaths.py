"""The fast paths of reading and normalising a document give exactly what the general code gives."""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import UTC, date, timedelta, timezone, tzinfo
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from urllib.parse import quote, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub import slug
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Category, Entry, Image, SourceDoc
from feedpub.sources import body as body_module
from feedpub.sources import conventions, dates, frontmatter, load, plaintext
from feedpub.sources.fields import common, image
from feedpub.sources.fields import text as text_fields
from feedpub.sources.normalise import normalise
from feedpub.sources.plaintext import CONTROL

# Characters around the ones CONTROL removes, and the bytes that spell them in UTF-8.
_EDGY = st.sampled_from(
    [chr(c) for c in (*range(0x00, 0x21), *range(0x7E, 0xA2), 0xC2, 0xEF, 0xBF, 0xFF)]
    + ["\ufeff", "\ufffd", "\ufffe", "\uffff", "\uefbf", "\u00e9", "\u4e2d", "\uff0c", "\U0001f600"]
)
_TEXT = st.lists(st.one_of(_EDGY, st.characters(exclude_categories=("Cs",))), max_size=40).map("".join)


def _general_decode(data: bytes) -> str:
    """decode() as it was: the utf-8-sig codec, then CONTROL over every decoded text."""
    encoding = "utf-16" if data.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    if encoding != "utf-16" and b"\0" in data[:8192]:
        raise SourceError([])  # refused as binary, before decoding
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        # the utf-8-sig codec counts offsets after the BOM; the message counts them in the file
        at = e.start + (3 if encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf") else 0)
        raise SourceError([Problem("a.md", None, f"not valid {encoding.upper().replace('-SIG', '')} text: "
                                   f"undecodable byte 0x{data[at]:02x} at byte offset {at}")]) from None
    return CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _decoded(decode: Callable[[bytes], str], data: bytes) -> str:
    """Return decode's text, or the message it refused the data with ('binary' for a NUL)."""
    try:
        return decode(data)
    except SourceError as e:
        return "binary" if b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) else str(e)


class TestControlCharacters:
    def test_every_code_point_control_is_seen_in_its_utf8(self) -> None:
        """The UTF-8 byte test finds each code point CONTROL matches, and none of all the others."""
        # strict UTF-8 cannot spell a surrogate
        chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
        matched = [ch for ch in chars if CONTROL.match(ch)]
        assert len(matched) == 29 + 1 + 32 + 2  # C0 but tab/LF/CR, DEL, C1, U+FFFE/FFFF
        for ch in matched:
            assert load.utf8_may_have_controls(("a" + ch + "b").encode("utf-8")), hex(ord(ch))
        # A UTF-8 sequence cannot start inside another, so one text of all the others suffices.
        others = "".join(ch for ch in chars if not CONTROL.match(ch))
        assert not load.utf8_may_have_controls(others.encode("utf-8"))

    @settings(max_examples=400, deadline=None)
    @given(_TEXT, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le+bom", "utf-16-be+bom"]))
    @example("a\x85b\ufffe\x7f\x01\r\nc\rd", "utf-8")
    def test_decode_equals_the_full_substitution(self, text: str, encoding: str) -> None:
        """decode() gives what CONTROL over the whole decoded text gives, for UTF-8 and UTF-16."""
        if encoding.endswith("+bom"):
            data = "\ufeff".encode(encoding[:-4]) + text.encode(encoding[:-4])
        else:
            data = text.encode(encoding)
        assert _decoded(lambda d: load.decode(d, "a.md"), data) == _decoded(_general_decode, data)

    @settings(max_examples=600, deadline=None)
    @given(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb", b"\xff\xfe"]), st.binary(max_size=40))
    @example(b"\xef\xbb\xbf", b"ab\xff")
    def test_decode_equals_the_full_substitution_on_any_bytes(self, start: bytes, data: bytes) -> None:
        """On arbitrary bytes, decode() gives the general result or the same refusal, message included."""
        data = start + data
        assert _decoded(lambda d: load.decode(d, "a.md"), data) == _decoded(_general_decode, data)


_WORDS = st.text(alphabet="abnotyNTF019 ,./é中", min_size=1, max_size=14)
# Double-quoted values with the escapes the fast reading knows (\" and \\) and others it leaves to PyYAML.
_ESCAPED_VALUES = st.lists(
    st.sampled_from(["a", " ", "é", '\\"', "\\\\", "\\n", "\\x41", "\\ ", "\\/", "\\", '"', "#", ": ", "'"]),
    max_size=6,
).map(lambda parts: '"' + "".join(parts) + '"')
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
    _ESCAPED_VALUES,
    st.sampled_from(["'a\\b'", "a\\b", '"a\\"', '"\\\\"', '"R&D \\"x\\" y"', "\\"]),
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


_TRAILER_LINES = st.sampled_from(
    ["", " ", "<br/>", "<br>", " <BR />", "Date: 2025-01-07", "date:", "Source: X", "source : Y ",
     "Author: A", "Author:", "Date: 1", "text", "Date: x\n\n", "  Source:  Z  ", "Dates: no"]
)


@st.composite
def trailer_bodies(draw: st.DrawFn) -> str:
    """Bodies whose last lines mix text, blanks, breaks and trailer lines, around TRAILER_SCAN lines."""
    head = draw(st.lists(st.sampled_from(["Text.", "", "Date: 2020-01-01", "<br/>"]), max_size=45))
    tail = draw(st.lists(_TRAILER_LINES, max_size=45))
    return "\n".join(head + tail) + draw(st.sampled_from(["", "\n", "\n\n"]))


def _old_split_trailer(body: str) -> tuple[str, plaintext.Trailer]:
    """split_trailer as it was: the body split into lines from the end, joined again."""
    scan = plaintext.TRAILER_SCAN
    lines = body.rsplit("\n", scan)
    skipped = body.count("\n", 0, len(lines[0])) if len(lines) > scan else 0
    i = len(lines)
    found: dict[str, tuple[str, int]] = {}
    cut = len(lines)
    while i > 0:
        line = lines[i - 1]
        m = plaintext._TRAILER.match(line)
        if m and m.group(1).lower() not in found and m.group(2):
            found[m.group(1).lower()] = (m.group(2), i - 1)
            cut = i - 1
        elif not line.strip() or plaintext._BREAK.match(line):
            pass
        else:
            break
        i -= 1
    if not found:
        return body, plaintext.Trailer()
    while cut > 0 and (not lines[cut - 1].strip() or plaintext._BREAK.match(lines[cut - 1])):
        cut -= 1
    date = found.get("date")
    return "\n".join(lines[:cut]), plaintext.Trailer(
        date=date[0] if date else None,
        date_line=date[1] + skipped if date else None,
        source=found["source"][0] if "source" in found else None,
        author=found["author"][0] if "author" in found else None,
    )


class TestSplitTrailer:
    @settings(max_examples=400, deadline=None)
    @given(st.one_of(trailer_bodies(), st.text(alphabet="Dates:<br/>\n x", max_size=60)))
    @example("\n" * 45 + "Date: 2025-01-07")
    @example("Date: 2025-01-07" + "\n" * 45)
    @example("Date: 2025-01-07\n" + "\n" * 40 + "Source: S")
    @example("Text\n" * 39 + "Date: 1\nSource: S")
    @example("Text\n" * 40 + "Date: 1\nSource: S")
    def test_equals_the_split_into_lines(self, body: str) -> None:
        """Reading from the end gives the text, values and line numbers that splitting the whole body gave."""
        assert plaintext.split_trailer(body) == _old_split_trailer(body)

    @settings(max_examples=400, deadline=None)
    @given(
        st.lists(st.sampled_from(["Text.", "Date: 1", "Date:", "<br/>", "a < b", "x:y", "", "Source: S"]), max_size=3),
        st.sampled_from(["Text.", "Text. ", "Ends here", "a<b", "a:b", "Date: 1", "<br>", "\u3000x\u3000", "é"]),
        st.lists(st.sampled_from(["", " ", "\t", "\u3000", "\x85", "\x1c", "\u2028", "\xa0"]), min_size=35, max_size=44),
    )
    @example(["Date:"], "foo", [""] * 40)
    @example([], "Text.", [""] * 39)
    @example([], "Text.", [""] * 40)
    def test_last_text_line_equals_the_general_reading(self, head: list[str], last: str, blanks: list[str]) -> None:
        """Blank lines under a last text line, near TRAILER_SCAN of them, end as the general reading ends."""
        body = "\n".join([*head, last, *blanks])
        assert plaintext.split_trailer(body) == _old_split_trailer(body)


def _old_encode_url(url: str) -> str:
    """encode_url as it was, with urllib's quote()."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc
    if netloc and not netloc.isascii():
        host = parts.hostname or ""
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = quote(host, safe="")
        netloc = netloc.replace(host, ascii_host)
    safe = slug._URL_SAFE
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe), quote(parts.query, safe=safe),
                       quote(parts.fragment, safe=safe)))


_OLD_PLAIN_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9/_~!$&'()*+,;=:@%.-]*)?\Z")


def _old_absolute_url(url: str, base_url: str) -> str:
    """absolute_url as it was, before the plain-host fast path."""
    url = url.strip()
    try:
        if _OLD_PLAIN_ABSOLUTE.match(url):
            return url
        if slug._PLAIN_RELATIVE.match(url) and base_url.endswith("/") and _OLD_PLAIN_ABSOLUTE.match(base_url):
            return base_url + url.lstrip("/")
        if url.startswith("//"):
            return _old_encode_url("https:" + url)
        if urlsplit(url).scheme:
            return _old_encode_url(url)
        if url.startswith("#"):
            return _old_encode_url(url)
        return _old_encode_url(urljoin(base_url, url.lstrip("/")))
    except ValueError:
        raise ValueError(f"not a valid URL: {url[:80]!r}") from None


def _outcome(f: Callable[[], str], *, message: bool = True) -> str:
    """Return f's result or the error it raised (its message too unless told not to)."""
    try:
        return f()
    except ValueError as e:
        return f"{type(e).__name__}: {e}" if message else type(e).__name__


_URL_TEXT = st.text(alphabet=st.sampled_from([*"abcXYZ09-_./~%:?#@[] \t\x7f\x85é中\ufffd", "\ud800"]), max_size=24)


class TestUrls:
    def test_quote_url_part_equals_quote_on_every_code_point(self) -> None:
        """For every code point (surrogates refused alike), quote_url_part equals urllib's quote."""
        for block in range(0, sys.maxunicode + 1, 256):  # quote() works byte by byte: a block at a time
            text = "".join(chr(c) for c in range(block, block + 256))
            assert _outcome(lambda t=text: slug.quote_url_part(t), message=False) == _outcome(
                lambda t=text: quote(t, safe=slug._URL_SAFE), message=False
            ), hex(block)

    @settings(max_examples=600, deadline=None)
    @given(st.text(max_size=30))
    def test_quote_url_part_equals_quote(self, text: str) -> None:
        """On any text, quote_url_part equals urllib's quote with the same safe characters (or refuses alike)."""
        assert _outcome(lambda: slug.quote_url_part(text), message=False) == _outcome(
            lambda: quote(text, safe=slug._URL_SAFE), message=False
        )

    @settings(max_examples=500, deadline=None)
    @given(
        st.sampled_from(["", "/", "https://", "http://", "HTTPS://", "https://h.example", "http://h.example:80",
                         "https://x.example/", "//", "#", "mailto:", "https://[::1]"]),
        _URL_TEXT,
        st.sampled_from(["https://news.example.org/", "https://h.example/news/", "http://h.example:8080/a/b/"]),
    )
    @example("https://cdn.example.com/uploads/", "資台製際-scaled.jpg", "https://news.example.org/")
    def test_absolute_url_equals_the_old_one(self, head: str, tail: str, base: str) -> None:
        """absolute_url gives what it gave before the plain-host fast path, errors included."""
        url = head + tail
        assert _outcome(lambda: slug.absolute_url(url, base)) == _outcome(lambda: _old_absolute_url(url, base))

    def test_absolute_url_equals_the_old_one_for_every_character(self) -> None:
        """Each character of the first 256 code points, in an absolute URL's host or path, gives the old URL."""
        for c in map(chr, range(256)):
            for url in (f"https://h.example/a{c}b/", f"http://h{c}x.example:80/p", f"https://h.example{c}/"):
                assert _outcome(lambda u=url: slug.absolute_url(u, "https://n.example/")) == _outcome(
                    lambda u=url: _old_absolute_url(u, "https://n.example/")), repr(url)


_ZONES = st.sampled_from([UTC, ZoneInfo("Asia/Taipei"), ZoneInfo("America/New_York"), timezone(timedelta(hours=-3))])


class TestDateStrings:
    @settings(max_examples=300, deadline=None)
    @given(
        st.one_of(
            st.dates().map(date.isoformat),
            st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True),
            st.from_regex(r"\s?(19[67][0-9]|20[0-9]{2}|99[0-9]{2}|0000)-(0[0-9]|1[0-3])-([0-3][0-9])\s?", fullmatch=True),
            st.sampled_from(["2025-01-07T10:00", "2025-1-7", "2025-01-07Z", "２０２５-01-07", " 2025-01-07 ",
                             "2025-02-29", "2024-02-29", "1969-12-31", "1970-01-01"]),
        ),
        _ZONES,
    )
    def test_shortcut_equals_strptime(self, text: str, tz: tzinfo) -> None:
        """A plain YYYY-MM-DD gives the datetime, or the error, that the strptime path gives."""
        fast = _outcome(lambda: repr(dates.parse_date_string(text, tz)))
        slow = _outcome(lambda: repr(dates._parse_date_string(text, tz)))
        assert fast == slow
        if not fast.startswith("DateValueError"):
            assert dates.parse_date_string(text, tz).tzinfo is dates._parse_date_string(text, tz).tzinfo


_FENCE_LINES = st.sampled_from(["---", "----", "--- ", "---\t", "--- x", " ---", "-- -", "", " ", "a: b",
                                "text ---", "---a", "\t", "\u2028", "\x85", "\u3000"])


class TestSplitFrontMatter:
    @settings(max_examples=400, deadline=None)
    @given(
        st.one_of(st.sampled_from(["---\n", "----  \n", "---\n\n", "--- x\n", "---"]), st.just("")),
        st.lists(_FENCE_LINES, max_size=10).map("\n".join),
        st.sampled_from(["", "\n", "\n\n", "\r\n"]),
    )
    @example("---\n", "\n---\n", "")
    @example("---\n", "title: a\n---  \n  \nbody", "")
    def test_equals_the_handlers_split(self, opening: str, lines: str, end: str) -> None:
        """split_front_matter gives what python-frontmatter's detect() and split() give, or None when they refuse."""
        text = opening + lines + end
        expected: tuple[str, str] | None = None
        if text.startswith("---") and frontmatter.YAML_HANDLER.detect(text):
            try:
                expected = frontmatter.YAML_HANDLER.split(text)
            except ValueError:
                expected = None
        assert load.split_front_matter(text) == expected


class TestEntryWithoutInit:
    def test_normalised_entries_equal_those_init_makes(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """Every entry normalise makes equals, hashes like and holds the same fields as Entry(**its fields)."""
        config = make_config(seeds)
        entries = [normalise(load.read(Path(name), seeds, rel=rel), config) for rel, name in load.discover_rel(seeds)]
        assert len(entries) > 3
        for entry in entries:
            made = Entry(**entry.__dict__)
            assert made == entry and hash(made) == hash(entry) and made.__dict__ == entry.__dict__
            assert {f.name for f in fields(Entry)} == entry.__dict__.keys()

    def test_source_docs_equal_those_init_makes(self, seeds: Path, tmp_path: Path) -> None:
        """Every SourceDoc read equals, hashes like and holds the same fields as SourceDoc(**its fields)."""
        (tmp_path / "plain.txt").write_text("No front matter.\n", encoding="utf-8")
        docs = [load.read(Path(name), root, rel=rel) for root in (seeds, tmp_path)
                for rel, name in load.discover_rel(root)]
        assert any(d.has_front_matter for d in docs) and not all(d.has_front_matter for d in docs)
        for doc in docs:
            made = SourceDoc(**doc.__dict__)
            assert made == doc and made.__dict__ == doc.__dict__
            assert list(made.__dict__) == list(doc.__dict__) == [f.name for f in fields(SourceDoc)]

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from(" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\u200bax"), max_size=8))
    def test_blank_is_what_strip_says(self, text: str) -> None:
        """_blank(text) is `not text.strip()` for every mix of whitespace and other characters."""
        assert body_module.blank(text) == (not text.strip())


def _old_title_like(line: str) -> bool:
    """_title_like as it was, before _title_text."""
    s = plaintext.clean_line(line)
    return (
        0 < len(s) <= 150
        and not s.endswith((".", "!", "?", ",", ";", ":"))
        and not plaintext._BULLET.match(line)
        and not plaintext._NUMBERED.match(line)
        and not s[0].islower()
    )


def _old_split_header(body: str) -> plaintext.Header:
    """split_header as it was: the body split into lines, the rest joined again."""
    lines = body.split("\n")
    heads: list[str] = []
    i = 0
    end = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        if not _old_title_like(line):
            break
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt.strip() and not _old_title_like(nxt):
            break
        heads.append(plaintext.clean_line(line))
        i += 1
        end = i
    rest = "\n".join(lines[end:])
    if not heads or not rest.strip():
        return plaintext.Header(None, (), body, 0)
    return plaintext.Header(heads[-1], tuple(heads[:-1]), rest.lstrip("\n"),
                            end + (len(rest) - len(rest.lstrip("\n"))))


_HEADER_LINES = st.sampled_from(
    ["Market Intelligence", "Asia-Pacific Platform", "Venitek validates the vaccine", "", " ", "\t", "\u3000",
     "the wrapped line goes on", "A sentence ends here.", "• bullet", "1. numbered", "x" * 160, "Title:",
     "lowercase start", "Q3 2025", "Ends with a comma,"]
)


class TestSplitHeader:
    @settings(max_examples=400, deadline=None)
    @given(st.lists(_HEADER_LINES, max_size=9).map("\n".join), st.sampled_from(["", "\n", "\n\n", " \n"]))
    @example("Kicker\n\nHeadline\n\nBody text goes here.", "")
    @example("Headline\n\n", "")
    def test_equals_the_split_into_lines(self, body: str, end: str) -> None:
        """Reading the top lines by offset gives the header, text and line count that splitting gave."""
        body += end
        assert plaintext.split_header(body) == _old_split_header(body)

    @settings(max_examples=400, deadline=None)
    @given(st.one_of(_HEADER_LINES, st.text(alphabet=st.sampled_from([*"aA1.:;,!? -•*)", "\t", "\u00a0", "\x07"]),
                                            max_size=12)))
    def test_title_text_is_the_clean_title_like_line(self, line: str) -> None:
        """_title_text gives the cleaned line exactly when the old test called it title-like, else ""."""
        assert plaintext._title_text(line) == (plaintext.clean_line(line) if _old_title_like(line) else "")
        assert plaintext._title_like(line) == _old_title_like(line)


def _old_first_sentence(text: str) -> str:
    """first_sentence as it was: the abbreviation test searches the whole sentence."""
    s = plaintext.clean_line(text)
    for m in re.finditer(r"[.!?](?=[\"”’)]?\s+[\"“‘(]?[A-Z0-9])", s):
        if not plaintext._ABBREV.search(s[: m.end()]):
            return s[: m.end()]
    return s


_SENTENCE_TOKENS = st.sampled_from(
    ["U.", "S.", "U.S.", "A.B.C.", "Mr.", "Mrs.", "Corp.", "Prof.", "vs.", "etc.", "No.", "xNo.", "éS.", "_S.",
     "aS.", "1S.", "Co.", "Jr", "word", "Word", "Ends.", "Why?", "Yes!", "ok.", ".", "!", "?", "\"", "”", "’", ")",
     "(", "“", "‘", "0", "A", "é", " ", "  ", "\t", "\u00a0", "\n"]
)


class TestFirstSentence:
    @settings(max_examples=500, deadline=None)
    @given(st.lists(_SENTENCE_TOKENS, max_size=16).map("".join))
    @example("Firms in the U.S. Gulf expand. Then more happened.")
    @example("It cost 5 vs. 6 at A.B.C. Corp. Then")
    def test_equals_the_search_over_the_whole_sentence(self, text: str) -> None:
        """Asking the last six characters about an abbreviation ends the sentence where the whole search did."""
        assert plaintext.first_sentence(text) == _old_first_sentence(text)


_MESSY_TEXT = st.text(alphabet=st.sampled_from([*"ab .!?A", "\t", "\n", "\x07", "\x85", "\u00a0", "\u2028", "\u3000",
                                                 "\u200b", "\ud800", "\x1c", "é"]), max_size=30)


class TestShortenClean:
    @settings(max_examples=400, deadline=None)
    @given(_MESSY_TEXT, st.integers(2, 12))
    def test_cleaned_text_is_shortened_as_shorten_does(self, text: str, limit: int) -> None:
        """clean_line's and first_sentence's texts are clean already: shorten_clean gives what shorten gives."""
        for clean in (plaintext.clean_line(text), plaintext.first_sentence(text)):
            assert plaintext.clean_line(clean) == clean
            assert plaintext.shorten_clean(clean, limit) == plaintext.shorten(clean, limit)


class TestNormaliseHelpers:
    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet="ab./ ", max_size=10))
    @example("")
    @example("a/.")
    @example("a/")
    @example(".a")
    @example("a.")
    @example("a/..")
    def test_stem_equals_pathlib(self, rel: str) -> None:
        """_stem gives what PurePosixPath(rel).with_suffix('').name gives, or refuses alike."""
        assert _outcome(lambda: common.stem(rel)) == _outcome(
            lambda: PurePosixPath(rel).with_suffix("").name
        )

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(["", " ", "\t", "\x07", "\u00a0", "\u3000", "a", " b "]), max_size=5).map("\n".join))
    def test_first_text_line_equals_the_split(self, text: str) -> None:
        """_first_text_line finds the line that splitting the body into lines found."""
        expected = next((ln for ln in text.split("\n") if plaintext.clean_line(ln)), "")
        assert text_fields.first_text_line(text) == expected

    @settings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from([*"/.?#aJPgG", "jpg", "png", ".svg", "İ"]), max_size=12).map("".join))
    @example("https://x.example/a.PNG?x=1#y.gif")
    @example("https://x.example/dir.v2/file")
    def test_image_type_equals_the_split(self, url: str) -> None:
        """_image_type finds the extension that splitting off query, fragment and folders found."""
        path = url.split("?", 1)[0].split("#", 1)[0]
        name = path.rsplit("/", 1)[-1]
        expected = (image.IMAGE_TYPES.get(name.rsplit(".", 1)[-1].lower(), "image/jpeg")
                    if "." in name else "image/jpeg")
        assert image.image_type(url) == expected

    def test_values_made_without_init_equal_those_init_makes(self, seeds: Path, tmp_path: Path,
                                                             make_config: Callable[..., Config]) -> None:
        """Bodies, trailers, categories and images made without __init__ equal, hash like and hold what __init__ gives."""
        (tmp_path / "plain.txt").write_text("Kicker\n\nHeadline\n\nText.\n\nDate: 2025-01-07\n", encoding="utf-8")
        (tmp_path / "pic.md").write_text("---\ntitle: T\nimage: /a.png\n---\nText.\n", encoding="utf-8")
        made: list[object] = []
        for root in (seeds, tmp_path):
            config = make_config(root)
            for rel, name in load.discover_rel(root):
                doc = load.read(Path(name), root, rel=rel)
                entry = normalise(doc, config)
                body = body_module.body_of(doc)
                made += [body, body.trailer, entry.category, entry.image]
        values = [v for v in made if v is not None]
        assert {type(v) for v in values} == {body_module.Body, plaintext.Trailer, Category, Image}
        assert any(isinstance(v, plaintext.Trailer) and v.date for v in values)
        for value in values:
            fresh = type(value)(**value.__dict__)
            assert fresh == value and hash(fresh) == hash(value) and fresh.__dict__ == value.__dict__
            assert list(fresh.__dict__) == list(value.__dict__)


_META_KEYS = ["title", "date", "published", "pubDate", "updated", "lastmod", "category", "categories", "permalink",
              "url", "slug", "id", "guid", "summary", "description", "excerpt", "author", "authors", "source", "tags",
              "keywords", "draft", "image", "cover", "image_alt", "alt", "format", "layout"]
_META_VALUES = st.one_of(
    st.sampled_from(["", " ", "News", "a, b, a", "urn:x:1", "https://x.example/a b", "javascript:x", "/a/b.png",
                     "2025-01-07", "2025-02-30", "not a date", "CON", "-", "text", "markdown", "http://[x", "é 中"]),
    st.none(), st.booleans(), st.integers(-3, 3000), st.floats(allow_nan=False, max_value=1e6, min_value=-1e6),
    st.dates(min_value=date(1960, 1, 1)),
    st.lists(st.sampled_from(["a", "b", "", 1, True, None]), max_size=3),
    st.sampled_from([{"name": "N"}, {"x": 1}, {}]),
)


@st.composite
def source_docs(draw: st.DrawFn) -> SourceDoc:
    """A SourceDoc with front matter of any keys normalise reads, values of every type, and a short body."""
    meta = draw(st.dictionaries(st.sampled_from(_META_KEYS), _META_VALUES, max_size=8))
    body = draw(st.sampled_from(["Text here. More.", "", "  \n", "Text.\n\nDate: 2025-01-07\nSource: S\nAuthor: A",
                                 "Kicker\n\nHeadline\n\nText.", "# Heading\n\nText."]))
    has_front_matter = bool(meta) or draw(st.booleans())
    name = draw(st.sampled_from(["a.md", "news/2025-01-07-a.txt", "x/b.markdown", "c.txt"]))
    lines = {key: n for n, key in enumerate(meta, 2)}
    return SourceDoc(Path("/nonexistent-feedpub-source", name), name, MappingProxyType(meta),
                     MappingProxyType(lines), body, len(meta) + 3, has_front_matter, 1.7e9)


def _normalised(doc: SourceDoc, config: Config) -> object:
    """Return the entry's fields (lines included), or the problems normalise reported."""
    try:
        return normalise(doc, config).__dict__
    except SourceError as e:
        return e.problems


_CONFIG = Config(source=Path("/nonexistent-feedpub-source"), out=Path("/nonexistent-feedpub-out"))


def _old_slugify(text: str, *, max_len: int = 80) -> str:
    """slugify as it was: every text through NFKD and an ASCII encoding."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug_text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug_text[:max_len].rstrip("-")


class TestSlugify:
    @settings(max_examples=400, deadline=None)
    @given(st.one_of(st.text(alphabet=st.characters(max_codepoint=127), max_size=30),
                     st.text(alphabet=st.sampled_from([*"aZ09 -_&.", "é", "ﬁ", "Å", "中", "\u0301", "²", "\u00a0"]),
                             max_size=30)))
    def test_equals_the_normalising_one(self, text: str) -> None:
        """An ASCII text skips NFKD and the encoding, and gets the slug it got through them."""
        assert slug.slugify(text) == _old_slugify(text)
        assert slug.slugify(text, max_len=5) == _old_slugify(text, max_len=5)


class _ReadKeys(dict[str, object]):
    """Front matter that notes every key it is asked about."""

    def __init__(self, items: Mapping[str, object]) -> None:
        super().__init__(items)
        self.asked: set[str] = set()

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> object:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)


class TestReadKeys:
    @settings(max_examples=300, deadline=None)
    @given(source_docs())
    def test_normalise_reads_only_the_keys_it_names(self, doc: SourceDoc) -> None:
        """normalise asks the front matter about no key outside conventions.READ (check's unknown keys rely on it)."""
        meta = _ReadKeys(doc.meta)
        doc = SourceDoc(doc.path, doc.rel, meta, doc.meta_lines, doc.body, doc.body_line, doc.has_front_matter,
                        doc.mtime)
        _normalised(doc, _CONFIG)
        assert meta.asked <= conventions.READ
