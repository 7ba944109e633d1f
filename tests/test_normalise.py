"""Normalising: what each document means, where each value came from, located errors."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feedpub.config import Config
from feedpub.errors import SourceError
from feedpub.model import Entry
from feedpub.sources import load
from feedpub.sources.normalise import normalise
from tests.conftest import write_doc


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
        env = {**os.environ, "GIT_AUTHOR_DATE": "2019-07-08T09:10:11+02:00",
               "GIT_COMMITTER_DATE": "2019-07-08T09:10:11+02:00", "GIT_AUTHOR_NAME": "t",
               "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
        for cmd in (["init", "-q"], ["add", "."], ["commit", "-qm", "add"]):
            subprocess.run(["git", "-C", str(src), *cmd], check=True, env=env)
        path.write_text("Headline\n\nBody changed.\n")  # later edits do not move the date
        e = normalise(load.read(path, src), make_config(src))
        assert (e.date.isoformat(), e.date_source) == ("2019-07-08T07:10:11+00:00", "git")

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
        """An empty file, or front matter with no body and no summary, is an error."""
        assert _error(entry_of, "a.md", "") == "a.md: file is empty"
        assert _error(entry_of, "b.md", "---\ntitle: B\n---\n") == \
            "b.md:3: document has no body text and no 'summary' to publish"

    def test_front_matter_only_with_summary_is_a_link_post(self, entry_of) -> None:
        """Front matter with a summary but no body is published (a link post)."""
        assert entry_of("a.md", "---\ntitle: A\nsummary: S\n---\n").summary == "S"
