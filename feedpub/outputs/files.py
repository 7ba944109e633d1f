"""Output kind ``files``: the site's own files, copied as they are.

The ``static_dir`` folder is copied verbatim (a logo, ``about.html``, ``robots.txt``
survive every build), then the assets of the source folder (images and downloads beside the
documents, see :mod:`feedpub.sources.assets`): a page bundle's files beside its page, the
others at their path. A file is never copied over a file the build makes (the site's pages
and feeds win), and a file of the static folder wins over an asset of the source at the same
path (the user placed it there to override). Two assets of the source that would land at one
path (a bundle's ``img.png`` and a plain file where the bundle's page goes): the first found
is copied, the other named in a warning.

One job per file, keyed by where it comes from and its size and modification time: an
unchanged file is neither read nor rewritten. A file that may not be read (a symbolic link
leading out of its folder, a FIFO; see :mod:`feedpub.places`) is not copied: the build warns.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from feedpub import layout, places
from feedpub.config import Config
from feedpub.model import Output, Rendered
from feedpub.outputs.protocol import ALL, Build, File, Given, Inputs, Job, Made
from feedpub.sources import assets


def local_files(config: Config,
                documents: Iterable[tuple[str, str]]) -> tuple[dict[str, assets.Asset], list[places.Refused]]:
    """Return every file to copy by its output path, and warnings for those not read.

    documents: each published (rel, url), for bundles. The static folder first, then the
    source folder's assets: a page bundle's go below its page's folder, the rest keep their
    path. The files of a bundle whose document is not published (a draft, one dated later,
    one left out) are not copied, lest a draft's pictures go out before it; a published
    document that links one links a file the site does not have, which check says
    (missing-file). Nothing is read to decide: a rebuild of a large archive reads no document.
    """
    found: dict[str, assets.Asset] = {}
    refused: list[places.Refused] = []
    if config.static_dir is not None:
        copied, skipped = assets.find(config.static_dir, "static_dir", out=config.out, everything=True)
        refused += skipped
        for a in copied:
            found[a.rel] = a
    documents = list(documents)
    bundles = _bundles(config, documents) if config.pages else {}
    copied, skipped = assets.find(config.source, "the source folder", out=config.out)
    refused += skipped
    static = set(found)
    unpublished = _Unpublished(config, {assets.bundle_folder(rel) for rel, _url in documents})
    for a in copied:
        if unpublished.hides(a.rel):
            continue
        target = _target(a.rel, bundles)
        first = found.setdefault(target, a)  # static/ first: a file the user placed there wins
        if first is not a and target not in static:
            refused.append(places.Refused(a.rel, f"not copied: it would go to {target}, where {first.rel} is copied"))
    return found, refused


class _Unpublished:
    """Which files of the source folder belong to a page bundle whose document is not published."""

    def __init__(self, config: Config, published: Collection[str | None]) -> None:
        self.source = os.fspath(config.source)
        self.published = published  # the folders of the published bundles, "x/"
        self.owners: dict[str, bool] = {}  # folder "x/" -> whether it holds a bundle's index document

    def hides(self, rel: str) -> bool:
        """Whether rel is not copied: the innermost bundle it is in is not published."""
        owner = self._owner(rel)
        return owner is not None and owner not in self.published

    def _owner(self, rel: str) -> str | None:
        """Return the innermost folder above rel that holds a page bundle's index document (on disk), or None."""
        folder = rel
        while "/" in folder:
            folder = folder.rsplit("/", 1)[0]
            holds = self.owners.get(folder)
            if holds is None:
                holds = self.owners[folder] = any(
                    os.path.isfile(os.path.join(self.source, folder, name)) for name in assets.bundle_indexes(folder))
            if holds:
                return folder + "/"
        return None


def _bundles(config: Config, documents: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the folder of each page bundle among documents ((rel, url) each) and its page's output folder."""
    bundles: dict[str, str] = {}
    for rel, url in documents:
        folder = assets.bundle_folder(rel)
        page = layout.page_path(url, config) if folder is not None else None
        if folder is not None and page is not None:
            bundles[folder] = page.rsplit("/", 1)[0] + "/" if "/" in page else ""
    return bundles


def _target(rel: str, bundles: Mapping[str, str]) -> str:
    """Return the output path of the source folder's asset rel: below its page's folder when a bundle owns it."""
    for folder, page_folder in _owners(rel, bundles):
        return page_folder + rel[len(folder):]
    return rel


def _owners(rel: str, bundles: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    """Yield the (bundle folder, page folder) that holds rel, innermost first."""
    folder = rel
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        page = bundles.get(folder + "/")
        if page is not None:
            yield folder + "/", page


@dataclass(frozen=True)
class Copy:
    """A file to copy as it is: the file, with the size and mtime it had when the build found it."""

    source: File


class _Files:
    """The kind: one job per copied file."""

    name = "files"
    after = ALL  # a file is never copied where an output of the build goes

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:
        """Return a job per file to copy that no planned output of the build has the path of."""
        made = {p for j in planned for p in j.paths}
        found, refused = local_files(build.config, ((r.rel, r.url) for r in build.chosen.published))
        build.notes.extend(map(str, refused))
        jobs: list[Job[Any]] = []
        for path, a in sorted(found.items()):
            if path not in made:
                source = File(a.path, a.size, a.mtime_ns, a.ctime_ns)
                jobs.append(Job(self.name, (path,), Copy(source), Inputs(files=(source,))))
        return jobs

    def make(self, job: Job[Copy], given: Given, rendered: Mapping[str, Rendered]) -> Made:  # noqa: ARG002 - the Kind protocol
        """Copy one file (read now: a file changed since planning is copied as it is now)."""
        fd, _stat = places.open_regular(job.plan.source.path)
        with open(fd, "rb") as f:
            return Made((Output(job.paths[0], f.read()),))


KIND = _Files()
