"""The digest's folder of the output: the names of a digest's files, and what earlier builds left there.

A digest is a record of what was mailed, and its web copy may be linked from the mail or the
site, so a build keeps every other week's files (made by an earlier weekly build or by
``feedpub digest --week``) as they are, and the site lists them.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

FOLDER = "digest/"
EXTENSIONS = ("html", "txt", "eml")
SUBJECT_FILE = f"{FOLDER}latest.subject.txt"  # the subject, decoded, to paste into an ESP
_LABEL = re.compile(r"^(?:\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2})$")  # a week, or since_until
# a digest file's name, in any case (one file, on macOS and Windows): what earlier() and latest() take for a digest
_NAME = re.compile(r"digest/(?:latest\.(?:html|txt|eml|subject\.txt)|"
                   r"(?:\d{4}-w\d{2}|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2})\.(?:html|txt|eml))")


def paths(label: str) -> tuple[str, ...]:
    """Return the files of the digest of a window: its own .html, .txt and .eml, latest.*, the subject."""
    return (*(f"{FOLDER}{name}.{ext}" for name in (label, "latest") for ext in EXTENSIONS), SUBJECT_FILE)


def earlier(out: Path, made: str | None) -> tuple[str, ...]:
    """Return the files of the digests that earlier builds left in the output folder, but made's.

    Only files named like a digest count; delete one to drop it from the archive.
    """
    try:
        with os.scandir(out / FOLDER) as found:
            names = [e.name for e in found if e.is_file()]
    except OSError:  # no output folder yet, or no digest in it
        return ()
    kept = []
    for name in names:
        label, dot, ext = name.rpartition(".")
        if dot and ext in EXTENSIONS and label != made and _LABEL.match(label):
            kept.append(FOLDER + name)
    return tuple(sorted(kept))


def latest(out: Path) -> tuple[str, ...]:
    """Return the latest.* files (and the subject) the output folder holds."""
    return tuple(path for path in (*(f"{FOLDER}latest.{ext}" for ext in EXTENSIONS), SUBJECT_FILE)
                 if (out / path).is_file())


def named_like(path: str) -> bool:
    """Whether an output path is a digest file's name, in any case: a later build would keep that file as a digest.

    Only the digest may write one: a page or copied file there would be kept as an earlier
    digest (never made or copied again) or as latest.* by the next build.
    """
    # path[:7] first: every path is asked, few start so (no character lowers to one of "digest/" but those)
    return path[:7].lower() == "digest/" and _NAME.fullmatch(path.lower()) is not None
