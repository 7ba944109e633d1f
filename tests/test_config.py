"""Configuration: defaults, precedence, every problem reported at once with its key and line."""

from __future__ import annotations

import tomllib
from dataclasses import fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from feedpub import resources
from feedpub.config import OPTIONS, Config, DigestConfig, Option, load_config, markdown_table, value_of
from feedpub.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def example_of(option: Option) -> Any:
    """Return an option's example as a feedpub.toml gives it (a table example is its own [table])."""
    leaf = option.name.rpartition(".")[2]
    text = option.example if "\n" in option.example else f"{leaf} = {option.example}"
    return tomllib.loads(text)[leaf]


def _toml_lines(option: Option) -> list[str]:
    leaf = option.name.rpartition(".")[2]
    return option.example.splitlines() if "\n" in option.example else [f"{leaf} = {option.example}"]


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
        (tmp_path / "site" / "articles").mkdir(parents=True)
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
            f'{shown}:2: \'base_url\' must be an absolute http(s) URL, not the string "ftp://x"',
            f"{shown}:3: 'feed_limit' must be a positive integer, not the number 0",
            f'{shown}:4: \'timezone\' must be a time zone, not the string "Mars/Olympus" (use an IANA name like '
            '"Asia/Taipei")',
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


class TestFirstHourMistakes:
    """The config mistakes a new user makes, each an exact 'file:line: message' naming the value and its type."""

    def _problems(self, tmp_path: Path, text: str) -> list[str]:
        (tmp_path / "feedpub.toml").write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as e:
            load_config(cwd=tmp_path)
        where = tmp_path / "feedpub.toml"
        return [line.replace(f"{where}:", "feedpub.toml:") for line in str(e.value).splitlines()]

    def test_top_level_key_inside_a_table(self, tmp_path: Path) -> None:
        """A known key written after [categories] or [digest] is one error saying to move it above the table."""
        assert self._problems(tmp_path, '[categories]\nnews = "News"\nfeed_limit = 20\n\n[digest]\ntitle = "x"\n') == [
            "feedpub.toml:3: 'feed_limit' is inside the [categories] table: move it above the [categories] line "
            "(in TOML every key after a [table] line belongs to that table)",
            "feedpub.toml:6: 'title' is inside the [digest] table: move it above the [digest] line "
            "(in TOML every key after a [table] line belongs to that table)",
        ]

    def test_enumerated_values_suggest_the_closest(self, tmp_path: Path) -> None:
        """content_mode, digest.profile and timezone name the wrong value and the nearest right one."""
        assert self._problems(tmp_path, 'content_mode = "ful"\ntimezone = "Asia/Taipie"\n[digest]\nprofile = "mailchimpp"\n') == [
            "feedpub.toml:1: 'content_mode' must be one of both, full, summary, not the string \"ful\" "
            "(did you mean \"full\"?)",
            "feedpub.toml:2: 'timezone' must be a time zone, not the string \"Asia/Taipie\" (did you mean \"Asia/Taipei\"?)",
            "feedpub.toml:4: 'digest.profile' must be one of none, mailchimp, listmonk, buttondown, not the string "
            "\"mailchimpp\" (did you mean \"mailchimp\"?)",
        ]

    def test_toml_syntax_error_says_where_and_what(self, tmp_path: Path) -> None:
        """A TOML syntax error gives the parser's line, column and message, and quotes the line."""
        assert self._problems(tmp_path, 'title = "a"\nbase_url = https://x.org/\n') == [
            "feedpub.toml:2: not valid TOML at column 12: Invalid value (text values need quotes: "
            "title = \"My site\"): base_url = https://x.org/",
        ]

    def test_missing_source_folder_is_traced_to_its_line(self, tmp_path: Path) -> None:
        """source naming a folder that does not exist is an error at the line of 'source'."""
        assert self._problems(tmp_path, 'title = "a"\nsource = "article"\n') == [
            f"feedpub.toml:2: 'source' must be a folder of documents: {tmp_path / 'article'} "
            "(the string \"article\") does not exist",
        ]

    @pytest.mark.parametrize(("text", "message"), [
        ("future = \"yes\"\n", "'future' must be true or false, not the string \"yes\""),
        ("feed_limit = \"20\"\n", "'feed_limit' must be a positive integer, not the string \"20\""),
        ("feed_limit = 2.5\n", "'feed_limit' must be a positive integer, not the number 2.5"),
        ("title = 7\n", "'title' must be a string, not the number 7"),
        ("cache = 1\n", "'cache' must be true or false, not the number 1"),
        ("workers = true\n", "'workers' must be a whole number, 0 or more, not the boolean true"),
        ("author_email = \"me\"\n", "'author_email' must be an email address, not the string \"me\""),
        ("categories = [\"a\"]\n", "'categories' must be a table of slug = \"Display name\", not a list of 1"),
        ("[categories]\nnews = 1\n", "'categories' category \"news\" needs a non-empty display name, not the number 1"),
    ])
    def test_messages_name_the_value_and_its_type(self, tmp_path: Path, text: str, message: str) -> None:
        """A wrong value is named with its TOML type: a string "20" is not the number 20."""
        [problem] = self._problems(tmp_path, text)
        assert problem.split(": ", 1)[1] == message


class TestOptions:
    """Each option is declared once; the file's checks, the README and the defaults all come from it."""

    def test_every_setting_is_a_declared_option(self) -> None:
        """Every field of Config and DigestConfig is an option (or the [digest] table), so none escapes the checks,
        the README table or the cache key; only where the settings came from is not."""
        names = {f.name for f in fields(Config)} - {"digest", "config_path", "key_lines"}
        names |= {f"digest.{f.name}" for f in fields(DigestConfig)}
        assert names == set(OPTIONS)
        assert all(isinstance(o.output, bool) and o.doc and o.example for o in OPTIONS.values())

    def test_readme_table_is_made_from_the_options(self) -> None:
        """The README's configuration table is exactly the one the options make (python -m feedpub.config)."""
        readme = (ROOT / "README.md").read_text(encoding="utf-8")
        section = readme.split("## Configuration reference\n", 1)[1].split("\n## ", 1)[0]
        table = "".join(line + "\n" for line in section.splitlines() if line.startswith("|"))
        assert table == markdown_table()

    def test_table_rows_follow_the_declarations(self) -> None:
        """A row per top-level option in declaration order, then [digest]; defaults written as TOML."""
        rows = markdown_table().splitlines()[2:]
        assert [r.split(" | ")[0] for r in rows] == [f"| `{k}`" for k in OPTIONS if "." not in k] + ["| `[digest]`"]
        assert "| `feed_limit` | `50` | `20` | newest entries per feed |" in rows
        assert "| `templates_dir` | none | `\"templates\"` |" in "\n".join(rows)
        assert '| `categories` | `{}` | `[categories]`<br>`news = \"News\"` |' in "\n".join(rows)

    @pytest.mark.parametrize("name", list(OPTIONS))
    def test_default_passes_its_own_check(self, name: str) -> None:
        """A default is a value the file could give: its validator returns it unchanged."""
        option = OPTIONS[name]
        if option.default is None:
            return
        as_toml = {tuple: list, MappingProxyType: dict}.get(type(option.default), lambda v: v)  # as tomllib gives it
        assert option.validate(as_toml(option.default)) == option.default

    def test_no_file_gives_every_default(self, tmp_path: Path) -> None:
        """Without a file every option has its declared default (folders resolved against cwd)."""
        (tmp_path / "seeds").mkdir()
        cfg = load_config(cwd=tmp_path)
        for name, option in OPTIONS.items():
            want = tmp_path / option.default if option.folder and option.default else option.default
            assert value_of(cfg, name) == want, name

    def test_every_example_loads_from_a_file(self, tmp_path: Path) -> None:
        """A feedpub.toml setting every option to its example loads, each value its example's, none the default."""
        for folder in ("articles", "public-files"):
            (tmp_path / folder).mkdir()
        top = [o for o in OPTIONS.values() if "." not in o.name]
        digest = [o for o in OPTIONS.values() if o.name.startswith("digest.")]
        text = [line for o in top if "\n" not in o.example for line in _toml_lines(o)]
        text += [line for o in top if "\n" in o.example for line in _toml_lines(o)]
        text += ["[digest]"] + [line for o in digest for line in _toml_lines(o)]
        (tmp_path / "feedpub.toml").write_text("\n".join(text) + "\n", encoding="utf-8")
        cfg = load_config(cwd=tmp_path)
        for name, option in OPTIONS.items():
            value = value_of(cfg, name)
            example = example_of(option)
            want = (tmp_path / example).resolve() if option.folder else option.validate(example)
            assert value == want and value != option.default, name
