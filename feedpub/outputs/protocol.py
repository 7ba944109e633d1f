"""What every output kind is: it plans jobs that declare their inputs, and makes a job's files from them.

A *job* is a set of files made together (a feed's Atom, RSS and JSON files; one archive
page; the digest's .html, .txt and .eml) and everything those files' bytes depend on,
*declared*:

- its **plan**, a frozen value of the kind's own type (a feed's category and entries, an
  archive page's number): the records in it stand for their documents and for what the
  build settled about them (category names, ``updated`` ties), every other value for itself;
- the **settings** its make() reads (names of :class:`~feedpub.config.Config` attributes,
  or :data:`EVERY` when a template is given the whole configuration);
- the **files** it reads or measures, each with the size and mtime it had at planning;
- the **templates** it renders, and whether the build time (**now**) shows in its files.

The executor (:mod:`feedpub.incremental.executor`) hashes those inputs into the job's key,
the same way for every kind (no kind hashes anything), keeps the files of a job whose key is
the one they were written for, renders the entries the other jobs show, and asks their kinds
to make them, in this process or another. make() is given the declared inputs only (a
configuration that answers only the declared settings; the build time only if declared), so
a make() that reads something its job did not declare fails instead of keeping stale files.
A kind never reads the build cache, never forks and never writes a file: it describes and
it makes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from feedpub.config import Config
from feedpub.model import Output, Rendered
from feedpub.outputs.digest.week import Request
from feedpub.records import Record
from feedpub.select import Selection

P = TypeVar("P")

EVERY = ("*",)  # as settings: the whole configuration (a template is given all of it as `site`)
ALL = ("*",)  # as a kind's `after`: every other kind (the static files go where no output goes)


class File(NamedTuple):
    """A file a job reads or measures, as it was when the build planned (one stat per file per build)."""

    path: str  # absolute
    size: int  # NOT_A_FILE when it is missing or not a regular file
    mtime_ns: int
    ctime_ns: int  # an edit that puts the mtime back still moves it


NOT_A_FILE = -1


@dataclass(frozen=True)
class Inputs:
    """What a job's make() reads besides its plan and the bodies of the entries it shows."""

    settings: tuple[str, ...] = ()  # Config attributes, or EVERY
    files: tuple[File, ...] = ()
    templates: tuple[str, ...] = ()  # every template rendered, those it extends or includes too
    now: bool = False  # the build time shows in the files


NOTHING = Inputs()


@dataclass(frozen=True)
class Build:
    """What every kind plans from: the configuration, the time, and what the build publishes."""

    config: Config
    now: datetime
    chosen: Selection[Record]  # every published record, newest first, names and ties settled
    context: str  # the build cache's (code, libraries, config, templates): part of every key
    digest: Request | None = None  # the digest asked for (None: the default one, if any)
    # what planning found worth a warning (a file not read: feedpub.places); kinds append, the build reports
    notes: list[str] = field(default_factory=list)
    stat: Callable[[str], File] = field(default=lambda path: File(path, NOT_A_FILE, 0, 0))  # once per file per build


class Job(NamedTuple, Generic[P]):
    """Files made together: where they go, and everything making them reads (declared, not hashed).

    A named tuple, as Record is: a large archive plans one per article page every build.
    """

    kind: str  # the name of the kind that plans and makes it
    paths: tuple[str, ...]  # relative to the output folder
    plan: P  # the kind's own plan: a frozen value; the records in it stand for their documents
    inputs: Inputs = NOTHING
    shows: tuple[Record, ...] = ()  # records of the plan whose rendered bodies making the files needs
    background: bool = False  # worth making in another process while this one makes the rest
    as_is: bool = False  # files the output folder holds that no build makes again: always kept


class Keyed(NamedTuple):
    """A job and its key: its declared inputs as the executor hashed them."""

    job: Job[Any]
    key: bytes


@dataclass(frozen=True)
class Given:
    """What make() is given besides its job: the declared inputs, and nothing else."""

    config: Config  # answers only the settings the job declared
    settled: Selection[Record]  # category names and ties settled by the build; publishes nothing
    now: datetime | None  # the build time, when the job declared it


@dataclass(frozen=True)
class Made:
    """A job's files, and what a user should hear about them."""

    outputs: tuple[Output, ...]
    warnings: tuple[str, ...] = ()


class Kind(Protocol):
    """One kind of output: a module of feedpub.outputs, registered in feedpub.outputs.KINDS."""

    @property
    def name(self) -> str:
        """Return the kind's name (jobs carry it)."""
        ...

    @property
    def after(self) -> tuple[str, ...]:
        """Return the names of the kinds whose jobs this one plans from (ALL: every other kind)."""
        ...

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:
        """Return the jobs of this kind (planned: the jobs of the kinds it comes after)."""
        ...

    def make(self, job: Job[Any], given: Given, rendered: Mapping[str, Rendered]) -> Made:
        """Make a job's files (rendered: the bodies of at least every entry the job shows, by id)."""
        ...


T = TypeVar("T")


def plans(planned: Sequence[Job[Any]], kind: type[T]) -> list[T]:
    """Return the plans of type kind among planned jobs, in their order (how kinds read each other's plans)."""
    return [job.plan for job in planned if isinstance(job.plan, kind)]
