"""Job keys from declared inputs: every input changes the key, and make() reads nothing it did not declare."""

from __future__ import annotations

import builtins
import io
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from feedpub import outputs
from feedpub.config import Config
from feedpub.incremental import executor, inputs
from feedpub.model import Output, Rendered
from feedpub.outputs.protocol import ALL, EVERY, NOT_A_FILE, Build, File, Given, Inputs, Job, Made
from feedpub.pipeline import build
from feedpub.records import Record
from feedpub.select import Selection
from tests.conftest import NOW, write_doc


@dataclass(frozen=True)
class Plan:
    """A plan as a kind would write one."""

    name: str
    count: int = 1
    made: str = field(default="", compare=False)  # not part of the plan's identity


def key(job: Job[Any], config: Config, **build: Any) -> bytes:
    """Return a job's key in a build of config."""
    return inputs.Keys(Build(config, build.pop("now", NOW), Selection((), {}, frozenset()), "ctx", **build))(job)


class TestKeys:
    def test_each_declared_input_changes_the_key(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """The plan, a declared setting's value, a file's size or mtime, a template and the time (declared) change it."""
        config = make_config(tmp_path)
        image = File(str(tmp_path / "i.png"), 10, 5, 7)
        base = Job("k", ("a.html",), Plan("x"), Inputs(("title",), (image,), ("article.html.j2",), now=True))
        first = key(base, config)
        assert first == key(base, config)
        others = [
            key(base._replace(plan=Plan("y")), config),
            key(base._replace(plan=Plan("x", 2)), config),
            key(base._replace(paths=("b.html",)), config),
            key(base._replace(paths=("a.html", "b.html")), config),  # every path of a job of several files
            key(base._replace(paths=("a.html", "c.html")), config),
            key(base._replace(paths=("a.html", "b.html", "c.html")), config),
            key(base._replace(kind="other"), config),
            key(base, make_config(tmp_path, title="Another")),
            key(base._replace(inputs=Inputs(("title",), (image._replace(size=11),), ("article.html.j2",), now=True)),
                config),
            key(base._replace(inputs=Inputs(("title",), (image._replace(mtime_ns=6),), ("article.html.j2",),
                                            now=True)), config),
            key(base._replace(inputs=Inputs(("title",), (image,), ("list.html.j2",), now=True)), config),
            key(base, config, now=NOW.replace(year=2030)),
        ]
        assert len({first, *others}) == len(others) + 1

    def test_names_not_valid_utf8_are_keyed(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """An output path or a declared file whose name is not valid UTF-8 (a Linux file name) has a key of its own."""
        config = make_config(tmp_path)
        odd, plain = "caf\udce9", "cafe"  # os.fsdecode of b"caf\xe9"
        keys = {key(Job("k", (f"{name}/index.html",), Plan("x"), Inputs(files=(File(str(tmp_path / f"{image}.png"), 1, 2, 3),))),
                    config) for name in (odd, plain) for image in (odd, plain)}
        assert len(keys) == 4

    def test_undeclared_inputs_do_not_change_the_key(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """An undeclared setting, the time when not declared, and a field with compare=False leave the key as it is."""
        config = make_config(tmp_path)
        job = Job("k", ("a.html",), Plan("x"), Inputs(("title",)))
        assert key(job, config) == key(job, make_config(tmp_path, description="Other"))
        assert key(job, config) == key(job, config, now=NOW.replace(year=2030))
        assert key(job, config) == key(job._replace(plan=Plan("x", made="later")), config)

    def test_every_setting_that_changes_an_output(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """EVERY covers each setting that can change an output's bytes, and none that only says where or how fast."""
        job = Job("k", ("a.html",), Plan("x"), Inputs(EVERY))
        config = make_config(tmp_path)
        assert key(job, config) != key(job, make_config(tmp_path, description="Other"))
        assert key(job, config) == key(job, make_config(tmp_path, workers=1, out=str(tmp_path / "elsewhere")))

    def test_template_override_changes_the_key(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """A declared template is hashed by the file it is read from: the site's own one, then its edits."""
        templates = tmp_path / "templates"
        templates.mkdir()
        job = Job("k", ("a.html",), Plan("x"), Inputs(templates=("article.html.j2",)))
        default = key(job, make_config(tmp_path, templates_dir=str(templates)))
        (templates / "article.html.j2").write_text("mine")
        mine = key(job, make_config(tmp_path, templates_dir=str(templates)))
        (templates / "article.html.j2").write_text("mine, edited")
        assert len({default, mine, key(job, make_config(tmp_path, templates_dir=str(templates)))}) == 3

    def test_a_plan_of_unknown_values_is_refused(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """A plan holding a value keys cannot hash by value (an object) is a TypeError, not a key that ignores it."""
        with pytest.raises(TypeError, match="a job's plan holds a object"):
            key(Job("k", ("a",), (object(),)), make_config(tmp_path))

    def test_files_are_stat_once_each(self, tmp_path: Path) -> None:
        """Stats gives a file's size and mtime, NOT_A_FILE for a missing file or a folder, and remembers them."""
        (tmp_path / "f").write_bytes(b"12345")
        stats = inputs.Stats()
        found = stats(str(tmp_path / "f"))
        assert (found.size, found.mtime_ns) == (5, os.stat(tmp_path / "f").st_mtime_ns)
        (tmp_path / "f").write_bytes(b"123456789")
        assert stats(str(tmp_path / "f")) == found  # one build, one stat
        assert stats(str(tmp_path / "missing")).size == NOT_A_FILE
        assert stats(str(tmp_path)).size == NOT_A_FILE


class _Reads:
    """A kind whose make() reads the title, declared or not, and tells whether it was given the time."""

    def __init__(self, settings: tuple[str, ...], now: bool = False, after: tuple[str, ...] = ()) -> None:
        self.name, self.after, self.settings, self.now = "reads", after, settings, now

    def plan(self, build: Build, planned: Sequence[Job[Any]]) -> list[Job[Any]]:
        return [Job(self.name, ("r.txt",), Plan("r"), Inputs(self.settings, now=self.now))]

    def make(self, job: Job[Any], given: Given, rendered: Mapping[str, Rendered]) -> Made:
        return Made((Output(job.paths[0], f"{given.config.title} {given.now}".encode()),))


class TestGiven:
    def _make(self, kind: _Reads, config: Config) -> bytes:
        build = Build(config, NOW, Selection((), {}, frozenset()), "ctx")
        (job,) = kind.plan(build, [])
        return kind.make(job, inputs.Givens(build)(job), {}).outputs[0].data

    def test_make_reads_what_was_declared(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """make() is given the declared settings, and the build time only when it declared it."""
        config = make_config(tmp_path, title="Site")
        assert self._make(_Reads(("title",)), config) == b"Site None"
        assert self._make(_Reads(("title",), now=True), config) == f"Site {NOW}".encode()
        assert self._make(_Reads(EVERY), config) == b"Site None"

    def test_reading_an_undeclared_setting_fails(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """A make() that reads a setting its job did not declare fails, naming the kind and the setting."""
        with pytest.raises(inputs.UndeclaredInputError, match="kind 'reads': make\\(\\) read the setting 'title'"):
            self._make(_Reads(("base_url",)), make_config(tmp_path))

    def test_given_settled_values_publish_nothing(self, make_config: Callable[..., Config], tmp_path: Path) -> None:
        """make() gets the category names and ties the build settled, not the list of what is published."""
        build = Build(make_config(tmp_path), NOW, Selection(["a"], {"x": "X"}, frozenset({1})), "ctx")  # type: ignore[list-item]
        given = inputs.Givens(build)(Job("k", ("a",), Plan("a")))
        assert (list(given.settled.published), dict(given.settled.names), given.settled.tied) == ([], {"x": "X"},
                                                                                                   frozenset({1}))


class TestOrder:
    def test_kinds_come_after_the_kinds_they_name(self) -> None:
        """Each kind is planned after those it names; ALL comes after every other; otherwise the given order."""
        a, b, c, d = _Reads((), after=("c",)), _Reads(()), _Reads(()), _Reads((), after=ALL)
        a.name, b.name, c.name, d.name = "a", "b", "c", "d"
        assert [k.name for k in executor.order([d, a, b, c])] == ["b", "c", "a", "d"]

    def test_a_cycle_is_an_error(self) -> None:
        """Kinds that come after each other are refused, naming them."""
        a, b = _Reads((), after=("b",)), _Reads((), after=("a",))
        a.name, b.name = "a", "b"
        with pytest.raises(ValueError, match="in a cycle: a, b"):
            executor.order([a, b])

    def test_an_unknown_kind_is_an_error(self) -> None:
        """A kind that comes after a kind that does not exist is refused."""
        a = _Reads((), after=("nope",))
        with pytest.raises(ValueError, match="comes after 'nope', which is no kind"):
            executor.order([a])

    def test_registered_kinds_are_in_order(self) -> None:
        """KINDS is already in an order every kind's `after` allows (so a build plans them as listed)."""
        assert executor.order(outputs.KINDS) == list(outputs.KINDS)


def rich_site(folder: Path) -> Path:
    """Write a site that makes every kind of output: categories, tags, a local image, a static file, a bundle."""
    for i in range(6):
        image = "image: /images/pic.png\n" if i % 2 else ""
        write_doc(folder, f"{'news' if i % 2 else 'events'}/p{i}.md",
                  f"---\ntitle: Post {i}\ndate: 2025-01-0{i + 1}\ntags: [t{i % 3}]\n{image}---\nBody {i}.\n")
    write_doc(folder, "bundle/index.md", "---\ntitle: Bundle\ndate: 2025-01-08\n---\n![x](photo.png)\n")
    (folder / "bundle/photo.png").write_bytes(b"\x89PNG photo")
    (folder / "images").mkdir()
    (folder / "images/pic.png").write_bytes(b"\x89PNG" + b"a" * 50)
    return folder


@pytest.fixture
def watched(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, tuple[str, ...]]]:
    """Record every file of the source folder that a make() opens or stats: (kind, path, the job's declared files)."""
    seen: list[tuple[str, str, tuple[str, ...]]] = []
    job_now: list[Job[Any]] = []
    real_open, real_stat, real_make = builtins.open, os.stat, executor._make_one

    def note(path: Any) -> None:
        if job_now and isinstance(path, str | os.PathLike):
            job = job_now[-1]
            seen.append((job.kind, os.path.normpath(os.fspath(path)), tuple(f.path for f in job.inputs.files)))

    def opening(path: Any, *args: Any, **kwargs: Any) -> Any:
        note(path)
        return real_open(path, *args, **kwargs)

    def stating(path: Any, *args: Any, **kwargs: Any) -> Any:
        note(path)
        return real_stat(path, *args, **kwargs)

    def making(job: Job[Any], given: inputs.Givens, rendered: Mapping[str, Rendered]) -> Made:
        job_now.append(job)
        try:
            return real_make(job, given, rendered)
        finally:
            job_now.pop()

    monkeypatch.setattr(builtins, "open", opening)
    monkeypatch.setattr(io, "open", opening)
    monkeypatch.setattr(os, "stat", stating)
    monkeypatch.setattr(executor, "_make_one", making)
    return seen


class TestEveryKindDeclares:
    def test_make_reads_only_declared_inputs(self, tmp_path: Path, make_config: Callable[..., Config],
                                             watched: list[tuple[str, str, tuple[str, ...]]]) -> None:
        """Making every output of a site reads no setting and no source file its job did not declare."""
        source = rich_site(tmp_path / "site")
        config = make_config(source, tag_feeds=True, archive_page_size=2, feed_limit=4, list_size=3, workers=1)
        build(config, now=NOW)  # each make() is given only its declared settings: an undeclared one fails
        root = os.path.normpath(source)
        read = [(kind, path) for kind, path, declared in watched
                if path.startswith(root + os.sep) and path not in declared]
        assert read == []
        assert {kind for kind, _path, _declared in watched} >= {"files"}  # the watch sees make()'s reads
        made = {p.relative_to(config.out).as_posix() for p in config.out.rglob("*") if p.is_file()}
        assert {"archive/atom/1.xml", "tags/t0/atom.xml", "news/p1/index.html", "images/pic.png", "sitemap.xml",
                "digest/latest.html"} <= made
        assert any(path.endswith("/photo.png") for path in made)  # a page bundle's file beside its page

    def test_every_job_declares_its_inputs(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Every planned job's plan can be keyed, its shown entries are in its plan, its settings exist."""
        source = rich_site(tmp_path / "site")
        config = make_config(source, tag_feeds=True, archive_page_size=2, feed_limit=4)
        build(config, now=NOW)
        from feedpub.incremental import context, gather
        from feedpub.select import choose

        with context.opened(config) as ctx:
            found = gather.read_catalogue(config, ctx.store, ctx.shared, ctx.sources, lambda _config: None)
            b = Build(config, NOW, choose(found.records, config, NOW), ctx.store.context, None, stat=ctx.stat)
            jobs = executor.plan(b)
        assert {job.kind for job, _key in jobs} == {k.name for k in outputs.KINDS}
        assert len({k for _job, k in jobs}) == len(jobs)  # no two jobs share a key
        for job, _key in jobs:
            records: list[Record] = []
            inputs.encode(job.plan, [], records)
            assert set(job.shows) <= set(records), job.kind
            settings = job.inputs.settings
            assert settings == EVERY or all(hasattr(config, name) for name in settings), (job.kind, settings)


_PLAIN = st.one_of(st.text(max_size=4), st.integers(-3, 3), st.none(), st.booleans(), st.binary(max_size=2),
                   st.floats(allow_nan=False, width=16))
_VALUES = st.recursive(_PLAIN, lambda inner: st.one_of(
    st.lists(inner, max_size=3).map(tuple), st.lists(inner, max_size=3),
    st.builds(Plan, st.text(max_size=3), st.integers(0, 2)),
    st.dictionaries(st.text(max_size=2), inner, max_size=2)), max_leaves=8)


def _encoded(value: Any) -> bytes:
    out: list[bytes] = []
    inputs.encode(value, out, [])
    return b"".join(out)


def _same_but_new(value: Any) -> Any:
    """Return value rebuilt of new objects: strings made anew (neither interned nor shared), tuples and lists too."""
    if isinstance(value, str):
        return "".join(list(value))  # a new object when longer than one character
    if isinstance(value, tuple):
        return tuple(_same_but_new(v) for v in value)
    if isinstance(value, list):
        return [_same_but_new(v) for v in value]
    if isinstance(value, dict):
        return {_same_but_new(k): _same_but_new(v) for k, v in value.items()}
    return value


class TestEncoding:
    """A plan's bytes: different plans never share them, and a plan's bytes do not depend on its objects."""

    @settings(max_examples=300, deadline=None)
    @given(_VALUES, _VALUES)
    # near misses no random pair is likely to be: one value as a tuple and as a list, as
    # 1 and True, as text and a number, a tuple of a tuple and of its items
    @example((1, "a"), [1, "a"])
    @example((), [])
    @example((1,), (True,))
    @example(("1",), (1,))
    @example((("a", "b"),), ("a", "b"))
    @example(("ab",), ("a", "b"))
    @example(Plan("a", 1), ("a", 1))
    @example(File("a", 1, 2, 3), ["a", 1, 2, 3])  # a named tuple and a list of its items
    @example((Plan("a"),), [Plan("a")])  # a tuple and a list walked item by item (a dataclass in them)
    @example("bad\udcff name", "bad name")  # a file name not valid UTF-8 (surrogateescape), alone
    @example(Plan("bad\udcff"), Plan("bad"))  # and in a dataclass
    def test_different_plans_encode_apart(self, a: Any, b: Any) -> None:
        """Two plans of different values (or of different types: 1 and True, a tuple and a list) never share bytes."""
        if _encoded(a) == _encoded(b):
            assert type(a) is type(b) and a == b and repr(a) == repr(b)

    @settings(max_examples=200, deadline=None)
    @given(_VALUES)
    def test_a_plan_encodes_the_same_from_other_objects(self, value: Any) -> None:
        """The bytes of a plan do not depend on which objects hold it (interned or shared text, as a new build has)."""
        interned = sys.intern("x-interned-title")
        for plan in (value, (value, interned, interned), (interned, [interned])):
            assert _encoded(plan) == _encoded(_same_but_new(plan))

    def test_a_record_inside_a_tuple_is_keyed_by_its_fingerprint(self, make_config: Callable[..., Config],
                                                                 tmp_path: Path) -> None:
        """A tuple holding a record is walked (not written whole): the record is left to its fingerprint and tokens."""
        from feedpub import records as records_module
        from feedpub.model import Category, Entry, changed

        base = Entry(id="urn:x", url="https://x.example/a/", title="A distinctive title", title_source="front matter", date=NOW,
                     date_source="front matter", updated=NOW, category=Category("a", "A"),
                     category_source="front matter", summary="", source="", authors=(), tags=(), image=None,
                     rel="a.md", fmt="markdown")
        record = records_module.record_of(base, 0, 0, 0, b"x")
        found: list[Record] = []
        out: list[bytes] = []
        inputs.encode((("u", "t"), record, None), out, found)
        assert found == [record]
        alone: list[Record] = []
        inputs.encode(record, [], alone)  # a plan that is a record
        assert alone == [record]
        assert record.title.encode() not in b"".join(out)  # its fields are not in the plan's bytes
        other = records_module.record_of(changed(base, title="Another title"), 0, 0, 0, b"x")
        assert _encoded(("u", record)) == _encoded(("u", other))  # told apart by the key's tokens instead
