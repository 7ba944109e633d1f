"""Find the files of a source folder that pages use but that are not documents: its assets.

Images, audio, video and downloads (PDF, ZIP, …) beside the documents are copied to the
output as they are, as Jekyll copies every file of a site and Hugo the files of a page
bundle: a file inside a page bundle (``post/index.md`` with ``post/diagram.svg``) goes
beside the bundle's page, wherever its URL puts it; any other keeps its path below the
source folder (``images/x.png`` → ``<base_url>images/x.png``, where ``image: /images/x.png``
points). Only these kinds of file, so that a site's configuration, scripts or notes never
end up published by accident. Hidden and ``_``-prefixed folders (except the generators'
content folders), ``node_modules`` and the output folder are never entered. Only regular
files are copied, and symbolic links only to files inside the folder walked
(:mod:`feedpub.places`): the rest is refused, each with why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from feedpub import places
from feedpub.sources.discover import CONTENT_FOLDERS, SUFFIXES

ASSET_SUFFIXES = frozenset("""
.png .jpg .jpeg .gif .webp .avif .svg .ico .bmp .tif .tiff .heic
.mp3 .m4a .ogg .oga .opus .wav .flac .mp4 .m4v .webm .ogv .mov .vtt .srt
.pdf .epub .zip .csv .ics
""".split())
BUNDLE_INDEXES = frozenset(("index.md", "index.markdown", "index.txt"))


@dataclass(frozen=True)
class Asset:
    """A file to copy: where it is on disk and below the source folder, and its stat for the key."""

    rel: str  # POSIX path below the folder it was found in
    path: str  # file system path
    size: int
    mtime_ns: int
    ctime_ns: int


def is_asset(name: str) -> bool:
    """Whether a file name is of a kind that is copied (by its suffix, in any case)."""
    dot = name.rfind(".")
    return dot > 0 and name[dot:].lower() in ASSET_SUFFIXES


def find(top: Path, what: str, *, out: Path | None = None,
         everything: bool = False) -> tuple[list[Asset], list[places.Refused]]:
    """Return the assets below top, sorted by path, and what was refused (what: the folder, for warnings).

    everything: every file that is not hidden, for static/.
    """
    found = []
    skip = _below(top, out)
    walk = places.Walk(top, what, (out,))
    for folder, prefix, dirs, files in walk:
        dirs[:] = _subfolders(dirs, prefix, skip, everything=everything)
        for name in files:
            if not (everything or is_asset(name)):
                continue
            _readable, st = walk.look(name)
            if st is not None:  # None: refused (noted), or nothing there to copy
                found.append(Asset(prefix + name, os.path.join(folder, name),
                                   st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    found.sort(key=lambda a: a.rel)
    return found, sorted(walk.refused, key=lambda r: r.rel)


def _below(top: Path, out: Path | None) -> str:
    """Return the POSIX path of out below top, or "" when out is not below it (nothing to skip)."""
    if out is None:
        return ""
    try:
        return out.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return ""


def _subfolders(dirs: list[str], prefix: str, skip: str, *, everything: bool) -> list[str]:
    """Return the folders of dirs to walk into, sorted: not skip, and unless everything, no _folder
    (but content folders like _posts) and no node_modules."""
    return sorted(d for d in dirs if (prefix + d) != skip and (
        everything or ((not d.startswith("_") or d in CONTENT_FOLDERS) and d != "node_modules")))


def bundle_folder(rel: str) -> str | None:
    """Return the folder (with "/") of the page bundle whose index document is rel, else None.

    A bundle's index is its folder's index.md (Hugo, Zola), or a document named as its folder
    (Eleventy writes blog/fourthpost/fourthpost.md at /blog/fourthpost/, its images beside it:
    eleventy-base-blog's own example).
    """
    folder, _, name = rel.rpartition("/")
    if not folder:
        return None
    if name in BUNDLE_INDEXES:
        return folder + "/"
    stem, dot, suffix = name.rpartition(".")
    named = dot and stem == folder[folder.rfind("/") + 1:] and "." + suffix.lower() in SUFFIXES
    return folder + "/" if named else None


def bundle_indexes(folder: str) -> tuple[str, ...]:
    """Return the names a document makes the folder (a path, any depth) a page bundle with (see bundle_folder)."""
    own = folder[folder.rfind("/") + 1:]
    return (*BUNDLE_INDEXES, *(own + s for s in SUFFIXES))

