"""The preview server: real HTTP on 127.0.0.1, feed media types, rebuilds on change."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest

from feedpub.commands.serve import Preview, Rebuild, content_type
from feedpub.config import Config, load_config
from feedpub.errors import FeedpubError
from tests.conftest import NOW

CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FEEDPARSER_ACCEPT = feedparser.http.ACCEPT_HEADER


def _get(url: str, accept: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310 - 127.0.0.1 only
        return r.status, r.headers["Content-Type"], r.read()


class TestContentType:
    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("atom.xml", "application/atom+xml"),
            ("categories/news/rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
            ("feed.css", "text/css; charset=utf-8"),
            ("feeds.opml", "text/x-opml"),
            ("index.html", "text/html; charset=utf-8"),
        ],
    )
    def test_media_types(self, path: str, expected: str) -> None:
        """Each output file gets the media type its format registers."""
        assert content_type(path) == expected

    def test_browsers_get_feeds_as_xml(self) -> None:
        """A browser navigation (Accept has text/html) gets Atom/RSS as application/xml, so its CSS applies."""
        assert content_type("atom.xml", CHROME_ACCEPT) == "application/xml; charset=utf-8"
        assert content_type("categories/x/rss.xml", CHROME_ACCEPT) == "application/xml; charset=utf-8"
        assert content_type("feed.json", CHROME_ACCEPT) == "application/feed+json"

    def test_feed_readers_get_feed_types(self) -> None:
        """feedparser's Accept header gets the registered feed media types."""
        assert content_type("atom.xml", FEEDPARSER_ACCEPT) == "application/atom+xml"
        assert content_type("rss.xml", FEEDPARSER_ACCEPT) == "application/rss+xml"


class TestPreview:
    def test_serves_every_feed_with_its_media_type(self, preview: Preview) -> None:
        """Atom, RSS and JSON feeds, the stylesheet and index.html come back 200 with the right Content-Type."""
        assert preview.url.startswith("http://127.0.0.1:")
        for path, media in [
            ("atom.xml", "application/atom+xml"),
            ("rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
            ("categories/events/atom.xml", "application/atom+xml"),
            ("feed.css", "text/css; charset=utf-8"),
            ("index.html", "text/html; charset=utf-8"),
        ]:
            status, ctype, _ = _get(preview.url + path)
            assert (status, ctype) == (200, media), path
        status, _, body = _get(preview.url)
        assert status == 200
        assert b"<h1>feedpub</h1>" in body

    def test_same_bytes_for_browsers_and_readers(self, preview: Preview) -> None:
        """Content negotiation changes only the Content-Type header, never the feed's bytes."""
        reader = _get(preview.url + "atom.xml", FEEDPARSER_ACCEPT)
        browser = _get(preview.url + "atom.xml", CHROME_ACCEPT)
        assert (reader[1], browser[1]) == ("application/atom+xml", "application/xml; charset=utf-8")
        assert reader[2] == browser[2]
        assert feedparser.parse(reader[2]).bozo == 0

    def test_missing_file_is_404(self, preview: Preview) -> None:
        """A path that is not in the output folder answers 404."""
        with pytest.raises(urllib.error.HTTPError) as e:
            _get(preview.url + "nope.xml")
        assert e.value.code == 404

    def test_source_change_rebuilds(self, preview: Preview, seeds: Path) -> None:
        """A new document appears in the served feed after poll() sees it."""
        assert preview.poll() is None  # nothing changed yet
        (seeds / "2024-05-01-fresh.md").write_text("---\ntitle: Fresh news\n---\nHello.\n")
        outcome = preview.poll()
        assert outcome is not None
        assert outcome.error is None
        assert any(c.endswith("2024-05-01-fresh.md") for c in outcome.changed)
        titles = [e.title for e in feedparser.parse(_get(preview.url + "atom.xml")[2]).entries]
        assert titles[0] == "Fresh news"

    def test_background_watch_rebuilds_template_change(
        self, seeds: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """Editing a user template while watching in the background changes the served page."""
        tpl = tmp_path / "tpl"
        tpl.mkdir()
        (tpl / "index.html.j2").write_text("<p>one</p>\n")
        seen: list[Rebuild] = []
        p = Preview(
            make_config(seeds, templates_dir=str(tpl)), clock=lambda: NOW, port=0, on_rebuild=seen.append
        )
        with p:
            p.watch_in_background(interval=0.05)
            assert _get(p.url + "index.html")[2] == b"<p>one</p>\n"
            (tpl / "index.html.j2").write_text("<p>two, longer</p>\n")
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _get(p.url + "index.html")[2] == b"<p>two, longer</p>\n"

    def test_rebuilds_never_fork(
        self, preview: Preview, seeds: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Rebuilds run while the server's threads are alive, so they stay in one process (no fork)."""
        import os

        forks: list[int] = []
        real_fork = os.fork

        def counting_fork() -> int:
            forks.append(1)
            return real_fork()

        monkeypatch.setattr(os, "fork", counting_fork)
        preview.config = replace(preview.config, workers=4)
        (seeds / "2024-05-02-fresh.md").write_text("---\ntitle: Fresh entry\n---\nBody.\n", encoding="utf-8")
        outcome = preview.poll()
        assert outcome is not None and outcome.error is None
        titles = [e.title for e in feedparser.parse(_get(preview.url + "atom.xml")[2]).entries]
        assert titles[0] == "Fresh entry"
        assert forks == []  # the new entry changes the digest: with 4 workers its CSS would be inlined in a child

    def test_broken_source_keeps_last_good_output(self, preview: Preview, seeds: Path) -> None:
        """A document with bad YAML reports an error on rebuild and the old feed stays served."""
        before = _get(preview.url + "atom.xml")[2]
        (seeds / "bad.md").write_text("---\ntitle: [unclosed\n---\nx\n")
        outcome = preview.poll()
        assert outcome is not None
        assert outcome.result is None
        assert outcome.error is not None
        assert str(outcome.error.problems[0]).startswith("bad.md:")
        assert _get(preview.url + "atom.xml")[2] == before

    def test_config_change_reloads_config(self, seeds: Path, tmp_path: Path) -> None:
        """Editing feedpub.toml while serving rebuilds with the new settings."""
        toml = tmp_path / "feedpub.toml"
        toml.write_text(f'source = "{seeds}"\nout = "dist"\ntitle = "Before"\n')

        def load() -> Config:
            return load_config(toml, cwd=tmp_path)

        with Preview(load(), clock=lambda: NOW, port=0, reload_config=load) as p:
            toml.write_text(f'source = "{seeds}"\nout = "dist"\ntitle = "After the edit"\n')
            outcome = p.poll()
            assert outcome is not None
            assert outcome.error is None
            assert b"<h1>After the edit</h1>" in _get(p.url)[2]

    def test_port_in_use_is_an_error(self, preview: Preview, seeds: Path, make_config) -> None:
        """Asking for a port that is taken raises a FeedpubError naming it, not an OSError."""
        port = int(preview.url.rsplit(":", 1)[1].strip("/"))
        with pytest.raises(FeedpubError, match=f"127.0.0.1:{port}: cannot serve"):
            Preview(make_config(seeds), clock=lambda: NOW, port=port).start()
