"""Output kind ``lists``: the pages that list entries, newest first, a page at a time.

``index.html`` (with every feed, the digests and the newest entries), then ``page/2/``…;
a page per category at ``categories/<slug>/`` — the folder of that category's feeds — and,
with ``tag_feeds``, a page per tag at ``tags/<slug>/``. Each listing is cut into pages of
``list_size`` entries with previous/next links, and announces its own feeds.

Made from catalogue records alone (title, date, summary): no body is rendered. One job per
page, keyed by the entries it lists: editing one document remakes the pages that show it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Category, Output, Rendered
from feedpub.outputs import feeds as feeds_kind
from feedpub.outputs import site
from feedpub.outputs.pages import FeedRef, Link, entry_href, feed_refs
from feedpub.outputs.protocol import EVERY, Build, Given, Inputs, Job, Made
from feedpub.outputs.tag_feeds import tag_members
from feedpub.records import Record
from feedpub.render import shipped_pages, templating
from feedpub.select import Selection, by_category


@dataclass(frozen=True)
class Listing:
    """One listing: where its pages go, what it is called, and the feed folder it announces."""

    folder: str  # "", "categories/<slug>/", "tags/<slug>/"
    title: str  # "" for the home page
    feed_title: str


@dataclass(frozen=True)
class Item:
    """An entry as a listing shows it."""

    href: str
    title: str
    published: str  # ISO date-time
    day: str  # the date as text
    summary: str
    category: Link


def listings(build: Build) -> list[tuple[Listing, Sequence[Record]]]:
    """Return every listing of the site and its entries, newest first: home, categories, tags."""
    config, chosen = build.config, build.chosen
    found: list[tuple[Listing, Sequence[Record]]] = [
        (Listing("", "", feeds_kind.feed_title(None, config)), chosen.published)]
    for category, members in by_category(chosen.published).items():
        found.append((Listing(layout.feed_paths(category).folder, category.name,
                              feeds_kind.feed_title(category, config)), members))
    if config.tag_feeds:
        for slug, (tag, members) in tag_members(chosen.published, len(chosen.published)).items():
            found.append((Listing(layout.tag_folder(slug), f"#{tag}", f"{config.title} — #{tag}"),
                          members))
    return found


def items(members: Sequence[Record], here: str, chosen: Selection[Record], config: Config) -> tuple[Item, ...]:
    """Return records as the listing page at here shows them.

    A page lists twenty entries of a few categories: each category's link is made once per
    page (the listing pages of a large site list every entry twice, home and category).
    """
    links: dict[Category, Link] = {}
    names, tz = chosen.names, config.tz
    out = []
    for r in members:
        category = r.category
        link = links.get(category)
        if link is None:
            name = names.get(category.slug, category.name)
            folder = layout.feed_paths(Category(category.slug, name)).folder
            link = links[category] = Link(layout.href(here, layout.list_path(folder, 1)), name)
        date = r.date
        out.append(Item(entry_href(r.url, here, config), r.title, date.isoformat(timespec="seconds"),
                        templating.day_text(date.astimezone(tz).date()), r.summary, link))
    return tuple(out)


def page(listing: Listing, number: int, count: int, members: Sequence[Record], chosen: Selection[Record],
         config: Config, extra: Mapping[str, Any]) -> bytes:
    """Return page number (of count) of a listing.

    chosen: the category names the build settled; extra: what the home page adds.
    """
    here = layout.list_path(listing.folder, number)
    shown = items(members, here, chosen, config)
    newer = Link(layout.href(here, layout.list_path(listing.folder, number - 1)), "Newer") if number > 1 else None
    older = Link(layout.href(here, layout.list_path(listing.folder, number + 1)), "Older") if number < count else None
    context = {
        "site": config, "listing": listing, "title": listing.title, "entries": shown,
        "number": number, "count": count, "newer": newer, "older": older,
        "canonical": config.base_url + here.removesuffix(layout.PAGE_FILE),
        "home": layout.href(here, layout.INDEX), "stylesheet": layout.href(here, layout.SITE_STYLESHEET),
        "alternates": _alternates(listing, here, config, extra),
        "own_feeds": feed_refs(here, (listing.folder, listing.feed_title)) if listing.folder else (),
        **extra,
    }
    if "feeds" in extra:
        context["latest"] = members  # the records themselves: what index.html.j2 overrides used before pages
    if listing.folder and templating.shipped(config, shipped_pages.LIST):  # the same bytes, without Jinja2's cost
        return shipped_pages.listing(context).encode("utf-8")
    if not listing.folder and number > 1 and templating.shipped(config, shipped_pages.INDEX):
        return shipped_pages.home_after_first(context).encode("utf-8")
    name = "index.html.j2" if not listing.folder else "list.html.j2"
    return templating.render(config, name, **context).encode("utf-8")


def _alternates(listing: Listing, here: str, config: Config, extra: Mapping[str, Any]) -> tuple[FeedRef, ...]:
    """Return the feeds a listing page announces: the home page every feed, others the site's and their own."""
    if "feeds" in extra:
        return tuple(FeedRef(link.media_type, f"{f.title} ({link.label})", layout.href(here, link.path), link.label)
                     for f in extra["feeds"] for link in f.links)
    home_feed = ("", feeds_kind.feed_title(None, config))
    return feed_refs(here, *([home_feed] if not listing.folder else [home_feed, (listing.folder, listing.feed_title)]))


@dataclass(frozen=True)
class Home:
    """What the first home page shows besides entries: every feed, the digests, the OPML file."""

    feeds: tuple[site.SiteFeed, ...]
    digest: site.DigestLinks | None
    opml: str = layout.OPML


def home(planned: Sequence[Job[Any]], build: Build) -> Home:
    """Return what the first home page shows of the planned feeds and digests."""
    digest_paths = tuple(p for j in planned if j.kind == "digest" for p in j.paths)
    described = site.site_feeds([(f.category, f.members) for f in feeds_kind.planned_feeds(planned)], build.config)
    return Home(tuple(described), site.digest_links(digest_paths))


@dataclass(frozen=True)
class Planned:
    """A listing page to make: which page of which listing, its entries, and what the home page adds."""

    listing: Listing
    number: int
    count: int
    members: tuple[Record, ...]
    home: Home | None  # on the first page of the home listing only


TEMPLATES = ("index.html.j2", "list.html.j2", "base.html.j2", "entries.html.j2")


class _Lists:
    """The kind: one job per page of each listing."""

    name = "lists"
    after = ("feeds", "digest")  # the home page lists every feed and digest

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:
        """Return a job per page of the home page's, each category's and each tag's listing."""
        size = build.config.list_size
        front = home(planned, build)
        declared = Inputs(EVERY, templates=TEMPLATES)  # the templates are given the whole configuration
        jobs: list[Job[Any]] = []
        for listing, members in listings(build):
            count = max(1, -(-len(members) // size))
            for number in range(1, count + 1):
                shown = tuple(members[(number - 1) * size:number * size])
                first = not listing.folder and number == 1
                jobs.append(Job(self.name, (layout.list_path(listing.folder, number),),
                                Planned(listing, number, count, shown, front if first else None), declared))
        return jobs

    def make(self, job: Job[Planned], given: Given, rendered: Mapping[str, Rendered]) -> Made:  # noqa: ARG002 - the Kind protocol
        """Make one listing page."""
        p = job.plan
        extra = {"feeds": p.home.feeds, "digest": p.home.digest, "opml": p.home.opml} if p.home is not None else {}
        return Made((Output(job.paths[0], page(p.listing, p.number, p.count, p.members, given.settled,
                                               given.config, extra)),))


KIND = _Lists()
