"""Output kind ``archive``: the whole history as RFC 5005 §4 archived feed pages (Atom).

The site's entries, oldest first, are cut into pages of ``archive_page_size``; only complete
pages are written (``archive/atom/1.xml`` holds the oldest), so a page's entries do not move
while new articles arrive and its file is not rewritten. Each page carries ``fh:archive``
and ``prev-archive`` / ``next-archive`` / ``current`` links; the current site-wide feed links
``prev-archive`` to the newest page. The entries newer than the last complete page are fewer
than a page, and a page holds at most ``feed_limit`` entries, so they are all in the current
feed: walking current → prev-archive → … reaches every entry.

Pages list each entry's metadata and its own summary, not its rendered body: rendering every
article of a large archive would cost more than the rest of the build, and a reader follows
the entry's link for the article. So a page is made from catalogue records alone. Only
the site-wide feed is archived; every archived entry names its category. This module
decides what a page holds and links to; ``outputs/atom_rss`` writes it, as it writes every
Atom document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from feedpub import layout, select
from feedpub.config import Config
from feedpub.model import Author, Output, Rendered
from feedpub.outputs import atom_rss, mapping
from feedpub.outputs.protocol import Build, Given, Inputs, Job, Made, plans
from feedpub.records import Record
from feedpub.select import Listed

L = TypeVar("L", bound=Listed)


@dataclass(frozen=True)
class Page(Generic[L]):
    """One archive page: its number (1 = oldest) and its entries (or records), newest first."""

    number: int
    entries: tuple[L, ...]


def pages(entries: Sequence[L], config: Config) -> list[Page[L]]:
    """Cut the published entries (newest first) into complete archive pages, oldest page first."""
    size = config.page_size
    if size <= 0:
        return []
    oldest_first = entries[::-1]
    full = len(oldest_first) // size
    return [Page(k + 1, tuple(oldest_first[k * size : (k + 1) * size][::-1])) for k in range(full)]


def _head(number: int, last: int, updated: datetime, config: Config) -> atom_rss.PageHead:
    """Return what page `number` of `last` says of itself: the current feed's id, links both ways."""
    current = layout.feed_paths(None).url("atom", config)
    links = [(config.base_url, "alternate"), (layout.archive_url(number, config), "self"), (current, "current")]
    if number > 1:
        links.append((layout.archive_url(number - 1, config), "prev-archive"))
    if number < last:
        links.append((layout.archive_url(number + 1, config), "next-archive"))
    return atom_rss.PageHead(current, f"{config.title} — archive {number}", updated, config.language,
                             Author(config.author_name, email=config.author_email), tuple(links))


def assemble(page: Page[Record], last: int, config: Config, chosen: select.Selection[Any],
             sizes: Mapping[str, int]) -> bytes:
    """Return the Atom archive document of one page, values settled by chosen (sizes: see mapping.image_sizes)."""
    names = chosen.names
    body = []
    newest, latest = page.entries[0], None  # the newest settled 'updated': the first of equal ones
    for r in page.entries:
        updated = chosen.updated(r)
        at = r.updated_instant + (r.micros if r.updated_instant in chosen.tied else 0)
        if latest is None or at > latest:
            newest, latest = r, at
        body.append(atom_rss.archive_entry(r, updated, names.get(r.category.slug, r.category.name), config, sizes))
    return atom_rss.archive_page(_head(page.number, last, chosen.updated(newest), config), body)


@dataclass(frozen=True)
class Planned:
    """An archive page to make: the page, the number of the newest page, and its local images' sizes."""

    page: Page[Record]
    last: int
    image_sizes: tuple[tuple[str, int], ...]  # by URL (mapping.image_sizes)


SETTINGS = ("base_url", "title", "language", "author_email", "author_name")  # what a page's head and entries say


class _Archive:
    """The kind: one job per complete page, made from records alone (no body is rendered)."""

    name = "archive"
    after = ()

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:  # noqa: ARG002 - the Kind protocol
        """Return a job per complete archive page, oldest first."""
        archive = pages(build.chosen.published, build.config)
        last = archive[-1].number if archive else 0
        jobs: list[Job[Any]] = []
        for p in archive:
            files, sizes = mapping.image_sizes((r.image for r in p.entries), build.config, build.stat)
            jobs.append(Job(self.name, (layout.archive_path(p.number),), Planned(p, last, sizes),
                            Inputs(SETTINGS, files)))
        return jobs

    def make(self, job: Job[Planned], given: Given, rendered: Mapping[str, Rendered]) -> Made:  # noqa: ARG002 - the Kind protocol
        """Make one archive page."""
        p = job.plan
        return Made((Output(job.paths[0], assemble(p.page, p.last, given.config, given.settled,
                                                   dict(p.image_sizes))),))


KIND = _Archive()


def newest_page(planned: Sequence[Job[Any]], config: Config) -> str | None:
    """Return the URL of the newest archive page among planned jobs (the current feed links it)."""
    numbers = [p.page.number for p in plans(planned, Planned)]
    return layout.archive_url(max(numbers), config) if numbers else None
