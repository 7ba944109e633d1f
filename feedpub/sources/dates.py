"""Parse the dates documents carry, and find one for documents that carry none.

The chain, first match wins: front matter ``publishDate`` (Hugo's publish date), else ``date``
(or another generator's name for them, see :mod:`feedpub.sources.conventions`) → trailing
``Date:`` line → a ``YYYY-MM-DD-`` prefix of the file's name (of the folder's, for a page
bundle) → a ``YYYY/MM/DD/`` start of the address the front matter gives (Zola's ``path``, a
``permalink`` or ``url``; after one leading folder at most, as in ``inside-rust/2024/01/02/x``)
→ the file's first commit in the git repository that holds the source folder → its
modification time.
Date-only values mean midnight in the site time zone; every datetime leaving here is aware.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from feedpub import resources

if TYPE_CHECKING:
    from feedpub.config import Config

_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# The date a file's (or a bundle folder's) name starts with, ended by '-' (Jekyll, Hugo), '_'
# (Zola) or a space: Pelican's default FILENAME_METADATA, (?P<date>\d{4}-\d{2}-\d{2}).*, lets
# sites name posts "2014-06-21 notes.md" and "2018-04-03 SCaLE Report/index.md". The one rule
# for the date, the slug (fields.common.undated) and the names that excuse a bad date (frontmatter).
FILENAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_ ]")
# "UTC" and "GMT" as Jekyll and Octopress write them ("2008-10-13 06:03:12 UTC", read by Ruby's
# Time.parse); no other zone name: most are ambiguous (IST, CST) and none is needed so far
_OFFSET = re.compile(r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})$")
_UTC_NAMES = frozenset(("Z", "UTC", "GMT"))
_FORMATS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
            # Astro's schema reads a date with JavaScript's Date (z.coerce.date()): its own starter
            # writes pubDate: 'Jul 08 2022', and sites write '2025.12.07' or '2025/12/07'
            "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y", "%d %b %Y", "%d %B %Y", "%Y.%m.%d", "%Y/%m/%d")
MIN_YEAR, MAX_YEAR = 1970, 9999
# xsd:dateTime, Atom's date type, allows no zone further from UTC (nor does any real zone):
# a feed dated +15:00 fails the Atom schema.
MAX_OFFSET = timedelta(hours=14)
UNDATED = frozenset(("git", "mtime", "newest seed"))
"""Where the date of a document that carries none of its own comes from (its date_source)."""
_MIDNIGHT = time(0)
# The latest instant an entry may carry. Every output shows a date in the site zone (up to
# +14:00 from UTC) and the digest holds it in a whole ISO week, so the instant must stay
# inside year 9999 both ways: the last such week ends on Sunday 9999-12-26 at midnight, +14:00.
LATEST = datetime(9999, 12, 27, tzinfo=timezone(MAX_OFFSET))


class DateValueError(ValueError):
    """A value that looks like it should be a date but is not a valid one."""


def _check_year(d: date) -> None:
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        raise DateValueError(f"year {d.year} is out of range {MIN_YEAR}-{MAX_YEAR}")


def check_latest(d: datetime, written: object) -> datetime:
    """Return d, or raise DateValueError when it is LATEST or later (written: the value as the document has it)."""
    if d < LATEST:
        return d
    shown = written.isoformat() if isinstance(written, (date, datetime)) else str(written)
    raise DateValueError(f"is out of range: {shown!r} (the latest date an entry can carry is "
                         f"{LATEST.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}, so that every time zone and its "
                         "digest week stay inside year 9999)")


def to_datetime(value: object, tz: tzinfo) -> datetime:
    """Turn a YAML date/datetime or an ISO 8601 string into an aware datetime.

    Naive values are taken as wall-clock time in the site time zone ``tz``.
    """
    if isinstance(value, datetime):
        _check_year(value)
        offset = value.utcoffset()
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise DateValueError(f"is not a date: {value.isoformat()!r} (bad UTC offset)")
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        _check_year(value)
        return datetime.combine(value, _MIDNIGHT, tzinfo=tz)
    if not isinstance(value, str):
        shown = repr(value) if isinstance(value, (int, float)) else f"a {type(value).__name__}"
        raise DateValueError(f"is not a date: {shown}")
    return parse_date_string(value, tz)


def parse_date_string(text: str, tz: tzinfo) -> datetime:
    """Parse '2022-06-14', '2022-06-14T10:00:00+08:00', '2022-06-14 10:00 +0800', '… 10:00 UTC' and the like."""
    m = _ISO_DAY.fullmatch(text.strip())
    if m:  # the commonest form, without strptime (~20 us); an impossible day is left to it
        try:
            day = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=tz)
        except ValueError:
            pass
        else:
            _check_year(day)
            return day
    return _parse_date_string(text, tz)


def _parse_date_string(text: str, tz: tzinfo) -> datetime:
    """parse_date_string without its shortcut for a plain YYYY-MM-DD (the general path)."""
    s, offset = _split_offset(text)
    s = re.sub(r"(:\d\d)\.\d+$", r"\1", s)  # fractional seconds carry nothing a feed shows (not 2025.12.07's .07)
    for fmt in _FORMATS:
        try:
            parsed = datetime.strptime(s, fmt)  # noqa: DTZ007 - the zone is attached below
        except ValueError:
            continue
        _check_year(parsed)
        return parsed.replace(tzinfo=offset or tz)
    if re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}.*", s):
        raise DateValueError(f"is not a valid date: {text!r}")
    raise DateValueError(f"is not a date: {text!r} (expected YYYY-MM-DD, optionally with time and offset)")


def _split_offset(text: str) -> tuple[str, tzinfo | None]:
    """Return stripped text without its UTC offset ("Z", "UTC", "GMT", "+02:00"), and that offset (None: none)."""
    s = text.strip()
    m = _OFFSET.search(s)
    if not m or len(s) <= 10:
        return s, None
    raw = m.group(1)
    s = s[: m.start()].strip()
    if raw in _UTC_NAMES:
        return s, UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if minutes > 59 or timedelta(hours=hours, minutes=minutes) > MAX_OFFSET:
        raise DateValueError(f"is not a date: {text!r} (bad UTC offset)")
    return s, timezone(sign * timedelta(hours=hours, minutes=minutes))


def from_filename(name: str, tz: tzinfo) -> datetime | None:
    """Return the date of a 'YYYY-MM-DD-slug.md' (or _slug, or ' slug') filename, or None when it has no such prefix."""
    m = FILENAME_DATE.match(name)
    return _day(m, tz) if m else None


def _day(m: re.Match[str], tz: tzinfo) -> datetime | None:
    """Return the midnight of the day a match's year, month and day groups name; None when no such day is usable.

    A name or an address is only a hint, never an error: an impossible day or a year outside
    MIN_YEAR..MAX_YEAR gives no date, and the next source decides. A day past LATEST is a date
    (a far-future one keeps a post back: see fields.when).
    """
    try:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if not MIN_YEAR <= d.year <= MAX_YEAR:
        return None
    return datetime.combine(d, time(0), tzinfo=tz)


# An address that starts with a day: "2014/12/12/1.0-Timeline", "/inside-rust/2024/01/02/x/",
# "https://example.org/2024/01/02/x/". Only the first folder may come before the year: a date
# deeper in the address (a slug that holds digits) names no day.
_PATH_DATE = re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/]+)?/?(?:[^/\s]+/)??(\d{4})/(\d{2})/(\d{2})(?:/|$)")


def from_path(path: str, tz: tzinfo) -> datetime | None:
    """Return the date a 'YYYY/MM/DD/slug' address starts with, or None (not a real calendar day: None)."""
    m = _PATH_DATE.match(path.strip())
    return _day(m, tz) if m else None


def git_first_commit_dates(folder: Path) -> Mapping[Path, datetime]:
    """Map every file under folder to the date of the commit that first added it.

    One ``git log`` for the whole folder (not one per file), run only when some document has
    no better date. Returns an empty mapping when folder is not in a git work tree.
    """
    try:
        top = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True, text=True, check=False, timeout=30,
        )
        if top.returncode != 0:
            return {}
        log = subprocess.run(
            ["git", "-C", str(folder), "log", "--diff-filter=A", "--format=@%cI",
             "--name-only", "--no-renames", "-z", "--", "."],
            capture_output=True, text=True, check=False, timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if log.returncode != 0:
        return {}
    root = Path(top.stdout.strip())
    found: dict[Path, datetime] = {}
    current: datetime | None = None
    # -z output: "@<date>\n" header, then NUL-separated names; newest commit first, so the
    # last one seen for a path is the commit that first added it.
    for token in log.stdout.replace("\n", "\0").split("\0"):
        if token.startswith("@"):
            try:
                current = datetime.fromisoformat(token[1:])
            except ValueError:
                current = None
        elif token and current is not None:
            found[(root / token).resolve()] = current
    return found


@dataclass(frozen=True)
class SourceContext:
    """What dating documents needs from outside them, made once per build and passed to normalise.

    The git history is asked on first need (most builds date every document from the
    document itself) and kept by this value only: the next build makes a new one, so a
    document committed between two builds of one ``feedpub serve`` is dated by git in the second.
    """

    config: Config
    # how the newest date the embedded seeds carry themselves is found: by reading them all,
    # which is the business of where documents are gathered (incremental.gather.sources);
    # None: an undated document is dated by git or its file's time alone
    seed_date: Callable[[Config], datetime | None] | None = None

    @classmethod
    def of(cls, config: Config) -> SourceContext:
        """Return a fresh context for a build of config.source (undated seeds dated by their file's time)."""
        return cls(config)

    @cached_property
    def embedded(self) -> bool:
        """Whether the source folder is the seeds embedded in feedpub (not the user's documents)."""
        return self.config.source.resolve() == resources.seeds_dir().resolve()

    @cached_property
    def git_dates(self) -> Mapping[Path, datetime]:
        """Map every committed file under the source folder to the date it was first committed.

        Empty for the seeds embedded in feedpub: feedpub's own history is not theirs.
        """
        return {} if self.embedded else git_first_commit_dates(self.config.source)

    def git_date(self, path: Path) -> datetime | None:
        """Return the date of the commit that first added path, if it is committed."""
        found = self.git_dates
        # outside git the mapping is empty: no need to resolve the path (a dozen system calls)
        return found.get(path.resolve()) if found else None

    @cached_property
    def newest_dated(self) -> datetime | None:
        """Return the date an undated embedded seed takes: the newest the seeds carry themselves (else None).

        Not its file time, which is when feedpub was installed or checked out: the same seeds
        give the same dates wherever feedpub runs. None for any other folder.
        """
        if self.seed_date is None or not self.embedded:
            return None
        return self.seed_date(self.config)


def from_mtime(mtime: float, tz: tzinfo) -> datetime:
    """Return the modification time as an aware datetime in the site zone."""
    return datetime.fromtimestamp(int(mtime), tz=tz)
