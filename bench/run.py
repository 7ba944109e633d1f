#!/usr/bin/env python3
"""Benchmark feedpub against Hugo and Pelican over the same synthetic news archive.

    python bench/run.py            # 1k, 10k, 50k documents, 3 runs each (~15 minutes)
    python bench/run.py --quick    # 1k and 10k, 3 runs, Pelican once: a few minutes

Corpora and peer sites are made under --workdir (default /tmp/feedpub-bench) by
../shared/bench/peers.sh (or --peers) and reused by later runs. Every figure is the median of
whole-process runs, and feedpub, Hugo and Pelican alternate within one run, because only
ratios taken side by side mean anything on a noisy machine. The markdown table goes to
stdout and to bench/results/<UTC time>.md.

feedpub rows: cold (no cache, empty output), one changed (one document edited, warm cache),
no change (warm cache; also checks that no output file was rewritten). Peak memory is the
process tree's proportional set size (Pss: pages shared by forked workers split among them),
sampled every 50 ms from /proc, or the largest single process's peak RSS if that is higher.
Hugo and Pelican run as one process each: their peak is that process's RSS (from wait4), and
nothing samples them while they run (sampling slows the process sampled, most a big one).

Nothing is deleted while anything is timed: a cold run's old output and cache (and the peers'
old sites) are moved aside into --workdir/trash, removed once the table is printed. On the
project's VM, deleting a tree of 10,000+ files slows every file created in the next tens
of seconds by up to 20 times (bench/fs_floor.py shows it), so whichever tool was timed
right after a deletion measured the disk's aftermath, not itself. Before each corpus the
run also waits (at most 2 minutes) until creating a few hundred files is quick again.

    python bench/run.py --in-memory    # every site (and feedpub's cache) written to /dev/shm

With --in-memory the three tools write their sites into memory (a tmpfs: feedpub's output
and cache, Hugo's -d, Pelican's -o), so the ratios leave out the disk, which on the
project's VM moves a cold build of 10,000 pages by seconds from one minute to the next: what
is left is each tool's own work. The corpora are still read from --workdir.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_PEERS = REPO.parent / "shared" / "bench" / "peers.sh"
PELICAN = Path(os.environ.get("PELICAN_VENV", "/work/pelican-venv")) / "bin" / "pelican"
TRASH: list[Path] = []  # --workdir/trash, once main() has set it: where discard() moves things
IN_MEMORY: list[Path] = []  # --in-memory: the tmpfs folder every site and feedpub's cache are written to


def place(folder: Path, name: str) -> Path:
    """Return where a tool writes name for the corpus in folder: beside it, or in memory (--in-memory)."""
    return IN_MEMORY[0] / folder.name / name if IN_MEMORY else folder / name


def discard(path: Path) -> None:
    """Move path (a file or folder, if there) into the trash: removed after the run, never while timing."""
    if not os.path.lexists(path):
        return
    if IN_MEMORY and path.is_relative_to(IN_MEMORY[0]):  # a tmpfs: deleting slows nothing after it
        shutil.rmtree(path)
        return
    trash = TRASH[0]
    trash.mkdir(parents=True, exist_ok=True)
    os.rename(path, trash / f"{len(list(trash.iterdir()))}-{path.name}")


def settle(workdir: Path, quick_us: float = 150.0, patience: float = 120.0) -> None:
    """Wait until making a folder and a page costs under quick_us µs (at most patience seconds).

    Probes by writing 300 folders of one file each, as a build writes article pages; each
    probe goes to the trash, so probing deletes nothing.
    """
    if IN_MEMORY:  # nothing is written to the disk while timing
        return
    start = time.perf_counter()
    for k in itertools.count():
        probe = workdir / f"probe-{os.getpid()}-{k}"
        probe.mkdir(parents=True)
        began = time.perf_counter()
        for i in range(300):
            (probe / str(i)).mkdir()
            (probe / str(i) / "index.html").write_bytes(b"x" * 8000)
        per_page = (time.perf_counter() - began) / 300 * 1e6
        discard(probe)
        waited = time.perf_counter() - start
        if per_page < quick_us or waited > patience:
            if k:
                print(f"# waited {waited:.0f} s for the disk to settle ({per_page:.0f} µs a page)", file=sys.stderr)
            return
        time.sleep(5)


def _tree_pss_kb(pid: int) -> int:
    """Return the summed proportional set size (Pss) of pid and its descendants, in kB.

    Pss splits pages shared by forked workers among them, so the sum is the memory the
    build really holds (summed RSS would count the parent's pages once per worker).
    """
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{p}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


def timed(cmd: list[str], *, cwd: Path | None = None, tree: bool = True) -> tuple[float, float]:
    """Run cmd to completion; return (wall seconds, peak memory in MB). Fail loudly.

    Peak memory: the largest of the sampled process-tree Pss and the largest single process's
    RSS (exact, from wait4), so a short spike between samples still counts. tree=False samples
    nothing (for a tool that runs as one process, whose peak RSS wait4 gives exactly): reading
    a process's Pss walks its page tables, and every 10 ms on Hugo's 3.5 GB slowed Hugo by
    20-40 % on this 2-core machine (feedpub, ten times smaller, by 5-15 % at 10 ms; now 50 ms).
    """
    peak = 0
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's feedpub, installed or not
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_pss_kb(proc.pid))
            done.wait(0.05)  # each sample walks the processes' page tables: not for free

    sampler = threading.Thread(target=sample, daemon=True) if tree else None
    if sampler is not None:
        sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    if sampler is not None:
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-2000:]}")
    return wall, max(peak, usage.ru_maxrss) / 1024


def setup(n: int, workdir: Path, peers: Path) -> Path:
    """Make (once) the raw corpus and the Hugo and Pelican sites of n documents.

    The peers are made with PAGES=1: Hugo and Pelican render an HTML page per article too,
    the job feedpub does since it writes article pages (issue 14).
    """
    folder = workdir / f"{n}-pages"
    if (folder / "raw").is_dir() and (folder / "pelican" / "pelicanconf.py").is_file():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    print(f"# setting up {n} documents in {folder} …", file=sys.stderr)
    subprocess.run(["sh", str(peers), str(n), str(folder), "1"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "PAGES": "1"})
    return folder


def feedpub_cache(raw: Path) -> Path:
    """Return the folder of the build caches of a corpus (beside it, so a cold run can remove it)."""
    return place(raw.parent, f"feedpub-cache-{raw.name}")


def feedpub_cmd(raw: Path, out: Path) -> list[str]:
    """Return the command line of a feedpub build (env execs feedpub: the timed process is feedpub's)."""
    return ["env", f"FEEDPUB_CACHE_DIR={feedpub_cache(raw)}", sys.executable, "-m", "feedpub", "build",
            "--source", str(raw), "--out", str(out), "-q"]


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Map every file under folder to (inode, mtime_ns): a rewrite changes one of them."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in folder.rglob("*")
        if p.is_file()
    }


def touch_one(raw: Path, run: int) -> None:
    """Change the body of one document (the same one each run, a different text each run)."""
    doc = sorted(raw.glob("*.txt"))[len(list(raw.glob("*.txt"))) // 2]
    text = doc.read_text(encoding="utf-8")
    marker = "\n\nBenchmark edit "
    text = text.split(marker)[0] if marker in text else text
    stat = doc.stat()
    doc.write_text(text + f"{marker}{run}.\n", encoding="utf-8")
    os.utime(doc, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def bench_size(
    n: int, folder: Path, runs: int, pelican_runs: int, results: dict[str, list[tuple[float, float]]]
) -> None:
    """Time feedpub (cold, one changed, no change), Hugo and Pelican over one corpus."""
    raw, out = folder / "raw", place(folder, "feedpub-out")
    out.parent.mkdir(parents=True, exist_ok=True)
    cache = feedpub_cache(raw)
    settle(folder.parent)
    for r in range(runs):
        discard(out)
        discard(cache)
        results.setdefault(f"feedpub cold {n}", []).append(timed(feedpub_cmd(raw, out)))
        discard(place(folder, "hugo-public"))
        discard(folder / "hugo" / "resources")
        results.setdefault(f"hugo {n}", []).append(
            timed(["hugo", "--quiet", "-s", str(folder / "hugo"), "-d", str(place(folder, "hugo-public"))],
                  tree=False))  # one process: wait4 has its peak
        if r < pelican_runs and PELICAN.is_file():  # Pelican is a comparison only: skipped when not installed
            discard(place(folder, "pelican-output"))
            results.setdefault(f"pelican {n}", []).append(
                timed(
                    [str(PELICAN), "-q", "-s", str(folder / "pelican" / "pelicanconf.py"),
                     "-o", str(place(folder, "pelican-output"))],
                    cwd=folder / "pelican", tree=False,
                )
            )
        touch_one(raw, r)
        results.setdefault(f"feedpub one changed {n}", []).append(timed(feedpub_cmd(raw, out)))
        before = snapshot(out)
        results.setdefault(f"feedpub no change {n}", []).append(timed(feedpub_cmd(raw, out)))
        rewritten = sum(1 for k, v in snapshot(out).items() if before.get(k) != v)
        results.setdefault(f"no-change rewrites {n}", []).append((float(rewritten), 0.0))
        print(f"# {n}: run {r + 1}/{runs} done", file=sys.stderr)


FILLER = ("This paragraph only makes the body bigger, so that the benchmark can show that memory "
          "does not grow with the size of bodies, which are never all held at once. ") * 6


def fatten(folder: Path, factor: int) -> Path:
    """Make (once) a copy of folder/raw whose bodies are about factor times bigger; return it.

    The filler goes right after the front matter (or at the top of a plain-text file), so
    trailing ``Date:`` / ``Source:`` lines stay where they are.
    """
    fat = folder.parent / f"{folder.name}-fat{factor}" / "raw"
    if fat.is_dir():
        return fat
    tmp = fat.with_name("raw.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for doc in sorted((folder / "raw").iterdir()):
        if not doc.is_file():
            continue
        text = doc.read_text(encoding="utf-8")
        extra = "\n\n".join([FILLER] * max(1, (len(text) * (factor - 1)) // len(FILLER)))
        if text.startswith("---\n") and "\n---\n" in text[4:]:
            end = text.index("\n---\n", 4) + 5
            text = text[:end] + "\n" + extra + "\n\n" + text[end:]
        else:
            head, _, rest = text.partition("\n\n")
            text = head + "\n\n" + extra + "\n\n" + rest
        (tmp / doc.name).write_text(text, encoding="utf-8")
        os.utime(tmp / doc.name, ns=(doc.stat().st_atime_ns, doc.stat().st_mtime_ns))
    tmp.rename(fat)
    return fat


def bench_fat(n: int, folder: Path, runs: int, results: dict[str, list[tuple[float, float]]]) -> None:
    """Time cold builds of the corpus with bodies about 8 times bigger (memory must not follow)."""
    raw = fatten(folder, 8)
    out = place(folder, "feedpub-out")
    for key, where in ((f"text MB {n}", folder / "raw"), (f"text MB, bodies ×8 {n}", raw)):
        size = sum(f.stat().st_size for f in where.iterdir() if f.is_file()) / 1e6
        results[key] = [(size, 0.0)]
    settle(folder.parent)
    for _ in range(runs):
        discard(out)
        discard(feedpub_cache(raw))
        results.setdefault(f"feedpub cold, bodies ×8 {n}", []).append(timed(feedpub_cmd(raw, out)))


def digest_time(folder: Path) -> str:  # noqa: ARG001 - the digest bench makes its own 100 articles
    """Time rendering + inlining a 100-item digest with bench/digest_bench.py (best warm run)."""
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "digest_bench.py"), "100"],
                          capture_output=True, text=True, cwd=REPO, check=False)
    found = re.search(r"warm best of 5: ([0-9.]+) s wall", proc.stdout)
    if proc.returncode != 0 or not found:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return f"skipped ({last})"
    cold = re.search(r"cold: ([0-9.]+) s wall", proc.stdout)
    return f"{float(found.group(1)):.3f} s warm, {float(cold.group(1)) if cold else float('nan'):.3f} s cold"


def median(values: list[tuple[float, float]], i: int) -> float:
    """Return the median of field i of the (seconds, MB) pairs."""
    return statistics.median(v[i] for v in values)


def table(sizes: list[int], results: dict[str, list[tuple[float, float]]], digest: str) -> str:
    """Render the medians, ratios, memory and time per document as markdown."""
    lines = [
        "| documents | run | median s | peak MB | µs / doc | vs Hugo cold | Pelican ÷ feedpub |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        hugo = median(results[f"hugo {n}"], 0)
        cold = median(results[f"feedpub cold {n}"], 0)
        for label in ("feedpub cold", "feedpub cold, bodies ×8", "feedpub one changed", "feedpub no change",
                      "hugo", "pelican"):
            key = f"{label} {n}"
            if key not in results:
                continue
            s, mb = median(results[key], 0), median(results[key], 1)
            vs_hugo = f"{s / hugo:.2f}×"
            pel = ""
            if label == "feedpub cold" and f"pelican {n}" in results:
                pel = f"{median(results[f'pelican {n}'], 0) / cold:.1f}×"
            runs = len(results[key])
            lines.append(
                f"| {n:,} | {label} (n={runs}) | {s:.2f} | {mb:.0f} | {s / n * 1e6:.0f} | {vs_hugo} | {pel} |"
            )
        rewrites = max(v[0] for v in results[f"no-change rewrites {n}"])
        lines.append(f"| {n:,} | files rewritten by a no-change build (max) | {rewrites:.0f} | | | | |")
    lines.append("")
    lines.append(f"Digest of 100 items, rendered and inlined: {digest}")
    lines.append("")
    lines.extend(targets(sizes, results))
    return "\n".join(lines)


def targets(sizes: list[int], results: dict[str, list[tuple[float, float]]]) -> list[str]:
    """Check the measured medians against the targets of issues 6 and 14, as a markdown table."""
    def med(key: str, i: int = 0) -> float | None:
        return median(results[key], i) if key in results else None

    rows = ["| target | measured | met? |", "|---|---|---|"]

    def row(name: str, value: float | None, limit: float, fmt: str, *, at_least: bool = False) -> None:
        if value is None:
            return
        ok = value >= limit if at_least else value <= limit
        rows.append(f"| {name} | {fmt.format(value)} | {'yes' if ok else 'no'} |")

    for n in sizes:
        hugo, cold = med(f"hugo {n}"), med(f"feedpub cold {n}")
        if hugo and cold and n >= 10000:
            row(f"cold {n:,} ≤ 0.6× Hugo (pages, feeds, archive, digest, index)", cold / hugo, 0.6, "{:.2f}×")
        elif hugo and cold:  # a small site: Python's start-up counts
            row(f"cold {n:,} ≤ 1.0× Hugo", cold / hugo, 1.0, "{:.2f}×")
        pelican = med(f"pelican {n}")
        if n >= 10000 and pelican and cold:
            row(f"cold {n:,} ≥ 15× faster than Pelican", pelican / cold, 15, "{:.1f}×", at_least=True)
        one = med(f"feedpub one changed {n}")
        if n >= 50000 and hugo and one:
            row(f"one changed of {n:,} ≤ 0.1× Hugo cold", one / hugo, 0.1, "{:.2f}×")
        if n >= 50000:
            row(f"peak memory, cold {n:,} ≤ 350 MB", med(f"feedpub cold {n}", 1), 350, "{:.0f} MB")
        rewrites = results.get(f"no-change rewrites {n}")
        if rewrites:
            row(f"no-change build of {n:,} rewrites nothing", max(v[0] for v in rewrites), 0, "{:.0f} files")
        fat, base = med(f"feedpub cold, bodies ×8 {n}", 1), med(f"feedpub cold {n}", 1)
        text, fat_text = med(f"text MB {n}"), med(f"text MB, bodies ×8 {n}")
        if fat and base and text and fat_text:
            # bodies of the entries the feeds show are in memory by design (a few hundred);
            # holding every body would make this 1 or more
            row(f"memory not following body size, {n:,}: extra peak MB per extra MB of text (≤ 0.25)",
                (fat - base) / (fat_text - text), 0.25, "{:.2f}")
    # flat: per-document time never grows by more than 20 % from one size to the next (it
    # falls at first, as the fixed cost of starting Python spreads over more documents)
    per_doc = [(n, s / n) for n in sorted(sizes) if (s := med(f"feedpub cold {n}"))]
    for (a, ta), (b, tb) in itertools.pairwise(per_doc):
        row(f"cold time per document, {a:,} → {b:,} (flat: ≤ 1.2×)", tb / ta, 1.2, "{:.2f}×")
    return rows


def main() -> None:
    """Parse options, set up corpora, run everything, print and save the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1k and 10k only, Pelican once")
    ap.add_argument("--sizes", type=lambda s: [int(x) for x in s.split(",")], default=None)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/feedpub-bench"))  # noqa: S108 - big, throwaway
    ap.add_argument("--peers", type=Path, default=DEFAULT_PEERS, help="path to peers.sh")
    ap.add_argument("--in-memory", action="store_true",
                    help="write every site (and feedpub's cache) to /dev/shm: the disk left out")
    args = ap.parse_args()
    sizes = args.sizes or ([1000, 10000] if args.quick else [1000, 10000, 50000])
    results: dict[str, list[tuple[float, float]]] = {}
    TRASH[:] = [args.workdir / "trash"]
    if args.in_memory:
        IN_MEMORY[:] = [Path("/dev/shm/feedpub-bench")]  # noqa: S108 - big, throwaway, ours
    shutil.rmtree(TRASH[0], ignore_errors=True)  # an interrupted run's: before anything is timed (settle() waits)
    # Byte-compile this checkout first, as installing it does: with PYTHONDONTWRITEBYTECODE set
    # (as on CI machines) every run would otherwise compile feedpub's modules again (~70 ms).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "feedpub")], check=True)
    for n in sizes:
        folder = setup(n, args.workdir, args.peers)
        # Pelican takes ~25 s at 10k and minutes at 50k: it is only compared up to 10k
        pelican_runs = 0 if n > 10000 else (1 if args.quick else args.runs)
        bench_size(n, folder, args.runs, pelican_runs, results)
        if n == 10000 and not args.quick:
            bench_fat(n, folder, args.runs, results)
    digest = digest_time(args.workdir / f"{sizes[0]}")
    stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    head = (
        f"feedpub benchmark {stamp}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
        f"median of {args.runs} runs; ratios from the same run"
        f"{'; every site written to memory (/dev/shm), the disk left out' if args.in_memory else ''}\n\n"
    )
    text = head + table(sizes, results, digest) + "\n"
    print(text)
    dest = HERE / "results"
    dest.mkdir(exist_ok=True)
    (dest / f"{stamp}.md").write_text(text, encoding="utf-8")
    shutil.rmtree(TRASH[0], ignore_errors=True)  # nothing is timed any more
    if IN_MEMORY:
        shutil.rmtree(IN_MEMORY[0], ignore_errors=True)  # the memory it took


if __name__ == "__main__":
    main()
