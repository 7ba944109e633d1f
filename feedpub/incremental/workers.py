"""Spread independent work over the machine's cores, with results in the order of the input.

Workers are forked, so they inherit what they work on (set just before the fork) instead of
receiving it pickled; only their results cross back. Small jobs stay in this process, where
starting a pool costs more than it saves. Output never depends on the number of workers.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from feedpub.model import Later

_JOB: Any = None  # in a worker process only: what it works on (set by _adopt as it starts)
_T = TypeVar("_T")


_children = 0  # forked children alive: while there are any, the heap stays frozen


def _freeze() -> None:
    """Keep the garbage collector off the objects children share with this process.

    A collection writes to the header of every object it scans, and each write copies a
    page a child still shares: on a large archive most of the heap, copied by each child and
    again by this process. Frozen objects are never scanned (nor freed: only cycles wait).
    """
    global _children  # noqa: PLW0603 - one count for the whole process
    _children += 1
    gc.freeze()


def _thaw() -> None:
    global _children  # noqa: PLW0603
    _children -= 1
    if _children == 0:
        gc.unfreeze()


@contextlib.contextmanager
def _forking() -> Iterator[None]:
    """Fork (a pool) inside this block: the heap is frozen until the block ends."""
    _freeze()
    try:
        yield
    finally:
        _thaw()


def _can_fork() -> bool:
    import multiprocessing  # here: a build that forks nothing never loads it

    return "fork" in multiprocessing.get_all_start_methods()


def _adopt(job: Any, parent: int, mask: set[int | signal.Signals]) -> None:
    """Start a worker: keep the job it inherited (forked, so never pickled), and leave interruptions to the parent.

    Ctrl-C reaches every process of the terminal's group: the build process says it was
    interrupted and ends the pool, so a worker ignores it (else each printed a traceback of
    where it was). It was forked with Ctrl-C held (see _held), so one pressed meanwhile is
    dropped here. A worker also ends when the build process does, whatever ended it (a kill
    -9 left workers writing results to nobody, each printing a BrokenPipeError).
    """
    global _JOB  # noqa: PLW0603 - this worker process's own: the parent never sets it
    _JOB = job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    _end_with_parent(parent)


def _end_with_parent(parent: int) -> None:
    """Have the kernel end this process (SIGTERM: no traceback) when its parent ends (Linux; elsewhere nothing)."""
    try:
        import ctypes  # here: only a forked worker asks, and a build that forks nothing never loads it

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:  # the parent ended before the request was made
        os._exit(1)


@contextlib.contextmanager
def _pool(workers: int, job: Any) -> Iterator[Any]:
    """Start a pool of forked workers for job (ended when the block ends), Ctrl-C held while they fork (see _held)."""
    import multiprocessing  # here: a build that forks nothing never loads it

    with contextlib.ExitStack() as ending:
        with _held() as mask:  # a Ctrl-C pressed while they fork arrives as this block ends: the pool ends too
            # With fork, a Process's arguments (here the initializer's) are inherited, not pickled.
            pool = ending.enter_context(multiprocessing.get_context("fork").Pool(
                workers, initializer=_adopt, initargs=(job, os.getpid(), mask)))
        yield pool


@contextlib.contextmanager
def _held() -> Iterator[set[int | signal.Signals]]:
    """Hold Ctrl-C (SIGINT) back from this thread inside the block, delivered once it ends; give the mask before.

    Forking runs handlers in both processes (the logging module's, multiprocessing's): a
    KeyboardInterrupt raised inside one is printed and dropped, so a Ctrl-C pressed right
    then was lost (the build went on) or printed a child's traceback. A process forked
    inside the block starts with it held too, and decides for itself.
    """
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield before
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


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
    if workers <= 1 or n < threshold or not _can_fork():
        return func(job, range(n))
    size = max(16, -(-n // (workers * 4)))  # a few chunks per worker evens out slow ones
    chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]
    with _forking(), _pool(workers, job) as pool:
        parts = pool.map(_call, [(func, c) for c in chunks])
    return [item for part in parts for item in part]


def imap(
    func: Callable[[Any, range], list[Any]],
    job: Any,
    n: int,
    workers: int,
    threshold: int,
    *,
    chunk: int = 2000,
    smallest: int = 16,
    meanwhile: Callable[[], None] | None = None,
    share: bool = False,
) -> Iterator[list[Any]]:
    """Yield func(job, …) chunk by chunk, in index order, for callers that digest results as they come.

    Like :func:`run`, in forked workers only when n >= threshold; the chunks keep memory bounded
    either way (the caller drops what it no longer needs before the next one arrives). With
    workers, meanwhile() runs here once they have started: work this process would otherwise
    do later, on its own.

    With share, this process is one of the workers: it and a pool of one fewer take the
    chunks as each comes free. For work whose chunks allocate much (article pages):
    a forked worker's allocations land in its parent's half-free memory pages and copy each
    one it writes to (see docs/performance.md), and this process has none to copy.
    """
    chunks = [range(i, min(i + chunk, n)) for i in range(0, n, chunk)]
    if workers <= 1 or n < threshold or not _can_fork():
        for c in chunks:
            yield func(job, c)
        return
    size = max(smallest, min(chunk, -(-n // (workers * 4))))  # a few chunks per worker, none tiny
    chunks = [range(i, min(i + size, n)) for i in range(0, n, size)]
    if share:
        yield from _shared(func, job, chunks, workers - 1)
        return
    with _forking(), _pool(workers, job) as pool:
        results = pool.imap(_call, [(func, c) for c in chunks])
        if meanwhile is not None:
            meanwhile()
        yield from results


def _shared(func: Callable[[Any, range], list[Any]], job: Any, chunks: list[range],
            workers: int) -> Iterator[list[Any]]:
    """Yield func(job, chunk) for each chunk in order; this process and the pool each take the next chunk left.

    Taken as each process comes free, not dealt in turns: this process also notes what the
    caller is handed and runs the pool's threads, so a fixed share made it the last to finish
    while a worker waited (~0.2 s of a 10,000-page build's 1.7 s of pages). Chunks made
    ahead of their turn wait here (their results are small: what each job wrote).
    """
    import multiprocessing  # here: a build that forks nothing never loads it

    taken = multiprocessing.get_context("fork").Value("l", 0)  # the next chunk no process has taken
    n = len(chunks)
    made: dict[int, list[Any]] = {}
    with _forking(), _pool(workers, (job, taken, chunks)) as pool:
        theirs = pool.imap_unordered(_take_and_call, [func] * n)  # a chance per chunk: it may find none left
        for k in range(n):
            while k not in made:
                mine = _take(taken, n)
                if mine >= 0:
                    made[mine] = func(job, chunks[mine])
                    continue
                got, part = next(theirs)
                if got >= 0:
                    made[got] = part
            yield made.pop(k)


def _take(taken: Any, n: int) -> int:
    """Return the next chunk no process has taken, now this one's (-1: none is left)."""
    with taken.get_lock():
        k: int = taken.value
        if k >= n:
            return -1
        taken.value = k + 1
    return k


def _take_and_call(func: Callable[[Any, range], list[Any]]) -> tuple[int, list[Any]]:
    """In a pool worker: make the next chunk left, if any; return its number (-1: none) and result."""
    job, taken, chunks = _JOB
    k = _take(taken, len(chunks))
    return k, (func(job, chunks[k]) if k >= 0 else [])


class Pending(Generic[_T]):
    """A result being made in a forked child process (or to be made in this one when asked for)."""

    def __init__(self, func: Callable[[], _T], background: bool) -> None:
        self._done: tuple[bool, Any] | None = None
        self._func: Callable[[], _T] | None = None
        self._pid = 0
        self._read = -1
        if not background or not _can_fork():
            self._func = func  # made when asked for: the caller places that where it overlaps best
            return
        read, write = os.pipe()
        _freeze()  # until result() or __del__ has reaped the child
        parent = os.getpid()
        with _held() as mask:
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child: coverage does not follow it
                _child(func, read, write, parent, mask)
        os.close(write)
        self._pid, self._read = pid, read

    def result(self) -> _T:
        """Return what func returned (raising what it raised), waiting for the child if need be."""
        if self._func is not None:
            self._done, self._func = _outcome(self._func), None
        if self._done is None:
            read, self._read = self._read, -1
            try:
                with os.fdopen(read, "rb") as pipe:
                    self._done = pickle.load(pipe)  # noqa: S301 - our own child's bytes
            except (EOFError, pickle.UnpicklingError):
                raise RuntimeError("a worker process died without a result") from None
            finally:
                os.waitpid(self._pid, 0)
                _thaw()
        ok, value = self._done
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """End the child now, whatever it was doing, and reap it (nothing it would have returned is wanted).

        For a caller failing while the child works: the child may be writing files into a
        folder the caller is about to remove, and must be gone first.
        """
        if self._done is None and self._read >= 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.close(self._read)
            os.waitpid(self._pid, 0)
            self._read = -1
            self._done = (False, RuntimeError("cancelled"))
            _thaw()
        self._func = None

    def __del__(self) -> None:
        # Never asked for (the build failed elsewhere): closing the pipe ends the child's
        # write, and reaping it leaves no zombie behind in a long-running process.
        if self._done is None and self._read >= 0:
            os.close(self._read)
            os.waitpid(self._pid, 0)
            self._read = -1
            _thaw()


def _child(func: Callable[[], Any], read: int, write: int, parent: int,
           mask: set[int | signal.Signals]) -> None:  # pragma: no cover - the child: coverage does not follow it
    """Make func() in a forked child and write its outcome to the pipe; never return.

    Forked with Ctrl-C held (see _held): one pressed meanwhile arrives as the mask is
    restored, inside the try, and the child ends as it would anyway, saying nothing (the
    parent says the build was interrupted).
    """
    try:
        _end_with_parent(parent)  # not left working for nobody when the build is killed
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(read)
        outcome = _outcome(func)
        if not outcome[0]:
            try:
                pickle.dumps(outcome)
            except Exception as e:  # an error that does not pickle: its text does
                outcome = (False, RuntimeError(f"{type(e).__name__}: {outcome[1]} ({e})"))
        with os.fdopen(write, "wb") as pipe:  # streamed: a large result is not copied whole first
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)  # no atexit handlers, no flushing of the parent's buffers, no cache close


def _outcome(func: Callable[[], Any]) -> tuple[bool, Any]:
    try:
        return True, func()
    except Exception as e:  # handed to the parent, which raises it
        return False, e


def start(func: Callable[[], _T], background: bool) -> Pending[_T]:
    """Begin func() in a forked child when background is true (else at .result()); .result() gets it.

    The child inherits everything func closes over, so nothing is pickled on the way in; only
    the result crosses back. The parent keeps working meanwhile (other stages, other pools).
    """
    return Pending(func, background)


class Done(Generic[_T]):
    """A result already made."""

    def __init__(self, value: _T) -> None:
        self._value = value

    def result(self) -> _T:
        """Return the value."""
        return self._value


class Combined(Generic[_T]):
    """The results of several Later, put together by finish in this process, once."""

    def __init__(self, parts: Sequence[Later[Any]], finish: Callable[[list[Any]], _T]) -> None:
        self._parts = parts
        self._finish = finish
        self._done: tuple[_T] | None = None

    def result(self) -> _T:
        """Return finish(the parts' results, in order), waiting for every part."""
        if self._done is None:
            self._done = (self._finish([p.result() for p in self._parts]),)
        return self._done[0]
