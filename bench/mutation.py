"""Mutation-test feedpub's domain modules with mutmut and print a killed/survived table.

    python bench/mutation.py                      # every target below
    python bench/mutation.py select dates         # some of them
    python bench/mutation.py digest_view --survivors  # and show each surviving mutant's diff

Each target mutates one module (or some of its functions) and runs only the tests that
concern it, so a target takes minutes on two cores, not hours. mutmut works on a copy of
the project made in --workdir (default: a folder under the system temp dir), one copy per
target, so the worktree never gets a ``mutants/`` folder. The settings every target
shares are ``[tool.mutmut]`` in pyproject.toml; the table below adds the module and tests.

The score is (killed + timeout) / total, where total counts every mutant of the target:
a mutant that no selected test runs ("no tests") counts as surviving.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# mutmut's exit codes per mutant (mutmut.stats.status_by_exit_code)
KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
          37: "killed"}
STATUS = {0: "survived", 5: "no tests", 33: "no tests", 34: "skipped", None: "not checked"}
COPIED = ("feedpub", "tests", "templates", "seeds", "pyproject.toml", "README.md")


@dataclass(frozen=True)
class Target:
    """One module to mutate, the tests that concern it, and optionally which functions."""

    module: str  # path of the module, e.g. "feedpub/select.py"
    tests: tuple[str, ...]  # test files (or node ids) run against its mutants
    functions: tuple[str, ...] = ()  # function or Class.method names to mutate; () = all of them

    @property
    def dotted(self) -> str:
        """Return the module's import name."""
        return self.module.removesuffix(".py").replace("/", ".")

    def patterns(self) -> list[str]:
        """Return mutmut's mutant-name globs for the chosen functions (or the whole module)."""
        if not self.functions:
            return [f"{self.dotted}.*"]
        names = []
        for f in self.functions:
            mangled = "x" + "ǁ".join(["", *f.split(".")]) if "." in f else f"x_{f}"
            names.append(f"{self.dotted}.{mangled}__mutmut_*")
        return names


# normalise and the modules it composes: every rule of an entry is tested through normalise
_NORMALISE_TESTS = ("tests/test_normalise.py", "tests/test_fields.py", "tests/test_field_edges.py",
                    "tests/test_entry_rules.py", "tests/test_sites.py")
# the differential test of a fast path that sits in a field module: the rule's edges, one input at a time
_HELPERS = "tests/test_parse_fastpaths.py::TestNormaliseHelpers::"
TARGETS: dict[str, Target] = {
    "select": Target("feedpub/select.py", ("tests/test_select_rules.py", "tests/test_select.py", "tests/test_xref.py")),
    "dates": Target("feedpub/sources/dates.py", ("tests/test_dates.py",)),
    # the digest package, module by module, each with the unit tests of its own rules
    "digest_week": Target("feedpub/outputs/digest/week.py", ("tests/test_digest_week.py",)),
    "digest_folder": Target("feedpub/outputs/digest/folder.py", ("tests/test_digest_folder.py",)),
    "digest_compliance": Target("feedpub/outputs/digest/compliance.py", ("tests/test_digest_compliance.py",)),
    "digest_view": Target("feedpub/outputs/digest/view.py", ("tests/test_digest_view.py",)),
    "digest_render": Target("feedpub/outputs/digest/render.py", ("tests/test_digest_render.py",)),
    "digest_eml": Target("feedpub/outputs/digest/eml.py",
                         ("tests/test_email_message.py", "tests/test_digest.py::TestGolden")),
    "digest_kind": Target("feedpub/outputs/digest/kind.py", ("tests/test_digest_kind.py",)),
    "atom_rss": Target(
        "feedpub/outputs/atom_rss.py", ("tests/test_feed_rules.py", "tests/test_feeds.py"),
        ("_generator", "_links", "FeedSpec.updated"),
    ),
    "feeds": Target("feedpub/outputs/feeds.py", ("tests/test_feed_rules.py", "tests/test_feeds.py")),
    "normalise": Target("feedpub/sources/normalise.py", _NORMALISE_TESTS),
    "body": Target("feedpub/sources/body.py", _NORMALISE_TESTS),
    "fields.common": Target("feedpub/sources/fields/common.py",
                            (*_NORMALISE_TESTS, _HELPERS + "test_stem_equals_pathlib")),
    "fields.text": Target("feedpub/sources/fields/text.py",
                          (*_NORMALISE_TESTS, _HELPERS + "test_first_text_line_equals_the_split")),
    "fields.when": Target("feedpub/sources/fields/when.py", _NORMALISE_TESTS),
    "fields.address": Target("feedpub/sources/fields/address.py", _NORMALISE_TESTS),
    "fields.image": Target("feedpub/sources/fields/image.py",
                           (*_NORMALISE_TESTS, _HELPERS + "test_image_type_equals_the_split")),
    "fields.authors": Target("feedpub/sources/fields/authors.py", _NORMALISE_TESTS),
    "fields.status": Target("feedpub/sources/fields/status.py", _NORMALISE_TESTS),
    "load": Target("feedpub/sources/load.py", ("tests/test_load.py", "tests/test_sites.py")),
    "frontmatter": Target("feedpub/sources/frontmatter.py", ("tests/test_load.py", "tests/test_sites.py")),
    "discover": Target("feedpub/sources/discover.py",
                       ("tests/test_discover.py", "tests/test_load.py", "tests/test_check.py", "tests/test_sites.py")),
    "plaintext": Target("feedpub/sources/plaintext.py", ("tests/test_plaintext.py",)),
    "flat_yaml": Target("feedpub/sources/flat_yaml.py",
                        ("tests/test_fastpaths.py::TestSimpleFrontMatter", "tests/test_load.py")),
    "templates": Target("feedpub/sources/templates.py", _NORMALISE_TESTS),
    # real sites' conventions (seventh session): kramdown's attribute lists, Pelican's links, slugs of any script
    "kramdown": Target("feedpub/sources/kramdown.py", _NORMALISE_TESTS),
    "pelican": Target("feedpub/sources/pelican.py", _NORMALISE_TESTS),
    # links from one post to another (eighth session)
    "xref": Target("feedpub/sources/xref.py", ("tests/test_xref.py", "tests/test_sites.py")),
    "slug": Target("feedpub/slug.py", ("tests/test_layout.py", "tests/test_pipeline.py::TestNamesWithoutAsciiForms"),
                   ("distinct_slug", "_drops_letters")),
    "assets": Target("feedpub/sources/assets.py",
                     ("tests/test_assets.py", "tests/test_links.py", "tests/test_places.py", "tests/test_check.py")),
    "layout": Target("feedpub/layout.py", ("tests/test_layout.py", "tests/test_links.py")),
    # the speed machinery beside the stages, and the Python copy of the shipped page templates
    "spill": Target("feedpub/incremental/spill.py", ("tests/test_spill.py", "tests/test_cache.py::TestOnePass")),
    "shipped_pages": Target("feedpub/render/shipped_pages.py", ("tests/test_shipped_pages.py",)),
    "spread": Target("feedpub/incremental/executor.py", ("tests/test_parallel.py::TestSpreadKinds",), ("_spread",)),
    "shared_pool": Target("feedpub/incremental/workers.py", ("tests/test_parallel.py::TestImap",),
                          ("_shared", "_take", "_take_and_call")),
    # a rebuild's passes over every record and file (fourth session of issue 27)
    "table": Target("feedpub/incremental/catalogue.py",
                    ("tests/test_cache.py::TestCacheDamage::test_tables_survive_their_columns",
                     "tests/test_cache.py::TestCacheDamage::test_text_only_values_decode_as_their_init_makes_them",
                     "tests/test_cache.py::TestCacheDamage::test_tampered_written_record_is_not_trusted",
                     "tests/test_write.py::TestExisting"),
                    ("encode_table", "decode_table", "_bytes_column", "_bytes_values", "_texts_only")),
    "plan_encoding": Target("feedpub/incremental/inputs.py", ("tests/test_inputs.py",), ("encode", "_marshalled")),
    # a job's key from its declared inputs: what a cached build trusts to equal a fresh one
    "keys": Target("feedpub/incremental/inputs.py",
                   ("tests/test_inputs.py", "tests/test_archive.py", "tests/test_feed_rules.py",
                    "tests/test_incremental_differential.py"),
                   ("Keys.__init__", "Keys.__call__", "Keys._token", "Keys._hash_declared", "Keys._hash_settings",
                    "Keys._hash_templates", "settings_of")),
    "image_files": Target("feedpub/outputs/mapping.py", ("tests/test_feeds.py::TestImageFiles",), ("image_files",)),
    # the raw-HTML depth bound: what nh3's parser builds is its tests' oracle
    "sanitize_depth": Target("feedpub/render/sanitize.py", ("tests/test_sanitize.py",),
                             ("may_be_deep", "_flattened", "_discarded_ends", "_raw_text_end", "_Nesting.too_deep",
                              "_Nesting.text", "_Nesting.start", "_Nesting.end", "_Nesting.void",
                              "_Nesting._table_mode", "_Nesting._table_part", "_Nesting._clear_to",
                              "_Nesting._implied_ends", "_Nesting._activate", "_Nesting._close_any",
                              "_Nesting._close_item", "_Nesting._adopt", "_Nesting._active_names",
                              "_Nesting._forget", "_Nesting._pop_to")),
}


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _pyproject(target: Target) -> str:
    """Return pyproject.toml with [tool.mutmut] narrowed to the target's module and tests."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    settings = dict(tomllib.loads(text)["tool"]["mutmut"])
    settings["only_mutate"] = [target.module]
    settings["pytest_add_cli_args_test_selection"] = [t for t in target.tests if (ROOT / t.split("::")[0]).exists()]
    text = re.sub(r"^\[tool\.mutmut\]\n(?:(?!\[).*\n?)*", "", text, flags=re.MULTILINE)
    return text + "\n[tool.mutmut]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in settings.items())


def prepare(name: str, target: Target, workdir: Path) -> Path:
    """Copy the project into a fresh folder set up to mutate target; return the folder."""
    folder = workdir / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".pytest_cache", ".feedpub", "mutants")
    for item in COPIED:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, folder / item, ignore=ignore)
        else:
            shutil.copy2(src, folder / item)
    (folder / "pyproject.toml").write_text(_pyproject(target), encoding="utf-8")
    return folder


def results(folder: Path, target: Target) -> dict[str, str]:
    """Return the status of each of the target's mutants (mutant name -> status)."""
    meta = json.loads((folder / "mutants" / (target.module + ".meta")).read_text(encoding="utf-8"))
    patterns = target.patterns()
    found = {}
    for key, code in meta["exit_code_by_key"].items():
        if any(fnmatch.fnmatchcase(key, p) for p in patterns):
            found[key] = KILLED.get(code) or STATUS.get(code, "suspicious")
    return found


def run(name: str, target: Target, workdir: Path, max_children: int, *, survivors: bool) -> dict[str, str]:
    """Run mutmut on one target; print its survivors if asked; return every mutant's status."""
    folder = prepare(name, target, workdir)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("CI", None)  # tools a test needs may be absent here: skip, as outside CI
    log = folder / "mutmut.log"
    with log.open("w") as out:
        done = subprocess.run(["mutmut", "run", "--max-children", str(max_children), *target.patterns()],
                              cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0 or not (folder / "mutants" / (target.module + ".meta")).exists():
        sys.exit(f"{name}: mutmut failed (exit {done.returncode}); see {log}")
    found = results(folder, target)
    if survivors:
        for key, status in sorted(found.items()):
            if status not in ("killed", "timeout"):
                shown = subprocess.run(["mutmut", "show", key], cwd=folder, env=env, capture_output=True,
                                       text=True, check=False).stdout
                diff = [line for line in shown.splitlines() if line.startswith(("-", "+"))
                        and not line.startswith(("---", "+++"))]
                print(f"  {status}: {key}\n" + "".join(f"      {line}\n" for line in diff), end="")
    return found


def main() -> None:
    """Parse the command line, run the chosen targets one after another and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="some of " + ", ".join(TARGETS) + " (default: all)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test processes (default 2)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "feedpub-mutation")
    parser.add_argument("--survivors", action="store_true", help="print each surviving mutant's diff")
    args = parser.parse_args()
    names = args.targets or list(TARGETS)
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}: choose among {list(TARGETS)}")
    rows = []
    for name in names:
        started = time.monotonic()
        found = run(name, TARGETS[name], args.workdir, args.max_children, survivors=args.survivors)
        counts = {s: sum(1 for v in found.values() if v == s) for s in ("killed", "timeout", "survived", "no tests")}
        total = len(found)
        score = (counts["killed"] + counts["timeout"]) / total if total else 0.0
        rows.append((name, TARGETS[name].module, counts, total, score, time.monotonic() - started))
        print(f"{name}: {counts['killed'] + counts['timeout']}/{total} killed", file=sys.stderr)
    print(f"{'target':<18} {'module':<38} {'killed':>6} {'timeout':>7} {'survived':>8} {'no tests':>8}"
          f" {'total':>5} {'score':>6} {'time':>6}")
    for name, module, counts, total, score, seconds in rows:
        print(f"{name:<18} {module:<38} {counts['killed']:>6} {counts['timeout']:>7} {counts['survived']:>8}"
              f" {counts['no tests']:>8} {total:>5} {score:>6.1%} {seconds:>5.0f}s")


if __name__ == "__main__":
    main()
