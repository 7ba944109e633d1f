"""The package's shape: the stages import nothing from the cache machinery, and no import goes round in a circle.

Read from the source with ``ast`` (nothing is imported), so a test names the module and
line of what it refuses.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "feedpub"

# The stages and the values between them: they work without the build cache, the pool or the
# executor, which sit beside them (feedpub.incremental) and call them.
CORE = ("feedpub.outputs", "feedpub.sources", "feedpub.render", "feedpub.select", "feedpub.write", "feedpub.claims",
        "feedpub.places", "feedpub.layout", "feedpub.model", "feedpub.records")
INCREMENTAL = "feedpub.incremental"

# Imports inside a function on purpose: a heavy library loaded by the first use, so a build
# (or a rebuild that keeps every output) that never needs it never pays for it.
LAZY = {
    ("feedpub.outputs.atom_rss", "feedgen"),
    ("feedpub.outputs.atom_rss", "lxml"),
    ("feedpub.outputs.digest.eml", "email"),
    ("feedpub.render.inline", "premailer"),
    ("feedpub.render.markdown", "comrak"),
    ("feedpub.render.sanitize", "nh3"),
    ("feedpub.render.templating", "jinja2"),
    ("feedpub.render.templating", "markupsafe"),
    ("feedpub.incremental.workers", "multiprocessing"),
    ("feedpub.incremental.workers", "ctypes"),  # a forked worker asks to end with its parent; a build forking none, never
}
# Modules that import lazily whatever they import late: the command line loads a command's
# stage only when that command runs, so `feedpub --help` loads none; its reporter, which every
# command imports, reads documents again (the pipeline) only for `-v`.
LAZY_MODULES = {"feedpub.cli", "feedpub.commands.report"}


@dataclass(frozen=True)
class Import:
    """One import statement's target, as a module name, where it is written."""

    module: str  # the importing module
    target: str  # the module imported (for `from a import b`: a.b when that is a module, else a)
    line: int
    top: bool  # at the module's top level (run on import), not inside a function or class
    typing_only: bool  # inside `if TYPE_CHECKING:` (never run)

    @property
    def where(self) -> str:
        """Return the import's place as a message says it."""
        return f"{self.module}:{self.line} imports {self.target}"


def _name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _under(module: str, prefixes: set[str] | tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, module: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = node.module or ""
    if node.level:  # relative: resolved against the importing module's package
        package = module.split(".")
        if MODULES[module].name != "__init__.py":
            package.pop()
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, *([node.module] if node.module else [])])
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]


def _walk(nodes: list[ast.stmt], module: str, *, top: bool, typing_only: bool) -> Iterator[Import]:
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module):
                yield Import(module, target, node.lineno, top, typing_only)
        elif isinstance(node, ast.If):
            yield from _walk(node.body, module, top=top, typing_only=typing_only or _is_type_checking(node))
            yield from _walk(node.orelse, module, top=top, typing_only=typing_only)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _walk(node.body, module, top=False, typing_only=typing_only)
        else:  # try, with, for, while, match: their statements run where the block does
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _walk([child], module, top=top, typing_only=typing_only)
                elif isinstance(child, ast.excepthandler | ast.match_case):
                    yield from _walk(child.body, module, top=top, typing_only=typing_only)


def imports(module: str) -> list[Import]:
    """Return every import of a module of the package, in file order."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    return list(_walk(tree.body, module, top=True, typing_only=False))


IMPORTS = [i for m in MODULES for i in imports(m)]


def graph(found: list[Import]) -> dict[str, set[str]]:
    """Return which modules of the package each module imports when it runs (TYPE_CHECKING blocks never do)."""
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    for i in found:
        if not i.typing_only and i.target in MODULES:
            edges[i.module].add(i.target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the import cycles of a graph: each strongly connected group of two or more modules, sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's algorithm; the package is far shallower than the recursion limit
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in edges[v]:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(found)


class TestReader:
    """The import reader itself, on small sources."""

    def test_a_cycle_is_found(self) -> None:
        """Three modules importing each other in a ring are one cycle; a chain is none."""
        assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
        assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []

    def test_where_an_import_runs(self) -> None:
        """Top-level imports, imports in a function and imports only for type checking are told apart."""
        found = imports("feedpub.write")
        assert any(i.target == "feedpub.errors" and i.top for i in found)
        late = [i for i in IMPORTS if i.module == "feedpub.cli" and not i.top]
        assert late, "the command line loads its commands lazily"
        assert all(not i.top for i in IMPORTS if i.module == "feedpub.outputs.atom_rss" and i.target == "lxml"
                   and not i.typing_only)


class TestLayers:
    def test_the_stages_import_nothing_from_the_cache_machinery(self) -> None:
        """outputs, sources, render, select, write, claims, places, layout and model never import feedpub.incremental."""
        leaks = [i.where for i in IMPORTS if _under(i.module, CORE) and _under(i.target, (INCREMENTAL,))]
        assert leaks == []


class TestImports:
    def test_no_import_cycle(self) -> None:
        """No module of the package imports, through others, itself (late imports included)."""
        found = cycles(graph(IMPORTS))
        assert found == []

    def test_no_import_inside_a_function_but_a_heavy_library(self) -> None:
        """An import inside a function is a heavy library loaded on first use, listed in LAZY."""
        late = [i.where for i in IMPORTS if not i.top and not i.typing_only
                and i.module not in LAZY_MODULES
                and (i.module, i.target.split(".")[0]) not in LAZY]
        assert late == []

    @pytest.mark.parametrize("pair", sorted(LAZY))
    def test_each_lazy_import_says_why(self, pair: tuple[str, str]) -> None:
        """A heavy library imported late is explained: a comment at its first late import, or one naming it."""
        module, library = pair
        lines = MODULES[module].read_text(encoding="utf-8").splitlines()
        first = min(i.line for i in IMPORTS if (i.module, i.target.split(".")[0]) == pair and not i.top
                    and not i.typing_only)
        at_import = "#" in lines[first - 1] or lines[first - 2].strip().startswith("#")
        naming = any(library in line.partition("#")[2] for line in lines)
        assert at_import or naming

    @pytest.mark.parametrize("pair", sorted(LAZY))
    def test_each_lazy_pair_is_used(self, pair: tuple[str, str]) -> None:
        """A listed lazy import that no longer exists is removed from the list."""
        assert any((i.module, i.target.split(".")[0]) == pair and not i.top and not i.typing_only for i in IMPORTS)


_LOADS = """
import json, sys
from datetime import datetime, timezone
from feedpub.config import load_config
from feedpub.pipeline import build
config = load_config(None, {"source": sys.argv[1], "out": sys.argv[2], "cache_dir": sys.argv[3], "workers": 1})
build(config, now=datetime.fromisoformat(sys.argv[4]))
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[5].split(",")))))
"""
HEAVY = ("premailer", "cssutils", "feedgen", "lxml", "comrak", "nh3", "jinja2")


class TestWhatABuildLoads:
    """A heavy library is loaded by the build that needs it, and by no other (measured in a fresh process)."""

    def _loaded(self, tmp_path: Path, now: str) -> list[str]:
        import json
        import subprocess
        import sys

        done = subprocess.run([sys.executable, "-c", _LOADS, str(tmp_path / "src"), str(tmp_path / "out"),
                               str(tmp_path / "cache"), now, ",".join(HEAVY)],
                              capture_output=True, text=True, check=True, cwd=PACKAGE.parent)
        return json.loads(done.stdout.splitlines()[-1])  # type: ignore[no-any-return]

    def test_premailer_only_for_a_digest_and_nothing_heavy_for_no_change(self, tmp_path: Path) -> None:
        """A cold build without a digest never loads premailer; with one it does; a rebuild that keeps everything loads none."""
        from tests.conftest import write_corpus

        write_corpus(tmp_path / "src", 6)  # 1 to 6 January 2024
        quiet_week = "2024-03-01T12:00:00+00:00"  # the last complete week had no entry: no digest
        assert self._loaded(tmp_path, quiet_week) == ["comrak", "feedgen", "jinja2", "lxml", "nh3"]
        assert self._loaded(tmp_path, quiet_week) == []  # nothing changed: nothing made
        (tmp_path / "out").rename(tmp_path / "gone")
        digest_week = "2024-01-09T12:00:00+00:00"  # the week of 1 to 7 January is complete: a digest
        assert "premailer" in self._loaded(tmp_path, digest_week)  # one process (workers = 1): it is made here
        assert (tmp_path / "out" / "digest").is_dir()
