"""What every output kind is: it plans jobs from what a build chose, and makes a job's files.

A *job* is a set of files made together (a feed's Atom, RSS and JSON files; one archive
page; the digest's .html, .txt and .eml), with a *key*: everything the files' bytes depend
on, hashed. The executor (:mod:`feedpub.incremental.executor`) keeps the files of a job
whose key is the one they were written for, renders what the other jobs show, and asks
their kinds to make them, in this process or another. A kind never reads the build cache,
never forks and never writes a file: it describes and it makes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from feedpub.config import Config
from feedpub.incremental.catalogue import Record
from feedpub.model import Output, Rendered
from feedpub.select import Selection

if TYPE_CHECKING:
    from feedpub.outputs.digest import Request


@dataclass(frozen=True)
class Build:
    """What every kind plans from: the configuration, the time, and what the build publishes."""

    config: Config
    now: datetime
    chosen: Selection[Record]  # every published record, newest first, names and ties settled
    context: str  # the build cache's (code, libraries, config, templates): part of every key
    digest: Request | None = None  # the digest asked for (None: the default one, if any)
    earlier: Mapping[str, Any] = field(default_factory=dict)  # what a kind found in the output folder
    # what planning found worth a warning (a file not read: feedpub.places); kinds append, the build reports
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """Files made together: where they go, what they depend on, and what making them needs."""

    kind: str  # the name of the kind that plans and makes it
    paths: tuple[str, ...]  # relative to the output folder
    key: bytes  # everything the files' bytes depend on, hashed
    shows: tuple[Record, ...] = ()  # entries whose rendered bodies making the files needs
    detail: Any = None  # the kind's own plan (a feed's category and entries, a digest's window, …)
    background: bool = False  # worth making in another process while this one makes the rest
    as_is: bool = False  # files the output folder holds that no build makes again: always kept


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

    def plan(self, build: Build, planned: Sequence[Job]) -> list[Job]:
        """Return the jobs of this kind (planned: the jobs of the kinds registered before it)."""
        ...

    def make(self, job: Job, build: Build, rendered: Mapping[str, Rendered]) -> Made:
        """Make a job's files (rendered: the bodies of at least every entry the job shows, by id)."""
        ...
