"""Time what the file system alone costs a cold build: a folder and a file per article page.

Run from the repository root: ``python bench/fs_floor.py [N] [--workdir DIR] [--rounds R]``.
Makes N folders of one ~8 KB ``index.html`` each, spread over ten category folders as a
site's article pages are, first in one process, then split between two (as a build's page
pool writes them), and prints wall, user and system time of each round. Nothing of
feedpub's runs: this is the floor under any static site generator on this machine and disk
(Hugo writes the same folders and files), which the cold rows of ``bench/run.py`` include.

On the project's VM the same round has taken from 1 s to 15 s for 10,000 pages, minutes
apart: run it beside ``bench/run.py`` to know what a cold row's seconds are made of.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import tempfile
import time
from multiprocessing import Pool
from pathlib import Path

PAGE = b"<!doctype html>" + b"x" * 8000


def _write(args: tuple[str, int, int, int]) -> tuple[float, float]:
    """Write every step-th page from start; return this process's user and system time."""
    base, n, start, step = args
    for i in range(start, n, step):
        folder = f"{base}/c{i % 10}/page-{i}"
        os.mkdir(folder)
        fd = os.open(f"{folder}/index.html", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, PAGE)
        os.close(fd)
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime, used.ru_stime


def one_round(base: Path, n: int, processes: int) -> tuple[float, float, float]:
    """Return wall, user and system seconds of writing n pages in processes processes."""
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    for c in range(10):
        (base / f"c{c}").mkdir()
    start = time.perf_counter()
    with Pool(processes) as pool:
        used = pool.map(_write, [(str(base), n, k, processes) for k in range(processes)])
    wall = time.perf_counter() - start
    return wall, sum(u for u, _ in used), sum(s for _, s in used)


def main() -> None:
    """Print the wall, user and system time of each round."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int, nargs="?", default=10_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    base = args.workdir / f"feedpub-fs-floor-{os.getpid()}"
    try:
        print(f"{args.n:,} folders with one page each, in {base.parent}")
        for r in range(args.rounds):
            for processes in (1, 2):
                wall, user, system = one_round(base, args.n, processes)
                print(f"round {r + 1}, {processes} process{'es' if processes > 1 else ''}: wall {wall:.2f} s, "
                      f"user {user:.2f} s, system {system:.2f} s ({system / args.n * 1e6:.0f} µs system per page)")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
