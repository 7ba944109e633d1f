"""Content folders of real generators' sites (tests/sites/<generator>/), built and checked field by field.

Each fixture is written the way its generator's documentation shows: Hugo with TOML, YAML and
JSON front matter and a page bundle; Zola with TOML, [taxonomies], [extra] and path; Jekyll
with _posts, Liquid and excerpt_separator; Pelican with metadata headers; Eleventy with
---json and ---js. Then the conventions that once stopped or spoiled a whole real blog: a Zola
blog dated only by its 'path' with a template-only page, Go's website with a template index
page, a Pelican blog of notebook posts, Hugo year folders, authors as Markdown links with an
affiliation. Feeds are read back with feedparser and json.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import feedparser
import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from feedpub.cli import cli
from feedpub.commands.check import CheckReport, check
from feedpub.config import Config
from feedpub.pipeline import build, entries
from feedpub.sources.fields.status import TEMPLATE_ONLY
from tests.conftest import NOW

SITES = Path(__file__).parent / "sites"
BASE = "https://blog.example.org/"
# Text of front matter or templates that must never reach a reader.
TRANSLATION = "a translation of {} (Hugo's file name for a language: feedpub publishes one)"
LEAKS = ("+++", "---js", "---json", "{{", "}}", "{%", "%}", "Title:", "Date:", "eleventyExcludeFromCollections", "taxonomies")


class Site:
    """A fixture site built into a temporary folder, its feeds read back."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.result = build(config, now=NOW, skip_invalid=True)
        self.atom = feedparser.parse((config.out / "atom.xml").read_bytes())
        self.json = json.loads((config.out / "feed.json").read_text(encoding="utf-8"))
        self.rss = feedparser.parse((config.out / "rss.xml").read_bytes())
        assert self.atom.bozo == 0 and self.rss.bozo == 0
        # the three feeds publish the same posts, with the same links
        links = [(e.title, e.link) for e in self.atom.entries]
        assert links == [(e.title, e.link) for e in self.rss.entries] == [
            (i["title"], i["url"]) for i in self.json["items"]]

    def entry(self, title: str) -> Any:
        """Return the Atom entry titled title."""
        return next(e for e in self.atom.entries if e.title == title)

    def item(self, title: str) -> dict[str, Any]:
        """Return the JSON Feed item titled title."""
        return next(i for i in self.json["items"] if i["title"] == title)

    def model(self, title: str) -> Any:
        """Return the published Entry titled title (every field, authors all)."""
        return next(e for e in entries(self.result, self.config) if e.title == title)

    def titles(self) -> set[str]:
        """Return the titles the feeds publish."""
        return {e.title for e in self.atom.entries}

    def text(self) -> str:
        """Return every output file's text, for what must not leak into any of them."""
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(self.config.out.rglob("*"))
                         if p.is_file() and p.suffix in (".xml", ".json", ".html", ".txt"))


@pytest.fixture
def site(tmp_path: Path, make_config: Callable[..., Config]) -> Callable[..., Site]:
    """Copy a fixture site to tmp_path and build it (its content folder: the part below the site)."""

    def make(name: str, content: str = "", **config: Any) -> Site:
        root = tmp_path / name
        shutil.copytree(SITES / name, root)
        return Site(make_config(root / content if content else root, base_url=BASE, **config))

    return make


def _report(site: Site) -> CheckReport:
    return check(site.config, now=NOW)


def _codes(report: CheckReport) -> list[tuple[str, str, int | None]]:
    return [(f.code, f.path, f.line) for f in report.findings]


class TestHugo:
    def test_toml_front_matter_is_read_field_by_field(self, site: Callable[..., Site]) -> None:
        """A TOML post gives title, date with its offset, lastmod, category, tags, authors, summary, image and link."""
        hugo = site("hugo", "content")
        e = hugo.entry("Shipping the TOML parser")
        assert e.published == "2024-03-05T09:30:00+01:00"
        assert e.updated == "2024-03-07T10:00:00+01:00"
        assert e.link == BASE + "engineering/toml-parser/"
        assert [t.term for t in e.tags] == ["Engineering", "toml", "parsers"]  # the category by its display name
        assert e.summary == "How the new parser reads TOML front matter."
        assert [a["name"] for a in e.authors] == ["Wei Lin", "Mei-Ling Chen"]  # feedparser's .author is the last
        assert [a.name for a in hugo.model("Shipping the TOML parser").authors] == ["Wei Lin", "Mei-Ling Chen"]
        item = hugo.item("Shipping the TOML parser")
        assert item["image"] == BASE + "images/toml.png"
        assert item["tags"] == ["Engineering", "toml", "parsers"]

    def test_yaml_and_json_front_matter_and_markdown_link_authors(self, site: Callable[..., Site]) -> None:
        """YAML with description, cover.image and a Markdown-link author; JSON front matter with params; no draft."""
        hugo = site("hugo", "content")
        release = hugo.item("Release 2.0: what changed")
        assert release["date_published"] == "2024-04-10T08:00:00-04:00"
        assert release["summary"] == "Everything new in the second release."
        assert release["image"] == BASE + "images/release.jpg"
        assert release["authors"] == [{"name": "Ana Silva", "url": "https://example.com/ana/"}]  # not "[Ana Silva](https://…)"
        assert hugo.model("Release 2.0: what changed").authors[0].uri == "https://example.com/ana/"
        assert "<!--more-->" not in release["content_html"] and "The rest of the story" in release["content_html"]
        notes = hugo.item("Notes in JSON")
        assert (notes["date_published"], notes["url"]) == ("2024-02-20T12:00:00+00:00", BASE + "notes/json-notes/")
        assert notes["image"] == BASE + "images/toml.png"  # from params, Hugo's custom fields
        assert notes["authors"] == [{"name": "Lars Tao"}]  # the top level wins over params
        assert hugo.titles() == {"Shipping the TOML parser", "Release 2.0: what changed", "Notes in JSON",
                                 "A page bundle"}  # no README, no _index.md, no draft

    def test_page_bundle_takes_its_folder_and_resolves_its_files(self, site: Callable[..., Site]) -> None:
        """posts/bundle-post/index.md is 'bundle-post', and its relative image and links resolve under its own URL."""
        bundle = site("hugo", "content").item("A page bundle")
        assert bundle["url"] == BASE + "engineering/bundle-post/"
        assert bundle["image"] == BASE + "engineering/bundle-post/cover.jpg"
        assert f'src="{BASE}engineering/bundle-post/pipeline.svg"' in bundle["content_html"]
        assert f'href="{BASE}engineering/bundle-post/notes/"' in bundle["content_html"]
        assert f'href="{BASE}"' in bundle["content_html"]  # a root-relative link is the site's

    def test_shortcodes_are_stripped_and_reported(self, site: Callable[..., Site]) -> None:
        """Shortcodes never reach the output; check names each with its line."""
        hugo = site("hugo", "content")
        assert "<p>It was fast enough.</p>" in hugo.item("Shipping the TOML parser")["content_html"]
        for leak in LEAKS:
            assert leak not in hugo.text(), leak
        report = _report(hugo)
        assert [c for c in _codes(report) if c[0] == "template-syntax"] == [
            ("template-syntax", "posts/toml-parser.md", 15), ("template-syntax", "posts/toml-parser.md", 17),
            ("template-syntax", "posts/toml-parser.md", 17)]
        assert dict(report.excluded) == {
            "README.md": "not an article (README, LICENSE, CHANGELOG…)",
            "_index.md": "file starting with '_' (Hugo's _index.md: a section page)",
            "posts/_index.md": "file starting with '_' (Hugo's _index.md: a section page)",
            "posts/bundle-post/index.fr.md": TRANSLATION.format("index.md"),
            "posts/yaml-release.pt-BR.md": TRANSLATION.format("yaml-release.md")}

    def test_translations_by_file_name_are_left_out(self, site: Callable[..., Site]) -> None:
        """index.fr.md beside a bundle's index.md and yaml-release.pt-BR.md beside yaml-release.md are the same
        pages in other languages: left out without a 'duplicate permalink' error, nothing of them published."""
        hugo = site("hugo", "content")
        assert not hugo.result.skipped
        assert hugo.titles() == {"Shipping the TOML parser", "Release 2.0: what changed", "Notes in JSON",
                                 "A page bundle"}
        assert "Un paquet de page" not in hugo.text() and "Versão 2.0" not in hugo.text()
        assert not [f for f in _report(hugo).findings if f.severity == "error"]

    def test_keep_leaves_template_syntax_as_text(self, site: Callable[..., Site]) -> None:
        """template_syntax = "keep" publishes the tags as they are written."""
        hugo = site("hugo", "content", template_syntax="keep")
        assert "{{% mark %}}fast{{% /mark %}}" in hugo.item("Shipping the TOML parser")["content_html"]


class TestZola:
    def test_toml_taxonomies_extra_and_updated(self, site: Callable[..., Site]) -> None:
        """[taxonomies] give category and tags, [extra] the image, the dated file name its slug without the date."""
        zola = site("zola", "content")
        e = zola.entry("First light")
        assert e.published == "2024-01-15T21:00:00+09:00"
        assert e.updated == "2024-01-16T00:00:00+00:00"
        assert e.link == BASE + "observatory/first-light/"
        assert [t.term for t in e.tags] == ["Observatory", "astronomy", "telescopes"]
        assert e.author == "Mika Sato"
        assert e.summary == "The telescope's first night."
        assert zola.item("First light")["image"] == BASE + "img/first-light.jpg"

    def test_path_and_bundle_and_draft(self, site: Callable[..., Site]) -> None:
        """'path' sets the address, the bundle's image resolves under it, and draft = true is left out."""
        zola = site("zola", "content")
        second = zola.item("Second light")
        assert second["url"] == BASE + "notes/second-light/"
        assert f'src="{BASE}notes/second-light/dome.png"' in second["content_html"]
        assert zola.titles() == {"First light", "Second light"}


class TestJekyll:
    def test_posts_dates_slugs_categories_and_excerpt(self, site: Callable[..., Site]) -> None:
        """_posts are read: the front-matter time zone, categories' first, author lists, excerpt_separator."""
        jekyll = site("jekyll", exclude=["/*.md"])
        e = jekyll.entry("Liquid tags, kept apart")
        assert e.published == "2023-11-20T14:05:00+01:00"
        assert e.link == BASE + "releases/liquid-tags/"
        assert [t.term for t in e.tags] == ["Releases", "liquid", "jekyll"]
        assert e.summary == "Templates are text in a feed."
        assert [a.name for a in jekyll.model("Liquid tags, kept apart").authors] == ["Wei Lin", "Mei-Ling Chen"]
        install = jekyll.entry("Installing")
        assert (install.published, install.link) == ("2023-11-01T00:00:00+00:00", BASE + "news/install/")
        assert jekyll.titles() == {"Liquid tags, kept apart", "Installing", "Welcome to Jekyll!"}  # not the draft, stub, page or home

    def test_a_permalink_pattern_is_not_the_link(self, site: Callable[..., Site]) -> None:
        """permalink: /:categories/:year/:month/:day/:title/ is Jekyll's pattern: the post's link is feedpub's own."""
        jekyll = site("jekyll", exclude=["/*.md"])
        welcome = jekyll.item("Welcome to Jekyll!")
        assert (welcome["date_published"], welcome["url"], welcome["tags"]) == (
            "2023-12-10T00:00:00+00:00", BASE + "jekyll/welcome-to-jekyll/", ["Jekyll"])  # the first category
        assert (jekyll.config.out / "jekyll" / "welcome-to-jekyll" / "index.html").is_file()
        assert "/:title" not in jekyll.text() and "/:year" not in jekyll.text()
        assert ("_posts/2023-12-10-welcome-to-jekyll.md", "filename") in {
            (d.path, d.date_source) for d in _report(jekyll).documents}

    def test_raw_is_unwrapped_and_other_liquid_stripped(self, site: Callable[..., Site]) -> None:
        """{% raw %} keeps its text; {{ site.x }} is gone from every output; {% link %} is the linked post's URL."""
        jekyll = site("jekyll", exclude=["/*.md"])
        html = jekyll.item("Liquid tags, kept apart")["content_html"]
        assert "Write {{ page.title }} to show a title." in html
        assert "{%" not in html and "site.baseurl" not in html
        install = jekyll.item("Installing")["url"]
        assert f'<a href="{install}">install guide</a>' in html

    def test_check_reports_typos_template_tags_and_exclusions(self, site: Callable[..., Site]) -> None:
        """catgory and sumary get 'did you mean'; template tags their line; the stub, home and layouts are excluded."""
        report = _report(site("jekyll", exclude=["/*.md"]))
        messages = {(f.code, f.path, f.line): f.message for f in report.findings}
        assert "did you mean 'category'" in messages[("unknown-key", "_posts/2023-11-01-install.md", 4)]
        assert "did you mean 'summary'" in messages[("unknown-key", "_posts/2023-11-01-install.md", 5)]
        # {{ site.baseurl }}; the {% link %} beside it is resolved (sources.xref), no template left
        assert [c for c in _codes(report) if c[0] == "template-syntax"] == [
            ("template-syntax", "_posts/2023-11-20-liquid-tags.md", 14)]
        assert ("excluded", "_posts/2023-10-05-old-link.md", None) in messages
        assert dict(report.excluded) == {"_layouts/": "folder starting with '_' (not a content folder like _posts)",
                                         "about.md": "matches 'exclude'",
                                         "index.md": "the site's home page (index.md at the top)"}
        assert not [c for c in _codes(report) if c[0] == "unknown-key" and "layout" in str(messages[c])]

    def test_front_matter_keys_accepts_keys_quietly(self, site: Callable[..., Site]) -> None:
        """Keys listed in front_matter_keys are no warning."""
        report = _report(site("jekyll", exclude=["/*.md"], front_matter_keys=["catgory", "sumary"]))
        assert not [f for f in report.findings if f.code == "unknown-key"]


class TestPelican:
    def test_metadata_headers_are_read(self, site: Callable[..., Site]) -> None:
        """Title/Date/Modified/Category/Tags/Slug/Authors/Summary headers become fields, not text."""
        pelican = site("pelican", "content", exclude=["pages/**"])
        e = pelican.entry("My super title")
        assert (e.published, e.updated) == ("2010-12-03T10:20:00+00:00", "2010-12-05T19:30:00+00:00")
        assert e.link == BASE + "python/my-super-post/"
        assert [t.term for t in e.tags] == ["Python", "pelican", "publishing"]
        assert e.summary == "Short version for index and feeds"
        assert pelican.item("My super title")["content_html"] == "<p>This is the content of my super blog post.</p>"
        for leak in LEAKS:
            assert leak not in pelican.text(), leak

    def test_semicolons_and_status_draft(self, site: Callable[..., Site]) -> None:
        """'Doe, Jane; Roe, Richard' is two authors; Status: draft and the pages folder are not published."""
        pelican = site("pelican", "content", exclude=["pages/**"])
        second = pelican.item("Lists with commas")
        assert second["authors"][0] == {"name": "Metaireau, Alexis"}
        assert [a.name for a in pelican.model("Lists with commas").authors] == ["Metaireau, Alexis", "Doyle, Conan"]
        assert second["tags"] == ["Python", "pelican, publishing tool", "pelican, bird"]
        assert pelican.titles() == {"My super title", "Lists with commas"}


class TestEleventy:
    def test_json_front_matter_and_permalink_templates(self, site: Callable[..., Site]) -> None:
        """---json is read (author mapping with url and email); a permalink template is not taken as a URL."""
        eleventy = site("eleventy")
        item = eleventy.item("Front matter in JSON")
        assert item["date_published"] == "2024-06-01T00:00:00+00:00"
        assert item["authors"] == [{"name": "Grace Tao", "url": "https://example.com/grace/"}]  # no e-mail: JSON Feed has no field for it
        author = eleventy.model("Front matter in JSON").authors[0]
        assert (author.uri, author.email) == ("https://example.com/grace/", "grace@example.com")
        assert item["tags"] == ["Posts", "eleventy"]  # its category (the folder), then its tags but the collection
        yaml_post = eleventy.item("A YAML post")
        assert yaml_post["url"] == BASE + "posts/yaml-post/"
        assert yaml_post["image"] == BASE + "img/yaml.png"

    def test_js_front_matter_is_never_published(self, site: Callable[..., Site]) -> None:
        """---js is an error naming the file (skipped with --skip-invalid); eleventyExcludeFromCollections is a draft."""
        eleventy = site("eleventy")
        assert eleventy.titles() == {"Front matter in JSON", "A YAML post"}
        assert [str(p) for p in eleventy.result.skipped] == [
            "posts/js-post.md:1: front matter in JavaScript (---js) is not read: feedpub never runs code; "
            "write it as YAML or ---json, or add the file to 'exclude'"]
        assert "Computed" not in eleventy.text() and "function(data)" not in eleventy.text()


class TestOutputInsideSource:
    def test_the_output_folder_is_never_read_back(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """With out inside source, a second build publishes what the first did: no digest .txt becomes an article."""
        source = tmp_path / "articles"
        (source / "news").mkdir(parents=True)
        (source / "news" / "a.md").write_text("---\ntitle: A\ndate: 2025-01-10\n---\nText.\n", encoding="utf-8")
        config = make_config(source, out=str(source / "dist"), base_url=BASE, future=True)  # files dated now count
        first = [r.rel for r in build(config, now=NOW).published]
        assert any(p.suffix == ".txt" for p in (source / "dist").rglob("*"))  # the digest's text version
        second = [r.rel for r in build(config, now=NOW).published]
        assert first == second == ["news/a.md"]


def _cli_build(site: Site) -> Any:
    """Build the site again from the command line (the exit code and what it says)."""
    return CliRunner().invoke(cli, ["build", "--source", str(site.config.source), "--out", str(site.config.out)],
                              catch_exceptions=False, env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))})


def _kicker(site: Site) -> str:
    """Return the line above the digest's top story (its category), read from the HTML digest."""
    (kicker,) = lxml_html.fromstring((site.config.out / "digest" / "latest.html").read_bytes()).find_class("kicker")
    return " ".join(kicker.text_content().split())


def _findings(report: CheckReport, code: str) -> list[tuple[str, int | None, str]]:
    return [(f.path, f.line, f.message) for f in report.findings if f.code == code]


class TestZolaPathDates:
    """A Zola blog (the Rust blog's layout) whose posts carry their date only in 'path'."""

    def test_each_post_is_dated_by_its_path(self, site: Callable[..., Site]) -> None:
        """'2014/12/12/…', '/2015/12/10/…/' and 'inside-rust/2024/01/02/…' date the posts; path is the link."""
        zola = site("zola-paths", "content")
        timeline = zola.entry("Rust 1.0: Scheduling the trains")
        assert (timeline.published, timeline.link) == ("2014-12-12T00:00:00+00:00", BASE + "2014/12/12/1.0-Timeline/")
        assert timeline.summary == "The release schedule that leads up to 1.0."
        assert [a["name"] for a in timeline.authors] == ["Aaron Turon"]
        assert [t.term for t in timeline.tags] == ["News"]  # the default category
        release = zola.item("Announcing Rust 1.5")
        assert (release["date_published"], release["url"]) == ("2015-12-10T00:00:00+00:00", BASE + "2015/12/10/Rust-1.5/")
        meeting = zola.item("Compiler team planning meeting")
        assert (meeting["date_published"], meeting["url"], meeting["tags"]) == (
            "2024-01-02T00:00:00+00:00", BASE + "inside-rust/2024/01/02/compiler-team-meeting/", ["Inside Rust"])
        assert meeting["authors"] == [{"name": "Jane Doe", "url": "https://github.com/jdoe"}]
        assert [r.date_source for r in zola.result.published] == ["path"] * 3

    def test_the_template_only_page_is_left_out_with_a_warning(self, site: Callable[..., Site]) -> None:
        """+++ template = "latest.html" +++ is no post: the build says so and exits 0; check says where dates came from."""
        zola = site("zola-paths", "content")
        assert zola.titles() == {"Rust 1.0: Scheduling the trains", "Announcing Rust 1.5", "Compiler team planning meeting"}
        assert not (zola.config.out / "releases").exists()  # no page, no category of it
        assert "latest.html" not in zola.text()
        assert (zola.result.skipped, zola.result.warnings[0]) == ((), (
            "releases/latest.md: not a post, left out: no date of its own and no text to publish "
            "(its body is empty; 'template' names the list template 'latest.html')"))
        run = _cli_build(zola)  # a second build, from the build cache: the page is still left out, and said
        assert run.exit_code == 0
        assert "Warning: releases/latest.md: not a post, left out" in run.stderr
        report = _report(zola)
        assert _findings(report, "not-a-post") == [("releases/latest.md", None, zola.result.warnings[0].split(": ", 1)[1])]
        assert not report.errors
        assert {(d.path, d.date[:10], d.date_source) for d in report.documents} == {
            ("Rust-1.0-alpha.md", "2014-12-12", "path"), ("Rust-1.5.md", "2015-12-10", "path"),
            ("inside-rust/compiler-team-meeting.md", "2024-01-02", "path")}
        assert "from path" in str(report.documents[0])


class TestGoTemplateIndex:
    """Go's website: posts with date and by, and blog/index.md, a template (template: true) with no date."""

    def test_the_index_page_is_not_the_newest_post(self, site: Callable[..., Site]) -> None:
        """The template index is left out with a not-a-post warning; the posts are read field by field."""
        go = site("gosite", "_content")
        assert go.titles() == {"Go 1.4 is released", "Go's Declaration Syntax"}
        assert "The Go Blog" not in go.text() and "{{" not in go.text()  # no page, no listing, no feed entry
        assert go.atom.entries[0].title == "Go 1.4 is released"  # the newest post leads, not the index
        item = go.item("Go 1.4 is released")
        assert (item["date_published"], item["url"], item["authors"], item["tags"]) == (
            "2014-12-10T00:00:00+00:00", BASE + "blog/go1-4/", [{"name": "Andrew Gerrand"}], ["Blog", "release"])
        assert item["summary"] == "Go 1.4 adds support for Android, go generate, optimizations, and more."
        assert go.result.warnings[0] == (
            "blog/index.md: not a post, left out: no date of its own and no text to publish "
            "(its body is only template syntax; 'template: true' makes its body a template)")
        assert _cli_build(go).exit_code == 0
        report = _report(go)
        assert [p for p, _line, _m in _findings(report, "not-a-post")] == ["blog/index.md"]
        assert not report.errors

    def test_an_undated_source_keeps_its_undated_documents(self, site: Callable[..., Site], tmp_path: Path) -> None:
        """Where most documents are undated, an undated document without text is read as any other document."""
        go = site("gosite", "_content")
        for name in ("go1.4.md", "gos-declaration-syntax.md"):
            path = go.config.source / "blog" / name
            path.write_text(path.read_text(encoding="utf-8").replace("date: ", "written: "), encoding="utf-8")
        report = _report(go)
        assert not _findings(report, "not-a-post")
        assert [(d.path, d.date_source) for d in report.documents] == [
            ("blog/go1.4.md", "mtime"), ("blog/gos-declaration-syntax.md", "mtime"), ("blog/index.md", "mtime")]
        (go.config.source / "blog" / "index.md").write_text("---\ntitle: The Go Blog\ntemplate: true\n---\n{{ x }}\n",
                                                              encoding="utf-8")
        assert [(p, m) for p, _line, m in _findings(_report(go), "invalid")] == [
            ("blog/index.md", "document has no body text and no 'summary' to publish")]
        result = build(go.config, now=NOW, skip_invalid=True)
        assert [str(p) for p in result.skipped] == [
            "blog/index.md:4: document has no body text and no 'summary' to publish"]
        assert not [w for w in result.warnings if "not a post" in w]


class TestPelicanNotebooks:
    """A Pelican blog (Octopress's liquid_tags) whose posts are a notebook tag and nothing else."""

    def test_notebook_only_posts_are_published_without_a_body(self, site: Callable[..., Site]) -> None:
        """Title, date, category, tags (the one that is the category said once), author, summary and link; the tag never reaches the output; exit 0."""
        pelican = site("pelican-notebooks", "content")
        chutes = pelican.item("Simulating Chutes & Ladders in Python")
        assert (chutes["date_published"], chutes["url"], chutes["tags"], chutes["authors"]) == (
            "2017-12-18T11:00:00+00:00", BASE + "python/simulating-chutes-and-ladders/", ["Python", "stats"],
            [{"name": "Jake VanderPlas"}])
        assert chutes["summary"] == "Exploring the game of Chutes and Ladders with Markov chains."
        assert pelican.item("Out-of-Core Dataframes in Python")["content_html"] == "<p>A short post with its own text.</p>"
        assert "notebook" not in pelican.text() and "{%" not in pelican.text()
        assert _cli_build(pelican).exit_code == 0
        report = _report(pelican)
        assert not report.errors
        assert [(p, line) for p, line, _m in _findings(report, "no-body")] == [
            ("2017-12-18-simulating-chutes-and-ladders.md", 9), ("hipster-effect.md", 8)]

    def test_the_build_warns_of_each_post_without_text_fresh_or_cached(self, site: Callable[..., Site]) -> None:
        """The build says what check says of a template-only post (file:line), and a cached rebuild says it again."""
        pelican = site("pelican-notebooks", "content")
        said = [w for w in pelican.result.warnings if "only template syntax" in w]
        assert [w.split(": ", 1)[0] for w in said] == ["2017-12-18-simulating-chutes-and-ladders.md:9",
                                                      "hipster-effect.md:8"]
        assert said[0].endswith(": " + TEMPLATE_ONLY)
        again = build(pelican.config, now=NOW, skip_invalid=True)
        assert again.report.written == ()  # every output kept: the records came from the build cache
        assert again.warnings == pelican.result.warnings

    def test_no_warning_for_a_draft_or_for_tags_kept_as_text(self, site: Callable[..., Site]) -> None:
        """A draft is not published, and with template_syntax = "keep" the tags are its text: neither is said."""
        root = SITES / "pelican-notebooks" / "content"
        kept = site("pelican-notebooks", "content", template_syntax="keep")
        assert not [w for w in kept.result.warnings if "only template syntax" in w]
        assert "{% notebook" in kept.item("The Hipster Effect: An IPython Interactive Exploration")["content_html"]
        text = (root / "hipster-effect.md").read_text(encoding="utf-8")
        (kept.config.source / "hipster-effect.md").write_text(text.replace("Title:", "Status: draft\nTitle:", 1),
                                                            encoding="utf-8")
        drafted = build(dataclasses.replace(kept.config, template_syntax="strip"), now=NOW, skip_invalid=True)
        assert [w.split(":", 1)[0] for w in drafted.warnings if "only template syntax" in w] == [
            "2017-12-18-simulating-chutes-and-ladders.md"]

    def test_an_empty_header_leaves_the_header_read(self, site: Callable[..., Site]) -> None:
        """'tags: ' with nothing after it: the title is the Title header's, the date the Date header's, no tags."""
        pelican = site("pelican-notebooks", "content")
        title = "The Hipster Effect: An IPython Interactive Exploration"
        hipster = pelican.item(title)
        assert (hipster["date_published"], hipster["url"], hipster["tags"], hipster["authors"]) == (
            "2014-11-11T09:00:00+00:00", BASE + "python/hipster-effect/", ["Python"], [{"name": "Jake VanderPlas"}])
        # no text and no Summary header: the title stands in (JSON Feed needs content), never the notebook tag
        assert (hipster["summary"], hipster["content_html"]) == (title, f"<p>{title}</p>")
        entry = pelican.model(title)
        assert (entry.title_source, entry.date_source, entry.category_source, entry.tags) == (
            "front matter", "front matter", "front matter", ())
        for leak in LEAKS:
            assert leak not in pelican.text(), leak


class TestHugoYearFolders:
    """Hugo's content/blog/2025/slug/index.md (and 2019/x.md, 2022/05/x.md) with the source at content/blog."""

    def test_year_folders_are_no_categories(self, site: Callable[..., Site]) -> None:
        """The category is the front matter's or the default, never '2025'; the year stays in the link."""
        hugo = site("hugo-years", "content/blog")
        rust = hugo.item("Rust in 2025")
        assert (rust["date_published"], rust["url"], rust["tags"]) == (
            "2025-01-06T10:00:00+00:00", BASE + "2025/rust-in-2025/", ["News"])
        notes = hugo.item("Release notes")
        assert (notes["date_published"], notes["url"], notes["tags"]) == (
            "2019-06-01T00:00:00+00:00", BASE + "2019/release-notes/", ["Releases"])
        may = hugo.item("May notes")
        assert (may["url"], may["tags"]) == (BASE + "2022/05/may-notes/", ["News"])
        for year in ("2019", "2022", "2024", "2025"):
            assert not (hugo.config.out / year / "atom.xml").exists()  # no feed of a year
            assert not (hugo.config.out / "categories" / year).exists()  # nor a category page
        assert {r.category.slug for r in hugo.result.published} == {"news", "releases"}
        assert {(d.category, d.category_source) for d in _report(hugo).documents} == {
            ("News", "default"), ("Releases", "front matter")}
        assert _kicker(hugo) == "Top story · News"  # the digest of 2025-W02 (6 to 12 January)
        assert _cli_build(hugo).exit_code == 0

    def test_built_from_content_as_the_readme_says(self, site: Callable[..., Site]) -> None:
        """With source at content, blog/ names the category and blog/2025/ stays in the link: two years' slugs, two posts."""
        hugo = site("hugo-years", "content")
        assert hugo.result.skipped == () and hugo.result.warnings == ()
        published = {(e.title, e.published, e.link, tuple(t.term for t in e.tags)) for e in hugo.atom.entries}
        assert published == {
            ("Weekly notes, again", "2025-01-08T09:00:00+00:00", BASE + "blog/2025/weekly-notes/", ("Blog",)),
            ("Rust in 2025", "2025-01-06T10:00:00+00:00", BASE + "blog/2025/rust-in-2025/", ("Blog",)),
            ("Weekly notes", "2024-12-30T09:00:00+00:00", BASE + "blog/2024/weekly-notes/", ("Blog",)),
            ("May notes", "2022-05-20T00:00:00+00:00", BASE + "blog/2022/05/may-notes/", ("Blog",)),
            ("Release notes", "2019-06-01T00:00:00+00:00", BASE + "blog/2019/release-notes/", ("Releases",))}
        assert {(i["title"], i["url"], i["summary"]) for i in hugo.json["items"] if i["title"].startswith("Weekly")} == {
            ("Weekly notes", BASE + "blog/2024/weekly-notes/", "The last week of 2024."),
            ("Weekly notes, again", BASE + "blog/2025/weekly-notes/", "The second week of 2025.")}
        assert sorted(p.name for p in (hugo.config.out / "categories").iterdir()) == ["blog", "releases"]
        assert (hugo.config.out / "blog" / "2024" / "weekly-notes" / "index.html").is_file()
        assert _kicker(hugo) == "Top story · Blog"
        assert _cli_build(hugo).exit_code == 0

    def test_authors_with_affiliations(self, site: Callable[..., Site]) -> None:
        """Each Markdown link is a name and a page; the parenthesis after it is the affiliation, shown on the page."""
        hugo = site("hugo-years", "content/blog")
        assert hugo.item("Rust in 2025")["authors"] == [{"name": "Jane Doe", "url": "https://github.com/jdoe"}]
        assert [(a.name, a.uri, a.affiliation) for a in hugo.model("Rust in 2025").authors] == [
            ("Jane Doe", "https://github.com/jdoe", "Acme")]
        assert [(a.name, a.uri, a.affiliation) for a in hugo.model("Release notes").authors] == [
            ("Ana Silva", "https://example.com/ana/", "Rust Foundation"), ("Bo Chen", "https://example.com/bo/", "Mozilla")]
        assert [(a.name, a.uri, a.affiliation) for a in hugo.model("May notes").authors] == [
            ("Ana Silva", "https://example.com/ana/", ""), ("Bo Chen", "https://example.com/bo/", "Ferrous")]
        assert [(a.name, a.uri, a.affiliation) for a in hugo.model("Weekly notes").authors] == [
            ("Ana Silva", "https://example.com/ana/", "Rust Foundation"), ("Bo Chen", "https://example.com/bo/", "")]
        for title in ("Release notes", "Weekly notes"):  # a string of two, and a TOML list of two
            assert [(a["name"], a["href"]) for a in hugo.entry(title).authors] == [
                ("Ana Silva", "https://example.com/ana/"), ("Bo Chen", "https://example.com/bo/")]
            assert hugo.item(title)["authors"] == [{"name": "Ana Silva", "url": "https://example.com/ana/"},
                                                   {"name": "Bo Chen", "url": "https://example.com/bo/"}]
        page = (hugo.config.out / "2019" / "release-notes" / "index.html").read_text(encoding="utf-8")
        assert '<a href="https://example.com/ana/" rel="author">Ana Silva</a> (Rust Foundation)' in page
        assert "](" not in hugo.text()
