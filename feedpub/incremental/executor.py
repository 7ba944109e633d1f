"""The executor: make what a build planned, keeping what the output folder already holds.

    order ─▶ the output kinds (feedpub.outputs.KINDS), each after the kinds it names
    plan ──▶ every kind's jobs, each declaring its inputs; the key of each is those inputs
             hashed (feedpub.incremental.inputs), the same way for every kind
    keep ──▶ a job whose files were written for its key: neither made nor rewritten
    render ▶ the entries the other jobs show (bodies from the build cache, the rest in a pool)
    make ──▶ the jobs worth it (background) half in a forked child, the rest here; make() is
             given its job's declared inputs only
    each ──▶ jobs showing one entry (article pages) or none (listings, the site's files):
             rendered, made and staged together in the pool; this process only notes their paths

Every output is staged as soon as it is made (the writer streams it to disk), so a build
never holds all its files at once.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from feedpub import outputs, write
from feedpub.incremental import context, gather, inputs, workers
from feedpub.model import Output, Rendered
from feedpub.outputs.protocol import ALL, Build, Job, Keyed, Kind, Made

Progress = Callable[[int, int], None]  # (done, total), called after each rendered entry


def order(kinds: Sequence[Kind]) -> list[Kind]:
    """Return kinds with each after the kinds it names (else in their given order); raise ValueError on a cycle."""
    names = [k.name for k in kinds]
    after = {k.name: _after(k, names) for k in kinds}
    done: list[Kind] = []
    placed: set[str] = set()
    while len(done) < len(kinds):
        ready = next((k for k in kinds if k.name not in placed and after[k.name] <= placed), None)
        if ready is None:
            stuck = sorted(n for n in names if n not in placed)
            raise ValueError(f"output kinds come after each other in a cycle: {', '.join(stuck)}")
        done.append(ready)
        placed.add(ready.name)
    return done


def _after(kind: Kind, names: Sequence[str]) -> set[str]:
    """Return the names of the kinds kind comes after; raise ValueError if one is no kind."""
    if kind.after == ALL:
        return {n for n in names if n != kind.name}
    unknown = [n for n in kind.after if n not in names]
    if unknown:
        raise ValueError(f"output kind {kind.name!r} comes after {', '.join(map(repr, unknown))}, which is no kind")
    return set(kind.after)


def plan(build: Build, kinds: Sequence[Kind] | None = None) -> list[Keyed]:
    """Return the jobs of every output kind with their keys, each kind planned after those it names."""
    planned: dict[str, list[Job[Any]]] = {}
    for kind in order(outputs.KINDS if kinds is None else kinds):
        before = (n for n in planned) if kind.after == ALL else kind.after
        planned[kind.name] = kind.plan(build, [job for name in before for job in planned[name]])
    key = inputs.Keys(build)
    return [Keyed(job, key(job)) for jobs in planned.values() for job in jobs]


def run(jobs: Sequence[Keyed], build: Build, ctx: context.BuildContext, stage: write.Staging,
        progress: Progress | None = None) -> tuple[str, ...]:
    """Make every job whose files the output folder does not hold; stage every file; return warnings."""
    store = ctx.store
    todo, alone = _not_kept(jobs, ctx.previous, stage)
    # rendered before the pages' pool starts: it may use a pool of its own
    rendered = gather.render_all((r for keyed in todo for r in keyed.job.shows), build.config, store, progress,
                                 settle=build.chosen.rendered, context=ctx.sources, spill=ctx.spill)
    given = inputs.Givens(build)
    warnings = _make_others(todo, given, build, ctx, rendered, stage)
    # The jobs that show one entry each (a page per document) are rendered, made and staged
    # together in the worker pool, chunk by chunk: the bodies of a whole archive are never
    # held at once, and no page's bytes come back to this process, which only notes them.
    # (Not while this process makes the other jobs: whatever it touches then, a forked
    # worker shares, and each page it writes to is copied: see docs/performance.md.)
    put = stage.stager() if alone else None
    pages = gather.make_each([keyed.job for keyed in alone], build.config, store, ctx.sources, build.chosen.rendered,
                             functools.partial(_make_staged, given, put), progress, ctx.spill)
    with contextlib.closing(pages):  # on an error here, the pool ends before the staging folder goes
        for (job, key), (written, more) in zip(alone, pages, strict=True):
            # noted under the job's own path and key objects, not copies unpickled from a
            # worker: the staging keeps one per file
            stage.note(write.Staged(path, key, w) for path, w in zip(job.paths, written, strict=True))
            warnings += more
    return tuple(warnings)


def _not_kept(jobs: Sequence[Keyed], previous: write.Previous,
              stage: write.Staging) -> tuple[list[Keyed], list[Keyed]]:
    """Stage as kept every job whose files the output folder holds; return the others: those the pool makes apart.

    The pool makes every job that shows at most one entry (article pages, listings, the site's
    files) and is not worth a process of its own: each worker writes its own files, so none of
    their bytes cross between processes, and the listings no longer keep a core waiting.
    """
    todo: list[Keyed] = []
    alone: list[Keyed] = []
    holds, holds_all, keep = previous.holds, previous.holds_all, stage.keep
    for keyed in jobs:
        job, key = keyed
        paths = job.paths
        if job.as_is or (holds(paths[0], key) if len(paths) == 1 else holds_all(paths, key)):
            keep(paths, key)
        elif len(job.shows) <= 1 and not job.background:
            alone.append(keyed)  # an article page (rendered and made in one go), a listing, a file
        else:
            todo.append(keyed)
    return todo, _spread(alone)


def _spread(jobs: list[Keyed]) -> list[Keyed]:
    """Return jobs with each kind's spread evenly over the list, in their order within the kind.

    The pool makes them in chunks of consecutive jobs, and a kind's jobs cost alike but kinds
    do not (an archive page of 50 entries ~20 article pages): a chunk of one costly kind would
    keep one process busy while the other waits at the end. Spread, every chunk holds a like
    share of each kind. Which process makes a file changes nothing in it.
    """
    counts: dict[str, int] = {}
    for keyed in jobs:
        counts[keyed.job.kind] = counts.get(keyed.job.kind, 0) + 1
    if len(counts) < 2:
        return jobs
    seen: dict[str, int] = {}
    placed = []
    for order, keyed in enumerate(jobs):
        kind = keyed.job.kind
        k = seen[kind] = seen.get(kind, 0) + 1
        placed.append(((2 * k - 1) / (2 * counts[kind]), order, keyed))  # the middle of its share
    placed.sort(key=lambda item: item[:2])
    return [keyed for _at, _order, keyed in placed]


def _make_others(todo: Sequence[Keyed], given: inputs.Givens, build: Build, ctx: context.BuildContext,
                 rendered: Mapping[str, Rendered], stage: write.Staging) -> list[str]:
    """Make the jobs that show many entries (feeds, the digest), staging their files; return their warnings.

    A forked child makes every other background job while this process makes the rest. Each
    process writes its own files into the staging folder: only whether each file was written
    comes back, so no feed's bytes cross between processes, however long its bodies.
    """
    background = [keyed for keyed in todo if keyed.job.background]
    fork = len(background) >= 2 and workers.count(build.config.workers) > 1
    elsewhere = background[::2] if fork else []
    put = stage.stager() if todo else None
    making = workers.start(functools.partial(_make_all_staged, elsewhere, given, put, rendered), background=fork)
    ctx.store.flush()  # the catalogue is written meanwhile
    away = set(map(id, elsewhere))
    here = [keyed for keyed in todo if id(keyed) not in away]
    try:
        mine = _make_all_staged(here, given, put, rendered)
    except BaseException:
        making.cancel()  # it writes into the staging folder, which goes with this error
        raise
    warnings: list[str] = []
    for jobs, made in ((here, mine), (elsewhere, making.result())):
        for (job, key), (written, more) in zip(jobs, made, strict=True):
            stage.note(write.Staged(path, key, w) for path, w in zip(job.paths, written, strict=True))
            warnings += more
    return warnings


def _make_all_staged(jobs: Sequence[Keyed], given: inputs.Givens,
                     put: Callable[[Iterable[Output]], list[write.Staged]] | None,
                     rendered: Mapping[str, Rendered]) -> list[tuple[tuple[bool, ...], tuple[str, ...]]]:
    """Make jobs and stage their files (in whichever process this runs); see _make_staged."""
    return [_make_staged(given, put, keyed.job, rendered) for keyed in jobs]


def _make_staged(given: inputs.Givens, put: Callable[[Iterable[Output]], list[write.Staged]] | None,
                 job: Job[Any], rendered: Mapping[str, Rendered]) -> tuple[tuple[bool, ...], tuple[str, ...]]:
    """Make one job and stage its files (in whichever process this runs).

    Return, per path of the job, whether its file was staged (False: the output folder has
    those bytes already), and the warnings.
    """
    assert put is not None  # only called when there are jobs to make
    made = _make_one(job, given, rendered)  # its files are noted under its key, by the caller
    staged = put(made.outputs)
    if [s.path for s in staged] != list(job.paths):  # noted by the job's paths: they must be these
        raise AssertionError(f"a {job.kind} job made {[s.path for s in staged]}, not {list(job.paths)}")
    return tuple(s.written for s in staged), made.warnings


def _make_one(job: Job[Any], given: inputs.Givens, rendered: Mapping[str, Rendered]) -> Made:
    """Make a job by its kind, from its declared inputs."""
    return _KINDS[job.kind].make(job, given(job), rendered)


_KINDS = {kind.name: kind for kind in outputs.KINDS}
