"""The table of contents of a build: documents in, dist/ out.

    documents ──load──▶ SourceDoc ──normalise──▶ Entry ──▶ Record ──choose──▶ Selection
      (feedpub.sources: where a title, date, category is inferred)   (feedpub.select)
    Selection ──plan──▶ jobs, one kind each (feedpub.outputs):  archive · feeds · digest · site
    jobs ──run──▶ Output files ──write──▶ dist/ (atomic)        (feedpub.incremental.executor,
                                                                   feedpub.write)

The incremental machinery sits beside the stages (feedpub.incremental): the build cache
keeps a Record per document, so an unchanged document is not read again
(``gather.read_catalogue``); every output job has a key, and the executor neither makes nor
rewrites a job whose files were written for its key (``executor.run``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from feedpub import claims, places, select, write
from feedpub.config import Config
from feedpub.errors import DigestError, Problem, SourceError
from feedpub.incremental import cache, context, executor, gather
from feedpub.model import Entry, Rendered
from feedpub.outputs import atom_rss
from feedpub.outputs.digest import Request
from feedpub.outputs.digest import kind as digest
from feedpub.outputs.protocol import Build
from feedpub.records import Record, record_of
from feedpub.render import content, templating
from feedpub.sources import xref


@dataclass(frozen=True)
class BuildResult:
    """What a build did: what was published, what was skipped, what was written."""

    chosen: select.Selection[Record]  # what was published, newest first, as the catalogue knows it
    skipped: tuple[Problem, ...]  # problems of documents left out (only with skip_invalid)
    report: write.WriteReport
    warnings: tuple[str, ...] = ()  # outputs made but worth a look (a digest Gmail would clip)
    mail: digest.Made = field(default_factory=digest.Made)  # the digest written, if any

    @property
    def published(self) -> Sequence[Record]:
        """Return what was published, newest first (records: no document is read)."""
        return self.chosen.published


Progress = Callable[[int, int], None]  # (done, total), called after each rendered entry


def build(config: Config, *, now: datetime, skip_invalid: bool = False,
          progress: Progress | None = None, digest_request: Request | None = None) -> BuildResult:
    """Build every output of the site into config.out; raise FeedpubError on any problem."""
    places.check(config, cache.written_root(config))  # before anything is read or written
    with context.opened(config) as ctx:  # this build's cache and memos: nothing outlives it
        # load + normalise every document the cache does not know as it is (a pool when many;
        # this process loads what making outputs needs meanwhile)
        found = gather.read_catalogue(config, ctx.store, ctx.shared, ctx.sources,
                                     functools.partial(_prepare_outputs, config), ctx.spill)
        whole = functools.partial(gather.whole, config=config, context=ctx.sources)  # for a problem's line
        kept, skipped = _valid(found, whole, config, now, skip_invalid)  # nothing is written past a bad document
        chosen = select.settled(kept, config)  # category names and 'updated' ties settled once
        todo = Build(config, now, chosen, ctx.store.context, digest_request, stat=ctx.stat)
        jobs = executor.plan(todo)  # every output of every kind, with its key: its declared inputs, hashed
        cleared = claims.refuse_clashes(jobs, whole)  # before anything is staged: a clash changes nothing
        with write.Staging(config.out, ctx.held, ctx.written, cleared) as stage:  # all or nothing; kept files stay
            warnings = executor.run(jobs, todo, ctx, stage, progress)
            report = stage.commit()
        ctx.save(report)
    mail = digest.report(jobs, config)
    # pages of the site, not posts: left out, said; and posts published without text
    said = tuple(str(p) for p in (*found.pages, *gather.without_text(chosen.published), *unresolved_links(chosen)))
    # a link to a folder outside is met by the walk for documents and by the one for files: said once
    refused = dict.fromkeys([*map(str, found.refused), *todo.notes])
    return BuildResult(chosen, skipped, report,
                       (*said, *refused, *ctx.store.warnings, *stage.notices, *warnings, *mail.warnings), mail)


def unresolved_links(chosen: select.Selection[Record]) -> list[Problem]:
    """Return, for each link to another document that names no published one, where it is and why (sources.xref)."""
    return [Problem(r.rel, ref.line, xref.unresolved_message(ref))
            for r in chosen.published if r.refs for ref in chosen.unresolved(r)]


def output_problems(config: Config, *, now: datetime, entries: Sequence[Entry]) -> list[Problem]:
    """Return what a build at now would refuse to write (outputs that clash, unsafe paths); write nothing.

    For check: the build's own plan and rule (claims.problems), without the build cache.
    entries: every document as read_entries() read them (check has them: a plan needs their
    records' fields, not their files' facts, so no document is read again here).
    Nothing to say when the build would stop earlier (two documents with one permalink, no
    entry for the digest): check reports those itself.
    """
    config = dataclasses.replace(config, cache=False)
    sources = gather.sources(config)
    with cache.opened(config) as store:
        records = [record_of(e, 0, 0, 0, b"") for e in entries]
        whole = functools.partial(gather.whole, config=config, context=sources)
        try:
            jobs = executor.plan(Build(config, now, select.choose(records, config, now, whole), store.context))
        except (SourceError, DigestError):
            return []
        return claims.problems(jobs, whole)


def _valid(found: gather.Found, whole: Callable[[Record], Entry], config: Config, now: datetime,
           skip_invalid: bool) -> tuple[list[Record], tuple[Problem, ...]]:
    """Return the records to publish (no drafts, none dated later, newest first) and the problems of those left out.

    Every problem of the run at once: documents that cannot be read, and documents that
    would publish under an id or permalink another one has (each of those is left out,
    so no two records returned share one). Raise SourceError with all of them unless
    skip_invalid (and some document is left).
    """
    kept = select.publishable(found.records, config, now)
    clash, involved = select.duplicates(kept, whole)
    problems = sorted([*found.problems, *clash], key=lambda p: (p.path, p.line or 0))
    if problems and not (skip_invalid and any(r.rel not in involved for r in found.records)):
        raise SourceError(problems)
    return [r for r in kept if r.rel not in involved] if involved else kept, tuple(problems)


def entries(result: BuildResult, config: Config) -> tuple[Entry, ...]:
    """Read every published document again, in full, as the build settled it (file I/O: for -v and tools)."""
    return tuple(result.chosen.settle(gather.whole(r, config)) for r in result.published)


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document without the build cache (for check and tools)."""
    return gather.read_entries(config)


def render_all(entries: Sequence[Entry], config: Config, progress: Progress | None = None) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id, without the build cache."""
    return gather.render_all(entries, config, cache.DISABLED, progress)


TEMPLATES = ("digest.html.j2", "digest.txt.j2", "index.html.j2", "feeds.opml.j2", "feed.css.j2", "article.html.j2",
             "list.html.j2", "site.css.j2", "404.html.j2")


def _prepare_outputs(config: Config) -> None:
    """Load the libraries and templates that making every output needs (a cold build will).

    Not premailer, the slowest import of all: only a build that makes a digest needs it
    (often none does: the last week had no entry), and that job is made in a forked child
    beside this process's other work, so it loads it there.
    """
    content.prepare(config)
    atom_rss.prepare()
    templating.prepare(config, TEMPLATES)
