"""Who makes each file of a build's output, and which files cannot both be written: decided before anything moves.

A build plans every job of every kind first (``executor.plan``). Before it stages a file,
every path of every job is checked (:func:`feedpub.write.unsafe`) and compared with every
other (:func:`feedpub.write.clashes`: one path, one path but for case, a file where another
needs a folder), so a document whose permalink lands on a file the build makes
(``/feed.css/``, ``/index.html``, a category's feed) is an error naming the document and
that file, and the output folder is left as it was. A digest file's name is the digest's
alone even in a build that makes no digest: the next build would keep such a file as one.
``feedpub check`` reports the same problems through the same function.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from feedpub import write
from feedpub.errors import OutputError, Problem
from feedpub.model import Entry
from feedpub.outputs.digest import folder
from feedpub.outputs.digest import kind as digest
from feedpub.outputs.files import Copy
from feedpub.outputs.protocol import Job, Keyed
from feedpub.records import Record

Whole = Callable[[Record], Entry]  # a record's document read again: its entry (for the line of a key)

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


def problems(jobs: Sequence[Keyed], whole: Whole) -> list[Problem]:
    """Return a problem for every path of jobs that is unsafe or clashes with another, naming who makes each.

    whole: reads a document named in a problem again, for the line of its permalink.
    """
    def name(job: Job[Any], path: str) -> Owner:
        return _owner(job, path, whole)

    claimed = [(path, keyed.job) for keyed in jobs for path in keyed.job.paths]
    found = [Problem(o.where, o.line, f"refusing to write {o.subject}: the path {reason}")
             for path, job in claimed if (reason := _unsafe(path, job)) is not None and (o := name(job, path))]
    found += [_clash(c.how, name(c.owner, c.path), name(c.other_owner, c.other_path))  # type: ignore[arg-type]
              for c in write.clashes(claimed)]
    return sorted(found, key=lambda p: (p.path, p.line or 0, p.message))


def _unsafe(path: str, job: Job[Any]) -> str | None:
    """Return why job may not write path (write.unsafe, or a digest file's name taken by another kind), or None."""
    reason = write.unsafe(path)
    if reason is None and job.kind != digest.KIND.name and folder.named_like(path):
        reason = "is a digest file's name (digest/latest.*, digest/<week>.*): a later build would keep it as a digest"
    return reason


_CLASH = {  # how two paths clash: said from the first one's side, and from the second one's
    "same": ("{} has the same path as {}", "{} has the same path as {}"),
    "case": ("{} and {} differ only in case: one file on macOS and Windows",) * 2,
    "folder": ("{} would be a file on the path of {}", "{} needs a folder at the path of {}"),
}


def _clash(how: str, a: Owner, b: Owner) -> Problem:
    """Return the problem of two owners' paths that clash (a's path is the file when how is "folder")."""
    first, second = _CLASH[how]
    if b.rank < a.rank:  # said at a document where there is one
        a, b, text = b, a, second
    else:
        text = first
    return Problem(a.where, a.line, text.format(a.subject, b.other) + a.advice)


def refuse_clashes(jobs: Sequence[Keyed], whole: Whole) -> frozenset[str]:
    """Raise OutputError with every problem of problems(jobs, whole), if there is one; else return the paths cleared.

    The paths go to write.Staging, which then need not look for clashes among them again.
    """
    found = problems(jobs, whole)
    if found:
        raise OutputError(found)
    return frozenset(path for keyed in jobs for path in keyed.job.paths)


def _owner(job: Job[Any], path: str, whole: Whole) -> Owner:
    """Return who makes path: a document's page, a copy of a file, or a file the build makes."""
    if job.kind == "pages" and len(job.shows) == 1:
        record = job.shows[0]
        lines = whole(record).lines
        line = next((lines[k] for k in URL_KEYS if k in lines), None)
        return Owner(record.rel, line, f"its page {path!r}", f"the page of {record.rel} ({path!r})", 0)
    if isinstance(job.plan, Copy):
        source = job.plan.source.path
        return Owner(source, None, f"its copy {path!r}", f"the copy of {source} ({path!r})", 1)
    made = f"the file {path!r} that the build makes ({job.kind})"
    return Owner("output", None, made, made, 2)
