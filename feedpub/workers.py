"""Spread independent work over the machine's cores, with results in the order of the input.

Workers are forked, so they inherit what they work on (set just before the fork) instead of
receiving it pickled; only their results cross back. Small jobs stay in this process, where
starting a pool costs more than it saves. Output never depends on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import Any

_JOB: Any = None  # what the forked workers work on


def count(configured: int) -> int:
    """Return how many processes to use: the configured number, else one per available core."""
    if configured:
        return configured
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _call(args: tuple[Callable[[Any, range], list[Any]], range]) -> list[Any]:
    func, indexes = args
    return func(_JOB, indexes)


def run(func: Callable[[Any, range], list[Any]], job: Any, n: int, workers: int, threshold: int) -> list[Any]:
    """Return func(job, range(n)), computed in chunks by forked workers when n >= threshold.

    func must be a module-level function returning one result per index, in index order.
    """
    if workers <= 1 or n < threshold or "fork" not in multiprocessing.get_all_start_methods():
        return func(job, range(n))
    size = max(16, -(-n // (workers * 4)))  # a few chunks per worker evens out slow ones
    chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]
    global _JOB  # noqa: PLW0603 - forked workers inherit it: that is the point
    _JOB = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_call, [(func, c) for c in chunks])
    finally:
        _JOB = None
    return [item for part in parts for item in part]


def imap(
    func: Callable[[Any, range], list[Any]],
    job: Any,
    n: int,
    workers: int,
    threshold: int,
    *,
    chunk: int = 2000,
) -> Iterator[list[Any]]:
    """Yield func(job, …) chunk by chunk, in index order, for callers that digest results as they come.

    Like :func:`run`, in forked workers only when n >= threshold; the chunks keep memory bounded
    either way (the caller drops what it no longer needs before the next one arrives).
    """
    chunks = [range(i, min(i + chunk, n)) for i in range(0, n, chunk)]
    if workers <= 1 or n < threshold or "fork" not in multiprocessing.get_all_start_methods():
        for c in chunks:
            yield func(job, c)
        return
    size = max(16, min(chunk, -(-n // (workers * 4))))
    chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]
    global _JOB  # noqa: PLW0603 - forked workers inherit it: that is the point
    _JOB = job
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_call, [(func, c) for c in chunks])
    finally:
        _JOB = None
