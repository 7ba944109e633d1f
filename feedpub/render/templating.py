"""Jinja2 templates: the user's ``templates_dir`` first, then the defaults shipped with feedpub.

The only module that imports jinja2. HTML/XML templates are autoescaped (document text is
data, never markup); ``.txt`` templates are not. Undefined variables are errors, so a typo in
a user's template fails the build instead of silently printing nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from feedpub import resources
from feedpub.config import Config
from feedpub.errors import OutputError, Problem

if TYPE_CHECKING:
    import jinja2

# jinja2 is imported by the first render (see docs/performance.md): a rebuild whose pages are all kept
# never needs it.

_ESCAPED = (".html.j2", ".xml.j2", ".xsl.j2", ".opml.j2", ".html", ".xml", ".xsl", ".opml")


def _autoescape(name: str | None) -> bool:
    return bool(name) and str(name).endswith(_ESCAPED)


@lru_cache(maxsize=8)
def _environment(user_dir: Path | None) -> jinja2.Environment:
    import jinja2

    folders = [str(user_dir)] if user_dir is not None else []
    folders.append(str(resources.templates_dir()))
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=_autoescape,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        # a template is read once per build (forget() starts each build afresh): checking its
        # file's mtime at every render, and its parent's at every {% extends %}, is a good part of
        # making many article pages (see docs/performance.md)
        auto_reload=False,
    )


def forget() -> None:
    """Drop the templates read so far, so that a build sees the template files as they are now.

    Called when a build starts: ``feedpub serve`` rebuilds in one process after a template changes.
    """
    _environment.cache_clear()
    _shipped.cache_clear()


def render(config: Config, name: str, **context: Any) -> str:
    """Render template name with context; errors name the template file and line."""
    import jinja2

    env = _environment(config.templates_dir)
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as e:
        raise OutputError([Problem(e.filename or name, e.lineno, f"template error: {e.message}")]) from None
    except jinja2.TemplateNotFound:
        raise OutputError([Problem(name, None, "template not found")]) from None
    except jinja2.UndefinedError as e:
        raise OutputError([Problem(name, None, f"template error: {e.message}")]) from None


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # not %B: that follows the machine's locale


def day_text(d: date) -> str:
    """Return a date as '20 February 2023', whatever the machine's locale (strftime's %B follows it)."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def str_escaper() -> Callable[[str], str] | None:
    """Return markupsafe's escaping of a str as a plain function (its C loop), or None where it has none.

    The rule Jinja2's autoescape applies (``&amp; &lt; &gt; &#34; &#39;``), without a Markup
    object per value: for the pages written in Python (:mod:`feedpub.render.shipped_pages`),
    which escape ~60 values an article page. ``_escape_inner`` is markupsafe 3's; with an
    older markupsafe (or no C extension) the caller keeps its own str.replace chain, the same
    text (``tests/test_shipped_pages.py`` holds them equal).
    """
    try:
        from markupsafe._speedups import _escape_inner  # jinja2's own markupsafe
    except ImportError:  # pragma: no cover - markupsafe 2.x, or built without its C extension
        return None
    return _escape_inner


def trusted(sanitized_html: str) -> Any:
    """Mark HTML that feedpub's sanitizer made as safe to insert as it is (never user text).

    Autoescaping would otherwise print a rendered body's tags as text.
    """
    from markupsafe import Markup  # jinja2's own: loaded when jinja2 is, by a render

    return Markup(sanitized_html)  # noqa: S704 - sanitized by feedpub.render.sanitize


def shipped(config: Config, hashes: Mapping[str, str]) -> bool:
    """Whether each template named in hashes is read from feedpub's own file, as it has that SHA-256 (hex).

    For templates written again in Python (:mod:`feedpub.render.shipped_pages`): only while
    the templates are exactly those it copies, never a user's or an edited one.
    """
    return _shipped(config.templates_dir, tuple(sorted(hashes.items())))


@lru_cache(maxsize=8)
def _shipped(user_dir: Path | None, hashes: tuple[tuple[str, str], ...]) -> bool:
    own = resources.templates_dir()
    for name, digest in hashes:
        if user_dir is not None and (user_dir / name).is_file():
            return False
        try:
            if hashlib.sha256((own / name).read_bytes()).hexdigest() != digest:
                return False
        except OSError:
            return False
    return True


def prepare(config: Config, names: Iterable[str]) -> None:
    """Import jinja2 and compile the templates names now (the environment keeps them)."""
    import jinja2

    env = _environment(config.templates_dir)
    for name in names:
        with contextlib.suppress(jinja2.TemplateError):  # reported where the template is rendered
            env.get_template(name)


def template_file(config: Config, name: str) -> Path | None:
    """Return the file template name is read from: the user's templates_dir first (None: there is none)."""
    folders = [config.templates_dir] if config.templates_dir else []
    folders.append(resources.templates_dir())
    return next((f / name for f in folders if (f / name).is_file()), None)


def template_files(config: Config) -> list[Path]:
    """List every template file a build may read (for change detection)."""
    folders = [config.templates_dir] if config.templates_dir else []
    folders.append(resources.templates_dir())
    return sorted(p for f in folders if f.is_dir() for p in f.rglob("*") if p.is_file())
