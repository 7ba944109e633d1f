"""Plain-text understanding: trailers, header blocks, titles, lists."""

from __future__ import annotations

from lxml import etree

from feedpub.sources import plaintext


class TestSplitTrailer:
    def test_date_and_source_with_breaks_are_removed(self) -> None:
        """Trailing Date:/Source: lines and the <br/> around them leave the body."""
        body, t = plaintext.split_trailer("Text.\n\n<br/>\nDate: 2022-06-14\n<br/>\nSource: GeneOnline\n")
        assert body == "Text."
        assert (t.date, t.source, t.date_line) == ("2022-06-14", "GeneOnline", 3)

    def test_date_line_in_the_middle_is_kept(self) -> None:
        """A 'Date:' line followed by more text is part of the article, not a trailer."""
        text = "Date: 2020-01-01\n\nThe meeting was moved."
        assert plaintext.split_trailer(text) == (text, plaintext.Trailer())


class TestSplitHeader:
    def test_headline_is_last_line_of_header_block(self) -> None:
        """Kicker lines above the headline become kickers; the headline is the title."""
        h = plaintext.split_header("Market Intelligence\nHealthcare Taiwan\n\nTaiwan Cell Therapy\n\nBody text here.")
        assert h.title == "Taiwan Cell Therapy"
        assert h.kicker == ("Market Intelligence", "Healthcare Taiwan")
        assert h.body == "Body text here."

    def test_wrapped_paragraph_is_not_a_headline(self) -> None:
        """A short first line that runs on in lowercase is a wrapped paragraph."""
        h = plaintext.split_header("As global supply chains\nundergo restructuring, things change.\n")
        assert h.title is None

    def test_long_first_line_has_no_header(self) -> None:
        """A document opening with a sentence has no header block."""
        assert plaintext.split_header("This is a sentence that ends. And another.\nMore.").title is None


class TestTitles:
    def test_first_sentence_skips_abbreviations(self) -> None:
        """'U.S.' does not end a sentence."""
        s = plaintext.first_sentence("Firms in the U.S. Gulf expand. Then more happened.")
        assert s == "Firms in the U.S. Gulf expand."

    def test_shorten_cuts_at_word_boundary(self) -> None:
        """Shortened text ends at a whole word with an ellipsis and fits the limit."""
        out = plaintext.shorten("alpha beta gamma delta epsilon", 17)
        assert out == "alpha beta gamma…"
        assert len(out) <= 17


class TestToHtml:
    def _parse(self, text: str) -> etree._Element:
        return etree.fromstring(f"<div>{plaintext.to_html(text)}</div>")

    def test_bullets_and_numbers_become_lists(self) -> None:
        """Unicode bullets make <ul>, numbered lines make <ol>."""
        root = self._parse("Intro.\n\n  1. One.\n  2. Two.\n\n  • A\n  • B\n")
        assert [li.text for li in root.findall("ol/li")] == ["One.", "Two."]
        assert [li.text for li in root.findall("ul/li")] == ["A", "B"]

    def test_markup_in_plain_text_is_text(self) -> None:
        """Angle brackets in a plain-text document are escaped, never parsed as tags."""
        root = self._parse("Use <script>alert(1)</script> & more.")
        assert root.find(".//script") is None
        assert "<script>" in "".join(root.itertext())

    def test_standalone_short_line_is_heading(self) -> None:
        """A short title-like line between paragraphs becomes a heading."""
        root = self._parse("First para.\n\nKey Opportunities\n\nSecond para.")
        assert root.findtext("h2") == "Key Opportunities"

    def test_urls_become_links(self) -> None:
        """Bare http(s) URLs in plain text become links, trailing punctuation excluded."""
        root = self._parse("See https://example.org/a.")
        assert root.find(".//a").get("href") == "https://example.org/a"


class TestJoinBrokenParagraphs:
    def test_mid_sentence_split_is_rejoined(self) -> None:
        """A paragraph split after 'in the' continues with its lowercase second half."""
        text = "Australia will include companies in the\n\nconvention, India will too."
        assert plaintext.join_broken_paragraphs(text) == "Australia will include companies in the convention, India will too."

    def test_headings_and_lists_are_left_alone(self) -> None:
        """Headings, list items and sentences that end properly are not joined."""
        for text in ("### a heading\n\nlowercase para", "- item one\n\nlowercase para", "Ends.\n\nlower start"):
            assert plaintext.join_broken_paragraphs(text) == text
