"""Output kind ``feeds``: the site-wide and per-category Atom, RSS and JSON feeds.

One job per feed (its three files): the newest ``feed_limit`` entries of the site, or of a
category, each shown in full (rendered body). The site-wide feed links the newest archive
page (kind ``archive``, planned before this one).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, Output, Rendered
from feedpub.outputs import archive, atom_rss, jsonfeed, mapping
from feedpub.outputs.atom_rss import FeedSpec
from feedpub.outputs.protocol import Build, File, Given, Inputs, Job, Made, plans
from feedpub.records import Record
from feedpub.select import Listed, by_category

L = TypeVar("L", bound=Listed)
P = TypeVar("P")
KINDS = ("atom", "rss", "json")


def feed_entries(entries: Sequence[L], config: Config, slugs: Collection[str] | None = None,
                 ) -> dict[Category | None, list[L]]:
    """Return the entries of each feed (None = site-wide), newest first, at most feed_limit.

    slugs, when given, are every category slug among entries: the newest entries then fill
    every feed without looking at the rest of a large archive.
    """
    limit = config.feed_limit
    plan: dict[Category | None, list[L]] = {None: list(entries[:limit])}
    if slugs is None:
        for category, members in by_category(entries).items():
            plan[category] = members[:limit]
        return plan
    groups: dict[str, list[L]] = {slug: [] for slug in slugs}
    open_ = len(groups)
    for e in entries:
        members = groups[e.category.slug]
        if len(members) < limit:
            members.append(e)
            if len(members) == limit:
                open_ -= 1
                if not open_:
                    break
    for slug in sorted(groups):
        if groups[slug]:
            plan[groups[slug][0].category] = groups[slug]
    return plan


def feed_title(category: Category | None, config: Config) -> str:
    """Return the title of the site-wide feed (None) or of a category's."""
    return config.title if category is None else f"{config.title} — {category.name}"


def specs(
    plan: Mapping[Category | None, Sequence[Listed]],
    rendered: Mapping[str, Rendered],
    config: Config,
    now: datetime | None,
    prev_archive_url: str | None = None,
    image_sizes: Mapping[str, int] | None = None,
) -> list[FeedSpec]:
    """Describe every feed of the plan, with its rendered entries (the site feed links its archive).

    now: the build time, the date of a feed without entries; image_sizes: local images'
    sizes by URL (mapping.image_sizes).
    """
    out = []
    for category, members in plan.items():
        paths = layout.feed_paths(category)
        title = feed_title(category, config)
        subtitle = config.description if category is None else f"{category.name} from {config.title}"
        out.append(FeedSpec(
            title=title,
            subtitle=subtitle,
            atom_url=paths.url("atom", config),
            rss_url=paths.url("rss", config),
            json_url=paths.url("json", config),
            home_url=config.base_url + paths.folder,  # the site's or the category's page (kind lists)
            entries=tuple(rendered[e.id] for e in members),
            folder=paths.folder,
            built=now,
            stylesheet_url=layout.relative_to_root(paths.folder, layout.FEED_STYLESHEET),
            hub_url=config.hub_url or None,
            prev_archive_url=prev_archive_url if category is None else None,
            image_sizes=image_sizes or {},
        ))
    return out


def outputs(feed_specs: Sequence[FeedSpec], config: Config) -> list[Output]:
    """Serialise every feed in its three formats."""
    result = []
    for spec in feed_specs:
        files = (*atom_rss.atom_and_rss(spec, config), jsonfeed.jsonfeed(spec, config))
        paths = layout.FeedPaths(spec.folder)
        result += [Output(paths.path(kind), data) for kind, data in zip(KINDS, files, strict=True)]
    return result


@dataclass(frozen=True)
class Planned:
    """A feed to make: its category (None: site-wide), entries, the archive it links, its images' sizes."""

    category: Category | None
    members: tuple[Record, ...]  # newest first
    prev_archive_url: str | None  # the newest archive page (the site-wide feed only)
    image_sizes: tuple[tuple[str, int], ...]  # by URL (mapping.image_sizes)


SETTINGS = ("title", "description", "base_url", "hub_url", "language", "author_email", "author_name",
            "content_mode")  # what a feed says besides its entries


def feed_job(name: str, paths: tuple[str, ...], plan: P, members: Sequence[Record], files: tuple[File, ...]) -> Job[P]:
    """Return the job of one feed (site, category or tag): its entries shown in full, its images' files read."""
    # the build time shows only in a feed without entries (its 'updated')
    return Job(name, paths, plan, Inputs(SETTINGS, files, now=not members), shows=tuple(members), background=True)


class _Feeds:
    """The kind: one job per feed, its entries shown in full."""

    name = "feeds"
    after = ("archive",)  # the site-wide feed links the newest archive page

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:
        """Return a job per feed: the site-wide one, then each category's by slug."""
        prev = archive.newest_page(planned, build.config)
        members = feed_entries(build.chosen.published, build.config, build.chosen.names)
        jobs: list[Job[Any]] = []
        for c, m in members.items():
            files, sizes = mapping.image_sizes((r.image for r in m), build.config, build.stat)
            paths = tuple(layout.feed_paths(c).path(kind) for kind in KINDS)
            jobs.append(feed_job(self.name, paths, Planned(c, tuple(m), prev if c is None else None, sizes), m, files))
        return jobs

    def make(self, job: Job[Planned], given: Given, rendered: Mapping[str, Rendered]) -> Made:
        """Serialise one feed in its three formats."""
        p = job.plan
        (spec,) = specs({p.category: p.members}, rendered, given.config, given.now, p.prev_archive_url,
                        dict(p.image_sizes))
        return Made(tuple(outputs([spec], given.config)))


KIND = _Feeds()


def planned_feeds(planned: Sequence[Job[Any]]) -> list[Planned]:
    """Return the feeds among planned jobs, site-wide first (how the site pages list them)."""
    return plans(planned, Planned)
