"""Time rendering + inlining a 100-item digest (target: at most 0.3 s warm).

Run from the repository root: ``python bench/digest_bench.py [items]``. Prints the cold
(first) run, the best of five warm runs in wall and CPU time, and the inlined size.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedpub import pipeline, select  # after the path set-up above
from feedpub.config import load_config
from feedpub.outputs import digest
from feedpub.outputs.digest import render, view

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def corpus(folder: Path, items: int) -> None:
    """Write items Markdown articles, all in 2023-W08, over four categories."""
    para = "Paragraph text with several words that goes on for a while. " * 12
    for i in range(items):
        (folder / f"{i:03d}.md").write_text(
            f"---\ntitle: Article {i} about cell and gene therapy in Taiwan\ndate: 2023-02-{20 + i % 7}\n"
            f"category: {('news', 'events', 'policy', 'research')[i % 4]}\n"
            f"image: https://img.example.org/{i}.jpg\nsource: Source {i}\n---\n{para}\n\nMore text.\n",
            encoding="utf-8")


def main(items: int) -> None:
    """Build the corpus, then time render.html() (template + premailer)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "src")
        src.mkdir()
        corpus(src, items)
        config = load_config(None, {"source": str(src), "out": str(Path(tmp, "dist"))}, cwd=Path(tmp))
        entries = select.publishable(pipeline.read_entries(config)[0], config, NOW)
        rendered = pipeline.render_all(entries, config)
        win = digest.window(digest.Request(week="2023-W08"), entries, config, NOW)  # the week the corpus is in
        if win is None:
            raise SystemExit("no entries")
        made = view.make(entries, rendered, config, win, NOW)
        runs = []
        for _ in range(6):
            wall, cpu = time.perf_counter(), time.process_time()
            page = render.html(made, config)
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"{made.count} items, inlined HTML {len(page.encode()) / 1024:.1f} KB")
        print(f"cold: {runs[0][0]:.3f} s wall; warm best of 5: {min(r[0] for r in runs[1:]):.3f} s wall, "
              f"{min(r[1] for r in runs[1:]):.3f} s CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
