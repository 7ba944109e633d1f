"""The digest's files in the output folder: their names, the digests earlier builds left, latest.*."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedpub.outputs.digest import folder


def _touch(out: Path, *names: str) -> None:
    (out / "digest").mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / "digest" / name).write_text("x", encoding="utf-8")


class TestPaths:
    def test_a_digest_is_its_week_then_latest_then_the_subject(self) -> None:
        """A digest's files: its label's .html, .txt, .eml, the same as latest.*, then the subject file."""
        assert folder.paths("2023-W08") == (
            "digest/2023-W08.html", "digest/2023-W08.txt", "digest/2023-W08.eml",
            "digest/latest.html", "digest/latest.txt", "digest/latest.eml", "digest/latest.subject.txt")


class TestNamedLike:
    @pytest.mark.parametrize("path", [
        "digest/latest.html", "digest/latest.subject.txt", "digest/2023-W08.eml", "DIGEST/Latest.HTML",
        "Digest/2024-01-01_2024-01-07.txt", "digest/2023-w08.html"])
    def test_a_digest_file_s_name_in_any_case(self, path: str) -> None:
        """What a later build would keep as a digest file, however it is spelt (one file on macOS and Windows)."""
        assert folder.named_like(path)

    @pytest.mark.parametrize("path", [
        "digest/latest.htm", "digest/latest", "digest/2023-W8.html", "digests/latest.html", "digest/x/latest.html",
        "news/digest/latest.html", "digest", "digest/", "", "d", "DİGEST/latest.html", "digest/latest.html/index.html"])
    def test_other_names(self, path: str) -> None:
        """Near misses: another extension or folder, a week of one digit, a letter that lowers to two."""
        assert not folder.named_like(path)

class TestEarlier:
    def test_weeks_and_ranges_of_every_extension_sorted(self, tmp_path: Path) -> None:
        """Every week's and range's .html, .txt and .eml is kept, sorted by name."""
        _touch(tmp_path, "2023-W08.txt", "2023-W08.html", "2023-02-01_2023-02-28.eml", "2023-W08.eml")
        assert folder.earlier(tmp_path, None) == (
            "digest/2023-02-01_2023-02-28.eml", "digest/2023-W08.eml", "digest/2023-W08.html", "digest/2023-W08.txt")

    def test_the_digest_being_made_is_not_earlier(self, tmp_path: Path) -> None:
        """The files of the label the build makes are left out; another label's are kept."""
        _touch(tmp_path, "2023-W08.html", "2023-W09.html")
        assert folder.earlier(tmp_path, "2023-W09") == ("digest/2023-W08.html",)

    @pytest.mark.parametrize("name", [
        "latest.html", "notes.html", "2023-W8.html", "12023-W08.html", "2023-W08x.html", "x2023-W08.html",
        "2023-W08.pdf", "2023-W08.html.bak", "2023-W08", "2023-W08.", "2023-02-01_2023-02-2.html",
        "2023-02-01-2023-02-28.html", ".html",
    ])
    def test_only_names_of_a_digest_count(self, tmp_path: Path, name: str) -> None:
        """A file not named <week or range>.<html|txt|eml> is not a digest."""
        _touch(tmp_path, name, "2023-W08.html")
        assert folder.earlier(tmp_path, None) == ("digest/2023-W08.html",)

    def test_a_folder_named_like_a_digest_is_not_one(self, tmp_path: Path) -> None:
        """Only files count."""
        _touch(tmp_path, "2023-W08.html")
        (tmp_path / "digest" / "2023-W07.html").mkdir()
        assert folder.earlier(tmp_path, None) == ("digest/2023-W08.html",)

    def test_no_folder_no_digests(self, tmp_path: Path) -> None:
        """An output folder with no digest folder (or none at all) holds no earlier digest."""
        assert folder.earlier(tmp_path / "missing", None) == ()
        assert folder.earlier(tmp_path, None) == ()


class TestLatest:
    def test_only_the_latest_files_there_are(self, tmp_path: Path) -> None:
        """latest() names the latest.* files and the subject the folder holds, in the order of paths()."""
        assert folder.latest(tmp_path) == ()
        _touch(tmp_path, "latest.subject.txt", "latest.html", "2023-W08.txt")
        assert folder.latest(tmp_path) == ("digest/latest.html", "digest/latest.subject.txt")
        _touch(tmp_path, "latest.eml", "latest.txt")
        assert folder.latest(tmp_path) == ("digest/latest.html", "digest/latest.txt", "digest/latest.eml",
                                           "digest/latest.subject.txt")

    def test_a_folder_is_not_a_file(self, tmp_path: Path) -> None:
        """A folder named latest.html is not the latest digest."""
        (tmp_path / "digest" / "latest.html").mkdir(parents=True)
        assert folder.latest(tmp_path) == ()
