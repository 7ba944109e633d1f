"""Find the documents of a source folder, and leave out what is not an article.

A site's content folder holds more than articles. Left out, each for a reason ``check -v``
shows: hidden files and folders; ``_``-prefixed ones except the generators' content folders
(Jekyll's ``_posts`` and ``_drafts``); ``README*``, ``LICENSE*``, ``CHANGELOG*`` and the like;
Hugo's section pages ``_index.md``; an ``index.md`` at the top (a home page, not a post); a
folder named like a document beside it (``post/`` beside ``post.md`` holds that post's files);
``node_modules``; the output folder when it lies inside the source; Hugo's translations by file
name (``index.zh-cn.md`` beside ``index.md``, ``about.fr.md`` beside ``about.md``: feedpub publishes
one language, and a name with a language code is a post when no page of that name is beside it,
as ``notes.old.md`` alone); and whatever the
``exclude`` setting's globs match (a glob without ``/`` matches a name at any depth, one with
``/`` the path below the source folder: ``/*.md`` the documents at the top, ``pages/**``
everything under pages/). What may be read at all (regular files; symbolic links only to
files inside the source folder) is :mod:`feedpub.places`'s: the rest is refused, each with why.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedpub import places

if TYPE_CHECKING:
    from feedpub.config import Config

SUFFIXES = (".md", ".markdown", ".txt")
# Jekyll's posts may be HTML too (jekyll-import writes a WordPress site's posts so): read, in a
# _posts folder only, as Markdown reads HTML (a site's other .html files are its pages and layouts)
POST_SUFFIXES = (*SUFFIXES, ".html", ".htm")
DEFAULT_EXCLUDE = ("README*", "LICENSE*", "LICENCE*", "CHANGELOG*", "CONTRIBUTING*", "CODE_OF_CONDUCT*",
                   "SECURITY*", "_index.*")
CONTENT_FOLDERS = frozenset(("_posts", "_drafts"))
_SKIPPED_FOLDERS = frozenset(("node_modules",))
_HOME_PAGES = frozenset(("index.md", "index.markdown"))
# Hugo's translation by file name: the page's name, a language code (2-3 letters, then perhaps a
# region or script: pt-BR, zh-Hans, es-419) and the suffix; any case, as the exclude globs
_TRANSLATION = re.compile(r"(.+)\.[a-z]{2,3}(?:-(?:[a-z]{2}|[a-z]{4}|[0-9]{3}))?\.[^.]+\Z", re.IGNORECASE)


@dataclass(frozen=True)
class Rules:
    """What to leave out of a source folder beside the defaults."""

    exclude: tuple[str, ...] = ()  # the config's globs
    out: Path | None = None  # the output folder: never read back as input

    @classmethod
    def of(cls, config: Config) -> Rules:
        """Return the rules a configuration sets."""
        return cls(config.exclude, config.out)


@dataclass(frozen=True)
class Discovery:
    """The documents of a source folder, and what was left out and why."""

    found: list[tuple[str, str]]  # (POSIX path relative to the source, file system path), sorted
    excluded: list[tuple[str, str]]  # (relative path, why), sorted
    refused: list[places.Refused]  # what may not be read (a link leading outside, a FIFO…), sorted


def _matcher(globs: tuple[str, ...], *, paths: bool = False) -> re.Pattern[str] | None:
    """Return one regex for globs (case-insensitive, as file systems of Windows and macOS are).

    For paths, ``*`` and ``?`` stay within one folder and ``**`` crosses folders.
    """
    if not globs:
        return None
    return re.compile("|".join(f"(?:{_path_glob(g) if paths else fnmatch.translate(g)})" for g in globs),
                      re.IGNORECASE)


def _path_glob(glob: str) -> str:
    """Translate a glob of a path below the source folder into a regex."""
    out = []
    for piece in re.split(r"(\*\*/?|\*|\?)", glob):
        if piece.startswith("**"):
            out.append("(?:.*/)?" if piece.endswith("/") else ".*")
        elif piece == "*":
            out.append("[^/]*")
        elif piece == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(piece))
    return "".join(out) + r"\Z"


_DEFAULT = _matcher(DEFAULT_EXCLUDE)


class _Walk:
    """One walk of a source folder under some rules."""

    def __init__(self, source: Path, rules: Rules, *, explain: bool) -> None:
        self.walk = places.Walk(source, "the source folder", (rules.out,))
        self.explain = explain
        # a glob with a '/' (a leading one anchors it at the top) is a path, any other a name
        self.by_name = _matcher(tuple(g.rstrip("/") for g in rules.exclude if "/" not in g.rstrip("/")))
        self.by_path = _matcher(tuple(g.strip("/") for g in rules.exclude if "/" in g.rstrip("/")), paths=True)
        self.out = ""
        if rules.out is not None:
            try:
                self.out = rules.out.resolve().relative_to(source.resolve()).as_posix()
            except ValueError:
                self.out = ""  # outside the source: nothing to leave out
        self.excluded: list[tuple[str, str]] = []

    def _user(self, rel: str, name: str) -> str | None:
        if self.by_name is not None and self.by_name.match(name):
            return "matches 'exclude'"
        if self.by_path is not None and self.by_path.match(rel):
            return "matches 'exclude'"
        return None

    def folder_reason(self, rel: str, name: str, stems: set[str]) -> str | None:
        """Return why a folder is left out, or None."""
        if name.startswith("."):
            return "hidden folder"
        if name.startswith("_") and name not in CONTENT_FOLDERS:
            return "folder starting with '_' (not a content folder like _posts)"
        if name in _SKIPPED_FOLDERS:
            return "dependencies folder"
        if self.out and rel == self.out:
            return "the output folder"
        if name in stems:
            return f"holds the files of {name}.md (a document's resource folder)"
        return self._user(rel, name)

    def file_reason(self, rel: str, name: str, top: bool, translates: str | None = None) -> str | None:
        """Return why a document file is left out, or None (translates: the page it is a translation of)."""
        if name[0] in "._":
            return "hidden file" if name[0] == "." else "file starting with '_' (Hugo's _index.md: a section page)"
        if _DEFAULT is not None and _DEFAULT.match(name):
            return "not an article (README, LICENSE, CHANGELOG…)"
        if top and name.lower() in _HOME_PAGES:
            return "the site's home page (index.md at the top)"
        if translates is not None:
            return f"a translation of {translates} (Hugo's file name for a language: feedpub publishes one)"
        return self._user(rel, name)

    def run(self, *, stat: bool = False) -> list[Any]:
        """Return (rel, path) of every document (stat: a Listed row each), in the file system's order."""
        found: list[Any] = []
        walk = self.walk
        for folder, prefix, dirs, files in walk:
            # strings, not pathlib or os.path.join: this runs once per file of the archive
            where = folder if folder.endswith(os.sep) else folder + os.sep
            suffixes = POST_SUFFIXES if prefix.startswith("_posts/") or "/_posts/" in prefix else SUFFIXES
            documents = [f for f in files if f.lower().endswith(suffixes)]
            stems = {f.rsplit(".", 1)[0] for f in documents if not f.lower().startswith("index.")}
            dirs[:] = self._kept_folders(prefix, dirs, stems)
            self._add_documents(found, prefix, where, documents, stat=stat)
        return found

    def _kept_folders(self, prefix: str, dirs: list[str], stems: set[str]) -> list[str]:
        """Return the folders of dirs to walk into, in name order; note why the others are left out."""
        kept = []
        for d in sorted(dirs):
            why = self.folder_reason(prefix + d, d, stems)
            if why is None:
                kept.append(d)
            elif self.explain:
                self.excluded.append((prefix + d + "/", why))
        return kept

    def _add_documents(self, found: list[Any], prefix: str, where: str, documents: list[str], *, stat: bool) -> None:
        """Add to found the documents of one folder that are not left out (see run); note why the others are."""
        translated = translations(documents)
        for f in documents:
            why = self.file_reason(prefix + f, f, not prefix, translated.get(f))
            if why is None:
                readable, st = self.walk.look(f, stat=stat)
                if not readable:
                    continue
                if not stat:
                    found.append((prefix + f, where + f))
                elif st is not None:
                    found.append((prefix + f, where + f, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
                else:  # nothing there: reading it says why
                    found.append((prefix + f, where + f, -1, -1, -1))
            elif self.explain:
                self.excluded.append((prefix + f, why))


def translations(names: list[str]) -> dict[str, str]:
    """Return, of the document names of one folder, each translation by file name with the page it translates.

    Only the folder's own listing decides (the page beside it, same name without the language
    code, any suffix and case), so a rebuild that lists the folder again sees a page come or go.
    """
    pages: dict[str, str] | None = None
    found: dict[str, str] = {}
    for name in names:
        if name.count(".") < 2:  # nearly every name: no language code in it
            continue
        m = _TRANSLATION.match(name)
        if m is None:
            continue
        if pages is None:
            pages = {}
            for page in sorted(names):
                pages.setdefault(page.rsplit(".", 1)[0].lower(), page)
        translates = pages.get(m.group(1).lower())
        if translates is not None:
            found[name] = translates
    return found


def discover_rel(source: Path, *, ordered: bool = True, rules: Rules | None = None) -> list[tuple[str, str]]:
    """List (POSIX path relative to source, file system path) of every document, sorted by the former.

    ordered=False leaves them in the file system's order, for a caller that sorts only the
    few it reads (a rebuild of 50,000 documents need not sort them all). What may not be
    read is left out silently (:func:`documents` and :func:`discover` say why).
    """
    return documents(source, ordered=ordered, rules=rules)[0]


def documents(source: Path, *, ordered: bool = True,
              rules: Rules | None = None) -> tuple[list[tuple[str, str]], list[places.Refused]]:
    """Return what :func:`discover_rel` does, and the entries refused (a link leading outside, a FIFO…)."""
    walk = _Walk(source, rules or Rules(), explain=False)
    found = walk.run()
    if ordered:
        found.sort()  # by rel: no two files share one
    return found, sorted(walk.walk.refused, key=lambda r: r.rel)


def discover(source: Path, rules: Rules | None = None) -> Discovery:
    """Return the documents of source, what was left out and what was refused, with why (for ``check``)."""
    walk = _Walk(source, rules or Rules(), explain=True)
    found = walk.run()
    return Discovery(sorted(found), sorted(walk.excluded), sorted(walk.walk.refused, key=lambda r: r.rel))


Listed = tuple[str, str, int, int, int]
"""A document as a rebuild lists it: (rel, path, size, mtime_ns, ctime_ns)."""


def listing(source: Path, rules: Rules | None = None) -> tuple[list[Listed], list[places.Refused]]:
    """Return a Listed row for every document, in the file system's order, and what was refused.

    A document that vanishes between listing and stat, or a link to nothing, has size -1 (reading
    it reports why).
    """
    walk = _Walk(source, rules or Rules(), explain=False)
    found = walk.run(stat=True)
    return found, sorted(walk.walk.refused, key=lambda r: r.rel)
