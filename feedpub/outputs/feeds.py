"""Output kind ``feeds``: the site-wide and per-category Atom, RSS and JSON feeds.

One job per feed (its three files): the newest ``feed_limit`` entries of the site, or of a
category, each shown in full (rendered body). The site-wide feed links the newest archive
page (kind ``archive``, planned before this one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, Output, Rendered
from feedpub.outputs import archive, atom_rss, jsonfeed
from feedpub.outputs.atom_rss import FeedSpec
from feedpub.outputs.protocol import Build, Job, Made
from feedpub.select import Listed, Selection, by_category

L = TypeVar("L", bound=Listed)
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
    now: datetime,
    prev_archive_url: str | None = None,
) -> list[FeedSpec]:
    """Describe every feed of the plan, with its rendered entries (the site feed links its archive)."""
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
        ))
    return out


def keys(plan: Mapping[Category | None, Sequence[Any]], chosen: Selection[Any], now: datetime,
         prev_archive_url: str | None, context: str) -> dict[Category | None, bytes]:
    """Return what each feed's files depend on, hashed: its entries, their settled values, the config.

    The build's now shows only in a feed without entries (its 'updated'); the site-wide
    feed links the newest archive page.
    """
    found = {}
    for category, members in plan.items():
        name = "" if category is None else f"{category.slug}\0{category.name}"
        prev = prev_archive_url if category is None else ""
        empty = now.isoformat() if not members else ""
        h = hashlib.blake2b(f"feed {name}\0{prev}\0{empty}\0{context}\0".encode(), digest_size=16)
        h.update(chosen.tokens(members, [e.fingerprint for e in members]))
        found[category] = h.digest()
    return found


def outputs(feed_specs: Sequence[FeedSpec], config: Config, keys: Mapping[str, bytes] | None = None) -> list[Output]:
    """Serialise every feed in its three formats (keys: what each feed's files are written for, by folder)."""
    result = []
    for spec in feed_specs:
        files = (*atom_rss.atom_and_rss(spec, config), jsonfeed.jsonfeed(spec, config))
        paths = layout.FeedPaths(spec.folder)
        key = keys.get(spec.folder, b"") if keys else b""
        result += [Output(paths.path(kind), data, key) for kind, data in zip(KINDS, files, strict=True)]
    return result


class _Feeds:
    """The kind: one job per feed, its entries shown in full."""

    name = "feeds"

    def plan(self, build: Build, planned: Sequence[Job]) -> list[Job]:
        """Return a job per feed: the site-wide one, then each category's by slug."""
        prev = archive.newest_page(planned, build.config)
        members = feed_entries(build.chosen.published, build.config, build.chosen.names)
        found = keys(members, build.chosen, build.now, prev, build.context)
        return [Job(self.name, tuple(layout.feed_paths(c).path(kind) for kind in KINDS), found[c],
                    shows=tuple(m), detail=(c, tuple(m), prev), background=True)
                for c, m in members.items()]

    def make(self, job: Job, build: Build, rendered: Mapping[str, Rendered]) -> Made:
        """Serialise one feed in its three formats."""
        category, members, prev = job.detail
        (spec,) = specs({category: members}, rendered, build.config, build.now, prev)
        return Made(tuple(outputs([spec], build.config, {spec.folder: job.key})))


KIND = _Feeds()
