"""Lint the sources without writing anything: what was inferred, and what will go wrong.

``feedpub check`` runs load and normalise like a build, then looks at what a build would
publish: undated documents, duplicate ids and permalinks, outputs that would overwrite one
another (the build's own check, on the build's own plan), categories the config does not
know, relative links with no real base URL, future dates, empty summaries, a digest that
lacks an unsubscribe link or postal address. The result is a
frozen report; the CLI prints it as text or JSON and picks the exit code.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote

from feedpub import layout, places, select
from feedpub.config import Config
from feedpub.errors import NotAPost, Problem, SourceError
from feedpub.incremental import cache, workers
from feedpub.model import Entry, SourceDoc
from feedpub.outputs import digest, files
from feedpub.pipeline import output_problems, read_entries
from feedpub.render import content, sanitize
from feedpub.sources import assets, conventions, load, xref
from feedpub.sources.body import body_of
from feedpub.sources.fields import address
from feedpub.sources.fields.common import key_tables
from feedpub.sources.fields.status import TEMPLATE_ONLY
from feedpub.sources.normalise import source_path

ERROR, WARNING, INFO = "error", "warning", "info"
DEFAULT_BASE_URL = Config.__dataclass_fields__["base_url"].default  # the example host: "not configured"
_URL_ATTR = re.compile(r"""\b(href|src)\s*=\s*"([^"]*)\"""")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
UNDATED_SOURCES = {  # date sources that are not part of the document, and why they are fragile
    "git": "its first git commit, which a shallow clone or a move to another repository loses",
    "mtime": "the file's modification time, which changes when the file is copied",
    "newest seed": "the newest date among the embedded seeds that carry one",
}


@dataclass(frozen=True)
class Finding:
    """One thing check found about a document (or the whole source folder)."""

    severity: str  # "error", "warning" or "info"
    code: str  # stable identifier for machines: "undated", "duplicate-id", …
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return str(Problem(self.path, self.line, f"{self.severity}: {self.message}"))


@dataclass(frozen=True)
class DocumentReport:
    """Where each field of one document came from."""

    path: str
    title: str
    title_source: str
    date: str  # ISO 8601
    date_source: str
    category: str
    category_source: str
    draft: bool

    @property
    def inferred(self) -> tuple[str, ...]:
        """Return the fields (title, date, category) that the document does not state itself."""
        sources = {"title": self.title_source, "date": self.date_source, "category": self.category_source}
        return tuple(k for k, v in sources.items() if v != "front matter")

    def __str__(self) -> str:
        draft = " (draft)" if self.draft else ""
        return (f"{self.path}: title from {self.title_source}, date {self.date[:10]} from "
                f"{self.date_source}, category '{self.category}' from {self.category_source}{draft}")


@dataclass(frozen=True)
class CheckReport:
    """Everything check found: one report per readable document, and the findings."""

    documents: tuple[DocumentReport, ...]
    findings: tuple[Finding, ...]
    excluded: tuple[tuple[str, str], ...] = ()  # (path, why) of what was not read as a document

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Return the findings that would make a build fail."""
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Return the findings a build survives but a reader may notice."""
        return tuple(f for f in self.findings if f.severity == WARNING)

    @property
    def title_and_date_inferred(self) -> tuple[str, ...]:
        """Return the documents whose title and date both were inferred."""
        return tuple(d.path for d in self.documents if {"title", "date"} <= set(d.inferred))

    def exit_code(self, *, strict: bool = False) -> int:
        """Return 1 on errors (and on warnings when strict), else 0."""
        return 1 if self.errors or (strict and self.warnings) else 0

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain data (for --format json)."""
        return {
            "documents": [{**asdict(d), "inferred": list(d.inferred)} for d in self.documents],
            "findings": [asdict(f) for f in self.findings],
            "excluded": [{"path": p, "reason": why} for p, why in self.excluded],
            "summary": {"documents": len(self.documents), "errors": len(self.errors),
                        "warnings": len(self.warnings),
                        "title_and_date_inferred": list(self.title_and_date_inferred)},
        }


def _line_of(entry: Entry, config: Config, needle: str) -> int | None:
    try:
        text = source_path(entry, config).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _relative_urls(raw_html: str) -> list[str]:
    urls = []
    for _attr, value in _URL_ATTR.findall(raw_html):
        url = html.unescape(value).strip()
        if url and not url.startswith(("#", "//")) and not _SCHEME.match(url):
            urls.append(url)
    return list(dict.fromkeys(urls))


def _source_findings(entry: Entry, doc: SourceDoc, config: Config) -> list[Finding]:
    """Find what the document says that no reader of it will see: template tags, unknown keys, a fallen-back date."""
    found = []
    action = "stripped from" if config.template_syntax == "strip" else "kept as text in"
    for line, tag in body_of(doc, config.template_syntax).templates:
        found.append(Finding(WARNING, "template-syntax", entry.rel, line,
                             f"template tag {tag!r} is not run by feedpub: {action} the output "
                             "(template_syntax)"))
    found += _unknown_keys(entry, doc, config)
    if entry.date_source == "filename":
        bad = next((k for k in conventions.DATE if k in doc.meta and not isinstance(doc.meta[k], bool)), None)
        if bad is not None:
            found.append(Finding(WARNING, "date-from-filename", entry.rel, doc.meta_lines.get(bad),
                                 f"'{bad}' is not a valid date ({str(doc.meta[bad])[:40]!r}): dated "
                                 f"{entry.date.date()} from the file name instead"))
    for key in conventions.ID:  # WordPress's post number, as its exporters write it: no id
        value = doc.meta.get(key) if doc.meta else None
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip() \
                and not address.is_uri(str(value).strip()):
            found.append(Finding(WARNING, "id-not-uri", entry.rel, doc.meta_lines.get(key),
                                 f"'{key}' {str(value)[:40]!r} is no absolute URI (https://… or urn:…), so it is "
                                 f"not the entry's id: its id is {entry.id}"))
    return found


def _unknown_keys(entry: Entry, doc: SourceDoc, config: Config) -> list[Finding]:
    """Find the front-matter keys neither feedpub nor a generator reads (a typo, most often)."""
    accepted = conventions.READ | conventions.GENERATORS | frozenset(config.front_matter_keys)
    if doc.dialect == "headers":  # Pelican's and MultiMarkdown's header names are case-insensitive
        accepted = frozenset(k.lower() for k in accepted)
    found = []
    for key in doc.meta:
        if key in accepted:
            continue
        hint = difflib.get_close_matches(key, sorted(conventions.READ), n=1, cutoff=0.75)
        suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
        found.append(Finding(WARNING, "unknown-key", entry.rel, doc.meta_lines.get(key),
                             f"front-matter key '{key}' is not read by feedpub{suffix}; "
                             "list it in 'front_matter_keys' to accept it"))
    return found


def _missing_files(entry: Entry, cleaned: str, config: Config, available: frozenset[str],
                   image_line: int | None) -> list[Finding]:
    """Find the links under base_url that an entry shows or has but that the site will not have.

    available: every output path a build makes or copies. A file (an image, a PDF) that is
    not there is 'missing-file'; a page that is not there, 'dead-link'. image_line: the line
    of the key that names the entry's image.
    """
    urls = [(entry.image.url, True)] if entry.image is not None else []
    urls += [(html.unescape(u), False) for _attr, u in _URL_ATTR.findall(cleaned)]
    found = []
    for url, is_image in dict.fromkeys(urls):
        if not url.startswith(config.base_url):
            continue
        path = unquote(url[len(config.base_url):].partition("#")[0].partition("?")[0])
        missing = _not_on_site(path, config, available)
        if missing is None:
            continue
        code, message = missing
        line = image_line if is_image else _line_of(entry, config, path.rsplit("/", 1)[-1] or url)
        found.append(Finding(WARNING, code, entry.rel, line, f"{message}: {url} will not exist on the site"))
    return found


def _not_on_site(path: str, config: Config, available: frozenset[str]) -> tuple[str, str] | None:
    """Return the finding's code and message for a path under base_url the site will not have, else None."""
    if assets.is_asset(path.rsplit("/", 1)[-1]):
        if path in available:
            return None
        where = "static_dir" if config.static_dir is not None else "a 'static' folder beside feedpub.toml"
        return "missing-file", f"'{path}' is not in the source folder or {where}"
    page = path + "index.html" if not path or path.endswith("/") else path
    if page in available or f"{page}/index.html" in available:
        return None
    return "dead-link", f"'{page}' is no page of the site (no document has that address)"


def _image_key(doc: SourceDoc) -> tuple[str, str] | None:
    """Return the front-matter key that names the entry's image, and the key whose line it is on.

    The image itself is normalise's (``entry.image``, the build's rule); this only finds which
    key of ``conventions.IMAGE`` gave it, in the same order (top level, then Zola's
    ``[extra]``, Hugo's ``[params]``), to point at its line: ``('featured_image', 'featured_image')``,
    ``('extra.image', 'extra')``.
    """
    for name, table in key_tables(doc.meta):
        key = next((k for k in conventions.IMAGE if table.get(k) not in (None, "", [], {})), None)
        if key is not None:
            return (f"{name}.{key}", name) if name else (key, key)
    return None


def _body_findings(entry: Entry, config: Config, base_configured: bool,
                   available: frozenset[str] | None, chosen: select.Selection[Entry] | None) -> list[Finding]:
    doc = load.read(source_path(entry, config), config.source, config.limits)
    body = body_of(doc, config.template_syntax)
    raw = content.markup(body.text, body.fmt)  # the build's rendering, looked at before and after sanitizing
    cleaned = content.sanitized(raw, entry, config)
    found = _source_findings(entry, doc, config)
    if entry.refs and chosen is not None:  # its links to other documents, as a build resolves them
        cleaned = chosen.rendered(entry, cleaned, "").content_html
        found += [Finding(WARNING, "unresolved-link", entry.rel, ref.line, xref.unresolved_message(ref))
                  for ref in chosen.unresolved(entry)]
    if entry.template_only:
        found.append(Finding(WARNING, "no-body", entry.rel, entry.template_only, TEMPLATE_ONLY))
    if sanitize.too_deep(raw):
        found.append(Finding(WARNING, "deep-html", entry.rel, None,
                             f"its HTML nests more than {sanitize.MAX_DEPTH} elements deep (or keeps more than "
                             f"{sanitize.MAX_FORMATTING} like <b> open) as a browser reads it: from there on "
                             "its tags are dropped, the text kept"))
    found += _link_findings(entry, doc, raw, cleaned, config, base_configured, available)
    if not entry.summary and not content.summary_from_html(cleaned):
        found.append(Finding(WARNING, "empty-summary", entry.rel, entry.lines.get("summary"),
                             "summary is empty (no 'summary' and no paragraph of text): "
                             "readers will show the title twice"))
    return found


def _link_findings(entry: Entry, doc: SourceDoc, raw: str, cleaned: str, config: Config,
                   base_configured: bool, available: frozenset[str] | None) -> list[Finding]:
    """Find the image and links of an entry that a build would leave broken or pointing at the example host."""
    image = _image_key(doc) if entry.image is not None else None
    image_line = entry.lines.get(image[1]) if image else None
    found = []
    if available is not None and not entry.draft:
        found += _missing_files(entry, cleaned, config, available, image_line)
    if not base_configured:
        found += _relative_findings(entry, raw, config, image, image_line)
    return found


def _relative_findings(entry: Entry, raw: str, config: Config, image: tuple[str, str] | None,
                       image_line: int | None) -> list[Finding]:
    """Find the image and links that will point at the example host, base_url being left unset."""
    found = []
    # a relative image is resolved against base_url (or its page's address, under it): with
    # base_url the example, an image under it was written relative
    if image is not None and entry.image is not None and entry.image.url.startswith(config.base_url):
        found.append(Finding(WARNING, "relative-image", entry.rel, image_line,
                             f"relative '{image[0]}' will point at {entry.image.url}: "
                             "set 'base_url' in feedpub.toml to your site's address"))
    for url in _relative_urls(raw):
        found.append(Finding(WARNING, "relative-link", entry.rel, _line_of(entry, config, url),
                             f"relative link {url!r} will point at {config.base_url}: "
                             "set 'base_url' in feedpub.toml to your site's address"))
    return found


def _entry_findings(entry: Entry, config: Config, now: datetime, base_configured: bool,
                    available: frozenset[str] | None = None,
                    chosen: select.Selection[Entry] | None = None) -> list[Finding]:
    found = _date_findings(entry, config, now)
    if config.categories and entry.category.slug not in config.categories:
        known = ", ".join(sorted(config.categories))
        found.append(Finding(WARNING, "unknown-category", entry.rel, entry.lines.get("category"),
                             f"category '{entry.category.slug}' is not in [categories] ({known})"))
    if entry.draft and entry.title_source == "redirect":
        found.append(Finding(INFO, "excluded", entry.rel, None, f"a redirect stub ({entry.title}): not published"))
    elif entry.draft:
        found.append(Finding(INFO, "draft", entry.rel, entry.lines.get("draft"), "draft: not published"))
    if entry.title_source == "redirect":
        return found  # not an article: its body is nobody's concern
    return found + _body_findings(entry, config, base_configured, available, chosen)


def _date_line(entry: Entry) -> int | None:
    """Return the line of the key that dates an entry (its date key, or the address a date came from), if any."""
    if entry.date_source in entry.lines:  # path, permalink, url
        return entry.lines[entry.date_source]
    if entry.date_source == "front matter":
        return next((entry.lines[k] for k in conventions.DATE if k in entry.lines), None)
    return None


def _date_findings(entry: Entry, config: Config, now: datetime) -> list[Finding]:
    """Find a date that is not the document's own, a date in the future, an expiry already past."""
    found = []
    if entry.date_source in UNDATED_SOURCES:
        found.append(Finding(WARNING, "undated", entry.rel, None,
                             f"no date in the document: dated {entry.date.date()} from "
                             f"{UNDATED_SOURCES[entry.date_source]}; "
                             "add 'date: YYYY-MM-DD' to its front matter"))
    if entry.date > now and not entry.draft:
        action = ("published because 'future' is on" if config.future
                  else "left out until then (or use --future)")
        found.append(Finding(WARNING, "future-date", entry.rel, _date_line(entry),
                             f"dated in the future ({entry.date.isoformat()}): {action}"))
    if entry.expires is not None and entry.expires <= now and not entry.draft:
        found.append(_expired(entry, entry.expires))
    return found


def _expired(entry: Entry, expires: datetime) -> Finding:
    """Say that a generator would no longer publish an entry past its expiry date, and feedpub does."""
    key = next((k for k in conventions.EXPIRES if k in entry.lines), None)
    return Finding(WARNING, "expired", entry.rel, entry.lines.get(key) if key else None,
                   f"expired on {expires.date()} ('{key or 'expiryDate'}'): its generator no longer "
                   "publishes it, feedpub still does (add 'draft: true' or list it in 'exclude')")


def _site_paths(config: Config, published: list[Entry], copied: Iterable[str]) -> frozenset[str]:
    """Return the output paths a build of published would make or copy (copied: the files copied; for links)."""
    paths = set(copied)
    folders = ["", *(layout.feed_paths(e.category).folder for e in published)]
    if config.tag_feeds:
        folders += [layout.tag_folder(layout.tag_slug(t)) for e in published for t in e.tags]
    for folder in folders:
        paths.update(folder + name for name in (*layout.FEED_FILES.values(), layout.PAGE_FILE))
    paths.update((layout.OPML, layout.SITEMAP, layout.FEED_STYLESHEET, layout.SITE_STYLESHEET, layout.NOT_FOUND))
    paths.update(p for e in published if (p := layout.page_path(e.url, config)) is not None)
    return frozenset(paths)


def _no_base_url(config: Config) -> Finding:
    """Say where base_url is still the example: set to it in the config file, not set there, or no file."""
    example = f"links will point at the example host {config.base_url}"
    if "base_url" in config.key_lines:
        return Finding(WARNING, "no-base-url", str(config.config_path), config.key_lines["base_url"],
                       f"'base_url' is the example {config.base_url!r}: {example}; set your site's address")
    if config.config_path is not None:
        return Finding(WARNING, "no-base-url", str(config.config_path), None,
                       f"'base_url' is not set: {example}; add base_url = \"https://…/\"")
    return Finding(WARNING, "no-base-url", "feedpub", None,
                   f"'base_url' is not set (there is no feedpub.toml; 'feedpub init' writes one): {example}")


def _digest_findings(config: Config) -> list[Finding]:
    """Warn when the digest could not be mailed as it is: no unsubscribe mechanism, no postal address."""
    where = str(config.config_path or "feedpub.toml")
    return [Finding(WARNING, "digest-postal-address" if "postal" in reason else "digest-unsubscribe", where, None,
                    f"the digest is not ready to send: {reason}") for reason in digest.unready(config)]


def _read_findings(problems: Iterable[Problem]) -> list[Finding]:
    """Turn the problems of reading the documents into findings: a non-post warned of, the rest errors."""
    return [Finding(WARNING, "not-a-post", p.path, p.line, p.message) if isinstance(p, NotAPost)
            else Finding(ERROR, "invalid", p.path, p.line, p.message) for p in problems]


def _pages_off(config: Config) -> Finding:
    """Say that, pages being off, every entry's address is the site generator's to make."""
    return Finding(INFO, "pages-off", str(config.config_path or "feedpub.toml"),
                   config.key_lines.get("pages"),
                   f"pages = false: feedpub writes no article pages; every entry links to its "
                   f"address under {config.base_url}, which your site's generator must make")


def _unique_findings(published: list[Entry]) -> list[Finding]:
    """Find the ids and permalinks two published entries share."""
    try:
        select.check_unique(published)
    except SourceError as e:
        code = {True: "duplicate-id", False: "duplicate-permalink"}
        return [Finding(ERROR, code["duplicate id" in p.message], p.path, p.line, p.message)
                for p in e.problems]
    return []


def _output_findings(config: Config, now: datetime, entries: list[Entry]) -> list[Finding]:
    """Find the outputs a build would refuse to write: the build's own plan and rule (over the entries read)."""
    return [Finding(ERROR, "unsafe-path" if p.message.startswith("refusing") else "output-clash",
                    p.path, p.line, p.message) for p in output_problems(config, now=now, entries=entries)]


def _document_reports(entries: list[Entry]) -> tuple[DocumentReport, ...]:
    return tuple(
        DocumentReport(e.rel, e.title, e.title_source, e.date.isoformat(), e.date_source,
                       e.category.name, e.category_source, e.draft)
        for e in entries
    )


def _discovered(config: Config, refused: list[places.Refused]
                ) -> tuple[tuple[tuple[str, str], ...], list[places.Refused]]:
    """Return the documents the walk excluded, and refused with the paths it refused first."""
    if not config.source.is_dir():
        return (), refused
    found = load.discover(config.source, load.Rules.of(config))
    return tuple(found.excluded), [*found.refused, *refused]


PARALLEL_CHECKS = 1500  # documents below which forking workers to look at them costs more than it saves


def _findings_of(job: tuple[list[Entry], Config, datetime, bool, frozenset[str] | None, select.Selection[Entry]],
                 indexes: range) -> list[list[Finding]]:
    """Return the findings of each entry of job at indexes, in order (run in forked workers when many)."""
    entries, config, now, base_configured, available, chosen = job
    return [_entry_findings(entries[i], config, now, base_configured, available, chosen) for i in indexes]


def check(config: Config, *, now: datetime) -> CheckReport:
    """Lint every document of config.source as a build at now would see it; write nothing."""
    places.check(config, cache.written_root(config))  # the folders a build would refuse: refused here too
    entries, problems = read_entries(config)
    findings = _read_findings(problems)
    base_configured = config.base_url != DEFAULT_BASE_URL
    if not base_configured:
        findings.append(_no_base_url(config))
    findings.extend(_digest_findings(config))
    entries = sorted(entries, key=lambda e: e.rel)
    published = [e for e in entries if not e.draft]
    copied, refused = files.local_files(config, [(e.rel, e.url) for e in published])
    available = None  # the files a build copies (pages on: feedpub hosts the site, so it can tell)
    if config.pages:
        available = _site_paths(config, published, copied)
    else:
        findings.append(_pages_off(config))
    # each document read, rendered and sanitized again, on every core (most of check's time)
    # what links to other documents resolve to: the documents a build at now publishes
    chosen = select.Selection(select.publishable(published, config, now), {}, frozenset(), config.base_url)
    job = (entries, config, now, base_configured, available, chosen)
    for found in workers.run(_findings_of, job, len(entries), workers.count(config.workers), PARALLEL_CHECKS):
        findings.extend(found)
    findings.extend(_unique_findings(published))
    if entries:
        findings.extend(_output_findings(config, now, entries))
    excluded, refused = _discovered(config, refused)
    # a link to a folder outside is met by the walk for documents and by the one for files: said once
    findings.extend(Finding(WARNING, "not-read", r.rel, None, r.why) for r in dict.fromkeys(refused))
    return CheckReport(_document_reports(entries), tuple(findings), excluded)
