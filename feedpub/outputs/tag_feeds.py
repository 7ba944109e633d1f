"""Output kind ``tag_feeds``: a feed per tag, with ``tag_feeds = true``.

Each tag's newest ``feed_limit`` entries in Atom, RSS and JSON Feed under ``tags/<slug>/``,
beside the tag's page (kind ``lists``). Tags are compared by slug, so ``AI & ML`` and
``ai-ml`` are one tag, shown as its first spelling; a tag with no ASCII letters (``天文``)
gets a short hash for a slug. Off by default: a site with hundreds of tags would publish
hundreds of feeds nobody asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Rendered
from feedpub.outputs import feeds, mapping
from feedpub.outputs.atom_rss import FeedSpec
from feedpub.outputs.protocol import Build, Given, Job, Made
from feedpub.records import Record


def tag_members(published: Sequence[Record], limit: int) -> dict[str, tuple[str, list[Record]]]:
    """Return each tag slug's name (its first spelling, newest first) and newest entries, at most limit."""
    found: dict[str, tuple[str, list[Record]]] = {}
    for r in published:
        for tag in dict.fromkeys(r.tags):
            slug = layout.tag_slug(tag)
            members = found.setdefault(slug, (tag, []))[1]
            if len(members) < limit and (not members or members[-1] is not r):
                members.append(r)
    return dict(sorted(found.items()))


def spec(slug: str, tag: str, members: Sequence[Record], rendered: Mapping[str, Rendered], config: Config,
         now: datetime | None, image_sizes: Mapping[str, int]) -> FeedSpec:
    """Describe the feed of one tag (now: the date of a feed without entries; image_sizes: see mapping.image_sizes)."""
    folder = layout.tag_folder(slug)
    return FeedSpec(
        title=f"{config.title} — #{tag}",
        subtitle=f"Articles tagged {tag} from {config.title}",
        atom_url=config.base_url + folder + layout.FEED_FILES["atom"],
        rss_url=config.base_url + folder + layout.FEED_FILES["rss"],
        json_url=config.base_url + folder + layout.FEED_FILES["json"],
        home_url=config.base_url + folder,  # the tag's page (kind lists)
        entries=tuple(rendered[r.id] for r in members),
        folder=folder,
        built=now,
        stylesheet_url=layout.relative_to_root(folder, layout.FEED_STYLESHEET),
        hub_url=config.hub_url or None,
        image_sizes=image_sizes,
    )


@dataclass(frozen=True)
class Planned:
    """A tag's feed to make: the tag's slug and name, its entries, its images' sizes."""

    slug: str
    tag: str
    members: tuple[Record, ...]  # newest first
    image_sizes: tuple[tuple[str, int], ...]  # by URL (mapping.image_sizes)


class _TagFeeds:
    """The kind: one job per tag (its three files), entries shown in full."""

    name = "tag_feeds"
    after = ()

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:  # noqa: ARG002 - the Kind protocol
        """Return a job per tag of the published entries (none unless tag_feeds is on)."""
        if not build.config.tag_feeds:
            return []
        jobs: list[Job[Any]] = []
        for slug, (tag, members) in tag_members(build.chosen.published, build.config.feed_limit).items():
            files, sizes = mapping.image_sizes((r.image for r in members), build.config, build.stat)
            folder = layout.tag_folder(slug)
            paths = tuple(folder + layout.FEED_FILES[k] for k in feeds.KINDS)
            jobs.append(feeds.feed_job(self.name, paths, Planned(slug, tag, tuple(members), sizes), members, files))
        return jobs

    def make(self, job: Job[Planned], given: Given, rendered: Mapping[str, Rendered]) -> Made:
        """Serialise one tag's feed in its three formats."""
        p = job.plan
        return Made(tuple(feeds.outputs([spec(p.slug, p.tag, p.members, rendered, given.config, given.now,
                                              dict(p.image_sizes))], given.config)))


KIND = _TagFeeds()
