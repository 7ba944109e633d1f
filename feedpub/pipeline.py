"""The table of contents of a build: documents in, dist/ out.

    documents ──load──▶ SourceDoc ──normalise──▶ Entry ──┬─ feeds ──▶ Atom / RSS / JSON Feed
      (unchanged documents: entries from the build cache) ├─ archive ▶ RFC 5005 archive pages
                                                          ├─ digest ─▶ HTML (inlined) / text / .eml
                                                          └─ site ───▶ index page, OPML, feed.xsl
                                         all outputs ──write──▶ dist/ (atomic)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from feedpub import archive, cache, gather, load, publish, render, select, write
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Entry, Rendered
from feedpub.normalise import normalise


@dataclass(frozen=True)
class BuildResult:
    """What a build did: what was published, what was skipped, what was written."""

    entries: tuple[Entry, ...]  # published, newest first
    skipped: tuple[Problem, ...]  # problems of documents left out (only with skip_invalid)
    report: write.WriteReport


def read_entries(config: Config) -> tuple[list[Entry], list[Problem]]:
    """Load and normalise every document; return entries and the problems of the rest."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for item in load.load_all(config.source):
        try:
            if isinstance(item, SourceError):
                raise item
            entries.append(normalise(item, config))
        except SourceError as e:
            problems.extend(e.problems)
    if not entries and not problems:
        problems.append(Problem(str(config.source), None, "no documents found (.md, .markdown or .txt)"))
    return entries, problems


def render_all(entries: Iterable[Entry], config: Config) -> dict[str, Rendered]:
    """Render each distinct entry once, keyed by id."""
    out: dict[str, Rendered] = {}
    for e in entries:
        if e.id not in out:
            out[e.id] = render.render(e, config)
    return out


def _checked(entries: list[Entry], problems: Sequence[Problem], skip_invalid: bool) -> list[Entry]:
    if problems and not (skip_invalid and entries):
        raise SourceError(list(problems))
    return entries


def build(config: Config, *, now: datetime, skip_invalid: bool = False) -> BuildResult:
    """Build every output of the site into config.out; raise FeedpubError on any problem."""
    with cache.opened(config) as store:  # unchanged documents come from <source>/.feedpub/
        entries, problems = gather.read_entries(config, store)
        entries = _checked(entries, problems, skip_invalid)  # nothing is written past a bad document
        entries = select.unify_categories(select.publishable(entries, config, now), config)
        select.check_unique(entries)
        plan = publish.feed_entries(entries, config)
        shown = (e for members in plan.values() for e in members)
        rendered = gather.render_all(shown, config, store)  # only what is shown
        pages = archive.pages(entries, config)  # RFC 5005 history: metadata only, never rendered
        history = archive.outputs(pages, config, store)  # pages that did not change: from the cache
    specs = publish.specs(plan, rendered, config, archive.newest_page_url(pages, config))
    outputs = publish.outputs(specs, config) + history
    report = write.write_outputs(outputs, config.out)  # atomic: all or nothing; same bytes kept
    return BuildResult(tuple(entries), tuple(problems), report)
