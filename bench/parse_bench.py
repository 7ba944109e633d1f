"""Time the per-document cold path: load.read, normalise, the catalogue record and archive parts (serial CPU).

Run from the repository root: ``python bench/parse_bench.py CORPUS_FOLDER [runs]``. Reads
every document of the folder in one process (no pool, no cache), each stage timed over the
whole corpus, and prints the best of ``runs`` (default 3) in µs per document. The folder is
only read. On a shared machine the figures move by ±20 %: compare two checkouts by running
them alternately (``PYTHONPATH=<checkout> python <checkout>/bench/parse_bench.py …``).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedpub.config import load_config
from feedpub.errors import SourceError
from feedpub.incremental import catalogue
from feedpub.outputs import archive
from feedpub.sources import load  # after the path set-up above
from feedpub.sources.dates import SourceContext
from feedpub.sources.normalise import normalise


def main(folder: Path, runs: int) -> None:
    """Print µs/doc of read, normalise and record + parts over every document of folder."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"source": str(folder), "out": str(Path(tmp, "dist"))}, cwd=Path(tmp))
    found = load.discover_rel(config.source)
    paths = [(rel, Path(name)) for rel, name in found]
    limits = config.limits
    context = SourceContext.of(config)  # one per build, as a build makes it
    best = {"read": float("inf"), "normalise": float("inf"), "row + parts": float("inf")}
    failed = 0
    for _ in range(runs):
        gc.collect()
        t = time.process_time()
        docs = []
        for rel, path in paths:
            with contextlib.suppress(SourceError):
                docs.append(load.read(path, config.source, limits, rel=rel))
        best["read"] = min(best["read"], time.process_time() - t)
        t = time.process_time()
        entries = []
        failed = len(paths) - len(docs)
        for doc in docs:
            try:
                entries.append(normalise(doc, config, context))
            except SourceError:
                failed += 1
        best["normalise"] = min(best["normalise"], time.process_time() - t)
        t = time.process_time()
        for e in entries:
            micros = e.micros
            catalogue.row_of(e, 0, 0, b"", micros)  # what a read worker sends back
            archive.parts(e, micros)
        best["row + parts"] = min(best["row + parts"], time.process_time() - t)
        del docs, entries
    n = len(paths)
    total = 0.0
    print(f"{n} documents ({failed} with problems), best of {runs}, serial CPU µs/doc:")
    for name, seconds in best.items():
        total += seconds
        print(f"  {name:14s} {seconds / n * 1e6:7.1f}")
    print(f"  {'total':14s} {total / n * 1e6:7.1f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python bench/parse_bench.py CORPUS_FOLDER [runs]")
    main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
