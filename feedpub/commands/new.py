"""feedpub new: start an article, dated today, in the front matter style of the folder's documents."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

from feedpub.config import Config
from feedpub.errors import FeedpubError, OptionError, Problem
from feedpub.slug import slugify

SUFFIXES = (".md", ".markdown", ".txt")  # what the loader reads
_SAMPLE = 50  # documents looked at to tell the folder's front matter style


def front_matter_style(folder: Path) -> str:
    """Return 'toml' when most documents of folder start with '+++' front matter, else 'yaml'."""
    toml = yaml = 0
    for path in itertools.islice(folder.rglob("*"), _SAMPLE * 4):  # a sample: never walk a whole archive
        hidden = any(p.startswith((".", "_")) for p in path.relative_to(folder).parts)  # as the loader skips them
        if path.suffix not in SUFFIXES or hidden or not path.is_file():
            continue
        try:
            with path.open("rb") as f:
                head = f.read(4).removeprefix(b"\xef\xbb\xbf")
        except OSError:
            continue
        toml += head.startswith(b"+++")
        yaml += head.startswith(b"---")
        if toml + yaml >= _SAMPLE:
            break
    return "toml" if toml > yaml else "yaml"


def _quoted(text: str) -> str:
    """Return text as a double-quoted string that YAML and TOML both read back as it is."""
    return json.dumps(text, ensure_ascii=False)  # JSON strings are YAML and (basic) TOML strings


def article_text(title: str, today: date, category: str | None, style: str) -> str:
    """Return a new article's text: front matter with title, date (and category), then a body to replace."""
    lines = [f"title: {_quoted(title)}", f"date: {today.isoformat()}"]
    if category:
        lines.append(f"category: {_quoted(category)}")
    fence = "---"
    if style == "toml":  # TOML: 'key = value', and a bare date is a TOML local date
        fence = "+++"
        lines = [line.replace(": ", " = ", 1) for line in lines]
    return "\n".join([fence, *lines, fence, "", "Write the article here. The first paragraph becomes its summary.", ""])


def new_article(config: Config, title: str, *, today: date, category: str | None = None) -> Path:
    """Write a new article into the source folder (its category's subfolder when there is one); never overwrite."""
    if not title.strip():
        raise OptionError([Problem("new", None, "the title must not be empty")])
    source = config.source
    if not source.is_dir():
        raise FeedpubError([Problem(str(source), None, "source folder not found (run 'feedpub init' to start a site)")])
    folder = source
    if category is not None:
        if not slugify(category):
            raise OptionError([Problem("new", None, f"--category {category!r} has no letter or digit to name it by")])
        if (source / slugify(category)).is_dir():  # first-level subfolders are categories
            folder = source / slugify(category)
    slug = slugify(title) or "article"
    path = folder / f"{today.isoformat()}-{slug}.md"
    text = article_text(title.strip(), today, category, front_matter_style(source))
    try:
        with path.open("x", encoding="utf-8") as f:  # 'x': refuse to overwrite, even a file made meanwhile
            f.write(text)
    except FileExistsError:
        raise FeedpubError([Problem(str(path), None, "already exists; choose another title")]) from None
    except OSError as e:
        raise FeedpubError([Problem(str(path), None, f"cannot write: {e.strerror or e}")]) from None
    return path
