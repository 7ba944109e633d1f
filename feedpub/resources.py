"""Locate the files that ship with feedpub (default templates and the embedded seeds).

In a wheel they live in ``feedpub/_data/`` (hatch force-includes them); in a source checkout
they are the repository's top-level ``templates/`` and ``seeds/``. Either way callers get a
real folder, so the same code path serves both.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def templates_dir() -> Path:
    """Return the folder of the default templates."""
    return _find("templates")


def seeds_dir() -> Path:
    """Return the folder of the embedded default content."""
    return _find("seeds")
