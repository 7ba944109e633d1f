"""The incremental engine against a fresh build: after any edit, a cached rebuild gives a fresh build's bytes.

A small site (documents in two categories, one with a local image, an undated one, a
template override, a feedpub.toml) goes through random sequences of edits; after each one
the output folder that the cached build updated must hold exactly the files, byte for byte,
of a build into an empty folder with no cache. Set FEEDPUB_HYPOTHESIS_EXAMPLES for a longer run.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feedpub import resources, write
from feedpub.config import Config, load_config
from feedpub.outputs import digest
from feedpub.outputs.digest import folder
from feedpub.pipeline import build
from tests.conftest import NOW, output_tree

SETTINGS = settings(max_examples=int(os.environ.get("FEEDPUB_HYPOTHESIS_EXAMPLES", "15")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
CATEGORIES = ("news", "events", "notes")
# each change valid with any other (archive_page_size may not exceed feed_limit, 2 or 3 here)
CONFIG_CHANGES = (("title", '"Another title"'), ("feed_limit", "2"), ("tag_feeds", "true"), ("list_size", "3"),
                  ("description", '"Changed"'), ("archive_page_size", "1"), ("content_mode", '"summary"'))
MARKER = "<!-- the site's own article template -->"


@dataclass
class Doc:
    """One document of the site, as the test writes it."""

    title: str
    day: int | None  # days after 1 December 2024; None: dated by its file's mtime
    category: str
    image: bool = False
    tags: tuple[str, ...] = ("x",)
    # links to other documents by their file: (how, the file below content/), how 0: a Hugo ref,
    # 1: Zola's @/, 2: a relative .md link; the build puts each target's URL in (sources.xref)
    # how + 3: the same, to the heading "Part" of the target (which then gets its id)
    links: tuple[tuple[int, str], ...] = ()

    def text(self, name: str) -> str:
        """Return the text of the document's file, content/name."""
        lines = [f"title: {self.title}", f"category: {self.category}", f"tags: [{', '.join(self.tags)}]"]
        if self.day is not None:
            lines.append(f"date: 2024-12-{1 + self.day % 30:02d}T{8 + self.day // 30:02d}:00:00Z")
        if self.image:
            lines.append("image: /images/pic.png")
        here = posixpath.dirname(name) or "."
        links = "".join(f" [to {target}]({_written(how, target, here)})" for how, target in self.links)
        return "---\n" + "\n".join(lines) + f"\n---\nThe body of {self.title}.{links}\n\n## Part\n\nMore.\n"


def _written(how: int, target: str, here: str) -> str:
    """Return a link's destination to target (below content/) from a document in folder here."""
    place = "#part" if how >= 3 else ""
    return [f'{{{{< ref "/{target}{place}" >}}}}', f"@/{target}{place}", posixpath.relpath(target, here) + place][how % 3]


@dataclass
class Site:
    """The site on disk and the state the test keeps of it."""

    root: Path
    docs: dict[str, Doc] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    image_size: int = 120
    template_text: str = "first"
    clock: int = 1_700_000_000  # every write gets a later mtime, so the cache sees each one
    made: int = 0

    def tick(self, path: Path) -> None:
        """Give path a later mtime than anything written before."""
        self.clock += 7
        os.utime(path, (self.clock, self.clock))

    def write_doc(self, name: str) -> None:
        """Write one document from its state."""
        path = self.root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.docs[name].text(name), encoding="utf-8")
        self.tick(path)

    def write_image(self) -> None:
        """Write the local image at its current size."""
        path = self.root / "content/images/pic.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (self.image_size - 8))
        self.tick(path)

    def write_template(self) -> None:
        """Write the article template override: the default one with a line of the site's own."""
        default = (resources.templates_dir() / "article.html.j2").read_text(encoding="utf-8")
        path = self.root / "templates/article.html.j2"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(default.replace("{% block main %}", f"{{% block main %}}{MARKER}<p>{self.template_text}</p>", 1),
                        encoding="utf-8")
        self.tick(path)

    def write_config(self) -> None:
        """Write feedpub.toml from the current settings."""
        base = {"title": '"Differential"', "base_url": '"https://news.example.org/"', "source": '"content"',
                "templates_dir": '"templates"', "feed_limit": "3", "archive_page_size": "2", "list_size": "2"}
        path = self.root / "feedpub.toml"
        path.write_text("".join(f"{k} = {v}\n" for k, v in {**base, **self.settings}.items()), encoding="utf-8")
        self.tick(path)

    def config(self, out: str, *, cache: bool) -> Config:
        """Return the site's configuration, building into out (with the build cache, or none)."""
        config = load_config(self.root / "feedpub.toml", {"out": str(self.root / out)}, cwd=self.root)
        return replace(config, cache=cache, cache_dir=self.root / "cache")


def new_site(root: Path) -> Site:
    """Write the starting site: five documents in two categories, one with the image, one undated."""
    site = Site(root)
    site.docs = {
        "news/one.md": Doc("One", 1, "news", image=True),
        "news/two.md": Doc("Two", 5, "news", tags=("x", "y")),
        "events/three.md": Doc("Three", 9, "events"),
        "events/four.md": Doc("Four", 14, "events"),
        "undated.md": Doc("Undated", None, "news"),
    }
    for name in site.docs:
        site.write_doc(name)
    site.write_image()
    site.write_template()
    site.write_config()
    return site


Edit = tuple[str, int, int]  # what, which document (an index, wrapped), a value

edits = st.tuples(
    st.sampled_from(["add", "remove", "rename", "touch", "date", "category", "image", "template", "config",
                     "title", "image-link", "link"]),
    st.integers(0, 20), st.integers(0, 40))


def apply(site: Site, edit: Edit) -> None:
    """Apply one edit to the site on disk."""
    what, which, value = edit
    names = sorted(site.docs)
    name = names[which % len(names)]
    content = site.root / "content"
    if what == "add":
        site.made += 1
        new = f"{CATEGORIES[value % 3]}/added-{site.made}.md"
        site.docs[new] = Doc(f"Added {site.made}", value if value % 5 else None, CATEGORIES[value % 3])
        site.write_doc(new)
    elif what == "remove" and len(names) > 1:
        del site.docs[name]
        (content / name).unlink()
    elif what == "rename":
        site.made += 1
        new = f"{CATEGORIES[value % 3]}/renamed-{site.made}.md"
        site.docs[new] = site.docs.pop(name)
        (content / new).parent.mkdir(parents=True, exist_ok=True)
        (content / name).rename(content / new)
        site.tick(content / new)
    elif what == "touch":  # the bytes stay, the mtime moves (an undated document's date with it)
        site.tick(content / name)
    elif what == "date":
        site.docs[name].day = value if value % 7 else None
        site.write_doc(name)
    elif what == "category":
        site.docs[name].category = CATEGORIES[value % 3]
        site.write_doc(name)
    elif what == "title":
        site.docs[name].title = f"Retitled {value}"
        site.write_doc(name)
    elif what == "image-link":
        site.docs[name].image = not site.docs[name].image
        site.write_doc(name)
    elif what == "link":  # a link to another document (or itself), which later edits may move or remove
        site.docs[name].links += ((value % 6, names[value % len(names)]),)
        site.write_doc(name)
    elif what == "image":  # the same path, another size
        site.image_size = 20 + value * 37 if 20 + value * 37 != site.image_size else site.image_size + 1
        site.write_image()
    elif what == "template":
        site.template_text = f"variant {value}"
        site.write_template()
    elif what == "config":
        key, setting = CONFIG_CHANGES[value % len(CONFIG_CHANGES)]
        if site.settings.get(key) == setting:
            del site.settings[key]
        else:
            site.settings[key] = setting
        site.write_config()


# The newest week with entries, however old: NOW's last complete week may hold no document, and the
# digest is an output the cached and fresh builds must agree on too.
NEWEST = digest.Request("latest", required=False)


def keep_digests(out: Path, fresh: Path) -> None:
    """Give the fresh build's folder the digests of other weeks that out holds (a build keeps them, by design)."""
    fresh.mkdir()
    shutil.copy2(out / write.MARKER, fresh / write.MARKER)
    (fresh / folder.FOLDER).mkdir()
    for path in (out / folder.FOLDER).iterdir() if (out / folder.FOLDER).is_dir() else ():
        if not path.name.startswith("latest."):
            shutil.copy2(path, fresh / folder.FOLDER / path.name)


def check_edits(steps: list[Edit]) -> None:
    """Build the site, then after each edit compare the cached rebuild with a fresh build."""
    with tempfile.TemporaryDirectory() as tmp:
        site = new_site(Path(tmp))
        build(site.config("dist", cache=True), now=NOW, digest_request=NEWEST)
        for n, step in enumerate(steps):
            apply(site, step)
            cached = site.config("dist", cache=True)
            fresh = site.config(f"fresh-{n}", cache=False)
            keep_digests(cached.out, fresh.out)
            build(cached, now=NOW, digest_request=NEWEST)
            build(fresh, now=NOW, digest_request=NEWEST)
            got, want = output_tree(cached.out), output_tree(fresh.out)
            assert sorted(got) == sorted(want), (steps[:n + 1], set(got) ^ set(want))
            differ = [path for path in want if got[path] != want[path]]
            assert not differ, (steps[:n + 1], differ)


class TestIncrementalEqualsFresh:
    @SETTINGS
    @given(steps=st.lists(edits, min_size=1, max_size=5))
    @example(steps=[("image", 0, 20)])  # a local image replaced by a larger one: its length in feeds and archive
    @example(steps=[("touch", 4, 0)])  # an undated document touched: its date moves
    @example(steps=[("template", 0, 1), ("config", 0, 2)])  # the template override, then tag feeds on
    # events/four.md (the newest) links news/one.md (no neighbour of it, not in the same feed), by a
    # Hugo ref, Zola's @/ or a relative .md link; then the target moves: the linking page has its new URL
    @example(steps=[("link", 0, 12), ("category", 2, 1)])
    @example(steps=[("link", 0, 7), ("rename", 2, 0)])  # renamed away: the ref names no document
    @example(steps=[("link", 0, 2), ("category", 2, 2), ("remove", 2, 0)])
    # a link to news/one.md's heading: its page (its own file unchanged) has the heading's id; then none
    @example(steps=[("link", 0, 27), ("link", 1, 1), ("remove", 0, 0)])
    def test_cached_build_equals_fresh_build(self, steps: list[Edit]) -> None:
        """After every edit, the cached build's output folder holds a fresh build's files, byte for byte."""
        check_edits(steps)
