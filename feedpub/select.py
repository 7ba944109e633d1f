"""Choose what is published: drafts and future entries out, newest first, ids unique.

Also settles each category's display name once for the whole build, so one category never
shows under two spellings.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Category, Entry, changed


def publishable(entries: Iterable[Entry], config: Config, now: datetime) -> list[Entry]:
    """Return the entries to publish, newest first: no drafts, no future dates unless asked."""
    # An archive has far fewer distinct dates than entries, and comparing or converting an
    # aware datetime asks its time zone each time: each distinct date is looked at once.
    ages: dict[datetime, float] = {}
    due: dict[datetime, bool] = {}

    def age(e: Entry) -> float:
        found = ages.get(e.date)
        if found is None:
            found = ages[e.date] = -e.date.timestamp()
        return found

    def published(e: Entry) -> bool:
        found = due.get(e.date)
        if found is None:
            found = due[e.date] = config.future or e.date <= now
        return found and not e.draft

    kept = [e for e in entries if published(e)]
    # Entry.sort_key order (newest first, then id), in two stable passes on one key each:
    # many entries share a date, and Python sorts single strings and floats much faster
    # than (float, str) tuples.
    kept.sort(key=_id)
    kept.sort(key=age)
    return kept


def _id(e: Entry) -> str:
    return e.id


def unify_categories(entries: Sequence[Entry], config: Config) -> list[Entry]:
    """Give every entry of a category slug the same display name (config, else most used)."""
    names: dict[str, Counter[str]] = {}
    for category, n in Counter(e.category for e in entries).items():  # categories are few: count them once
        names.setdefault(category.slug, Counter())[category.name] += n
    chosen = {
        slug: config.categories.get(slug) or sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for slug, c in names.items()
    }
    return [
        e if e.category.name == chosen[e.category.slug]
        else changed(e, category=Category(e.category.slug, chosen[e.category.slug]))
        for e in entries
    ]


def distinct_updated(entries: Sequence[Entry]) -> list[Entry]:
    """Give entries that share an ``updated`` instant distinct ones, a fraction of a second apart.

    Date-only documents all say midnight, and files added in one commit share its time; the
    W3C validator warns when two Atom entries have the same atom:updated (DuplicateUpdated).
    The offset (1-999,999 µs) comes from a hash of the id, so it never depends on which
    other entries exist and an entry's ``updated`` stays put from build to build.
    """
    counts = Counter(e.updated for e in entries)
    tied = {u for u, n in counts.items() if n > 1 and u.microsecond == 0}
    return [
        changed(e, updated=e.updated + timedelta(microseconds=_stable_micros(e.id)))
        if e.updated in tied else e
        for e in entries
    ]


def _stable_micros(key: str) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 999_999 + 1


def check_unique(entries: Sequence[Entry]) -> None:
    """Raise SourceError naming both files when two entries share an id or a permalink."""
    if len({e.id for e in entries}) == len(entries) == len({e.url for e in entries}):
        return  # the common case, found without sorting the archive
    problems: list[Problem] = []
    for attr, label in (("id", "id"), ("url", "permalink")):
        first: dict[str, Entry] = {}
        for e in sorted(entries, key=lambda e: e.rel):
            value = getattr(e, attr)
            if value in first:
                other = first[value]
                key_line = e.lines.get("id") if attr == "id" else None
                problems.append(Problem(
                    e.rel, key_line or e.lines.get("permalink") or e.lines.get("url"),
                    f"duplicate {label} {value!r}: also used by {other.rel}",
                ))
            else:
                first[value] = e
    if problems:
        raise SourceError(problems)


def by_category(entries: Sequence[Entry]) -> dict[Category, list[Entry]]:
    """Group entries (kept in their order) by category, categories sorted by slug."""
    groups: dict[Category, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.category, []).append(e)
    return dict(sorted(groups.items(), key=lambda kv: kv[0].slug))
