"""Plain-text understanding: trailers, header blocks, titles, lists."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


class TestSplitTrailerEdges:
    """The trailer rule at its edges: which last lines count, which value wins, where the date is."""

    def test_every_key_any_case_and_spacing(self) -> None:
        """DATE, source and Author lines in any case, with spaces around the colon, are read and trimmed."""
        body, t = plaintext.split_trailer("Text.\n  DATE :  2022-06-14  \nsource:Wire\nAuthor : Jane Doe\n")
        assert body == "Text."
        assert (t.date, t.source, t.author) == ("2022-06-14", "Wire", "Jane Doe")

    def test_the_last_of_a_repeated_key_wins(self) -> None:
        """Read from the end, the lowest Date: line is the date; a second one above it is text, and ends the trailer."""
        body, t = plaintext.split_trailer("Text.\nDate: 2020-01-01\nDate: 2021-02-02\n")
        assert (body, t.date, t.date_line) == ("Text.\nDate: 2020-01-01", "2021-02-02", 2)

    def test_a_key_without_value_ends_the_trailer(self) -> None:
        """'Source:' with nothing after it is text: only the lines below it are the trailer."""
        body, t = plaintext.split_trailer("Text.\nSource:\nDate: 2021-02-02")
        assert (body, t.date, t.source) == ("Text.\nSource:", "2021-02-02", None)

    def test_a_line_with_a_colon_is_not_always_a_trailer(self) -> None:
        """A last line like 'Note: see above' is text: no trailer, the body unchanged."""
        text = "Text.\n\nNote: see above\n"
        assert plaintext.split_trailer(text) == (text, plaintext.Trailer())

    def test_a_body_that_is_only_a_trailer(self) -> None:
        """Nothing above the trailer: the body is empty and the date is on line 0."""
        body, t = plaintext.split_trailer("Date: 2021-02-02\nSource: X")
        assert (body, t.date, t.date_line, t.source) == ("", "2021-02-02", 0, "X")

    def test_breaks_and_blank_lines_belong_to_the_trailer(self) -> None:
        """<br>, <BR />, repeated breaks and blank lines between trailer lines go with it; text above stays whole."""
        body, t = plaintext.split_trailer("One.\n\nTwo.\n<BR />\n\n<br><br/>\nSource: Wire\n\n")
        assert (body, t.source, t.date) == ("One.\n\nTwo.", "Wire", None)

    def test_a_break_inside_text_is_not_a_trailer(self) -> None:
        """A line with a <br> among words is text: the trailer stops under it."""
        body, t = plaintext.split_trailer("Text <br> more\nSource: Wire")
        assert (body, t.source) == ("Text <br> more", "Wire")

    def test_only_the_last_lines_are_looked_at(self) -> None:
        """A trailer line more than TRAILER_SCAN lines from the end (blank lines below it) is not found."""
        near = "Text.\nDate: 2021-02-02" + "\n" * (plaintext.TRAILER_SCAN - 1)
        assert plaintext.split_trailer(near)[1].date == "2021-02-02"
        far = "Text.\nDate: 2021-02-02" + "\n" * (plaintext.TRAILER_SCAN + 1)
        assert plaintext.split_trailer(far) == (far, plaintext.Trailer())

    def test_a_single_trailer_line_is_the_whole_trailer(self) -> None:
        """A document that is one Source: line (with or without its newline) has an empty body."""
        for text in ("Source: Wire", "Source: Wire\n"):
            assert plaintext.split_trailer(text) == ("", plaintext.Trailer(source="Wire")), text

    def test_a_break_below_the_last_trailer_line_goes_too(self) -> None:
        """A closing <br/> under the Source: line is part of the trailer: the body ends with the text."""
        body, t = plaintext.split_trailer("Text.\nSource: GeneOnline\n<br/>")
        assert (body, t.source) == ("Text.", "GeneOnline")

    @pytest.mark.parametrize("text", ["A", "Intro.\n\nText."])
    def test_text_above_a_trailer_at_the_scan_limit_is_kept(self, text: str) -> None:
        """With the Date: line the last one scanned, everything above it stays the body, however short."""
        body, t = plaintext.split_trailer(f"{text}\n\nDate: 2021-02-02" + "\n" * (plaintext.TRAILER_SCAN - 1))
        assert (body.rstrip("\n"), t.date) == (text, "2021-02-02")

    def test_date_line_counts_lines_from_the_top(self) -> None:
        """date_line is the 0-based line of the Date: line in the whole body, whatever is below it."""
        body = "a\nb\nc\nDate: 2021-02-02\n<br/>\nSource: S\n"
        assert plaintext.split_trailer(body)[1].date_line == 3


class TestSplitHeaderEdges:
    """The header-block rule at its edges: what a title-like line is, and where the text starts."""

    def test_blank_lines_above_and_between_are_skipped(self) -> None:
        """Leading blank lines are no headline; the text starts at its first line, counted in lines_removed."""
        h = plaintext.split_header("\n\nKicker\n\nHeadline\n\n\nText starts here.")
        assert (h.title, h.kicker, h.body, h.lines_removed) == ("Headline", ("Kicker",), "Text starts here.", 7)

    @pytest.mark.parametrize("end", [".", "!", "?", ",", ";", ":"])
    def test_a_line_ending_like_a_sentence_is_no_title(self, end: str) -> None:
        """A first line ending in . ! ? , ; or : is text: no header block."""
        body = f"Short line{end}\n\nMore text."
        assert plaintext.split_header(body) == plaintext.Header(None, (), body, 0)

    def test_title_length_boundary(self) -> None:
        """150 characters can be a title; 151 cannot."""
        ok, long = "A" + "b" * 149, "A" + "b" * 150
        assert plaintext.split_header(f"{ok}\n\nText.").title == ok
        assert plaintext.split_header(f"{long}\n\nText.").title is None

    def test_lowercase_lists_and_numbers_are_no_title(self) -> None:
        """A line starting lowercase, a bullet or a numbered item is not a headline."""
        for first in ("lowercase start", "• Bullet item", "- Dash item", "1. First item", "12) Item"):
            assert plaintext.split_header(f"{first}\n\nText.").title is None, first

    def test_a_short_line_glued_to_text_is_a_paragraph(self) -> None:
        """A title-like line followed directly by a line of running text starts a paragraph."""
        body = "Taiwan Biotech\nannounced today that it will expand."
        assert plaintext.split_header(body).title is None

    def test_headers_with_no_text_after_are_no_header(self) -> None:
        """Title-like lines and nothing below them: the body stays as it is, without a title."""
        assert plaintext.split_header("Only A Headline\n\n").title is None
        assert plaintext.split_header("Only A Headline").title is None

    def test_title_like_lines_and_nothing_else_are_no_header(self) -> None:
        """A kicker and a headline with no text below them: no title, the body untouched."""
        assert plaintext.split_header("Kicker\n\nHeadline") == plaintext.Header(None, (), "Kicker\n\nHeadline", 0)

    def test_a_short_line_glued_to_a_last_sentence_is_a_paragraph(self) -> None:
        """A headline-like line with a capitalised sentence right below it (the file's last line) is no header."""
        body = "Short Headline\nThe text runs straight on."
        assert plaintext.split_header(body).title is None

    def test_stacked_title_lines_above_a_paragraph(self) -> None:
        """A kicker right above the headline is read line by line, whatever the text below holds."""
        h = plaintext.split_header("Kicker\nHeadline\n\nFirst para.\nSecond para.")
        assert (h.title, h.kicker, h.body, h.lines_removed) == ("Headline", ("Kicker",), "First para.\nSecond para.", 3)

    def test_the_text_below_keeps_its_first_characters(self) -> None:
        """Only the blank lines under the header go: an indented first line keeps its indent, an 'X' its X."""
        h = plaintext.split_header("Headline\n\n    Indented quote.\nMore.")
        assert (h.body, h.lines_removed) == ("    Indented quote.\nMore.", 2)
        assert plaintext.split_header("Headline\n\nXinhua reported it.").body == "Xinhua reported it."

    def test_a_one_character_line_can_be_a_headline(self) -> None:
        """The shortest title is one character ("A" of a lettered section)."""
        assert plaintext.split_header("A\n\nText.").title == "A"

    def test_whitespace_in_titles_is_collapsed(self) -> None:
        """A headline's runs of spaces and no-break spaces become one space."""
        assert plaintext.split_header("Cell\u00a0and   Gene  \n\nText.").title == "Cell and Gene"


class TestCleanLine:
    def test_spaces_controls_and_no_break_spaces(self) -> None:
        """Runs of whitespace become one space, control characters go, ends are trimmed."""
        assert plaintext.clean_line("  a  b\tc\n d ") == "a b c d"
        assert plaintext.clean_line("a\u00a0b\x07c") == "a bc"
        assert plaintext.clean_line(" plain ") == "plain"
        assert plaintext.clean_line("") == ""

    def test_runs_of_spaces_in_printable_text(self) -> None:
        """Text with nothing but spaces as whitespace still has its runs of spaces collapsed."""
        assert plaintext.clean_line("  Cell   and  Gene ") == "Cell and Gene"


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

    def test_an_abbreviation_at_the_very_start(self) -> None:
        """'Dr.' as the first word of the text does not end the sentence."""
        assert plaintext.first_sentence("Dr. Smith joined. Then more.") == "Dr. Smith joined."

    @pytest.mark.parametrize(("text", "limit", "out"), [
        ("abc de", 6, "abc de"),  # exactly the limit: unchanged
        ("abc def", 6, "abc…"),  # one over: cut
        ("alpha beta gamma delta", 14, "alpha beta…"),  # mid-word: back to the last whole word
        ("Supercalifragilistic", 10, "Supercali…"),  # one long word: cut inside it
        ("Tesla and SpaceX, then more", 20, "Tesla and SpaceX…"),  # punctuation before the cut goes, the word stays
        ("one two - three four", 12, "one two…"),
    ])
    def test_shorten_edges(self, text: str, limit: int, out: str) -> None:
        """shorten() keeps text of limit characters, else cuts at the last whole word, drops punctuation, adds '…'."""
        assert plaintext.shorten(text, limit) == out
        assert len(out) <= limit

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

    def test_numbered_lists_keep_their_first_number(self) -> None:
        """A list that starts at 3 says so (start="3"); one that starts at 1 needs no attribute."""
        html = plaintext.to_html("Intro.\n\n3. Three\n4. Four\n\n1. One\n2. Two")
        assert html == ('<p>Intro.</p>\n<ol start="3"><li>Three</li><li>Four</li></ol>\n'
                        "<ol><li>One</li><li>Two</li></ol>")

    def test_bullets_never_carry_a_start(self) -> None:
        """A bullet list is a plain <ul>, even right after a numbered list."""
        assert plaintext.to_html("5. Five\n• A\n• B") == '<ol start="5"><li>Five</li></ol>\n<ul><li>A</li><li>B</li></ul>'

    def test_indented_lines_continue_a_list_item(self) -> None:
        """An indented line under an item (one space is enough) joins it; an unindented line starts a paragraph."""
        html = plaintext.to_html("• First item\n  continues here\n• Second\n continued too\nPlain text after.")
        assert html == "<ul><li>First item continues here</li><li>Second continued too</li></ul>\n<p>Plain text after.</p>"

    def test_indented_line_in_a_paragraph_is_no_list_item(self) -> None:
        """Below a paragraph line, an indented lowercase line continues that paragraph, not the list above."""
        html = plaintext.to_html("• Item\nThe text said\n  more here.")
        assert html == "<ul><li>Item</li></ul>\n<p>The text said more here.</p>"

    def test_lines_are_paragraphs_unless_they_run_on_in_lowercase(self) -> None:
        """In pasted copy a line is a paragraph; a next line starting in lowercase ("iPhone") continues it."""
        assert plaintext.to_html("Apple said\niPhone sales rose.\nNext Line.\nLast Line.") == (
            "<p>Apple said iPhone sales rose.</p>\n<p>Next Line.</p>\n<p>Last Line.</p>")
        assert plaintext.to_html("Apple said\n  iphone sales rose.") == "<p>Apple said iphone sales rose.</p>"

    def test_what_is_no_heading(self) -> None:
        """A last short line, a block of two short lines, and a line with ' / ' are paragraphs, not headings."""
        assert plaintext.to_html("Text here.\n\nThe End") == "<p>Text here.</p>\n<p>The End</p>"
        assert plaintext.to_html("Two Short Lines\nHere Too\n\nText.") == (
            "<p>Two Short Lines</p>\n<p>Here Too</p>\n<p>Text.</p>")
        assert plaintext.to_html("Text.\n\nHealthcare / Taiwan\n\nMore.") == (
            "<p>Text.</p>\n<p>Healthcare / Taiwan</p>\n<p>More.</p>")

    def test_heading_length_boundary(self) -> None:
        """A standalone line of 80 characters is a heading; 81 is a paragraph."""
        ok, long = "A" + "b" * 79, "A" + "b" * 80
        assert plaintext.to_html(f"Text.\n\n{ok}\n\nMore.") == f"<p>Text.</p>\n<h2>{ok}</h2>\n<p>More.</p>"
        assert plaintext.to_html(f"Text.\n\n{long}\n\nMore.") == f"<p>Text.</p>\n<p>{long}</p>\n<p>More.</p>"

    def test_quotes_stay_as_typed(self) -> None:
        """Only <, > and & are escaped: quotes and apostrophes stay readable in the HTML."""
        assert plaintext.to_html("He said \"yes\" & it's <fine>.") == "<p>He said \"yes\" &amp; it's &lt;fine&gt;.</p>"

    def test_url_punctuation_stays_outside_the_link(self) -> None:
        """A URL's trailing ').' is text after the link, in its order."""
        assert plaintext.to_html("See (https://example.org/a).") == (
            '<p>See (<a href="https://example.org/a">https://example.org/a</a>).</p>')
        assert plaintext.to_html("At https://example.org/b, then") == (
            '<p>At <a href="https://example.org/b">https://example.org/b</a>, then</p>')

    def test_urls_become_links(self) -> None:
        """Bare http(s) URLs in plain text become links, trailing punctuation excluded."""
        root = self._parse("See https://example.org/a.")
        assert root.find(".//a").get("href") == "https://example.org/a"


class TestJoinBrokenParagraphs:
    def test_mid_sentence_split_is_rejoined(self) -> None:
        """A paragraph split after 'in the' continues with its lowercase second half."""
        text = "Australia will include companies in the\n\nconvention, India will too."
        assert plaintext.join_broken_paragraphs(text) == "Australia will include companies in the convention, India will too."

    def test_trailing_spaces_and_a_lowercase_word_with_capitals(self) -> None:
        """Spaces after the first half do not stop the join nor double up; 'iPhone' starts lowercase; a heading above is no matter."""
        text = "# Heading\n\nsales of the  \n\niPhone rose, and the\n\nrest followed."
        assert plaintext.join_broken_paragraphs(text) == "# Heading\n\nsales of the iPhone rose, and the rest followed."

    def test_a_last_line_ending_in_lowercase(self) -> None:
        """Text ending in a lowercase line (and a newline) has nothing to join."""
        assert plaintext.join_broken_paragraphs("ends in lower\n") == "ends in lower\n"

    def test_headings_and_lists_are_left_alone(self) -> None:
        """Headings, list items and sentences that end properly are not joined."""
        for text in ("### a heading\n\nlowercase para", "- item one\n\nlowercase para", "Ends.\n\nlower start"):
            assert plaintext.join_broken_paragraphs(text) == text


def _join_reference(text: str) -> str:
    """join_broken_paragraphs without its shortcut: the rule, line by line."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (i + 2 < len(lines) and not lines[i + 1].strip() and re.search(r"[a-z,]$", line.rstrip())
                and lines[i + 2][:1].islower() and not plaintext._BLOCK_START.match(line)
                and not plaintext._BLOCK_START.match(lines[i + 2])):
            lines[i + 2] = line.rstrip() + " " + lines[i + 2]
            i += 2
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class TestJoinShortcut:
    """The shortcut (no candidate anywhere: the text as it is) never changes the answer."""

    @given(st.text(alphabet="aZ,. \t\n\u00a0\u2028é#-1\r", max_size=40))
    @settings(max_examples=600, deadline=None)
    def test_same_as_the_rule_line_by_line(self, text: str) -> None:
        assert plaintext.join_broken_paragraphs(text) == _join_reference(text)

    @pytest.mark.parametrize(("text", "joined"), [
        ("in the \t\n \t\nconvention", "in the convention"),  # spaces after the first part and on the blank line
        ("in the\n\u00a0\nconvention", "in the convention"),  # a no-break space is blank too
        ("in the,\n\néclairs", "in the, éclairs"),  # a lowercase letter beyond ASCII starts the second part
        ("a\n\n,\n\nb", "a\n\n, b"),  # the comma that starts one line ends the next candidate
    ])
    def test_joins_across_any_blank_line(self, text: str, joined: str) -> None:
        assert plaintext.join_broken_paragraphs(text) == joined == _join_reference(text)
