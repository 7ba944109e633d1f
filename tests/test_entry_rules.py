"""The rules an entry's values follow when a document is read: 'updated' never before 'date'."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from feedpub.config import Config
from feedpub.model import Entry
from feedpub.sources import load
from feedpub.sources.normalise import normalise
from tests.conftest import write_doc


@pytest.fixture
def entry_of(tmp_path: Path, make_config: Callable[..., Config]) -> Callable[[str], Entry]:
    src = tmp_path / "src"

    def make(front_matter: str) -> Entry:
        path = write_doc(src, "a.md", f"---\ntitle: A\n{front_matter}---\nBody.\n")
        return normalise(load.read(path, src), make_config(src))

    return make


class TestUpdated:
    def test_a_later_updated_is_kept(self, entry_of) -> None:
        """An 'updated' after the date is the entry's last change."""
        e = entry_of("date: 2022-06-14\nupdated: 2022-06-20T08:00:00Z\n")
        assert e.updated.isoformat() == "2022-06-20T08:00:00+00:00"

    def test_an_earlier_updated_is_raised_to_the_date(self, entry_of) -> None:
        """An 'updated' before the date cannot be: the entry was updated when it was published."""
        e = entry_of("date: 2022-06-14T10:00:00Z\nupdated: 2022-06-14T09:59:59Z\n")
        assert e.updated == e.date
        assert e.updated.isoformat() == "2022-06-14T10:00:00+00:00"

    def test_instants_are_compared_not_wall_clocks(self, entry_of) -> None:
        """10:00+08:00 is before 03:00Z: the date wins although its wall clock reads earlier."""
        e = entry_of("date: '2022-06-14T03:00:00Z'\nupdated: '2022-06-14T10:00:00+08:00'\n")
        assert e.updated.isoformat() == "2022-06-14T03:00:00+00:00"

    @pytest.mark.parametrize("front_matter", [
        "date: 2022-06-14\n",
        "date: 2022-06-14\nsummary: S\ncategory: news\n",
        "date: 2022-06-14\ntags: [x]\n",
    ])
    def test_without_updated_it_is_the_date(self, entry_of, front_matter: str) -> None:
        """A document that names no 'updated' was last changed at its date."""
        e = entry_of(front_matter)
        assert e.updated == e.date
        assert e.updated.isoformat() == "2022-06-14T00:00:00+00:00"

    @pytest.mark.parametrize("key", ["updated", "lastmod", "modified", "last_modified_at"])
    def test_every_spelling_of_updated_is_read(self, entry_of, key: str) -> None:
        """lastmod, modified and last_modified_at mean 'updated' too."""
        e = entry_of(f"date: 2022-06-14\n{key}: 2022-07-01\n")
        assert e.updated.isoformat() == "2022-07-01T00:00:00+00:00"

    def test_updated_wins_over_lastmod(self, entry_of) -> None:
        """With two spellings, 'updated' decides, whichever is later."""
        e = entry_of("date: 2022-06-14\nlastmod: 2022-09-01\nupdated: 2022-07-01\n")
        assert e.updated.isoformat() == "2022-07-01T00:00:00+00:00"
