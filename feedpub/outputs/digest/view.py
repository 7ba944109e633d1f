"""What a digest says, before any template: a lead story, then sections by category, items newest first.

The entries of the chosen week become a frozen :class:`Digest`, which the templates turn into
HTML and text (:mod:`.render`) and the message into an .eml (:mod:`.eml`). Every text taken
from a document is made inert to the ESP's merge tags; every link to an article carries the
configured UTM parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from feedpub import layout
from feedpub.config import Config
from feedpub.errors import DigestError, Problem
from feedpub.model import Category, Entry, Image, Rendered
from feedpub.outputs.digest.compliance import links
from feedpub.outputs.digest.week import Window, in_window
from feedpub.render import content
from feedpub.render.templating import day_text
from feedpub.select import Listed
from feedpub.sources import plaintext

L = TypeVar("L", bound=Listed)
FEATURED = "featured"  # the tag that makes an entry the lead story
DEFAULT_ACCENT = "#2b6cb0"
SUMMARY_CHARS = 160  # two or three lines beside a thumbnail, at 15 px
LEAD_SUMMARY_CHARS = 240  # two or three lines across the whole card
_TAG_OPENERS = re.compile(r"([{*])([{%|])|([|%}])([}*])")


@dataclass(frozen=True)
class Item:
    """One article as the digest shows it."""

    title: str
    url: str  # with UTM parameters
    summary: str  # two or three lines, never starting with the title
    image: Image | None  # its alt is "" when the document gave none (the title is beside it)
    source: str
    date: str  # '20 February 2023'
    category: str  # the category's display name
    accent: str  # '#rrggbb': the category's colour


@dataclass(frozen=True)
class Section:
    """The items of one category, and how many more the per-category cap left out."""

    category: Category
    items: tuple[Item, ...]
    more: int
    more_url: str
    accent: str  # '#rrggbb': the category's colour


@dataclass(frozen=True)
class Digest:
    """Everything a digest says, before any template."""

    window: Window
    lead: Item | None  # the newest item, or the newest tagged 'featured'; not repeated in sections
    sections: tuple[Section, ...]
    subject: str
    preheader: str
    unsubscribe: str  # URL or merge tag; "" when there is none
    view_online: str  # URL or merge tag; "" when there is none
    preview_tag: str  # the ESP's preview-text tag, or ""
    list_unsubscribe: str  # a real URL for the List-Unsubscribe header, or ""
    intro: str
    footer_note: str  # why the reader gets this email
    made: datetime  # the build time: the message's Date

    @property
    def count(self) -> int:
        """Return the number of items shown."""
        return sum(len(s.items) for s in self.sections) + (self.lead is not None)


def with_utm(url: str, config: Config, win: Window) -> str:
    """Add the configured UTM parameters to url, unless it already carries some."""
    d = config.digest
    params = [("utm_source", d.utm_source), ("utm_medium", d.utm_medium),
              ("utm_campaign", d.utm_campaign.replace("{week}", win.label))]
    params = [(k, v) for k, v in params if v]
    parts = urlsplit(url)
    if not params or any(k.lower().startswith("utm_") for k, _ in parse_qsl(parts.query)):
        return url
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def inert(text: str) -> str:
    """Break merge-tag syntax in document text ({{ }}, {% %}, *| |*) with a zero-width space.

    The ESP expands tags anywhere in the message, so an article titled "{{ Subscriber.Email }}"
    would otherwise run as template code in listmonk, or show another field's value.
    Only the footer's own tags, from the profile, may reach the ESP.
    """
    return _TAG_OPENERS.sub(lambda m: "\u200b".join(g for g in m.groups() if g), text)


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def summary_text(title: str, summary: str, limit: int) -> str:
    """Return summary cut to about limit characters, without the title it may start with.

    A title made from a document's first sentence (cut at 80 characters, ending in '…') is
    that sentence again: the summary then starts after the sentence, so no reader sees it twice.
    """
    text = " ".join(summary.split())
    head = _folded(title.rstrip("…").rstrip(". "))
    if head and _folded(text).startswith(head):
        first = plaintext.first_sentence(text)
        if text.startswith(first) and _folded(first).startswith(head):
            text = text[len(first):]
        else:  # the summary is the title and more, with no sentence end: keep what follows it
            text = text[len(head):].lstrip(" .:;,–—-…")
        text = text.strip()
    return plaintext.shorten_clean(text, limit) if text else ""


def _accent(config: Config, category: Category) -> str:
    return config.digest.accent_colors.get(category.slug, DEFAULT_ACCENT)


def _item(r: Rendered, config: Config, win: Window, limit: int) -> Item:
    e = r.entry
    image = e.image
    if image is not None:  # alt text that only repeats the title beside it would be read twice
        image = replace(image, alt="" if _folded(image.alt) == _folded(e.title) else inert(image.alt))
    return Item(inert(e.title), with_utm(e.url, config, win), inert(summary_text(e.title, r.summary, limit)),
                image, inert(e.source), day_text(e.date.astimezone(config.tz).date()), inert(e.category.name),
                _accent(config, e.category))


def sections(chosen: Sequence[L], config: Config) -> list[tuple[Category, list[L], int]]:
    """Group entries by category, in digest order: (category, entries shown, how many left out)."""
    groups: dict[Category, list[L]] = {}
    for e in chosen:
        groups.setdefault(e.category, []).append(e)
    rank = {slug: i for i, slug in enumerate(config.digest.category_order)}
    ordered = sorted(groups.items(), key=lambda kv: (rank.get(kv[0].slug, len(rank)), -len(kv[1]), kv[0].name))
    cap = config.digest.max_items_per_category
    return [(c, members[:cap] if cap else members, len(members) - len(members[:cap] if cap else members))
            for c, members in ordered]


def _lead(groups: Sequence[tuple[Category, list[L], int]], rendered: Mapping[str, Rendered],
          config: Config) -> L:
    """Return the lead story: the newest entry tagged 'featured', else the newest shown."""
    shown = sorted((e for _c, members, _more in groups for e in members), key=lambda e: (-e.instant, e.id))
    for e in shown:
        if FEATURED in (t.lower() for t in _rendered(e, rendered, config).entry.tags):
            return e
    return shown[0]


def _rendered(e: Listed, rendered: Mapping[str, Rendered], config: Config) -> Rendered:
    found = rendered.get(e.id)
    if found is not None:
        return found
    if not isinstance(e, Entry):
        raise KeyError(f"{e.rel} is shown in the digest but was not rendered")
    return content.render(e, config)


def make(entries: Sequence[Listed], rendered: Mapping[str, Rendered], config: Config, win: Window,
         now: datetime) -> Digest:
    """Group the window's entries into a Digest made at now; raise DigestError when there are none."""
    chosen = in_window(entries, win)
    if not chosen:
        span = f"{win.start.date()} to {win.last_day}, {config.timezone}"
        raise DigestError([Problem("digest", None, f"no entries in {win.label} ({span}); nothing to send")])
    groups = sections(chosen, config)
    lead_entry = _lead(groups, rendered, config)
    lead = _item(_rendered(lead_entry, rendered, config), config, win, LEAD_SUMMARY_CHARS)
    shown = _sections_but(lead_entry, groups, rendered, config, win)
    d = config.digest
    subject = d.subject.format(site=config.title, period=win.period, week=win.label,
                               start=day_text(win.start.date()), end=day_text(win.last_day))
    titles = [lead.title, *(i.title for s in shown for i in s.items[:1])]
    preheader = d.preheader or "In this issue: " + " · ".join(titles[:3])
    link = links(config, win.label)
    note = d.footer_note or f"You are receiving this email because you subscribed to {config.title}."
    return Digest(win, lead, shown, " ".join(subject.split()), " ".join(preheader.split()),
                  link.unsubscribe, link.view_online, link.preview, link.list_unsubscribe, d.intro or win.intro,
                  note, now)


def _sections_but(lead: Listed, groups: Sequence[tuple[Category, list[L], int]], rendered: Mapping[str, Rendered],
                  config: Config, win: Window) -> tuple[Section, ...]:
    """Return the sections without the lead story; a category with nothing else to show has none."""
    shown = []
    for category, members, more in groups:
        rest = [e for e in members if e is not lead]
        if not rest and not more:
            continue
        more_url = with_utm(layout.feed_paths(category).url("atom", config), config, win)
        shown.append(Section(replace(category, name=inert(category.name)),
                             tuple(_item(_rendered(e, rendered, config), config, win, SUMMARY_CHARS) for e in rest),
                             more, more_url, _accent(config, category)))
    return tuple(shown)
