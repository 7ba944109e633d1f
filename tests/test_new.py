"""feedpub new: a new article, dated today, in the front matter style of the folder, never overwriting."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from feedpub.cli import cli
from feedpub.commands.new import front_matter_style, new_article
from feedpub.config import Config
from feedpub.errors import FeedpubError, OptionError
from feedpub.pipeline import read_entries
from tests.conftest import write_doc

TODAY = date(2025, 1, 15)


def _front_matter(path: Path, fence: str) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith(fence + "\n")
    block = text.split(f"\n{fence}\n", 1)[0].removeprefix(fence + "\n")
    return tomllib.loads(block) if fence == "+++" else yaml.safe_load(block)


class TestNewArticle:
    def test_yaml_front_matter_with_title_date_and_category(self, tmp_path: Path,
                                                            make_config: Callable[..., Config]) -> None:
        """In a folder of YAML (or no) front matter, the article gets YAML with the title, today and the category."""
        write_doc(tmp_path / "src", "old.md", "---\ntitle: Old\n---\nText.\n")
        path = new_article(make_config(tmp_path / "src"), 'Ünïcode: "quoted" title', today=TODAY, category="Lab News")
        assert path == tmp_path / "src" / "2025-01-15-unicode-quoted-title.md"
        assert _front_matter(path, "---") == {"title": 'Ünïcode: "quoted" title', "date": TODAY,
                                              "category": "Lab News"}

    def test_the_article_builds_as_written(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """The loader reads the new article back with its title, date and category."""
        config = make_config(tmp_path / "src")
        (tmp_path / "src").mkdir()
        new_article(config, "First results", today=TODAY, category="news")
        [entry], problems = read_entries(config)
        assert problems == []
        assert (entry.title, entry.date.date(), entry.category.slug) == ("First results", TODAY, "news")

    def test_toml_front_matter_when_the_folder_uses_it(self, tmp_path: Path,
                                                       make_config: Callable[..., Config]) -> None:
        """When most of the folder's documents start with '+++', the article gets TOML front matter (a hidden parent folder is no matter)."""
        src = tmp_path / ".sites" / "src"
        write_doc(src, "a.md", '+++\ntitle = "A"\n+++\nText.\n')
        write_doc(src, "b/c.md", '+++\ntitle = "C"\n+++\nText.\n')
        write_doc(src, "d.md", "---\ntitle: D\n---\nText.\n")
        write_doc(src, "_drafts/e.md", "---\ntitle: E\n---\nText.\n")
        write_doc(src, "_drafts/f.md", "---\ntitle: F\n---\nText.\n")
        assert front_matter_style(src) == "toml"
        path = new_article(make_config(src), 'A "TOML" one', today=TODAY)
        assert _front_matter(path, "+++") == {"title": 'A "TOML" one', "date": TODAY}

    def test_category_subfolder(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """With a subfolder named like the category's slug, the article goes there."""
        (tmp_path / "src" / "lab-news").mkdir(parents=True)
        path = new_article(make_config(tmp_path / "src"), "X", today=TODAY, category="Lab News")
        assert path == tmp_path / "src" / "lab-news" / "2025-01-15-x.md"

    def test_refuses_to_overwrite(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A second article of the same title on the same day is refused; the first is kept."""
        config = make_config(tmp_path / "src")
        (tmp_path / "src").mkdir()
        path = new_article(config, "Same", today=TODAY)
        path.write_text("edited", encoding="utf-8")
        with pytest.raises(FeedpubError) as e:
            new_article(config, "Same", today=TODAY)
        assert str(e.value) == f"{path}: already exists; choose another title"
        assert path.read_text(encoding="utf-8") == "edited"

    def test_empty_title_is_a_usage_error(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A blank title is an OptionError (exit 2 at the command line)."""
        (tmp_path / "src").mkdir()
        with pytest.raises(OptionError, match="the title must not be empty"):
            new_article(make_config(tmp_path / "src"), "  ", today=TODAY)


class TestNewCommand:
    def test_dated_by_source_date_epoch_in_the_site_zone(self, tmp_path: Path) -> None:
        """`feedpub new` takes today from SOURCE_DATE_EPOCH, in the site's time zone, and names the file it wrote."""
        (tmp_path / "src").mkdir()
        toml = tmp_path / "feedpub.toml"
        toml.write_text('source = "src"\ntimezone = "Asia/Taipei"\n', encoding="utf-8")
        # 2025-01-15T20:00Z is already the 16th in Taipei
        result = CliRunner(env={"SOURCE_DATE_EPOCH": "1736971200"}).invoke(
            cli, ["new", "Late news", "--config", str(toml)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        assert result.stdout == f"Wrote {tmp_path / 'src' / '2025-01-16-late-news.md'}\n"

    def test_overwrite_is_an_error(self, tmp_path: Path) -> None:
        """A second `feedpub new` of the same title exits 1 with 'Error: path: already exists'."""
        (tmp_path / "src").mkdir()
        runner = CliRunner(env={"SOURCE_DATE_EPOCH": "1736942400"})
        args = ["new", "Twice", "--source", str(tmp_path / "src")]
        assert runner.invoke(cli, args).exit_code == 0
        result = runner.invoke(cli, args)
        assert result.exit_code == 1
        assert result.stderr == f"Error: {tmp_path / 'src' / '2025-01-15-twice.md'}: already exists; choose another title\n"
