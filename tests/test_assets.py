"""Which files beside the documents are copied as they are (images, audio, downloads), at the rule's edges."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from feedpub.commands.check import check
from feedpub.config import Config
from feedpub.pipeline import build
from feedpub.sources import assets
from tests.conftest import NOW, output_tree, write_doc


def _tree(top: Path, *names: str) -> Path:
    for name in names:
        write_doc(top, name, "x")
    return top


def _rels(found: list[assets.Asset]) -> list[str]:
    return [a.rel for a in found]


class TestIsAsset:
    @pytest.mark.parametrize(("name", "copied"), [
        ("photo.png", True), ("PHOTO.JPG", True), ("photo.final.webp", True), ("talk.mp3", True),
        ("paper.pdf", True), (".png", False), ("png", False), ("notes.md", False), ("photo.png.txt", False),
    ])
    def test_by_the_last_suffix_in_any_case(self, name: str, copied: bool) -> None:
        """A file is copied when its last suffix names a kind of asset; a name that is only a suffix is hidden, not one."""
        assert assets.is_asset(name) is copied


class TestBundleFolder:
    @pytest.mark.parametrize(("rel", "folder"), [
        ("post/index.md", "post/"), ("a/b/index.txt", "a/b/"), ("a/index.markdown", "a/"),
        ("index.md", None), ("post.md", None), ("a/post.md", None), ("a/index.html", None),
    ])
    def test_the_folder_of_a_page_bundle(self, rel: str, folder: str | None) -> None:
        """An index document below the top is its folder's page; the top index.md and any other document are not."""
        assert assets.bundle_folder(rel) == folder


class TestFind:
    def test_assets_beside_the_documents(self, tmp_path: Path) -> None:
        """Assets in any folder, sorted, beside documents; not in '_' folders (but _posts) or node_modules."""
        top = _tree(tmp_path / "src", "a.md", "b.png", "img/c.svg", "img/d.txt", "_posts/e.jpg", "_site/f.png",
                    "node_modules/x/g.png")
        found, refused = assets.find(top, "the source folder")
        assert (_rels(found), refused) == (["_posts/e.jpg", "b.png", "img/c.svg"], [])
        assert found[1].path == str(top / "b.png") and found[1].size == 1

    def test_everything_of_a_static_folder(self, tmp_path: Path) -> None:
        """For static/, every file and folder that is not hidden is copied."""
        top = _tree(tmp_path / "static", "robots.txt", "_next/app.js", "node_modules/m/x.css", ".env")
        found, _refused = assets.find(top, "static_dir", everything=True)
        assert _rels(found) == ["_next/app.js", "node_modules/m/x.css", "robots.txt"]

    def test_the_output_folder_inside_is_never_read(self, tmp_path: Path) -> None:
        """An output folder below the folder walked is skipped; one elsewhere changes nothing."""
        top = _tree(tmp_path / "src", "a.png", "dist/b.png")
        assert _rels(assets.find(top, "the source folder", out=top / "dist")[0]) == ["a.png"]
        assert _rels(assets.find(top, "the source folder", out=tmp_path / "dist")[0]) == ["a.png", "dist/b.png"]

    def test_links_leading_outside_are_refused_in_path_order(self, tmp_path: Path) -> None:
        """Each is named with why, sorted by path; the assets beside them are still found."""
        secret = write_doc(tmp_path, "secret.png", "x")
        top = _tree(tmp_path / "src", "c.png", "z/a.png")
        for link in ("b.png", "z/b.png", "a.png"):
            (top / link).symlink_to(secret)
        found, refused = assets.find(top, "the source folder")
        assert _rels(found) == ["c.png", "z/a.png"]
        assert [r.rel for r in refused] == ["a.png", "b.png", "z/b.png"]


DRAFTS = {
    "draft": "---\ntitle: Shots\ndate: 2024-05-01\ndraft: true\n---\n![a shot](shot.png)\n",
    "pelican-status": "Title: Shots\nDate: 2024-05-01\nStatus: draft\n\n![a shot]({filename}shot.png)\n",
    "jekyll-unpublished": "---\ntitle: Shots\ndate: 2024-05-01\npublished: false\n---\n![a shot](shot.png)\n",
    "future": "---\ntitle: Shots\ndate: 2030-05-01\n---\n![a shot](shot.png)\n",
}


class TestFilesOfUnpublishedBundles:
    """A page bundle's files go out with its page: a draft's pictures stay home."""

    def _build(self, tmp_path: Path, make_config: Callable[..., Config], index: str, *others: tuple[str, str],
               **settings: Any) -> set[str]:
        source = tmp_path / "src"
        write_doc(source, "news/2024-05-01 Shots/index.md", index)
        write_doc(source, "news/2024-05-01 Shots/shot.png", "x")
        write_doc(source, "news/2024-05-01 Shots/extra/more.pdf", "x")
        write_doc(source, "news/kept.md", "---\ntitle: Kept\ndate: 2024-04-01\n---\nText.\n")
        for name, text in others:
            write_doc(source, name, text)
        config = make_config(source, **settings)
        build(config, now=NOW)
        return set(output_tree(config.out))

    @pytest.mark.parametrize("index", DRAFTS.values(), ids=DRAFTS.keys())
    def test_an_unpublished_bundle_copies_nothing(self, tmp_path: Path, make_config: Callable[..., Config],
                                                  index: str) -> None:
        """A draft (any generator's word for it) or future-dated bundle: no page, and none of its files, nested ones too."""
        out = self._build(tmp_path, make_config, index)
        assert "news/kept/index.html" in out
        assert not [p for p in out if "shot" in p.lower() or p.endswith(".pdf")], out

    def test_with_pages_off_too(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Without article pages, a draft's files are not copied at their own path either."""
        out = self._build(tmp_path, make_config, DRAFTS["draft"], pages=False)
        assert not [p for p in out if p.startswith("news/2024-05-01")], out

    def test_a_published_bundle_copies_its_files_beside_its_page(self, tmp_path: Path,
                                                                 make_config: Callable[..., Config]) -> None:
        """The same bundle published: its page and every file of its folder below the page's folder."""
        out = self._build(tmp_path, make_config, DRAFTS["draft"].replace("draft: true", "draft: false"))
        page = "news/shots/"  # the name's date is the date (a space ends it, as Pelican sites write it)
        assert {page + "index.html", page + "shot.png", page + "extra/more.pdf"} <= out

    def test_a_published_document_linking_a_drafts_file_is_told_not_served(
            self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A draft's file stays home even when a published post links it: check says the link finds nothing."""
        other = ("news/other.md", "---\ntitle: Other\ndate: 2024-04-02\n---\n![s](</news/2024-05-01 Shots/shot.png>)\n")
        out = self._build(tmp_path, make_config, DRAFTS["draft"], other)
        assert not [p for p in out if "shot" in p.lower()], out
        report = check(make_config(tmp_path / "src"), now=NOW)
        assert [(f.code, f.path) for f in report.findings if f.code == "missing-file"] == [("missing-file", "news/other.md")]

    def test_a_published_bundle_inside_an_unpublished_one(self, tmp_path: Path,
                                                          make_config: Callable[..., Config]) -> None:
        """The innermost bundle owns a file: a published one below a draft copies its own files, not the draft's."""
        inner = ("news/2024-05-01 Shots/extra/index.md", "---\ntitle: Inner\ndate: 2024-04-03\n---\nText.\n")
        out = self._build(tmp_path, make_config, DRAFTS["draft"], inner)
        assert "news/extra/index.html" in out
        assert {p for p in out if p.endswith((".pdf", ".png"))} == {"news/extra/more.pdf"}


class TestDocumentNamedAsItsFolder:
    """Eleventy's bundle: blog/fourthpost/fourthpost.md is the page of its folder, its images beside it."""

    def test_its_relative_image_is_its_folders(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """eleventy-base-blog's fourth post: ./possum.png resolves under the post's page, where the file is copied,
        also when the front matter's category moves the page; a file named otherwise is an ordinary post."""
        source = tmp_path / "src"
        write_doc(source, "blog/fourthpost/fourthpost.md",
                  "---\ntitle: Fourth\ndate: 2018-09-30\ncategory: news\n---\n![A possum](./possum.png)\n")
        write_doc(source, "blog/fourthpost/possum.png", "x")
        write_doc(source, "blog/fifth/notes.md", "---\ntitle: Fifth\ndate: 2018-10-01\n---\nText.\n")
        config = make_config(source)
        result = build(config, now=NOW)
        urls = {r.title: r.url for r in result.published}
        base = "https://news.example.org/"
        assert urls == {"Fourth": base + "news/fourthpost/", "Fifth": base + "blog/notes/"}
        page = (config.out / "news/fourthpost/index.html").read_text()
        assert f'src="{base}news/fourthpost/possum.png"' in page
        assert (config.out / "news/fourthpost/possum.png").is_file()


def test_a_bundle_is_an_index_or_a_document_named_as_its_folder() -> None:
    """index.md (any depth), or x/x.md|.markdown|.txt; not x.md at the top, not x/y.md, not x/x.png."""
    assert [assets.bundle_folder(r) for r in ("a/index.md", "a/b/b.markdown", "a/a.txt", "a.md", "a/y.md", "a/a.png",
                                              "a/A.md", "index.md")] == ["a/", "a/b/", "a/", None, None, None, None, None]
