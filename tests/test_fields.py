"""The field rules of sources/fields, each at its boundaries, through normalise (what a document means)."""

from __future__ import annotations

import pytest

from tests.conftest import front_matter as _fm

BASE = "https://news.example.org/"


class TestCategory:
    @pytest.mark.parametrize(("lines", "name", "expected"), [
        (("category: iOS Apps",), "a.md", ("ios-apps", "iOS Apps", "front matter")),
        (("category: 5",), "a.md", ("5", "5", "front matter")),
        (("categories: [Go, Rust]",), "a.md", ("go", "Go", "front matter")),
        (("categories: [2024]",), "a.md", ("2024", "2024", "front matter")),
        (("categories: go rust",), "a.md", ("go", "Go", "front matter")),
        (("taxonomies: {categories: [Zig]}",), "a.md", ("zig", "Zig", "front matter")),
        ((), "ios/a.md", ("ios", "Ios", "folder")),
        ((), "big-data/a.md", ("big-data", "Big Data", "folder")),
        ((), "BigData/a.md", ("bigdata", "BigData", "folder")),
        ((), "DevOps/2024-01-02-a.md", ("devops", "DevOps", "folder")),
        ((), "Container/a.md", ("container", "Container", "folder")),
        ((), "iOS/a.md", ("ios", "iOS", "folder")),
        ((), "Big_Data/a.md", ("big-data", "Big_Data", "folder")),
        ((), "devOps-2/a.md", ("devops-2", "devOps-2", "folder")),
        ((), "DevOps/post/index.md", ("devops", "DevOps", "folder")),
        ((), "a.md", ("news", "News", "default")),
        (("categories: []",), "a.md", ("news", "News", "default")),
    ])
    def test_where_the_category_comes_from(self, entry_of, lines: tuple[str, ...], name: str,
                                           expected: tuple[str, str, str]) -> None:
        """The front matter's name (as written), Jekyll's list (YAML words split), Zola's taxonomy, the folder, the default.

        A folder with a capital is named as written (Pelican's USE_FOLDER_AS_CATEGORY); an
        all-lowercase one (a Hugo section) is title-cased.
        """
        e = entry_of(name, _fm(*lines))
        assert (e.category.slug, e.category.name, e.category_source) == expected

    def test_jekyll_words_are_split_in_yaml_only(self, entry_of) -> None:
        """'categories = "go rust"' in TOML is one category: only YAML's Jekyll splits words."""
        e = entry_of("a.md", '+++\ntitle = "T"\ndate = 2024-01-02\ncategories = "go rust"\n+++\nText.\n')
        assert e.category.slug == "go-rust"

    def test_the_configured_name_wins(self, entry_of) -> None:
        """[categories] names a slug's display name whatever the document writes."""
        e = entry_of("a.md", _fm("category: ml"), categories={"ml": "Machine Learning"})
        assert (e.category.slug, e.category.name) == ("ml", "Machine Learning")

    @pytest.mark.parametrize(("name", "lines", "message"), [
        ("a.md", ("category: '!!!'",),
         "a.md:4: category '!!!' has no letters or digits to name a feed after"),
        ("a.md", ("category: con",),
         "a.md:4: category 'con' is a reserved device name on Windows and cannot name a feed folder"),
        ("!!!/a.md", (), "!!!/a.md: category '!!!' has no letters or digits to name a feed after"),
        ("!!!/a.md", ("category: ''",), "!!!/a.md: category '!!!' has no letters or digits to name a feed after"),
        ("con/a.md", (), "con/a.md: category 'con' is a reserved device name on Windows and cannot name a feed folder"),
        ("a.md", ("category: {a: 1}",), "a.md:4: 'category' must be text or a list of text, not a mapping"),
        ("a.md", ("categories: [[a]]",), "a.md:4: 'categories' must be text or a list of text, not a list"),
    ])
    def test_a_category_that_cannot_name_a_feed(self, error_of, name: str, lines: tuple[str, ...],
                                                message: str) -> None:
        """Named at the key's line when the front matter gives it, at the file when its folder does."""
        assert error_of(name, _fm(*lines)) == message


class TestUrl:
    @pytest.mark.parametrize(("name", "lines", "url"), [
        ("a.md", ("canonical_url: https://news.example.org/here/", "link: https://other.example/post"),
         "https://other.example/post"),
        ("a.md", ("permalink: false", "url: /x/"), BASE + "x/"),
        ("a.md", ("permalink: 2024",), BASE + "2024"),
        ("a.md", ("permalink: '/{% x %}/'",), BASE + "news/a/"),
        ("a.md", ("permalink: '/{{ x }}/'",), BASE + "news/a/"),
        ("a.md", ("path: /a/b/",), BASE + "a/b/"),
        ("a.md", ("path: //x/y",), BASE + "x/y/"),
        ("a.md", ("slug: '!!!'",), BASE + "news/article/"),
        ("2024-01-02-.md", (), BASE + "news/2024-01-02/"),
        ("2024/05/index.md", (), BASE + "2024/05/"),
        ("_posts/2024/05/a.md", (), BASE + "2024/05/a/"),
    ])
    def test_where_the_url_comes_from(self, entry_of, name: str, lines: tuple[str, ...], url: str) -> None:
        """Another site's canonical address, the document's own permalink, url or path, else its slug below its folders."""
        assert entry_of(name, _fm(*lines)).url == url

    @pytest.mark.parametrize(("lines", "message"), [
        (("canonicalURL: 'https://[x/'",), "a.md:4: 'canonicalURL' is not a valid URL: 'https://[x/'"),
        (("permalink: '//[x'",), "a.md:4: 'permalink' is not a valid URL: '//[x'"),
        (("permalink: [a]",), "a.md:4: 'permalink' must be text, not a list"),
        (("slug: [a]",), "a.md:4: 'slug' must be text, not a list"),
    ])
    def test_an_address_that_is_none(self, error_of, lines: tuple[str, ...], message: str) -> None:
        """A link that is not a URL is named with its key's line."""
        assert error_of("a.md", _fm(*lines)) == message


    def test_a_document_without_front_matter_is_addressed_by_its_name(self, entry_of) -> None:
        """A plain-text file: its category folder (the default) and its file's name."""
        assert entry_of("a.txt", "Headline\n\nBody text.\n").url == BASE + "news/a/"


class TestId:
    def test_an_empty_id_is_none(self, entry_of) -> None:
        """'id: ""' names no id: the entry's id is its URL."""
        e = entry_of("a.md", _fm("id: ''"))
        assert e.id == e.url == BASE + "news/a/"

    def test_an_id_that_is_not_text(self, error_of) -> None:
        """A list is no id, named at its line."""
        assert error_of("a.md", _fm("id: [a]")) == "a.md:4: 'id' must be text, not a list"
