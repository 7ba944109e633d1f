#!/usr/bin/env python3
"""Compare two revisions of feedpub side by side: cold, one changed and no change builds.

    python bench/compare.py BASE [HEAD] [--size 10000] [--runs 4]

"Speed unchanged within 10 %" is a claim about two revisions, so both are measured in one run,
alternating build by build (BASE cold, HEAD cold, BASE one changed, …, and HEAD first in every
other run, since the second of two cold builds pays for the first's file-system work), which is
the only way ratios mean something on a shared machine. Use an even --runs. Each revision is
checked out with ``git worktree`` into --workdir and installed into its own virtual environment
(with the system's packages, so nothing is downloaded); HEAD defaults to the working tree of
this checkout (uncommitted changes included). The corpus comes from
../shared/bench/make_corpus.py (seed 1); every build runs with SOURCE_DATE_EPOCH fixed, so both
revisions make the same site.

Printed per kind of build: the median wall time and the median CPU time (user + system of the
build and its worker processes) of each revision, and HEAD/BASE ratios. CPU time is the
steadier of the two when other work shares the machine; user time alone is steadier still where
the machine is a virtual one whose system time drifts from run to run (seen here: the same
revision's system time grew from 2.6 s to 9.9 s over ten builds).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
EPOCH = "1767225600"  # 2026-01-01T00:00:00Z: the same "now" for every build


def install(rev: str, workdir: Path) -> Path:
    """Return the python of a virtual environment holding feedpub at rev ('.' = this working tree)."""
    if rev == ".":
        tree = REPO
    else:
        tree = workdir / f"tree-{rev}"
        if not tree.is_dir():
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), rev], check=True,
                           stdout=subprocess.DEVNULL)
    venv = workdir / f"venv-{'working-tree' if rev == '.' else rev}"
    if not venv.is_dir():
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps", "-e", str(tree)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return venv / "bin" / "python"


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run cmd; return (wall seconds, CPU seconds of it and its children, of which in user space)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user = after.ru_utime - before.ru_utime
    return wall, user + (after.ru_stime - before.ru_stime), user


def touch_one(raw: Path, run: int) -> None:
    """Change the body of one document (the same one each run, another text each run)."""
    docs = sorted(raw.glob("*.txt"))
    doc = docs[len(docs) // 2]
    marker = "\n\nBenchmark edit "
    text = doc.read_text(encoding="utf-8").split(marker)[0]
    stat = doc.stat()
    doc.write_text(f"{text}{marker}{run}.\n", encoding="utf-8")
    os.utime(doc, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def main() -> None:
    """Parse the arguments, build both revisions alternately and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base")
    ap.add_argument("head", nargs="?", default=".")
    ap.add_argument("--size", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=4)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/feedpub-compare"))  # noqa: S108 - throwaway
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    revs = {"base": args.base, "head": args.head}
    pythons = {name: install(rev, args.workdir) for name, rev in revs.items()}
    corpus = args.workdir / f"corpus-{args.size}"
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(MAKE_CORPUS), str(args.size), str(corpus), "--seed", "1"], check=True,
                       stdout=subprocess.DEVNULL)
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for run in range(args.runs):
        for step in ("cold", "one changed", "no change"):
            if step == "one changed":
                touch_one(corpus, run)
            # whichever builds second after a cold build pays for the first's file-system work
            # (measured: the same revision, second, took 15-19 % more CPU): swap the order every run
            for name, python in (pythons.items() if run % 2 == 0 else reversed(pythons.items())):
                out, cache = args.workdir / f"out-{name}", args.workdir / f"cache-{name}"
                if step == "cold":
                    shutil.rmtree(out, ignore_errors=True)
                    shutil.rmtree(cache, ignore_errors=True)
                env = {**os.environ, "FEEDPUB_CACHE_DIR": str(cache), "SOURCE_DATE_EPOCH": EPOCH}
                cmd = [str(python), "-m", "feedpub", "build", "--source", str(corpus), "--out", str(out), "-q"]
                results.setdefault((step, name), []).append(timed(cmd, env))
        print(f"# run {run + 1}/{args.runs} done", file=sys.stderr)
    print(f"{args.size} documents, {args.runs} runs, medians; base {args.base}, head {args.head}")
    print("| build | base wall s | head wall s | wall ratio | base CPU s | head CPU s | CPU ratio | user ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for step in ("cold", "one changed", "no change"):
        b = [statistics.median(x) for x in zip(*results[(step, "base")], strict=True)]
        h = [statistics.median(x) for x in zip(*results[(step, "head")], strict=True)]
        print(f"| {step} | {b[0]:.2f} | {h[0]:.2f} | {h[0] / b[0]:.2f} | {b[1]:.2f} | {h[1]:.2f} | {h[1] / b[1]:.2f} "
              f"| {h[2] / b[2]:.2f} |")


if __name__ == "__main__":
    main()
