"""Stage 4 — feeds: the site-wide and per-category Atom, RSS and JSON feeds as Outputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from feedpub import cache, feeds, jsonfeed, layout
from feedpub.config import Config
from feedpub.feeds import FeedSpec
from feedpub.model import Category, Entry, Output, Rendered
from feedpub.select import by_category


def feed_entries(entries: Sequence[Entry], config: Config) -> dict[Category | None, list[Entry]]:
    """Return the entries of each feed (None = site-wide), newest first, at most feed_limit."""
    plan: dict[Category | None, list[Entry]] = {None: list(entries[: config.feed_limit])}
    for category, members in by_category(entries).items():
        plan[category] = members[: config.feed_limit]
    return plan


def specs(
    plan: Mapping[Category | None, Sequence[Entry]],
    rendered: Mapping[str, Rendered],
    config: Config,
    now: datetime,
    prev_archive_url: str | None = None,
) -> list[FeedSpec]:
    """Describe every feed of the plan, with its rendered entries (the site feed links its archive)."""
    out = []
    for category, members in plan.items():
        paths = layout.feed_paths(category)
        title = config.title if category is None else f"{config.title} — {category.name}"
        subtitle = config.description if category is None else f"{category.name} from {config.title}"
        out.append(FeedSpec(
            title=title,
            subtitle=subtitle,
            atom_url=paths.url("atom", config),
            rss_url=paths.url("rss", config),
            json_url=paths.url("json", config),
            home_url=config.base_url,
            entries=tuple(rendered[e.id] for e in members),
            folder=paths.folder,
            built=now,
            stylesheet_url=layout.relative_to_root(paths.folder, layout.FEED_STYLESHEET),
            hub_url=config.hub_url or None,
            prev_archive_url=prev_archive_url if category is None else None,
        ))
    return out


def outputs(feed_specs: Sequence[FeedSpec], config: Config, store: cache.BuildCache | None = None) -> list[Output]:
    """Serialise every feed in its three formats, reusing the stored bytes of a feed whose spec is unchanged.

    A rebuild otherwise spends ~0.25 s of a 10k archive re-serialising feeds that did not
    change. The bytes depend only on the spec and the cache context (feedpub's code, the
    config, the templates), so the spec itself, through its repr, is the key.
    """
    keys = [_key(spec) for spec in feed_specs]
    stored = store.feeds(keys) if store is not None else {}
    made: dict[bytes, tuple[bytes, bytes, bytes]] = {}
    result = []
    for spec, key in zip(feed_specs, keys, strict=True):
        files = stored.get(key) or made.get(key)
        if files is None:
            files = made[key] = (*feeds.atom_and_rss(spec, config), jsonfeed.jsonfeed(spec, config))
        paths = layout.FeedPaths(spec.folder)
        result += [Output(paths.path(kind), data) for kind, data in zip(("atom", "rss", "json"), files, strict=True)]
    if store is not None:
        store.save_feeds(made, keys)
    return result


def _key(spec: FeedSpec) -> bytes:
    # 'built' (the build's now) shows only in a feed without entries: left out otherwise, or
    # no feed would ever be reused. Every other field, entries and bodies included, is in the repr.
    same = spec if not spec.entries else replace(spec, built=None)
    return cache.content_hash(repr(same).encode("utf-8"))
