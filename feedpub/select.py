"""Choose what is published: drafts and future entries out, newest first, ids unique.

Also settles, once for the whole build, each category's display name (one category never
shows under two spellings) and which entries share an ``updated`` instant (they are moved
whole seconds apart in every output).

Every function here takes entries or catalogue records alike (:class:`feedpub.records.Record`
has the attributes of an :class:`Entry` that choosing needs): a build chooses among the
records of a whole archive, ``feedpub check`` and the tests among entries.
"""

from __future__ import annotations

import functools
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Generic, Protocol, TypeVar, cast
from urllib.parse import unquote

from feedpub import layout
from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Category, Entry, Rendered, changed, instant_of
from feedpub.slug import resolve_url
from feedpub.sources import xref


class Listed(Protocol):
    """What choosing asks of an entry or a record."""

    @property
    def id(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def rel(self) -> str: ...
    @property
    def draft(self) -> bool: ...
    @property
    def date(self) -> datetime: ...
    @property
    def updated(self) -> datetime: ...
    @property
    def category(self) -> Category: ...
    @property
    def instant(self) -> int: ...
    @property
    def updated_instant(self) -> int: ...
    @property
    def micros(self) -> int: ...
    @property
    def refs(self) -> tuple[str, ...]: ...
    def with_category(self, category: Category) -> Listed:
        """Return this item under another spelling of its category."""
        ...


T = TypeVar("T", bound=Listed)
_ID = attrgetter("id")
_INSTANT = attrgetter("instant")
_CATEGORY = attrgetter("category")
_URL = attrgetter("url")
_UPDATED_INSTANT = attrgetter("updated_instant")


@dataclass(frozen=True)
class Selection(Generic[T]):
    """What a build publishes, newest first, with the values settled for the whole build."""

    published: Sequence[T]  # newest first; every category under its settled name
    names: Mapping[str, str]  # category slug -> its settled display name
    tied: frozenset[int]  # 'updated' instants (µs) that more than one published entry shares
    base_url: str = ""  # what a plain .md link naming no document is made absolute against (see rendered)

    @functools.cached_property
    def _documents(self) -> xref.Resolver:
        """Every published document's URL by the names a link may give it (made on first use: few bodies link)."""
        return xref.Resolver(((x.rel, x.url, x.category.slug) for x in self.published), self.base_url,
                             lambda slug: self.base_url + layout.feed_paths(Category(slug, "")).folder)

    @functools.cached_property
    def _linked_places(self) -> dict[str, frozenset[str]]:
        """The places other documents' links name in a document (its headings' ids), by its URL."""
        found: dict[str, set[str]] = {}
        for x in self.published:
            for ref in map(xref.Ref, x.refs):  # (nearly every item has none)
                if ref.fragment[1:] and (url := self._documents.find(ref)) is not None:
                    found.setdefault(url[:-len(ref.fragment)], set()).add(unquote(ref.fragment[1:]))
        return {url: frozenset(places) for url, places in found.items()}

    def target(self, ref: str) -> str | None:
        """Return the URL (and fragment) of the published document a ref names (sources.xref); None: none."""
        return self._documents.find(xref.Ref(ref))

    def unresolved(self, item: Listed) -> list[xref.Ref]:
        """Return the refs of an item that name no published document, but plain .md links (those stay as written)."""
        return [ref for ref in map(xref.Ref, item.refs) if not ref.fallback and self._documents.find(ref) is None]

    def rendered(self, entry: Entry, html: str, summary: str) -> Rendered:
        """Return a published entry's rendered body as outputs show it: values settled, links to documents resolved."""
        if entry.refs:
            html = xref.resolved(html, entry.refs, functools.partial(self._url_of, entry.page_base))
        places = self._linked_places.get(entry.url)
        if places:  # another document links a heading of this one: it gets its id, as its generator gives it
            html = xref.with_places(html, places)
        return Rendered(self.settle(entry), html, summary)

    def _url_of(self, page_base: str, text: str) -> str | None:
        ref = xref.Ref(text)
        found = self._documents.find(ref)
        if found is not None or not ref.fallback:
            return found
        try:  # a plain .md link naming no document: as the sanitizer makes any relative link absolute
            return resolve_url(ref.fallback, self.base_url, page_base)
        except ValueError:
            return None

    def updated(self, item: Listed) -> datetime:
        """Return an entry's ``updated`` as every output shows it (ties moved apart)."""
        if item.updated_instant in self.tied:
            return item.updated + timedelta(microseconds=item.micros)
        return item.updated

    def settle(self, entry: Entry) -> Entry:
        """Return a published entry read in full with the category name and ``updated`` settled."""
        name = self.names.get(entry.category.slug, entry.category.name)
        updated = self.updated(entry)
        if name == entry.category.name and updated is entry.updated:
            return entry
        return changed(entry, category=Category(entry.category.slug, name), updated=updated)

    def updated_texts(self, items: Sequence[Listed]) -> list[str]:
        """Return each item's ``updated`` as every output shows it, in ISO 8601 to the second (lastmod).

        Records share one datetime object per distinct date (the catalogue makes each once),
        so each object is written once: formatting a zoned datetime costs more than the rest
        of a sitemap's row. (By the object's id: every one is held by its item meanwhile.)
        A tied item's text is its date's, moved on by its whole seconds (see _moving): in an
        archive of date-only documents nearly every item is tied, and making a datetime and
        writing it for each was most of a sitemap's time.
        """
        tied = self.tied
        made: dict[int, str] = {}
        moving: dict[int, tuple[str, int, str] | None] = {}
        texts = []
        for x in items:
            d = x.updated
            if x.updated_instant in tied:  # moved apart: a time of its own
                base = moving[id(d)] if id(d) in moving else moving.setdefault(id(d), _moving(d))
                seconds, rest = divmod(x.micros, 1_000_000)
                if base is not None and not rest and (at := base[1] + seconds) < _DAY:
                    texts.append(f"{base[0]}T{_TWO[at // 3600]}:{_TWO[at // 60 % 60]}:{_TWO[at % 60]}{base[2]}")
                else:  # the next day, a change of offset within the hour: as the datetime says
                    texts.append(self.updated(x).isoformat(timespec="seconds"))
                continue
            text = made.get(id(d))
            if text is None:
                text = made[id(d)] = d.isoformat(timespec="seconds")
            texts.append(text)
        return texts

    def token(self, item: Listed, fingerprint: bytes) -> bytes:
        """Return what an output showing item depends on besides its document (its fingerprint).

        Its category's settled name and whether its ``updated`` is tied are settled for the
        whole build: another document can change them. Each part's length is told, so the
        tokens of a list of items join without ambiguity (inputs.Keys counts them too).
        """
        name = self.names.get(item.category.slug, "").encode("utf-8")
        token = b"%d:%s%s%d:%s" % (len(fingerprint), fingerprint, b"\1" if item.updated_instant in self.tied else b"\0",
                                   len(name), name)
        if item.refs:  # the URLs of the documents its body links: another document's move changes them
            urls = [(self.target(ref) or "").encode("utf-8") for ref in item.refs]
            token += b"\2%d;" % len(urls) + b"".join(b"%d:%s" % (len(u), u) for u in urls)
        places = self._linked_places.get(item.url)
        if places:  # its headings that other documents link: their ids are in its body
            token += b"\3%s;" % "\0".join(sorted(places)).encode("utf-8")
        return token


_DAY = 86_400
_TWO = [f"{n:02d}" for n in range(60)]  # 0-59 in two digits: looked up, not formatted


def _moving(d: datetime) -> tuple[str, int, str] | None:
    """Return how a tied date is written when moved on by under an hour: its day, its second of the day, its offset.

    None when writing it so could differ from the moved datetime's own text: the second of
    two readings of an hour (fold: a moved datetime has fold 0), or a zone whose offset an
    hour later is another (no zone of the tz database changes its offset twice within two
    hours, so equal offsets at both ends mean one offset all along; a moved time in a gap is
    read with the offset before it, as the datetime's is).
    """
    if d.fold or d.utcoffset() != (d + timedelta(hours=1)).utcoffset():
        return None
    text = d.isoformat(timespec="seconds")  # YYYY-MM-DDTHH:MM:SS then the offset
    return text[:10], d.hour * 3600 + d.minute * 60 + d.second, text[19:]


def choose(items: Iterable[T], config: Config, now: datetime,
           whole: Callable[[T], Entry] | None = None) -> Selection[T]:
    """Return what to publish of items; raise SourceError when two share an id or a permalink.

    whole gives the entry of an item (for the line numbers of a duplicate's message) when
    items are catalogue records.
    """
    kept = publishable(items, config, now)
    check_unique(kept, whole)
    return settled(kept, config)


def settled(kept: list[T], config: Config) -> Selection[T]:
    """Return the selection of items publishable() kept and no two of which share an id or a permalink.

    What choose() does once the items are checked: for a build, which has checked them
    already (every problem of a run at once), rather than sorting and checking 50,000
    records twice.
    """
    kept, names = _unified(kept, config)
    return Selection(kept, names, tied_instants(kept), config.base_url)


def publishable(items: Iterable[T], config: Config, now: datetime) -> list[T]:
    """Return the items to publish, newest first: no drafts, no future dates unless asked."""
    if config.future:
        kept = [x for x in items if not x.draft]
    else:
        limit = instant_of(now)
        kept = [x for x in items if x.instant <= limit and not x.draft]
    # Entry.sort_key order (newest first, then id), in two stable passes on one key each:
    # many entries share a date, and Python sorts single strings and integers much faster
    # than tuples (a reversed sort keeps equal items in their order).
    kept.sort(key=_ID)
    kept.sort(key=_INSTANT, reverse=True)
    return kept


def _unified(items: Sequence[T], config: Config) -> tuple[list[T], dict[str, str]]:
    """Give every item of a category slug the same display name (config, else most used).

    Return the items and the name settled for each slug.
    """
    # Records share one Category object per (slug, name): count objects, then merge equal ones
    # (hashing a dataclass per item is slow; entries, made one by one, merge here too).
    categories = list(map(_CATEGORY, items))
    ids = list(map(id, categories))
    counted = Counter(ids)
    objects = dict(zip(ids, categories, strict=True))
    spellings: dict[str, Counter[str]] = {}
    for key, n in counted.items():
        category = objects[key]
        spellings.setdefault(category.slug, Counter())[category.name] += n
    chosen = {
        slug: config.categories.get(slug) or sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for slug, c in spellings.items()
    }
    settled = {key: c if c.name == chosen[c.slug] else Category(c.slug, chosen[c.slug])
               for key, c in objects.items()}
    if all(settled[key] is c for key, c in objects.items()):
        return list(items), chosen  # the common case: every slug has one spelling
    return [_with_category(x, settled[id(x.category)]) for x in items], chosen


def _with_category(item: T, category: Category) -> T:
    return item if item.category is category else cast(T, item.with_category(category))


def tied_instants(items: Iterable[Listed]) -> frozenset[int]:
    """Return the ``updated`` instants on whole seconds that more than one item shares.

    Date-only documents all say midnight, and files added in one commit share its time; the
    W3C validator warns when two Atom entries have the same atom:updated (DuplicateUpdated).
    Such entries are moved apart by 1 s to 59 min 59 s from a hash of their id (``micros``),
    so an entry's ``updated`` never depends on which other entries exist and stays put from
    build to build. Whole seconds, because every format writes dates to the second (RSS
    cannot say less, and a JSON Feed reader must see the Atom reader's date); within an
    hour, because a reader may show the date (ten entries tied at one instant still land on
    ten different seconds but about once in 80 such ties).
    """
    counts = Counter(map(_UPDATED_INSTANT, items))
    return frozenset(u for u, n in counts.items() if n > 1 and u % 1_000_000 == 0)


def duplicates(items: Sequence[T], whole: Callable[[T], Entry] | None = None) -> tuple[list[Problem], set[str]]:
    """Return a problem for every document that shares an id or a permalink with another, and their paths.

    Each document in conflict is named once, in path order, with the others it clashes
    with, even when it shares both its id and its permalink. whole gives the entry of an
    item (for the line numbers of the message) when items are catalogue records.
    """
    if _all_unique(items):
        return [], set()
    by_id = _grouped(items, _ID)
    by_url = _grouped(items, _URL)
    problems: list[Problem] = []
    for x in sorted(items, key=lambda x: x.rel):
        same_id, same_url = _others(x, by_id[x.id]), _others(x, by_url[x.url])
        if same_id or same_url:
            lines = (whole(x) if whole is not None else cast(Entry, x)).lines
            problems.append(_duplicate(x, same_id, same_url, lines))
    return problems, {p.path for p in problems}


def _all_unique(items: Sequence[Listed]) -> bool:
    """Whether every item has an id and a permalink of its own, found without sorting the archive."""
    ids = list(map(_ID, items))
    urls = list(map(_URL, items))
    # most entries' url is their id, the same object: then the ids said it already
    return len(set(ids)) == len(items) and (all(map(operator.is_, urls, ids)) or len(set(urls)) == len(items))


def _grouped(items: Sequence[T], key: Callable[[T], str]) -> dict[str, list[T]]:
    groups: dict[str, list[T]] = {}
    for x in items:
        groups.setdefault(key(x), []).append(x)
    return groups


def _others(x: Listed, group: list[T]) -> list[str]:
    """Return the paths of a group's items but x."""
    return [o.rel for o in group if o is not x]


def _duplicate(x: Listed, same_id: list[str], same_url: list[str], lines: Mapping[str, int]) -> Problem:
    """Return the problem of a document whose id (same_id: the others with it) or permalink another has."""
    made = ""
    if same_id and x.id != x.url:  # an id of its own
        what = f"duplicate id {x.id!r}" + (f" and permalink {x.url!r}" if same_url else "")
        line = lines.get("id") or lines.get("permalink") or lines.get("url")
    else:  # the id is the permalink (the usual case), or only the permalinks clash
        what = f"duplicate permalink {x.url!r}"
        line = lines.get("permalink") or lines.get("url") or lines.get("id")
        if not any(k in lines for k in ("permalink", "url", "path", "slug")):  # made of category and name
            made = " (made of its category and file name: give one of them a 'slug' or 'url' of its own)"
    others = sorted({*same_id, *same_url})
    return Problem(x.rel, line, f"{what}: also used by {', '.join(others)}{made}")


def check_unique(items: Sequence[T], whole: Callable[[T], Entry] | None = None) -> None:
    """Raise SourceError naming both files when two items share an id or a permalink."""
    problems, _involved = duplicates(items, whole)
    if problems:
        raise SourceError(problems)


def by_category(items: Sequence[T]) -> dict[Category, list[T]]:
    """Group items (kept in their order) by category slug, sorted by slug.

    Each group is keyed by the category of its first item: after choose(), the one
    name of its slug.
    """
    groups: dict[str, list[T]] = {}
    for x in items:
        slug = x.category.slug
        found = groups.get(slug)
        if found is None:
            groups[slug] = [x]
        else:
            found.append(x)
    return {members[0].category: members for _slug, members in sorted(groups.items())}
