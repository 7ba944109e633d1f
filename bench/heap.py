"""Show what the build process holds in memory when the article pages start: the lines that allocated most.

Run from the repository root: ``python bench/heap.py CORPUS [OUT] [--top N]``. Builds CORPUS
cold (a fresh cache and output folder in the system's temporary folder unless OUT is given)
with tracemalloc on, and when the pages phase begins (the peak of a cold build's memory
is during it: every record, job and key is alive, and a forked worker copies what it
touches) prints the N source lines whose allocations are still alive, largest first.
Forked workers inherit the tracing and run slower; only this process's heap is shown.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    """Build the corpus and print the heap as the pages phase starts."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("out", type=Path, nargs="?")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()
    tracemalloc.start(1)
    from feedpub.cli import cli  # after tracing starts: imports count too
    from feedpub.incremental import executor

    pid = os.getpid()
    make_each = executor.gather.make_each

    def shown(*a: Any, **k: Any) -> Any:
        if os.getpid() == pid and tracemalloc.is_tracing():
            stats = tracemalloc.take_snapshot().statistics("lineno")
            print(f"this process's heap as the pages start: {sum(s.size for s in stats) / 1e6:.1f} MB")
            for s in stats[: args.top]:
                print(f"{s.size / 1e6:8.2f} MB {s.count:9,d} objects  {s.traceback}")
            tracemalloc.stop()
        return make_each(*a, **k)

    executor.gather.make_each = shown  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["FEEDPUB_CACHE_DIR"] = str(Path(tmp, "cache"))
        out = args.out or Path(tmp, "out")
        try:
            cli(["build", "--source", str(args.corpus), "--out", str(out), "-q"], prog_name="feedpub")
        except SystemExit as e:
            if e.code:
                raise


if __name__ == "__main__":
    main()
