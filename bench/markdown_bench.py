"""Time rendering every Markdown body of a corpus with each installed Markdown renderer.

Run from the repository root: ``python bench/markdown_bench.py CORPUS_FOLDER [runs]``. The
bodies are the ones a build renders: each document read by ``load.read``, its body taken by
``sources.body.body_of`` and joined as ``render.content.body_html`` joins it; only bodies whose
format is Markdown count (plain text has its own renderer). Each renderer is configured as
feedpub would use it (GFM tables, strikethrough, autolinks, raw HTML kept for the sanitizer)
and prints the best of ``runs`` (default 3) in serial CPU µs per document, plus feedpub's own
``render.markdown.to_html`` (the renderer chosen, with its wrapper) and, for scale, that plus
``sanitize.clean`` (all ``render.content.body_html`` does after reading). "KB/doc kept" is how
much resident memory each run adds per document after the first (0 unless the renderer leaks:
cmarkgfm's binding never frees cmark's tree or its HTML). A renderer that is not installed is
skipped. The folder is only read.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feedpub.config import load_config
from feedpub.errors import SourceError
from feedpub.render import markdown, sanitize
from feedpub.sources import load, plaintext  # after the path set-up above
from feedpub.sources.body import body_of

Render = Callable[[str], str]


def _markdown_it() -> Render:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable(["table", "strikethrough"])
    md.options["maxNesting"] = 40
    return md.render


def _markdown_it_linkify() -> Render:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True, "typographer": False, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"])
    md.options["maxNesting"] = 40
    md.render("https://x.org")  # fails here, not in the timed loop, when linkify-it-py is missing
    return md.render


def _cmarkgfm() -> Render:
    import cmarkgfm
    from cmarkgfm.cmark import Options

    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES

    def render(text: str) -> str:
        return str(cmarkgfm.markdown_to_html_with_extensions(
            text, options, ["table", "strikethrough", "autolink", "tasklist"]))

    return render


def _pyromark() -> Render:
    import pyromark

    o = pyromark.Options
    md = pyromark.Markdown(options=o.ENABLE_TABLES | o.ENABLE_STRIKETHROUGH | o.ENABLE_TASKLISTS | o.ENABLE_FOOTNOTES)
    return md.html


def _comrak() -> Render:
    import comrak

    ext = comrak.ExtensionOptions()
    ext.table = ext.strikethrough = ext.autolink = ext.tasklist = ext.footnotes = True
    parse = comrak.ParseOptions()
    render = comrak.RenderOptions()
    render.unsafe_ = True

    def html(text: str) -> str:
        return str(comrak.render_markdown(text, extension_options=ext, parse_options=parse, render_options=render))

    return html


RENDERERS: dict[str, Callable[[], Render]] = {
    "markdown-it-py": _markdown_it,
    "markdown-it-py + linkify": _markdown_it_linkify,
    "cmarkgfm": _cmarkgfm,
    "pyromark": _pyromark,
    "comrak": _comrak,
}


def bodies(folder: Path) -> tuple[list[str], int]:
    """Return the Markdown bodies of folder as a build renders them, and how many documents it has."""
    with tempfile.TemporaryDirectory() as tmp:
        config = load_config(None, {"source": str(folder), "out": str(Path(tmp, "dist"))}, cwd=Path(tmp))
    found = load.discover_rel(config.source)
    out = []
    for rel, name in found:
        with contextlib.suppress(SourceError):
            body = body_of(load.read(Path(name), config.source, config.limits, rel=rel), config.template_syntax)
            if body.fmt == "markdown":
                out.append(plaintext.join_broken_paragraphs(body.text))
    return out, len(found)


def rss() -> int:
    """Return the resident memory of this process in bytes (0 where /proc is missing)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def best_of(render: Render, texts: list[str], runs: int) -> tuple[float, float]:
    """Return the least CPU time of runs renderings of every text, and the bytes per text kept after the first run.

    A renderer that frees what it allocates keeps nothing once the first run has warmed the
    allocator; one that leaks grows by the same amount every run.
    """
    best = float("inf")
    after_first = 0
    for run in range(runs):
        gc.collect()
        t = time.process_time()
        for text in texts:
            render(text)
        best = min(best, time.process_time() - t)
        if run == 0:
            after_first = rss()
    kept = (rss() - after_first) / ((runs - 1) * len(texts)) if runs > 1 and after_first else 0.0
    return best, kept


def main(folder: Path, runs: int) -> None:
    """Print µs/doc and total seconds of each installed renderer over the Markdown bodies of folder."""
    texts, n = bodies(folder)
    size = sum(map(len, texts)) / max(len(texts), 1)
    print(f"{len(texts)} Markdown bodies of {n} documents (mean {size:.0f} characters), "
          f"best of {runs}, serial CPU:")
    print(f"  {'renderer':26s} {'µs/doc':>8s} {'total s':>8s} {'KB/doc kept':>12s}")
    renderers = dict(RENDERERS)
    renderers["feedpub (render.markdown)"] = lambda: markdown.to_html
    renderers["feedpub + sanitize"] = lambda: lambda text: sanitize.clean(markdown.to_html(text), "https://x.example/")
    for name, make in renderers.items():
        try:
            render = make()
        except ImportError as e:
            print(f"  {name:26s} not installed ({e.name})")
            continue
        render("warm *up*")  # lazy imports and parser set-up are not per document
        seconds, kept = best_of(render, texts, runs)
        print(f"  {name:26s} {seconds / len(texts) * 1e6:8.1f} {seconds:8.2f} {max(kept, 0) / 1024:12.1f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit("usage: python bench/markdown_bench.py CORPUS_FOLDER [runs]")
    main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 3)
