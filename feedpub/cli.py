"""Command line: parse options, call one core function, turn our errors into messages.

No core module imports click; FeedpubError becomes ``Error: file:line: message`` here, once.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from feedpub import __version__
from feedpub.config import Config, load_config
from feedpub.errors import FeedpubError


def now_from_env() -> datetime:
    """Return the build time: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise click.UsageError(f"SOURCE_DATE_EPOCH must be a Unix timestamp, got {epoch!r}") from None
    return datetime.now(tz=timezone.utc)


def _config(ctx: click.Context, **overrides: Any) -> Config:
    opts = ctx.find_root().params
    merged = {"source": opts.get("source"), "out": opts.get("out"), **overrides}
    return load_config(opts.get("config"), merged)


class _Group(click.Group):
    """Turns FeedpubError into 'Error: …' lines and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FeedpubError as e:
            if ctx.params.get("debug"):
                raise
            for p in e.problems:
                click.echo(f"Error: {p}", err=True)
            ctx.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Config file (default: ./feedpub.toml if present).")
@click.option("--source", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of documents (overrides 'source').")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (overrides 'out').")
@click.option("-v", "--verbose", count=True, help="Say more (per-document inference with -v).")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.version_option(__version__, prog_name="feedpub")
def cli(config: Path | None, source: Path | None, out: Path | None, verbose: int, quiet: bool, debug: bool) -> None:
    """Publish a folder of articles as Atom, RSS and JSON feeds and a weekly email digest.

    \b
    Example:
      feedpub build                    # ./seeds (or the embedded seeds) into ./dist
      feedpub --source articles build --out public
    """


@cli.command()
@click.option("--source", "source_", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of documents (overrides 'source').")
@click.option("--out", "out_", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Output folder (overrides 'out').")
@click.option("--config", "config_", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Config file (default: ./feedpub.toml if present).")
@click.option("--future", is_flag=True, default=None, help="Publish entries dated in the future too.")
@click.option("--skip-invalid", is_flag=True, help="Publish the valid documents, list the others, exit 1.")
@click.option("-v", "--verbose", "verbose_", count=True, help="Show where each entry's title, date and category came from.")
@click.option("-q", "--quiet", "quiet_", is_flag=True, help="Print errors only.")
@click.pass_context
def build(ctx: click.Context, source_: Path | None, out_: Path | None, config_: Path | None,
          future: bool | None, skip_invalid: bool, verbose_: int, quiet_: bool) -> None:
    """Build the feeds (and digest) of the source folder into the output folder.

    \b
    Example:
      feedpub build --source articles --out public
    """
    from feedpub.pipeline import build as run_build

    root = ctx.find_root().params
    cfg = load_config(config_ or root.get("config"), {
        "source": source_ or root.get("source"), "out": out_ or root.get("out"), "future": future,
    })
    result = run_build(cfg, now=now_from_env(), skip_invalid=skip_invalid)
    verbose = verbose_ + root.get("verbose", 0)
    quiet = quiet_ or root.get("quiet", False)
    if verbose and not quiet:
        for e in result.entries:
            click.echo(f"{e.rel}: title from {e.title_source}, date {e.date.date()} from {e.date_source}, "
                       f"category '{e.category.name}' from {e.category_source}")
    for p in result.skipped:
        click.echo(f"Error: {p} (skipped)", err=True)
    for w in result.warnings:
        click.echo(f"Warning: {w}", err=True)
    if not quiet:
        state = "written" if result.report.changed else "unchanged"
        click.echo(f"{len(result.entries)} entries; {len(result.report.written)} files written, "
                   f"{len(result.report.unchanged)} unchanged; {cfg.out} {state}", err=True)
    if result.skipped:
        ctx.exit(1)


@cli.command()
@click.option("--week", default=None, metavar="WEEK",
              help="ISO week like 2023-W08, 'last' (the last complete week) or 'latest' (default: "
                   "the newest week with entries).")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="First day of a date range, in the site time zone.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Last day of the range (default: today).")
@click.pass_context
def digest(ctx: click.Context, week: str | None, since: datetime | None, until: datetime | None) -> None:
    """Build the site with the email digest of a chosen week (or date range).

    Writes digest/<week>.html (CSS inlined), .txt and .eml, and latest.* copies, into the
    output folder, with the feeds.

    \b
    Example:
      feedpub digest --week 2023-W08
      feedpub digest --since 2023-02-01 --until 2023-02-28
    """
    from feedpub.digest import Request
    from feedpub.pipeline import build as run_build

    cfg = _config(ctx)
    request = Request(week, since.date() if since else None, until.date() if until else None)
    result = run_build(cfg, now=now_from_env(), digest_request=request)
    mail = result.mail
    for w in result.warnings:
        click.echo(f"Warning: {w}", err=True)
    if not ctx.find_root().params.get("quiet"):
        for ext in ("html", "txt", "eml"):
            click.echo(cfg.out / "digest" / f"{mail.label}.{ext}")
        noun = "entry" if mail.items == 1 else "entries"
        click.echo(f"digest {mail.label}: {mail.items} {noun}; inlined HTML {mail.html_bytes / 1024:.1f} KB "
                   f"(limit {cfg.digest.size_limit_kb} KB)", err=True)


@cli.command()
@click.option("--to", "to", required=True, metavar="ADDRESS", help="Recipient of the test send.")
@click.option("--eml", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Message to send (default: <out>/digest/latest.eml).")
@click.pass_context
def send(ctx: click.Context, to: str, eml: Path | None) -> None:
    """Send the built digest to one address over SMTP (STARTTLS), as a test.

    SMTP host, port, user and STARTTLS come from [digest] in the config or from
    FEEDPUB_SMTP_HOST/PORT/USER/STARTTLS; the password from FEEDPUB_SMTP_PASSWORD.

    \b
    Example:
      feedpub digest && feedpub send --to me@example.org
    """
    from feedpub import send as sending

    cfg = _config(ctx)
    path = eml or cfg.out / "digest" / "latest.eml"
    smtp = sending.settings(cfg, os.environ)
    sending.send(path, to, smtp)
    if not ctx.find_root().params.get("quiet"):
        click.echo(f"sent {path} to {to} via {smtp.host}:{smtp.port}", err=True)


def main() -> None:
    """Run the command line (console script entry point)."""
    cli(prog_name="feedpub")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
