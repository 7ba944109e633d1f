"""Configuration: defaults, precedence, every problem reported at once with its key and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedpub import resources
from feedpub.config import load_config
from feedpub.errors import ConfigError


class TestLoadConfig:
    def test_defaults_build_the_embedded_seeds(self, tmp_path: Path) -> None:
        """With no file and no ./seeds, the source is the embedded seeds."""
        cfg = load_config(cwd=tmp_path)
        assert cfg.source == resources.seeds_dir()
        assert cfg.out == tmp_path / "dist"
        assert (cfg.feed_limit, cfg.content_mode, cfg.language) == (50, "both", "en")

    def test_file_overrides_defaults_and_options_override_file(self, tmp_path: Path) -> None:
        """Options beat the file, the file beats defaults; None options are ignored."""
        (tmp_path / "feedpub.toml").write_text('title = "Site"\nout = "public"\nfeed_limit = 10\n')
        cfg = load_config(None, {"out": "cli-out", "source": None}, cwd=tmp_path)
        assert cfg.title == "Site" and cfg.feed_limit == 10
        assert cfg.out == tmp_path / "cli-out"

    def test_paths_in_file_are_relative_to_the_file(self, tmp_path: Path) -> None:
        """Paths in a config file resolve against the file's folder, not cwd."""
        (tmp_path / "site").mkdir()
        (tmp_path / "site" / "conf.toml").write_text('source = "articles"\n')
        cfg = load_config(Path("site/conf.toml"), cwd=tmp_path)
        assert cfg.source == tmp_path / "site" / "articles"

    def test_every_problem_reported_with_key_and_line(self, tmp_path: Path) -> None:
        """All bad keys are reported together, each naming its key and line."""
        (tmp_path / "feedpub.toml").write_text(
            'title = "ok"\nbase_url = "ftp://x"\nfeed_limit = 0\ntimezone = "Mars/Olympus"\nlangauge = "en"\n'
        )
        with pytest.raises(ConfigError) as e:
            load_config(cwd=tmp_path)
        shown = str(tmp_path / "feedpub.toml")
        assert str(e.value).splitlines() == [
            f"{shown}:2: 'base_url' must be an absolute http(s) URL, got 'ftp://x'",
            f"{shown}:3: 'feed_limit' must be a positive integer, got 0",
            f"{shown}:4: 'timezone' unknown time zone 'Mars/Olympus' (use an IANA name like 'Asia/Taipei')",
            f"{shown}:5: unknown key 'langauge' (did you mean 'language'?)",
        ]

    def test_toml_syntax_error_has_line(self, tmp_path: Path) -> None:
        """A TOML syntax error names the file and line."""
        (tmp_path / "feedpub.toml").write_text('title = "a"\nbroken = \n')
        with pytest.raises(ConfigError) as e:
            load_config(cwd=tmp_path)
        assert str(e.value).startswith(f"{tmp_path / 'feedpub.toml'}:2: ")

    def test_missing_config_file(self, tmp_path: Path) -> None:
        """A --config naming a missing file is an error, not silently the defaults."""
        with pytest.raises(ConfigError, match="config file not found"):
            load_config(Path("nope.toml"), cwd=tmp_path)

    def test_base_url_gains_trailing_slash(self, tmp_path: Path) -> None:
        """A base URL under a path is normalised to end with '/'."""
        assert load_config(None, {"base_url": "https://h.org/news"}, cwd=tmp_path).base_url == "https://h.org/news/"
