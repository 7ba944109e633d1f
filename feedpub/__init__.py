"""feedpub: turn a folder of articles into valid Atom, RSS and JSON feeds and a weekly email digest."""

__version__ = "0.1.0"
