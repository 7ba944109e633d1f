"""A digest through its templates: the HTML email with its CSS inlined, and the plain text.

The text is written from the same :class:`~.view.Digest` as the HTML, never by stripping the
HTML, at :data:`TEXT_WIDTH` columns. The CSS is inlined by :mod:`feedpub.render.inline`
(premailer, slow: the build makes the digest's job in another process when it has one to spare).
"""

from __future__ import annotations

import textwrap

from feedpub.config import Config
from feedpub.outputs.digest.view import Digest
from feedpub.render import inline, templating
from feedpub.render.templating import day_text

TEMPLATES = ("digest.html.j2", "digest.txt.j2", "digest.css")
TEXT_WIDTH = 78
IMAGE_RATIO = (3, 2)  # width:height the width/height attributes assume (Outlook for Windows uses them)
LEAD_WIDTH, THUMB_WIDTH = 560, 160
_RTL = frozenset(("ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"))


def wrap(text: str, indent: str = "", first: str | None = None, width: int = TEXT_WIDTH) -> str:
    """Wrap text to width columns where words allow (URLs and long words are never broken)."""
    return textwrap.fill(" ".join(text.split()), width=width, subsequent_indent=indent,
                         initial_indent=indent if first is None else first,
                         break_long_words=False, break_on_hyphens=False)


def link_line(label: str, url: str, indent: str = "", width: int = TEXT_WIDTH) -> str:
    """Return 'label url' on one line, or the url on a line of its own when that is too long."""
    line = f"{indent}{label} {url}"
    return line if len(line) <= width else f"{indent}{label}\n{indent}{url}"


def direction(language: str) -> str:
    """Return 'rtl' for a language written right to left (its primary subtag), else 'ltr'."""
    return "rtl" if language.split("-", maxsplit=1)[0].lower() in _RTL else "ltr"


def _context(digest: Digest, config: Config) -> dict[str, object]:
    w, h = IMAGE_RATIO
    return {"digest": digest, "site": config.title, "site_url": config.base_url, "lang": config.language,
            "dir": direction(config.language), "settings": config.digest, "day_text": day_text, "wrap": wrap,
            "link_line": link_line, "text_width": TEXT_WIDTH,
            "lead_width": LEAD_WIDTH, "lead_height": LEAD_WIDTH * h // w,
            "thumb_width": THUMB_WIDTH, "thumb_height": THUMB_WIDTH * h // w}


def html(digest: Digest, config: Config) -> str:
    """Render the HTML email and inline its CSS."""
    return inline.inline(templating.render(config, "digest.html.j2", **_context(digest, config)), "digest.html.j2")


def text(digest: Digest, config: Config) -> str:
    """Render the plain-text email from the same data as the HTML."""
    return templating.render(config, "digest.txt.j2", **_context(digest, config))
