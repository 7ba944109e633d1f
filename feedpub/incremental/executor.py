"""The executor: make what a build planned, keeping what the output folder already holds.

    plan ──▶ every kind's jobs (feedpub.outputs.KINDS, in order), each with its key
    keep ──▶ a job whose files were written for its key: neither made nor rewritten
    render ▶ the entries the other jobs show (bodies from the build cache, the rest in a pool)
    make ──▶ the jobs worth it (background) half in a forked child, the rest here
    each ──▶ jobs showing one entry (article pages): rendered, made and staged together in
             the pool; this process only notes their paths

Every output is staged as soon as it is made (the writer streams it to disk), so a build
never holds all its files at once.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence

from feedpub import outputs, write
from feedpub.incremental import context, gather, workers
from feedpub.model import Kept, Output, Rendered
from feedpub.outputs.protocol import Build, Job, Made

FORKED_MAX_TEXT = 4_000_000  # characters of rendered bodies past which nothing is made in a child

Progress = Callable[[int, int], None]  # (done, total), called after each rendered entry


def plan(build: Build) -> list[Job]:
    """Return the jobs of every output kind, in the order of feedpub.outputs.KINDS."""
    planned: list[Job] = []
    for kind in outputs.KINDS:
        planned += kind.plan(build, planned)
    return planned


def run(jobs: Sequence[Job], build: Build, ctx: context.BuildContext, stage: write.Staging,
        progress: Progress | None = None) -> tuple[str, ...]:
    """Make every job whose files the output folder does not hold; stage every file; return warnings."""
    store, previous = ctx.store, ctx.previous
    todo, alone = [], []
    for job in jobs:
        if job.as_is or previous.holds_all(job.paths, job.key):
            stage.add([Kept(path, job.key) for path in job.paths])
        elif len(job.shows) == 1 and not job.background:
            alone.append(job)  # an article page: rendered and made in one go, below
        else:
            todo.append(job)
    # rendered before the pages' pool starts: it may use a pool of its own
    rendered = gather.render_all((r for job in todo for r in job.shows), build.config, store, progress,
                                 settle=build.chosen.settle, context=ctx.sources)
    warnings = _make_others(todo, build, ctx, rendered, stage)
    # The jobs that show one entry each (a page per document) are rendered, made and staged
    # together in the worker pool, chunk by chunk: the bodies of a whole archive are never
    # held at once, and no page's bytes come back to this process, which only notes them.
    # (Not while this process makes the other jobs: whatever it touches then, a forked
    # worker shares, and each page it writes to is copied: ~40 MB more for 50,000 documents.)
    put = stage.stager() if alone else None
    pages = gather.make_each(alone, build.config, store, ctx.sources, build.chosen.settle,
                             functools.partial(_make_staged, build, put), progress)
    with contextlib.closing(pages):  # on an error here, the pool ends before the staging folder goes
        for job, (written, more) in zip(alone, pages, strict=True):
            # noted under the job's own path and key objects, not copies unpickled from a
            # worker: the staging keeps one per file (~8 MB fewer for 50,000 pages)
            stage.note(write.Staged(path, job.key, w) for path, w in zip(job.paths, written, strict=True))
            warnings += more
    return tuple(warnings)


def _make_others(todo: Sequence[Job], build: Build, ctx: context.BuildContext, rendered: Mapping[str, Rendered],
                 stage: write.Staging) -> list[str]:
    """Make the jobs that are not article pages, staging their files; return their warnings.

    A forked child makes every other background job while this process makes the rest; its
    files come back through a pipe, so they exist twice for a while: only when the rendered
    bodies are small.
    """
    background = [job for job in todo if job.background]
    fork = (len(background) >= 2 and workers.count(build.config.workers) > 1
            and sum(len(r.content_html) for r in rendered.values()) <= FORKED_MAX_TEXT)
    elsewhere = background[::2] if fork else []
    making = workers.start(functools.partial(_make, elsewhere, build, rendered), background=fork)
    ctx.store.flush()  # the catalogue is written meanwhile
    warnings: list[str] = []
    away = set(map(id, elsewhere))
    for job in todo:
        if id(job) not in away:
            made = _make([job], build, rendered)[0]
            stage.add(made.outputs)
            warnings += made.warnings
    for made in making.result():
        stage.add(made.outputs)
        warnings += made.warnings
    return warnings


def _make_staged(build: Build, put: Callable[[Iterable[Output]], list[write.Staged]] | None, job: Job,
                 rendered: Mapping[str, Rendered]) -> tuple[tuple[bool, ...], tuple[str, ...]]:
    """Make one article page and stage its files (in whichever process this runs).

    Return, per path of the job, whether its file was staged (False: the output folder has
    those bytes already), and the warnings.
    """
    assert put is not None  # only called when there are pages to make
    made = _make([job], build, rendered)[0]
    staged = put(made.outputs)
    if [s.path for s in staged] != list(job.paths):  # noted by the job's paths: they must be these
        raise AssertionError(f"a page job made {[s.path for s in staged]}, not {list(job.paths)}")
    return tuple(s.written for s in staged), made.warnings


def _make(jobs: Sequence[Job], build: Build, rendered: Mapping[str, Rendered]) -> list[Made]:
    """Make jobs, each by its kind."""
    kinds = {kind.name: kind for kind in outputs.KINDS}
    return [kinds[job.kind].make(job, build, rendered) for job in jobs]
