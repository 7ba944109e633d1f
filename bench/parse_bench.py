"""Time the per-document cold path, stage by stage: what a cold build does once per document (serial CPU).

Run from the repository root: ``python bench/parse_bench.py CORPUS_FOLDER [runs]``. Reads
every document of the folder in one process (no pool, no cache) and times each stage over
the whole corpus, printing the best of ``runs`` (default 3) in µs per document:

- read: the file read and split (``load.read``);
- normalise: every field inferred (``normalise``);
- render: the body rendered and sanitized (``content.render``: Markdown or plain text, nh3);
- record: the catalogue record (``record_of``);
- spill: the entry and body encoded for the spill and back (what a page worker reads);
- page: the article page made from them (context and Jinja2 template), without writing it.

Writing the files (a folder and a file per page: system time, mostly) is not timed here.
The folder is only read. On a shared machine the figures move by ±20 %: compare two
checkouts by running them alternately (``PYTHONPATH=<checkout> python <checkout>/bench/parse_bench.py …``).
"""

from __future__ import annotations

import contextlib
import gc
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedpub import layout  # after the path set-up above
from feedpub.config import load_config
from feedpub.errors import SourceError
from feedpub.incremental import spill
from feedpub.outputs import pages
from feedpub.records import record_of
from feedpub.render import content, templating
from feedpub.sources import load
from feedpub.sources.dates import SourceContext
from feedpub.sources.normalise import normalise

STAGES = ("read", "normalise", "render", "record", "spill", "page")


def main(folder: Path, runs: int) -> None:
    """Print µs/doc of each stage of the cold path over every document of folder."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"source": str(folder), "out": str(Path(tmp, "dist"))}, cwd=Path(tmp))
    found = load.discover_rel(config.source)
    paths = [(rel, Path(name)) for rel, name in found]
    context = SourceContext.of(config)  # one per build, as a build makes it
    content.prepare(config)
    templating.prepare(config, pages.TEMPLATES)
    best = dict.fromkeys(STAGES, float("inf"))
    failed = 0
    for _ in range(runs):
        gc.collect()
        clock = time.process_time()

        def lap(stage: str) -> None:
            nonlocal clock
            now = time.process_time()
            best[stage] = min(best[stage], now - clock)
            clock = now

        docs = []
        for rel, path in paths:
            with contextlib.suppress(SourceError):
                docs.append(load.read(path, config.source, config.limits, rel=rel))
        lap("read")
        pairs = []
        for doc in docs:
            with contextlib.suppress(SourceError):
                pairs.append((doc, normalise(doc, config, context)))
        failed = len(paths) - len(pairs)
        lap("normalise")
        made = [content.render(entry, config, doc) for doc, entry in pairs]
        lap("render")
        records = [record_of(entry, len(doc.body), 0, 0, b"", summary=r.summary)
                   for (doc, entry), r in zip(pairs, made, strict=True)]
        lap("record")
        back = [spill.decode(record, spill.encode((r.entry, r.content_html, r.summary)))
                for record, r in zip(records, made, strict=True)]
        lap("spill")
        for r in made:
            here = layout.page_path(r.entry.url, config) or "x/index.html"
            pages.page(r, here, (r.entry.url, r.entry.title), None, config)
        lap("page")
        del docs, pairs, made, records, back
    n = len(paths)
    print(f"{n} documents ({failed} with problems), best of {runs}, serial CPU µs/doc:")
    for name in STAGES:
        print(f"  {name:10s} {best[name] / n * 1e6:7.1f}")
    print(f"  {'total':10s} {sum(best.values()) / n * 1e6:7.1f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python bench/parse_bench.py CORPUS_FOLDER [runs]")
    main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
