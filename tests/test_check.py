"""feedpub check: what was inferred and what will go wrong, without writing anything."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from feedpub.commands.check import CheckReport, check
from feedpub.config import Config
from tests.conftest import NOW, write_doc

SITE = "https://real.example.com/"


def _codes(report: CheckReport) -> list[tuple[str, str]]:
    return [(f.code, f.path) for f in report.findings]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "src"


class TestSeeds:
    def test_names_the_two_inferred_documents(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """On the seeds, the documents whose title and date were inferred are 002 and 003, and no error."""
        report = check(make_config(seeds), now=NOW)
        assert report.title_and_date_inferred == ("002_745ad8260e82fd0e.txt", "003_2fe242069e3d0db2.txt")
        assert report.errors == ()
        assert report.exit_code() == 0
        sources = {d.path: (d.title_source, d.date_source) for d in report.documents}
        assert sources["002_745ad8260e82fd0e.txt"] == ("first sentence", "mtime")
        assert sources["003_2fe242069e3d0db2.txt"] == ("header block", "mtime")
        assert sources["000_68c078592e5616ba.txt"] == ("front matter", "Date: line")

    def test_writes_nothing(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """check leaves the output folder absent."""
        config = make_config(seeds)
        check(config, now=NOW)
        assert not config.out.exists()

    def test_default_base_url_is_a_warning_with_the_relative_image(self, seeds: Path, make_config) -> None:
        """With base_url left at the example host, the seed's relative image is a warning naming its line."""
        report = check(make_config(seeds), now=NOW)
        image = next(f for f in report.findings if f.code == "relative-image")
        assert (image.path, image.line, image.severity) == ("001_0ea8fba5654caf24.txt", 4, "warning")
        assert report.exit_code(strict=True) == 1

    def test_real_base_url_silences_relative_warnings(self, seeds: Path, make_config) -> None:
        """With a real base_url, relative links and images are fine."""
        report = check(make_config(seeds, base_url=SITE), now=NOW)
        assert not [
            f for f in report.findings if f.code in ("relative-image", "relative-link", "no-base-url")
        ]


class TestFindings:
    def test_undated_document(self, folder: Path, make_config) -> None:
        """A document with no date anywhere is a warning naming where its date came from."""
        write_doc(folder, "a.md", "---\ntitle: A\n---\nText.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        (undated,) = [f for f in report.findings if f.code == "undated"]
        assert undated.path == "a.md"
        assert "modification time" in undated.message

    def test_an_id_that_is_no_uri_is_a_warning(self, folder: Path, make_config) -> None:
        """WordPress's post number (id: 1234, guid: its old URL): a warning at its line, the guid is the id; no error."""
        write_doc(folder, "news/a.md", "---\ntitle: A\ndate: 2024-01-01\nid: 1234\nguid: 'https://old.example/?p=1234'\n"
                                       "---\nText.\n")
        write_doc(folder, "news/b.md", "---\ntitle: B\ndate: 2024-01-01\nid: 7\n---\nText.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        found = [(f.path, f.line, f.message) for f in report.findings if f.code == "id-not-uri"]
        assert found == [
            ("news/a.md", 4, "'id' '1234' is no absolute URI (https://… or urn:…), so it is not the entry's id: "
                             "its id is https://old.example/?p=1234"),
            ("news/b.md", 4, "'id' '7' is no absolute URI (https://… or urn:…), so it is not the entry's id: "
                             f"its id is {SITE}news/b/")]
        assert not report.errors

    def test_duplicate_permalink_is_an_error_naming_both(self, folder: Path, make_config) -> None:
        """Two documents with one permalink give an error on each, naming the other."""
        write_doc(folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\npermalink: /x/\n---\nText.\n")
        write_doc(folder, "b.md", "---\ntitle: B\ndate: 2024-01-02\npermalink: /x/\n---\nText.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        dup = [f for f in report.findings if f.code == "duplicate-permalink"]
        assert [(f.path, f.line) for f in dup] == [("a.md", 4), ("b.md", 4)]  # the permalink lines
        assert "also used by b.md" in dup[0].message and "also used by a.md" in dup[1].message
        assert report.exit_code() == 1

    def test_duplicate_id(self, folder: Path, make_config) -> None:
        """Two documents with one id give a duplicate-id error."""
        for name in ("a.md", "b.md"):
            write_doc(folder, name, "---\ntitle: T\ndate: 2024-01-01\nid: urn:x:1\n---\nText.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        assert ("duplicate-id", "b.md") in _codes(report)

    def test_unknown_category(self, folder: Path, make_config) -> None:
        """With [categories] configured, a category not in it is a warning on its line."""
        write_doc(folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\ncategory: gossip\n---\nText.\n")
        report = check(make_config(folder, base_url=SITE, categories={"news": "News"}), now=NOW)
        (f,) = [f for f in report.findings if f.code == "unknown-category"]
        assert (f.path, f.line) == ("a.md", 4)
        assert "'gossip'" in f.message

    def test_no_categories_configured_means_none_unknown(self, folder: Path, make_config) -> None:
        """An empty [categories] table accepts every category."""
        write_doc(folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\ncategory: gossip\n---\nText.\n")
        assert "unknown-category" not in [
            c for c, _ in _codes(check(make_config(folder, base_url=SITE), now=NOW))
        ]

    def test_relative_link_in_body(self, folder: Path, make_config) -> None:
        """A relative link in the body, with no base URL configured, is a warning on its line."""
        write_doc(
            folder,
            "a.md",
            "---\ntitle: A\ndate: 2024-01-01\n---\nSee [this](other/page.html).\n\n"
            "![x](https://cdn.example.net/a.png) and [#top](#top).\n",
        )
        report = check(make_config(folder), now=NOW)
        links = [f for f in report.findings if f.code == "relative-link"]
        assert [(f.line, "'other/page.html'" in f.message) for f in links] == [(5, True)]

    def test_future_date(self, folder: Path, make_config) -> None:
        """An entry dated after now is a warning saying it is left out."""
        write_doc(folder, "a.md", f"---\ntitle: A\ndate: {(NOW + timedelta(days=3)).date()}\n---\nText.\n")
        (f,) = [
            f for f in check(make_config(folder, base_url=SITE), now=NOW).findings if f.code == "future-date"
        ]
        assert f.line == 3
        assert "left out" in f.message

    @pytest.mark.parametrize(("text", "line"), [
        ("---\ntitle: A\ndate: 2024-01-01\npublishDate: 9999-12-31\n---\nText.\n", 4),
        ("+++\ntitle = 'A'\npath = 'inside-rust/9999/12/31/a'\n+++\nText.\n", 3),
    ])
    def test_future_date_at_the_key_that_dates_it(self, folder: Path, make_config, text: str, line: int) -> None:
        """The future-date warning names the line of the key that gave the date (publishDate, an address)."""
        write_doc(folder, "a.md", text)
        (f,) = [f for f in check(make_config(folder, base_url=SITE), now=NOW).findings if f.code == "future-date"]
        assert (f.line, f.message.startswith("dated in the future (9999-12-31T00:00:00")) == (line, True)

    def test_empty_summary(self, folder: Path, make_config) -> None:
        """A document with no summary and no paragraph text is an empty-summary warning."""
        write_doc(folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n# Only a heading\n")
        write_doc(folder, "b.md", "---\ntitle: B\ndate: 2024-01-01\n---\nA paragraph.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        assert [p for c, p in _codes(report) if c == "empty-summary"] == ["a.md"]

    def test_parse_error_is_an_error_with_location(self, folder: Path, make_config) -> None:
        """Bad YAML is an error naming file and line; the other documents are still reported."""
        write_doc(folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n")
        write_doc(folder, "b.md", "---\ntitle: B\ndate: 2024-02-30\n---\nText.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        (err,) = report.errors
        assert (err.code, err.path, err.line) == ("invalid", "b.md", 3)
        assert [d.path for d in report.documents] == ["a.md"]
        assert str(err).startswith("b.md:3: error: ")

    def test_clean_document_has_no_findings(self, folder: Path, make_config) -> None:
        """A dated, titled, summarised document, a real base URL and a sendable digest give nothing to report."""
        write_doc(
            folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nText with [a link](https://x.org/).\n"
        )
        ready = {"digest.unsubscribe_url": "https://lists.x.org/u", "digest.postal_address": "1 Main St"}
        report = check(make_config(folder, base_url=SITE, **ready), now=NOW)
        assert report.findings == ()
        assert report.exit_code(strict=True) == 0


# Every way conventions.IMAGE lets a document name its image, as front matter, with the line
# the finding must point at (4: the key's own line; the file starts "---", title, date).
IMAGE_KEYS = [
    ("image", "image: /img/none.png\n", 4),
    ("images", "images:\n  - /img/none.png\n", 4),
    ("cover", "cover:\n  image: /img/none.png\n  alt: A\n", 4),
    ("heroImage", "heroImage: /img/none.png\n", 4),
    ("featured_image", "featured_image: /img/none.png\n", 4),
    ("feature_image", "feature_image: /img/none.png\n", 4),
    ("thumbnail", "thumbnail: /img/none.png\n", 4),
    ("extra.image", "extra:\n  image: /img/none.png\n", 4),
    ("params.image", "params:\n  image: /img/none.png\n", 4),
    ("overlay_image", "overlay_image: /img/none.png\n", 4),
    ("teaser", "teaser: /img/none.png\n", 4),
    ("header.teaser", "header:\n  teaser: /img/none.png\n", 4),
    ("cover-img", "cover-img: /img/none.png\n", 4),
    ("thumbnail-img", "thumbnail-img:\n  - /img/none.png\n", 4),
]


class TestImageKeys:
    def test_the_table_is_every_convention(self) -> None:
        """The cases below cover every image key the conventions hold."""
        from feedpub.sources import conventions

        assert {key.rpartition(".")[2] for key, _, _ in IMAGE_KEYS} == set(conventions.IMAGE)

    @pytest.mark.parametrize(("key", "front", "line"), IMAGE_KEYS)
    def test_a_missing_image_is_found_whatever_its_key(self, folder: Path, make_config, key: str, front: str,
                                                       line: int) -> None:
        """An image that is in no folder of the site is 'missing-file' at its key's line, by any key."""
        write_doc(folder, "news/a.md", f"---\ntitle: A\ndate: 2024-01-01\n{front}---\nText.\n")
        report = check(make_config(folder, base_url=SITE), now=NOW)
        missing = [(f.path, f.line, f.message) for f in report.findings if f.code == "missing-file"]
        assert missing == [("news/a.md", line, "'img/none.png' is not in the source folder or a 'static' folder "
                                               f"beside feedpub.toml: {SITE}img/none.png will not exist on the site")]

    @pytest.mark.parametrize(("key", "front", "line"), IMAGE_KEYS)
    def test_a_relative_image_is_found_whatever_its_key(self, folder: Path, make_config, key: str, front: str,
                                                        line: int) -> None:
        """With base_url left at the example, a relative image is 'relative-image' naming its key and line."""
        write_doc(folder, "news/a.md", f"---\ntitle: A\ndate: 2024-01-01\n{front}---\nText.\n")
        config = make_config(folder)
        report = check(config, now=NOW)
        found = [(f.path, f.line, f.message) for f in report.findings if f.code == "relative-image"]
        assert found == [("news/a.md", line, f"relative '{key}' will point at {config.base_url}img/none.png: "
                                             "set 'base_url' in feedpub.toml to your site's address")]

    def test_an_absolute_image_elsewhere_is_not_relative(self, folder: Path, make_config) -> None:
        """An image on another host is no relative image, base_url set or not."""
        write_doc(folder, "a.md", "---\ntitle: A\ndate: 2024-01-01\nfeatured_image: https://cdn.example.net/a.png\n"
                                  "---\nText.\n")
        report = check(make_config(folder), now=NOW)
        assert [f for f in report.findings if f.code == "relative-image"] == []


class TestReport:
    def test_as_dict_is_json_with_inferred_fields(self, seeds: Path, make_config) -> None:
        """as_dict is JSON-serialisable and lists each document's inferred fields."""
        data = json.loads(json.dumps(check(make_config(seeds), now=NOW).as_dict()))
        docs = {d["path"]: d for d in data["documents"]}
        assert docs["002_745ad8260e82fd0e.txt"]["inferred"] == ["title", "date", "category"]
        assert data["summary"]["errors"] == 0
        assert data["summary"]["title_and_date_inferred"] == [
            "002_745ad8260e82fd0e.txt",
            "003_2fe242069e3d0db2.txt",
        ]


class TestExcluded:
    def test_check_v_lists_what_was_left_out_and_why(self, folder: Path) -> None:
        """check -v prints each file left out with its reason; without -v it prints none of them; JSON always has them."""
        from click.testing import CliRunner

        from feedpub.cli import cli

        write_doc(folder, "README.md", "# About this folder\n")
        write_doc(folder, "news/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nText.\n")
        write_doc(folder, "news/a/notes.md", "Notes.\n")
        runner = CliRunner()
        verbose = runner.invoke(cli, ["check", "--source", str(folder), "-v"])
        quiet = runner.invoke(cli, ["check", "--source", str(folder)])
        as_json = json.loads(runner.invoke(cli, ["check", "--source", str(folder), "--format", "json"]).stdout)
        assert "README.md: excluded: not an article (README, LICENSE, CHANGELOG…)" in verbose.stdout
        assert "news/a/: excluded: holds the files of a.md (a document's resource folder)" in verbose.stdout
        assert "excluded" not in quiet.stdout
        assert as_json["excluded"] == [
            {"path": "README.md", "reason": "not an article (README, LICENSE, CHANGELOG…)"},
            {"path": "news/a/", "reason": "holds the files of a.md (a document's resource folder)"}]
        assert [d["path"] for d in as_json["documents"]] == ["news/a.md"]


    def test_check_v_names_a_translation_and_the_page_it_translates(self, folder: Path) -> None:
        """A Hugo translation by file name is listed as left out, not reported as a duplicate permalink."""
        from click.testing import CliRunner

        from feedpub.cli import cli

        write_doc(folder, "post/trip/index.md", "---\ntitle: Trip\ndate: 2024-01-01\nslug: trip\n---\nText.\n")
        write_doc(folder, "post/trip/index.zh-cn.md", "---\ntitle: 旅行\ndate: 2024-01-01\nslug: trip\n---\n文.\n")
        result = CliRunner().invoke(cli, ["check", "--source", str(folder), "-v"])
        assert result.exit_code == 0, result.output
        assert ("post/trip/index.zh-cn.md: excluded: a translation of index.md "
                "(Hugo's file name for a language: feedpub publishes one)") in result.stdout
        assert "duplicate" not in result.output

class TestExpired:
    def test_an_entry_past_its_expiry_date_is_a_warning_at_its_line(self, folder: Path,
                                                                     make_config: Callable[..., Config]) -> None:
        """expiryDate before the check's time is a warning naming its line; a later one is none."""
        write_doc(folder, "old.md", "---\ntitle: A\ndate: 2024-01-01\nexpiryDate: 2025-01-15\n---\nText.\n")
        write_doc(folder, "new.md", "---\ntitle: B\ndate: 2024-01-01\nexpiryDate: 2025-01-16\n---\nText.\n")
        report = check(make_config(folder), now=NOW)
        assert [(f.path, f.line) for f in report.findings if f.code == "expired"] == [("old.md", 4)]


class TestInWorkers:
    def test_workers_find_what_one_process_finds(self, tmp_path: Path, make_config: Callable[..., Config],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
        """Documents looked at by forked workers give the same report, in the same order, as one process."""
        import os

        from feedpub.commands import check as check_module
        from tests.conftest import write_corpus

        source = tmp_path / "src"
        write_corpus(source, 40)
        write_doc(source, "zz-relative.md", "---\ntitle: Relative\ndate: 2024-03-01\nimage: pic.png\n---\n[a](x.html)\n")
        write_doc(source, "aa-empty.md", "---\ntitle: Empty\ndate: 2024-03-02\n---\n")
        serial = check(make_config(source, workers=1), now=NOW)
        assert serial.warnings  # something to find
        pids = tmp_path / "pids"
        looked = check_module._entry_findings

        def noted(*args: object) -> list[check_module.Finding]:
            with pids.open("a") as f:
                f.write(f"{os.getpid()}\n")
            return looked(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(check_module, "_entry_findings", noted)
        monkeypatch.setattr(check_module, "PARALLEL_CHECKS", 2)
        parallel = check(make_config(source, workers=2), now=NOW)
        assert set(pids.read_text().split()) - {str(os.getpid())}  # looked at in other processes
        assert parallel == serial
