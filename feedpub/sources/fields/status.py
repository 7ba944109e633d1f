"""What a document is: a draft, a redirect stub, a page of the site, a post without text."""

from __future__ import annotations

from feedpub.errors import NotAPost
from feedpub.model import SourceDoc
from feedpub.sources import conventions as keys
from feedpub.sources.body import Body, blank, has_text
from feedpub.sources.dates import UNDATED
from feedpub.sources.fields.common import Problems, kind

TEMPLATE_ONLY = ("the body has no text (it is empty, or only template syntax, which feedpub does not run): "
                 "published with its title, date, summary and link")
"""What check and the build say of a post with a title and a date of its own and no text (a Pelican {% notebook %})."""

_DRAFT = frozenset((keys.DRAFT, keys.PUBLISHED, keys.STATUS, keys.EXCLUDED_FROM_COLLECTIONS))
_REDIRECT = frozenset(keys.REDIRECT)


def draft(doc: SourceDoc, probs: Problems) -> bool:
    """Return whether a document is not to be published: it says so, in any generator's words, or sits in _drafts."""
    meta = doc.meta
    if meta and not _DRAFT.isdisjoint(meta) and _says_draft(doc, probs):
        return True
    if meta and meta.get(keys.NO_OUTPUT) is False:
        return True  # Eleventy: no page is written
    if meta and isinstance(password := meta.get(keys.PASSWORD), str | int) and str(password).strip():
        return True  # a WordPress post only its password opens (jekyll-import keeps it): never public
    return f"/{keys.DRAFTS_FOLDER}/" in f"/{doc.rel}"  # Jekyll's drafts folder


def _says_draft(doc: SourceDoc, probs: Problems) -> bool:
    """Return whether the front matter says the document is a draft (Hugo, Jekyll, Pelican, Eleventy)."""
    meta = doc.meta
    flag = meta.get(keys.DRAFT, False)
    if isinstance(flag, str) and doc.dialect == "headers":
        flag = flag.strip().lower() in keys.DRAFT_HEADERS
    if not isinstance(flag, bool):
        probs.add(keys.DRAFT, f"'{keys.DRAFT}' must be true or false, not {kind(flag)}")
        flag = False
    status = meta.get(keys.STATUS)
    return (flag
            or meta.get(keys.PUBLISHED) is False  # Jekyll
            or (isinstance(status, str) and status.strip().lower() in keys.DRAFT_STATUSES)  # Pelican
            or meta.get(keys.EXCLUDED_FROM_COLLECTIONS) is True)  # Eleventy


def redirect_stub(doc: SourceDoc) -> bool:
    """Whether a document only redirects elsewhere (redirect: /x and no text): not an article."""
    meta = doc.meta
    return (bool(meta) and not _REDIRECT.isdisjoint(meta)  # one test for nearly every document
            and any(isinstance(meta.get(k), str) for k in keys.REDIRECT) and blank(doc.body))


def empty(doc: SourceDoc) -> bool:
    """Whether a document is nothing at all: no front matter and no text."""
    return not doc.has_front_matter and blank(doc.body)


def not_a_post(doc: SourceDoc, body: Body, date_source: str) -> NotAPost | None:
    """Return why a document is a page of the site, not a post (None: a post).

    Undated: see page_reason. Dated, a page whose template or layout lists posts and that has
    no text of its own (a theme's archives page: ``layout: archives``, a date, no body) is
    that list, not a post: the generator fills it in.
    """
    if date_source in UNDATED:
        why = page_reason(doc, body)
    else:
        named = _list_template(doc) if blank(body.text) else ""
        why = f"no text of its own and {named}" if named else ""
    return NotAPost(doc.rel, None, f"not a post, left out: {why}") if why else None


def page_reason(doc: SourceDoc, body: Body) -> str:
    """Say why an undated document is a page of the site, not a post ("" when it may be a post).

    A template or layout that lists posts, or no text to publish: a body that is empty, or only
    template syntax and markup once the tags a generator would run are taken out.
    """
    named = _list_template(doc)
    if has_text(body.text):
        return f"no date of its own and {named}" if named else ""
    what = "only template syntax" if body.templates else "empty"
    return f"no date of its own and no text to publish (its body is {what}" + (f"; {named})" if named else ")")


def _list_template(doc: SourceDoc) -> str:
    """Say which template or layout makes a document's body a list of posts ("" when none does)."""
    meta = doc.meta
    key = next((k for k in keys.TEMPLATE if meta and meta.get(k) not in (None, False, "")), "")
    template = meta[key] if key else None
    if template is True:
        return f"'{key}: true' makes its body a template"
    if isinstance(template, str) and _template_name(template) in keys.LIST_TEMPLATES:
        return f"'{key}' names the list template {template.strip()!r}"
    return ""


def without_text(doc: SourceDoc, body: Body, summary: str, title_source: str, date_source: str,
                 probs: Problems) -> int:
    """Return the line of a post published without text (0: it has text); record the problem of one that cannot be.

    A post with a title and a date of its own is published without text when its body is
    empty or template tags alone (a Pelican {% notebook %}, an article of headers only), as
    its generator publishes it; build and check say so (TEMPLATE_ONLY). Without such a title or
    date, nothing tells it is meant: no body text and no summary is a problem.
    """
    if not blank(body.text):
        return 0
    if not summary and not (title_source == "front matter" and date_source not in UNDATED):
        fence = doc.body_line - 1 if doc.has_front_matter else None  # the body is empty: point at the fence
        probs.add(None, "document has no body text and no 'summary' to publish", fence)
        return 0
    # an empty body with a summary is a link post (the summary is its text): nothing to say
    return body.line if body.templates or not summary else 0


def _template_name(value: str) -> str:
    """Return a template's name without folder and extension ('_default/list.html' -> 'list'); any text."""
    name = value.strip().lower().rpartition("/")[2]
    return name.rpartition(".")[0] or name
