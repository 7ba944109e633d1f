"""Which files beside the documents are copied as they are (images, audio, downloads), at the rule's edges."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedpub.sources import assets
from tests.conftest import write_doc


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
