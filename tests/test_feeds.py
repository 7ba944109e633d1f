"""The feed writers: one feedgen generator for Atom and RSS, and the JSON Feed text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from feedpub.config import Config
from feedpub.outputs import atom_rss, feeds, jsonfeed
from feedpub.pipeline import read_entries, render_all
from tests.conftest import NOW


class TestAtomAndRss:
    def test_one_generator_writes_what_two_do(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """atom_and_rss gives the bytes of atom() and rss(), for every feed, with hub and archive links."""
        config = make_config(seeds, hub_url="https://hub.example.com/")
        entries, _ = read_entries(config)
        plan = feeds.feed_entries(sorted(entries, key=lambda e: e.sort_key), config)
        rendered = render_all((e for members in plan.values() for e in members), config)
        specs = feeds.specs(plan, rendered, config, NOW, "https://example.com/archive/atom/3.xml")
        assert len(specs) > 2
        for spec in specs:
            assert atom_rss.atom_and_rss(spec, config) == (atom_rss.atom(spec, config), atom_rss.rss(spec, config))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


class TestJsonDumps:
    @given(_json)
    def test_same_text_as_json_dumps(self, value: Any) -> None:
        """dumps writes exactly what json.dumps(ensure_ascii=False, indent=2) writes."""
        assert jsonfeed.dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)
