"""Preview server: build, serve the output folder on 127.0.0.1, rebuild when an input changes.

Change detection polls modification times (sources, templates, the config file) rather than
adding a file-watching dependency: a site has hundreds of files, not millions, and polling
works the same on every platform and file system (network shares and containers included).
The standard library's ThreadingHTTPServer serves the files with feed media types; it is a
preview server for one person, never a production one.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from feedpub import layout
from feedpub.config import Config
from feedpub.errors import FeedpubError, Problem
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

Snapshot = dict[str, tuple[int, int]]


@dataclass(frozen=True)
class Rebuild:
    """The outcome of one (re)build: its result, or the error that stopped it."""

    result: BuildResult | None
    error: FeedpubError | None
    changed: tuple[str, ...]  # inputs that triggered it (empty for the first build)


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
    """Return (mtime, size) of every input of a build: sources, templates, the config file."""
    files: list[Path] = []
    out = config.out.resolve()
    for folder, dirs, names in os.walk(config.source):
        # never watch our own output, or every build would trigger the next
        dirs[:] = [d for d in dirs if Path(folder, d).resolve() != out and not d.startswith(".")]
        files.extend(Path(folder, n) for n in names)
    files.extend(templating.template_files(config))
    if config.config_path is not None:
        files.append(config.config_path)
    stamps: Snapshot = {}
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue  # deleted between listing and stat: the next poll sees it gone
        stamps[str(f)] = (st.st_mtime_ns, st.st_size)
    return stamps


def _changes(old: Snapshot, new: Snapshot) -> tuple[str, ...]:
    return tuple(sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k)))


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder with feed media types, uncached, logging nowhere."""

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
    ) -> None:
        self.config = config
        self._clock = clock
        self._port = port
        self._reload = reload_config
        self._on_rebuild = on_rebuild or (lambda _r: None)
        self._skip_invalid = skip_invalid
        self._stamps: Snapshot = {}
        self._server: http.server.ThreadingHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

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
            result = build(config, now=self._clock(), skip_invalid=self._skip_invalid)
            outcome = Rebuild(result, None, changed)
        except FeedpubError as e:
            outcome = Rebuild(None, e, changed)  # keep serving the last good output
        self._on_rebuild(outcome)
        return outcome

    def start(self) -> Rebuild:
        """Build once (raising on failure), then serve config.out in a background thread."""
        self._stamps = snapshot(self.config)
        first = build(self.config, now=self._clock(), skip_invalid=self._skip_invalid)
        handler = functools.partial(_Handler, directory=str(self.config.out))
        try:
            self._server = http.server.ThreadingHTTPServer((HOST, self._port), handler)
        except OSError as e:
            message = f"cannot serve: {e.strerror or e} (try another --port, or --port 0)"
            raise FeedpubError([Problem(f"{HOST}:{self._port}", None, message)]) from None
        self._server.daemon_threads = True
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
        """Poll for changes every interval seconds until stop() (blocks; Ctrl-C ends it too)."""
        while not self._stop.wait(interval):
            self.poll()

    def watch_in_background(self, interval: float = 0.5) -> None:
        """Poll for changes in a background thread until stop()."""
        thread = threading.Thread(target=self.watch, args=(interval,), name="feedpub-watch", daemon=True)
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop serving and watching; return when the threads are done."""
        self._stop.set()
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
