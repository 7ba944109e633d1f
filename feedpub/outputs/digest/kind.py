"""Output kind ``digest``: the weekly email, as inlined HTML, plain text and an .eml message.

The kind plans the requested (or default) week's digest as one job of every published
record dated in it; only those entries are rendered, and only when the job is made. The job
is ``background``: the executor makes it in another process when the build has one to spare,
while this one makes the rest (premailer's CSS inlining is slow). The digests of other weeks
that the output folder holds (made by earlier builds) are kept as they are and listed by the
site pages: a digest that was mailed stays readable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from feedpub.config import Config
from feedpub.errors import DigestError, Problem
from feedpub.model import Kept, Output, Rendered
from feedpub.outputs import protocol
from feedpub.outputs.digest import eml, render, view
from feedpub.outputs.digest.compliance import clipped, unready
from feedpub.outputs.digest.folder import SUBJECT_FILE, earlier, latest, paths
from feedpub.outputs.digest.week import Empty, Request, Window, in_window, window
from feedpub.select import Listed, Selection

L = TypeVar("L", bound=Listed)


@dataclass(frozen=True)
class Made:
    """The digest files of a build (none when the selection was empty and optional)."""

    label: str = ""  # '2023-W08', or "" when there is no digest
    outputs: tuple[Output | Kept, ...] = ()
    items: int = 0
    html_bytes: int = 0  # size of the inlined HTML, what Gmail measures
    warnings: tuple[str, ...] = ()
    unready: tuple[str, ...] = ()  # why the digest may not be sent as it is (see compliance.unready())


@dataclass(frozen=True)
class Plan(Generic[L]):
    """The digest a build makes: its window and every published record dated in it."""

    window: Window
    members: tuple[L, ...]  # newest first
    shown: tuple[L, ...]  # in digest order: what its sections show
    # the build time: the message's Date; not part of the plan's identity (so of its key): a
    # rebuild keeps the files a digest was made as
    now: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Earlier:
    """The digests earlier builds left in the output folder: kept as they are, never made again."""


def plan(chosen: Selection[L], config: Config, *, now: datetime, request: Request | None) -> Plan[L] | Empty | None:
    """Return the requested digest's plan; Empty for a default week with no entries.

    None when 'latest' finds nothing published (raise when required). A week or range asked
    for by name is planned even when empty: making it raises, naming the window.
    """
    request = request or Request(required=False)
    win = window(request, chosen.published, config, now)
    if win is None:
        if request.required:
            raise DigestError([Problem("digest", None, "no published entries to make a digest of")])
        return None
    members = tuple(in_window(chosen.published, win))
    if not members and request.default:
        return Empty(win)
    shown = tuple(e for _c, m, _more in view.sections(members, config) for e in m)
    return Plan(win, members, shown, now)


def outputs(digest: view.Digest, config: Config) -> Made:
    """Make the .html, .txt and .eml files of a digest, latest.* copies of them, and the subject.

    The files carry no key: the executor gives them their job's.
    """
    page = render.html(digest, config)
    plain = render.text(digest, config)
    data = {"html": page.encode("utf-8"), "txt": plain.encode("utf-8"),
            "eml": eml.message(digest, page, plain, config)}
    label = digest.window.label
    files = [Output(path, data[path.rsplit(".", 1)[1]]) for path in paths(label) if path != SUBJECT_FILE]
    files.append(Output(SUBJECT_FILE, (digest.subject + "\n").encode("utf-8")))
    size = len(data["html"])
    return Made(label, tuple(files), digest.count, size, clipped(label, size, config), unready(config))


def report(jobs: Sequence[protocol.Keyed], config: Config) -> Made:
    """Return what the build's digest is, from its files in the output folder (after writing)."""
    for job, key in jobs:
        if job.kind == KIND.name and isinstance(job.plan, Empty):
            return Made(warnings=(job.plan.warning(config, kept=bool(job.paths)),))
        if job.kind == KIND.name and not job.as_is:
            p: Plan[Any] = job.plan
            label = p.window.label
            size = (config.out / job.paths[0]).stat().st_size
            return Made(label, tuple(Kept(path, key) for path in job.paths), len(p.shown), size,
                        clipped(label, size, config), unready(config))
    return Made()


class _Digest:
    """The kind: the requested (or default) digest's job, and the earlier digests kept as they are."""

    name = "digest"
    after = ()

    def plan(self, build: protocol.Build, planned: Sequence[protocol.Job[Any]]) -> list[protocol.Job[Any]]:  # noqa: ARG002 - the Kind protocol
        """Return the digest's job (or one keeping latest.* when the default week is empty), then earlier weeks'."""
        made = plan(build.chosen, build.config, now=build.now, request=build.digest)
        jobs: list[protocol.Job[Any]] = []
        if isinstance(made, Plan):
            # the templates are given the whole configuration
            jobs.append(protocol.Job(self.name, paths(made.window.label), made,
                                     protocol.Inputs(protocol.EVERY, templates=render.TEMPLATES),
                                     shows=made.shown, background=True))
        elif isinstance(made, Empty):  # kept byte for byte: the next send must not take an old issue for new
            jobs.append(protocol.Job(self.name, latest(build.config.out), made, as_is=True))
        kept = earlier(build.config.out, made.window.label if isinstance(made, Plan) else None)
        if kept:
            jobs.append(protocol.Job(self.name, kept, Earlier(), as_is=True))
        return jobs

    def make(self, job: protocol.Job[Plan[Any]], given: protocol.Given,
             rendered: Mapping[str, Rendered]) -> protocol.Made:
        """Make the digest's .html, .txt and .eml files, and the latest.* copies."""
        p = job.plan
        digest = view.make(p.members, rendered, given.config, p.window, p.now or p.window.end)
        return protocol.Made(tuple(o for o in outputs(digest, given.config).outputs if isinstance(o, Output)))


KIND = _Digest()
