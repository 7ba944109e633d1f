"""Which week a digest shows: the request (a week or a since/until range), its window, its entries.

A week is an ISO week in the site time zone; by default the last complete week, made only
when it has entries: otherwise no digest is made (:class:`Empty`), ``latest.*`` stay as they
were and the build warns (``digest-empty-week``), so a weekly send never mails an old issue
as new. A wrong ``--week``, ``--since`` or ``--until`` is a usage error, raised before any work.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import TypeVar

from feedpub.config import Config
from feedpub.errors import OptionError, Problem
from feedpub.model import instant_of
from feedpub.outputs.digest.folder import FOLDER
from feedpub.render.templating import day_text
from feedpub.select import Listed

L = TypeVar("L", bound=Listed)
_INSTANT = attrgetter("instant")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Request:
    """Which digest to make: a week ('latest', 'last', '2023-W08') or a since/until range."""

    week: str | None = None  # None: the default, the last complete week if it has entries
    since: date | None = None
    until: date | None = None
    required: bool = True  # False for `feedpub build`: an empty selection means no digest

    @property
    def default(self) -> bool:
        """Return whether no week or range was asked for (the weekly digest)."""
        return self.week is None and self.since is None and self.until is None


@dataclass(frozen=True)
class Window:
    """A span of time in the site zone: [start, end), named by label (also the file name)."""

    label: str
    start: datetime
    end: datetime
    running: bool = False  # the window ends after the build time: its digest is not complete

    @property
    def is_week(self) -> bool:
        """Return whether the window is an ISO week (else a since/until range)."""
        return bool(_WEEK.match(self.label))

    @property
    def period(self) -> str:
        """Return 'week of 20 February 2023' for an ISO week, else '1 May 2023 to 9 May 2023'."""
        if self.is_week:
            return f"week of {day_text(self.start.date())}" + (" (so far)" if self.running else "")
        return f"{day_text(self.start.date())} to {day_text(self.last_day)}" + (" (so far)" if self.running else "")

    @property
    def heading(self) -> str:
        """Return the period as the email's header shows it: 'Week of 20 February 2023'."""
        return self.period[:1].upper() + self.period[1:]

    @property
    def intro(self) -> str:
        """Return the default first sentence of the email, fitting a week, a running week or a range."""
        first = day_text(self.start.date())
        if self.running:
            since = f"{_WEEKDAYS[self.start.weekday()]} {first}"
            return f"This {'week' if self.is_week else 'period'} is not over yet: here is what we have " \
                   f"published since {since}."
        if self.is_week:
            return f"Here is what we published in the week of {first}."
        return f"Here is what we published from {first} to {day_text(self.last_day)}."

    @property
    def last_day(self) -> date:
        """Return the last calendar day inside the window."""
        return (self.end - timedelta(days=1)).date()


@dataclass(frozen=True)
class Empty:
    """The default digest's week has no entries: no digest is made, latest.* are kept as they are."""

    window: Window

    def warning(self, config: Config, *, kept: bool) -> str:
        """Return what the build says (kept: whether the output folder holds latest.* files)."""
        win = self.window
        latest = f"{FOLDER}latest.* kept as they were" if kept else f"no {FOLDER}latest.* yet"
        return (f"digest-empty-week: no entries in {win.label} ({day_text(win.start.date())} to "
                f"{day_text(win.last_day)}, {config.timezone}), the last complete week: no digest made, "
                f"{latest}; 'feedpub digest --week' makes any week")


def _usage(message: str) -> OptionError:
    """A wrong --week/--since/--until: a usage error, not a failed digest."""
    return OptionError([Problem("digest", None, message)])


def _iso_week(d: date, config: Config, now: datetime) -> Window:
    year, week, _ = d.isocalendar()
    monday = date.fromisocalendar(year, week, 1)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=config.tz)
    return Window(f"{year}-W{week:02d}", datetime.combine(monday, time(0), tzinfo=config.tz), end, end > now)


def window(request: Request, entries: Sequence[Listed], config: Config, now: datetime) -> Window | None:
    """Return the window a request names; None for 'latest' when there are no entries.

    The default is 'last', the ISO week before the one holding now (in the site zone),
    entries or not: planning makes no digest of it when it has none. 'latest' is the week of
    the newest entry dated before the current week: the newest complete week that has
    entries, however old. Only when every entry is of this week (or later) is it the running
    week, and the digest says so.
    """
    if request.since or request.until:
        return _range(request, config, now)
    week = request.week or "last"
    today = now.astimezone(config.tz).date()
    if week == "latest":
        return _latest(entries, today, config, now)
    if week == "last":
        return _iso_week(today - timedelta(days=7), config, now)
    return _named(week, config, now)


def _range(request: Request, config: Config, now: datetime) -> Window:
    """Return the window from --since to --until (default: today), both days included."""
    if request.week:
        raise _usage("use either --week or --since/--until, not both")
    if request.since is None:
        raise _usage("--until needs --since")
    until = request.until or now.astimezone(config.tz).date()
    if until < request.since:
        raise _usage(f"--until {until} is before --since {request.since}")
    if until >= date.max:  # the window ends at midnight after until, which no date can name
        last = date.max - timedelta(days=1)
        raise _usage(f"--until {until} is too late: the last day a digest can end on is {last}")
    end = datetime.combine(until + timedelta(days=1), time(0), tzinfo=config.tz)
    return Window(f"{request.since}_{until}", datetime.combine(request.since, time(0), tzinfo=config.tz),
                  end, end > now)


def _latest(entries: Sequence[Listed], today: date, config: Config, now: datetime) -> Window | None:
    """Return the week of the newest entry dated before this week (of the newest one if none is)."""
    this_week = instant_of(_iso_week(today, config, now).start)
    done = [e for e in entries if e.instant < this_week] or list(entries)
    if not done:
        return None
    newest = max(done, key=_INSTANT)  # the first of the newest, as max() of their dates would be
    return _iso_week(newest.date.astimezone(config.tz).date(), config, now)


def _named(week: str, config: Config, now: datetime) -> Window:
    """Return the ISO week named like 2023-W08."""
    m = _WEEK.match(week)
    try:
        if not m:
            raise ValueError
        return _iso_week(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1), config, now)
    except ValueError:
        raise _usage(f"--week must be an ISO week like 2023-W08, 'last' or 'latest': {week!r}") from None
    except OverflowError:  # the week of 9999-12-31 ends in year 10000
        raise _usage(f"--week {week} ends after year 9999: the last week a digest can show is 9999-W51") from None


def in_window(entries: Sequence[L], win: Window) -> list[L]:
    """Return the entries dated inside the window, newest first."""
    start, end = instant_of(win.start), instant_of(win.end)
    return sorted((e for e in entries if start <= e.instant < end), key=lambda e: (-e.instant, e.id))
