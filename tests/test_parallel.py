"""Builds that use a process pool give exactly the bytes of a single-process build."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feedpub.config import Config, load_config
from feedpub.errors import ConfigError, OutputError
from feedpub.incremental import executor, gather, workers
from feedpub.outputs.protocol import Job, Keyed
from feedpub.pipeline import build
from tests.conftest import NOW, output_tree, write_corpus, write_doc


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    source = tmp_path / "corpus"
    write_corpus(source, 90)
    return source


@pytest.fixture
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool for any number of documents (forked workers inherit the patch)."""
    monkeypatch.setattr(gather, "PARALLEL_READS", 1)
    monkeypatch.setattr(gather, "PARALLEL_RENDERS", 1)


class TestParallelBuild:
    @pytest.mark.usefixtures("always_parallel")
    def test_parallel_and_serial_builds_are_byte_identical(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """Two workers and one worker write the same files with the same bytes."""
        serial = make_config(corpus, workers=1, cache=False, out=str(tmp_path / "serial"))
        parallel = make_config(corpus, workers=2, cache=False, out=str(tmp_path / "parallel"))
        monday = datetime(2024, 4, 1, 9, tzinfo=UTC)  # after the corpus's last week (to 30 March): with its digest
        a = build(serial, now=monday)
        b = build(parallel, now=monday)
        assert output_tree(serial.out) == output_tree(parallel.out)
        assert any(p.startswith("digest/") for p in output_tree(parallel.out))
        assert [e.id for e in a.published] == [e.id for e in b.published]
        assert len(a.published) == 90

    @pytest.mark.usefixtures("always_parallel")
    def test_archive_pages_made_by_several_processes_are_byte_identical(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """Archive pages from entries read by forked processes, cached or not, equal the pages of one process."""
        outs = {}
        for name, workers_, cache_ in (("serial", 1, False), ("two", 2, False), ("three", 3, True)):
            config = make_config(corpus, workers=workers_, cache=cache_, archive_page_size=7, out=str(tmp_path / name))
            build(config, now=NOW)
            outs[name] = output_tree(config.out)
        assert len([p for p in outs["serial"] if p.startswith("archive/")]) == 90 // 7
        assert outs["serial"] == outs["two"] == outs["three"]

    @pytest.mark.usefixtures("always_parallel")
    def test_pages_read_again_by_several_processes_are_byte_identical(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """A rebuild that reads every page's documents again, in a pool, writes what a serial cold build does."""
        config = make_config(corpus, workers=2, archive_page_size=7, out=str(tmp_path / "pool"))
        build(config, now=NOW)
        for page in (config.out / "archive" / "atom").iterdir():
            page.unlink()  # every page must be made again, from documents the build did not read
        build(config, now=NOW)
        serial = make_config(corpus, workers=1, cache=False, archive_page_size=7, out=str(tmp_path / "serial"))
        build(serial, now=NOW)
        assert output_tree(config.out) == output_tree(serial.out)

    @pytest.mark.usefixtures("always_parallel")
    def test_problems_keep_file_order(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """Invalid documents are reported in the same order, and skipped the same way, in both modes."""
        write_doc(corpus, "a0005.md", "---\ntitle: [unclosed\n---\nx\n")
        write_doc(corpus, "zz.md", "---\ndate: June 31\ntitle: t\n---\nx\n")
        serial = build(
            make_config(corpus, workers=1, cache=False, out=str(tmp_path / "s")), now=NOW, skip_invalid=True
        )
        parallel = build(
            make_config(corpus, workers=2, cache=False, out=str(tmp_path / "p")), now=NOW, skip_invalid=True
        )
        assert [str(p) for p in serial.skipped] == [str(p) for p in parallel.skipped]
        assert [p.path for p in serial.skipped] == ["a0005.md", "zz.md"]
        assert output_tree(tmp_path / "s") == output_tree(tmp_path / "p")

    @pytest.mark.usefixtures("always_parallel")
    def test_parallel_build_fills_the_cache_a_serial_build_reads(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """Entries made by workers and entries read back from the cache give the same output."""
        first = make_config(corpus, workers=2, out=str(tmp_path / "first"))
        build(first, now=NOW)
        again = make_config(corpus, workers=1, out=str(tmp_path / "again"))
        build(again, now=NOW)
        fresh = make_config(corpus, workers=1, cache=False, out=str(tmp_path / "fresh"))
        build(fresh, now=NOW)
        assert output_tree(first.out) == output_tree(again.out) == output_tree(fresh.out)


    @pytest.mark.usefixtures("always_parallel")
    def test_a_page_failing_in_a_worker_leaves_the_output_as_it_was(
        self, corpus: Path, make_config: Callable[..., Config], tmp_path: Path
    ) -> None:
        """Pages are staged by the workers: one failing page fails the build, and nothing of it is put in."""
        templates = tmp_path / "templates"
        templates.mkdir()
        config = make_config(corpus, workers=2, out=str(tmp_path / "out"), templates_dir=str(templates))
        build(config, now=NOW)
        before = output_tree(config.out)
        page = next(p for p in before if p.count("/") == 2 and p.endswith("/index.html"))
        # one page of 90 fails, made by a worker after others were staged
        (templates / "article.html.j2").write_text(
            '{% extends "base.html.j2" %}{% block main %}{{ content }}'
            '{% if entry.rel.endswith("0061.md") %}{{ missing }}{% endif %}{% endblock %}\n')
        with pytest.raises(OutputError, match="'missing' is undefined"):
            build(config, now=NOW)
        assert output_tree(config.out) == before and page in before
        assert not list(config.out.glob(".feedpub-stage-*")) and not list(tmp_path.glob(".dist*"))


    @pytest.mark.usefixtures("always_parallel")
    def test_a_failure_here_ends_the_child_before_the_staging_folder_goes(
        self, corpus: Path, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The child making every other feed writes its own files: when this process fails meanwhile, the
        child is ended first, so nothing is written into the output folder after the build has given up."""
        import time

        from feedpub.outputs import feeds

        parent = os.getpid()
        real = feeds.KIND.make

        def make(job, given, rendered):  # type: ignore[no-untyped-def]
            if os.getpid() == parent:
                raise OutputError([])  # this process fails at once
            time.sleep(0.5)  # the child writes after a while
            return real(job, given, rendered)

        monkeypatch.setattr(feeds.KIND, "make", make)
        config = make_config(corpus, workers=2, cache=False)
        with pytest.raises(OutputError):
            build(config, now=NOW)
        time.sleep(1.0)
        assert not config.out.exists()  # a failed first build leaves no folder, nor a staging folder in it


class TestWorkersConfig:
    def test_negative_workers_is_refused(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """workers must be 0 (one per core) or more: a config error naming the key."""
        with pytest.raises(ConfigError, match="--workers must be a whole number, 0 or more, not the number -1"):
            make_config(tmp_path, workers=-1)

    def test_workers_in_the_config_file(self, tmp_path: Path) -> None:
        """feedpub.toml's workers, cache and archive keys are read and checked, each named on error."""
        (tmp_path / "feedpub.toml").write_text("workers = 1\ncache = false\narchive_page_size = 10\n")
        config = load_config(None, cwd=tmp_path)
        assert (config.workers, config.cache, config.page_size) == (1, False, 10)
        (tmp_path / "feedpub.toml").write_text('workers = "two"\ncache = "yes"\n')
        with pytest.raises(ConfigError) as info:
            load_config(None, cwd=tmp_path)
        messages = [p.message for p in info.value.problems]
        assert messages == [
            "'workers' must be a whole number, 0 or more, not the string \"two\"",
            "'cache' must be true or false, not the string \"yes\"",
        ]


def _fails() -> int:
    raise ValueError("broken in the child")


class TestStart:
    def test_background_result_equals_foreground_result(self) -> None:
        """A function run in a forked child gives the same value as run in this process."""
        job = [f"page {i}".encode() * 100 for i in range(2000)]  # more than a pipe buffer holds
        background = workers.start(lambda: list(reversed(job)), background=True)
        foreground = workers.start(lambda: list(reversed(job)), background=False)
        assert background.result() == foreground.result() == job[::-1]

    def test_errors_reach_the_parent(self) -> None:
        """An exception raised in the child is raised again by result()."""
        pending = workers.start(_fails, background=True)
        with pytest.raises(ValueError, match="broken in the child"):
            pending.result()

    def test_foreground_work_waits_until_asked_for(self) -> None:
        """Without a child, func runs when result() is first called, and only once."""
        calls: list[int] = []
        pending = workers.start(lambda: calls.append(1) or len(calls), background=False)
        assert calls == []
        assert pending.result() == pending.result() == 1
        assert calls == [1]

    def test_cancel_ends_the_child_at_once(self, tmp_path: Path) -> None:
        """A cancelled child is gone when cancel() returns: nothing it would have written later appears."""
        late = tmp_path / "late"

        def slow() -> int:
            import time

            time.sleep(1.0)
            late.write_text("written after the parent gave up")
            return 1

        pending = workers.start(slow, background=True)
        pending.cancel()
        pending.cancel()  # twice: nothing left to end
        import time

        time.sleep(1.5)
        assert not late.exists()

    def test_combined_results_keep_their_order(self) -> None:
        """Combined hands finish the parts' results in the order of the parts, and finishes once."""
        calls = []

        def finish(parts: list[int]) -> list[int]:
            calls.append(parts)
            return parts

        parts = [workers.start(lambda i=i: i * i, background=i % 2 == 0) for i in range(5)]
        combined = workers.Combined(parts, finish)
        assert combined.result() == combined.result() == [0, 1, 4, 9, 16]
        assert len(calls) == 1


def _with_pid(job: int, indexes: range) -> list[tuple[int, int]]:
    return [(i * job, os.getpid()) for i in indexes]


def _slow_elsewhere(job: tuple[int, int, float], indexes: range) -> list[tuple[int, int]]:
    """Like _with_pid, taking `pause` seconds per chunk in any process but `here`."""
    factor, here, pause = job
    if os.getpid() != here:
        time.sleep(pause)
    return [(i * factor, os.getpid()) for i in indexes]


def _slow_here(job: tuple[int, int, float], indexes: range) -> list[tuple[int, int]]:
    """Like _with_pid, taking `pause` seconds per chunk in process `here` only."""
    factor, here, pause = job
    if os.getpid() == here:
        time.sleep(pause)
    return [(i * factor, os.getpid()) for i in indexes]


def _fails_at(job: int, indexes: range) -> list[int]:
    if job in indexes:
        raise ValueError(f"index {job}")
    return list(indexes)


class TestImap:
    @pytest.mark.parametrize("workers_", [2, 3])
    def test_shared_chunks_come_in_order_each_made_once(self, workers_: int) -> None:
        """With share, results are func's in index order, each chunk made by one process, this one among them."""
        parts = list(workers.imap(_slow_elsewhere, (3, os.getpid(), 0.01), 100, workers_, 1, chunk=10, smallest=10,
                                  share=True))
        assert [len(p) for p in parts] == [10] * 10
        assert [v for part in parts for v, _pid in part] == [i * 3 for i in range(100)]
        makers = [{pid for _v, pid in part} for part in parts]
        assert all(len(m) == 1 for m in makers)
        assert {os.getpid()} in makers  # this process is one of the workers

    def test_this_process_takes_what_a_slow_pool_leaves(self) -> None:
        """Chunks go to whichever process comes free: a slow worker makes few, this process the rest.

        Dealt in turns, the worker would make every other chunk (5 of 10) however slow it was.
        """
        parts = list(workers.imap(_slow_elsewhere, (1, os.getpid(), 0.5), 100, 2, 1, chunk=10, smallest=10,
                                  share=True))
        assert [v for part in parts for v, _pid in part] == list(range(100))
        here = sum(1 for part in parts if {pid for _v, pid in part} == {os.getpid()})
        assert here >= 8  # the worker's first chunk takes 0.5 s; these take none

    def test_the_pool_takes_what_a_slow_process_leaves(self) -> None:
        """The other way round: while this process makes one slow chunk, the worker makes the rest, in order."""
        parts = list(workers.imap(_slow_here, (2, os.getpid(), 0.3), 100, 2, 1, chunk=10, smallest=10,
                                  share=True))
        assert [v for part in parts for v, _pid in part] == [i * 2 for i in range(100)]
        here = sum(1 for part in parts if {pid for _v, pid in part} == {os.getpid()})
        assert 1 <= here <= 3  # its first chunk takes 0.3 s, the worker's none

    @pytest.mark.parametrize("bad", [5, 15])  # in this process's chunk, in the pool's
    def test_an_error_in_a_shared_chunk_reaches_the_caller(self, bad: int) -> None:
        """Wherever a chunk fails, the caller gets its error and the pool is gone (no worker left running)."""
        import multiprocessing

        with pytest.raises(ValueError, match=f"index {bad}"):
            list(workers.imap(_fails_at, bad, 40, 2, 1, chunk=10, smallest=10, share=True))
        assert multiprocessing.active_children() == []

    def test_without_share_every_chunk_is_made_by_the_pool(self) -> None:
        """The plain pool makes no chunk in this process."""
        parts = list(workers.imap(_with_pid, 1, 40, 2, 1, chunk=10, smallest=10))
        assert [v for part in parts for v, _pid in part] == list(range(40))
        assert all(pid != os.getpid() for part in parts for _v, pid in part)

    def test_small_work_stays_here(self) -> None:
        """Below the threshold nothing forks, shared or not."""
        parts = list(workers.imap(_with_pid, 1, 5, 2, 10, chunk=10, share=True))
        assert parts == [[(i, os.getpid()) for i in range(5)]]


class TestSpreadKinds:
    """The page pool's jobs are ordered so that every run of them holds each kind in its share."""

    @staticmethod
    def _jobs(counts: list[int]) -> list[Keyed]:
        return [Keyed(Job(f"kind{k}", (f"kind{k}/{i}",), None), b"") for k, n in enumerate(counts) for i in range(n)]

    @given(st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=4))
    def test_each_kind_is_spread_evenly_in_its_order(self, counts: list[int]) -> None:
        """Every job once, each kind's in its own order, and every first L jobs hold each kind's share of L.

        Within 1 + K/2 of it for K kinds: each job sits at the middle of its share of the list, and
        jobs of several kinds at one place can only come one after another.
        """
        jobs = self._jobs(counts)
        spread = executor._spread(jobs)
        assert sorted(j.job.paths for j in spread) == sorted(j.job.paths for j in jobs)
        total = len(jobs)
        for k, n in enumerate(counts):
            mine = [j.job.paths[0] for j in spread if j.job.kind == f"kind{k}"]
            assert mine == [f"kind{k}/{i}" for i in range(n)]
            kinds = len([c for c in counts if c])
            seen = 0
            for at, j in enumerate(spread, start=1):
                seen += j.job.kind == f"kind{k}"
                assert abs(seen - at * n / total) <= 1 + kinds / 2, (k, at, seen)

    def test_a_costly_kind_does_not_fill_a_chunk(self) -> None:
        """200 archive pages among 10,000 article pages: a chunk of 256 jobs holds about 5 of them, not 200."""
        jobs = [Keyed(Job("archive", (f"archive/{i}.xml",), None), b"") for i in range(200)]
        jobs += [Keyed(Job("pages", (f"news/{i}/index.html",), None), b"") for i in range(10_000)]
        spread = executor._spread(jobs)
        first = spread[:256]
        assert 4 <= sum(j.job.kind == "archive" for j in first) <= 6


def _children(pid: int) -> list[int]:
    """Return the processes pid forked that are still there (Linux: /proc)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc to find the workers")
class TestInterrupted:
    """A build stopped while its workers work: one line said, no traceback, no worker left running."""

    @staticmethod
    def _start(tmp_path: Path, *, ctrl_c: bool) -> tuple[subprocess.Popen[bytes], list[int]]:
        src = tmp_path / "src"
        write_corpus(src, 1500)
        (tmp_path / "feedpub.toml").write_text("workers = 2\n", encoding="utf-8")
        env = {**os.environ, "FEEDPUB_CACHE_DIR": str(tmp_path / "cache")}

        def like_a_terminal() -> None:  # Ctrl-C reaches every process of the group; a test runner may ignore it
            signal.signal(signal.SIGINT, signal.SIG_DFL)

        proc = subprocess.Popen([sys.executable, "-m", "feedpub", "build", "--config", str(tmp_path / "feedpub.toml"),
                                 "--source", str(src), "--out", str(tmp_path / "out"), "-q"],
                                env=env, stderr=subprocess.PIPE, start_new_session=True,
                                preexec_fn=like_a_terminal if ctrl_c else None)  # noqa: PLW1509 - no threads here
        deadline = time.monotonic() + 60
        while not (kids := _children(proc.pid)):  # the read pool's workers are at work
            assert proc.poll() is None and time.monotonic() < deadline, "the build never started its workers"
            time.sleep(0.005)
        return proc, kids

    @staticmethod
    def _gone(kids: list[int]) -> bool:
        deadline = time.monotonic() + 10  # far less than the work they had left
        while any(Path(f"/proc/{k}").exists() and "zombie" not in _state(k) for k in kids):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True

    def test_ctrl_c_says_so_once(self, tmp_path: Path) -> None:
        """Ctrl-C (SIGINT to the whole group): exit 130, "Interrupted", no worker's traceback, no output folder."""
        proc, kids = self._start(tmp_path, ctrl_c=True)
        os.killpg(proc.pid, signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        text = err.decode()
        assert proc.returncode == 130, text
        assert "Interrupted" in text
        assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
        assert not (tmp_path / "out").exists()
        assert self._gone(kids)

    @pytest.mark.parametrize(("work", "forks"), [
        ("workers.run(slow, None, 64, 2, 1)", 2),  # a pool's two workers
        ("workers.start(lambda: slow(None, range(1)), background=True).result()", 1),  # a background child
    ])
    def test_a_killed_build_leaves_no_worker_behind(self, work: str, forks: int) -> None:
        """kill -9 of a process whose workers are at work: they end at once, silently.

        They used to go on with their work (here 60 s of it), then write to nobody: each
        printed a BrokenPipeError, or blocked on a full pipe for good.
        """
        script = ("import time, sys\n"
                  "from feedpub.incremental import workers\n"
                  "def slow(job, indexes):\n"
                  "    time.sleep(60)\n"
                  "    return list(indexes)\n"
                  f"{work}\n")
        proc = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 60
        while len(kids := _children(proc.pid)) < forks:  # every worker started (and sleeps in its work)
            assert proc.poll() is None and time.monotonic() < deadline, "the pool never started"
            time.sleep(0.01)
        time.sleep(0.2)  # past their start-up: in the middle of the work
        proc.kill()
        proc.wait(timeout=60)
        assert self._gone(kids), "a worker outlived the process that started it"
        err = proc.stderr.read().decode() if proc.stderr else ""
        assert "Traceback" not in err and "BrokenPipeError" not in err, err


def _state(pid: int) -> str:
    """Return a process's state as /proc says it ("" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0].lower()
    except (OSError, IndexError):
        return ""
