"""Output kind ``digest``: the weekly email, as inlined HTML, plain text and an .eml message.

A week is an ISO week in the site time zone; by default the last complete week, made only
when it has entries: otherwise no digest is made, ``latest.*`` stay as they were and the
build warns (``digest-empty-week``), so a weekly send never mails an old issue as new.
The entries of the chosen week become a frozen :class:`Digest` (a lead story, then sections
by category, items newest first), which the templates turn into HTML (CSS inlined, merge
tags intact) and text written from the same data, never by stripping the HTML. Only entries
that land in the digest are rendered.

Its job is made in another process when the build has one to spare (premailer's CSS
inlining is slow). The digests of other weeks that the output folder holds (made by earlier
builds) are kept as they are and listed by the site pages: a digest that was mailed stays
readable.
"""

from __future__ import annotations

import functools
import os
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from feedpub import layout
from feedpub.config import Config
from feedpub.errors import DigestError, OptionError, Problem
from feedpub.incremental import workers
from feedpub.model import Category, Entry, Image, Kept, Output, Rendered, instant_of
from feedpub.outputs import protocol
from feedpub.outputs.protocol import Build, Job
from feedpub.render import templating
from feedpub.render.templating import day_text
from feedpub.select import Listed, Selection
from feedpub.sources import plaintext

if TYPE_CHECKING:
    from pathlib import Path

    from feedpub.incremental.catalogue import Record

L = TypeVar("L", bound=Listed)
R = TypeVar("R", bound="Record")
_INSTANT = attrgetter("instant")
FOLDER = "digest/"
TEXT_WIDTH = 78
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_LABEL = re.compile(r"^(?:\d{4}-W\d{2}|\d{4}-\d{2}-\d{2}_\d{4}-\d{2}-\d{2})$")  # a week, or since_until
EXTENSIONS = ("html", "txt", "eml")
FEATURED = "featured"  # the tag that makes an entry the lead story
DEFAULT_ACCENT = "#2b6cb0"
SUMMARY_CHARS = 160  # two or three lines beside a thumbnail, at 15 px
LEAD_SUMMARY_CHARS = 240  # two or three lines across the whole card
IMAGE_RATIO = (3, 2)  # width:height the width/height attributes assume (Outlook for Windows uses them)
LEAD_WIDTH, THUMB_WIDTH = 560, 160
_PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Profile:
    """The links an email service provider fills in per subscriber (merge tags)."""

    unsubscribe: str  # "" when there is none
    view_online: str
    preview: str  # tag the ESP replaces with its preview text, or ""


PROFILES: Mapping[str, Profile] = {
    "mailchimp": Profile("*|UNSUB|*", "*|ARCHIVE|*", "*|MC_PREVIEW_TEXT|*"),
    "listmonk": Profile("{{ UnsubscribeURL }}", "{{ MessageURL }}", ""),
    "buttondown": Profile("{{ unsubscribe_url }}", "{{ email_url }}", ""),
}


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
class Item:
    """One article as the digest shows it."""

    title: str
    url: str  # with UTM parameters
    summary: str  # two or three lines, never starting with the title
    image: Image | None  # its alt is "" when the document gave none (the title is beside it)
    source: str
    date: str  # '20 February 2023'
    category: str  # the category's display name
    accent: str  # '#rrggbb': the category's colour


@dataclass(frozen=True)
class Section:
    """The items of one category, and how many more the per-category cap left out."""

    category: Category
    items: tuple[Item, ...]
    more: int
    more_url: str
    accent: str  # '#rrggbb': the category's colour


@dataclass(frozen=True)
class Digest:
    """Everything a digest says, before any template."""

    window: Window
    lead: Item | None  # the newest item, or the newest tagged 'featured'; not repeated in sections
    sections: tuple[Section, ...]
    subject: str
    preheader: str
    unsubscribe: str  # URL or merge tag; "" when there is none
    view_online: str  # URL or merge tag; "" when there is none
    preview_tag: str  # the ESP's preview-text tag, or ""
    list_unsubscribe: str  # a real URL for the List-Unsubscribe header, or ""
    intro: str
    footer_note: str  # why the reader gets this email
    made: datetime  # the build time: the message's Date

    @property
    def count(self) -> int:
        """Return the number of items shown."""
        return sum(len(s.items) for s in self.sections) + (self.lead is not None)


@dataclass(frozen=True)
class Made:
    """The digest files of a build (none when the selection was empty and optional)."""

    label: str = ""  # '2023-W08', or "" when there is no digest
    outputs: tuple[Output | Kept, ...] = ()
    items: int = 0
    html_bytes: int = 0  # size of the inlined HTML, what Gmail measures
    warnings: tuple[str, ...] = ()
    unready: tuple[str, ...] = ()  # why the digest may not be sent as it is (see unready())


# --- choosing the week ------------------------------------------------------------------


def _problem(message: str) -> DigestError:
    return DigestError([Problem("digest", None, message)])


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
    entries or not: plan() makes no digest of it when it has none. 'latest' is the week of
    the newest entry dated before the current week: the newest complete week that has
    entries, however old. Only when every entry is of this week (or later) is it the running
    week, and the digest says so.
    """
    week = request.week or "last"
    if request.since or request.until:
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
    today = now.astimezone(config.tz).date()
    if week == "latest":
        this_week = instant_of(_iso_week(today, config, now).start)
        done = [e for e in entries if e.instant < this_week] or list(entries)
        if not done:
            return None
        newest = max(done, key=_INSTANT)  # the first of the newest, as max() of their dates would be
        return _iso_week(newest.date.astimezone(config.tz).date(), config, now)
    if week == "last":
        return _iso_week(today - timedelta(days=7), config, now)
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


# --- building the Digest value ----------------------------------------------------------


def with_utm(url: str, config: Config, win: Window) -> str:
    """Add the configured UTM parameters to url, unless it already carries some."""
    d = config.digest
    params = [("utm_source", d.utm_source), ("utm_medium", d.utm_medium),
              ("utm_campaign", d.utm_campaign.replace("{week}", win.label))]
    params = [(k, v) for k, v in params if v]
    parts = urlsplit(url)
    if not params or any(k.lower().startswith("utm_") for k, _ in parse_qsl(parts.query)):
        return url
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _ordered(groups: dict[Category, list[L]], config: Config) -> list[tuple[Category, list[L]]]:
    rank = {slug: i for i, slug in enumerate(config.digest.category_order)}
    return sorted(groups.items(), key=lambda kv: (rank.get(kv[0].slug, len(rank)), -len(kv[1]), kv[0].name))


_TAG_OPENERS = re.compile(r"([{*])([{%|])|([|%}])([}*])")


def inert(text: str) -> str:
    """Break merge-tag syntax in document text ({{ }}, {% %}, *| |*) with a zero-width space.

    The ESP expands tags anywhere in the message, so an article titled "{{ Subscriber.Email }}"
    would otherwise run as template code in listmonk, or show another field's value.
    Only the footer's own tags, from the profile, may reach the ESP.
    """
    return _TAG_OPENERS.sub(lambda m: "\u200b".join(g for g in m.groups() if g), text)


def _folded(text: str) -> str:
    return " ".join(text.lower().split())


def summary_text(title: str, summary: str, limit: int) -> str:
    """Return summary cut to about limit characters, without the title it may start with.

    A title made from a document's first sentence (cut at 80 characters, ending in '…') is
    that sentence again: the summary then starts after the sentence, so no reader sees it twice.
    """
    text = " ".join(summary.split())
    head = _folded(title.rstrip("…").rstrip(". "))
    if head and _folded(text).startswith(head):
        first = plaintext.first_sentence(text)
        if text.startswith(first) and _folded(first).startswith(head):
            text = text[len(first):]
        else:  # the summary is the title and more, with no sentence end: keep what follows it
            text = text[len(head):].lstrip(" .:;,–—-…")
        text = text.strip()
    return plaintext.shorten_clean(text, limit) if text else ""


def _item(r: Rendered, config: Config, win: Window, limit: int) -> Item:
    e = r.entry
    image = e.image
    if image is not None:  # alt text that only repeats the title beside it would be read twice
        image = replace(image, alt="" if _folded(image.alt) == _folded(e.title) else inert(image.alt))
    return Item(inert(e.title), with_utm(e.url, config, win), inert(summary_text(e.title, r.summary, limit)),
                image, inert(e.source), day_text(e.date.astimezone(config.tz).date()), inert(e.category.name),
                config.digest.accent_colors.get(e.category.slug, DEFAULT_ACCENT))


def view_online_url(config: Config, label: str) -> str:
    """Return the web copy of a digest for profile 'none': the setting, else <base_url>digest/<label>.html.

    Earlier digests' files stay in the output folder (see earlier()), so the link keeps working.
    """
    return config.digest.view_online_url or urljoin(config.base_url, f"{FOLDER}{label}.html")


def _links(config: Config, label: str) -> tuple[str, str, str, str]:
    """Return unsubscribe, view-online, preview tag and List-Unsubscribe URL for the profile."""
    d = config.digest
    profile = PROFILES.get(d.profile)
    if profile is not None:
        return profile.unsubscribe, profile.view_online, profile.preview, ""
    return d.unsubscribe_url, view_online_url(config, label), "", d.unsubscribe_url


def placeholder(url: str) -> bool:
    """Return whether url is on an example host (example.org/.com/.net): a value still to fill in."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _PLACEHOLDER_HOSTS)


def unready(config: Config) -> tuple[str, ...]:
    """Return why a digest made with config may not be mailed as it is (no unsubscribe, no address).

    Anti-spam law (CAN-SPAM, GDPR/ePrivacy) and every ESP require both in bulk mail. `check`
    and `build` warn; `send` refuses.
    """
    d = config.digest
    found = []
    if d.profile == "none":
        if not d.unsubscribe_url:
            found.append("no unsubscribe link: set digest.unsubscribe_url (it also makes the List-Unsubscribe "
                         "and List-Unsubscribe-Post headers), or digest.profile to your ESP's")
        elif placeholder(d.unsubscribe_url):
            found.append(f"digest.unsubscribe_url is still the example {d.unsubscribe_url!r}")
        elif urlsplit(d.unsubscribe_url).scheme != "https":
            found.append("digest.unsubscribe_url must be https: one-click unsubscribe (RFC 8058) needs it")
    address = d.postal_address.strip()
    if not address:
        found.append("no postal address: set digest.postal_address (CAN-SPAM and every ESP require one)")
    elif address.upper().startswith("TODO"):
        found.append(f"digest.postal_address is still the placeholder {address!r}")
    return tuple(found)


def _sections(chosen: Sequence[L], config: Config) -> list[tuple[Category, list[L], int]]:
    """Group entries by category, in digest order: (category, entries shown, how many left out)."""
    groups: dict[Category, list[L]] = {}
    for e in chosen:
        groups.setdefault(e.category, []).append(e)
    cap = config.digest.max_items_per_category
    return [(c, members[:cap] if cap else members, len(members) - len(members[:cap] if cap else members))
            for c, members in _ordered(groups, config)]


def _lead(groups: Sequence[tuple[Category, list[L], int]], rendered: Mapping[str, Rendered],
          config: Config) -> L:
    """Return the lead story: the newest entry tagged 'featured', else the newest shown."""
    shown = sorted((e for _c, members, _more in groups for e in members), key=lambda e: (-e.instant, e.id))
    for e in shown:
        if FEATURED in (t.lower() for t in _rendered(e, rendered, config).entry.tags):
            return e
    return shown[0]


def make(entries: Sequence[Listed], rendered: Mapping[str, Rendered], config: Config, win: Window,
         now: datetime) -> Digest:
    """Group the window's entries into a Digest made at now; raise DigestError when there are none."""
    chosen = in_window(entries, win)
    if not chosen:
        span = f"{win.start.date()} to {win.last_day}, {config.timezone}"
        raise _problem(f"no entries in {win.label} ({span}); nothing to send")
    groups = _sections(chosen, config)
    lead_entry = _lead(groups, rendered, config)
    lead = _item(_rendered(lead_entry, rendered, config), config, win, LEAD_SUMMARY_CHARS)
    sections = []
    for category, members, more in groups:
        rest = [e for e in members if e is not lead_entry]
        if not rest and not more:
            continue
        more_url = with_utm(layout.feed_paths(category).url("atom", config), config, win)
        sections.append(Section(
            replace(category, name=inert(category.name)),
            tuple(_item(_rendered(e, rendered, config), config, win, SUMMARY_CHARS) for e in rest),
            more, more_url, config.digest.accent_colors.get(category.slug, DEFAULT_ACCENT),
        ))
    d = config.digest
    subject = d.subject.format(site=config.title, period=win.period, week=win.label,
                               start=day_text(win.start.date()), end=day_text(win.last_day))
    titles = [lead.title, *(i.title for s in sections for i in s.items[:1])]
    preheader = d.preheader or "In this issue: " + " · ".join(titles[:3])
    unsubscribe, view, preview, list_unsub = _links(config, win.label)
    note = d.footer_note or f"You are receiving this email because you subscribed to {config.title}."
    return Digest(win, lead, tuple(sections), " ".join(subject.split()), " ".join(preheader.split()),
                  unsubscribe, view, preview, list_unsub, d.intro or win.intro, note, now)


def _rendered(e: Listed, rendered: Mapping[str, Rendered], config: Config) -> Rendered:
    found = rendered.get(e.id)
    if found is not None:
        return found
    if not isinstance(e, Entry):
        raise KeyError(f"{e.rel} is shown in the digest but was not rendered")
    from feedpub.render import content

    return content.render(e, config)


# --- writing it -------------------------------------------------------------------------


def wrap(text: str, indent: str = "", first: str | None = None, width: int = TEXT_WIDTH) -> str:
    """Wrap text to width columns where words allow (URLs and long words are never broken)."""
    return textwrap.fill(" ".join(text.split()), width=width, subsequent_indent=indent,
                         initial_indent=indent if first is None else first,
                         break_long_words=False, break_on_hyphens=False)


def link_line(label: str, url: str, indent: str = "", width: int = TEXT_WIDTH) -> str:
    """Return 'label url' on one line, or the url on a line of its own when that is too long."""
    line = f"{indent}{label} {url}"
    return line if len(line) <= width else f"{indent}{label}\n{indent}{url}"


_RTL = frozenset(("ar", "arc", "dv", "fa", "ha", "he", "khw", "ks", "ku", "ps", "sd", "ur", "yi"))


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
    return _html(digest, config, background=False).result()


def _html(digest: Digest, config: Config, *, background: bool) -> workers.Later[str]:
    """Begin the inlined HTML email (in a forked child if background: premailer is slow)."""
    from feedpub.render import inline

    page = templating.render(config, "digest.html.j2", **_context(digest, config))
    return workers.start(functools.partial(inline.inline, page, "digest.html.j2"), background=background)


def text(digest: Digest, config: Config) -> str:
    """Render the plain-text email from the same data as the HTML."""
    return templating.render(config, "digest.txt.j2", **_context(digest, config))


def outputs(digest: Digest, config: Config) -> Made:
    """Make the .html, .txt and .eml files of a digest, and latest.* copies of them."""
    return _outputs(digest, config, background=False).result()


SUBJECT_FILE = f"{FOLDER}latest.subject.txt"  # the subject, decoded, to paste into an ESP


def paths(label: str) -> tuple[str, ...]:
    """Return the files of the digest of a window: its own .html, .txt and .eml, latest.*, the subject."""
    return (*(f"{FOLDER}{name}.{ext}" for name in (label, "latest") for ext in EXTENSIONS), SUBJECT_FILE)


def earlier(out: Path, made: str | None) -> tuple[str, ...]:
    """Return the files of the digests that earlier builds left in the output folder, but made's.

    A digest is a record of what was mailed, and its web copy may be linked from the mail or
    the site, so a build keeps every other week's files (made by an earlier weekly build or by
    ``feedpub digest --week``) as they are, and the site lists them. Only files named like a
    digest count; delete one to drop it from the archive.
    """
    try:
        with os.scandir(out / FOLDER) as found:
            names = [e.name for e in found if e.is_file()]
    except OSError:  # no output folder yet, or no digest in it
        return ()
    kept = []
    for name in names:
        label, dot, ext = name.rpartition(".")
        if dot and ext in EXTENSIONS and label != made and _LABEL.match(label):
            kept.append(FOLDER + name)
    return tuple(sorted(kept))


def _warnings(label: str, size: int, config: Config) -> tuple[str, ...]:
    limit = config.digest.size_limit_kb
    if size <= limit * 1024:
        return ()
    return (f"{FOLDER}{label}.html: the inlined HTML is {size / 1024:.0f} KB, over "
            f"the {limit} KB at which Gmail clips the message (and hides the unsubscribe "
            "link); lower 'digest.max_items_per_category' to fit",)


def _outputs(digest: Digest, config: Config, *, background: bool, key: bytes = b"") -> workers.Later[Made]:
    inlining = _html(digest, config, background=background)
    plain = text(digest, config)  # meanwhile

    def finish(made: list[str]) -> Made:
        from feedpub.outputs import eml  # the email package: only when a digest is made

        page = made[0]
        data = {"html": page.encode("utf-8"), "txt": plain.encode("utf-8"),
                "eml": eml.message(digest, page, plain, config)}
        files = [Output(path, data[path.rsplit(".", 1)[1]], key) for path in paths(digest.window.label)
                 if path != SUBJECT_FILE]
        files.append(Output(SUBJECT_FILE, (digest.subject + "\n").encode("utf-8"), key))
        size = len(data["html"])
        return Made(digest.window.label, tuple(files), digest.count, size,
                    _warnings(digest.window.label, size, config), unready(config))

    return workers.Combined([inlining], finish)


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


def latest(out: Path) -> tuple[str, ...]:
    """Return the latest.* files (and the subject) the output folder holds."""
    return tuple(path for path in (*(f"{FOLDER}latest.{ext}" for ext in EXTENSIONS), SUBJECT_FILE)
                 if (out / path).is_file())


@dataclass(frozen=True)
class Plan(Generic[L]):
    """The digest a build makes: its window and every published record dated in it."""

    window: Window
    members: tuple[L, ...]  # newest first
    shown: tuple[L, ...]  # in digest order: what its sections show
    # the build time: the message's Date; not part of the plan's identity (so of its key): a
    # rebuild keeps the files a digest was made as
    now: datetime | None = field(default=None, compare=False)


def plan(chosen: Selection[R], config: Config, *, now: datetime, request: Request | None) -> Plan[R] | Empty | None:
    """Return the requested digest's plan; Empty for a default week with no entries.

    None when 'latest' finds nothing published (raise when required). A week or range asked
    for by name is planned even when empty: making it raises, naming the window.
    """
    request = request or Request(required=False)
    win = window(request, chosen.published, config, now)
    if win is None:
        if request.required:
            raise _problem("no published entries to make a digest of")
        return None
    members = tuple(in_window(chosen.published, win))
    if not members and request.default:
        return Empty(win)
    shown = tuple(e for _c, m, _more in _sections(members, config) for e in m)
    return Plan(win, members, shown, now)


def report(jobs: Sequence[protocol.Keyed], config: Config) -> Made:
    """Return what the build's digest is, from its files in the output folder (after writing)."""
    for job, key in jobs:
        if job.kind == KIND.name and isinstance(job.plan, Empty):
            return Made(warnings=(job.plan.warning(config, kept=bool(job.paths)),))
        if job.kind == KIND.name and not job.as_is:
            p: Plan[Any] = job.plan
            label = p.window.label
            size = (config.out / job.paths[0]).stat().st_size
            return Made(label, tuple(Kept(path, key) for path in job.paths), len(p.shown), size,
                        _warnings(label, size, config), unready(config))
    return Made()


@dataclass(frozen=True)
class Earlier:
    """The digests earlier builds left in the output folder: kept as they are, never made again."""


TEMPLATES = ("digest.html.j2", "digest.txt.j2", "digest.css")


class _Digest:
    """The kind: the requested (or default) digest's job, and the earlier digests kept as they are."""

    name = "digest"
    after = ()

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:  # noqa: ARG002 - the Kind protocol
        """Return the digest's job (or one keeping latest.* when the default week is empty), then earlier weeks'."""
        made = plan(build.chosen, build.config, now=build.now, request=build.digest)
        jobs: list[Job[Any]] = []
        if isinstance(made, Plan):
            # the templates are given the whole configuration
            jobs.append(Job(self.name, paths(made.window.label), made, protocol.Inputs(protocol.EVERY,
                            templates=TEMPLATES), shows=made.shown, background=True))
        elif isinstance(made, Empty):  # kept byte for byte: the next send must not take an old issue for new
            jobs.append(Job(self.name, latest(build.config.out), made, as_is=True))
        kept = earlier(build.config.out, made.window.label if isinstance(made, Plan) else None)
        if kept:
            jobs.append(Job(self.name, kept, Earlier(), as_is=True))
        return jobs

    def make(self, job: Job[Plan[Any]], given: protocol.Given, rendered: Mapping[str, Rendered]) -> protocol.Made:
        """Make the digest's .html, .txt and .eml files, and the latest.* copies."""
        p = job.plan
        digest = make(p.members, rendered, given.config, p.window, p.now or p.window.end)
        files = _outputs(digest, given.config, background=False).result()
        return protocol.Made(tuple(o for o in files.outputs if isinstance(o, Output)))


KIND = _Digest()
