"""Which files of a source folder are documents: the exclude globs, resource folders, what is refused, at their edges."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from feedpub.sources import discover
from feedpub.sources.discover import Rules
from tests.conftest import write_doc


def _tree(top: Path, *names: str) -> Path:
    for name in names:
        write_doc(top, name, "x")
    return top


def _found(top: Path, *exclude: str) -> list[str]:
    return [rel for rel, _path in discover.discover_rel(top, rules=Rules(exclude=exclude))]


class TestExclude:
    def test_name_globs_match_at_any_depth_in_any_case(self, tmp_path: Path) -> None:
        """A glob without '/' matches a file or folder name anywhere, case-insensitively; each of several globs counts."""
        top = _tree(tmp_path, "WIP.md", "a/wip.txt", "a/old.md", "b/v1.md", "b/v12.md", "keep.md")
        assert _found(top, "wip.*", "OLD.md", "v[0-9].md") == ["b/v12.md", "keep.md"]

    def test_a_glob_ending_in_a_slash_names_folders(self, tmp_path: Path) -> None:
        """'drafts/' leaves out every folder named drafts, wherever it is."""
        top = _tree(tmp_path, "drafts/a.md", "x/drafts/b.md", "x/c.md")
        assert _found(top, "drafts/") == ["x/c.md"]

    @pytest.mark.parametrize(("glob", "kept"), [
        ("/*.md", ["a/b.md", "a/c/d.md", "bold/e.md", "old/f.txt", "x/old/g.md"]),
        ("a/**", ["bold/e.md", "old/f.txt", "top.md", "x/old/g.md"]),
        ("**/old/*.md", ["a/b.md", "a/c/d.md", "bold/e.md", "old/f.txt", "top.md"]),
        ("/?op.md", ["a/b.md", "a/c/d.md", "bold/e.md", "old/f.txt", "x/old/g.md"]),
        ("a/*.md", ["a/c/d.md", "bold/e.md", "old/f.txt", "top.md", "x/old/g.md"]),
    ])
    def test_path_globs(self, tmp_path: Path, glob: str, kept: list[str]) -> None:
        """A glob with '/' matches the path below the source: '*' and '?' within one folder, '**' across folders."""
        top = _tree(tmp_path, "top.md", "a/b.md", "a/c/d.md", "bold/e.md", "old/f.txt", "x/old/g.md")
        assert _found(top, glob) == kept

    def test_two_path_globs(self, tmp_path: Path) -> None:
        """Every glob of the list counts."""
        top = _tree(tmp_path, "a/b.md", "c/d.md", "e.md")
        assert _found(top, "a/*", "/c/*") == ["e.md"]


class TestHtmlPosts:
    def test_html_is_a_post_in_a_posts_folder_only(self, tmp_path: Path) -> None:
        """_posts/x.html, cat/_posts/y.htm, _posts/sub/z.HTML are posts (jekyll-import's WordPress posts); other .html not."""
        top = _tree(tmp_path, "_posts/2010-05-02-x.html", "cat/_posts/2010-05-03-y.htm", "_posts/sub/2010-05-04-z.HTML",
                    "about.html", "blog/page.html", "my_posts/a.html", "_posts/pic.png")
        assert sorted(_found(top)) == ["_posts/2010-05-02-x.html", "_posts/sub/2010-05-04-z.HTML",
                                       "cat/_posts/2010-05-03-y.htm"]


class TestResourceFolders:
    def test_a_folder_named_like_a_document_holds_its_files(self, tmp_path: Path) -> None:
        """post/ beside post.md is left out; the name is the file's without its last suffix only."""
        top = _tree(tmp_path, "post.md", "post/x.md", "notes.v2.md", "notes/y.md", "notes.v2/z.md")
        assert _found(top) == ["notes.v2.md", "notes/y.md", "post.md"]

    @pytest.mark.parametrize("index", ["index.md", "INDEX.markdown"])
    def test_a_folder_beside_an_index_is_walked(self, tmp_path: Path, index: str) -> None:
        """An index document is its folder's page: a folder named index beside it is no resource folder."""
        top = _tree(tmp_path, f"posts/{index}", "posts/index/a.md")
        assert _found(top) == [f"posts/{index}", "posts/index/a.md"]


class TestReasons:
    def test_why_each_is_left_out(self, tmp_path: Path) -> None:
        """check -v says why: a section page, a dependencies folder, a README in any case."""
        top = _tree(tmp_path, "posts/_index.md", "node_modules/x/a.md", "readme.md", "a.md")
        found = discover.discover(top)
        assert [rel for rel, _path in found.found] == ["a.md"]
        assert found.excluded == [("node_modules/", "dependencies folder"),
                                  ("posts/_index.md", "file starting with '_' (Hugo's _index.md: a section page)"),
                                  ("readme.md", "not an article (README, LICENSE, CHANGELOG…)")]


class TestTranslations:
    """Hugo's translation by file name: index.zh-cn.md beside index.md is that page in another language."""

    WHY = "a translation of {} (Hugo's file name for a language: feedpub publishes one)"

    @pytest.mark.parametrize("names", [
        ("post/chinese-test/index.md", "post/chinese-test/index.zh-cn.md"),
        ("about.md", "about.fr.md"),
        ("about.md", "about.pt-BR.md"),
        ("about.md", "about.zh-Hans.md"),
        ("about.md", "about.FR.md"),
        ("about.md", "about.es-419.md"),
        ("about.md", "about.deu.md"),
        ("about.markdown", "about.fr.md"),
        ("my.trip.md", "my.trip.fr.md"),
        ("About.md", "about.fr.md"),  # names in any case, as the exclude globs
    ])
    def test_a_translation_beside_its_page_is_left_out_with_why(self, tmp_path: Path, names: tuple[str, str]) -> None:
        """A name with a language code (2-3 letters, optionally a region or script, any case) beside the
        same name without it is left out, naming the page it translates; the page stays."""
        base, translation = names
        found = discover.discover(_tree(tmp_path, base, translation, "other.md"))
        assert [rel for rel, _path in found.found] == sorted([base, "other.md"])
        assert found.excluded == [(translation, self.WHY.format(base.rsplit("/", 1)[-1]))]

    @pytest.mark.parametrize("names", [
        ("notes.old.md",),  # alone: nothing it translates
        ("post/index.zh-cn.md",),
        ("v1.md", "v1.2.md"),  # a number is no language
        ("a.md", "a.f.md"),  # one letter
        ("a.md", "a.fren.md"),  # four
        ("a.md", "a.fr-x.md"),  # a region of one letter
        ("a.md", "a.fr-north.md"),  # nor five
        ("a.md", "b.fr.md"),  # another page's name
        ("a/a.md", "a.fr.md"),  # the page in another folder
    ])
    def test_without_its_page_beside_it_a_name_with_a_dot_is_a_post(self, tmp_path: Path,
                                                                      names: tuple[str, ...]) -> None:
        """Only the page itself, same folder and same name, makes a language code a translation."""
        top = _tree(tmp_path, *names)
        assert _found(top) == sorted(names)
        assert discover.discover(top).excluded == []

    def test_every_listing_leaves_it_out(self, tmp_path: Path) -> None:
        """A build's listing (cold and rebuild) and check's leave out the same translations."""
        top = _tree(tmp_path, "p.md", "p.fr.md", "b/index.md", "b/index.de.md")
        want = ["b/index.md", "p.md"]
        assert [rel for rel, _path in discover.documents(top)[0]] == want
        assert sorted(row[0] for row in discover.listing(top)[0]) == want
        assert [rel for rel, _path in discover.discover(top).found] == want


class TestRefused:
    @pytest.fixture
    def top(self, tmp_path: Path) -> Path:
        """A source with links leading outside it, in two folders, and documents around them."""
        secret = write_doc(tmp_path, "secret.md", "x")
        top = _tree(tmp_path / "src", "c.md", "z/a.md", "z/c.md")
        for link in ("b.md", "z/b.md", "a.md"):
            (top / link).symlink_to(secret)
        return top

    def test_links_leading_outside_are_refused_in_path_order(self, top: Path, tmp_path: Path) -> None:
        """Every documents' listing names them sorted, with why, and keeps the documents beside them."""
        why = f"a symbolic link to {tmp_path / 'secret.md'}, outside the source folder: not read"
        refused = [("a.md", why), ("b.md", why), ("z/b.md", why)]
        found, docs_refused = discover.documents(top)
        assert [rel for rel, _path in found] == ["c.md", "z/a.md", "z/c.md"]
        listed, listed_refused = discover.listing(top)
        assert sorted(rel for rel, _path, _size, _mtime, _ctime in listed) == ["c.md", "z/a.md", "z/c.md"]
        report = discover.discover(top)
        for got in (docs_refused, listed_refused, report.refused):
            assert [(r.rel, r.why) for r in got] == refused

    def test_the_listing_process_sends_the_same_listing(self, top: Path, tmp_path: Path) -> None:
        """What a rebuild's listing process sends back (as columns) is listing() itself: names no
        UTF-8 decodes, a link to nothing (size -1), refused links, an empty source."""
        from feedpub.incremental import gather

        (top / os.fsdecode(b"caf\xe9.md")).write_bytes(b"x")  # a Latin-1 name: a lone surrogate in Python
        write_doc(top, "été/天文.md", "x")
        (top / "gone.md").symlink_to(top / "missing.md")
        (tmp_path / "empty").mkdir()
        for source in (top, tmp_path / "empty"):
            rules = Rules(exclude=("z/c.md",))
            listed = discover.listing(source, rules)
            assert gather._unlisted(gather._listed(source, rules)) == listed
        assert len(discover.listing(top)[0]) == 6 and discover.listing(top)[1]

    def test_a_link_to_nothing_is_listed_without_a_size(self, tmp_path: Path) -> None:
        """A link inside the source to a file that is not there is listed with size and time -1: reading it says why."""
        top = _tree(tmp_path, "a.md")
        (top / "b.md").symlink_to(top / "missing.md")
        listed, _refused = discover.listing(top)
        assert sorted(listed)[1] == ("b.md", os.path.join(str(top), "b.md"), -1, -1, -1)
