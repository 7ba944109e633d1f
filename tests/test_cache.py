"""The build cache: unchanged documents reused, every change seen, damage never trusted."""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest

from feedpub import records
from feedpub.config import OPTIONS, Config, load_config, value_of
from feedpub.errors import SourceError
from feedpub.incremental import cache, catalogue, gather
from feedpub.outputs import atom_rss
from feedpub.pipeline import build, entries, read_entries
from feedpub.render import content, inline
from tests.conftest import ROOT, output_tree, write_corpus, write_doc
from tests.test_config import example_of

# The Monday after the corpus's last week (its 12 documents run 1 to 12 January 2024): every
# build here makes that week's digest, so the cached and fresh outputs compared include it.
NOW = datetime(2024, 1, 15, 12, tzinfo=UTC)


def _titles(config: Config) -> set[str]:
    """Entry titles as a reader shows them (titles with '<' are declared as escaped HTML)."""
    entries = feedparser.parse((config.out / "atom.xml").read_bytes()).entries
    return {html.unescape(e.title) if e.title_detail.type == "text/html" else e.title for e in entries}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    source = tmp_path / "corpus"
    write_corpus(source, 12)
    return source


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Record which documents are normalised and rendered (the real functions still run)."""
    seen: dict[str, list[str]] = {"normalise": [], "render": []}
    real_normalise, real_render = gather.normalise, content.render

    def normalise(doc, config, context=None, **options):  # type: ignore[no-untyped-def]
        seen["normalise"].append(doc.rel)
        return real_normalise(doc, config, context, **options)

    def rendered(entry, config, doc=None):  # type: ignore[no-untyped-def]
        seen["render"].append(entry.rel)
        return real_render(entry, config, doc)

    monkeypatch.setattr(gather, "normalise", normalise)
    monkeypatch.setattr(content, "render", rendered)
    return seen


def _rels(corpus: Path) -> set[str]:
    """Return the path of every document of a corpus, as the build names them."""
    return {p.relative_to(corpus).as_posix() for p in corpus.rglob("*") if p.is_file()}


def _records(config: Config) -> dict[str, records.Record]:
    """Return the catalogue the build cache holds for config."""
    with cache.opened(config) as store:
        return store.catalogue()


def _fresh(config: Config, tmp_path: Path, name: str) -> dict[str, bytes]:
    """Build the same source without a cache and return its files."""
    plain = replace(config, cache=False, out=tmp_path / name)
    build(plain, now=NOW)
    return output_tree(plain.out)


class TestOnePass:
    """A cold build reads, normalises and renders each document once: its pages and feeds use what the catalogue's pass made."""

    def test_cold_build_reads_each_document_once(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    ) -> None:
        """Every document is read from disk, normalised and rendered exactly once; the output equals a build without the spill."""
        from feedpub.sources import load

        opened: list[str] = []
        real_read_bytes = load.read_bytes

        def read_bytes(name, rel, *args):  # type: ignore[no-untyped-def]
            opened.append(rel)  # every document read goes through here (load.read too)
            return real_read_bytes(name, rel, *args)

        monkeypatch.setattr(load, "read_bytes", read_bytes)
        config = make_config(corpus, workers=1)
        build(config, now=NOW)
        rels = sorted(_rels(corpus))
        assert sorted(opened) == rels
        assert sorted(calls["normalise"]) == rels
        assert sorted(calls["render"]) == rels
        # the same bytes as a build without the spill, which reads every shown document again
        from feedpub.incremental import spill

        monkeypatch.setattr(spill, "opened", lambda *_args: contextlib.nullcontext(spill.DISABLED))
        again = replace(config, out=tmp_path / "again", cache=False)
        build(again, now=NOW)
        assert output_tree(again.out) == output_tree(config.out)

    def test_without_pages_only_shown_bodies_are_rendered(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]]
    ) -> None:
        """With pages off, no body is rendered while reading: only the entries the feeds and digest show."""
        config = make_config(corpus, workers=1, pages=False, feed_limit=3)
        result = build(config, now=NOW)
        assert 0 < len(calls["render"]) < len(_rels(corpus))
        assert len(result.published) == len(_rels(corpus))

    def test_spill_is_removed_whatever_happens(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """The spill folder lives in the cache folder while the build runs and is gone after it, failed or not."""
        config = make_config(corpus, workers=1, cache_dir=str(tmp_path / "caches"))
        build(config, now=NOW)
        assert not list((tmp_path / "caches").glob("spill-*"))
        write_doc(corpus, "bad.md", "---\ntitle: Bad\ndate: not a date\n---\nx\n")
        shutil.rmtree(config.out)
        shutil.rmtree(tmp_path / "caches")  # cold again: the spill is used
        with pytest.raises(SourceError):
            build(config, now=NOW)
        assert not list((tmp_path / "caches").glob("spill-*"))

    def test_spill_of_a_killed_build_is_removed_by_the_next(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A spill folder left by a killed build of this host goes; a live build's and another host's stay."""
        import socket

        caches = tmp_path / "caches"
        config = make_config(corpus, workers=1, cache_dir=str(caches))
        build(config, now=NOW)  # makes the cache folder
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
        host = socket.gethostname()
        killed = caches / f"spill-{host}-{int(gone.stdout)}-abc"
        running = caches / f"spill-{host}-{os.getppid()}-def"
        elsewhere = caches / f"spill-other-host-{int(gone.stdout)}-ghi"
        for folder in (killed, running, elsewhere):
            folder.mkdir()
            (folder / "1.bin").write_bytes(b"x")
        shutil.rmtree(config.out)
        for shard in caches.glob("*/cache.sqlite*"):
            shard.unlink()  # cold again: the spill is opened
        build(config, now=NOW)
        assert sorted(p.name for p in caches.glob("spill-*")) == sorted([running.name, elsewhere.name])


class TestCacheHits:
    def test_unchanged_documents_come_from_the_cache(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]]
    ) -> None:
        """A second build normalises and renders nothing and keeps the output untouched."""
        config = make_config(corpus)
        build(config, now=NOW)
        assert set(calls["normalise"]) == _rels(corpus)
        assert cache.cache_path(config).is_file()
        calls["normalise"].clear()
        calls["render"].clear()
        result = build(config, now=NOW)
        assert calls == {"normalise": [], "render": []}
        assert not result.report.changed

    def test_an_image_edited_with_its_mtime_put_back_is_copied_again(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """A copied file whose bytes change but not its size or mtime (put back) is copied again: its ctime moved."""
        source = tmp_path / "site"
        write_doc(source, "p.md", "---\ntitle: Post\ndate: 2024-01-01\nimage: /images/pic.png\n---\nBody.\n")
        (source / "images").mkdir()
        pic = source / "images/pic.png"
        pic.write_bytes(b"\x89PNG" + b"a" * 100)
        config = make_config(source)
        build(config, now=NOW)
        st = pic.stat()
        pic.write_bytes(b"\x89PNG" + b"b" * 100)
        os.utime(pic, ns=(st.st_atime_ns, st.st_mtime_ns))
        build(config, now=NOW)
        assert (config.out / "images/pic.png").read_bytes() == pic.read_bytes()
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_a_bundle_going_from_draft_to_published_and_back_copies_and_removes_its_files(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """A cached rebuild copies a bundle's files when its document is published and removes them when it is a
        draft again (a published document linking one changes nothing), as a fresh build does at each step."""
        source = tmp_path / "site"
        index = write_doc(source, "news/shots/index.md", "---\ntitle: Shots\ndate: 2024-01-02\ndraft: true\n---\nText.\n")
        (source / "news/shots/shot.png").write_bytes(b"\x89PNG" + b"a" * 10)
        other = write_doc(source, "news/other.md", "---\ntitle: Other\ndate: 2024-01-01\n---\nText.\n")
        config = make_config(source)
        steps = [
            ("draft", None, set()),
            ("published", None, {"news/shots/shot.png"}),
            ("draft", None, set()),
            ("draft", "![s](/news/shots/shot.png)", set()),
            ("draft", "No picture.", set()),
        ]
        for i, (status, other_body, pngs) in enumerate(steps):
            index.write_text(index.read_text().replace("draft: true" if status == "published" else "draft: false",
                                                       f"draft: {'false' if status == 'published' else 'true'}"))
            if other_body is not None:
                other.write_text(f"---\ntitle: Other\ndate: 2024-01-01\n---\n{other_body}\n")
            build(config, now=NOW)
            tree = output_tree(config.out)
            assert {p for p in tree if p.endswith(".png")} == pngs, (i, status)
            assert tree == _fresh(config, tmp_path, f"fresh{i}"), (i, status)

    def test_a_translation_is_a_post_only_while_its_page_is_not_beside_it(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """news/p.fr.md is a post until news/p.md appears (then Hugo's translation of it: left out) and again once
        p.md is gone; a cached rebuild gives what a fresh build does at each step."""
        source = tmp_path / "site"
        write_doc(source, "news/p.fr.md", "---\ntitle: Traduit\ndate: 2024-01-02\n---\nTexte.\n")
        write_doc(source, "news/other.md", "---\ntitle: Other\ndate: 2024-01-01\n---\nText.\n")
        base = source / "news/p.md"
        config = make_config(source)
        for i, (there, titles) in enumerate([(False, {"Traduit", "Other"}), (True, {"Page", "Other"}),
                                             (False, {"Traduit", "Other"}), (True, {"Page", "Other"})]):
            if there:
                write_doc(source, "news/p.md", "---\ntitle: Page\ndate: 2024-01-03\n---\nText.\n")
            else:
                base.unlink(missing_ok=True)
            build(config, now=NOW)
            assert _titles(config) == titles, i
            assert output_tree(config.out) == _fresh(config, tmp_path, f"fresh{i}"), i

    def test_replaced_image_gives_its_new_length(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A local image replaced by a larger file (same path) gives its new length in every feed and archive page."""
        source = tmp_path / "site"
        for i in range(3):
            write_doc(source, f"p{i}.md", f"---\ntitle: Post {i}\ndate: 2024-01-0{i + 1}\n"
                      f"{'image: /images/pic.png' if i == 1 else ''}\n---\nBody {i}.\n")
        (source / "images").mkdir()
        (source / "images/pic.png").write_bytes(b"\x89PNG" + b"a" * 100)
        config = make_config(source, archive_page_size=1, feed_limit=3)
        build(config, now=NOW)
        assert 'length="104"' in (config.out / "rss.xml").read_text()
        (source / "images/pic.png").write_bytes(b"\x89PNG" + b"b" * 900)
        build(config, now=NOW)
        rss = (config.out / "rss.xml").read_text()
        assert 'length="904"' in rss and 'length="104"' not in rss
        feed = json.loads((config.out / "feed.json").read_text())
        assert [a["size_in_bytes"] for item in feed["items"] for a in item.get("attachments", [])] == [904]
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_unchanged_digest_is_not_inlined_again(
        self, corpus: Path, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A second build takes the digest's inlined HTML from the cache, byte for byte."""
        config = make_config(corpus)
        log = tmp_path / "inlined.log"  # a file, not a list: the inlining may run in a forked child
        log.write_text("")
        real_inline = inline.inline

        def counting(html: str, source: str = "digest template") -> str:
            with log.open("a") as f:
                f.write(source + "\n")
            return real_inline(html, source)

        def inlined() -> list[str]:
            return log.read_text().splitlines()

        monkeypatch.setattr(inline, "inline", counting)
        build(config, now=NOW)
        assert inlined() == ["digest.html.j2"]
        first = output_tree(config.out)
        log.write_text("")
        build(config, now=NOW)
        assert inlined() == []
        assert output_tree(config.out) == first == _fresh(config, tmp_path, "fresh")
        doc = corpus / "a0004.md"  # a change the digest shows is inlined afresh
        doc.write_text(doc.read_text().replace("Article 4 &", "Edited 4 &"))
        build(config, now=NOW)
        assert inlined() == ["digest.html.j2"]
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh2")

    def test_unchanged_feeds_are_not_serialised_again(
        self, corpus: Path, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        """A rebuild keeps the files of unchanged feeds and makes only the changed ones."""
        config = make_config(corpus)
        log = tmp_path / "atom_rss.log"  # a file, not a list: feeds may be made in a forked child
        log.write_text("")
        real = atom_rss.atom_and_rss

        def counting(spec: atom_rss.FeedSpec, config: Config) -> tuple[bytes, bytes]:
            with log.open("a") as f:
                f.write(spec.folder + "\n")
            return real(spec, config)

        def made() -> list[str]:
            return log.read_text().splitlines()

        monkeypatch.setattr(atom_rss, "atom_and_rss", counting)
        build(config, now=NOW)
        every = sorted(made())
        assert len(every) > 1
        log.write_text("")
        build(config, now=NOW + timedelta(days=1))  # a later 'now' alone changes no feed with entries
        assert made() == []
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")
        log.write_text("")
        doc = corpus / "a0004.md"
        doc.write_text(doc.read_text().replace("Article 4 &", "Edited 4 &"))
        build(config, now=NOW)
        assert "" in made() and len(made()) < len(every)  # the site feed and its category's only
        assert "Edited 4 & <friends>" in _titles(config)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh2")

    def test_edited_document_is_read_again(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """Editing one document renders only it, and the output shows the edit.

        The others are read again only as far as the outputs that show the edited one show
        them too; their bodies come from the cache.
        """
        config = make_config(corpus)
        build(config, now=NOW)
        calls["normalise"].clear()
        calls["render"].clear()
        doc = corpus / "a0004.md"
        doc.write_text(doc.read_text().replace("Article 4 &", "Edited 4 &"))
        build(config, now=NOW)
        assert calls["normalise"][0] == "a0004.md"  # the catalogue reads the changed document first
        assert calls["render"] == ["a0004.md"]
        assert "Edited 4 & <friends>" in _titles(config)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_edit_no_output_shows_reads_nothing_else(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """Without article pages, editing a document only an archive page shows reads it alone and renders nothing."""
        config = make_config(corpus, feed_limit=2, archive_page_size=2, pages=False)
        build(config, now=NOW)
        assert build(config, now=NOW).published[-2].rel == "policy/b0001.md"  # on archive page 1, in no feed
        calls["normalise"].clear()
        calls["render"].clear()
        before = output_tree(config.out)
        doc = corpus / "policy" / "b0001.md"
        doc.write_text(doc.read_text(encoding="utf-8").replace("Quoted: 1", "Quoted: one"), encoding="utf-8")
        result = build(config, now=NOW)
        assert calls["render"] == []
        assert calls["normalise"] == ["policy/b0001.md"]  # the page's other entry comes from its record
        # the archive page and the listings that show its summary (home page, its category's page)
        shown = {"archive/atom/1.xml", "index.html", "categories/policy/index.html"}
        assert set(result.report.written) == shown
        assert {p for p, data in output_tree(config.out).items() if before.get(p) != data} == shown
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_an_edit_remakes_its_page_and_what_shows_it(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """A body edit remakes the document's page (and the archive page listing it); a title edit also
        its neighbours' pages and the listings that show it. Nothing else is read, rendered or written."""
        config = make_config(corpus, feed_limit=2, archive_page_size=2, list_size=4)
        first = build(config, now=NOW)
        order = [r.rel for r in first.published]
        assert order.index("a0004.md") not in (0, 1, len(order) - 1)  # in no feed, with two neighbours
        doc = corpus / "a0004.md"
        page = "news/a0004/index.html"
        calls["render"].clear()
        doc.write_text(doc.read_text(encoding="utf-8").replace("Body *4*.", "Body *4*, edited."), encoding="utf-8")
        result = build(config, now=NOW)
        assert calls["render"] == ["a0004.md"]
        archive = {p for p in result.report.written if p.startswith("archive/")}
        assert set(result.report.written) == {page, *archive} and len(archive) <= 1  # the page holding it, if archived
        assert "edited" in (config.out / page).read_text()
        calls["render"].clear()
        doc.write_text(doc.read_text(encoding="utf-8").replace("title: Article 4", "title: Retitled 4"),
                       encoding="utf-8")
        result = build(config, now=NOW)
        i = order.index("a0004.md")
        neighbours = {p for p in result.report.written if p.endswith("/index.html") and "/" in p[:-11]
                      and not p.startswith(("categories/", "page/", "tags/"))} - {page}
        assert len(neighbours) == 2, result.report.written
        # the neighbours' bodies come from the build cache when a feed or the digest showed them
        assert "a0004.md" in calls["render"] and set(calls["render"]) <= {"a0004.md", order[i - 1], order[i + 1]}
        assert "index.html" in result.report.written or "page/2/index.html" in result.report.written
        assert "categories/news/index.html" in result.report.written or \
            any(p.startswith("categories/news/page/") for p in result.report.written)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_problems_keep_file_order_with_a_cache(
        self, corpus: Path, make_config: Callable[..., Config]
    ) -> None:
        """With a warm cache, the documents read again report their problems in file order."""
        config = make_config(corpus)
        build(config, now=NOW)
        for name in ("zz.md", "a0005.md", "policy/bad.md", "b.md"):
            write_doc(corpus, name, "---\ntitle: [unclosed\n---\nx\n")
        with pytest.raises(SourceError) as e:
            build(config, now=NOW)
        assert [p.path for p in e.value.problems] == ["a0005.md", "b.md", "policy/bad.md", "zz.md"]

    @pytest.mark.parametrize("workers", [1, 2])  # 2: the folder is walked and stat'ed by another process
    def test_output_file_changed_by_hand_is_made_again(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path, workers: int
    ) -> None:
        """A file of the output folder edited or deleted since the last build is made again, not trusted."""
        config = make_config(corpus, workers=workers)
        build(config, now=NOW)
        (config.out / "atom.xml").write_bytes(b"<broken/>")
        (config.out / "categories" / "news" / "rss.xml").unlink()
        result = build(config, now=NOW)
        assert set(result.report.written) == {"atom.xml", "categories/news/rss.xml"}
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_output_folder_removed_is_made_again(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """With the output folder gone but the cache kept, every output is made again, and right."""
        config = make_config(corpus)
        build(config, now=NOW)
        shutil.rmtree(config.out)
        build(config, now=NOW)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    @pytest.mark.parametrize("moved_ns", [1, 0], ids=["mtime-moved", "mtime-put-back"])
    def test_same_size_edit_is_seen(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], moved_ns: int
    ) -> None:
        """A same-size edit is seen whether its mtime moved by a nanosecond or was put back (touch -r, cp -p, an
        archive's fixed times): size, mtime and ctime are the row's stamp, and every write moves the ctime."""
        config = make_config(corpus)
        build(config, now=NOW)
        calls["normalise"].clear()
        doc = corpus / "a0008.md"
        st = doc.stat()
        doc.write_text(doc.read_text().replace("Article 8", "Artikel 8"))
        os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns + moved_ns))
        assert (doc.stat().st_size, doc.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns + moved_ns)
        build(config, now=NOW)
        assert calls["normalise"][0] == "a0008.md"  # then its neighbours, whose pages name it
        assert "Artikel 8 & <friends>" in _titles(config)
        assert output_tree(config.out) == _fresh(config, corpus.parent, f"fresh-{moved_ns}")

    def test_touched_document_keeps_its_rendered_body(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]]
    ) -> None:
        """A touched but unchanged file is re-read, but its body comes from the cache by content hash."""
        config = make_config(corpus)
        build(config, now=NOW)
        calls["render"].clear()
        calls["normalise"].clear()
        doc = corpus / "a0004.md"
        st = doc.stat()
        os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
        build(config, now=NOW)
        assert calls["normalise"] == ["a0004.md"]
        assert calls["render"] == []

    def test_renamed_document_moves(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A renamed document is published under its new path and forgotten under its old one."""
        config = make_config(corpus)
        build(config, now=NOW)
        (corpus / "c0002.txt").rename(corpus / "renamed.txt")
        build(config, now=NOW)
        links = {e.link for e in feedparser.parse((config.out / "atom.xml").read_bytes()).entries}
        assert "https://news.example.org/news/renamed/" in links
        assert "https://news.example.org/news/c0002/" not in links
        rels = set(_records(config))
        assert "renamed.txt" in rels
        assert "c0002.txt" not in rels
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_deleted_document_leaves(self, corpus: Path, make_config: Callable[..., Config]) -> None:
        """A deleted document leaves the feeds and the cache."""
        config = make_config(corpus)
        build(config, now=NOW)
        (corpus / "a0004.md").unlink()
        build(config, now=NOW)
        assert not any(t.startswith("Article 4 ") for t in _titles(config))
        assert "a0004.md" not in _records(config)
        assert len(_records(config)) == 11

    def test_config_change_rebuilds_affected_outputs(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """Changing the base URL re-reads every document and every link follows it."""
        build(make_config(corpus), now=NOW)
        calls["normalise"].clear()
        moved = make_config(corpus, base_url="https://elsewhere.example/")
        build(moved, now=NOW)
        assert set(calls["normalise"]) == _rels(corpus)
        links = [e.link for e in feedparser.parse((moved.out / "atom.xml").read_bytes()).entries]
        assert links
        assert all(link.startswith("https://elsewhere.example/") for link in links)
        assert output_tree(moved.out) == _fresh(moved, tmp_path, "fresh")
        with sqlite3.connect(cache.cache_path(moved)) as db:  # the old configuration's rows are gone
            for query in ("SELECT DISTINCT context FROM catalogue", "SELECT DISTINCT context FROM bodies"):
                assert db.execute(query).fetchall() == [(cache.context_key(moved),)]

    def test_template_change_invalidates_the_cache(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """Adding or editing a template in templates_dir makes every cached row miss."""
        templates = tmp_path / "templates"
        write_doc(templates, "digest.html.j2", "<p>{{ digest.subject }}</p>\n")
        config = make_config(corpus, templates_dir=str(templates))
        build(config, now=NOW)
        before = cache.context_key(config)
        write_doc(templates, "digest.html.j2", "<h1>{{ digest.subject }}</h1>\n")
        assert cache.context_key(config) != before
        calls["normalise"].clear()
        calls["render"].clear()
        build(config, now=NOW)
        assert set(calls["normalise"]) == _rels(corpus)
        assert calls["render"]

    def test_cache_can_be_turned_off(self, corpus: Path, make_config: Callable[..., Config]) -> None:
        """With cache = false no cache file is made."""
        config = make_config(corpus, cache=False)
        build(config, now=NOW)
        assert not cache.cache_path(config).parent.exists()


class TestCachePath:
    def test_a_build_writes_nothing_beside_its_documents(
        self, corpus: Path, make_config: Callable[..., Config], cache_home: Path
    ) -> None:
        """The cache lives under FEEDPUB_CACHE_DIR: the source folder holds only its documents afterwards."""
        before = sorted(p for p in corpus.rglob("*"))
        config = make_config(corpus)
        build(config, now=NOW)
        assert sorted(p for p in corpus.rglob("*")) == before
        assert cache.cache_path(config).is_relative_to(cache_home)
        assert cache.cache_path(config).is_file()

    def test_one_cache_per_source_and_output(self, corpus: Path, make_config: Callable[..., Config],
                                             tmp_path: Path) -> None:
        """Two output folders of one source have two caches; the same pair always the same one."""
        config = make_config(corpus)
        other = replace(config, out=tmp_path / "elsewhere")
        assert cache.cache_path(config) != cache.cache_path(other)
        assert cache.cache_path(config) == cache.cache_path(make_config(corpus))

    def test_cache_dir_wins_over_the_environment(self, corpus: Path, make_config: Callable[..., Config],
                                                 tmp_path: Path) -> None:
        """The cache_dir key is used before FEEDPUB_CACHE_DIR."""
        config = make_config(corpus, cache_dir=str(tmp_path / "mine"))
        build(config, now=NOW)
        assert cache.cache_path(config).parent.parent == tmp_path / "mine"
        assert cache.cache_path(config).is_file()

    def test_xdg_cache_home_then_home(self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
        """Without either, the cache is in $XDG_CACHE_HOME/feedpub, or ~/.cache/feedpub when that is unset or relative."""
        config = make_config(corpus)
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert cache.cache_root(config, {"XDG_CACHE_HOME": "/var/cache/u"}) == Path("/var/cache/u/feedpub")
        assert cache.cache_root(config, {"XDG_CACHE_HOME": "rel"}) == tmp_path / "home" / ".cache" / "feedpub"
        assert cache.cache_root(config, {}) == tmp_path / "home" / ".cache" / "feedpub"
        assert cache.cache_root(config, {"FEEDPUB_CACHE_DIR": str(tmp_path / "c")}) == tmp_path / "c"

    def test_no_usable_cache_folder_builds_without_a_cache(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A cache folder that cannot be made (a file is in the way) leaves the build right, without a cache."""
        (tmp_path / "blocked").write_text("a file, not a folder")
        config = make_config(corpus, cache_dir=str(tmp_path / "blocked"))
        build(config, now=NOW)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")


class TestCacheDamage:
    def test_garbage_cache_file_is_rebuilt(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A cache file that is not a database is replaced, and the output is right."""
        config = make_config(corpus)
        path = cache.cache_path(config)
        path.parent.mkdir(parents=True)
        path.write_bytes(b"this is not SQLite" * 100)
        result = build(config, now=NOW)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")
        assert [w for w in result.warnings if "build cache was damaged" in w] == [
            f"{path}: build cache was damaged (file is not a database); it was thrown away and rebuilt"
        ]
        assert build(config, now=NOW).warnings == ()  # the rebuilt cache is healthy
        assert len(_records(config)) == 12

    def test_cache_of_another_schema_is_replaced_without_a_warning(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """A cache written by an older feedpub (other tables) is replaced quietly: an upgrade is not damage."""
        config = make_config(corpus)
        build(config, now=NOW)
        with sqlite3.connect(cache.cache_path(config)) as db:
            db.execute("UPDATE meta SET value = '2' WHERE key = 'schema'")
        calls["normalise"].clear()
        result = build(config, now=NOW)
        assert result.warnings == ()
        assert set(calls["normalise"]) == _rels(corpus)  # nothing old was used
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")
        with sqlite3.connect(cache.cache_path(config)) as db:
            assert db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == (str(cache.SCHEMA),)

    def test_truncated_cache_file_is_rebuilt(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A cache file cut short (a crash, a full disk) is detected and rebuilt."""
        config = make_config(corpus)
        build(config, now=NOW)
        path = cache.cache_path(config)
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        for suffix in ("-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        build(config, now=NOW)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")
        build(config, now=NOW)  # and the rebuilt cache serves the next build
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh2")

    def test_tampered_catalogue_is_not_trusted(
        self, corpus: Path, make_config: Callable[..., Config], calls: dict[str, list[str]], tmp_path: Path
    ) -> None:
        """A catalogue shard that does not match its checksum throws the cache away: all is read again."""
        config = make_config(corpus)
        build(config, now=NOW)
        with sqlite3.connect(cache.cache_path(config)) as db:
            shard, data = db.execute("SELECT shard, data FROM catalogue ORDER BY length(data) DESC").fetchone()
            db.execute("UPDATE catalogue SET data = ? WHERE shard = ?", (data[:-1] + bytes([data[-1] ^ 1]), shard))  # one bit of it
        calls["normalise"].clear()
        result = build(config, now=NOW)
        assert any("a catalogue shard does not match its checksum" in w for w in result.warnings), result.warnings
        assert set(calls["normalise"]) == _rels(corpus)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")
        assert build(config, now=NOW).warnings == ()  # and the next build has a healthy cache

    def test_tampered_body_is_not_trusted(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A rendered body whose text does not match its checksum is not published."""
        config = make_config(corpus)
        build(config, now=NOW)
        with sqlite3.connect(cache.cache_path(config)) as db:
            assert db.execute("UPDATE bodies SET content = replace(content, 'Body', 'Forged')").rowcount
        shutil.rmtree(config.out)  # so that every feed is made again, from the bodies
        result = build(config, now=NOW)
        assert any("a body row does not match its checksum" in w for w in result.warnings), result.warnings
        assert b"Forged" not in b"".join(output_tree(config.out).values())
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_tampered_written_record_is_not_trusted(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A record of a written file that does not match its checksum is not trusted to keep that file."""
        config = make_config(corpus)
        build(config, now=NOW)
        (config.out / "atom.xml").write_bytes(b"<forged/>")
        st = (config.out / "atom.xml").stat()
        with sqlite3.connect(cache.cache_path(config)) as db:  # make the record claim the forged file
            (data,) = db.execute("SELECT data FROM written").fetchone()
            forms = cache._WRITTEN_FORMS
            paths, columns = catalogue.decode_table(data, forms)
            at = paths.index("atom.xml")
            for column, value in zip(columns[1:], (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino), strict=True):
                column[at] = value
            forged = catalogue.encode_table(paths, *zip(forms, columns, strict=True))
            db.execute("UPDATE written SET data = ?", (forged,))
        result = build(config, now=NOW)
        assert any("the record of written files does not match its checksum" in w for w in result.warnings)
        assert output_tree(config.out) == _fresh(config, tmp_path, "fresh")

    def test_records_survive_their_cached_form(
        self, corpus: Path, make_config: Callable[..., Config]
    ) -> None:
        """Every field of a catalogue record, time zones included, comes back from its columns equal."""
        config = make_config(corpus, timezone="Asia/Taipei")
        build(config, now=NOW)
        records = list(_records(config).values())
        assert len(records) == 12
        back = catalogue.decode(catalogue.encode(records))
        assert back == records
        assert [r.date.tzinfo for r in back] == [r.date.tzinfo for r in records]
        assert catalogue.decode(catalogue.encode([])) == []
        # a record is its entry's projection: made again from a fresh read, the same record
        again = [gather.record_or_problems(r.rel, str(config.source / r.rel), config) for r in records]
        assert again == records

    @pytest.mark.parametrize("cls", ["Image", "Author"])
    def test_text_only_values_decode_as_their_init_makes_them(self, cls: str) -> None:
        """An Image or Author from a JSON column equals (and hashes as) the one its __init__ makes; any other
        shape is refused: a field missing or extra, a field not text, not an object."""
        from feedpub import model

        kind = getattr(model, cls)
        names = [f.name for f in dataclasses.fields(kind)]
        plain = {name: f"{name} é" for name in names}
        made = catalogue._converter(kind)(dict(plain))
        assert type(made) is kind and made == kind(**plain) and hash(made) == hash(kind(**plain))
        assert made.__dict__ == kind(**plain).__dict__
        missing = dict(plain)
        del missing[names[-1]]
        for bad in (missing, {**plain, "extra": ""}, {**plain, names[0]: 1}, {**plain, names[0]: None},
                    list(plain.values()), None, "x"):
            with pytest.raises(ValueError, match=f"not a {cls}"):
                catalogue._converter(kind)(bad)

    def test_tables_survive_their_columns(self) -> None:
        """A table (the record of written files) comes back equal: any text, empty keys, inodes past 2**63, old mtimes."""
        texts = ["a/index.html", "nouvelles/été/index.html", "天文/index.html", "bad\udcff.html", ""]
        blobs = [b"\x00" * 16, b"", b"k" * 3, bytes(range(256)), b"\n"]
        columns = ((catalogue.BYTES, blobs), ("q", [0, 1, -(2**63), 2**63 - 1, 5]), ("Q", [0, 2**64 - 1, 2**63, 7, 8]))
        forms = [form for form, _values in columns]
        data = catalogue.encode_table(texts, *columns)
        assert catalogue.decode_table(data, forms) == (texts, [list(v) for _form, v in columns])
        assert catalogue.decode_table(catalogue.encode_table([]), "") == ([], [])
        assert catalogue.decode_table(catalogue.encode_table([], ("q", []), (catalogue.BYTES, [])),
                                      ["q", catalogue.BYTES]) == ([], [[], []])
        with pytest.raises(ValueError, match="differ in length"):
            catalogue.encode_table(["a"], (catalogue.BYTES, [b"k"]), ("q", [1, 2]))
        with pytest.raises(ValueError, match="NUL"):
            catalogue.encode_table(["a\0b"])  # a NUL would split the text column
        for cut in range(len(data)):  # cut short anywhere: refused, never other values
            with pytest.raises(ValueError, match="not a table"):
                catalogue.decode_table(data[:cut], forms)
        with pytest.raises(ValueError, match="not a table"):
            catalogue.decode_table(data + b"x", forms)
        with pytest.raises(ValueError, match="not a table"):
            catalogue.decode_table(data, [*forms, "q"])  # read as another table
        with pytest.raises(ValueError, match="not a table"):
            catalogue.decode_table(data, ["q", "q", "Q"])  # the bytes read as numbers: lengths differ
        joined = data.replace(b"a/index.html\0", b"a/index.html/")  # one text fewer, columns whole
        assert len(joined) == len(data)
        with pytest.raises(ValueError, match="not a table"):
            catalogue.decode_table(joined, forms)
        with pytest.raises(ValueError, match="not a table"):
            catalogue.decode_table(catalogue.encode([]), "")  # a catalogue

    def test_damaged_columns_are_refused(self, corpus: Path, make_config: Callable[..., Config]) -> None:
        """Columns cut short, padded or of the wrong form do not decode (ValueError), whatever the cut."""
        config = make_config(corpus)
        build(config, now=NOW)
        data = catalogue.encode(list(_records(config).values()))
        for cut in range(0, len(data), 97):
            with pytest.raises(ValueError, match="not a catalogue"):
                catalogue.decode(data[:cut])
        with pytest.raises(ValueError, match="not a catalogue"):
            catalogue.decode(data + b"x")
        # a JSON value damaged into two values of the same length (the column parses as one array)
        assert data.count(b'["x","y"]') == 1
        with pytest.raises(ValueError, match="not a catalogue"):
            catalogue.decode(data.replace(b'["x","y"]', b'["x"],[ ]'))

    def test_published_entries_are_read_only_when_asked(
        self, corpus: Path, make_config: Callable[..., Config]
    ) -> None:
        """A rebuild's result holds records; entries read on request equal a fresh read, settled as published."""
        config = make_config(corpus, timezone="Asia/Taipei", feed_limit=1)
        fresh, _ = read_entries(config)
        build(config, now=NOW)
        result = build(config, now=NOW)  # the cache is closed once build returns
        assert all(isinstance(r, records.Record) for r in result.published)
        by_rel = {e.rel: e for e in fresh}
        read = entries(result, config)
        assert [e.rel for e in read] == [r.rel for r in result.published]
        for e, r in zip(read, result.published, strict=True):
            want = by_rel[e.rel]
            assert (e.title, e.summary, e.tags, e.image, dict(e.lines)) == (
                want.title, want.summary, want.tags, want.image, dict(want.lines))
            assert (e.category, e.updated) == (r.category, result.chosen.updated(r))

    @pytest.mark.parametrize(
        "when",
        [
            datetime(2024, 11, 3, 1, 30, tzinfo=ZoneInfo("America/New_York"), fold=1),  # the second 01:30
            datetime(2024, 1, 5, 9, 0, 0, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
            datetime(2024, 1, 5, tzinfo=UTC),
            datetime(2024, 1, 5, 8, tzinfo=ZoneInfo("Asia/Taipei")),
        ],
    )
    def test_times_survive_their_cached_form(self, when: datetime) -> None:
        """A cached time comes back as the same instant, zone, offset and fold."""
        back = records.when_from(records.when_text(when))
        assert (back, back.utcoffset(), back.fold, back.isoformat()) == (
            when, when.utcoffset(), when.fold, when.isoformat())

    def test_one_edit_rewrites_one_catalogue_shard(
        self, corpus: Path, make_config: Callable[..., Config]
    ) -> None:
        """Editing a document rewrites only its own catalogue shard, and the next build trusts it."""
        config = make_config(corpus)
        build(config, now=NOW)
        with sqlite3.connect(cache.cache_path(config)) as db:  # log every shard write from now on
            db.executescript("CREATE TABLE shard_log (shard INTEGER);"
                             "CREATE TRIGGER log AFTER INSERT ON catalogue "
                             "BEGIN INSERT INTO shard_log VALUES (NEW.shard); END;")
            stored = db.execute("SELECT count(*) FROM catalogue").fetchone()[0]
        doc = corpus / "a0004.md"
        doc.write_text(doc.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
        build(config, now=NOW)
        with sqlite3.connect(cache.cache_path(config)) as db:
            assert db.execute("SELECT shard FROM shard_log").fetchall() == [(cache.shard_of("a0004.md"),)]
            assert db.execute("SELECT count(*) FROM catalogue").fetchone()[0] == stored > 1
        assert build(config, now=NOW).warnings == ()

    def test_a_locked_or_unreadable_cache_is_not_thrown_away(
        self, corpus: Path, make_config: Callable[..., Config]
    ) -> None:
        """An operational error (locked by another build, I/O) stops using the cache for this build, keeping it."""
        config = make_config(corpus)
        build(config, now=NOW)
        with cache.opened(config) as store:
            def locked(_conn: sqlite3.Connection) -> None:
                raise sqlite3.OperationalError("database is locked")

            assert store._guarded(locked) is None
            assert not store.enabled and store.warnings == ()
        assert len(_records(config)) == 12  # still there, whole

    def test_concurrent_builds_both_succeed(self, corpus: Path, tmp_path: Path) -> None:
        """Two builds of one source at the same time share the cache safely and agree."""
        env = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "feedpub",
                    "build",
                    "--source",
                    str(corpus),
                    "--out",
                    str(tmp_path / f"out{i}"),
                    "-q",
                ],
                env=env,
                stderr=subprocess.PIPE,
            )
            for i in range(2)
        ]
        for p in procs:
            _out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err.decode()
        assert output_tree(tmp_path / "out0") == output_tree(tmp_path / "out1")
        config = load_config(None, {"source": str(corpus), "out": str(tmp_path / "out0")})
        assert len(_records(config)) == 12


class TestContextKey:
    """The settings in the cache's context key are exactly the options declared to change output bytes."""

    @pytest.mark.parametrize("name", list(OPTIONS))
    def test_an_option_is_in_the_key_exactly_when_it_changes_output(self, name: str, tmp_path: Path) -> None:
        """Setting any option to its example changes the key if the option changes output, and only then."""
        config = Config(source=tmp_path / "src", out=tmp_path / "out")
        option = OPTIONS[name]
        value = tmp_path / example_of(option) if option.folder else option.validate(example_of(option))
        table, _, leaf = name.rpartition(".")
        changed = (replace(config, digest=replace(config.digest, **{leaf: value})) if table
                   else replace(config, **{leaf: value}))
        assert value_of(changed, name) != value_of(config, name)
        assert (cache.context_key(changed) != cache.context_key(config)) is option.output

    def test_where_the_settings_came_from_is_not_in_the_key(self, tmp_path: Path) -> None:
        """The config file's name and its key lines change no output, so they keep the key."""
        config = Config(source=tmp_path / "src", out=tmp_path / "out")
        moved = replace(config, config_path=tmp_path / "feedpub.toml", key_lines={"title": 3})
        assert cache.context_key(moved) == cache.context_key(config)


class TestLibraryVersions:
    def test_upgrading_a_library_changes_the_cache_context(self, corpus: Path, make_config: Callable[..., Config],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
        """A new feedgen (or any library whose output is cached) makes every cached row miss."""
        from importlib import metadata

        config = make_config(corpus)
        before = cache.context_key(config)
        real = metadata.version
        monkeypatch.setattr(metadata, "version", lambda d: "999.0" if d == "feedgen" else real(d))
        assert cache.context_key(config) != before
