"""Exceptions of feedpub, factored out so every stage can raise them without import loops.

Every error that a user can cause carries a location (``file:line``) so the CLI prints it
like a compiler would. Only :class:`FeedpubError` and its subclasses may escape the core;
the CLI turns them into ``Error: …`` lines at the edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def printable(text: str) -> str:
    """Return text with what is not text escaped: a file name's byte that is not UTF-8 as \\xe9.

    Python keeps such bytes of a file name (a Linux name need not be UTF-8) as lone
    surrogates, which a stream writes as garbage or refuses and no feed may hold. Every line
    feedpub prints goes through this, and so does a problem's path that holds such a name.
    """
    if text.isascii():
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is no such byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True)
class Problem:
    """One located problem: where (file and line, when known) and what."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class NotAPost(Problem):
    """A document that is a page of the site (an index, a list, a template), not a post: left out with a warning."""


class FeedpubError(Exception):
    """Base class of every error feedpub reports to users."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("feedpub", None, problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(FeedpubError):
    """The configuration file or an option holds invalid values."""


class SourceError(FeedpubError):
    """One or more source documents cannot be read or understood."""


class OutputError(FeedpubError):
    """The outputs cannot be produced or written (collisions, unsafe paths, disk)."""


class DigestError(FeedpubError):
    """The digest cannot be made (empty selection, bad week)."""


class SendError(FeedpubError):
    """A test send of the digest failed."""


class OptionError(FeedpubError):
    """A command-line option has a wrong value or combination: a usage error (exit 2)."""


def problem(path: Path | str, line: int | None, message: str) -> Problem:
    """Make a Problem for a path, shown relative and with forward slashes."""
    return Problem(Path(path).as_posix() if isinstance(path, Path) else path, line, message)
