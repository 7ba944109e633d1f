"""The digest kind: which job a build plans, the files it makes, and what the build reports of it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from feedpub.config import Config
from feedpub.errors import DigestError
from feedpub.model import Category, Entry, Kept, Output, Rendered
from feedpub.outputs import protocol
from feedpub.outputs.digest import compliance, folder, kind, view
from feedpub.outputs.digest.week import Empty, Request, Window
from feedpub.select import Selection

MONDAY = datetime(2023, 2, 20, tzinfo=UTC)  # 2023-W08
NOW = datetime(2023, 3, 1, 9, tzinfo=UTC)  # in 2023-W09: the default digest is 2023-W08's
W08 = Window("2023-W08", MONDAY, MONDAY + timedelta(days=7))
NEWS, EVENTS = Category("news", "News"), Category("events", "Events")


def entry(id_: str, hours: float, category: Category = NEWS) -> Entry:
    """Return an entry dated hours after 2023-W08's Monday midnight."""
    when = MONDAY + timedelta(hours=hours)
    return Entry(id=id_, url=f"https://news.example.org/{id_}/", title=f"Title {id_}", title_source="front matter",
                 date=when, date_source="front matter", updated=when, category=category,
                 category_source="front matter", summary="", source="", authors=(), tags=(), image=None,
                 rel=f"{id_}.md", fmt="markdown")


def chosen(*entries: Entry) -> Selection[Entry]:
    """Return what a build publishes: entries newest first."""
    return Selection(tuple(sorted(entries, key=lambda e: -e.instant)), {}, frozenset())


@pytest.fixture
def site(tmp_path: Path) -> Config:
    """A site whose output folder is tmp_path/dist."""
    return Config(source=tmp_path / "src", out=tmp_path / "dist", base_url="https://news.example.org/",
                  title="Acme News")


def _touch(out: Path, *names: str) -> None:
    (out / "digest").mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / "digest" / name).write_bytes(b"x" * 10)


class TestPlan:
    def test_the_default_is_last_week_with_its_entries(self, site: Config) -> None:
        """No request: last week's entries, newest first, and those the sections show in their order."""
        a, b, c = entry("a", 1, EVENTS), entry("b", 2), entry("c", 3)
        found = kind.plan(chosen(a, b, c, entry("next", 24 * 7)), site, now=NOW, request=None)
        assert found == kind.Plan(W08, (c, b, a), (c, b, a))
        assert isinstance(found, kind.Plan)
        assert found.now == NOW

    def test_shown_leaves_out_what_the_cap_leaves_out(self, site: Config) -> None:
        """The entries past digest.max_items_per_category are members but not shown."""
        cfg = dataclasses.replace(site, digest=dataclasses.replace(site.digest, max_items_per_category=1))
        a, b, c = entry("a", 1, EVENTS), entry("b", 2), entry("c", 3)
        found = kind.plan(chosen(a, b, c), cfg, now=NOW, request=None)
        assert isinstance(found, kind.Plan)
        assert (found.members, found.shown) == ((c, b, a), (c, a))

    def test_an_empty_default_week_is_empty(self, site: Config) -> None:
        """No entry last week: no digest, whether or not asked for by `feedpub digest` without a week."""
        older = chosen(entry("old", -1))
        assert kind.plan(older, site, now=NOW, request=None) == Empty(W08)
        assert kind.plan(older, site, now=NOW, request=Request()) == Empty(W08)

    def test_a_named_week_is_planned_even_when_empty(self, site: Config) -> None:
        """A week asked for by name is planned with no members: making it says it is empty."""
        found = kind.plan(chosen(entry("old", -1)), site, now=NOW, request=Request("2023-W08"))
        assert found == kind.Plan(W08, (), ())

    def test_latest_with_nothing_published(self, site: Config) -> None:
        """'latest' with nothing published: no digest for a build, an error for `feedpub digest`."""
        assert kind.plan(chosen(), site, now=NOW, request=Request("latest", required=False)) is None
        with pytest.raises(DigestError) as e:
            kind.plan(chosen(), site, now=NOW, request=Request("latest"))
        assert str(e.value) == "digest: no published entries to make a digest of"

    def test_the_build_time_is_not_part_of_the_plan(self) -> None:
        """Two builds of the same week plan equal digests (so the same key) at different times."""
        assert kind.Plan(W08, (), (), NOW) == kind.Plan(W08, (), (), NOW + timedelta(days=1))


def digest(config: Config, now: datetime = NOW) -> view.Digest:
    """Return the digest of two entries of 2023-W08."""
    entries = [entry("a", 2), entry("b", 1)]
    return view.make(entries, {e.id: Rendered(e, "<p>x</p>", "Words.") for e in entries}, config, W08, now)


class TestOutputs:
    def test_every_file(self, site: Config) -> None:
        """The week's .html/.txt/.eml, the same bytes as latest.*, and the subject."""
        made = kind.outputs(digest(site), site)
        assert [o.path for o in made.outputs] == [
            "digest/2023-W08.html", "digest/2023-W08.txt", "digest/2023-W08.eml",
            "digest/latest.html", "digest/latest.txt", "digest/latest.eml", "digest/latest.subject.txt"]
        data = {o.path: o.data for o in made.outputs if isinstance(o, Output)}
        for ext in ("html", "txt", "eml"):
            assert data[f"digest/2023-W08.{ext}"] == data[f"digest/latest.{ext}"]
        assert data["digest/latest.subject.txt"] == "Acme News — week of 20 February 2023\n".encode()
        assert data["digest/2023-W08.html"].startswith(b"<!DOCTYPE html>")
        assert data["digest/2023-W08.txt"].startswith("Acme News — week of 20 February 2023\n".encode())
        msg = BytesParser(policy=policy.default).parsebytes(data["digest/2023-W08.eml"])
        plain = msg.get_body(("plain",))
        assert plain is not None
        assert plain.get_content().replace("\r\n", "\n") == data["digest/2023-W08.txt"].decode()

    def test_what_it_reports(self, site: Config) -> None:
        """Label, items, the inlined HTML's size, and whether it may be sent or Gmail would clip it."""
        made = kind.outputs(digest(site), site)
        html = next(o for o in made.outputs if isinstance(o, Output) and o.path.endswith(".html"))
        assert (made.label, made.items, made.html_bytes) == ("2023-W08", 2, len(html.data))
        assert made.warnings == ()
        assert made.unready == compliance.unready(site) != ()
        tight = dataclasses.replace(site, digest=dataclasses.replace(site.digest, size_limit_kb=1))
        assert kind.outputs(digest(tight), tight).warnings == compliance.clipped("2023-W08", len(html.data), tight)


def job(plan: Any, paths: tuple[str, ...], *, of: str = "digest", as_is: bool = False) -> protocol.Keyed:
    """Return a keyed job of some kind."""
    return protocol.Keyed(protocol.Job(of, paths, plan, as_is=as_is), b"key")


class TestReport:
    def test_no_digest(self, site: Config) -> None:
        """A build without a digest job reports none."""
        assert kind.report([], site) == kind.Made()
        assert kind.report([job(kind.Earlier(), ("digest/2023-W01.html",), as_is=True)], site) == kind.Made()

    def test_the_digest_written(self, site: Config) -> None:
        """The digest's label, its files as kept under its key, the items shown and the HTML's size on disk."""
        _touch(site.out, "2023-W08.html")
        plan = kind.Plan(W08, (entry("a", 1), entry("b", 2)), (entry("a", 1),))
        paths = ("digest/2023-W08.html", "digest/latest.html")
        found = kind.report([job(kind.Earlier(), ("digest/2023-W01.html",), as_is=True), job(plan, paths)], site)
        assert found == kind.Made("2023-W08", (Kept(paths[0], b"key"), Kept(paths[1], b"key")), 1, 10, (),
                                  compliance.unready(site))

    def test_a_large_digest_warns(self, site: Config) -> None:
        """The size on disk is what Gmail's limit is compared with."""
        (site.out / "digest").mkdir(parents=True)
        (site.out / "digest" / "2023-W08.html").write_bytes(b"x" * (102 * 1024 + 1))
        found = kind.report([job(kind.Plan(W08, (), ()), ("digest/2023-W08.html",))], site)
        assert found.warnings == compliance.clipped("2023-W08", 102 * 1024 + 1, site) != ()

    def test_an_empty_week_warns(self, site: Config) -> None:
        """An empty default week is a warning, saying whether latest.* were kept."""
        kept = kind.report([job(Empty(W08), ("digest/latest.html",), as_is=True)], site)
        assert kept == kind.Made(warnings=(Empty(W08).warning(site, kept=True),))
        assert "latest.* kept as they were" in kept.warnings[0]
        none = kind.report([job(Empty(W08), (), as_is=True)], site)
        assert none == kind.Made(warnings=(Empty(W08).warning(site, kept=False),))

    def test_other_kinds_are_not_the_digest(self, site: Config) -> None:
        """Only the digest kind's jobs count."""
        assert kind.report([job(Empty(W08), (), of="feeds"), job(kind.Plan(W08, (), ()), ("x",), of="feeds")],
                           site) == kind.Made()


def build(config: Config, published: Selection[Entry], request: Request | None = None) -> protocol.Build:
    """Return what the kinds plan from."""
    return protocol.Build(config, NOW, published, "context", request)  # type: ignore[arg-type]


class TestKind:
    def test_its_name_and_place(self) -> None:
        """The kind is 'digest' and plans from no other kind."""
        assert (kind.KIND.name, kind.KIND.after) == ("digest", ())

    def test_the_digest_job_then_the_earlier_ones(self, site: Config) -> None:
        """One background job of every setting and the templates, then the earlier digests kept as they are."""
        _touch(site.out, "2023-W08.html", "2023-W01.html", "2023-W01.txt", "latest.html")
        a = entry("a", 1)
        jobs = kind.KIND.plan(build(site, chosen(a)), [])
        assert jobs == [
            protocol.Job("digest", folder.paths("2023-W08"), kind.Plan(W08, (a,), (a,)),
                         protocol.Inputs(protocol.EVERY, templates=("digest.html.j2", "digest.txt.j2", "digest.css")),
                         shows=(a,), background=True),  # type: ignore[arg-type]  # an entry stands for its record
            protocol.Job("digest", ("digest/2023-W01.html", "digest/2023-W01.txt"), kind.Earlier(), as_is=True),
        ]

    def test_an_empty_week_keeps_latest(self, site: Config) -> None:
        """An empty default week plans a job keeping latest.* as they are, and the earlier digests (its own too)."""
        _touch(site.out, "2023-W08.html", "latest.html", "latest.txt")
        jobs = kind.KIND.plan(build(site, chosen(entry("old", -1))), [])
        assert jobs == [
            protocol.Job("digest", ("digest/latest.html", "digest/latest.txt"), Empty(W08), as_is=True),
            protocol.Job("digest", ("digest/2023-W08.html",), kind.Earlier(), as_is=True),
        ]

    def test_nothing_to_plan(self, site: Config) -> None:
        """No digest and no earlier one: no job."""
        assert kind.KIND.plan(build(site, chosen(), Request("latest", required=False)), []) == []

    def test_make_gives_the_files_dated_at_the_build(self, site: Config) -> None:
        """make() gives the files of the plan; the message is dated at the build time, else the window's end."""
        a = entry("a", 1)
        rendered = {a.id: Rendered(a, "<p>x</p>", "Words.")}
        for now, date in ((NOW, "Wed, 01 Mar 2023 09:00:00 +0000"), (None, "Mon, 27 Feb 2023 00:00:00 +0000")):
            plan = kind.Plan(W08, (a,), (a,), now)
            made = kind.KIND.make(protocol.Job("digest", folder.paths("2023-W08"), plan),
                                  protocol.Given(site, chosen(), None), rendered)  # type: ignore[arg-type]
            assert [o.path for o in made.outputs] == list(folder.paths("2023-W08"))
            eml = next(o.data for o in made.outputs if o.path.endswith(".eml"))
            assert BytesParser(policy=policy.default).parsebytes(eml)["Date"] == date
