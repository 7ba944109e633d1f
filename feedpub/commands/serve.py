"""Preview server: build, serve the output folder on 127.0.0.1, rebuild when an input changes.

Change detection polls modification times (sources, templates, the config file) rather than
adding a file-watching dependency: a site has hundreds of files, not millions, and polling
works the same on every platform and file system (network shares and containers included).
The standard library's ThreadingHTTPServer serves the files with feed media types; it is a
preview server for one person, never a production one.

Live reload needs no browser extension: every HTML page is served with a small script
(injected into the response, never written to the output folder, which stays byte-identical
to ``feedpub build``) that listens to ``/_feedpub/events``, a Server-Sent Events stream
announcing each build's generation, and reloads the page when it differs from the one the
page was served in. While the last build failed, pages also get an overlay listing its
errors over the last good output. A held event stream costs one thread; ``stop`` wakes them
all, so shutting down never waits for a browser to hang up.
"""

from __future__ import annotations

import functools
import html
import http.server
import io
import os
import re
import sys
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from feedpub import layout, places
from feedpub.config import Config
from feedpub.errors import FeedpubError, Problem
from feedpub.outputs.digest import Request
from feedpub.pipeline import BuildResult, build
from feedpub.render import templating

HOST = "127.0.0.1"  # a preview is for this machine only
CONTENT_TYPES = {
    **{name: layout.MEDIA_TYPES[kind] for kind, name in layout.FEED_FILES.items()},
    ".css": "text/css; charset=utf-8",
    ".opml": "text/x-opml",
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".eml": "message/rfc822",
}

BROWSER_FEED_TYPE = "application/xml; charset=utf-8"
_STYLED_FEEDS = frozenset(layout.FEED_FILES[kind] for kind in ("atom", "rss"))

Snapshot = dict[str, tuple[int, int, int]]  # path: (mtime_ns, ctime_ns, size)

# Paths of the live-reload machinery. They are answered before the output folder is looked
# at, so they need a prefix no output file has (feedpub writes no name starting with "_").
EVENTS_PATH = "/_feedpub/events"
VERSION_PATH = "/_feedpub/version"
# A held event stream writes a comment this often, so a closed tab's connection fails on
# write and its thread ends instead of waiting forever.
KEEPALIVE_SECONDS = 15.0
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Rebuild:
    """The outcome of one (re)build: its result, or the error that stopped it."""

    result: BuildResult | None
    error: FeedpubError | None
    changed: tuple[str, ...]  # inputs that triggered it (empty for the first build)


@dataclass(frozen=True)
class Status:
    """What browsers are told: which build they should show, and what stopped the last one."""

    generation: int  # 0 for the first build, one more for every rebuild, failed or not
    problems: tuple[Problem, ...] = ()  # empty when the last build succeeded


class Broadcast:
    """The current Status, published by the watcher and awaited by the event streams."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._status = Status(0)
        self._closed = False

    @property
    def status(self) -> Status:
        """Return the current status."""
        return self._status  # replaced whole, never mutated: reading it needs no lock

    def publish(self, problems: tuple[Problem, ...]) -> Status:
        """Announce a new build (with the problems that stopped it, if any); return its status."""
        with self._changed:
            self._status = Status(self._status.generation + 1, problems)
            self._changed.notify_all()
            return self._status

    def wait(self, after: int | None, timeout: float) -> Status | None:
        """Return the status once its generation is not `after` (or timeout passed); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._status.generation != after, timeout)
            return None if self._closed else self._status

    def close(self) -> None:
        """Wake every waiting stream and tell it to end (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


# The page compares each announced generation with the one it was served in, so a rebuild
# that lands between serving the page and opening the stream still reloads it. No user text
# ever goes into the script; the overlay's text is HTML-escaped.
_RELOAD_SCRIPT = """<script>
(function () {{
  "use strict";
  // Added by feedpub serve (not in the output folder): reload when a new build is ready.
  if (!window.EventSource) return;
  var events = new EventSource("{events}");
  events.addEventListener("build", function (event) {{
    if (event.data !== "{generation}") {{ events.close(); location.reload(); }}
  }});
}}());
</script>
"""

_OVERLAY_STYLE = (
    "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;max-height:50vh;"
    "overflow:auto;margin:0;padding:1rem;border:2px solid #b00020;border-radius:6px;"
    "background:#fff4f4;color:#4a0010;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;"
    "text-align:left;box-shadow:0 4px 16px rgb(0 0 0/30%)"
)
_ITEM_STYLE = "white-space:pre-wrap;overflow-wrap:anywhere"  # a message may quote a long line


def overlay(problems: tuple[Problem, ...]) -> str:
    """Return the HTML of the box listing a failed build's problems, each as file:line: message."""
    items = "".join(f'<li style="{_ITEM_STYLE}">{html.escape(str(p))}</li>\n' for p in problems)
    return (
        f'<div id="feedpub-build-errors" role="alert" lang="en" dir="ltr" style="{_OVERLAY_STYLE}">\n'
        '<p style="margin:0 0 .5em;font-weight:bold">The build failed; this is the last good build. '
        "Fix these and save:</p>\n"
        f'<ul style="margin:0;padding-left:1.5em">\n{items}</ul>\n</div>\n'
    )


def inject(page: bytes, status: Status) -> bytes:
    """Return an HTML page with the reload script, and the error overlay if the last build failed.

    They go before the last ``</body>`` (any case), or at the end of a page without one (a
    template may make a fragment); the page's own bytes are otherwise left as they are.
    """
    added = (overlay(status.problems) if status.problems else "") + _RELOAD_SCRIPT.format(
        events=EVENTS_PATH, generation=status.generation
    )
    ends = list(_BODY_END.finditer(page))
    at = ends[-1].start() if ends else len(page)
    return page[:at] + added.encode("utf-8") + page[at:]


def content_type(path: str, accept: str = "") -> str:
    """Return the media type to serve a file of the output folder with, given the Accept header.

    Chromium shows application/atom+xml and application/rss+xml as plain text and never
    applies their stylesheet, so a browser navigating to a feed (it accepts text/html;
    feed readers do not ask for it) gets the same bytes as application/xml.
    """
    name = path.rsplit("/", 1)[-1]
    if name in _STYLED_FEEDS and "text/html" in accept:
        return BROWSER_FEED_TYPE
    if name in CONTENT_TYPES:
        return CONTENT_TYPES[name]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return CONTENT_TYPES.get(suffix, "application/octet-stream")


def snapshot(config: Config) -> Snapshot:
    """Return (mtime, size) of every input of a build: sources, static files, templates, the config file.

    The source and static folders are walked as a build walks them (:mod:`feedpub.places`):
    never the output folder, or every build would trigger the next; what a build may not read
    is not watched either (the build warns about it).
    """
    stamps: Snapshot = {}
    for top, what in ((config.source, "the source folder"), (config.static_dir, "static_dir")):
        if top is None:
            continue
        walk = places.Walk(top, what, (config.out,))
        for folder, _prefix, _dirs, names in walk:
            for name in names:
                _readable, st = walk.look(name)  # None: not readable, or gone between listing and stat
                if st is not None:
                    stamps[os.path.join(folder, name)] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    files = templating.template_files(config)
    if config.config_path is not None:
        files.append(config.config_path)
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue  # deleted between listing and stat: the next poll sees it gone
        stamps[str(f)] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    return stamps


def _changes(old: Snapshot, new: Snapshot) -> tuple[str, ...]:
    return tuple(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))


def settled(built: Snapshot, pending: Snapshot | None, current: Snapshot) -> bool:
    """True when the inputs differ from the last build's and look the same as one interval ago."""
    return current != built and current == pending


NAME_MAX = 255  # the longest file name (in UTF-8 bytes) the file systems feedpub writes to allow
PATH_MAX = 1024  # a longer request path is none the output folder has (its own path comes on top)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unmappable(target: str) -> int:
    """Return 400 or 404 for a request target that names no file of the output folder, else 0.

    400: a segment that is '.' or '..', or whose decoding holds a slash, a backslash or a
    control character (NUL included): no file of the output has such a name, and mapping it
    would ask the file system something else than the client did. 404: a name or path longer
    than a file system keeps (it would otherwise fail deep in the server, with no answer).
    """
    route = urllib.parse.urlsplit(target).path
    if len(route) > PATH_MAX:
        return 404
    for segment in route.split("/")[1:]:
        name = urllib.parse.unquote(segment, errors="surrogateescape")
        if name in (".", "..") or "/" in name or "\\" in name or _CONTROL.search(name):
            return 400
        if len(name.encode("utf-8", "surrogateescape")) > NAME_MAX:
            return 404
    return 0


class _Server(http.server.ThreadingHTTPServer):
    """A thread per request; a listen backlog that holds a browser's burst (socketserver's default is 5)."""

    request_queue_size = 128
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Say nothing when a client hung up (a reload, a closed tab); report anything else as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder with feed media types, uncached, logging nowhere; HTML gets the reload script."""

    def __init__(self, *args: Any, broadcast: Broadcast, **kwargs: Any) -> None:
        self.broadcast = broadcast  # before super().__init__, which handles the request
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        route = urllib.parse.urlsplit(self.path).path
        if route == EVENTS_PATH:
            self._stream_events()
        elif route == VERSION_PATH:
            self._send_bytes(str(self.broadcast.status.generation).encode(), "text/plain; charset=utf-8")
        else:
            super().do_GET()

    def send_head(self) -> Any:
        status = unmappable(self.path)
        if status:
            self.send_error(status)
            return None
        try:
            page = self._html_file()
        except (OSError, ValueError):  # whatever else the file system refuses to look up
            self.send_error(404)
            return None
        if page is None:
            return super().send_head()  # files, redirects, listings and 404s as usual
        try:
            body = inject(page.read_bytes(), self.broadcast.status)
        except OSError:
            return super().send_head()  # replaced by a rebuild meanwhile: let it answer
        return self._send_head_bytes(body, content_type(str(page)))

    def _html_file(self) -> Path | None:
        """Return the HTML file the request is for (index.html for a folder), or None."""
        route = urllib.parse.urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not route.endswith("/"):
                return None  # the parent class redirects to the slashed URL
            path = path / "index.html"
        elif route.endswith("/"):
            return None  # a file asked for as a folder: the parent class answers 404
        if not path.is_file() or not content_type(str(path)).startswith("text/html"):
            return None
        return path

    def _send_head_bytes(self, body: bytes, media_type: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)

    def _send_bytes(self, body: bytes, media_type: str) -> None:
        self._send_head_bytes(body, media_type)
        self.wfile.write(body)

    def _stream_events(self) -> None:
        """Send a `build` event with the current generation, then one per rebuild, until stop()."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        sent: int | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")  # reconnect within a second after a restart
            while (status := self.broadcast.wait(sent, KEEPALIVE_SECONDS)) is not None:
                if status.generation == sent:
                    self.wfile.write(b": keepalive\n\n")
                else:
                    self.wfile.write(f"event: build\ndata: {status.generation}\n\n".encode())
                    sent = status.generation
                self.wfile.flush()
        except ConnectionError:
            pass  # the tab was closed or reloaded

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return content_type(str(path), self.headers.get("Accept", ""))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a rebuilt file must show on reload
        self.send_header("Vary", "Accept")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Preview:
    """A build served on 127.0.0.1 that rebuilds itself when its inputs change."""

    def __init__(
        self,
        config: Config,
        *,
        clock: Callable[[], datetime],
        port: int = 8000,
        reload_config: Callable[[], Config] | None = None,
        on_rebuild: Callable[[Rebuild], None] | None = None,
        skip_invalid: bool = False,
        digest_request: Request | None = None,
    ) -> None:
        """digest_request: the digest each build makes (None: the last complete week's, as `build`)."""
        self.config = config
        self._digest = digest_request
        self._clock = clock
        self._port = port
        self._reload = reload_config
        self._on_rebuild = on_rebuild or (lambda _r: None)
        self._skip_invalid = skip_invalid
        self._stamps: Snapshot = {}
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()
        self._broadcast = Broadcast()

    @property
    def status(self) -> Status:
        """Return what browsers are told: the build generation and the last build's problems."""
        return self._broadcast.status

    @property
    def url(self) -> str:
        """Return the address the preview is served at."""
        if self._server is None:
            raise RuntimeError("Preview.url needs start() first")
        return f"http://{HOST}:{self._server.server_address[1]}/"

    def _build(self, changed: tuple[str, ...]) -> Rebuild:
        try:
            if self._reload is not None and self.config.config_path is not None and \
                    str(self.config.config_path) in changed:
                self.config = self._reload()
            # One process: the server's threads are running now, and forking a process with
            # other threads alive can leave the child waiting forever on a lock one of them
            # held. The output is the same with any number of workers.
            config = replace(self.config, workers=1)
            result = build(config, now=self._clock(), skip_invalid=self._skip_invalid, digest_request=self._digest)
            outcome = Rebuild(result, None, changed)
        except FeedpubError as e:
            outcome = Rebuild(None, e, changed)  # keep serving the last good output
        # after the build is in place, so a page reloaded on this news shows it
        self._broadcast.publish(outcome.error.problems if outcome.error is not None else ())
        self._on_rebuild(outcome)
        return outcome

    def start(self) -> Rebuild:
        """Build once (raising on failure), then serve config.out in a background thread."""
        self._stamps = snapshot(self.config)
        first = build(self.config, now=self._clock(), skip_invalid=self._skip_invalid, digest_request=self._digest)
        handler = functools.partial(_Handler, directory=str(self.config.out), broadcast=self._broadcast)
        try:
            self._server = _Server((HOST, self._port), handler)
        except OSError as e:
            message = f"cannot serve: {e.strerror or e} (try another --port, or --port 0)"
            raise FeedpubError([Problem(f"{HOST}:{self._port}", None, message)]) from None
        thread = threading.Thread(target=self._server.serve_forever, name="feedpub-serve", daemon=True)
        thread.start()
        self._threads.append(thread)
        return Rebuild(first, None, ())

    def poll(self) -> Rebuild | None:
        """Rebuild if any input changed since the last look; return what happened, or None."""
        current = snapshot(self.config)
        changed = _changes(self._stamps, current)
        self._stamps = current
        return self._build(changed) if changed else None

    def watch(self, interval: float = 0.5) -> None:
        """Look for changes every interval seconds until stop() (blocks; Ctrl-C ends it too); rebuild once they settle.

        An editor saves in steps (truncate, write, rename, touch), and a copy of many files takes
        a while: building on the first look that differs would build a half-written file and
        reload the reader's page twice. So a change is built only when two looks in a row agree.
        """
        pending: Snapshot | None = None
        while not self._stop.wait(interval):
            current = snapshot(self.config)
            if settled(self._stamps, pending, current):
                changed = _changes(self._stamps, current)
                self._stamps = current
                self._build(changed)
            pending = None if current == self._stamps else current

    def watch_in_background(self, interval: float = 0.5) -> None:
        """Poll for changes in a background thread until stop()."""
        thread = threading.Thread(target=self.watch, args=(interval,), name="feedpub-watch", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop serving and watching; return when the threads are done (open event streams end at once)."""
        self._stop.set()
        self._broadcast.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def __enter__(self) -> Preview:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
