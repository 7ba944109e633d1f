"""Stage 2 — normalise: turn what a document says (SourceDoc) into what it means (Entry).

Cheap by design: no Markdown is rendered here, so a whole archive can be normalised and
only the entries that land in an output are rendered later (:mod:`feedpub.render.content`).
The body is taken apart in :mod:`feedpub.sources.body`; each field is inferred by its own
function in :mod:`feedpub.sources.fields`, which records where its value came from
(``title_source``, ``date_source``…) for ``feedpub check`` and ``--verbose``.
"""

from __future__ import annotations

from pathlib import Path

from feedpub.config import Config
from feedpub.errors import Problem, SourceError
from feedpub.model import Entry, SourceDoc, make
from feedpub.sources import conventions as keys
from feedpub.sources import plaintext
from feedpub.sources.body import Body, body_of
from feedpub.sources.dates import SourceContext, from_mtime
from feedpub.sources.fields import address, status, text, when
from feedpub.sources.fields.authors import authors
from feedpub.sources.fields.common import Problems
from feedpub.sources.fields.image import image


def normalise(doc: SourceDoc, config: Config, context: SourceContext | None = None, *,
              find_pages: bool = True) -> Entry:
    """Infer an Entry from a SourceDoc; raise SourceError listing all its problems.

    context: what dating needs from outside the document, made once per build (a new one
    when not given: it holds no state worth keeping between builds). find_pages: a document that
    looks like a page of the site rather than a post (see :func:`status.page_reason`) raises
    SourceError with one :class:`NotAPost` problem; where documents are gathered, knowing them
    all, it is left out or read again without find_pages.
    """
    if status.empty(doc):
        raise SourceError([Problem(doc.rel, None, "file is empty")])
    context = context if context is not None else SourceContext.of(config)
    body = body_of(doc, config.template_syntax)
    if status.redirect_stub(doc):
        return _stub(doc, body, config, context)
    probs = Problems(doc)
    # in this order: a document's problems are reported as its fields are read
    title, title_source = text.title(doc, body, probs)
    date, date_source = when.date(doc, body, config, probs, context)
    updated = when.first_date(doc, keys.UPDATED, config, probs)
    expires = when.first_date(doc, keys.EXPIRES, config, probs, shown=False)  # compared, never shown
    category, category_source = address.category(doc, config, probs)
    url, page_base = address.url(doc, category, config, probs)
    entry_id = address.entry_id(doc, probs)
    summary, summary_source = text.summary(doc, body, probs)
    named = authors(doc, body, config, probs)
    source = text.source(doc, body, probs)
    tags = text.tags(doc, body, probs)
    draft = status.draft(doc, probs)
    picture = image(doc, title, config, page_base, probs)
    if find_pages and (page := status.not_a_post(doc, body, date_source)):
        raise SourceError([page])
    textless = status.without_text(doc, body, summary, title_source, date_source, probs)
    if probs.items:
        raise SourceError(probs.items)
    assert date is not None  # every failing branch above recorded a problem
    # a dict display, not keywords: a call with many keywords costs twice the dict
    return make(Entry, {
        "id": entry_id or url, "url": url, "title": title, "title_source": title_source,
        "date": date, "date_source": date_source, "updated": max(updated or date, date),
        "category": category, "category_source": category_source, "summary": summary, "source": source,
        "authors": named, "tags": tags, "image": picture, "rel": doc.rel, "fmt": body.fmt, "draft": draft,
        "lines": doc.meta_lines, "expires": expires, "summary_source": summary_source, "page_base": page_base,
        "template_only": textless, "refs": body.refs,
    })


def _stub(doc: SourceDoc, body: Body, config: Config, context: SourceContext) -> Entry:
    """Return the entry of a redirect stub: a draft (never published), titled by where it points."""
    target = next(str(doc.meta[k]) for k in keys.REDIRECT if isinstance(doc.meta.get(k), str))
    probs = Problems(doc)
    date, date_source = when.date(doc, body, config, probs, context)
    category, category_source = address.category(doc, config, probs)
    url, page_base = address.url(doc, category, config, probs)
    if date is None:
        date, date_source = from_mtime(doc.mtime, config.tz), "mtime"
    return make(Entry, {
        "id": url, "url": url, "title": f"redirect to {plaintext.clean_line(target)[:80]}",
        "title_source": "redirect", "date": date, "date_source": date_source, "updated": date,
        "category": category, "category_source": category_source, "summary": "", "source": "", "authors": (),
        "tags": (), "image": None, "rel": doc.rel, "fmt": body.fmt, "draft": True, "lines": doc.meta_lines,
        "expires": None, "summary_source": "", "page_base": page_base, "template_only": 0,
    })


def source_path(entry: Entry, config: Config) -> Path:
    """Return the file an entry was read from."""
    return config.source / entry.rel
