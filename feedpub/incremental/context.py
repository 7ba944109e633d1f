"""One build's context: its cache, its shared objects, what the output folder held. Nothing outlives it.

A process that builds many times (``feedpub serve``) must give the hundredth build the bytes
a fresh process gives: whatever a build memoises lives here, and is dropped when it ends.
"""

from __future__ import annotations

import contextlib
import functools
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from feedpub import write
from feedpub.config import Config
from feedpub.incremental import cache, catalogue, gather, inputs, spill, workers
from feedpub.model import Later
from feedpub.render import templating
from feedpub.sources.dates import SourceContext


@dataclass(frozen=True)
class BuildContext:
    """What one build keeps while it runs."""

    config: Config
    store: cache.BuildCache  # what the last build knew (a miss for everything when disabled)
    shared: catalogue.Shared  # one object per distinct date and category of the records read
    written: dict[str, write.Written]  # what the output folder holds, by path, as the last build wrote it
    sources: SourceContext  # what dating documents asked of git, once per build
    held: Later[dict[str, write.Held]]  # every file the output folder holds (write.existing), found meanwhile
    stat: inputs.Stats  # the files output jobs read (images, copied files): each stat'ed once
    spill: spill.Spill  # entries and bodies of the documents read, for this build's outputs

    @property
    def previous(self) -> write.Previous:
        """Return the output folder's files as the last build wrote them (kept outputs are checked against it)."""
        return write.Previous(self.config.out, self.written, self.held)

    def save(self, report: write.WriteReport) -> None:
        """Record what the build wrote to the output folder, for the next build."""
        self.store.save_written(self.config.out, report.files, self.written)


_HELD_FORMS = ("q", "q", "q", "Q")  # size, mtime_ns, ctime_ns, ino
_HELD = functools.partial(tuple.__new__, write.Held)  # Held._make without its Python-level checks


def _listed(out: Path) -> bytes:
    """Return what the output folder holds (write.existing) as columns: what the background walk sends back.

    A pickle of 56,000 (path, stat) rows took ~0.25 s to make in the walking process and
    ~0.2 s to read in this one, where the build waits for it; columns take a tenth of that.
    """
    found = write.existing(out)
    stats: list[Sequence[int]] = [*zip(*found.values(), strict=True)] or [()] * len(_HELD_FORMS)
    return catalogue.encode_table(list(found), *zip(_HELD_FORMS, stats, strict=True))


def _unlisted(parts: list[bytes]) -> dict[str, write.Held]:
    """Return the listing _listed() encoded."""
    paths, columns = catalogue.decode_table(parts[0], _HELD_FORMS)
    return dict(zip(paths, map(_HELD, zip(*columns, strict=True)), strict=True))


@contextlib.contextmanager
def opened(config: Config) -> Iterator[BuildContext]:
    """Open a build's context: its cache (closed at the end), and no cyclic garbage collection meanwhile.

    A build of a large archive makes hundreds of thousands of small objects that live to its
    end, and the collector kept walking all of them: a third of a 50,000-document rebuild's
    time. A build makes few reference cycles; they are collected when it returns.
    """
    templating.forget()  # templates as their files are now (serve rebuilds after an edit)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        # every published body is shown when the site has article pages: rendered as it is read
        with cache.opened(config) as store, spill.opened(config.pages, cache.written_root(config)) as spilled:
            # a rebuild walks the output folder in another process while this one decodes the cache
            walk = workers.start(functools.partial(_listed, config.out),
                                 background=store.has_catalogue() and workers.count(config.workers) > 1)
            held = workers.Combined([walk], _unlisted)
            yield BuildContext(config, store, catalogue.Shared(), store.written(config.out), gather.sources(config),
                               held, inputs.Stats(config.source, config.out), spilled)
    finally:
        if was_enabled:
            gc.enable()
