"""Links from one document to another, as each generator writes them: resolved to the target's URL.

Unit tests of the rule (sources.xref: which destinations are read, what each names) and whole
builds: every output that shows a body links the target's page, check and build name a link
that names no published document, with its file and line.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from feedpub.commands.check import check
from feedpub.config import Config
from feedpub.pipeline import build, read_entries
from feedpub.select import Selection
from feedpub.sources import xref
from tests import crawl
from tests.conftest import NOW, write_doc

BASE = "https://blog.example.org/"


def _names(text: str, rel: str = "posts/a.md") -> list[tuple[str, str, str, tuple[str, ...]]]:
    """Return (generator, fragment, fallback, candidates) of each ref marked in text."""
    refs = [xref.Ref(r) for r in xref.marked(text, rel, 1)[1]]
    return [(r.kind, r.fragment, r.fallback, r.candidates) for r in refs]


class TestMarked:
    """Which destinations are links to documents, and what each one names."""

    @pytest.mark.parametrize(("written", "want"), [
        ('{{< ref "b.md" >}}', ("hugo", "", "", ("posts/b.md", "b.md", "*b"))),
        ('{{< relref "b" >}}', ("hugo", "", "", ("posts/b", "b", "@posts/b", "@b", "*b"))),
        ("{{% ref 'b#part' %}}", ("hugo", "#part", "", ("posts/b", "b", "@posts/b", "@b", "*b"))),
        ('{{< ref path="/news/c.md" lang="en" >}}', ("hugo", "", "", ("news/c.md", "en/news/c.md"))),
        ("{{<ref b>}}", ("hugo", "", "", ("posts/b", "b", "@posts/b", "@b", "*b"))),
        ('{{< relref "/posts/b.md" >}}#part', ("hugo", "#part", "", ("posts/b.md",))),  # the fragment after it
        ('{{% ref "/" %}}', ("hugo", "", "", ("@",))),  # the home page
        ('{{< ref "/blog/_index.md" >}}', ("hugo", "", "", ("blog/_index.md", "@blog"))),  # a section's page
        ('{{< ref "/blog/_index" >}}', ("hugo", "", "", ("blog/_index", "@blog/_index"))),  # Hugo: REF_NOT_FOUND
        ('{{< ref "v1.2" >}}', ("hugo", "", "", ("posts/v1.2", "v1.2", "*v1.2"))),  # a dot is no extension
        ("@/blog/c.md#x", ("zola", "#x", "", ("blog/c.md",))),
        ("@/_index.md", ("zola", "", "", ("_index.md", "@"))),
        ("{% post_url 2010-07-21-name %}", ("jekyll", "", "", ("*2010-07-21-name",))),
        ("{%post_url /sub/2010-07-21-name%}", ("jekyll", "", "", ("*sub/2010-07-21-name", "sub/_posts/2010-07-21-name"))),
        ("{% post_url 2015-12-02-Blogtest Code %}#x", ("jekyll", "#x", "", ("*2015-12-02-Blogtest Code",))),
        ("{%- link _posts/2016-07-26-name.md -%}", ("jekyll", "", "", ("_posts/2016-07-26-name.md",))),
        ("{filename}../other.md", ("pelican", "", "", ("other.md",))),
        ("{filename}sub/x.md", ("pelican", "", "", ("posts/sub/x.md",))),
        ("{% link /_posts/x.md %}", ("jekyll", "", "", ("_posts/x.md",))),
        ('{{< ref ".." >}}', ("hugo", "", "", ("@",))),  # from posts/: the content folder, the home page
        ("|filename|/x/y.rst#z", ("pelican", "#z", "", ("x/y.rst",))),
        ("other.md#frag", ("markdown", "#frag", "other.md#frag", ("posts/other.md",))),
        ("/top/c.markdown", ("markdown", "", "/top/c.markdown", ("top/c.markdown",))),
        ("my%20post.md", ("markdown", "", "my%20post.md", ("posts/my post.md",))),
    ])
    def test_each_generators_spelling_in_a_link(self, written: str, want: tuple[str, ...]) -> None:
        """Each spelling, as an inline link's destination, is marked and names these candidates, in order."""
        text, refs = xref.marked(f"See [it]({written}) now.", "posts/a.md", 7)
        assert text == f"See [it]({xref.MARK}0) now."
        assert _names(f"[it]({written})") == [want]
        assert (xref.Ref(refs[0]).line, xref.Ref(refs[0]).written) == (7, written)

    @pytest.mark.parametrize("written", [
        "https://x.org/a.md", "//cdn.example/a.md", "mailto:a.md", "#place.md", "a.md.png", "a.mdx",
        "{filename}pic.png", "@", "../../../out.md", "a.md?x=1", "{filename}//x.md", '{{< ref "" >}}',
        "@/../x.md",
    ])
    def test_what_is_no_link_to_a_document(self, written: str) -> None:
        """Another host, another scheme, a file that is no document, a path out of the source: left as written."""
        text = f"[it]({written})"
        assert xref.marked(text, "posts/a.md", 1) == (text, ())

    def test_only_a_destination_is_read(self) -> None:
        """A ref in prose (not a link's destination) is not marked: the template step takes it out, as before."""
        text = 'Write {{< ref "b.md" >}} or @/blog/c.md or other.md in prose.'
        assert xref.marked(text, "posts/a.md", 1) == (text, ())

    def test_reference_definitions_hrefs_and_template_tags_before(self) -> None:
        """A reference definition, an href, and a base-URL tag before the ref (left for the template step)."""
        text = ('[d]: other.md\n  [e]: <@/x.md>\n<a href="b.md">b</a> <a href=\'{filename}c.md\'>c</a>\n'
                "[j]({{ site.baseurl }}{% post_url 2010-07-21-name %})\n")
        marked, refs = xref.marked(text, "a.md", 10)
        assert marked == ("[d]: feedpub-ref:0\n  [e]: <feedpub-ref:1>\n<a href=\"feedpub-ref:2\">b</a> "
                          "<a href='feedpub-ref:3'>c</a>\n[j]({{ site.baseurl }}feedpub-ref:4)\n")
        assert [xref.Ref(r).line for r in refs] == [10, 11, 12, 12, 13]

    def test_each_ref_keeps_its_own_line(self) -> None:
        """A ref's line: first_line plus the lines before it in the text, a blank first line too."""
        refs = xref.marked("\n[a](a.md)\n\n[b](b.md) [c](c.md)", "x.md", 5)[1]
        assert [xref.Ref(r).line for r in refs] == [6, 8, 8]

    def test_a_long_ref_is_quoted_shortened(self) -> None:
        """What was written is kept for the message, its first 200 characters."""
        path = "a" * 300 + ".md"
        written = xref.Ref(xref.marked(f"[x]({path})", "x.md", 1)[1][0]).written
        assert written == path[:200]

    def test_a_hugo_ref_to_a_place_in_its_own_page(self) -> None:
        """{{< ref "#place" >}} is a link to a place in this page: no ref, the fragment stays."""
        assert xref.marked('[p]({{< ref "#place" >}})', "a.md", 1) == ("[p](#place)", ())

    def test_a_bundles_page_looks_in_its_section_too(self) -> None:
        """From posts/b/index.md, 'c' is posts/b/c, then posts/c (its section's), then c from the root."""
        assert _names('[c]({{< ref "c" >}})', "posts/b/index.md")[0][3] == (
            "posts/b/c", "posts/c", "c", "@posts/b/c", "@posts/c", "@c", "*c")

    @pytest.mark.parametrize(("text", "may"), [
        ("Plain words, a [x](https://x.org/) and {braces}.", False), ("{braces} and a link", True),
        ('{{< ref "b" >}}', True), ("{% post_url x %}", True), ("{% link x %}", True), ("{filename}x", True),
        ("|filename|x", True), ("a reference, a link", False), ("{ and a word }", False),
        ("@/blog/x.md", True), ("mail me @ home/", False), ("@/blog/x", False), ("x.md", True), ("x.MD", True), ("x.markdown", True),
        ("x.mdown", True), ("x.mkd", True), ("x.mdx", False), ("x.md5", False),
    ])
    def test_the_cheap_gate(self, text: str, may: bool) -> None:
        """may_have_refs: False only when no spelling can be in the text (every body is asked first)."""
        assert xref.may_have_refs(text) is may


class TestResolver:
    """What a link may name a document by: its path, without its extension, a bundle by its folder, its name."""

    ITEMS = (("posts/b.md", BASE + "posts/b/", "posts"), ("posts/bund/index.md", BASE + "posts/bund/", "posts"),
             ("_posts/2010-07-21-name.md", BASE + "2010/name/", "news"), ("x/dup.md", BASE + "x/dup/", "x"),
             ("y/dup.md", BASE + "y/dup/", "y"), ("posts/b.txt", BASE + "posts/b-txt/", "posts"),
             ("y/z/two.md", BASE + "y/two/", "other"))

    def _find(self, *candidates: str, fragment: str = "", lists: bool = True) -> str | None:
        ref = xref.Ref(xref._US.join(("1", "hugo", fragment, "", "x", *candidates)))
        resolver = xref.Resolver(self.ITEMS, BASE, (lambda slug: f"{BASE}c/{slug}/") if lists else None)
        return resolver.find(ref)

    def test_by_path_without_extension_and_by_folder(self) -> None:
        """The file's path, its path without extension, a bundle's folder; the fragment follows."""
        assert self._find("posts/b.md") == BASE + "posts/b/"
        assert self._find("posts/b.txt") == BASE + "posts/b-txt/"  # a path as it is beats another's stem
        assert self._find("posts/b") == BASE + "posts/b/"  # the first document with that stem
        assert self._find("posts/bund", fragment="#p") == BASE + "posts/bund/#p"
        assert self._find("posts/bund/index.md") == BASE + "posts/bund/"
        assert self._find("posts/bund/index") == BASE + "posts/bund/"

    def test_candidates_in_order(self) -> None:
        """The first candidate that names a document wins; none: None."""
        assert self._find("nothere", "posts/b.md") == BASE + "posts/b/"
        assert self._find("nothere", "neither") is None

    def test_by_name_only_when_one_document_has_it(self) -> None:
        """*name: the one document whose path ends so; two (x/dup, y/dup): none."""
        assert self._find("*2010-07-21-name") == BASE + "2010/name/"
        assert self._find("*_posts/2010-07-21-name") == BASE + "2010/name/"
        assert self._find("*bund") == BASE + "posts/bund/"
        assert self._find("*dup") is None
        assert self._find("*y/dup") == BASE + "y/dup/"
        assert self._find("*ame") is None  # the end of a name is no name

    def test_list_pages(self) -> None:
        """@: the home page; @folder: the category page of every document below it, when they share one."""
        assert self._find("@", fragment="#top") == BASE + "#top"
        assert self._find("@posts") == BASE + "c/posts/"
        assert self._find("@x") == BASE + "c/x/"
        assert self._find("@y") is None  # y/dup.md and y/z/two.md: two categories
        assert self._find("@y/z") == BASE + "c/other/"
        assert self._find("@nothere") is None
        assert self._find("@posts", lists=False) is None
        assert xref.Resolver(self.ITEMS).find(xref.Ref(xref._US.join(("1", "hugo", "", "", "x", "@")))) is None


class TestResolvedHtml:
    """Putting the URLs into rendered HTML."""

    REFS = ("1\x1fhugo\x1f\x1f\x1fb", "2\x1fhugo\x1f\x1f\x1fc")

    def test_found_and_not_found(self) -> None:
        """A found URL is escaped into the attribute; none: the attribute goes, the link's text stays."""
        html = f'<p><a href="{xref.MARK}0">b</a> <a href="{xref.MARK}1">c</a> {xref.MARK}0</p>'
        urls = {self.REFS[0]: BASE + "b/?x=1&y=\"2\""}
        got = xref.resolved(html, self.REFS, urls.get)
        assert got == ('<p><a href="https://blog.example.org/b/?x=1&amp;y=&quot;2&quot;">b</a> <a>c</a> '
                       'https://blog.example.org/b/?x=1&amp;y=&quot;2&quot;</p>')

    def test_a_number_past_the_refs_is_no_link(self) -> None:
        """A document that writes feedpub-ref:9 itself gets no URL out of it."""
        assert xref.resolved(f'<a href="{xref.MARK}9">x</a>', self.REFS, lambda _ref: BASE) == "<a>x</a>"
        assert xref.resolved(f'<a href="{xref.MARK}2">x</a> {xref.MARK}2', self.REFS, lambda _ref: BASE) == "<a>x</a> "

    def test_a_url_as_text_is_escaped_as_text(self) -> None:
        """A mark outside an attribute (a destination the renderer read as text) becomes the URL, escaped."""
        got = xref.resolved(f"<p>{xref.MARK}0</p>", self.REFS, lambda _ref: BASE + "a<b>&c")
        assert got == "<p>https://blog.example.org/a&lt;b>&amp;c</p>"

    def test_html_without_a_mark_is_returned_as_is(self) -> None:
        """Nothing to do: the same string."""
        html = "<p>x</p>"
        assert xref.resolved(html, self.REFS, lambda _ref: BASE) is html


class TestPlaces:
    """Headings another document links get their ids, as GitHub, Hugo and comrak make them."""

    HTML = '<h2>Set up &amp; run</h2><p>x</p><h2>Part</h2><h3>Part</h3><h2 id="q">Q</h2><h2><em>Ünï</em> côde_1</h2>'

    def test_the_linked_headings_only(self) -> None:
        """Each named heading gets its id; a second heading of one text is -1; a heading with an id keeps it."""
        got = xref.with_places(self.HTML, frozenset({"set-up--run", "part-1", "q", "nope", "ünï-côde_1"}))
        assert got == ('<h2 id="set-up--run">Set up &amp; run</h2><p>x</p><h2>Part</h2><h3 id="part-1">Part</h3>'
                       '<h2 id="q">Q</h2><h2 id="ünï-côde_1"><em>Ünï</em> côde_1</h2>')

    def test_nothing_missing_is_the_same_html(self) -> None:
        """Every place named has its id already: the same string."""
        assert xref.with_places(self.HTML, frozenset({"q"})) is self.HTML


def _site(tmp_path: Path) -> Path:
    src = tmp_path / "content"
    write_doc(src, "posts/a.md", "---\ntitle: A\ndate: 2024-01-03\nslug: alpha\n---\n"
              'To [B]({{< ref "b" >}}), [its part]({{< relref "/posts/b.md#part" >}}), '
              "[the bundle](@/posts/bund/index.md), [B again](b.md), [a file](notes.md), "
              '[gone]({{< ref "nothere" >}}) and [draft]({{< ref "draft.md" >}}).\n\n'
              '```\n[code]({{< ref "b" >}}) [c](b.md)\n```\n\n'
              'Lists: [home]({{% ref "/" %}}), [all posts](@/posts/_index.md), [section]({{< ref "/posts" >}}).\n')
    write_doc(src, "posts/b.md", "---\ntitle: B\ndate: 2024-01-02\n---\nBack [to A](a.md).\n\n## Part\n\nOf B.\n")
    write_doc(src, "posts/bund/index.md", "---\ntitle: Bundle\ndate: 2024-01-01\n---\nUp [to A](../a.md), [a file](notes.md).\n")
    write_doc(src, "posts/draft.md", "---\ntitle: D\ndate: 2024-01-01\ndraft: true\n---\nx\n")
    return src


def _heading_ids(page: Path) -> list[str]:
    """Return the ids of the h2 headings of a built page, as a parser reads it."""
    return [str(i) for i in lxml.html.parse(str(page)).xpath("//h2/@id")]


def _links(html: str) -> list[str | None]:
    return [a.get("href") for a in lxml.html.fragment_fromstring(html, create_parent="div").iter("a")]


class TestBuilt:
    def test_every_output_links_the_targets_page(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """The article page, the feeds' content: each ref is the target's URL; the build says which name none."""
        config = make_config(_site(tmp_path), base_url=BASE)
        result = build(config, now=NOW)
        page = (config.out / "posts/alpha/index.html").read_text(encoding="utf-8")
        body = page[page.index("To <a"):page.index("</p>", page.index("To <a"))]
        assert _links(body) == [BASE + "posts/b/", BASE + "posts/b/#part", BASE + "posts/bund/", BASE + "posts/b/",
                                BASE + "notes.md", None, None]
        assert '<code>[code]() [c](b.md)\n</code>' in page  # code is shown as written (the shortcode taken out, as before)
        feed = (config.out / "feed.json").read_text(encoding="utf-8")
        assert BASE + "posts/bund/" in feed and xref.MARK not in feed
        for name in ("atom.xml", "rss.xml"):
            assert xref.MARK not in (config.out / name).read_text(encoding="utf-8")
        warned = [w for w in result.warnings if "names no published post" in w]
        assert warned == [f"posts/a.md:6: the link to '{{{{< ref \"{name}\" >}}}}' names no published post (none at "
                          "that path or by that name, or several by that name; a draft, a post dated later, or a page "
                          "feedpub does not publish): it keeps its text and points nowhere" for name in ("nothere", "draft.md")]
        bund = (config.out / "posts/bund/index.html").read_text(encoding="utf-8")
        assert f'<a href="{BASE}posts/alpha/">to A</a>' in bund
        assert f'<a href="{BASE}posts/bund/notes.md">a file</a>' in bund  # as written: against the bundle's page
        # every link of every output lands, but the author's links to a file the site lacks (check names them)
        assert set(crawl.dead(config.out, BASE)) == {"notes.md", "posts/bund/notes.md"}

    def test_the_home_page_and_a_sections_page(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Hugo's ref "/" and a section (its _index.md, or its folder), Zola's @/posts/_index.md: the list pages."""
        config = make_config(_site(tmp_path), base_url=BASE)
        build(config, now=NOW)
        page = (config.out / "posts/alpha/index.html").read_text(encoding="utf-8")
        body = page[page.index("Lists: "):page.index("</p>", page.index("Lists: "))]
        assert _links(body) == [BASE, BASE + "categories/posts/", BASE + "categories/posts/"]
        assert (config.out / "categories/posts/index.html").is_file()

    def test_a_linked_heading_has_its_id(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """a.md links posts/b.md#part: b's heading has the id on its page and in the feeds; then the link goes."""
        src = _site(tmp_path)
        config = make_config(src, base_url=BASE)
        build(config, now=NOW)
        assert _heading_ids(config.out / "posts/b/index.html") == ["part"]
        item = next(i for i in json.loads((config.out / "feed.json").read_text(encoding="utf-8"))["items"]
                    if i["title"] == "B")
        assert lxml.html.fragment_fromstring(item["content_html"], create_parent="div").xpath("//h2/@id") == ["part"]
        a = src / "posts/a.md"
        a.write_text(a.read_text(encoding="utf-8").replace("#part", ""), encoding="utf-8")
        build(config, now=NOW)  # b.md unchanged: its page is made again all the same
        assert _heading_ids(config.out / "posts/b/index.html") == []

    def test_a_token_holds_the_document_its_links_and_its_linked_places(self, tmp_path: Path,
                                                                       make_config: Callable[..., Config]) -> None:
        """What keys an output showing an entry: its fingerprint, its links' URLs, the places others link in it."""
        config = make_config(_site(tmp_path), base_url=BASE)
        entries = {e.rel: e for e in read_entries(config)[0]}
        a, b = entries["posts/a.md"], entries["posts/b.md"]
        both = Selection([a, b, entries["posts/bund/index.md"]], {}, frozenset(), BASE)
        assert both.token(a, b"1" * 16) != both.token(a, b"2" * 16)  # its document, links or not
        assert both.token(b, b"1" * 16) != both.token(b, b"2" * 16)  # its document, linked or not
        alone = Selection([b], {}, frozenset(), BASE)
        assert both.token(b, b"1" * 16) != alone.token(b, b"1" * 16)  # a's link to its #part
        moved = Selection([a, dataclasses.replace(b, url=BASE + "moved/")], {}, frozenset(), BASE)
        assert both.token(a, b"1" * 16) != moved.token(a, b"1" * 16)  # where its link points

    def test_a_jekyll_post_in_html(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """jekyll-import's WordPress post, _posts/….html: published, its HTML kept; post_url finds it; no unknown key."""
        src = tmp_path / "site"
        write_doc(src, "_posts/2010-05-02-hello.html", "---\nlayout: post\ntitle: Hello\ndate: 2010-05-02 17:13:08 +00:00\n"
                  "status: publish\npassword: ''\nparent_id: '0'\nmeta:\n  _edit_last: '1'\n---\n"
                  "<p>Welcome to <em>WordPress</em>.</p>\n\n<ul><li>one</li></ul>\n")
        write_doc(src, "_posts/2010-05-03-second.md", "---\ntitle: Second\ndate: 2010-05-03\n---\n"
                  "[The first]({% post_url 2010-05-02-hello %}).\n")
        write_doc(src, "about.html", "---\nlayout: page\ntitle: About\n---\n<p>Me.</p>\n")
        config = make_config(src, base_url=BASE)
        result = build(config, now=NOW)
        assert sorted(r.rel for r in result.published) == ["_posts/2010-05-02-hello.html", "_posts/2010-05-03-second.md"]
        hello = next(r for r in result.published if r.title == "Hello")
        page = lxml.html.parse(str(config.out / hello.url.removeprefix(BASE) / "index.html"))
        assert page.xpath("string(//p[em='WordPress'])") == "Welcome to WordPress." and page.xpath("//ul/li/text()") == ["one"]
        second = next(r for r in result.published if r.title == "Second")
        html = lxml.html.parse(str(config.out / second.url.removeprefix(BASE) / "index.html"))
        assert html.xpath("//a[.='The first']/@href") == [hello.url]
        assert not [f for f in check(config, now=NOW).findings if f.code == "unknown-key"]

    def test_check_names_them_with_file_and_line(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """check: unresolved-link at the ref's line; a plain .md link naming no document is a dead link."""
        config = make_config(_site(tmp_path), base_url=BASE)
        findings = check(config, now=NOW).findings
        unresolved = [(f.path, f.line) for f in findings if f.code == "unresolved-link"]
        assert unresolved == [("posts/a.md", 6), ("posts/a.md", 6)]
        assert [f.message for f in findings if f.code == "dead-link"] == [
            f"'{p}' is no page of the site (no document has that address): {BASE}{p} will not exist on the site"
            for p in ("notes.md", "posts/bund/notes.md")]

    def test_a_rebuild_after_the_target_moves(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """The target's new URL is in the linking page after a cached rebuild (its own file unchanged).

        The bundle is no neighbour of posts/a.md (posts/b.md is between them): only the ref ties
        a's page to it.
        """
        src = _site(tmp_path)
        config = make_config(src, base_url=BASE)
        build(config, now=NOW)
        (src / "posts/bund/index.md").write_text("---\ntitle: Bundle\ndate: 2024-01-01\nslug: moved\n---\nx\n",
                                                 encoding="utf-8")
        build(config, now=NOW)
        page = (config.out / "posts/alpha/index.html").read_text(encoding="utf-8")
        assert f'<a href="{BASE}posts/moved/">the bundle</a>' in page and f"{BASE}posts/bund/" not in page
