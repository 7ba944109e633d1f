"""RFC 5005 archived feeds: fixed pages that validate, chain, and hold every entry once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from feedpub import records, select
from feedpub.config import Config
from feedpub.errors import ConfigError
from feedpub.incremental import cache, inputs
from feedpub.outputs import archive
from feedpub.outputs.protocol import Build, Job
from feedpub.pipeline import build
from feedpub.records import Record
from tests.conftest import NOW, check_json_feed, check_xml_feed, write_corpus
from tests.test_feeds import awkward_site

ATOM = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
BASE = "https://news.example.org/"


def _links(path: Path) -> dict[str, str]:
    root = etree.parse(str(path)).getroot()
    return {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}


def _local(config: Config, url: str) -> Path:
    assert url.startswith(BASE)
    return config.out / url[len(BASE) :]


@pytest.fixture
def archived(tmp_path: Path, make_config: Callable[..., Config]) -> Config:
    """23 entries, feeds of 5, pages of 4: five complete pages (20 entries), three left over."""
    source = tmp_path / "corpus"
    write_corpus(source, 23)
    config = make_config(source, feed_limit=5, archive_page_size=4)
    build(config, now=NOW)
    return config


class TestArchivePages:
    def test_pages_validate(self, archived: Config, atom_schema: etree.RelaxNG) -> None:
        """Every archive page passes the Atom RELAX NG schema and feedparser, and says fh:archive."""
        pages = sorted((archived.out / "archive/atom").glob("*.xml"))
        assert [p.name for p in pages] == ["1.xml", "2.xml", "3.xml", "4.xml", "5.xml"]
        for p in pages:
            check_xml_feed(p, atom_schema)
            assert etree.parse(str(p)).getroot().find(f"{FH}archive") is not None
        check_xml_feed(archived.out / "atom.xml", atom_schema)

    def test_walking_the_chain_recovers_every_entry_once(self, archived: Config) -> None:
        """current → prev-archive → … reaches every entry; pages hold each exactly once."""
        current = archived.out / "atom.xml"
        seen_in_pages: list[str] = []
        url = _links(current).get("prev-archive")
        pages = 0
        while url:
            page = _local(archived, url)
            links = _links(page)
            assert links["current"] == BASE + "atom.xml"
            assert links["self"] == url
            seen_in_pages += [e.id for e in feedparser.parse(page.read_bytes()).entries]
            url = links.get("prev-archive")
            pages += 1
        assert pages == 5
        assert len(seen_in_pages) == len(set(seen_in_pages)) == 20
        in_current = [e.id for e in feedparser.parse(current.read_bytes()).entries]
        result = build(archived, now=NOW)
        assert set(seen_in_pages) | set(in_current) == {e.id for e in result.published}
        assert not set(in_current[:3]) & set(seen_in_pages)  # the three newest are only current

    def test_pages_link_both_ways_in_date_order(self, archived: Config) -> None:
        """Page 1 is the oldest; next-archive and prev-archive are inverse; the newest page has no next."""
        folder = archived.out / "archive/atom"
        for n in range(1, 6):
            links = _links(folder / f"{n}.xml")
            assert links.get("prev-archive") == (f"{BASE}archive/atom/{n - 1}.xml" if n > 1 else None)
            assert links.get("next-archive") == (f"{BASE}archive/atom/{n + 1}.xml" if n < 5 else None)
        newest_first = [feedparser.parse((folder / f"{n}.xml").read_bytes()).entries for n in range(5, 0, -1)]
        stamps = [e.published for page in newest_first for e in page]
        assert stamps == sorted(stamps, reverse=True)
        assert _links(archived.out / "atom.xml")["prev-archive"] == f"{BASE}archive/atom/5.xml"

    def test_new_entries_leave_complete_pages_untouched(self, archived: Config) -> None:
        """Adding articles rewrites no old page except the newest's next-archive link when a page fills."""
        folder = archived.out / "archive/atom"
        before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.xml")}
        write_corpus(archived.source, 1, start=23)  # 24 entries: page 6 fills
        build(archived, now=NOW)
        after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.xml")}
        assert sorted(after) == ["1.xml", "2.xml", "3.xml", "4.xml", "5.xml", "6.xml"]
        assert all(after[n] == before[n] for n in ("1.xml", "2.xml", "3.xml", "4.xml"))
        assert _links(folder / "5.xml")["next-archive"] == f"{BASE}archive/atom/6.xml"
        write_corpus(archived.source, 1, start=24)  # 25 entries: still six full pages
        build(archived, now=NOW)
        assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.glob("*.xml")} == after

    def test_no_archive_when_page_size_is_zero(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """archive_page_size = 0 writes no pages and no prev-archive link."""
        source = tmp_path / "corpus"
        write_corpus(source, 12)
        config = make_config(source, feed_limit=5, archive_page_size=0)
        build(config, now=NOW)
        assert not (config.out / "archive").exists()
        assert "prev-archive" not in _links(config.out / "atom.xml")

    def test_page_larger_than_feed_is_refused(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """A page bigger than the current feed would hide entries: a config error naming the key."""
        with pytest.raises(
            ConfigError, match="'archive_page_size' \\(9\\) must not exceed 'feed_limit' \\(5\\)"
        ):
            make_config(tmp_path, feed_limit=5, archive_page_size=9)


class TestOneWriter:
    def test_an_entry_says_the_same_in_the_feed_and_on_its_page(self, tmp_path: Path,
                                                                 make_config: Callable[..., Config]) -> None:
        """Title (markup-like too), links with the image's length, people, categories and dates: byte for byte."""
        config = make_config(awkward_site(tmp_path / "awkward"), feed_limit=20, archive_page_size=4)
        build(config, now=NOW)

        def entries(path: Path) -> dict[str, list[tuple[Any, ...]]]:
            said = {}
            for entry in etree.parse(str(path)).getroot().iter(f"{ATOM}entry"):
                kept = [el for el in entry if el.tag in {f"{ATOM}{n}" for n in _SHARED}]
                said[entry.findtext(f"{ATOM}id")] = sorted(map(_element, kept))
            return said

        current = entries(config.out / "atom.xml")
        pages = sorted((config.out / "archive/atom").glob("*.xml"))
        archived = {k: v for p in pages for k, v in entries(p).items()}
        assert len(pages) == 2 and len(archived) == 8
        assert archived == {k: current[k] for k in archived}
        said = [el for v in archived.values() for el in v]
        assert any(("rel", "enclosure") in attrs and "length" in dict(attrs) for _t, attrs, _x, _c in said)
        assert any(tag.endswith("title") and ("type", "html") in attrs for tag, attrs, _x, _c in said)


_SHARED = ("id", "title", "link", "author", "category", "published", "updated")


def _element(el: Any) -> tuple[Any, ...]:
    """Return what an element says (name, attributes, text, children), without namespace declarations."""
    return el.tag, tuple(sorted(el.attrib.items())), (el.text or "").strip(), tuple(map(_element, el))


class TestHub:
    def test_hub_url_is_announced_by_every_current_feed(
        self,
        tmp_path: Path,
        make_config: Callable[..., Config],
        atom_schema: etree.RelaxNG,
        jsonfeed_validator,
    ) -> None:
        """hub_url becomes <link rel="hub"> in Atom and RSS and "hubs" in JSON Feed."""
        source = tmp_path / "corpus"
        write_corpus(source, 6)
        config = make_config(source, hub_url="https://hub.example.net/")
        build(config, now=NOW)
        assert _links(config.out / "atom.xml")["hub"] == "https://hub.example.net/"
        check_xml_feed(config.out / "atom.xml", atom_schema)
        rss = etree.parse(str(config.out / "rss.xml")).getroot()
        assert [x.get("href") for x in rss.iter(f"{ATOM}link") if x.get("rel") == "hub"] == [
            "https://hub.example.net/"
        ]
        check_xml_feed(config.out / "rss.xml")
        data = check_json_feed(config.out / "feed.json", jsonfeed_validator)
        assert data["hubs"] == [{"type": "WebSub", "url": "https://hub.example.net/"}]

    def test_hub_url_must_be_a_url(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A hub that is not an http(s) URL is a config error naming the key."""
        with pytest.raises(ConfigError, match="--hub-url must be an absolute http"):
            make_config(tmp_path, hub_url="hub.example.net")


class TestArchiveCache:
    def test_kept_pages_equal_fresh_pages(self, archived: Config, tmp_path: Path) -> None:
        """After an edit only the page that shows it is written; every page equals a build without cache."""
        doc = archived.source / "a0004.md"
        doc.write_text(doc.read_text().replace("Article 4 &", "Edited 4 &"))
        result = build(archived, now=NOW)
        assert [p for p in result.report.written if p.startswith("archive/")] == ["archive/atom/2.xml"]
        fresh = replace(archived, cache=False, out=tmp_path / "fresh")
        build(fresh, now=NOW)
        for n in range(1, 6):
            page = f"archive/atom/{n}.xml"
            assert (archived.out / page).read_bytes() == (fresh.out / page).read_bytes(), page
        assert b"Edited 4 &amp;" in (archived.out / "archive/atom/2.xml").read_bytes()

    def test_rebuild_after_a_cold_build_makes_no_page(
        self, tmp_path: Path, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A second build keeps every page, offsets written in documents included (cold keys = warm keys)."""
        source = tmp_path / "corpus"
        write_corpus(source, 20)
        for i in range(3):  # documents that give their own UTC offset
            (source / f"z{i}.md").write_text(f"---\ntitle: Z {i}\ndate: 2024-03-0{i + 1}T10:00:00+02:00\n---\nz\n")
        config = make_config(source, feed_limit=5, archive_page_size=4, workers=1)
        build(config, now=NOW)
        made: list[int] = []
        real = archive.assemble

        def counting(page: archive.Page[Any], *args: Any) -> bytes:
            made.append(page.number)
            return real(page, *args)

        monkeypatch.setattr(archive, "assemble", counting)
        result = build(config, now=NOW)
        assert made == []
        assert not result.report.changed
        assert len(list((config.out / "archive/atom").glob("*.xml"))) == 23 // 4

    def test_page_edited_in_the_output_folder_is_made_again(self, archived: Config, tmp_path: Path) -> None:
        """A page file changed since the build wrote it (its mtime moved) is made again, not kept."""
        page = archived.out / "archive/atom/2.xml"
        page.write_bytes(page.read_bytes().replace(b"Summary", b"Forged!"))
        result = build(archived, now=NOW)
        assert result.report.written == ("archive/atom/2.xml",)
        fresh = replace(archived, cache=False, out=tmp_path / "fresh")
        build(fresh, now=NOW)
        assert page.read_bytes() == (fresh.out / "archive/atom/2.xml").read_bytes()

    def test_page_key_follows_the_settled_values(self, archived: Config) -> None:
        """A page's key changes when an entry's build-wide values do: a new tie, another category name."""
        with cache.opened(archived) as store:
            records = sorted(store.catalogue().values(), key=lambda r: r.sort_key)
        chosen = select.choose(records, archived, NOW)
        page = archive.pages(chosen.published, archived)[0]

        def page_key(last: int, chosen: select.Selection[Record], context: str) -> bytes:
            build = Build(archived, NOW, chosen, context)
            return inputs.Keys(build)(Job("archive", ("archive/atom/1.xml",), archive.Planned(page, last, ())))

        key = page_key(5, chosen, "ctx")
        assert key == page_key(5, chosen, "ctx")
        first = page.entries[0]
        tied = replace(chosen, tied=chosen.tied | {first.updated_instant})
        renamed = replace(chosen, names={**chosen.names, first.category.slug: "Renamed"})
        assert len({key, page_key(5, tied, "ctx"), page_key(5, renamed, "ctx"), page_key(6, chosen, "ctx"),
                    page_key(5, chosen, "other")}) == 5


class TestFingerprint:
    def test_dates_are_keyed_as_exactly_as_written(self) -> None:
        """Dates that write differently (fold, a microsecond, a zone) fingerprint differently; the same text alike."""
        a = datetime(2024, 10, 27, 2, 30, tzinfo=ZoneInfo("Europe/Paris"))  # the hour the clocks repeat
        variants = [a, a.replace(fold=1), a + timedelta(microseconds=1),
                    a.replace(tzinfo=timezone(timedelta(hours=5)))]
        assert len({v.isoformat() for v in variants}) == len(variants)
        prints = {records.fingerprint("a.md", b"x", v, v) for v in variants}
        assert len(prints) == len(variants)
        again = datetime(2024, 10, 27, 2, 30, tzinfo=ZoneInfo("Europe/Paris"))
        assert records.fingerprint("a.md", b"x", again, again) in prints
