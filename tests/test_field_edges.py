"""The rules of normalise and its fields at their edges: the cases mutation testing found untested."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from feedpub.errors import SourceError
from feedpub.model import Entry
from feedpub.sources import load
from feedpub.sources.body import Body, body_of
from feedpub.sources.fields.common import Problems
from feedpub.sources.normalise import normalise
from tests.conftest import commit_all, write_doc
from tests.conftest import front_matter as _fm


class TestFormat:
    @pytest.mark.parametrize(("name", "text", "fmt"), [
        ("a.md", _fm(), "markdown"),
        ("a.MARKDOWN", "# A\n\nText.\n", "markdown"),
        ("a.txt", "Headline\n\nText.\n", "text"),
        ("a.txt", _fm(), "markdown"),
        ("a.md", _fm("format: text"), "text"),
        ("a.txt", "---\nformat: markdown\n---\nText.\n", "markdown"),
        ("a.md", _fm("format: html"), "markdown"),
    ])
    def test_how_the_body_is_rendered(self, entry_of, name: str, text: str, fmt: str) -> None:
        """A declared format (markdown or text) decides; else front matter or a Markdown suffix makes Markdown."""
        assert entry_of(name, text).fmt == fmt


class TestTypeProblems:
    @pytest.mark.parametrize(("line", "message"), [
        ("summary: [a]", "a.md:4: 'summary' must be text, not a list"),
        ("source: {a: 1}", "a.md:4: 'source' must be text, not a mapping"),
        ("expiryDate: nope", "a.md:4: 'expiryDate' is not a date: 'nope' "
                             "(expected YYYY-MM-DD, optionally with time and offset)"),
        ("lastmod: yes", "a.md:4: 'lastmod' is not a date: True (YAML read it as a boolean)"),
    ])
    def test_a_value_of_the_wrong_kind(self, error_of, line: str, message: str) -> None:
        """Named at its key's line, with what it is instead."""
        assert error_of("a.md", _fm(line)) == message


class TestExpiry:
    def test_an_expiry_at_the_end_of_time_means_never(self, entry_of) -> None:
        """An expiry date is only compared, never shown: 9999-12-31 is accepted where a shown date is not."""
        assert entry_of("a.md", _fm("expiryDate: 9999-12-31")).expires.year == 9999

    def test_a_shown_date_at_the_end_of_time_is_refused(self, error_of) -> None:
        """lastmod: 9999-12-31 would be shown (and its digest week leave year 9999): out of range."""
        assert error_of("a.md", _fm("lastmod: 9999-12-31")).startswith("a.md:4: 'lastmod' is out of range: '9999-12-31'")
        assert error_of("b.md", "---\ntitle: T\ndate: 9999-12-31\n---\nText.\n", future=True).startswith(
            "b.md:3: 'date' is out of range: '9999-12-31'")  # 'future' would publish it

    @pytest.mark.parametrize(("name", "text", "source", "refused"), [
        ("a.md", "---\ntitle: T\ndate: 9999-12-31\n---\nText.\n", "front matter",
         "a.md:3: 'date' is out of range: '9999-12-31'"),
        ("b.md", "---\ntitle: T\npublishDate: 9999-12-31T23:59:59Z\n---\nText.\n", "front matter",
         "b.md:3: 'publishDate' is out of range: '9999-12-31T23:59:59+00:00'"),
        ("c.md", "+++\ntitle = 'T'\npath = 'inside-rust/9999/12/31/x'\n+++\nText.\n", "path",
         "c.md:3: 'path' is out of range: 'inside-rust/9999/12/31/x'"),
        ("9999-12-31-d.md", "---\ntitle: T\n---\nText.\n", "filename",
         "9999-12-31-d.md: the file name's date is out of range: '9999-12-31-d.md'"),
        ("e.txt", "Headline\n\nBody.\n\nDate: 9999-12-31\n", "Date: line",
         "e.txt:5: 'Date:' line is out of range: '9999-12-31'"),
    ])
    def test_a_date_at_the_end_of_time_keeps_a_post_back(self, entry_of, error_of, name: str, text: str,
                                                         source: str, refused: str) -> None:
        """A far-future date (how blog.rust-lang.org and minimal-mistakes keep a post back) is a future post, left out
        like any other; only with 'future' on, which would publish it, is it refused, at the line that says it."""
        e = entry_of(name, text)
        assert (e.date.year, e.date_source) == (9999, source)
        assert error_of(name, text, future=True).startswith(refused + " (the latest date an entry can carry is")


@pytest.fixture
def body_of_doc(tmp_path: Path) -> Callable[..., Body]:
    src = tmp_path / "src"

    def make(name: str, text: str, template_syntax: str = "strip") -> Body:
        return body_of(load.read(write_doc(src, name, text), src), template_syntax)

    return make


class TestSummaryDivider:
    def test_a_separator_of_its_own_needs_no_markup(self, entry_of, body_of_doc) -> None:
        """A document's excerpt_separator that is no HTML comment divides it all the same, and leaves the body."""
        text = "---\ntitle: A\nexcerpt_separator: '[[more]]'\n---\nTop part.\n[[more]]\nRest.\n"
        assert body_of_doc("a.md", text).text == "Top part.\n\nRest.\n"
        e = entry_of("a.md", text)
        assert (e.summary, e.summary_source) == ("Top part.", "divider")

    def test_the_first_divider_divides(self, body_of_doc) -> None:
        """Text above the first divider is the excerpt; only that divider leaves the body."""
        body = body_of_doc("a.md", "---\ntitle: A\n---\nOne.\n<!--more-->\nTwo.\n<!--more-->\nThree.\n")
        assert (body.excerpt, body.text) == ("One.\n", "One.\n\nTwo.\n<!--more-->\nThree.\n")

    def test_a_divider_at_the_very_start(self, entry_of, body_of_doc) -> None:
        """A body that opens with the divider has an empty excerpt, the divider still leaves it, and no summary comes of it."""
        text = "---\ntitle: A\n---\n<!-- more -->\nRest.\n"
        body = body_of_doc("a.md", text)
        assert (body.excerpt, body.text) == ("", "\nRest.\n")
        e = entry_of("a.md", text)
        assert (e.summary, e.summary_source) == ("", "")

    def test_a_divider_among_other_markup(self, body_of_doc) -> None:
        """Tags before and after the divider do not hide it."""
        body = body_of_doc("a.md", "---\ntitle: A\n---\nA <b>bold</b> start.\n<!--more-->\nAn <i>end</i>.\n")
        assert (body.excerpt, body.text) == ("A <b>bold</b> start.\n", "A <b>bold</b> start.\n\nAn <i>end</i>.\n")


class TestBodyLine:
    @pytest.mark.parametrize(("name", "text", "line"), [
        ("a.md", "---\ntitle: A\n---\nText.\n", 4),
        ("a.txt", "a plain note that runs on\ninto a second line.\n", 1),
        ("a.txt", "Kicker\n\nHeadline\n\nThe text of the story.\n", 5),
        ("a.txt", "---\ntitle: A\nformat: text\n---\nHeadline\n\nThe text.\n", 5),
    ])
    def test_the_file_line_the_rendered_text_starts_on(self, body_of_doc, name: str, text: str, line: int) -> None:
        """The body's line is below the front matter, and below a plain-text header block that gives the title."""
        assert body_of_doc(name, text).line == line

    def test_a_header_block_stays_text_when_the_front_matter_titles_the_document(self, entry_of, body_of_doc) -> None:
        """With a title in the front matter, a plain-text header block is neither removed nor read as kicker tags."""
        text = "---\ntitle: A\nformat: text\n---\nKicker\n\nHeadline\n\nThe text of the story.\n"
        body = body_of_doc("a.txt", text)
        assert (body.header, body.text) == (None, "Kicker\n\nHeadline\n\nThe text of the story.\n")
        assert entry_of("a.txt", text).tags == ()


class TestTemplateOnlyPages:
    @pytest.mark.parametrize("body", ["{{ site.posts }}", "<ul>{% for p in site.posts %}<li/>{% endfor %}</ul>"])
    def test_tags_kept_as_text_are_still_no_text(self, entry_of, body: str) -> None:
        """With template_syntax = "keep", an undated body of template tags (and markup) alone is still a page."""
        with pytest.raises(SourceError) as e:
            entry_of("blog/x.md", f"---\ntitle: Posts\n---\n{body}\n", template_syntax="keep")
        assert str(e.value) == ("blog/x.md: not a post, left out: no date of its own and no text to publish "
                                "(its body is only template syntax)")


class TestProblems:
    def test_a_line_given_wins_over_the_keys_line(self, tmp_path: Path) -> None:
        """A problem is at the line given, at its key's line only when none is given, at the file without either."""
        src = tmp_path / "src"
        probs = Problems(load.read(write_doc(src, "a.md", "---\ntitle: T\n---\nText.\n"), src))
        probs.add("title", "given", 7)
        probs.add("title", "key")
        probs.add("other", "unknown key")
        probs.add(None, "none")
        assert [str(p) for p in probs.items] == ["a.md:7: given", "a.md:2: key", "a.md: unknown key", "a.md: none"]


class TestTextFields:
    def test_a_summary_is_kept_up_to_600_characters(self, entry_of) -> None:
        """Twice the shown length is kept (later cut to fit each output); past it, shortened at a word with '…'."""
        words = "word " * 120  # 600 characters
        assert entry_of("a.md", _fm(f"summary: {words.strip()}")).summary == words.strip()
        longer = entry_of("b.md", _fm(f"summary: {words}more words")).summary
        assert longer == "word " * 119 + "word…"

    def test_a_header_blocks_kickers_are_tags(self, entry_of) -> None:
        """The short lines above a plain-text headline are tags, before the front matter's, each once."""
        e = entry_of("a.txt", "Health\n\nHeadline of the day\n\nThe text of the story.\n")
        assert (e.title, e.tags) == ("Headline of the day", ("Health",))
        e = entry_of("b.txt", "---\nformat: text\ntags: [Science, Health]\n---\n"
                              "Health\n\nHeadline of the day\n\nThe text of the story.\n")
        assert (e.title, e.tags) == ("Headline of the day", ("Health", "Science"))


class TestDateChain:
    @pytest.mark.parametrize("text", [
        "Title: A\nDate:\n\nBody.\n",  # Pelican: a header with nothing after it
        "---\ntitle: A\ndate: Last Modified\n---\nBody.\n",  # Eleventy: the file's own date, in any case
        "---\ntitle: A\ndate: GIT CREATED\n---\nBody.\n",
        "---\ntitle: A\npublished: false\n---\nBody.\n",  # Jekyll: a draft flag, not a date
    ])
    def test_what_is_no_date_leaves_the_file_to_date_it(self, entry_of, text: str) -> None:
        """No date in the document and none in its name: the file's time dates it, and no problem is raised."""
        assert entry_of("a.md", text).date_source == "mtime"

    def test_a_date_written_as_text(self, entry_of) -> None:
        """A quoted date is read from the front matter like an unquoted one."""
        e = entry_of("a.md", "---\ntitle: A\ndate: '2024-03-04T05:06:07+02:00'\n---\nBody.\n")
        assert (e.date.isoformat(), e.date_source) == ("2024-03-04T05:06:07+02:00", "front matter")

    def test_a_date_line_at_the_end_of_time(self, error_of) -> None:
        """A trailing 'Date:' line past the latest date is refused at its line, with the date as written."""
        assert error_of("a.txt", "Headline\n\nBody.\n\nDate: 9999-12-31\n", future=True).startswith(
            "a.txt:5: 'Date:' line is out of range: '9999-12-31'")

    def test_a_bad_date_line_that_is_the_whole_body(self, error_of) -> None:
        """A 'Date:' line alone is named at its own line."""
        assert "a.txt:1: 'Date:' line is not a date" in error_of("a.txt", "Date: nope\n")

    def test_a_git_date_is_in_the_sites_time_zone(self, tmp_path: Path, make_config) -> None:
        """The commit that added an undated document dates it, shown in the configured time zone."""
        src = tmp_path / "repo"
        path = write_doc(src, "a.txt", "Headline\n\nBody.\n")
        commit_all(src, "2019-07-08T09:10:11+02:00")
        e = normalise(load.read(path, src), make_config(src, timezone="Asia/Taipei"))
        assert (e.date.isoformat(), e.date_source) == ("2019-07-08T15:10:11+08:00", "git")


class TestImageMapping:
    @pytest.mark.parametrize("line", ["cover: {alt: A sunset}", "cover: {image: '', src: '', url: ''}"])
    def test_a_mapping_without_an_image_names_none(self, entry_of, line: str) -> None:
        """An image key whose mapping holds no image gives no image, and is no error."""
        assert entry_of("a.md", _fm(line)).image is None

    def test_a_mapping_without_an_image_gives_way_to_the_next_key(self, entry_of) -> None:
        """The next image key with an image names it."""
        e = entry_of("a.md", _fm("cover: {alt: ''}", "thumbnail: /t.png"))
        assert e.image is not None and e.image.url == "https://news.example.org/t.png"


def _people(e: Entry) -> list[tuple[str, str, str, str]]:
    return [(a.name, a.uri, a.email, a.affiliation) for a in e.authors]


class TestAuthors:
    @pytest.mark.parametrize(("line", "expected"), [
        ("author: {name: Jane Doe, email: ' j@example.org ', affiliation: ' Acme '}",
         [("Jane Doe", "", "j@example.org", "Acme")]),
        ("authors: [{name: A}, {name: B, affiliation: 5}]", [("A", "", "", ""), ("B", "", "", "")]),
        ("author: '<jane@example.com>'", [("jane@example.com", "", "jane@example.com", "")]),
        ("author: '[J](mailto:j@example.org)'", [("J", "", "j@example.org", "")]),
        ("author: '[Jane](mailto:not-an-address)'", [("Jane", "", "", "")]),
        ("author: 'By J. Doe and [Ann Lee](https://a.example/)'",
         [("J. Doe", "", "", ""), ("Ann Lee", "https://a.example/", "", "")]),
    ])
    def test_what_an_author_value_says(self, entry_of, line: str, expected: list[tuple[str, str, str, str]]) -> None:
        """A mapping's e-mail and affiliation (text only, trimmed); an address alone names the author; a mailto link
        gives an e-mail only when it is an address; names written before the first link count, 'By' dropped."""
        assert _people(entry_of("a.md", _fm(line))) == expected

    def test_an_author_lines_relative_link_is_below_the_site(self, entry_of) -> None:
        """A trailing 'Author:' line's link resolves against base_url, as the front matter's do."""
        e = entry_of("a.txt", "Headline\n\nBody.\n\nAuthor: [Jane Doe](/people/jane/)\n")
        assert _people(e) == [("Jane Doe", "https://news.example.org/people/jane/", "", "")]

    def test_an_empty_author_key_gives_way_to_the_author_line(self, entry_of) -> None:
        """'author: ""' names nobody: a trailing 'Author:' line still does."""
        e = entry_of("a.md", _fm("author: ''", body="Body text.\n\nAuthor: Jane Doe"))
        assert _people(e) == [("Jane Doe", "", "", "")]


class TestPages:
    @pytest.mark.parametrize("lines", [("layout: _default/list.html",), ("template: ''", "layout: archive")])
    def test_the_list_template_a_page_names(self, error_of, lines: tuple[str, ...]) -> None:
        """A template is named by its file's name, whatever its folder; an empty key gives way to the next."""
        text = "\n".join(("---", "title: Posts", *lines, "---", "Every post, by year.", ""))
        assert "not a post, left out: no date of its own and 'layout' names the list template" in error_of(
            "blog/x.md", text)

    def test_a_dated_list_page_without_text_is_not_a_post(self, entry_of, error_of) -> None:
        """A theme's archives page (a date, a list layout, no body) is the list, not a post; with text it is a post."""
        page = "---\ntitle: Archives\ndate: 2019-05-28\nlayout: archives\n---\n"
        assert "not a post, left out: no text of its own and 'layout' names the list template" in error_of(
            "page/archives/index.md", page)
        assert entry_of("page/a/index.md", page + "Every post, by year.\n").title == "Archives"
        assert entry_of("page/b/index.md", page.replace("archives", "single")).template_only == 6

    def test_a_file_of_a_trailer_alone_is_named_at_the_file(self, error_of) -> None:
        """Without front matter there is no fence to point at: the problem names the file."""
        assert error_of("a.txt", "Date: 2024-01-02\n").splitlines() == [
            "a.txt:1: document has no title and no text to make one from",
            "a.txt: document has no body text and no 'summary' to publish"]
