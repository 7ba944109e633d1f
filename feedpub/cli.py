"""Command line: parse options, call one core function, turn our errors into messages.

No core module imports click; FeedpubError becomes ``Error: file:line: message`` here, once.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from feedpub import __version__
from feedpub.commands import report
from feedpub.config import Config, load_config
from feedpub.errors import FeedpubError, OptionError

# The commands' modules (and through them the whole build machinery, jinja2, comrak…) are
# imported inside each command, when it runs: `feedpub --help`, `init` and `new` load none of it.


def now_from_env() -> datetime:
    """Return the build time: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(f"SOURCE_DATE_EPOCH must be a Unix timestamp, got {epoch!r}") from None
    return datetime.now(tz=UTC)


def _str(path: Path | None) -> str | None:
    """Return a path option as the string config validates (None stays unset)."""
    return None if path is None else str(path)


# --- global options -------------------------------------------------------------------------
# Declared once. Before the command name every command accepts them (they describe the site,
# so one line of options serves a script's every command; a command ignores those it has no
# use for); after it, each command takes those that mean something to it, and `check --out`
# is an error. The value given after the command wins; -v counts both.

F = TypeVar("F", bound=Callable[..., Any])
_GIVEN = "feedpub.globals"  # ctx.meta (shared by the group's and the command's contexts)


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Store a global option's value where every command finds it."""
    if value is None or value is False or value == 0:
        return value
    given = ctx.meta.setdefault(_GIVEN, {})
    name = param.name or ""
    given[name] = given.get(name, 0) + value if name == "verbose" else value
    return value


_PATH_FILE = click.Path(path_type=Path, dir_okay=False)
_PATH_DIR = click.Path(path_type=Path, file_okay=False)
_GLOBAL_OPTIONS: dict[str, Callable[[F], F]] = {
    "config": click.option("--config", type=_PATH_FILE, metavar="FILE", expose_value=False, callback=_remember,
                           help="Config file (default: ./feedpub.toml if present)."),
    "source": click.option("--source", type=_PATH_DIR, metavar="DIR", expose_value=False, callback=_remember,
                           help="Folder of documents (overrides 'source')."),
    "out": click.option("--out", type=_PATH_DIR, metavar="DIR", expose_value=False, callback=_remember,
                        help="Output folder (overrides 'out')."),
    "verbose": click.option("-v", "--verbose", count=True, expose_value=False, callback=_remember,
                            help="Say more: the summary even outside a terminal, and where each entry's "
                                 "title, date and category came from."),
    "quiet": click.option("-q", "--quiet", is_flag=True, expose_value=False, callback=_remember,
                          help="Print errors only."),
    "debug": click.option("--debug", is_flag=True, expose_value=False, callback=_remember,
                          help="Show the traceback of an internal error (for a bug report)."),
}


def _options(*names: str) -> Callable[[F], F]:
    """Add the named global options to a command."""

    def add(f: F) -> F:
        for name in reversed(names):
            f = _GLOBAL_OPTIONS[name](f)
        return f

    return add


@dataclass(frozen=True)
class _Globals:
    config: Path | None = None
    source: Path | None = None
    out: Path | None = None
    verbose: int = 0
    quiet: bool = False
    debug: bool = False


def _globals(ctx: click.Context) -> _Globals:
    """Return the global options given before or after the command name."""
    return _Globals(**ctx.meta.get(_GIVEN, {}))


def _config(ctx: click.Context, **overrides: Any) -> Config:
    """Load the config with the global --config, --source and --out (those the command takes)."""
    g = _globals(ctx)
    return load_config(g.config, {"source": _str(g.source), "out": _str(g.out), **overrides})


def _reporter(ctx: click.Context, *, summaries: bool | None = None) -> report.Reporter:
    """Return the reporter the global options ask for (summaries: on a terminal unless told)."""
    g = _globals(ctx)
    return report.Reporter(g.verbose, g.quiet, _on_terminal() if summaries is None else summaries)


class _Command(click.Command):
    """A command whose option errors (OptionError) are usage errors: exit 2, after its usage line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OptionError as e:
            raise click.UsageError("\n".join(p.message for p in e.problems), ctx) from None


class _Group(click.Group):
    """Turns FeedpubError into 'Error: …' lines and exit code 1, never a traceback."""

    command_class = _Command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeedpubError as e:
            if _globals(ctx).debug:
                raise
            for p in e.problems:
                report.error(p)
            ctx.exit(1)
        except KeyboardInterrupt:
            report.notice("Interrupted; the output folder was left as it was.")
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except Exception as e:
            if _globals(ctx).debug:
                raise
            report.error(f"internal error: {type(e).__name__}: {e} "
                         "(run 'feedpub --debug …' for a traceback and please report it)")
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@_options("config", "source", "out", "verbose", "quiet", "debug")
@click.version_option(__version__, prog_name="feedpub")
def cli() -> None:
    """Publish a folder of articles as Atom, RSS and JSON feeds and a weekly email digest.

    The options above go before the command, where every command accepts them, or after
    it, where each command takes those that mean something to it (see its --help):
    feedpub -q build is feedpub build -q.

    \b
    Example:
      feedpub build                    # ./seeds (or the embedded seeds) into ./dist
      feedpub --source articles build --out public
    """


@cli.command()
@_options("config", "source", "out", "verbose", "quiet", "debug")
@click.option("--future", is_flag=True, default=None, help="Publish entries dated in the future too.")
@click.option("--skip-invalid", is_flag=True, help="Publish the valid documents, list the others, exit 1.")
@click.pass_context
def build(ctx: click.Context, future: bool | None, skip_invalid: bool) -> None:
    """Build the feeds (and digest) of the source folder into the output folder.

    \b
    Example:
      feedpub build --source articles --out public
    """
    # Each command imports its stage when it runs (here and below), so `feedpub --help` loads none.
    from feedpub.outputs.digest import Request
    from feedpub.pipeline import build as run_build

    cfg = _config(ctx, future=future)
    reporter = _reporter(ctx)
    example = _example(ctx, cfg)
    reporter.example(cfg, source_given=not example)
    request = Request("latest", required=False) if example else None  # see _example
    if _ENDS_AFTER:  # the process ends once this returns (main): the collector is never turned back on
        gc.disable()
    with _ProgressBar(enabled=not reporter.quiet and _on_terminal()) as progress:
        result = run_build(cfg, now=now_from_env(), skip_invalid=skip_invalid, progress=progress,
                           digest_request=request)
    reporter.build(result, cfg)
    if result.skipped:
        ctx.exit(1)


def _example(ctx: click.Context, cfg: Config) -> bool:
    """Whether this command works on the example articles (no feedpub.toml, no --source).

    The example articles are old: their last complete week is empty, and a first build (or
    preview) with no digest to look at would hide half of what feedpub makes, so build and
    serve make the latest week that has entries. A site's weekly build keeps the default (the
    last complete week, or none), so an old issue is never sent again.
    """
    return cfg.config_path is None and _globals(ctx).source is None


PROGRESS_MIN = 50  # entries to render before a progress bar is worth drawing


def _on_terminal() -> bool:
    return sys.stderr.isatty()


class _ProgressBar:
    """A rendering progress bar on stderr, drawn only for long builds on a terminal."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:  # noqa: ARG002 - the bar counts its own steps
        if not self.enabled or total < PROGRESS_MIN:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="Rendering", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(1)

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command()
@_options("config", "source", "verbose", "quiet", "debug")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too (for CI).")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--future", is_flag=True, default=None,
              help="Check as if entries dated in the future were published.")
@click.pass_context
def check(ctx: click.Context, strict: bool, format_: str, future: bool | None) -> None:
    """Lint the documents without writing anything.

    Exits 1 on errors, and on warnings too with --strict. Shows where each document's
    title, date and category came from, and warns about undated documents, duplicate ids or
    permalinks, unknown categories, relative links with no base_url, future dates and empty
    summaries. It writes nothing, so it takes no --out; -q prints the errors only, -v also
    lists the files left out (drafts, generator files, redirect stubs) and why.

    \b
    Example:
      feedpub check --strict             # in CI: fail on any warning
      feedpub check --format json | jq '.summary'
    """
    from feedpub.commands.check import check as run_check

    found = run_check(_config(ctx, future=future), now=now_from_env())
    if format_ == "json":
        report.say(json.dumps(found.as_dict(), ensure_ascii=False, indent=2))
    else:
        _reporter(ctx).check(found)
    ctx.exit(found.exit_code(strict=strict))


@cli.command()
@_options("config", "source", "out", "quiet", "debug")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--future", is_flag=True, default=None, help="Publish entries dated in the future too.")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=0.5, show_default=True,
              help="Seconds between checks for changed files.")
@click.pass_context
def serve(ctx: click.Context, port: int, future: bool | None, interval: float) -> None:
    """Preview the site on 127.0.0.1, rebuilding on every change.

    Builds, serves the output folder with the feeds' media types, and rebuilds when a
    document, a template or the config file changes. Open pages reload by themselves after
    each rebuild; a failed build's errors show over the last good page (and here). The
    files in the output folder stay what `feedpub build` writes. Stop with Ctrl-C.

    \b
    Example:
      feedpub serve --port 8080          # then open http://127.0.0.1:8080/
    """
    from feedpub.commands.serve import Preview
    from feedpub.outputs.digest import Request

    reporter = _reporter(ctx, summaries=True)  # a preview is watched by a person, whatever runs it

    def load() -> Config:
        return _config(ctx, future=future)

    cfg = load()
    reporter.example(cfg, source_given=_globals(ctx).source is not None)
    # the example's digest, as `feedpub build` makes it (see _example)
    request = Request("latest", required=False) if _example(ctx, cfg) else None
    preview = Preview(cfg, clock=now_from_env, port=port, reload_config=load, on_rebuild=reporter.rebuilt,
                      digest_request=request)
    first = preview.start()
    try:
        if first.result is not None:
            reporter.build(first.result, cfg)
        reporter.serving(preview.url, cfg)
        preview.watch(interval)
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop()
    reporter.stopped()


@cli.command()
@_options("quiet", "debug")
@click.argument("folder", type=_PATH_DIR, default=".", required=False)
@click.option("--force", is_flag=True, help="Overwrite feedpub.toml and the example document if they exist.")
@click.pass_context
def init(ctx: click.Context, folder: Path, force: bool) -> None:
    """Start a project: a commented feedpub.toml and an example document.

    Writes into FOLDER (default: the current folder); refuses to overwrite without --force.

    \b
    Example:
      feedpub init my-site && cd my-site && feedpub build
    """
    from feedpub.commands.init import init_project

    reporter = _reporter(ctx)
    reporter.wrote(init_project(folder, today=now_from_env().date(), force=force))
    if not reporter.quiet:
        report.say(f"Next: cd {folder} && feedpub check && feedpub serve")


@cli.command()
@_options("config", "source", "quiet", "debug")
@click.argument("title")
@click.option("--category", default=None, metavar="NAME",
              help="The article's category (its subfolder, when the source folder has one of that name).")
@click.pass_context
def new(ctx: click.Context, title: str, category: str | None) -> None:
    """Start an article: front matter with TITLE and today's date, in the source folder.

    The file is <source>/YYYY-MM-DD-<slug of the title>.md (in the category's subfolder when
    there is one), with YAML front matter, or TOML (+++) when the folder's documents use it.
    It never overwrites a file.

    \b
    Example:
      feedpub new "Our first results" --category news
    """
    from feedpub.commands.new import new_article

    cfg = _config(ctx)
    path = new_article(cfg, title, today=now_from_env().astimezone(cfg.tz).date(), category=category)
    _reporter(ctx).wrote([path])


def _day(ctx: click.Context, param: click.Parameter, value: datetime | None) -> date | None:  # noqa: ARG001
    return None if value is None else value.date()


@cli.command()
@_options("config", "source", "out", "verbose", "quiet", "debug")
@click.option("--week", default=None, metavar="WEEK",
              help="ISO week like 2023-W08, 'last' (the last complete week) or 'latest' (the newest "
                   "complete week with entries, however old). Default: the last complete week, "
                   "if it has entries.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD", callback=_day,
              help="First day of a date range, in the site time zone.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD", callback=_day,
              help="Last day of the range (default: today).")
@click.option("--future", is_flag=True, default=None, help="Publish entries dated in the future too.")
@click.pass_context
def digest(ctx: click.Context, week: str | None, since: date | None, until: date | None,
           future: bool | None) -> None:
    """Build the site with the email digest of a chosen week (or date range).

    Writes digest/<week>.html (CSS inlined), .txt and .eml, and latest.* copies, into the
    output folder, with the feeds. Digests of other weeks already there are kept. Without
    --week or --since, when the last complete week has no entries, no digest is made,
    latest.* stay as they were and the command exits 1 after building the rest.

    \b
    Example:
      feedpub digest --week 2023-W08
      feedpub digest --since 2023-02-01 --until 2023-02-28
    """
    from feedpub.outputs.digest import Request, window
    from feedpub.pipeline import build as run_build

    cfg = _config(ctx, future=future)
    request, now = Request(week, since, until), now_from_env()
    window(request, (), cfg, now)  # a wrong --week/--since/--until is a usage error before any work
    reporter = _reporter(ctx)
    reporter.example(cfg, source_given=_globals(ctx).source is not None)
    result = run_build(cfg, now=now, digest_request=request)
    reporter.digest(result, cfg)
    if not result.mail.label:  # the default week is empty (the warning says so): `digest && send` must stop here
        ctx.exit(1)


@cli.command()
@_options("config", "out", "quiet", "debug")
@click.option("--to", "to", required=True, metavar="ADDRESS", help="Recipient of the test send.")
@click.option("--eml", type=_PATH_FILE, default=None, help="Message to send (default: <out>/digest/latest.eml).")
@click.option("--test-prefix/--no-test-prefix", default=True,
              help='Put "[TEST] " before the subject (default: on).')
@click.pass_context
def send(ctx: click.Context, to: str, eml: Path | None, test_prefix: bool) -> None:
    """Send the built digest to one address over SMTP (STARTTLS), as a test.

    SMTP host, port, user and STARTTLS come from [digest] in the config or from
    FEEDPUB_SMTP_HOST/PORT/USER/STARTTLS; the password from FEEDPUB_SMTP_PASSWORD.
    Each send is a new message (Message-ID, Date now); a digest without an unsubscribe
    mechanism or postal address is refused.

    \b
    Example:
      feedpub digest && feedpub send --to me@example.org
    """
    from feedpub.commands import send as sending

    cfg = _config(ctx)
    path = eml or cfg.out / "digest" / "latest.eml"
    smtp = sending.settings(cfg, os.environ)
    for warning in sending.send(path, to, smtp, cfg, now=datetime.now(tz=UTC), test=test_prefix):
        report.warning(warning)
    if not _globals(ctx).quiet:
        report.notice(f"sent {path} to {to} via {smtp.host}:{smtp.port}")


# Set by main(): this process ends as soon as its command returns. A build then leaves the
# cyclic garbage collector off when it ends (pipeline.build turns it off while it runs and
# back on after): turned on, its first pass walked every object the build made, ~0.1 s of a
# 50,000-document rebuild, to free memory the process was about to give back anyway.
# Not in a process that goes on (tests invoking `cli`, `feedpub serve`).
_ENDS_AFTER: list[bool] = []


def main() -> None:
    """Run the command line (console script entry point), then end the process at once.

    Tearing the interpreter down (a last garbage collection, then freeing every object one by
    one) costs a large archive's rebuild a noticeable part of its time (see
    docs/performance.md). Nothing of feedpub's waits for it: by the time a command returns,
    its files are written and the build cache is closed; only standard output and error need
    flushing.
    """
    _ENDS_AFTER.append(True)
    try:
        cli(prog_name="feedpub")  # click always ends by raising SystemExit
    except SystemExit as e:
        code = e.code
    else:  # pragma: no cover - click's standalone mode never returns
        code = 0
    if isinstance(code, str):  # what sys.exit("message") would print
        print(code, file=sys.stderr)
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (feedpub … | head): nothing more to say
            code = code or 1
    os._exit(code or 0)


if __name__ == "__main__":  # pragma: no cover
    main()
