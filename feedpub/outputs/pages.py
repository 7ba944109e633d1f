"""Output kind ``pages``: an article page for every published entry, at the entry's URL.

Every link feedpub puts in a feed, a digest or a listing points to ``<base_url><path>``; this
kind writes the page there (``news/x/`` → ``news/x/index.html``), for the whole archive, not
only the entries of the current feeds. An entry whose URL lies outside base_url (an
external ``canonical``/``link``, or a ``permalink`` on another host) has its home elsewhere
and gets no page; ``pages = false`` turns the kind off for a site whose own generator
writes them.

One job per page, keyed by the entry's document, the values the build settled for it
(category name, ``updated``) and its neighbours' titles and URLs (the previous/next
links): editing one document remakes its page and its two neighbours', nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.model import Author, Category, Entry, Output, Rendered
from feedpub.outputs import feeds, mapping  # the feed titles, as the feeds say them; the tags, as they do
from feedpub.outputs.protocol import EVERY, Build, Given, Inputs, Job, Made
from feedpub.records import Record
from feedpub.render import shipped_pages, templating

TEMPLATE = "article.html.j2"


@dataclass(frozen=True)
class Link:
    """A link as a page shows it: where it goes (relative inside the site) and its text."""

    href: str
    text: str


@dataclass(frozen=True)
class FeedRef:
    """A feed a page announces for autodiscovery: its media type, title and (relative) path."""

    media_type: str
    title: str  # "<feed title> (<format>)"
    href: str
    label: str = ""  # the format: "Atom", "RSS", "JSON Feed"


def entry_href(url: str, here: str, config: Config) -> str:
    """Return how the page at here links an entry: relative to its page, or its URL when it has none."""
    target = layout.page_path(url, config)
    return layout.href(here, target) if target is not None else url


def feed_refs(here: str, *folders: tuple[str, str]) -> tuple[FeedRef, ...]:
    """Return the Atom, RSS and JSON feeds of each (folder, title) as seen from the page at here."""
    refs = []
    for folder, title in folders:
        for kind, label in (("atom", "Atom"), ("rss", "RSS"), ("json", "JSON Feed")):
            refs.append(FeedRef(layout.MEDIA_TYPES[kind], f"{title} ({label})",
                                layout.href(here, folder + layout.FEED_FILES[kind]), label))
    return tuple(refs)


def day_text(entry: Entry, config: Config) -> str:
    """Return an entry's date as people read it, in the site's time zone ("20 February 2023")."""
    return templating.day_text(entry.date.astimezone(config.tz).date())


@dataclass(frozen=True)
class Person(Link):
    """An author as a page shows them: a link to their page, and the affiliation written after it."""

    affiliation: str = ""


def people(authors: Sequence[Author]) -> tuple[Person, ...]:
    """Return the authors as links (href "" for an author without a web page) with their affiliations."""
    return tuple(Person(a.uri, a.name, a.affiliation) for a in authors)


@dataclass(frozen=True)
class Around:
    """What an article page shows around its entry that depends only on where the page is and its category."""

    category: Link
    home: str
    stylesheet: str
    alternates: tuple[FeedRef, ...]


def _around(here: str, category: Category, config: Config) -> Around:
    category_folder = layout.feed_paths(category).folder
    return Around(Link(layout.href(here, layout.list_path(category_folder, 1)), category.name),
                  layout.href(here, layout.INDEX), layout.href(here, layout.SITE_STYLESHEET),
                  feed_refs(here, ("", feeds.feed_title(None, config)),
                            (category_folder, feeds.feed_title(category, config))))


_AROUND: dict[tuple[str, Category], Around] = {}
_AROUND_OF: list[Config] = []  # the configuration _AROUND was made for: one slot (a build has one)


def around(here: str, category: Category, config: Config) -> Around:
    """Return the links around an article page: made once per folder of pages and category, not per page.

    Every article page in ``news/<slug>/`` links the home page, the stylesheet, its
    category's page and six feeds by the same relative links: a link from a folder to a
    file outside it depends only on the folder's parent and depth, so the links are made
    once, as seen from a sibling folder no page can have (``news/<NUL>/``: no output
    path holds a NUL character), and shared by every page beside it. A page whose own folder holds one of
    those files (a page at ``categories/``) gets links made for it alone.
    """
    folder = here[: here.rfind("/") + 1]
    category_folder = layout.feed_paths(category).folder
    inside = not folder or any(t.startswith(folder) for t in (
        layout.INDEX, layout.SITE_STYLESHEET, category_folder + layout.PAGE_FILE,
        *(f + name for f in ("", category_folder) for name in layout.FEED_FILES.values())))
    if inside:
        return _around(here, category, config)
    if not _AROUND_OF or _AROUND_OF[0] is not config:
        _AROUND.clear()
        _AROUND_OF[:] = [config]
    seen_from = folder[: folder.rfind("/", 0, len(folder) - 1) + 1] + "\0/" + layout.PAGE_FILE
    made = _AROUND.get((seen_from, category))
    if made is None:
        made = _AROUND[seen_from, category] = _around(seen_from, category, config)
    return made


def context(r: Rendered, here: str, newer: tuple[str, str] | None, older: tuple[str, str] | None,
            config: Config) -> dict[str, Any]:
    """Return what the article template shows: every value computed here, none in the template."""
    e = r.entry
    show_tags = config.tag_feeds
    shared = around(here, e.category, config)
    tags = tuple(Link(layout.href(here, layout.list_path(layout.tag_folder(layout.tag_slug(t)), 1))
                      if show_tags else "", t) for t in mapping.other_tags(e.tags, e.category.name))
    image = e.image if e.image is not None and e.image.url not in r.content_html else None
    return {
        "site": config,
        "entry": e,
        "title": e.title,
        "description": r.summary,
        "content": templating.trusted(r.content_html),
        "canonical": e.url,
        "published": e.date.isoformat(timespec="seconds"),
        "modified": e.updated.isoformat(timespec="seconds"),
        "day": day_text(e, config),
        "authors": people(e.authors),
        "category": shared.category,
        "tags": tags,
        "image": image,
        "home": shared.home,
        "stylesheet": shared.stylesheet,
        "alternates": shared.alternates,
        "newer": Link(entry_href(newer[0], here, config), newer[1]) if newer is not None else None,
        "older": Link(entry_href(older[0], here, config), older[1]) if older is not None else None,
    }


def page(r: Rendered, here: str, newer: tuple[str, str] | None, older: tuple[str, str] | None,
         config: Config) -> bytes:
    """Return the article page of a rendered entry.

    here: its path in the output folder; newer, older: its neighbours' (URL, title).
    """
    values = context(r, here, newer, older, config)
    if templating.shipped(config, shipped_pages.ARTICLE):  # the same bytes, without Jinja2's cost per page
        return shipped_pages.article(values).encode("utf-8")
    return templating.render(config, TEMPLATE, **values).encode("utf-8")


@dataclass(frozen=True)
class Planned:
    """An article page to make: its entry, and the URL and title of the entries before and after it."""

    record: Record
    newer: tuple[str, str] | None  # (URL, title); a page is planned per entry every build: plain tuples
    older: tuple[str, str] | None


TEMPLATES = (TEMPLATE, "base.html.j2")
EVERY_SETTING = Inputs(EVERY, templates=TEMPLATES)  # the template is given the whole configuration


class _Pages:
    """The kind: one job per article page, its entry shown in full."""

    name = "pages"
    after = ()

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:  # noqa: ARG002 - the Kind protocol
        """Return a job per published entry whose page is the site's to write."""
        config = build.config
        if not config.pages:
            return []
        published = build.chosen.published
        # each entry's (URL, title) made once: the newer link of one page, the older of another
        links: list[tuple[str, str] | None] = [None, *((r.url, r.title) for r in published), None]
        page_path, name = layout.page_path, self.name
        jobs: list[Job[Any]] = []
        for i, r in enumerate(published):
            here = page_path(r.url, config)
            if here is not None:
                jobs.append(Job(name, (here,), Planned(r, links[i], links[i + 2]), EVERY_SETTING, (r,)))
        return jobs

    def make(self, job: Job[Planned], given: Given, rendered: Mapping[str, Rendered]) -> Made:
        """Make one article page."""
        p = job.plan
        here = job.paths[0]
        return Made((Output(here, page(rendered[p.record.id], here, p.newer, p.older, given.config)),))


KIND = _Pages()
