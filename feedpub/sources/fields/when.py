"""The fields that are dates: when a document was published, updated, and when it expires.

The chain that dates a document, first match wins, is :mod:`feedpub.sources.dates`'s: its
front matter, a trailing ``Date:`` line, its file's name, its address, then what is outside
the document (git, the embedded seeds' newest date, the file's time).
"""

from __future__ import annotations

from datetime import datetime

from feedpub.config import Config
from feedpub.model import SourceDoc
from feedpub.sources import conventions as keys
from feedpub.sources import dates
from feedpub.sources.body import Body
from feedpub.sources.dates import SourceContext
from feedpub.sources.fields.common import Problems, dated_name, empty_header

Dated = tuple[datetime | None, str]  # the date (None: not valid, a problem recorded) and where it came from


def date(doc: SourceDoc, body: Body, config: Config, probs: Problems, context: SourceContext) -> Dated:
    """Return the date of the first source in the chain that dates the document, and which it was."""
    found = (_front_matter(doc, config, probs) or _trailer(doc, body, config, probs)
             or _file_name(doc, config) or _address(doc, config))
    if found is not None:
        return _not_too_late(doc, body, found, config, probs)
    git = context.git_date(doc.path)
    if git is not None:
        return git.astimezone(config.tz), "git"
    if context.newest_dated is not None:
        return context.newest_dated, "newest seed"
    return dates.from_mtime(doc.mtime, config.tz), "mtime"


def _not_too_late(doc: SourceDoc, body: Body, found: Dated, config: Config, probs: Problems) -> Dated:
    """Return found, unless its date is too late for any output and 'future' would publish it (a problem then).

    Far-future dates are how sites keep a post back: blog.rust-lang.org's unpublished posts
    live at ``path = "inside-rust/9999/12/31/…"``, minimal-mistakes tests ``date: 9999-12-31``.
    Such a post is in the future, left out like any other, and no output shows its date. Only
    with 'future' on would one be published, and no output can carry a date past LATEST
    (its time zone and digest week would leave year 9999): that is the document's problem.
    """
    when, source = found
    if when is None or when < dates.LATEST or not config.future:
        return found
    if source == "Date: line":
        where, written, line = "'Date:' line", body.trailer.date, doc.body_line + (body.trailer.date_line or 0)
        key = None
    else:
        key = _front_matter_key(doc) if source == "front matter" else None if source == "filename" else source
        where = f"'{key}'" if key else "the file name's date"
        written, line = (doc.meta[key] if key else dated_name(doc.rel)), None
    try:
        dates.check_latest(when, written)
    except dates.DateValueError as e:
        probs.add(key, f"{where} {e}", line)
    return None, source


def _front_matter_key(doc: SourceDoc) -> str | None:
    """Return the key whose value _front_matter read as the date."""
    meta = doc.meta
    return next((k for k in keys.DATE if meta.get(k) is not None and not isinstance(meta.get(k), bool)
                 and not empty_header(doc, meta[k])), None)


def _front_matter(doc: SourceDoc, config: Config, probs: Problems) -> Dated | None:
    """Return the date the first date key with a value gives (None: it says the file's dates are the document's)."""
    meta = doc.meta
    for key in keys.DATE if meta else ():
        value = meta.get(key)
        if value is None or (isinstance(value, bool) and key == keys.PUBLISHED) or empty_header(doc, value):
            continue  # Jekyll's published: false is no date; nor is Pelican's "Date:" with nothing after it
        if not isinstance(value, str):
            return value_of(value, key, config, probs, shown=False), "front matter"  # too late: date() says
        return _front_matter_text(doc, key, value, config, probs)
    return None


def _front_matter_text(doc: SourceDoc, key: str, value: str, config: Config, probs: Problems) -> Dated | None:
    """Return the date a front matter's text gives; a malformed one gives way to a date in the file's name."""
    if value.strip().lower() in keys.FILE_DATES:
        return None
    if not _looks_valid(value, config):
        named = dates.from_filename(dated_name(doc.rel), config.tz)
        if named is not None:
            # the file's name carries a date and the front matter's is malformed: the name
            # decides, and check says so (a 102-post archive is not stopped by one typo)
            return named, "filename"
    # None when the value is not a valid date: value_of recorded the problem
    return value_of(value, key, config, probs, shown=False), "front matter"  # too late: date() says


def _trailer(doc: SourceDoc, body: Body, config: Config, probs: Problems) -> Dated | None:
    """Return the date of a trailing 'Date:' line."""
    if body.trailer.date is None:
        return None
    try:
        return dates.parse_date_string(body.trailer.date, config.tz), "Date: line"  # too late: date() says
    except dates.DateValueError as e:
        probs.add(None, f"'Date:' line {e}", doc.body_line + (body.trailer.date_line or 0))
        return None, "Date: line"


def _file_name(doc: SourceDoc, config: Config) -> Dated | None:
    """Return the date a YYYY-MM-DD- prefix of the file's name (a bundle's folder's) gives."""
    found = dates.from_filename(dated_name(doc.rel), config.tz)
    return (found, "filename") if found is not None else None


_ADDRESS_KEYS = (*keys.URL, keys.ZOLA_PATH)


def _address(doc: SourceDoc, config: Config) -> Dated | None:
    """Return the date a YYYY/MM/DD/ address starts with (Zola's path = "2014/12/12/slug", a permalink)."""
    meta = doc.meta
    for key in _ADDRESS_KEYS if meta else ():
        value = meta.get(key)
        if isinstance(value, str) and (found := dates.from_path(value, config.tz)) is not None:
            return found, key
    return None


def _looks_valid(value: str, config: Config) -> bool:
    try:
        dates.parse_date_string(value, config.tz)
    except dates.DateValueError:
        return False
    return True


def value_of(value: object, key: str, config: Config, probs: Problems, *, shown: bool = True) -> datetime | None:
    """Return the value of key (not None) as an aware datetime, or None having recorded why not.

    shown: whether outputs show the date (an expiry date is only compared, so 9999-12-31 may mean "never").
    """
    if isinstance(value, bool):
        probs.add(key, f"'{key}' is not a date: {value!r} (YAML read it as a boolean)")
        return None
    try:
        found = dates.to_datetime(value, config.tz)
        return dates.check_latest(found, value) if shown else found
    except dates.DateValueError as e:
        probs.add(key, f"'{key}' {e}")
        return None


def first_date(doc: SourceDoc, names: tuple[str, ...], config: Config, probs: Problems, *,
               shown: bool = True) -> datetime | None:
    """Return the date of the first of names the front matter has (valid or not: it decides)."""
    meta = doc.meta
    for key in names if meta else ():
        value = meta.get(key)
        if value is not None and not empty_header(doc, value):
            return value_of(value, key, config, probs, shown=shown)
    return None

