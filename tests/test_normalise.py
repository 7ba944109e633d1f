"""Normalising: what each document means, where each value came from, located errors."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from feedpub import select
from feedpub.config import Config
from feedpub.errors import NotAPost, SourceError
from feedpub.incremental.gather import mostly_dated
from feedpub.model import Category, Entry
from feedpub.render import content
from feedpub.sources import load, pelican, templates
from feedpub.sources.body import body_of
from feedpub.sources.normalise import normalise
from tests.conftest import commit_all, write_doc


@pytest.fixture
def entry_of(tmp_path: Path, make_config: Callable[..., Config]) -> Callable[..., Entry]:
    src = tmp_path / "src"

    def make(name: str, text: str, **config: object) -> Entry:
        path = write_doc(src, name, text)
        cfg = make_config(src, **config)
        return normalise(load.read(path, src), cfg)

    return make


def _error(entry_of: Callable[..., Entry], name: str, text: str, **config: object) -> str:
    with pytest.raises(SourceError) as e:
        entry_of(name, text, **config)
    return str(e.value)


class TestDates:
    def test_front_matter_date_only_is_midnight_in_site_zone(self, entry_of) -> None:
        """A date-only value is midnight in the configured zone, not shifted by the machine."""
        e = entry_of("a.md", "---\ntitle: A\ndate: 2022-06-14\n---\nx\n", timezone="Asia/Taipei")
        assert e.date.isoformat() == "2022-06-14T00:00:00+08:00"
        assert e.date_source == "front matter"

    @pytest.mark.parametrize(("value", "expected"), [
        ("'2022-06-14T10:30:00+02:00'", "2022-06-14T10:30:00+02:00"),
        ("2022-06-14T10:30:00Z", "2022-06-14T10:30:00+00:00"),
        ("'2022-06-14 10:30 +0530'", "2022-06-14T10:30:00+05:30"),
        ("2022-06-14 10:30:00", "2022-06-14T10:30:00+00:00"),
    ])
    def test_datetimes_with_and_without_offset(self, entry_of, value: str, expected: str) -> None:
        """Quoted or not, offsets are kept; naive times are site-zone wall clock."""
        e = entry_of("a.md", f"---\ntitle: A\ndate: {value}\n---\nx\n")
        assert e.date.isoformat() == expected

    def test_a_trailing_utc_keeps_the_time(self, entry_of) -> None:
        """Octopress's 'date: 2008-10-13 06:03:12 UTC' dates the entry at that time, and 'updated' so is no error."""
        e = entry_of("2008-10-13-x.md", "---\ntitle: X\ndate: 2008-10-13 06:03:12 UTC\n"
                                        "updated: 2008-10-14 07:00:00 GMT\n---\nBody.\n", timezone="Asia/Taipei")
        assert (e.date.isoformat(), e.date_source, e.updated.isoformat()) == (
            "2008-10-13T06:03:12+00:00", "front matter", "2008-10-14T07:00:00+00:00")
        assert _error(entry_of, "a.md", "---\ntitle: X\ndate: 2008-10-13\nupdated: 2008-10-13 06:03:12 EST\n---\nB\n") \
            == "a.md:4: 'updated' is not a valid date: '2008-10-13 06:03:12 EST'"

    def test_trailer_date(self, entry_of) -> None:
        """A trailing Date: line dates the entry when front matter does not."""
        e = entry_of("a.txt", "Headline\n\nBody text.\n\nDate: 2023-02-20\n")
        assert (e.date.date().isoformat(), e.date_source) == ("2023-02-20", "Date: line")

    def test_filename_date(self, entry_of) -> None:
        """A YYYY-MM-DD- filename prefix dates an entry with no date inside."""
        e = entry_of("2021-05-04-launch.md", "---\ntitle: A\n---\nx\n")
        assert (e.date.date().isoformat(), e.date_source) == ("2021-05-04", "filename")

    def test_mtime_is_last_resort(self, tmp_path: Path, make_config) -> None:
        """Outside git, the modification time dates an undated document."""
        src = tmp_path / "src"
        path = write_doc(src, "a.txt", "Headline\n\nBody.\n")
        stamp = datetime(2020, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))
        e = normalise(load.read(path, src), make_config(src))
        assert (e.date.isoformat(), e.date_source) == ("2020-03-04T05:06:07+00:00", "mtime")

    def test_git_first_commit_date(self, tmp_path: Path, make_config) -> None:
        """In git, an undated document takes the date of the commit that added it."""
        src = tmp_path / "repo"
        path = write_doc(src, "a.txt", "Headline\n\nBody.\n")
        commit_all(src, "2019-07-08T09:10:11+02:00")
        path.write_text("Headline\n\nBody changed.\n")  # later edits do not move the date
        e = normalise(load.read(path, src), make_config(src))
        assert (e.date.isoformat(), e.date_source) == ("2019-07-08T07:10:11+00:00", "git")

    def test_undated_embedded_seeds_take_the_newest_seeds_date(self, make_config) -> None:
        """The embedded seeds' undated documents take the newest dated seed's date: not feedpub's git history, not the install time."""
        from feedpub import resources
        from feedpub.incremental import gather

        entries, problems = gather.read_entries(make_config(resources.seeds_dir()))
        assert problems == []
        dated = {e.rel: (e.date.isoformat(), e.date_source) for e in entries}
        undated = {rel: v for rel, v in dated.items() if v[1] not in ("front matter", "Date: line")}
        assert sorted(undated.values()) == [("2023-02-20T00:00:00+00:00", "newest seed")] * 2
        assert max(v[0] for v in dated.values()) == "2023-02-20T00:00:00+00:00"

    def test_a_commit_between_two_builds_dates_the_second(self, tmp_path: Path, make_config) -> None:
        """Two builds in one process (as feedpub serve runs them): a document committed between them is dated by git in the second."""
        from feedpub.pipeline import build, entries
        from tests.conftest import NOW

        src = tmp_path / "repo"
        write_doc(src, "dated.md", "---\ntitle: Dated\ndate: 2019-01-01\n---\nx\n")
        env = {**os.environ, "GIT_AUTHOR_DATE": "2019-07-08T09:10:11+02:00",
               "GIT_COMMITTER_DATE": "2019-07-08T09:10:11+02:00", "GIT_AUTHOR_NAME": "t",
               "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
        for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "first"]):
            subprocess.run(["git", "-C", str(src), *cmd], check=True, env=env)
        path = write_doc(src, "a.txt", "Headline\n\nBody.\n")
        stamp = datetime(2020, 3, 4, tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))
        config = make_config(src)
        first = {e.rel: e.date_source for e in entries(build(config, now=NOW), config)}
        env = {**env, "GIT_COMMITTER_DATE": "2021-02-03T04:05:06+00:00"}
        for cmd in (["add", "a.txt"], ["commit", "-qm", "second"]):
            subprocess.run(["git", "-C", str(src), *cmd], check=True, env=env)
        second = {e.rel: (e.date_source, e.date.isoformat()) for e in entries(build(config, now=NOW), config)}
        assert first["a.txt"] == "mtime"
        assert second["a.txt"] == ("git", "2021-02-03T04:05:06+00:00")

    @pytest.mark.parametrize(("line", "message"), [
        ("date: '2022-02-30'", "a.md:3: 'date' is not a valid date: '2022-02-30'"),
        ("date: June 14", "a.md:3: 'date' is not a date: 'June 14' (expected YYYY-MM-DD, optionally with time and offset)"),
        ("date: yes", "a.md:3: 'date' is not a date: True (YAML read it as a boolean)"),
        ("date: '99999-01-01'", "a.md:3: 'date' is not a date: '99999-01-01' (expected YYYY-MM-DD, optionally with time and offset)"),
        ("date: '2022-06-14T10:00:00+25:00'", "a.md:3: 'date' is not a date: '2022-06-14T10:00:00+25:00' (bad UTC offset)"),
        ("date: [2022]", "a.md:3: 'date' is not a date: a list"),
    ])
    def test_bad_dates_are_errors(self, entry_of, line: str, message: str) -> None:
        """Impossible or ambiguous dates are errors at their line, never guesses."""
        assert _error(entry_of, "a.md", f"---\ntitle: A\n{line}\n---\nx\n") == message

    def test_bad_trailer_date_names_its_line(self, entry_of) -> None:
        """An invalid Date: trailer is reported at its own line."""
        assert _error(entry_of, "a.txt", "Headline\n\nBody.\n\nDate: 2022-13-01\n") == \
            "a.txt:5: 'Date:' line is not a valid date: '2022-13-01'"


class TestFields:
    def test_category_sources(self, entry_of) -> None:
        """Category comes from front matter, else the subfolder, else the default."""
        assert entry_of("a.md", "---\ntitle: A\ncategories: [Policy, X]\n---\nx").category.slug == "policy"
        sub = entry_of("events/b.md", "---\ntitle: B\n---\nx")
        assert (sub.category.slug, sub.category_source) == ("events", "folder")
        d = entry_of("c.md", "---\ntitle: C\n---\nx", default_category="General")
        assert (d.category.slug, d.category.name, d.category_source) == ("general", "General", "default")

    def test_permalink_with_and_without_slash(self, entry_of) -> None:
        """'/news/x/' and 'news/x/' resolve to the same absolute URL."""
        a = entry_of("a.md", "---\ntitle: A\npermalink: /news/x/\n---\nx")
        b = entry_of("b.md", "---\ntitle: B\npermalink: news/x/\n---\nx")
        assert a.url == b.url == "https://news.example.org/news/x/"

    def test_id_overrides_url(self, entry_of) -> None:
        """An 'id' key replaces the permalink as the entry id."""
        e = entry_of("a.md", "---\ntitle: A\nid: urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427\n---\nx")
        assert e.id == "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"

    def test_drafts_are_marked(self, entry_of) -> None:
        """draft: true marks an entry as a draft."""
        assert entry_of("a.md", "---\ntitle: A\ndraft: true\n---\nx").draft

    def test_untitled_markdown_takes_first_heading(self, entry_of) -> None:
        """A Markdown file without front matter is titled by its first heading."""
        e = entry_of("a.md", "# The Heading\n\nText.")
        assert (e.title, e.title_source) == ("The Heading", "first heading")

    def test_non_ascii_image_is_percent_encoded(self, entry_of) -> None:
        """Image URLs are absolute and percent-encoded, with a MIME type from the extension."""
        e = entry_of("a.md", "---\ntitle: A\nimage: /img/實體.png\n---\nx")
        assert e.image is not None
        assert e.image.url == "https://news.example.org/img/%E5%AF%A6%E9%AB%94.png"
        assert e.image.mime_type == "image/png"

    @pytest.mark.parametrize(("line", "message"), [
        ("title: [a, b]", "a.md:2: 'title' must be text, not a list"),
        ("title: {x: 1}", "a.md:2: 'title' must be text, not a mapping"),
        ("title: A\ndraft: maybe", "a.md:3: 'draft' must be true or false, not the string \"maybe\""),
        ("title: A\ndraft: 1", "a.md:3: 'draft' must be true or false, not the number 1"),
        ("title: A\ntags: {a: 1}", "a.md:3: 'tags' must be a list of text, not a mapping"),
        ("title: A\npermalink: 'javascript:alert(1)'", "a.md:3: 'permalink' must be a path or an http(s) URL, not the string \"javascript:alert(1)\""),
        ("title: A\nid: 'data:text/html,x'", "a.md:3: 'id' must not use the data: scheme"),
        ("title: A\nimage: 'javascript:alert(1)'", "a.md:3: 'image' is not an http(s) URL: 'javascript:alert(1)'"),
    ])
    def test_wrong_types_are_errors(self, entry_of, line: str, message: str) -> None:
        """Keys of the wrong type are errors naming the key and its line."""
        assert _error(entry_of, "a.md", f"---\n{line}\n---\nx\n") == message

    def test_all_problems_of_a_document_together(self, entry_of) -> None:
        """Every problem of one document is reported, not just the first."""
        msg = _error(entry_of, "a.md", "---\ntitle: [x]\ndate: nope\n---\nx\n")
        assert msg.splitlines() == ["a.md:2: 'title' must be text, not a list",
                                    "a.md:3: 'date' is not a date: 'nope' (expected YYYY-MM-DD, optionally with time and offset)"]

    def test_empty_file_and_front_matter_only(self, entry_of) -> None:
        """An empty file is an error; front matter alone is a post without text only with a title and a date of its own."""
        assert _error(entry_of, "a.md", "") == "a.md: file is empty"
        assert entry_of("b.md", "---\ntitle: B\ndate: 2024-01-01\n---\n").template_only == 5
        assert _error(entry_of, "c.md", "---\ntitle: C\n---\n") == (  # dated by the file: nothing says "post"
            "c.md: not a post, left out: no date of its own and no text to publish (its body is empty)")
        assert _error(entry_of, "2024-01-01-d.md", "---\nauthor: D\n---\n").splitlines()[-1] == \
            "2024-01-01-d.md:3: document has no body text and no 'summary' to publish"  # no title of its own

    def test_front_matter_only_with_summary_is_a_link_post(self, entry_of) -> None:
        """Front matter with a summary but no body is published (a link post)."""
        assert entry_of("a.md", "---\ntitle: A\ndate: 2024-01-01\nsummary: S\n---\n").summary == "S"


class TestConventions:
    @pytest.mark.parametrize(("key", "value"), [
        ("date", "2024-05-06"), ("pubDate", "2024-05-06"), ("publishDate", "2024-05-06"), ("published", "2024-05-06"),
    ])
    def test_every_generators_date_key(self, entry_of, key: str, value: str) -> None:
        """date, pubDate (Astro), publishDate and published (Hugo) all date an entry from its front matter."""
        e = entry_of("a.md", f"---\ntitle: A\n{key}: {value}\n---\nx\n")
        assert (e.date.date().isoformat(), e.date_source) == ("2024-05-06", "front matter")

    @pytest.mark.parametrize("key", ["publishDate", "publishdate", "pubdate", "pubDate"])
    def test_hugos_publish_date_wins_over_date(self, entry_of, key: str) -> None:
        """With date and publishDate (publishdate, pubdate) both set, Hugo publishes at publishDate: so does feedpub."""
        e = entry_of("talk.md", f"+++\ntitle = 'Talk'\ndate = 2018-05-16T11:00:00+08:00\n"
                                f"{key} = 2018-05-10T18:46:23+08:00\n+++\nTalk body.\n")
        assert (e.date.isoformat(), e.date_source) == ("2018-05-10T18:46:23+08:00", "front matter")
        e = entry_of("b.md", f"---\ntitle: B\n{key}: 2024-05-07\ndate: 2024-05-06\n---\nx\n")  # in any order
        assert e.date.date().isoformat() == "2024-05-07"

    @pytest.mark.parametrize(("meta", "day"), [
        ("date: 2024-05-06", "2024-05-06"),  # date alone dates it
        ("date: 2024-05-06\npublished: true", "2024-05-06"),  # Jekyll's published is a boolean, no date
        ("date: 2024-05-06\npublished: 2024-05-08", "2024-05-08"),  # Hugo's published is its publishDate
        ("date: 2024-05-06\nlastmod: 2024-05-09", "2024-05-06"),  # lastmod updates, never publishes
    ])
    def test_date_decides_without_a_publish_date(self, entry_of, meta: str, day: str) -> None:
        """Without a publish date the date key dates the entry."""
        assert entry_of("a.md", f"---\ntitle: A\n{meta}\n---\nx\n").date.date().isoformat() == day

    def test_a_future_publish_date_is_a_future_post(self, entry_of, make_config, tmp_path: Path) -> None:
        """A past date with a future publishDate is held back until then (Hugo's rule), a malformed one is an error."""
        e = entry_of("scheduled.md", "+++\ntitle = 'Scheduled'\ndate = 2024-01-01\npublishDate = 2099-01-01\n+++\nx\n")
        now = datetime(2025, 1, 1, tzinfo=UTC)
        assert select.publishable([e], make_config(tmp_path / "src"), now) == []
        assert select.publishable([e], make_config(tmp_path / "src", future=True), now) == [e]
        assert _error(entry_of, "c.md", "---\ntitle: C\ndate: 2024-01-01\npublishDate: soon\n---\nx\n") == \
            "c.md:4: 'publishDate' is not a date: 'soon' (expected YYYY-MM-DD, optionally with time and offset)"

    def test_malformed_date_falls_back_to_a_dated_file_name(self, entry_of) -> None:
        """A malformed front-matter date in a YYYY-MM-DD- file takes the file name's date (check warns)."""
        e = entry_of("2021-05-04-launch.md", "---\ntitle: A\ndate: May 4th\n---\nx\n")
        assert (e.date.date().isoformat(), e.date_source) == ("2021-05-04", "filename")
        assert "'date' is not a date: 'May 4th'" in _error(entry_of, "launch.md", "---\ntitle: A\ndate: May 4th\n---\nx\n")
        e = entry_of("2021-05-04-other.md", "---\ntitle: A\ndate: 2021-02-30\n---\nx\n")  # YAML's own date type
        assert (e.date.date().isoformat(), e.date_source) == ("2021-05-04", "filename")
        assert _error(entry_of, "other.md", "---\ntitle: A\ndate: 2021-02-30\n---\nx\n") == \
            "other.md:3: invalid date in front matter: \"2021-02-30\" (day is out of range for month)"

    def test_blank_lines_above_front_matter(self, entry_of) -> None:
        """A blank line above the opening fence (Hugo skips it) leaves the front matter read, not published as text."""
        e = entry_of("a.md", "\n---\ntitle: X\ndate: 2020-01-05\n---\nBody")
        assert (e.title, e.title_source, e.date.date().isoformat(), e.date_source) == (
            "X", "front matter", "2020-01-05", "front matter")
        e = entry_of("b.md", "\nIntro line.\n\n---\n\ntitle: no key, a line of text\n")
        assert (e.title, e.title_source) == ("Intro line.", "first sentence")

    def test_eleventy_date_words_are_no_date(self, entry_of) -> None:
        """Eleventy's 'git Created' means the file's own date: the chain goes on (here: the file name)."""
        e = entry_of("2020-01-02_post.md", "---\ntitle: A\ndate: git Created\n---\nx\n")
        assert (e.date.date().isoformat(), e.date_source, e.url) == ("2020-01-02", "filename",
                                                                     "https://news.example.org/news/post/")

    @pytest.mark.parametrize(("meta", "draft"), [
        ("draft: true", True), ("published: false", True), ("status: draft", True), ("status: hidden", True),
        ("eleventyExcludeFromCollections: true", True), ("permalink: false", True), ("status: published", False),
        ("published: true", False), ("draft: false", False),
    ])
    def test_every_generators_draft(self, entry_of, meta: str, draft: bool) -> None:
        """Hugo/Zola draft, Jekyll published: false, Pelican Status, Eleventy's exclusions all mean draft."""
        assert entry_of("a.md", f"---\ntitle: A\ndate: 2024-01-01\n{meta}\n---\nx\n").draft is draft

    def test_jekyll_drafts_folder_and_post_folder(self, entry_of) -> None:
        """_drafts holds drafts; _posts names no category and the date prefix leaves the slug."""
        draft = entry_of("_drafts/idea.md", "---\ntitle: A\ndate: 2024-01-01\n---\nx\n")
        post = entry_of("blog/_posts/2024-01-02-hello-world.md", "---\ntitle: B\n---\nx\n")
        assert draft.draft and not post.draft
        assert (post.category.slug, post.url, post.date.date().isoformat()) == (
            "blog", "https://news.example.org/blog/hello-world/", "2024-01-02")

    def test_bundle_takes_slug_date_and_category_from_folders(self, entry_of) -> None:
        """news/2024-03-01-launch/index.md is 'launch' in 'news', dated 2024-03-01, its files under its URL."""
        e = entry_of("news/2024-03-01-launch/index.md", "---\ntitle: A\nimage: cover.png\n---\nx\n")
        assert (e.url, e.date.date().isoformat(), e.category.slug) == (
            "https://news.example.org/news/launch/", "2024-03-01", "news")
        assert (e.page_base, e.image.url if e.image else None) == (e.url, "https://news.example.org/news/launch/cover.png")

    @pytest.mark.parametrize(("value", "expected"), [
        ("Wei Lin", [("Wei Lin", "", "")]),
        ("[Wei Lin, Mei-Ling Chen]", [("Wei Lin", "", ""), ("Mei-Ling Chen", "", "")]),
        ("'[Ana Silva](https://example.com/ana/)'", [("Ana Silva", "https://example.com/ana/", "")]),
        ("'Ana Silva <ana@example.com>'", [("Ana Silva", "", "ana@example.com")]),
        ("{name: Ana, url: /people/ana/}", [("Ana", "https://news.example.org/people/ana/", "")]),
        ("'[Ana](javascript:alert)'", [("Ana", "", "")]),
        ("{name: Ana, email: a@b.org}", [("Ana", "", "a@b.org")]),
        ("{name: Ana, url: 'https://[bad/'}", [("Ana", "", "")]),
        ("{name: Ana, url: 'http://example.com/ana/'}", [("Ana", "http://example.com/ana/", "")]),
    ])
    def test_authors_in_every_shape(self, entry_of, value: str, expected: list[tuple[str, str, str]]) -> None:
        """A name, a list, a Markdown link, Name <email> and a mapping each give authors with name, URI and email."""
        e = entry_of("a.md", f"---\ntitle: A\ndate: 2024-01-01\nauthor: {value}\n---\nx\n")
        assert [(a.name, a.uri, a.email) for a in e.authors] == expected

    def test_source_is_never_the_author(self, entry_of) -> None:
        """A Source: trailer and a source: key are attributions; only Author: or author: name an author."""
        e = entry_of("a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n\nSource: GeneOnline\n")
        assert (e.source, e.authors) == ("GeneOnline", ())
        e = entry_of("b.md", "---\ntitle: A\ndate: 2024-01-01\nsource: Reuters\nauthor: Lin\n---\nText.\n")
        assert (e.source, [a.name for a in e.authors]) == ("Reuters", ["Lin"])

    def test_more_divider_makes_the_summary(self, entry_of) -> None:
        """The text above <!--more--> is the summary, its Markdown markup dropped; a summary key wins."""
        e = entry_of("a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n## Intro\n\nSome **bold** text.\n<!--more-->\nRest.\n")
        assert (e.summary, e.summary_source) == ("Intro Some bold text.", "divider")
        e = entry_of("b.md", "---\ntitle: A\ndate: 2024-01-01\nsummary: Own.\n---\nTop.\n<!--more-->\nRest.\n")
        assert (e.summary, e.summary_source) == ("Own.", "front matter")

    def test_redirect_stub_is_a_draft(self, entry_of) -> None:
        """A document that only redirects (redirect_to and no text) is never published, and no error."""
        e = entry_of("2023-10-05-old.md", "---\nredirect_to: https://example.com/x/\n---\n")
        assert (e.draft, e.title_source, e.date_source) == (True, "redirect", "filename")

    def test_expiry_and_zola_taxonomies(self, entry_of) -> None:
        """expiryDate is kept; Zola's [taxonomies] give category and tags, [extra] the image."""
        e = entry_of("a.md", "+++\ntitle = 'A'\ndate = 2024-01-01\nexpiryDate = 2025-01-01\n[taxonomies]\n"
                             "categories = ['Science']\ntags = ['x', 'y']\n[extra]\nimage = '/i.png'\n+++\nx\n")
        assert e.expires is not None and e.expires.date().isoformat() == "2025-01-01"
        assert (e.category.slug, e.tags, e.image.url if e.image else None) == (
            "science", ("x", "y"), "https://news.example.org/i.png")


class TestTemplates:
    def test_raw_is_unwrapped_and_tags_found_with_lines(self) -> None:
        """{% raw %} keeps its text; Hugo's escaped shortcode is literal; every other tag is found at its line."""
        found = templates.process("A {% raw %}{{ x }}{% endraw %}\n{{< y >}}\n{{</* z */>}}\n{% link a.md %}\n",
                                  strip=True)
        assert found.text == "A {{ x }}\n\n{{< z >}}\n\n"
        assert found.tags == ((1, "{{< y >}}"), (3, "{% link a.md %}"))

    def test_keep_leaves_tags(self) -> None:
        """With strip off the tags stay as text, and are still found."""
        found = templates.process("{{ site.url }} and {{% note %}}x{{% /note %}}", strip=False)
        assert found.text == "{{ site.url }} and {{% note %}}x{{% /note %}}"
        assert [tag for _line, tag in found.tags] == ["{{ site.url }}", "{{% note %}}", "{{% /note %}}"]

    def test_braces_that_are_no_template_are_text(self) -> None:
        """JSON in prose and a lone brace are not template tags."""
        assert templates.process('Send {"a": 1} or { b }.', strip=True).tags == ()

    @pytest.mark.parametrize("strip", [True, False])
    def test_tags_around_raw_blocks_keep_their_lines(self, strip: bool) -> None:
        """A tag before a raw block is found (and stripped when asked); one after a block of several lines is at its own line."""
        found = templates.process("{{ a }} x\n{% raw %}\n{{ b }}\n\n{% endraw %}\n{% c %} y\n", strip=strip)
        assert found.tags == ((0, "{{ a }}"), (5, "{% c %}"))
        assert found.text == (" x\n\n{{ b }}\n\n\n y\n" if strip else "{{ a }} x\n\n{{ b }}\n\n\n{% c %} y\n")

    @pytest.mark.parametrize("fence", ["```", "~~~", "````go", "  ```html"])
    def test_tags_in_fenced_code_are_code(self, fence: str) -> None:
        """In Markdown, a fenced block's {{ }}, {% %} and {# #} are shown as written and not reported."""
        closing = fence.strip()[:4] if fence.strip().startswith("````") else fence.strip()[:3]
        text = f"{{{{ a }}}}\n{fence}\n{{{{ .Title }}}} {{% for x %}} {{# c #}}\n{closing}\n{{{{ b }}}}\n"
        found = templates.process(text, strip=True, markdown=True)
        assert found.text == f"\n{fence}\n{{{{ .Title }}}} {{% for x %}} {{# c #}}\n{closing}\n\n"
        assert found.tags == ((0, "{{ a }}"), (4, "{{ b }}"))

    def test_tags_in_inline_code_are_code(self) -> None:
        """An inline code span keeps its tags; a span of several backticks too; a lone backtick is no span."""
        found = templates.process("Use `{{ .Date }}` or ``{% x %}`` but {{ y }} ` {{ z }}\n", strip=True, markdown=True)
        assert found.text == "Use `{{ .Date }}` or ``{% x %}`` but  ` \n"
        assert [tag for _line, tag in found.tags] == ["{{ y }}", "{{ z }}"]

    def test_a_span_does_not_cross_a_blank_line(self) -> None:
        """Backticks around a blank line are no code span: the tags between them are prose."""
        found = templates.process("`{{ a }}\n\n{{ b }}`", strip=True, markdown=True)
        assert found.text == "`\n\n`" and len(found.tags) == 2

    def test_shortcodes_and_raw_markers_in_code_are_handled(self) -> None:
        """Hugo runs shortcodes even in code, and Liquid unwraps raw inside a fence: both as outside code."""
        found = templates.process("```\n{% raw %}{{ page.title }}{% endraw %}\n{{< y >}}\n```\n",
                                  strip=True, markdown=True)
        assert found.text == "```\n{{ page.title }}\n\n```\n"
        assert found.tags == ((2, "{{< y >}}"),)

    def test_fences_close_as_commonmark_says(self) -> None:
        """A shorter fence or one of the other character does not close a block; an unclosed block runs to the end."""
        found = templates.process("````\n```\n~~~\n{{ x }}\n```\n````\n{{ y }}\n", strip=True, markdown=True)
        assert found.text == "````\n```\n~~~\n{{ x }}\n```\n````\n\n" and found.tags == ((6, "{{ y }}"),)
        assert templates.process("~~~\n{{ x }}\n", strip=True, markdown=True).text == "~~~\n{{ x }}\n"
        # backticks in a backtick fence's info string: no fence, so the tag is prose
        assert templates.process("```js `x\n{{ x }}\n", strip=True, markdown=True).text == "```js `x\n\n"

    def test_a_tag_of_several_lines_in_code_keeps_the_lines_after_it(self) -> None:
        """A tag put aside in code may span lines: the tags after it are still reported at their own lines."""
        found = templates.process("```\n{{ a\n b }}\n```\n{{ c }}\n", strip=True, markdown=True)
        assert found.text == "```\n{{ a\n b }}\n```\n\n" and found.tags == ((4, "{{ c }}"),)

    def test_plain_text_has_no_code(self) -> None:
        """Outside Markdown, backticks are characters: every tag is a tag."""
        found = templates.process("```\n{{ x }}\n```\n", strip=True)
        assert found.text == "```\n\n```\n" and len(found.tags) == 1

    def test_a_template_shown_in_a_post_is_published(self, tmp_path: Path, make_config) -> None:
        """A Hugo post that shows a template in a code block publishes it as written, as Hugo does."""
        src = tmp_path / "src"
        path = write_doc(src, "a.md", "---\ntitle: Templates\ndate: 2024-01-01\n---\nLike {{ site.x }}this:\n\n"
                                      "```go-html-template\n<h1>{{ .Title }}</h1>\n```\n")
        config = make_config(src)
        doc = load.read(path, src)
        html = content.render(normalise(doc, config), config, doc).content_html
        code = lxml.html.fragment_fromstring(html, create_parent="div").xpath("//code")
        assert [c.text_content() for c in code] == ["<h1>{{ .Title }}</h1>\n"]
        assert "site.x" not in html

    @pytest.mark.parametrize(("tag", "path"), [
        ('{{ "/assets/a.jpg" | relative_url }}', "/assets/a.jpg"),
        ("{{- '/a b/c.png' | absolute_url -}}", "/a b/c.png"),
        ('{{ "x.pdf" | prepend: site.baseurl }}', "x.pdf"),
        ("{{ '/blog/' | url }}", "/blog/"),
    ])
    def test_a_quoted_path_through_a_base_url_filter_is_its_path(self, tag: str, path: str) -> None:
        """Jekyll's relative_url/absolute_url and Eleventy's url put the site's base before a path: the tag is the path."""
        found = templates.process(f"![x]({tag}) {{{{ site.url }}}}", strip=True)
        assert found.text == f"![x]({path}) " and [t for _line, t in found.tags] == ["{{ site.url }}"]

    @pytest.mark.parametrize("tag", ['{{ page.image | relative_url }}', '{{ "a" | upcase }}', '{{ "a\nb" | url }}'])
    def test_other_filters_are_tags(self, tag: str) -> None:
        """A variable, another filter or a path over two lines is a tag like any other."""
        assert templates.process(tag, strip=True).text == ""

    def test_a_long_tag_is_shortened_in_reports(self) -> None:
        """A tag is reported as written up to 60 characters, longer ones as their first 57 and '...'."""
        sixty = "{{ " + "x" * 54 + " }}"
        longer = "{{ " + "x" * 55 + " }}"
        found = templates.process(f"{sixty}\n{longer}\n", strip=True)
        assert found.tags == ((0, sixty), (1, longer[:57] + "..."))


def _body(tmp_path: Path, text: str, name: str = "_posts/2024-01-02-a.md") -> str:
    """Return the Markdown body of a Jekyll post (front matter added) as feedpub renders it."""
    src = tmp_path / "src"
    return body_of(load.read(write_doc(src, name, f"---\ntitle: T\n---\n{text}"), src)).text


def _html(tmp_path: Path, make_config, text: str) -> str:
    """Return the HTML a build gives a Jekyll post's body."""
    src = tmp_path / "src"
    path = write_doc(src, "_posts/2024-01-02-a.md", f"---\ntitle: T\n---\n{text}")
    config = make_config(src)
    doc = load.read(path, src)
    return content.render(normalise(doc, config), config, doc).content_html


class TestKramdownAttributes:
    """kramdown's attribute lists and extensions (Jekyll's Markdown) style a page: none reaches a reader as text."""

    @pytest.mark.parametrize("ial", ["{: .notice--info}", "{: .full}", "{:.text-center}",
                                     '{: #some-id .class key="v"}', "   {: .x}", "{:ref: .a}", "{: .a}  "])
    def test_a_block_ial_on_its_own_line_goes(self, tmp_path: Path, ial: str) -> None:
        """A line that is only an attribute list, after a block or before one, is a blank line: every line stays."""
        text = f"**Note:** it works.\n{ial}\n\n{ial}\n| a | b |\n|---|---|\n| 1 | 2 |\n"
        assert _body(tmp_path, text) == "**Note:** it works.\n\n\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"

    def test_a_block_ial_ends_the_paragraph_above_it(self, tmp_path: Path, make_config) -> None:
        """As in kramdown, the IAL line closes its paragraph: the line under it starts another, and no '{:' shows."""
        out = _html(tmp_path, make_config, "![Photo](/a.jpg)\n{: .full}\nCaption below.\n")
        assert "{:" not in out and out.count("<p>") == 2 and 'src="' in out

    def test_span_ials_after_an_image_and_a_link_go(self, tmp_path: Path, make_config) -> None:
        """A span IAL right after an image, a link, emphasis or HTML goes; the element stays whole."""
        out = _html(tmp_path, make_config, "![img](/x.png){: .align-center} Text and "
                    '[link](https://e.example/){:target="_blank"} and **bold**{: .b} and <kbd>K</kbd>{:.k}.\n')
        assert "{:" not in out and "target" not in out
        assert '<a href="https://e.example/"' in out and ">link</a> and <strong>bold</strong> and" in out
        assert "<img" in out and "K</kbd>." in out

    def test_code_keeps_them(self, tmp_path: Path) -> None:
        """Inside a fenced block and an inline code span the text is code: "{:.2f}" and a '{: .full}' line stay."""
        text = ('Use `"{:.2f}".format(x)` here.\n\n```python\nprint("{:.2f}".format(x))\n{: .full}\n```\n\n'
                "~~~\n{: .x}\n~~~\n")
        assert _body(tmp_path, text) == text

    def test_an_ial_after_a_code_span_goes(self, tmp_path: Path) -> None:
        """A span IAL right after an inline code span styles the span: it goes, the code stays."""
        assert _body(tmp_path, "Call `f(){: .x}`{: .language-python} now.\n") == "Call `f(){: .x}` now.\n"

    @pytest.mark.parametrize("prose", ["Python's format spec {:.2f} rounds to two places.",
                                       "The dict {: } is empty, text{: .x} stays after plain text.",
                                       "A {:/} alone, {::unknown} and {:}."])
    def test_prose_that_only_contains_the_characters_stays(self, tmp_path: Path, prose: str) -> None:
        """'{:' inside a sentence, after plain text, or in no kramdown syntax is text as written."""
        assert _body(tmp_path, prose + "\n") == prose + "\n"

    def test_extensions_go_and_every_line_stays(self, tmp_path: Path) -> None:
        """{::options /} and {::comment} (block or span) go; {::nomarkdown} keeps its text; the body keeps its lines."""
        text = ('{::options parse_block_html="true" /}\nBefore {::comment}hidden{:/comment}after.\n\n'
                "{::comment}\nNot shown.\n\nAt all.\n{:/comment}\n{::nomarkdown}\n<div>raw</div>\n{:/}\nEnd.\n")
        assert _body(tmp_path, text) == "\nBefore after.\n\n\n\n\n\n\n\n<div>raw</div>\n\nEnd.\n"

    def test_a_summary_and_title_read_without_them(self, tmp_path: Path, make_config) -> None:
        """The text above a divider and a title from the first heading are read with the attribute lists gone."""
        src = tmp_path / "src"
        path = write_doc(src, "a.md", "{: .intro}\n## Hello\n{: #hello}\n\nLead text.\n{: .lead}\n"
                                      "<!--more-->\nRest.\n")
        e = normalise(load.read(path, src), make_config(src))
        assert (e.title, e.summary) == ("Hello", "Hello Lead text.")

    def test_a_template_tag_below_keeps_its_line(self, tmp_path: Path) -> None:
        """check reports a template tag under a removed comment at the tag's line in the file."""
        src = tmp_path / "src"
        path = write_doc(src, "a.md", "---\ntitle: T\n---\n{::comment}\na\n{:/comment}\n{: .x}\n{{ site.x }}\n")
        body = body_of(load.read(path, src))
        assert body.templates == ((8, "{{ site.x }}"),) and body.text == "\n\n\n\n\n"


class TestHeadingIds:
    """kramdown's, Hugo's and Zola's {#id .class} after a heading: the heading's id, not its text."""

    def test_the_id_is_kept_and_the_braces_go(self, tmp_path: Path, make_config) -> None:
        """A post's link to its own heading id works; a heading without a space or in code keeps its braces."""
        src = tmp_path / "src"
        text = ("---\ntitle: T\ndate: 2024-01-01\n---\n## Local URLs {#local-urls}\n\nSee [there](#local-urls).\n\n"
                "### Wide {#wide .full}\n\n#### No space{#z}\n\n```\n## In code {#no}\n```\n\n"
                "## Centered {.centered-text}\n\n## Both { .w data-x=\"1 2\" #both }\n\n## Not {a list}\n")
        path = write_doc(src, "a.md", text)
        config = make_config(src)
        doc = load.read(path, src)
        html = content.render(normalise(doc, config), config, doc).content_html
        tree = lxml.html.fragment_fromstring(html, create_parent="div")
        assert [h.text_content().strip() for h in tree.iter("h2", "h3", "h4")] == [
            "Local URLs", "Wide", "No space{#z}", "Centered", "Both", "Not {a list}"]
        assert tree.xpath("//h2//a/@id") == ["local-urls", "both"] and tree.xpath("//h3//a/@id") == ["wide"]
        assert tree.xpath("//p/a/@href") == [normalise(doc, config).url + "#local-urls"]
        assert "## In code {#no}" in tree.xpath("string(//code)")


class TestHighlightBlocks:
    def test_a_highlight_block_is_code(self) -> None:
        """Jekyll's {% highlight js %}…{% endhighlight %} (Octopress's codeblock) is a fenced block: code, kept."""
        text = "A.\n{% highlight javascript linenos %}\nvar x = {{ y }};\n{% endhighlight %}\n{{ z }}\n"
        found = templates.process(text, strip=True, markdown=True)
        assert found.text == "A.\n```javascript\nvar x = {{ y }};\n```\n\n" and found.tags == ((4, "{{ z }}"),)
        found = templates.process("{% codeblock %}\n``` in it\n{% endcodeblock %}", strip=True, markdown=True)
        assert found.text == "````\n``` in it\n````"

    def test_a_block_whose_code_ends_without_a_newline(self) -> None:
        """The closing fence still gets a line of its own."""
        assert templates.process("{% highlight %}\nx{% endhighlight %}", strip=True, markdown=True).text == "```\nx\n```"

    def test_what_is_changed_outside_code_sees_every_line(self) -> None:
        """A change made outside code (heading ids, Pelican links) sees the text's lines where they are."""
        text = "```\na\nb\n```\nX `c\nd` X\n"
        at = templates.outside_code(text, lambda s: re.sub("X", lambda m: str(s.count("\n", 0, m.start())), s))
        assert at == "```\na\nb\n```\n4 `c\nd` 5\n"

    def test_outside_markdown_it_is_a_tag(self) -> None:
        """In plain text there is no code block to make: the tags go, as any other."""
        assert templates.process("{% highlight js %}\nx\n{% endhighlight %}", strip=True).text == "\nx\n"


class TestPelicanLinks:
    """Pelican's {static}, {attach} and {filename} links name files by their place in the content folder."""

    TEXT = ("Title: Shots\nDate: 2024-05-01\nImage: {static}/images/cover.png\n\n"
            "![a]({static}/images/a.png) ![b]({attach}pics/b.png) <img src=\"|filename|../c.png\" alt=\"c\">\n\n"
            "Write `{static}/x.png` in your own posts.\n")

    def _rendered(self, tmp_path: Path, make_config, rel: str) -> tuple[Entry, str]:
        src = tmp_path / "src"
        path = write_doc(src, rel, self.TEXT)
        config = make_config(src)
        doc = load.read(path, src)
        entry = normalise(doc, config)
        return entry, content.render(entry, config, doc).content_html

    def test_a_document_resolves_them_from_its_folder_or_the_root(self, tmp_path: Path, make_config) -> None:
        """'/…' is from the content folder, anything else from the document's folder; code keeps them as written."""
        entry, html = self._rendered(tmp_path, make_config, "news/2024/shots.md")
        base = "https://news.example.org/"
        assert entry.image is not None and entry.image.url == base + "images/cover.png"
        srcs = [i.get("src") for i in lxml.html.fragment_fromstring(html, create_parent="div").iter("img")]
        assert srcs == [base + "images/a.png", base + "news/2024/pics/b.png", base + "news/c.png"]
        assert "<code>{static}/x.png</code>" in html

    def test_a_bundle_keeps_its_relative_paths(self, tmp_path: Path, make_config) -> None:
        """In a page bundle a relative path stays relative: it resolves under the bundle's own page."""
        entry, html = self._rendered(tmp_path, make_config, "news/shots/index.md")
        srcs = [i.get("src") for i in lxml.html.fragment_fromstring(html, create_parent="div").iter("img")]
        assert srcs == ["https://news.example.org/images/a.png", entry.url + "pics/b.png",
                        "https://news.example.org/news/c.png"]

    @pytest.mark.parametrize("marker", ["{static}", "{attach}", "{filename}", "|static|", "|attach|", "|filename|"])
    def test_each_marker_alone(self, marker: str) -> None:
        """Each marker, alone in a text, is resolved (one from the folder, one from the root)."""
        text = f"![a]({marker}a.png) ![b]({marker}/b.png)"
        assert pelican.resolved(text, "news/post.md", bundle=False, markdown=True) == "![a](/news/a.png) ![b](/b.png)"

    def test_a_bundle_whose_page_is_elsewhere(self) -> None:
        """In a bundle a relative path stays relative (its files move with its page); '/…' is from the root."""
        text = "![b]({attach}pics/b.png) ![c]({static}/c.png)"
        assert pelican.resolved(text, "blog/shots/index.md", bundle=True, markdown=True) == "![b](pics/b.png) ![c](/c.png)"

    def test_plain_text_has_no_code_to_keep(self) -> None:
        """Outside Markdown, backticks are characters: a marker between them is resolved too."""
        assert pelican.resolved("`{static}/x.png`", "a.txt", bundle=False, markdown=False) == "`/x.png`"
        assert pelican.resolved("`{static}/x.png`", "a.md", bundle=False, markdown=True) == "`{static}/x.png`"

    def test_only_in_pelican_documents(self, entry_of) -> None:
        """In YAML front matter the braces are text as any other (no generator but Pelican writes them)."""
        e = entry_of("a.md", "---\ntitle: A\nimage: '{static}/i.png'\n---\nx\n")
        assert e.image is not None and "%7Bstatic%7D" in e.image.url


class TestCanonical:
    """An article whose home is another site: the canonical keys at their edges."""

    BASE = "https://blog.example.org/"

    @pytest.mark.parametrize("key", ["canonicalURL", "canonical_url", "canonical", "link", "external_url"])
    def test_an_absolute_url_on_another_host_is_the_link(self, entry_of, key: str) -> None:
        """Each canonical key with an http(s) URL elsewhere makes that URL the entry's link, not a page of ours."""
        e = entry_of("news/a.md", f"---\ntitle: A\n{key}: https://elsewhere.example/p/1\n---\nx\n",
                     base_url=self.BASE)
        assert (e.url, e.page_base) == ("https://elsewhere.example/p/1", "")

    def test_it_wins_over_a_permalink(self, entry_of) -> None:
        """A permalink names our copy's path; the canonical URL elsewhere is where the article lives."""
        e = entry_of("news/a.md", "---\ntitle: A\npermalink: /x/\ncanonical: http://elsewhere.example/a\n---\nx\n",
                     base_url=self.BASE)
        assert e.url == "http://elsewhere.example/a"

    @pytest.mark.parametrize("value", ["/news/a/", "news/a", "mailto:a@b.org", "https://blog.example.org/own/"])
    def test_a_path_or_our_own_url_is_no_home_elsewhere(self, entry_of, value: str) -> None:
        """A relative path, another scheme, or a URL under base_url leaves the entry's own address."""
        e = entry_of("news/a.md", f"---\ntitle: A\ncanonical: {value}\n---\nx\n", base_url=self.BASE)
        assert e.url == self.BASE + "news/a/"


class TestImageRule:
    """Which front-matter key gives the image, and how its URL and alt text are settled."""

    BASE = "https://blog.example.org/"

    def _image(self, entry_of, fm: str, name: str = "news/a.md"):  # type: ignore[no-untyped-def]
        return entry_of(name, f"---\ntitle: The title\n{fm}\n---\nx\n", base_url=self.BASE).image

    def test_the_first_key_in_the_table_order_wins(self, entry_of) -> None:
        """image beats cover, cover beats thumbnail, whatever their order in the file."""
        img = self._image(entry_of, "thumbnail: /t.png\ncover: /c.png\nimage: /i.png")
        assert img.url == self.BASE + "i.png"
        assert self._image(entry_of, "thumbnail: /t.png\ncover: /c.png").url == self.BASE + "c.png"

    def test_a_list_gives_its_first_and_a_mapping_its_image_and_alt(self, entry_of) -> None:
        """Hugo's images: [a, b] is a; PaperMod's cover: {image, alt} gives both."""
        assert self._image(entry_of, "images: [/a.jpg, /b.jpg]").url == self.BASE + "a.jpg"
        img = self._image(entry_of, "cover:\n  image: /c.webp\n  alt: A dome at night")
        assert (img.url, img.alt, img.mime_type) == (self.BASE + "c.webp", "A dome at night", "image/webp")

    def test_an_empty_value_falls_through_to_the_next_key(self, entry_of) -> None:
        """image: '' is no image: the next key that has one gives it."""
        assert self._image(entry_of, "image: ''\ncover: /c.png").url == self.BASE + "c.png"

    def test_alt_text_comes_from_image_alt_else_the_title(self, entry_of) -> None:
        """image_alt (or alt) is the alt text; without one, the title is."""
        assert self._image(entry_of, "image: /i.png\nimage_alt: '  Two   words '").alt == "Two words"
        assert self._image(entry_of, "image: /i.png").alt == "The title"

    def test_relative_to_the_site_or_to_a_bundle(self, entry_of) -> None:
        """A relative image resolves against base_url, or against its page in a page bundle; absolute stays."""
        assert self._image(entry_of, "image: pic.png").url == self.BASE + "pic.png"
        bundled = self._image(entry_of, "image: pic.png", name="news/post/index.md")
        assert bundled.url == self.BASE + "news/post/pic.png"
        assert self._image(entry_of, "image: https://cdn.example.net/x.jpg").url == "https://cdn.example.net/x.jpg"

    def test_zola_extra_is_read_after_the_top_level(self, entry_of) -> None:
        """[extra] image is used when the top level has none, and never over it."""
        assert self._image(entry_of, "extra:\n  image: /e.png").url == self.BASE + "e.png"
        assert self._image(entry_of, "image: /i.png\nextra:\n  image: /e.png").url == self.BASE + "i.png"

    @pytest.mark.parametrize("fm", [
        "params:\n  image: /p.png",  # YAML, a block
        "params: {image: /p.png}",  # YAML, a flow mapping
        "params:\n  images: [/p.png, /q.png]",
        "params:\n  cover: {image: /p.png, alt: A dome}",
        "params: {image: ''}\nextra: {image: /p.png}",  # an empty value gives way, as at the top level
    ])
    def test_hugo_params_is_read_as_zola_extra(self, entry_of, fm: str) -> None:
        """Hugo's params (custom fields, since Hugo 0.123) give the image as Zola's [extra] does."""
        assert self._image(entry_of, fm).url == self.BASE + "p.png"

    def test_hugo_params_in_toml_and_after_the_top_level(self, entry_of) -> None:
        """A TOML [params] table gives the image; an image at the top level wins over it."""
        toml = entry_of("news/a.md", "+++\ntitle = 'A'\n[params]\nimage = 'a.jpg'\n+++\nx\n", base_url=self.BASE)
        assert toml.image is not None and toml.image.url == self.BASE + "a.jpg"
        assert self._image(entry_of, "params:\n  image: /p.png\nimage: /i.png").url == self.BASE + "i.png"
        assert self._image(entry_of, "params: /p.png") is None  # not a table: nothing in it

    @pytest.mark.parametrize("fm", [
        "header:\n  image: /p.png\n  teaser: /t.png",
        "header:\n  overlay_image: /p.png\n  teaser: /t.png",
        "header:\n  teaser: /p.png\n  overlay_color: '#333'",
    ])
    def test_minimal_mistakes_header_image(self, entry_of, fm: str) -> None:
        """minimal-mistakes' header: its image, else its overlay image, else its teaser (the listings' thumbnail)."""
        assert self._image(entry_of, fm).url == self.BASE + "p.png"

    @pytest.mark.parametrize("fm", [
        "image:\n  path: /p.png\n  alt: A dome\n  lqip: data:image/webp;base64,AAAA",  # Chirpy, jekyll-seo-tag
        "images:\n  - path: /p.png\n    caption: One\n  - path: /q.png",  # Beautiful Jekyll
        "cover-img: /p.png\nthumbnail-img: /t.png",
        "thumbnail-img:\n  - /p.png",
    ])
    def test_jekyll_themes_images(self, entry_of, fm: str) -> None:
        """Chirpy's image: {path, alt}, Beautiful Jekyll's images: [{path}], cover-img and thumbnail-img."""
        assert self._image(entry_of, fm).url == self.BASE + "p.png"

    def test_not_text_or_not_http_is_an_error(self, entry_of) -> None:
        """A number, or a URL of another scheme, is an error naming the key."""
        assert "'image' must be text" in _error(entry_of, "a.md", "---\ntitle: A\nimage: 5\n---\nx\n")
        assert "'image' is not an http(s) URL" in _error(entry_of, "a.md",
                                                          "---\ntitle: A\nimage: 'javascript:alert(1)'\n---\nx\n")


class TestMessages:
    """What an error says about the value it refuses: its type, or the string itself, shortened."""

    @pytest.mark.parametrize(("line", "message"), [
        ("title: yes", "a.md:2: 'title' must be text, not a boolean (true; YAML reads yes/no/on/off as booleans: "
                       "quote text)"),
        ("title: !!binary aGVsbG8=", "a.md:2: 'title' must be text, not bytes"),
        ("title: A\ndraft: 是的", "a.md:3: 'draft' must be true or false, not the string \"是的\""),
        ("title: A\ndraft: '" + "a" * 60 + "'", "a.md:3: 'draft' must be true or false, not the string \""
                                                + "a" * 60 + "\""),
        ("title: A\ndraft: '" + "a" * 61 + "'", "a.md:3: 'draft' must be true or false, not the string \""
                                                + "a" * 57 + "...\""),
    ])
    def test_the_refused_value_is_described(self, entry_of, line: str, message: str) -> None:
        """Booleans say which and why, other types by name, strings as written (non-ASCII too) up to 60 characters."""
        assert _error(entry_of, "a.md", f"---\n{line}\n---\nx\n") == message


class TestTitleFromText:
    """A title from the text when no key and no heading gives one."""

    def test_the_first_line_with_text(self, entry_of) -> None:
        """Blank lines above are skipped; only the first line with text is read, to its end."""
        e = entry_of("a.md", "\n  \nLine one\nLine two\nLine three.")
        assert (e.title, e.title_source) == ("Line one", "first sentence")
        assert entry_of("b.md", "Only line").title == "Only line"

    def test_no_text_to_make_a_title_from(self, entry_of) -> None:
        """Front matter with a summary but no title and no body: an error at the body's line."""
        assert _error(entry_of, "a.md", "---\nsummary: S\ndate: 2024-01-01\n---\n") == \
            "a.md:5: document has no title and no text to make one from"

    def test_a_table_is_no_first_sentence(self, entry_of) -> None:
        """A GFM table above the text (with or without outer pipes) is passed over: the title is the text below it."""
        e = entry_of("a.md", "| Name | Extension |\n| ------ | :--: |\n| `jstl` | `.jstl` |\n\n"
                             "In Eleventy 1.0, the <code>.jstl</code> extension was removed. Use JS.\n")
        assert (e.title, e.title_source) == ("In Eleventy 1.0, the .jstl extension was removed.", "first sentence")
        assert entry_of("b.md", "Name | Ext\n--- | ---\na | b\n\nText below.\n").title == "Text below."

    def test_a_line_with_a_pipe_is_no_table_alone(self, entry_of) -> None:
        """A sentence with '|' and no delimiter row under it is text, and titles the document."""
        assert entry_of("a.md", "Rock | Paper | Scissors is a game.\n---\n").title == "Rock | Paper | Scissors is a game."

    def test_the_first_sentence_reads_links_as_their_text(self, entry_of) -> None:
        """A link in the first sentence gives its text; a snake_case word and a lone '*' stay as written."""
        e = entry_of("a.md", "See [the docs](https://x.example/d) on my_var_name and 2 * 3. Then more.\n")
        assert e.title == "See the docs on my_var_name and 2 * 3."

    def test_a_line_that_shows_no_text_is_passed_over(self, entry_of) -> None:
        """An image alone or a heading of only an image shows no text: the title comes from the next line."""
        e = entry_of("a.md", "## ![](/logo.png)\n\n![](/a.png)\n\nReal text here.\n")
        assert (e.title, e.title_source) == ("Real text here.", "first sentence")


class TestTitleFromHeading:
    """A title from the first heading is its text as a reader sees it."""

    @pytest.mark.parametrize(("heading", "title"), [
        ("### Check out the [Jamstack Survey](https://x.example/survey/)", "Check out the Jamstack Survey"),
        ("## [Release notes](https://x.example/notes \"Notes\")", "Release notes"),
        ("# *Big* **news** for `snake_case` <em>fans</em> &amp; ~~foes~~ friends",
         "Big news for snake_case fans & foes friends"),
        ("# Using snake_case_names, 5 * 3 and __init__ in my_module", "Using snake_case_names, 5 * 3 and init in my_module"),
        ("# Tom &amp;amp; Jerry, AT&T <3 and 1 < 2", "Tom &amp; Jerry, AT&T <3 and 1 < 2"),
        ("# `**not bold**` and \\*escaped\\*", "**not bold** and *escaped*"),
        ("# A <https://x.example/> link, C#", "A https://x.example/ link, C#"),
        ("# Plain title ##", "Plain title"),
    ])
    def test_markup_goes_text_stays(self, entry_of, heading: str, title: str) -> None:
        """Links give their text; emphasis, code and strike markers, HTML tags and escapes go; entities are decoded once."""
        e = entry_of("a.md", f"{heading}\n\nText.\n")
        assert (e.title, e.title_source) == (title, "first heading")


class TestRedirectStubs:
    def test_a_stub_is_titled_by_its_target(self, entry_of) -> None:
        """The stub's title names where it points."""
        e = entry_of("old.md", "---\nredirect_to: https://example.com/x/\n---\n")
        assert (e.title, e.draft) == ("redirect to https://example.com/x/", True)

    def test_a_stub_entry_field_by_field(self, tmp_path: Path, make_config) -> None:
        """A stub is a draft with its URL as id, its date as updated, and nothing to publish: no summary, source, tags or image."""
        src = tmp_path / "src"
        path = write_doc(src, "news/old.md", "---\nredirect_to: /new/\ndate: nope\n---\n")
        stamp = datetime(2020, 3, 4, 5, 6, 7, tzinfo=UTC).timestamp()
        os.utime(path, (stamp, stamp))
        e = normalise(load.read(path, src), make_config(src, timezone="Asia/Taipei"))
        when = datetime(2020, 3, 4, 13, 6, 7, tzinfo=ZoneInfo("Asia/Taipei"))
        url = "https://news.example.org/news/old/"
        assert e == Entry(id=url, url=url, title="redirect to /new/", title_source="redirect", date=when,
                          date_source="mtime", updated=when, category=Category(slug="news", name="News"),
                          category_source="folder", summary="", source="", authors=(), tags=(), image=None,
                          rel="news/old.md", fmt="markdown", draft=True, expires=None, summary_source="", page_base="")
        assert (e.date.utcoffset(), dict(e.lines)) == (when.utcoffset(), {"redirect_to": 2, "date": 3})

    def test_a_long_target_is_shortened_in_the_title(self, entry_of) -> None:
        """The title shows the first 80 characters of the target."""
        target = "https://example.com/" + "x" * 100
        assert entry_of("old.md", f"---\nredirect_to: {target}\n---\n").title == "redirect to " + target[:80]

    def test_a_stubs_bad_fields_are_no_error(self, entry_of) -> None:
        """A stub's category or permalink of the wrong kind is no error: it is never published."""
        e = entry_of("old.md", "---\nredirect_to: /x/\ncategory: {a: 1}\npermalink: 'javascript:alert(1)'\n---\n")
        assert (e.draft, e.category.slug) == (True, "news")

    def test_a_stubs_bad_or_missing_date_is_no_error(self, entry_of) -> None:
        """A stub is never published: a malformed date, or none, leaves it dated by the file, without an error."""
        e = entry_of("old.md", "---\nredirect_to: /x/\ndate: nope\n---\n")
        assert (e.title, e.date_source) == ("redirect to /x/", "mtime")
        assert entry_of("old2.md", "---\nredirect_to: /x/\n---\n").date_source == "mtime"


class TestIdRule:
    @pytest.mark.parametrize(("value", "message"), [
        ("'file:///C:/x'", "a.md:3: 'id' must not use the file: scheme"),
        ("'https://[bad/x'", "a.md:3: 'id' is not a valid URI: 'https://[bad/x'"),
    ])
    def test_what_is_no_id(self, entry_of, value: str, message: str) -> None:
        """An id that is a URI must be of no active scheme (whatever follows it), and valid."""
        assert _error(entry_of, "a.md", f"---\ntitle: A\nid: {value}\n---\nx\n") == message

    @pytest.mark.parametrize(("lines", "want"), [
        ("id: 1234", ""),  # WordPress's post number: no id, the URL is
        ("id: foo", ""),
        ("id: 1234\nguid: 'https://old.example/?p=1234'", "https://old.example/?p=1234"),  # its exporters' pair
        ("guid: 'urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427'", "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427"),
        ("id: 'tag:example.org,2024:a'\nguid: 'https://x.example/'", "tag:example.org,2024:a"),  # id first
    ])
    def test_an_id_is_a_uri_else_none(self, entry_of, lines: str, want: str) -> None:
        """id, then guid: the first that is an absolute URI is the entry's id; a number or a word is passed over."""
        e = entry_of("news/a.md", f"---\ntitle: A\n{lines}\n---\nx\n")
        assert e.id == (want or e.url)


class TestSummaryDividers:
    def test_jekylls_own_excerpt_separator(self, entry_of) -> None:
        """A document's excerpt_separator divides it; Jekyll's default, a blank line, does not."""
        e = entry_of("a.md", "---\ntitle: A\nexcerpt_separator: <!--cut-->\n---\nTop *part*.\n<!--cut-->\nRest.\n")
        assert (e.summary, e.summary_source) == ("Top part.", "divider")
        e = entry_of("b.md", '---\ntitle: A\nexcerpt_separator: "\\n\\n"\n---\nTop part.\n\nRest.\n')
        assert (e.summary, e.summary_source) == ("", "")

    def test_a_plain_text_excerpt_is_kept_as_written(self, entry_of) -> None:
        """Above the divider of a plain-text document, every line is the summary, '*' and '_' included."""
        e = entry_of("a.txt", "Headline\n\nFirst line of intro\nwith *stars* and snake_case.\n<!--more-->\nRest.\n")
        assert (e.summary, e.summary_source) == ("First line of intro with *stars* and snake_case.", "divider")


class TestBundlesAndNames:
    @pytest.mark.parametrize("name", ["2024-03-01-launch/index.md", "news/2024-03-01-launch/index.markdown",
                                      "news/2024-03-01-launch/index.txt"])
    def test_every_bundle_index_takes_its_folders_name(self, entry_of, name: str) -> None:
        """index.md, index.markdown and index.txt are bundles, at the top too: the folder gives date, slug and base."""
        e = entry_of(name, "---\ntitle: A\n---\nx\n")
        assert (e.url, e.date.date().isoformat(), e.date_source, e.page_base) == (
            "https://news.example.org/news/launch/", "2024-03-01", "filename", "https://news.example.org/news/launch/")

    @pytest.mark.parametrize(("name", "url"), [
        ("news/2018-04-03 SCaLE Report/index.md", "https://news.example.org/news/scale-report/"),
        ("news/2018-04-03 notes.md", "https://news.example.org/news/notes/"),
        ("news/2018-04-03_notes.md", "https://news.example.org/news/notes/"),
    ])
    def test_a_space_ends_a_date_prefix(self, entry_of, name: str, url: str) -> None:
        """'2018-04-03 SCaLE Report/index.md' (Pelican sites name them so) is dated by its name, slugged by the rest."""
        e = entry_of(name, "---\ntitle: A\n---\nx\n")
        assert (e.url, e.date.date().isoformat(), e.date_source) == (url, "2018-04-03", "filename")

    def test_a_spaced_name_excuses_a_malformed_date(self, entry_of) -> None:
        """A malformed or impossible front-matter date in a spaced dated name gives way to the name's date."""
        for text in ("---\ntitle: A\ndate: May 4th\n---\nx\n", "---\ntitle: A\ndate: 2021-02-30\n---\nx\n"):
            e = entry_of("news/2021-05-04 launch.md", text)
            assert (e.date.date().isoformat(), e.date_source) == ("2021-05-04", "filename")

    @pytest.mark.parametrize(("name", "url"), [
        ("news/2018-04-03notes.md", "https://news.example.org/news/2018-04-03notes/"),
        ("news/2018-04-03.notes.md", "https://news.example.org/news/2018-04-03-notes/"),
        ("news/2018-04-03\tnotes.md", "https://news.example.org/news/2018-04-03-notes/"),
    ])
    def test_no_separator_is_no_date_prefix(self, entry_of, name: str, url: str) -> None:
        """Without '-', '_' or a space after it a leading date is part of the name and dates nothing."""
        e = entry_of(name, "---\ntitle: A\n---\nx\n")
        assert (e.url, e.date_source) == (url, "mtime")

    def test_a_top_level_index_is_no_bundle(self, entry_of) -> None:
        """index.md with no folder above is named by itself."""
        e = entry_of("index.md", "---\ntitle: A\n---\nx\n")
        assert (e.url, e.page_base) == ("https://news.example.org/news/index/", "")


class TestImageTypes:
    @pytest.mark.parametrize(("path", "mime"), [
        ("/img/photo.HEIC?x=1", "image/heic"), ("/img/a.svg#f", "image/svg+xml"),
        ("/img/photo.xyz", "image/jpeg"), ("/img/photo", "image/jpeg"), ("/img.d/photo", "image/jpeg"),
    ])
    def test_the_type_comes_from_the_last_segments_extension(self, entry_of, path: str, mime: str) -> None:
        """The extension before a query or fragment names the type, in any case; none or an unknown one is JPEG."""
        e = entry_of("a.md", f"---\ntitle: A\nimage: {path}\n---\nx\n")
        assert e.image is not None and e.image.mime_type == mime


class TestTagsAndDrafts:
    def test_tags_keywords_and_zola_tags_in_order_once(self, entry_of) -> None:
        """tags, then keywords, then Zola's [taxonomies] tags (numbers as text); each tag once."""
        e = entry_of("a.md", "---\ntitle: A\ntags: [a]\nkeywords: [b, a]\ntaxonomies: {tags: [c, 2]}\n---\nx\n")
        assert e.tags == ("a", "b", "c", "2")

    def test_a_read_key_in_another_case_is_read(self, entry_of) -> None:
        """Title:, Date:, PublishDate: in a --- block (Pelican's Markdown reader, Hugo: any case) are read."""
        e = entry_of("py/a.md", "---\nTitle: Caps\nDate: 2024-01-02\nTAGS: [a]\nSlug: s\nCategory: Py\n---\nx\n")
        assert (e.title, e.date.date().isoformat(), e.tags, e.url.rsplit("/", 2)[1], e.category.name) == (
            "Caps", "2024-01-02", ("a",), "s", "Py")
        assert e.lines["title"] == 2 and e.lines["date"] == 3
        both = entry_of("b.md", "---\nTitle: Upper\ntitle: lower\n---\nx\n")
        assert both.title == "lower"  # a key written as read keeps its value
        assert _error(entry_of, "c.md", "---\ntitle: T\nDATE: nope\n---\nx\n").startswith("c.md:3: 'date' is not a date")

    @pytest.mark.parametrize(("password", "draft"), [("''", False), ("secret", True), ("1234", True), ("' '", False)])
    def test_a_wordpress_posts_password_keeps_it_unpublished(self, entry_of, password: str, draft: bool) -> None:
        """jekyll-import writes password: '' on every post, the post's password on a protected one: never public."""
        e = entry_of("_posts/2010-05-02-a.html", f"---\ntitle: A\npassword: {password}\nmeta:\n  x: '1'\n"
                     "parent_id: '0'\n---\n<p>Welcome.</p>\n")
        assert e.draft is draft and e.fmt == "markdown"

    def test_eleventys_collection_names_are_no_tags(self, entry_of) -> None:
        """post and posts (Eleventy's collection, in its docs' own example) are left out; Post, postscript stay."""
        e = entry_of("a.md", "---\ntitle: A\ntags: [post, css, posts, Post, postscript]\nkeywords: [post]\n---\nx\n")
        assert e.tags == ("css", "Post", "postscript")
        assert entry_of("b.md", "---\ntitle: B\ntags: post\n---\nx\n").tags == ()

    @pytest.mark.parametrize(("line", "message"), [
        ("tags: [true, a]", "a.md:3: 'tags' must be a list of text, not a list"),
        ("keywords: {a: 1}", "a.md:3: 'keywords' must be a list of text, not a mapping"),
        ("updated: nope", "a.md:3: 'updated' is not a date: 'nope' (expected YYYY-MM-DD, optionally with time and offset)"),
    ])
    def test_wrong_tags_and_dates_are_errors(self, entry_of, line: str, message: str) -> None:
        """A boolean among tags, keywords that are no list, an updated that is no date: errors at their line."""
        assert _error(entry_of, "a.md", f"---\ntitle: A\n{line}\n---\nx\n") == message

    @pytest.mark.parametrize(("value", "draft"), [("yes", True), ("True ", True), ("no", False), ("false", False)])
    def test_pelican_draft_headers_are_text(self, entry_of, value: str, draft: bool) -> None:
        """In Pelican headers, Draft: yes or true (any case) is a draft; in YAML the string 'yes' is an error."""
        assert entry_of("a.md", f"Title: T\nDraft: {value}\n\nBody\n").draft is draft
        assert _error(entry_of, "b.md", "---\ntitle: A\ndraft: 'yes'\n---\nx\n") == \
            "b.md:3: 'draft' must be true or false, not the string \"yes\""


class TestAuthorRule:
    @pytest.mark.parametrize(("line", "expected"), [
        ("author: Doe, Jane", [("Doe, Jane", "")]),  # one author's string is one name
        ("authors: Ana, Bo", [("Ana", ""), ("Bo", "")]),  # Pelican's Authors: a list
        ("authors: Doe, Jane; Roe, Richard", [("Doe, Jane", ""), ("Roe, Richard", "")]),  # ';' when names hold ','
        ("author: 42", [("42", "")]),
        ("author: {url: /a/}", []),  # no name, no author
        ("author: {name: A, uri: /u/}", [("A", "https://news.example.org/u/")]),
        ("author: {name: A, link: /l/}", [("A", "https://news.example.org/l/")]),
        ("author: {name: A, website: /w/}", [("A", "https://news.example.org/w/")]),
        ("authors: ''\nauthor: Bo", [("Bo", "")]),  # an empty value gives way to the next key
    ])
    def test_author_strings_and_mappings(self, entry_of, line: str, expected: list[tuple[str, str]]) -> None:
        """Names split on ',' only in 'authors', on ';' anywhere; numbers are names; a mapping's link is any of four keys."""
        e = entry_of("a.md", f"---\ntitle: A\n{line}\n---\nx\n")
        assert [(a.name, a.uri) for a in e.authors] == expected

    def test_zola_extra_author(self, entry_of) -> None:
        """Zola themes keep the author under [extra]."""
        e = entry_of("a.md", "+++\ntitle = 'A'\n[extra]\nauthor = 'Ana'\n+++\nx\n")
        assert [a.name for a in e.authors] == ["Ana"]

    @pytest.mark.parametrize(("text", "names"), [
        ("+++\ntitle = 'A'\n[params]\nauthor = 'Ana'\n+++\nx\n", ["Ana"]),
        ("---\ntitle: A\nparams:\n  authors: [Ana, Bo]\n---\nx\n", ["Ana", "Bo"]),
        ("---\ntitle: A\nauthor: Cy\nparams: {author: Ana}\n---\nx\n", ["Cy"]),  # the top level wins
    ])
    def test_hugo_params_author(self, entry_of, text: str, names: list[str]) -> None:
        """Hugo keeps custom fields under params (since 0.123): the author is read there as under Zola's [extra]."""
        assert [a.name for a in entry_of("a.md", text).authors] == names

    def test_a_list_in_the_list_is_an_error(self, entry_of) -> None:
        """An author that is itself a list is an error at the key's line."""
        assert _error(entry_of, "a.md", "---\ntitle: A\nauthor: [[a]]\n---\nx\n") == \
            "a.md:3: 'author' must be a name, a list of names or of {name: …}, not a list"


class TestTitleAndNameEdges:
    @pytest.mark.parametrize("value", ["''", "'   '"])
    def test_an_empty_title_is_an_error_at_its_line(self, entry_of, value: str) -> None:
        """title: '' (or only spaces) is no title to infer around: an error at the key."""
        assert _error(entry_of, "a.md", f"---\ntitle: {value}\n---\nx\n") == "a.md:2: 'title' is empty"

    def test_only_the_last_dot_starts_the_extension(self, entry_of) -> None:
        """v1.2-release.md is the page v1-2-release, not v1."""
        assert entry_of("v1.2-release.md", "---\ntitle: A\n---\nx\n").url == "https://news.example.org/news/v1-2-release/"

    def test_a_redirect_key_with_text_is_an_article(self, entry_of) -> None:
        """redirect_to above a body is no stub: the article is published under its own title."""
        e = entry_of("a.md", "---\ntitle: A\nredirect_to: /x/\n---\nText.\n")
        assert (e.draft, e.title, e.title_source) == (False, "A", "front matter")


class TestTitleSources:
    @pytest.mark.parametrize(("name", "text", "title", "source"), [
        ("a.md", "---\ntitle: T\n---\nx\n", "T", "front matter"),
        ("a.md", "---\ntitle: 2023\n---\nx\n", "2023", "front matter"),  # YAML's number, as text
        ("a.txt", "Kicker\n\nHeadline Here\n\nText of it.\n", "Headline Here", "header block"),
        ("a.md", "Some **bold** `code` text here. More.", "Some bold code text here.", "first sentence"),
    ])
    def test_where_the_title_comes_from(self, entry_of, name: str, text: str, title: str, source: str) -> None:
        """The title key (a number too), a plain-text header block, or the first sentence without its markup."""
        e = entry_of(name, text)
        assert (e.title, e.title_source) == (title, source)


class TestJekyllPostTitles:
    @pytest.mark.parametrize(("name", "title"), [
        ("_posts/2009-09-05-edge-case-no-yaml-title.md", "Edge Case No Yaml Title"),
        ("docs/_posts/2009-09-05-edge-case-no-yaml-title.markdown", "Edge Case No Yaml Title"),
        ("_posts/2009/2009-09-05-in-a-year-folder.md", "In A Year Folder"),  # below _posts, any depth
        ("_posts/2018-04-03-SCaLE-report.md", "Scale Report"),  # Ruby's capitalize lowers the rest
        ("_posts/2024-01-02-v1.2-notes.md", "V1.2 Notes"),  # only the last dot starts the extension
        ("_posts/2024-01-02-trailing-.md", "Trailing"),
        ("_posts/undated-post.md", "Undated Post"),
    ])
    def test_an_untitled_post_is_titled_by_its_file_name(self, entry_of, name: str, title: str) -> None:
        """Jekyll titles a post without one from its file name (Utils.titleize_slug), not from its text."""
        e = entry_of(name, "---\ncategories:\n  - Edge Case\ndate: 2009-09-05\n---\n\n"
                           "This post has no title specified in the YAML Front Matter. Jekyll should auto-generate.\n")
        assert (e.title, e.title_source) == (title, "filename")

    def test_without_front_matter_too(self, entry_of) -> None:
        """A post with no front matter at all is titled by its name, above a heading of its text."""
        e = entry_of("_posts/2009-09-05-no-front-matter.md", "# A heading\n\nText.\n")
        assert (e.title, e.title_source) == ("No Front Matter", "filename")

    @pytest.mark.parametrize(("name", "text", "title", "source"), [
        ("_posts/2009-09-05-x-y.md", "---\ntitle: Own Title\n---\nText.\n", "Own Title", "front matter"),
        ("blog/2009-09-05-edge-case.md", "---\ndate: 2009-09-05\n---\nText here.\n", "Text here.", "first sentence"),
        ("my_posts/2009-09-05-edge-case.md", "Text here.\n", "Text here.", "first sentence"),
        ("_posts_old/2009-09-05-edge-case.md", "Text here.\n", "Text here.", "first sentence"),
        ("_drafts/edge-case.md", "---\ndate: 2009-09-05\n---\nText here.\n", "Text here.", "first sentence"),
    ])
    def test_only_posts_in_a_posts_folder_without_a_title(self, entry_of, name: str, text: str, title: str,
                                                          source: str) -> None:
        """A title of its own wins; outside a _posts folder the text still titles a document."""
        e = entry_of(name, text)
        assert (e.title, e.title_source) == (title, source)


class TestImageMappings:
    @pytest.mark.parametrize("value", ["{image: /c.png}", "{src: /c.png}", "{url: /c.png}"])
    def test_a_cover_mapping_without_alt(self, entry_of, value: str) -> None:
        """A cover mapping gives its image, src or url; without alt the title is the alt text."""
        e = entry_of("a.md", f"---\ntitle: The title\ncover: {value}\n---\nx\n")
        assert e.image is not None and (e.image.url, e.image.alt) == ("https://news.example.org/c.png", "The title")

    def test_an_empty_image_alone_is_no_image(self, entry_of) -> None:
        """image: '' and no other key: the entry has no image."""
        assert entry_of("a.md", "---\ntitle: A\nimage: ''\n---\nx\n").image is None

    def test_an_image_that_is_no_text_names_its_line(self, entry_of) -> None:
        """image: 5 is an error at the key's line."""
        assert _error(entry_of, "a.md", "---\ntitle: A\nimage: 5\n---\nx\n") == "a.md:3: 'image' must be text, not the number 5"


class TestFieldShapes:
    def test_template_tags_are_stripped_by_default(self) -> None:
        """body_of() without a template_syntax strips template tags from the body."""
        doc = load.parse("---\ntitle: A\n---\nA {{ x }} b\n", Path("a.md"), "a.md", 0.0)
        assert body_of(doc).text == "A  b\n"

    def test_the_body_asked_again_is_that_documents_under_that_syntax(self) -> None:
        """body_of() answers each document and template_syntax by itself, also right after another (the last is kept)."""
        one = load.parse("---\ntitle: A\n---\nA {{ x }} b\n", Path("a.md"), "a.md", 0.0)
        same_text = load.parse("---\ntitle: A\n---\nA {{ x }} b\n", Path("a.md"), "a.md", 0.0)
        other = load.parse("---\ntitle: B\n---\nB {{ y }} c\n", Path("b.md"), "b.md", 0.0)
        assert body_of(one).text == "A  b\n"
        assert body_of(one, "keep").text == "A {{ x }} b\n"
        assert body_of(one).text == "A  b\n"
        assert body_of(other).text == "B  c\n"
        assert body_of(same_text) == body_of(one)
        assert body_of(other, "keep").text == "B {{ y }} c\n"

    @pytest.mark.parametrize(("line", "source"), [("source: [A, B]", "A, B"), ("source: {name: Reuters}", "Reuters")])
    def test_a_source_list_or_mapping(self, entry_of, line: str, source: str) -> None:
        """source may be a list of names (joined) or a {name: …} mapping."""
        assert entry_of("a.md", f"---\ntitle: A\n{line}\n---\nx\n").source == source

    def test_a_title_mapping_with_a_name_is_still_an_error(self, entry_of) -> None:
        """Only source and authors take a {name: …} mapping; a title may not."""
        assert _error(entry_of, "a.md", "---\ntitle: {name: X}\n---\nx\n") == "a.md:2: 'title' must be text, not a mapping"

    def test_empty_lists_are_no_value(self, entry_of) -> None:
        """categories: [] leaves the folder to name the category; images: [] is no image."""
        e = entry_of("events/x.md", "---\ntitle: A\ncategories: []\nimages: []\n---\nx\n")
        assert (e.category.slug, e.category_source, e.image) == ("events", "folder", None)

    @pytest.mark.parametrize("name", ["events/launch/index.md", "_posts/events/2024-01-02-x.md"])
    def test_the_category_folder_above_a_bundle_or_below_posts(self, entry_of, name: str) -> None:
        """A bundle's category is the folder above its own; in Jekyll's _posts, the first folder not starting '_'."""
        assert entry_of(name, "---\ntitle: A\n---\nx\n").category.slug == "events"


class TestImageEdges:
    def test_an_invalid_or_http_url(self, entry_of) -> None:
        """A URL that cannot be parsed is an error at its line; plain http is accepted."""
        assert _error(entry_of, "a.md", "---\ntitle: A\nimage: 'https://[bad/x.png'\n---\nx\n") == \
            "a.md:3: 'image' is not a valid URL: 'https://[bad/x.png'"
        e = entry_of("b.md", "---\ntitle: A\nimage: http://cdn.example/x.jpg\n---\nx\n")
        assert e.image is not None and e.image.url == "http://cdn.example/x.jpg"

    def test_a_covers_own_alt_wins_over_image_alt(self, entry_of) -> None:
        """The alt inside a cover mapping is kept even when image_alt says otherwise."""
        e = entry_of("a.md", "---\ntitle: A\ncover: {image: /c.png, alt: Own}\nimage_alt: Other\n---\nx\n")
        assert e.image is not None and e.image.alt == "Own"

    def test_an_alt_that_is_no_text(self, entry_of) -> None:
        """image_alt as a list is an error at its line."""
        assert _error(entry_of, "a.md", "---\ntitle: A\nimage: /c.png\nimage_alt: [a, b]\n---\nx\n") == \
            "a.md:4: 'image_alt' must be text, not a list"


class TestDateFromAddress:
    @pytest.mark.parametrize(("line", "day", "source"), [
        ('path = "2014/12/12/1.0-Timeline"', "2014-12-12", "path"),  # Zola, no leading slash
        ('path = "/inside-rust/2024/01/02/x/"', "2024-01-02", "path"),  # one folder before the year
        ('permalink = "/2019/02/28/leap/"', "2019-02-28", "permalink"),
        ('url = "https://elsewhere.example/2020/02/29/x/"', "2020-02-29", "url"),
        ('url = "/2019/03/04/slug/"', "2019-03-04", "url"),  # Hugo's url
        ('permalink = "/2019/03/04/slug.html"', "2019-03-04", "permalink"),  # Jekyll's, written out
    ])
    def test_an_address_that_starts_with_a_day_dates_the_document(self, entry_of, line: str, day: str,
                                                                   source: str) -> None:
        """path, permalink or url starting YYYY/MM/DD (after one folder at most) is the date, and says so."""
        e = entry_of("a.md", f"+++\ntitle = 'A'\n{line}\n+++\nx\n")
        assert (e.date.isoformat(), e.date_source) == (f"{day}T00:00:00+00:00", source)

    @pytest.mark.parametrize("path", ["2014/13/45/x", "2019/02/29/x", "a/b/2014/12/12/x", "2014/1/2/x",
                                      "notes/2014-12-12", "1969/12/31/x"])
    def test_no_real_day_at_the_start_is_no_date(self, entry_of, path: str) -> None:
        """A month 13, 29 February of a common year, a day two folders deep, one digit: the file time dates it."""
        e = entry_of("a.md", f'+++\ntitle = "A"\npath = "{path}"\n+++\nx\n')
        assert e.date_source == "mtime"

    @pytest.mark.parametrize("permalink", ["/:year/:month/:day/:title/", "/:categories/:title.html",
                                           "blog/:slug/", "https://blog.example.org/:year/:title/"])
    def test_a_jekyll_permalink_pattern_is_no_address(self, entry_of, permalink: str) -> None:
        """A permalink of :placeholders is Jekyll's pattern, not a URL: the post keeps its own address and dated name."""
        e = entry_of("_posts/2019-03-04-hello.md", f"---\ntitle: A\npermalink: {permalink}\n---\nx\n")
        assert (e.url, e.date.isoformat(), e.date_source) == (
            "https://news.example.org/news/hello/", "2019-03-04T00:00:00+00:00", "filename")

    def test_a_colon_inside_a_segment_is_still_an_address(self, entry_of) -> None:
        """Only a segment that starts with ':' is a placeholder: 'a:b' and a port are written as given."""
        e = entry_of("a.md", "---\ntitle: A\npermalink: /2019/03/04/ratio-16:9/\n---\nx\n")
        assert (e.url, e.date_source) == ("https://news.example.org/2019/03/04/ratio-16:9/", "permalink")

    def test_front_matter_and_file_name_come_first(self, entry_of) -> None:
        """A date key, then a dated file name, win over the address."""
        e = entry_of("a.md", '+++\ntitle = "A"\ndate = 2020-01-01\npath = "2014/12/12/x"\n+++\nx\n')
        assert (e.date.date().isoformat(), e.date_source) == ("2020-01-01", "front matter")
        e = entry_of("2021-05-04-b.md", '+++\ntitle = "B"\npath = "2014/12/12/x"\n+++\nx\n')
        assert (e.date.date().isoformat(), e.date_source) == ("2021-05-04", "filename")


class TestPelicanEmptyHeaders:
    def test_a_header_with_nothing_after_it_is_empty(self, entry_of) -> None:
        """'Tags: ' and 'Category:' with no value leave the header block read: title, date, no tags, folder category."""
        e = entry_of("news/a.md", "Title: The Hipster Effect: Why Anti-Conformists Always End Up Looking The Same\n"
                                  "Date: 2019-03-05\nTags: \nCategory:\nModified:\n\nBody.\n")
        assert (e.title, e.title_source) == ("The Hipster Effect: Why Anti-Conformists Always End Up Looking The Same",
                                             "front matter")
        assert (e.date.date().isoformat(), e.tags, e.category.slug, e.updated) == ("2019-03-05", (), "news", e.date)

    def test_an_empty_date_header_is_no_date(self, entry_of) -> None:
        """'Date:' with nothing after it gives way to the file name's date."""
        e = entry_of("2018-07-01-a.md", "Title: A\nDate:\n\nBody.\n")
        assert (e.date.date().isoformat(), e.date_source) == ("2018-07-01", "filename")


class TestPelicanSummary:
    """Pelican renders a Markdown document's Summary header as Markdown (FORMATTED_FIELDS): it is read as text."""

    def test_a_summary_header_loses_its_markup(self, entry_of) -> None:
        """Emphasis markers and link syntax go, link text and snake_case stay, entities are decoded once."""
        e = entry_of("news/a.md", "Title: A\nDate: 2015-07-28\nSummary: A first _Article_.  *Articles* are "
                                  "[posts](https://getpelican.com/) in snake_case &amp; `code`.\n\nBody.\n")
        assert (e.summary, e.summary_source) == ("A first Article. Articles are posts in snake_case & code.",
                                                 "front matter")

    def test_a_summary_in_yaml_is_read_as_written(self, entry_of) -> None:
        """YAML front matter's summary is not Pelican's header: its characters stay."""
        e = entry_of("news/a.md", "---\ntitle: A\ndate: 2015-07-28\nsummary: 'A _first_ *test*'\n---\nBody.\n")
        assert e.summary == "A _first_ *test*"

    def test_a_description_header_is_read_as_written(self, entry_of) -> None:
        """Only Summary is one of Pelican's formatted fields: a Description header keeps its characters."""
        e = entry_of("news/a.md", "Title: A\nDate: 2015-07-28\nDescription: A *test*\n\nBody.\n")
        assert e.summary == "A *test*"


class TestYearFolders:
    @pytest.mark.parametrize(("name", "url"), [
        ("2025/slug/index.md", "2025/slug/"),
        ("2025/05/slug/index.md", "2025/05/slug/"),
        ("2019/old-post.md", "2019/old-post/"),
        ("2019/07/old-post.md", "2019/07/old-post/"),
        ("2022/12/notes.md", "2022/12/notes/"),
        ("2022/13/notes.md", "2022/notes/"),  # no month: not kept (the file's year folder is)
    ])
    def test_a_year_folder_is_an_archive_not_a_category(self, entry_of, name: str, url: str) -> None:
        """The default category; the year (and month) stay in the address, so years never share one."""
        e = entry_of(name, "---\ntitle: A\ndate: 2025-01-01\n---\nx\n", default_category="Blog")
        assert (e.category.slug, e.category_source, e.url) == ("blog", "default", "https://news.example.org/" + url)

    def test_a_one_digit_month_folder_is_kept(self, entry_of) -> None:
        """posts/2022/1/ and posts/2022/2/ (Eleventy's folders, its addresses) keep their months: two notes.md apart."""
        urls = {entry_of(f"posts/2022/{m}/notes.md", "---\ntitle: A\ndate: 2022-01-01\n---\nx\n").url for m in (1, 2)}
        assert urls == {"https://news.example.org/posts/2022/1/notes/", "https://news.example.org/posts/2022/2/notes/"}

    def test_front_matter_names_the_category(self, entry_of) -> None:
        """A category key still decides."""
        e = entry_of("2025/slug/index.md", "---\ntitle: A\ndate: 2025-01-01\ncategory: Rust\n---\nx\n")
        assert (e.category.slug, e.category_source) == ("rust", "front matter")

    def test_other_folders_still_name_categories(self, entry_of) -> None:
        """A folder of another name names the category; a five-digit folder is no year."""
        e = entry_of("blog/a.md", "---\ntitle: A\ndate: 2025-01-01\n---\nx\n")
        assert (e.category.slug, e.url) == ("blog", "https://news.example.org/blog/a/")
        e = entry_of("12345/a.md", "---\ntitle: A\ndate: 2025-01-01\n---\nx\n")
        assert (e.category.slug, e.url) == ("12345", "https://news.example.org/12345/a/")

    @pytest.mark.parametrize(("name", "url"), [
        ("blog/2025/slug/index.md", "blog/2025/slug/"),  # Hugo's content/blog/2025/slug/index.md, source at content
        ("blog/2025/05/slug.md", "blog/2025/05/slug/"),
        ("News Room/2019/old-post.md", "news-room/2019/old-post/"),
        ("blog/2025/13/slug.md", "blog/2025/slug/"),  # no month 13: a folder of its own, not in the address
    ])
    def test_year_folders_below_a_section_stay_in_the_address(self, entry_of, name: str, url: str) -> None:
        """The section folder names the category, never the year; the address keeps section and year, as Hugo's does."""
        e = entry_of(name, "---\ntitle: A\ndate: 2025-01-01\n---\nx\n")
        assert (e.category.slug, e.url) == (url.split("/", maxsplit=1)[0], "https://news.example.org/" + url)

    def test_the_same_slug_in_two_years_is_two_pages(self, entry_of) -> None:
        """blog/2024/weekly-notes and blog/2025/weekly-notes do not share an address (nor an id)."""
        text = "---\ntitle: Weekly notes\ndate: 2025-01-01\ncategory: Notes\n---\nx\n"
        first, second = entry_of("blog/2024/weekly-notes.md", text), entry_of("blog/2025/weekly-notes/index.md", text)
        assert (first.url, second.url) == ("https://news.example.org/blog/2024/weekly-notes/",
                                           "https://news.example.org/blog/2025/weekly-notes/")
        assert first.id != second.id and first.category.slug == second.category.slug == "notes"


class TestAuthorLinks:
    @pytest.mark.parametrize(("text", "expected"), [
        ("[Jane Doe](https://github.com/jdoe) (Acme)", [("Jane Doe", "https://github.com/jdoe", "", "Acme")]),
        ("[A](https://u1.example/), [B](https://u2.example/) (Org)",
         [("A", "https://u1.example/", "", ""), ("B", "https://u2.example/", "", "Org")]),
        ("[A](https://u1.example/) (X) and [B](https://u2.example/) (Y)",
         [("A", "https://u1.example/", "", "X"), ("B", "https://u2.example/", "", "Y")]),
        ("By [Jane](https://a.example/) and [Bob](https://b.example/)",
         [("Jane", "https://a.example/", "", ""), ("Bob", "https://b.example/", "", "")]),
        ("[A](/people/a/) & Bob Smith on behalf of the team",
         [("A", "https://news.example.org/people/a/", "", ""), ("Bob Smith on behalf of the team", "", "", "")]),
        ("[Doe, Jane](https://d.example/)", [("Doe, Jane", "https://d.example/", "", "")]),
        ("[Jane Doe](mailto:jane@example.com)", [("Jane Doe", "", "jane@example.com", "")]),
        ("[Jane](javascript:alert(1))", [("Jane", "", "", "")]),
        ("Jane Doe <jane@example.com>", [("Jane Doe", "", "jane@example.com", "")]),
        ("jane@example.com", [("jane@example.com", "", "jane@example.com", "")]),
        ("Healthcare+ Expo (Paris)", [("Healthcare+ Expo (Paris)", "", "", "")]),  # no link: one name, verbatim
    ])
    @pytest.mark.parametrize("key", ["author", "authors", "by"])
    def test_every_link_is_an_author_with_its_affiliation(self, entry_of, key: str, text: str,
                                                          expected: list[tuple[str, str, str, str]]) -> None:
        """Each Markdown link is a name and a URI, the parenthesis after it the affiliation, in any author key."""
        e = entry_of("a.md", f"---\ntitle: A\ndate: 2024-01-01\n{key}: '{text}'\n---\nx\n")
        assert [(a.name, a.uri, a.email, a.affiliation) for a in e.authors] == expected

    def test_a_list_of_linked_authors(self, entry_of) -> None:
        """Each item of a list is read the same way."""
        e = entry_of("a.md", "---\ntitle: A\ndate: 2024-01-01\nauthors:\n- '[A](https://a.example/) (X)'\n- B\n---\nx\n")
        assert [(a.name, a.uri, a.affiliation) for a in e.authors] == [("A", "https://a.example/", "X"), ("B", "", "")]

    def test_an_author_line_is_read_the_same_way(self, entry_of) -> None:
        """A trailing Author: line with a link gives a name and a URI."""
        e = entry_of("a.txt", "Headline\n\nBody.\n\nAuthor: [Jane Doe](https://j.example/) (Acme)\n")
        assert [(a.name, a.uri, a.affiliation) for a in e.authors] == [("Jane Doe", "https://j.example/", "Acme")]


class TestWhatIsAPost:
    @pytest.mark.parametrize(("sources", "pages", "mostly"), [
        (["front matter", "filename", "mtime"], 0, True),
        (["front matter", "mtime"], 0, False),  # half is not most
        (["front matter", "path"], 1, True),
        (["front matter", "path"], 2, False),  # the pages count among the documents
        (["git", "mtime", "newest seed", "Date: line"], 0, False),
    ])
    def test_mostly_dated(self, sources: list[str], pages: int, mostly: bool) -> None:
        """More than half of the documents, pages included, carry their own date."""
        assert mostly_dated(sources, pages) is mostly

    @pytest.mark.parametrize(("text", "reason"), [
        ('+++\ntemplate = "latest.html"\n+++\n', "no text to publish (its body is empty; 'template' names the list "
                                                    "template 'latest.html')"),
        ("---\ntitle: Index\ntemplate: true\n---\n<ul>{{ range .Pages }}<li>{{ .Title }}</li>{{ end }}</ul>\n",
         "no text to publish (its body is only template syntax; 'template: true' makes its body a template)"),
        ("---\ntitle: Archive\nlayout: archives\n---\nEvery post, by year.\n",
         "'layout' names the list template 'archives'"),
        ("---\ntitle: Tags\n---\n{% for t in site.tags %}{{ t }}{% endfor %}\n",
         "no text to publish (its body is only template syntax)"),
    ])
    def test_an_undated_page_is_not_a_post(self, entry_of, text: str, reason: str) -> None:
        """No date of its own, and no text or a list template: one NotAPost problem saying why."""
        with pytest.raises(SourceError) as e:
            entry_of("blog/x.md", text)
        assert [(type(p), str(p)) for p in e.value.problems] == [
            (NotAPost, f"blog/x.md: not a post, left out: no date of its own and {reason}")]

    @pytest.mark.parametrize("text", [
        "---\ntitle: About\nlayout: page\n---\nWho we are.\n",  # a template that lists nothing
        "---\ntitle: Index\ntemplate: true\ndate: 2024-01-01\n---\nText {{ x }}.\n",  # a date of its own
        "Just a note with text.\n",
        '---\ntitle: Blank\nlayout: " "\n---\nText.\n',  # a blank template name names no template
        '---\ntitle: Dot\nlayout: "."\n---\nText.\n',
    ])
    def test_posts_stay_posts(self, entry_of, text: str) -> None:
        """Text and no list template, or a date of its own: normalised as before."""
        assert entry_of("blog/x.md", text).rel == "blog/x.md"

    def test_find_pages_off_reads_it_as_any_document(self, entry_of, tmp_path: Path,
                                                      make_config: Callable[..., Config]) -> None:
        """Without find_pages, the page is a document like any other (here: one with no text, an error)."""
        path = write_doc(tmp_path / "s", "x.md", "---\ntitle: T\n---\n{{ x }}\n")
        with pytest.raises(SourceError) as e:
            normalise(load.read(path, tmp_path / "s"), make_config(tmp_path / "s"), find_pages=False)
        assert str(e.value) == "x.md:3: document has no body text and no 'summary' to publish"

    def test_a_title_a_date_and_only_template_syntax_is_a_post_without_text(self, entry_of) -> None:
        """A Pelican post that is only {% notebook %}, or only its headers: published with its title and date."""
        e = entry_of("a.md", "Title: Notebook\nDate: 2017-12-18\n\n{% notebook x.ipynb cells[1:] %}\n")
        assert (e.title, e.date.date().isoformat(), e.summary) == ("Notebook", "2017-12-18", "")
        e = entry_of("b.md", "Title: GCC\nDate: 2016-04-11 22:57:37\n\n\n")  # as Pelican publishes it
        assert (e.title, e.summary, e.template_only) == ("GCC", "", 4)

    def test_template_only_is_the_line_of_a_body_of_tags_alone(self, entry_of) -> None:
        """template_only is the file line the body starts on when it was tags alone; 0 with any text, or tags kept."""
        tags = "Title: Notebook\nDate: 2017-12-18\n\n{% notebook x.ipynb %}\n"
        assert entry_of("a.md", tags).template_only == 4
        assert entry_of("b.md", "---\ntitle: N\ndate: 2017-12-18\n---\n\n{% notebook x %}\n").template_only == 6
        assert entry_of("c.md", tags + "\nA word.\n").template_only == 0
        assert entry_of("d.md", tags, template_syntax="keep").template_only == 0
        assert entry_of("e.md", "Title: T\nDate: 2017-12-18\n\nText.\n").template_only == 0
        assert entry_of("f.md", "Title: T\nDate: 2017-12-18\nSummary: S\n\n").template_only == 0  # a link post
        assert entry_of("g.md", "Title: T\nDate: 2017-12-18\nSummary: S\n\n{% x %}\n").template_only == 5
