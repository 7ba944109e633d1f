"""The command line's options: each command takes what its --help and the README say; usage errors exit 2."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from feedpub.cli import cli
from feedpub.errors import FeedpubError
from tests.conftest import AFTER_SEEDS, NOW, write_doc

EPOCH = str(int(AFTER_SEEDS.timestamp()))  # 2024-03-04T09:00Z: a build of the seeds makes their newest digest


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"SOURCE_DATE_EPOCH": EPOCH})


def run(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def site(tmp_path: Path, seeds: Path) -> Path:
    """A config file naming a title only; the seeds and an output folder are given as options."""
    toml = tmp_path / "site.toml"
    toml.write_text('title = "Options"\n', encoding="utf-8")
    return toml


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


GLOBALS = ("--config", "--source", "--out", "-v", "-q", "--debug")
# What each command takes after its name (README "Commands"); the rest of GLOBALS it refuses there.
TAKES = {
    "build": GLOBALS,
    "digest": GLOBALS,
    "check": ("--config", "--source", "-v", "-q", "--debug"),
    "serve": ("--config", "--source", "--out", "-q", "--debug"),
    "send": ("--config", "--out", "-q", "--debug"),
    "init": ("-q", "--debug"),
    "new": ("--config", "--source", "-q", "--debug"),
}


class TestHelp:
    @pytest.mark.parametrize("command", [[], *([c] for c in TAKES)])
    def test_every_command_has_help_with_an_example(self, runner: CliRunner, command: list[str]) -> None:
        """--help of the group and of every command exits 0 and shows an example."""
        result = run(runner, *command, "--help")
        assert result.exit_code == 0
        assert "Example:\n" in result.stdout
        assert "  feedpub " in result.stdout

    @pytest.mark.parametrize("command", list(TAKES))
    def test_help_lists_exactly_the_options_the_command_takes(self, runner: CliRunner, command: str) -> None:
        """A command's --help shows the global options it takes and no other."""
        shown = run(runner, command, "--help").stdout
        for flag in GLOBALS:
            assert (f"  {flag} " in shown or f", {flag}" in shown or f"  {flag}," in shown) == (flag in TAKES[command])

    def test_group_help_shows_debug_and_a_clear_verbose(self, runner: CliRunner) -> None:
        """feedpub --help lists --debug, and -v says what it adds."""
        shown = run(runner, "--help").stdout
        assert "--debug" in shown
        assert "where each\n                 entry's title, date and category came from" in shown


class TestEachCommandTakesItsOptions:
    def test_build(self, runner: CliRunner, site: Path, seeds: Path, tmp_path: Path) -> None:
        """build takes --config --source --out -v -q --debug --future --skip-invalid after its name."""
        result = run(runner, "build", "--config", site, "--source", seeds, "--out", tmp_path / "o", "-v", "-q",
                     "--debug", "--future", "--skip-invalid")
        assert (result.exit_code, result.stderr) == (0, "")
        assert "<title>Options</title>" in (tmp_path / "o" / "atom.xml").read_text()

    def test_digest(self, runner: CliRunner, site: Path, seeds: Path, tmp_path: Path) -> None:
        """digest takes --config --source --out -v -q --debug --future --week, and --since/--until."""
        result = run(runner, "digest", "--config", site, "--source", seeds, "--out", tmp_path / "o", "-v", "-q",
                     "--debug", "--future", "--week", "2024-W09")
        assert (result.exit_code, result.stderr) == (0, "")
        assert (tmp_path / "o" / "digest" / "2024-W09.eml").is_file()
        result = run(runner, "digest", "--out", tmp_path / "o", "--source", seeds, "-q",
                     "--since", "2024-02-26", "--until", "2024-03-03")
        assert (result.exit_code, result.stderr) == (0, "")
        assert (tmp_path / "o" / "digest" / "2024-02-26_2024-03-03.html").is_file()

    def test_check(self, runner: CliRunner, site: Path, seeds: Path) -> None:
        """check takes --config --source -q --debug --strict --format --future; -q leaves only errors."""
        result = run(runner, "check", "--config", site, "--source", seeds, "-q", "--debug", "--format", "text",
                     "--future")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        assert run(runner, "check", "--source", seeds, "-q", "--strict").exit_code == 1  # the seeds warn

    def test_check_refuses_out(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """check writes nothing, so --out after it is a usage error (exit 2)."""
        result = run(runner, "check", "--source", seeds, "--out", tmp_path / "o")
        assert result.exit_code == 2
        assert result.stderr.endswith("Error: No such option '--out'. (Did you mean one of: '--future', "
                                      "'--quiet', '--source'?)\n")

    def test_serve(self, runner: CliRunner, site: Path, seeds: Path, tmp_path: Path, busy_port: int) -> None:
        """serve takes --config --source --out -q --debug --port --future --interval (here: a taken port)."""
        options = ["--config", site, "--source", seeds, "--out", tmp_path / "o", "-q", "--port", busy_port,
                   "--future", "--interval", "1"]
        result = run(runner, "serve", *options)
        assert result.exit_code == 1
        assert result.stderr == (f"Error: 127.0.0.1:{busy_port}: cannot serve: Address already in use "
                                 "(try another --port, or --port 0)\n")
        with pytest.raises(FeedpubError, match="cannot serve"):  # --debug: the error with its traceback
            run(runner, "serve", *options, "--debug")

    def test_send(self, runner: CliRunner, site: Path, seeds: Path, tmp_path: Path, closed_port: int,
                  monkeypatch: pytest.MonkeyPatch) -> None:
        """send takes --config --out -q --debug --to --eml --no-test-prefix (here: to a port nobody listens on)."""
        ready = tmp_path / "ready.toml"  # a digest that may be sent: unsubscribe link and postal address
        ready.write_text('title = "Options"\n[digest]\nunsubscribe_url = "https://lists.mysite.net/unsubscribe"\n'
                         'postal_address = "1 Example Road, Taipei"\n', encoding="utf-8")
        site = ready
        assert run(runner, "digest", "--config", site, "--source", seeds, "--out", tmp_path / "o", "-q").exit_code == 0
        monkeypatch.setenv("FEEDPUB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FEEDPUB_SMTP_PORT", str(closed_port))
        monkeypatch.setenv("FEEDPUB_SMTP_STARTTLS", "0")
        for extra in ([], ["--eml", tmp_path / "o" / "digest" / "latest.eml", "--no-test-prefix"]):
            options = ["--config", site, "--out", tmp_path / "o", "-q", "--to", "me@example.org", *extra]
            result = run(runner, "send", *options)
            assert result.exit_code == 1
            assert result.stderr.startswith(f"Error: 127.0.0.1:{closed_port}: sending failed: ")
            with pytest.raises(FeedpubError, match="sending failed"):  # --debug: the error with its traceback
                run(runner, "send", *options, "--debug")

    def test_init(self, runner: CliRunner, tmp_path: Path) -> None:
        """init takes FOLDER --force -q --debug."""
        result = run(runner, "init", tmp_path / "site", "--force", "-q", "--debug")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        assert (tmp_path / "site" / "feedpub.toml").is_file()

    def test_new(self, runner: CliRunner, site: Path, tmp_path: Path) -> None:
        """new takes TITLE --category --config --source -q --debug."""
        (tmp_path / "docs").mkdir()
        result = run(runner, "new", "Hello there", "--category", "news", "--config", site,
                     "--source", tmp_path / "docs", "-q", "--debug")
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
        assert (tmp_path / "docs" / "2024-03-04-hello-there.md").is_file()

    @pytest.mark.parametrize("command", list(TAKES))
    def test_global_options_before_any_command(self, runner: CliRunner, command: str, site: Path,
                                               seeds: Path, tmp_path: Path) -> None:
        """Every global option is accepted before every command's name (a command ignores those it has no use for)."""
        args = {"build": [], "digest": [], "check": [], "serve": ["--port", "-1"], "send": ["--to", "x@y.org"],
                "init": [tmp_path / "init"], "new": ["A title"]}[command]
        options = ["--config", site, "--source", seeds if command != "new" else tmp_path, "--out", tmp_path / "o",
                   "-v", "-q", "--debug"]
        if command == "send":  # nothing was built: send got as far as reading the digest (--debug: raised)
            with pytest.raises(FeedpubError, match=r"o/digest/latest.eml: cannot read the digest"):
                run(runner, *options, command, *args)
            return
        result = run(runner, *options, command, *args)
        # serve's --port -1 (a usage error) stops it after the global options were taken
        assert "No such option" not in result.stderr
        assert result.exit_code == (2 if command == "serve" else 0), result.stderr

    @pytest.mark.parametrize("command", list(TAKES))
    def test_a_global_option_after_a_command_that_does_not_take_it_is_refused(
        self, runner: CliRunner, command: str
    ) -> None:
        """After the command name, a global option it has no use for is a usage error naming it."""
        for flag in set(GLOBALS) - set(TAKES[command]):
            result = run(runner, command, flag, *(["x"] if flag in ("--config", "--source", "--out") else []))
            assert result.exit_code == 2
            assert f"Error: No such option '{flag}'" in result.stderr


class TestUsageErrors:
    @pytest.mark.parametrize(("args", "message"), [
        (["digest", "--week", "2026-48"], "--week must be an ISO week like 2023-W08, 'last' or 'latest': '2026-48'"),
        (["digest", "--week", "last", "--since", "2026-11-01"], "use either --week or --since/--until, not both"),
        (["digest", "--until", "2026-11-01"], "--until needs --since"),
        (["digest", "--since", "2026-11-02", "--until", "2026-11-01"], "--until 2026-11-01 is before --since 2026-11-02"),
    ])
    def test_digest_selection(self, runner: CliRunner, seeds: Path, tmp_path: Path, args: list[str],
                              message: str) -> None:
        """A wrong --week/--since/--until exits 2 with the usage line and one 'Error:', writing nothing."""
        result = run(runner, "--source", seeds, "--out", tmp_path / "o", *args)
        assert result.exit_code == 2
        assert result.stderr == (f"Usage: cli digest [OPTIONS]\nTry 'cli digest --help' for help.\n\n"
                                 f"Error: {message}\n")
        assert not (tmp_path / "o").exists()

    def test_send_to_not_an_address(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """send --to 'not an address' exits 2 with one 'Error:' naming the value."""
        assert run(runner, "digest", "--source", seeds, "--out", tmp_path / "o", "-q").exit_code == 0
        result = run(runner, "send", "--out", tmp_path / "o", "--to", "not an address")
        assert result.exit_code == 2
        assert result.stderr == ("Usage: cli send [OPTIONS]\nTry 'cli send --help' for help.\n\n"
                                 "Error: --to is not an email address: 'not an address'\n")


class TestNoConfig:
    def test_build_without_a_config_says_it_builds_the_example(self, runner: CliRunner, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
        """In a folder with no feedpub.toml, build says once that it builds the example and how to start a site."""
        monkeypatch.chdir(tmp_path)
        later = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))})  # months after the seeds' last week
        result = run(later, "build")
        assert result.exit_code == 0
        notice, *rest = result.stderr.splitlines()
        assert notice == (f"No feedpub.toml here: building the example articles (feedpub's embedded "
                          f"seeds) into {tmp_path.resolve() / 'dist'}. To start your own site: feedpub init my-site")
        assert rest == []  # the example's digest is of its newest week with entries: never an empty week
        assert (tmp_path / "dist" / "digest" / "latest.html").is_file()
        assert "No feedpub.toml" not in run(runner, "-q", "build").stderr

    def test_a_site_of_its_own_keeps_the_weekly_default(self, seeds: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
        """The same old documents named by --source, built months later: no digest of an old week, and why."""
        monkeypatch.chdir(tmp_path)
        later = CliRunner(env={"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))})  # 2025-01-15: W02 is empty
        result = run(later, "build", "--source", seeds)
        assert result.exit_code == 0
        assert result.stderr.startswith("Warning: digest-empty-week: "), result.stderr
        assert not (tmp_path / "dist" / "digest").exists()

    def test_a_config_or_a_source_means_no_notice(self, runner: CliRunner, seeds: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        """With a feedpub.toml, or --source, build says nothing of the example."""
        monkeypatch.chdir(tmp_path)
        assert run(runner, "build", "--source", seeds).stderr == ""
        Path("feedpub.toml").write_text(f'source = "{seeds.as_posix()}"\n', encoding="utf-8")
        assert run(runner, "build").stderr == ""


class TestRemovedFiles:
    def test_files_a_build_removes_are_listed(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """A file put into the output folder is removed by the next build, which names it (even off a terminal)."""
        out = tmp_path / "o"
        assert run(runner, "build", "--source", seeds, "--out", out).exit_code == 0
        write_doc(out, "notes/mine.txt", "my own notes")
        result = run(runner, "build", "--source", seeds, "--out", out)
        assert result.exit_code == 0
        assert result.stderr == (f"Removed from {out} (1 file this build no longer makes): notes/mine.txt\n")
        assert not (out / "notes").exists()
        assert run(runner, "-q", "build", "--source", seeds, "--out", out).stderr == ""


class TestConfigMessages:
    """Config mistakes at the command line: exit 1, each 'Error: file:line: …' exactly, all at once."""

    @pytest.mark.parametrize(("text", "errors"), [
        ('[categories]\nnews = "News"\nfeed_limit = 20\n',
         ["3: 'feed_limit' is inside the [categories] table: move it above the [categories] line "
          "(in TOML every key after a [table] line belongs to that table)"]),
        ('content_mode = "ful"\n',
         ["1: 'content_mode' must be one of both, full, summary, not the string \"ful\" (did you mean \"full\"?)"]),
        ('title = "a"\nfuture = yes\n',
         ["2: not valid TOML at column 10: Invalid value (text values need quotes: title = \"My site\"): future = yes"]),
        ('draft = "x"\nfuture = "yes"\nfeed_limit = "20"\n',
         ["1: unknown key 'draft'",
          "2: 'future' must be true or false, not the string \"yes\"",
          "3: 'feed_limit' must be a positive integer, not the string \"20\""]),
    ])
    def test_config_errors(self, runner: CliRunner, seeds: Path, tmp_path: Path, text: str,
                           errors: list[str]) -> None:
        """Every problem of the file is one 'Error: file:line: message' line naming the value and its type."""
        toml = tmp_path / "feedpub.toml"
        toml.write_text(f'source = "{seeds.as_posix()}"\n' + text, encoding="utf-8")
        result = run(runner, "--config", toml, "build")
        assert result.exit_code == 1
        assert result.stderr == "".join(f"Error: {toml}:{int(e.split(':')[0]) + 1}:{e.split(':', 1)[1]}\n"
                                        for e in errors)

    def test_missing_source_folder(self, runner: CliRunner, tmp_path: Path) -> None:
        """source = "article" (no such folder) is traced to its line."""
        toml = tmp_path / "feedpub.toml"
        toml.write_text('title = "T"\nsource = "article"\n', encoding="utf-8")
        result = run(runner, "--config", toml, "check")
        assert result.exit_code == 1
        assert result.stderr == (f"Error: {toml}:2: 'source' must be a folder of documents: {tmp_path / 'article'} "
                                 "(the string \"article\") does not exist\n")


class TestBaseUrlWarning:
    def _warning(self, runner: CliRunner, *args: str | Path) -> list[str]:
        out = run(runner, *args, "check").stdout
        return [line for line in out.splitlines() if "base_url' is" in line]

    def test_set_to_the_example_in_the_file(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """base_url written as the example host is named at its line, not called 'not set'."""
        toml = tmp_path / "site.toml"
        toml.write_text('title = "T"\nbase_url = "https://news.example.org/"\n', encoding="utf-8")
        assert self._warning(runner, "--config", toml, "--source", seeds) == [
            f"{toml}:2: warning: 'base_url' is the example 'https://news.example.org/': links will point at the "
            "example host https://news.example.org/; set your site's address"]

    def test_not_in_the_file(self, runner: CliRunner, seeds: Path, tmp_path: Path) -> None:
        """A config file without base_url is named, without a line."""
        toml = tmp_path / "site.toml"
        toml.write_text('title = "T"\n', encoding="utf-8")
        assert self._warning(runner, "--config", toml, "--source", seeds) == [
            f"{toml}: warning: 'base_url' is not set: links will point at the example host "
            "https://news.example.org/; add base_url = \"https://…/\""]

    def test_no_config_file(self, runner: CliRunner, seeds: Path, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
        """Without a config file no feedpub.toml is blamed: the warning says there is none."""
        monkeypatch.chdir(tmp_path)
        assert self._warning(runner, "--source", seeds) == [
            "feedpub: warning: 'base_url' is not set (there is no feedpub.toml; 'feedpub init' writes one): "
            "links will point at the example host https://news.example.org/"]
        assert not (tmp_path / "feedpub.toml").exists()


class TestDocumentMessages:
    """Document mistakes at the command line: exact 'Error: file:line: …' lines that name the value."""

    @pytest.mark.parametrize(("text", "error"), [
        ("---\ntitle: A\ndraft: sometimes\n---\nText.\n", "a.md:3: 'draft' must be true or false, not the string \"sometimes\""),
        ("---\ntitle: A\ndate: 2024-02-30\n---\nText.\n",
         "a.md:3: invalid date in front matter: \"2024-02-30\" (day is out of range for month)"),
        ("---\ntitle: A\npermalink: 'javascript:x'\n---\nText.\n",
         "a.md:3: 'permalink' must be a path or an http(s) URL, not the string \"javascript:x\""),
    ])
    def test_build_names_the_value(self, runner: CliRunner, tmp_path: Path, text: str, error: str) -> None:
        """A bad document fails the build with one 'Error:' line naming the value and its type."""
        write_doc(tmp_path / "src", "a.md", text)
        result = run(runner, "build", "--source", tmp_path / "src", "--out", tmp_path / "o")
        assert result.exit_code == 1
        assert result.stderr == f"Error: {error}\n"

    def test_a_shared_permalink_is_reported_once(self, runner: CliRunner, tmp_path: Path) -> None:
        """Two documents with one permalink (so one id): one error per document, not one per field."""
        for name in ("a.md", "b.md"):
            write_doc(tmp_path / "src", name, "---\ntitle: T\ndate: 2024-01-01\npermalink: /same/\n---\nText.\n")
        result = run(runner, "build", "--source", tmp_path / "src", "--out", tmp_path / "o")
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: a.md:4: duplicate permalink 'https://news.example.org/same/': also used by b.md\n"
            "Error: b.md:4: duplicate permalink 'https://news.example.org/same/': also used by a.md\n")
