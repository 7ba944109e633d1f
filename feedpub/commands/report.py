"""What a command tells its user: one function per kind of line, each said once.

The CLI parses options and calls a command; what the command did is printed here, so
`build`, `digest`, `serve` and `check` word a warning, a summary or a skipped document the
same way. Where a line goes follows one rule: **stdout** carries the command's answer (the
digest files it wrote, the URLs it serves, check's report, the per-entry lines -v asks for),
which a script may read; **stderr** carries everything said about the run (errors,
warnings, summaries, notices, rebuilds), so ``feedpub digest | xargs …`` sees only paths.

Summaries are for people: they are printed on a terminal or with -v, never into a cron
job's or CI's log, which get errors and warnings only. -q leaves errors (and warnings, which
a log must keep) but nothing else.

This module imports no click (only ``cli.py`` does) and nothing heavy at import time, so
``cli.py`` can import it whatever command runs.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from feedpub.config import CONFIG_NAME, Config
from feedpub.errors import printable

if TYPE_CHECKING:
    from feedpub.commands.check import CheckReport
    from feedpub.commands.serve import Rebuild
    from feedpub.pipeline import BuildResult

FEED_PATHS = ("atom.xml", "rss.xml", "feed.json", "feeds.opml")  # what `serve` lists under its URL


def _write(stream: TextIO, line: str) -> None:
    # flushed at once: `serve` runs until interrupted, and whoever reads its output (a
    # terminal, a test, a process manager) must see each line when it is said
    stream.write(printable(line) + "\n")
    stream.flush()


def say(line: str) -> None:
    """Print a line of the command's answer (stdout)."""
    _write(sys.stdout, line)


def notice(line: str) -> None:
    """Print a line about the run (stderr): summaries, notices, progress."""
    _write(sys.stderr, line)


def error(problem: object) -> None:
    """Print one problem that stops the command (or a document) as 'Error: path:line: message'."""
    notice(f"Error: {problem}")


def skipped(problem: object) -> None:
    """Print a problem of a document the build left out (--skip-invalid) and went on without."""
    notice(f"Error: {problem} (skipped)")


def warning(text: str) -> None:
    """Print something made but worth a look, as 'Warning: …'."""
    notice(f"Warning: {text}")


def plural(n: int, one: str, many: str = "") -> str:
    """Return '1 entry' or '2 entries'."""
    return f"{n} {one if n == 1 else many or one + 's'}"


@dataclass
class Reporter:
    """Prints what a command did, as the global options ask (-v, -q, a terminal or not).

    A serving reporter remembers the warnings of the last build it reported, so a rebuild says
    only the warnings that are new: a page left out or a refused file is said once per
    session, not after every save.
    """

    verbose: int = 0
    quiet: bool = False
    summaries: bool = False  # print summaries (a terminal, -v, or `serve`)
    _said: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def _summary(self) -> bool:
        return not self.quiet and (self.summaries or bool(self.verbose))

    # --- what every build says --------------------------------------------------------

    def example(self, config: Config, *, source_given: bool) -> None:
        """Say that a build without a config builds the example articles, and how to start a site."""
        if self.quiet or config.config_path is not None or source_given:
            return
        cwd = Path.cwd().resolve()
        shown = config.source.relative_to(cwd).as_posix() if config.source.is_relative_to(cwd) \
            else "feedpub's embedded seeds"
        notice(f"No {CONFIG_NAME} here: building the example articles ({shown}) into {config.out}. "
               "To start your own site: feedpub init my-site")

    def build(self, result: BuildResult, config: Config) -> None:
        """Report a `build`: -v's per-entry lines, skipped documents, warnings, removals, the summary."""
        self._entries(result, config)
        self._problems(result, config)
        if self._summary:
            self._totals(result, config)
            self._digest(result, config)

    def digest(self, result: BuildResult, config: Config) -> None:
        """Report a `digest`: as a build, then the digest's size and files whatever the terminal.

        The digest's size line and why it is not ready to send are the answer to this
        command, so they are said here once, not in the summary as well.
        """
        self._entries(result, config)
        self._problems(result, config)
        if self._summary:
            self._totals(result, config)
        if not self.quiet and result.mail.label:
            self._digest(result, config)
            for ext in ("html", "txt", "eml"):
                say(str(config.out / "digest" / f"{result.mail.label}.{ext}"))

    def _entries(self, result: BuildResult, config: Config) -> None:
        if not self.verbose or self.quiet:
            return
        # the whole build machinery, loaded by the build that made `result`: imported here so
        # that `cli.py`, which imports this module for every command, stays light
        from feedpub.pipeline import entries

        for e in entries(result, config):  # reads every published document again: only when asked
            say(f"{e.rel}: title from {e.title_source}, date {e.date.date()} from {e.date_source}, "
                f"category '{e.category.name}' from {e.category_source}")

    def _problems(self, result: BuildResult, config: Config) -> None:
        for p in result.skipped:
            skipped(p)
        self._warnings(result.warnings)
        removed = result.report.removed
        if removed and not self.quiet:  # said even off a terminal: a file the user put there is gone
            notice(f"Removed from {config.out} ({plural(len(removed), 'file')} this build no longer makes): "
                   f"{', '.join(removed)}")

    def _warnings(self, warnings: Sequence[str]) -> None:
        for w in dict.fromkeys(warnings):  # a warning two steps noted is said once
            if w not in self._said:
                warning(w)
        self._said = frozenset(warnings)

    def _totals(self, result: BuildResult, config: Config) -> None:
        per_category = Counter(r.category.name for r in result.published)
        counts = ", ".join(f"{name} {n}" for name, n in sorted(per_category.items()))
        report = result.report
        notice(f"{plural(len(result.published), 'entry', 'entries')} ({counts or 'none'})")
        notice(f"{plural(len(report.written), 'file')} written, {len(report.unchanged)} unchanged, "
               f"{len(report.removed)} removed: {config.out}")

    def _digest(self, result: BuildResult, config: Config) -> None:
        """Say the digest's size against the limit Gmail clips at, and why it may not be mailed as it is."""
        mail = result.mail
        if not mail.items:
            return
        # over the limit, the build's own warning has said so and what to change
        notice(f"digest {mail.label}: {plural(mail.items, 'entry', 'entries')}, inlined HTML "
               f"{mail.html_bytes / 1024:.1f} KB of {config.digest.size_limit_kb} KB")
        for reason in mail.unready:  # anti-spam law; `send` refuses such a digest
            warning(f"digest {mail.label} is not ready to send: {reason}")

    # --- serve ------------------------------------------------------------------------

    def serving(self, url: str, config: Config) -> None:
        """Say where the preview is served, and how to stop it."""
        say(f"Serving {config.out} at {url}")
        if self.quiet:
            return
        for path in FEED_PATHS:
            say(f"  {url}{path}")
        notice("Watching for changes (open pages reload themselves); press Ctrl-C to stop.")

    def rebuilt(self, outcome: Rebuild) -> None:
        """Report one rebuild of `serve`: its errors, or what it made and the warnings not said before."""
        if outcome.error is not None:
            for p in outcome.error.problems:
                error(p)
            notice("Still serving the last good build.")
            return
        result = outcome.result
        if result is None:
            return
        self._warnings(result.warnings)
        if not self.quiet:
            names = ", ".join(Path(c).name for c in outcome.changed[:3])
            notice(f"Rebuilt ({names}): {plural(len(result.published), 'entry', 'entries')}, "
                   f"{plural(len(result.report.written), 'file')} written")

    def stopped(self) -> None:
        """Say that `serve` stopped."""
        if not self.quiet:
            notice("Stopped.")

    # --- check ------------------------------------------------------------------------

    def check(self, report: CheckReport) -> None:
        """Print check's report as text: each document, the findings, the files left out (-v), the totals."""
        if self.quiet:
            _lines(str(f) for f in report.errors)
            return
        _lines(str(doc) for doc in report.documents)
        _lines(str(f) for f in report.findings)
        if self.verbose:
            _lines(f"{path}: excluded: {why}" for path, why in report.excluded)
        say(f"{plural(len(report.documents), 'document')}, {plural(len(report.errors), 'error')}, "
            f"{plural(len(report.warnings), 'warning')}")
        inferred = report.title_and_date_inferred
        if inferred:  # a large folder of plain text files: the first few, not thousands of names on one line
            shown = inferred if self.verbose or len(inferred) <= INFERRED_SHOWN else inferred[:INFERRED_SHOWN]
            more = f" and {len(inferred) - len(shown):,} more (-v names them all)" if len(shown) < len(inferred) else ""
            say(f"Title and date inferred: {', '.join(shown)}{more}")

    # --- small commands ---------------------------------------------------------------

    def wrote(self, paths: Iterable[Any]) -> None:
        """Name each file a command wrote (stdout: the answer of `init` and `new`)."""
        if not self.quiet:
            _lines(f"Wrote {p}" for p in paths)


INFERRED_SHOWN = 10  # documents whose title and date were both inferred, named at the end of check's report


def _lines(lines: Iterable[str]) -> None:
    for line in lines:
        say(line)
