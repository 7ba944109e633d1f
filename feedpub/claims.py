"""Who makes each file of a build's output, and which files cannot both be written: decided before anything moves.

A build plans every job of every kind first (``executor.plan``). Before it stages a file,
every path of every job is checked (:func:`feedpub.write.unsafe`) and compared with every
other (:func:`feedpub.write.clashes`: one path, one path but for case, a file where another
needs a folder), so a document whose permalink lands on a file the build makes
(``/feed.css/``, ``/index.html``, a category's feed) is an error naming the document and
that file, and the output folder is left as it was. ``feedpub check`` reports the same
problems through the same function.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from feedpub import write
from feedpub.config import Config
from feedpub.errors import OutputError, Problem
from feedpub.incremental import gather
from feedpub.outputs.protocol import Job
from feedpub.sources import assets
from feedpub.sources.dates import SourceContext

URL_KEYS = ("permalink", "url", "slug", "path")  # the front-matter keys a page's path comes from


class Owner(NamedTuple):
    """Who makes an output path, as a problem names it."""

    where: str  # the file a problem about it is reported at ("output" for the build's own files)
    line: int | None
    subject: str  # how a problem reported here names the output: "its page 'x/index.html'"
    other: str  # how a problem reported elsewhere names it: "the page of a.md ('x/index.html')"
    rank: int  # 0 a document, 1 a copied file, 2 a file the build makes: a problem is said at the lowest

    @property
    def advice(self) -> str:
        """Return what the owner can do about a clash."""
        return (": give the document another permalink or slug", ": rename or move the file", "")[self.rank]


def problems(jobs: Sequence[Job], config: Config, context: SourceContext | None = None) -> list[Problem]:
    """Return a problem for every path of jobs that is unsafe or clashes with another, naming who makes each.

    context: the build's dating memo (a document named in a problem is read again for its line).
    """
    def name(job: Job, path: str) -> Owner:
        return _owner(job, path, config, context)

    claimed = [(path, job) for job in jobs for path in job.paths]
    found = [Problem(o.where, o.line, f"refusing to write {o.subject}: the path {reason}")
             for path, job in claimed if (reason := write.unsafe(path)) is not None and (o := name(job, path))]
    for c in write.clashes(claimed):
        a, b = name(c.owner, c.path), name(c.other_owner, c.other_path)  # type: ignore[arg-type]
        if c.how == "same":
            text = "{} has the same path as {}"
        elif c.how == "case":
            text = "{} and {} differ only in case: one file on macOS and Windows"
        else:  # a is the file, b needs a folder at its path
            text = "{} would be a file on the path of {}"
        if b.rank < a.rank:  # said at a document where there is one
            a, b = b, a
            text = "{} needs a folder at the path of {}" if c.how == "folder" else text
        found.append(Problem(a.where, a.line, text.format(a.subject, b.other) + a.advice))
    return sorted(found, key=lambda p: (p.path, p.line or 0, p.message))


def refuse_clashes(jobs: Sequence[Job], config: Config, context: SourceContext | None = None) -> None:
    """Raise OutputError with every problem of problems(jobs), if there is one."""
    found = problems(jobs, config, context)
    if found:
        raise OutputError(found)


def _owner(job: Job, path: str, config: Config, context: SourceContext | None) -> Owner:
    """Return who makes path: a document's page, a copy of a file, or a file the build makes."""
    if job.kind == "pages" and len(job.shows) == 1:
        record = job.shows[0]
        lines = gather.whole(record, config, context).lines
        line = next((lines[k] for k in URL_KEYS if k in lines), None)
        return Owner(record.rel, line, f"its page {path!r}", f"the page of {record.rel} ({path!r})", 0)
    if job.kind == "files" and isinstance(job.detail, assets.Asset):
        source = job.detail.path
        return Owner(source, None, f"its copy {path!r}", f"the copy of {source} ({path!r})", 1)
    made = f"the file {path!r} that the build makes ({job.kind})"
    return Owner("output", None, made, made, 2)
