"""Links from one document to another, written as its generator writes them: resolved to the target's URL.

A site's posts link each other by naming the other document's source file, and the generator
puts that document's URL in (the link would otherwise be dead: the site has no such file):

- Hugo: ``[x]({{< ref "other" >}})``, ``relref``, ``{{% ref %}}``, ``path="…"``: with or
  without an extension, a bundle by its folder, a path without ``/`` first from the page's
  folder, then from the content folder, then (Hugo's "logical name") by file name alone;
- Zola: ``[x](@/blog/other.md)``, from the content folder;
- Jekyll: ``{% post_url 2010-07-21-name %}`` (a post of ``_posts`` by its name, a
  ``subdir/`` before it), ``{% link _posts/2016-07-26-name.md %}`` (from the site folder);
- Pelican: ``{filename}other.md`` (from the document's folder; ``/…`` from the content folder; a
  file that is no document, ``{filename}a.png``, is left to :mod:`feedpub.sources.pelican`);
- any Markdown: ``[x](other.md)``, ``[x](../b/index.md#part)``, as GitHub and Hugo's link
  render hook resolve them (from the document's folder; ``/…`` from the source folder).

Only a link's destination is read so (an inline link, a reference definition, an ``href``),
never code. A document's body is read and rendered alone, without the other documents,
and its rendered body is cached by its own bytes; so reading replaces each such
destination by ``feedpub-ref:N`` and keeps what it names as the entry's ``refs[N]``
(:func:`marked`), and the build, which knows every published document's URL, puts the URL
in each time it shows the body (:class:`Resolver`, through ``select.Selection``), and makes
the URLs part of the keys of every output that shows it: a target that moves remakes the
pages that link it. A link that names no published document: a plain ``.md`` link stays as
written (it may be a file of the site); the others keep their text and link nowhere, and
``build`` and ``check`` say so with the file and line (``unresolved-link``).
"""

from __future__ import annotations

import html as html_module
import posixpath
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote

MARK = "feedpub-ref:"  # what a resolved destination stands as in a body until a build puts the URL in
_US = "\x1f"  # between a ref's parts (a control character: never in a path or URL written in a link)

# where a destination starts: an inline link "](", a reference definition "[x]:", an href;
# template tags before the ref ("{{ site.baseurl }}", "{{ .Site.BaseURL }}") are left for the
# template step, which takes them out
_WHERE = (r"(?P<pre>(?:\]\([ \t]*<?|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?|\bhref=[\"']?)"
          r"(?:\{\{(?![<%])[^{}\n]*\}\}[ \t]*|\{%-?(?![ \t]*(?:post_url|link)\b)[^%\n]*-?%\}[ \t]*)*)")
_HUGO = (r"\{\{[<%][ \t]*(?P<hugo>rel)?ref[ \t]+(?:path[ \t]*=[ \t]*)?"
         r"(?:\"(?P<hq>[^\"\n]*)\"|'(?P<hs>[^'\n]*)'|(?P<hb>[^\s\"'>%}]+))(?P<hrest>[^\n{}]*?)[>%]\}\}")
# a post's name may hold spaces (Jekyll's own matcher allows them: _posts/2015-12-02-Blogtest Code.md)
_JEKYLL = r"\{%-?[ \t]*(?P<tag>post_url|link)[ \t]+(?P<jp>[^%{}\n]*?[^\s%{}])[ \t]*-?%\}"
# a fragment written after Hugo's or Jekyll's tag: [x]({{< relref "a.md" >}}#part)
_AFTER = r"(?P<after>#[^\s()\"'<>]*)?"
# (a file that is no document, {filename}pics/a.png, is pelican.resolved's: a path of the site)
_PELICAN = (r"(?:\{filename\}|\|filename\|)(?P<pp>[^\s()\"'<>\[\]#]*\.(?i:md|markdown|mdown|mkd|rst|html?|txt))"
            r"(?P<pf>#[^\s()\"'<>\[\]]*)?(?=[\s)>\"'\]]|$)")
_ZOLA = r"@/(?P<zp>[^\s()\"'<>#]+)(?P<zf>#[^\s()\"'<>]*)?"
_PLAIN = (r"(?![A-Za-z][\w+.-]*:|/[/\\]|#)(?P<mp>[^\s()\"'<>#?]+\.(?i:md|markdown|mdown|mkd))"
          r"(?P<mf>#[^\s()\"'<>]*)?(?=[\s)>\"']|$)")
_REF = re.compile(f"{_WHERE}(?:(?:{_HUGO}|{_JEKYLL}){_AFTER}|{_PELICAN}|{_ZOLA}|{_PLAIN})", re.MULTILINE)
_LANG = re.compile(r"\blang[ \t]*=[ \t]*[\"']?([\w-]+)")
_DOCUMENT = re.compile(r"\.(?i:md|markdown|mdown|mkd)\b")  # a searched literal first: fast


def may_have_refs(text: str) -> bool:
    """Return whether text may hold a link to another document (False: it holds none).

    Run on every Markdown body, so it is made of the cheapest searches: one character (~0.15 µs
    in 4 KB of text) before any word (~3 µs each; a search for eight words cost a cold build
    ~27 µs a document), and one search for a document's file extension (~2 µs), which every
    plain link and Zola's ``@/…`` have.
    """
    if ("{" in text or "|" in text) and ("ref" in text or "post_url" in text or "link" in text
                                          or "filename" in text):
        return True  # Hugo's ref, Jekyll's post_url and link, Pelican's {filename} and |filename|
    return _DOCUMENT.search(text) is not None  # a plain .md link; Zola's @/ names a .md file too


def marked(text: str, rel: str, first_line: int) -> tuple[str, tuple[str, ...]]:
    """Return Markdown prose (no code) with each link to another document as ``feedpub-ref:N``, and the refs.

    rel: the document's path below the source folder; first_line: the file line text starts at
    (each ref keeps its line, for the message when it names no document).
    Each ref is ``line, generator, fragment, fallback, what was written, candidates…`` joined by
    a control character (see :class:`Ref`, :class:`Resolver`), plain text the catalogue keeps.
    """
    if not may_have_refs(text):  # (the caller has asked already: a code-free part is no longer)
        return text, ()
    refs: list[str] = []
    here = posixpath.dirname(rel)
    counted = [0, first_line]  # the lines are counted up to here (matches come in order): once over the text

    def one(m: re.Match[str]) -> str:
        found = _ref(m, rel, here)
        if found is None:
            return m.group(0)
        kind, fragment, fallback, candidates = found
        if not fragment and m.group("after"):
            fragment = m.group("after")
        if kind == "place":  # Hugo's ref "#place": a place in this page
            return m.group("pre") + fragment
        if not candidates:  # a path out of the source folder: no document of it
            return m.group(0)
        start = m.start("pre") + len(m.group("pre"))
        counted[1] += text.count("\n", counted[0], start)
        counted[0] = start
        line = counted[1]
        written = text[start:m.end()][:200]
        refs.append(_US.join((str(line), kind, fragment, fallback, written, *candidates)))
        return f"{m.group('pre')}{MARK}{len(refs) - 1}"

    changed = _REF.sub(one, text)
    return changed, tuple(refs)


def _ref(m: re.Match[str], rel: str, here: str) -> tuple[str, str, str, tuple[str, ...]] | None:
    """Return (generator, fragment, fallback, candidate paths) of one match; None: not a link to a document."""
    if m.group("hq") is not None or m.group("hs") is not None or m.group("hb") is not None:
        path, _, fragment = (m.group("hq") or m.group("hs") or m.group("hb") or "").partition("#")
        fragment = "#" + fragment if fragment else ""
        if not path:
            return ("place", fragment, "", ()) if fragment else None
        lang = _LANG.search(m.group("hrest") or "")
        if path.startswith("/"):
            named = [path[1:]]
        else:
            folders = [here]
            if posixpath.splitext(posixpath.basename(rel))[0] == "index":  # (an _index.md is never published)
                folders.append(posixpath.dirname(here))  # a bundle's page: its section's folder too
            named = [*(posixpath.join(f, path) for f in folders), path]
        if lang:  # another language's page: in a content folder of every language, below its own
            named += [posixpath.join(lang.group(1), n) for n in named]
        return "hugo", fragment, "", (*_paths(named), *_sections(named), *_stem(path))  # ("/…": no stem)
    if m.group("tag") is not None:  # (a fragment is written after the tag: _AFTER)
        path = m.group("jp")
        if m.group("tag") == "post_url":  # _posts/[sub/]NAME.*, or sub/_posts/NAME.* (a category's folder)
            name = path.strip("/")
            folder, _, own = name.rpartition("/")
            return "jekyll", "", "", (*_stem(name), *_paths([f"{folder}/_posts/{own}"]))  # ("/_posts/…": none)
        return "jekyll", "", "", _paths([path.lstrip("/")])
    if m.group("pp") is not None:
        path = unquote(m.group("pp"))
        where = path[1:] if path.startswith("/") else posixpath.join(here, path)
        return "pelican", m.group("pf") or "", "", _paths([where])
    if m.group("zp") is not None:
        named = [unquote(m.group("zp"))]
        return "zola", m.group("zf") or "", "", (*_paths(named), *_sections(named))
    path = m.group("mp")
    where = unquote(path[1:] if path.startswith("/") else posixpath.join(here, path))
    fragment = m.group("mf") or ""
    return "markdown", fragment, path + fragment, _paths([where])


def _paths(paths: Iterable[str]) -> tuple[str, ...]:
    """Return paths below the source folder, normalised, without those that leave it, each once."""
    found: list[str] = []
    for p in paths:
        n = posixpath.normpath(p)
        if _inside(n) and n not in found:
            found.append(n)
    return tuple(found)


def _inside(path: str) -> bool:
    """Whether a normalised path names something below the source folder (not it, not outside it)."""
    return path not in (".", "..") and not path.startswith(("../", "/"))


def _sections(paths: Iterable[str]) -> tuple[str, ...]:
    """Return the list pages paths may name (``@folder``; ``@`` the home page), after any document.

    Hugo's and Zola's ``_index.md`` (a section's page, ``/`` the home page), or a folder alone
    (``ref "/blog"``): the site's list of what is in it, feedpub's category page of that folder's posts.
    """
    found: list[str] = []
    for p in paths:
        n = posixpath.normpath(p)
        stem, ext = posixpath.splitext(n)
        if posixpath.basename(stem) == "_index" and ext.lower() in _EXTENSIONS:  # ("_index" alone: Hugo refuses it)
            n = posixpath.dirname(stem) or "."
        elif ext:  # a file that is no section's page
            continue
        if n == "." or _inside(n):
            section = "@" if n == "." else "@" + n
            if section not in found:
                found.append(section)
    return tuple(found)


def _stem(name: str) -> tuple[str, ...]:
    """Return the candidate of a document named by its name alone (``*name``: the end of its path, no extension)."""
    n = posixpath.normpath(name)
    if not _inside(n):
        return ()
    return ("*" + posixpath.splitext(n)[0] if posixpath.splitext(n)[1].lower() in _EXTENSIONS else "*" + n,)


_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd", ".txt", ".html", ".htm", ".rst"})


class Ref:
    """One ref's parts (see :func:`marked`)."""

    __slots__ = ("candidates", "fallback", "fragment", "kind", "line", "written")

    def __init__(self, text: str) -> None:
        line, self.kind, self.fragment, self.fallback, self.written, *candidates = text.split(_US)
        self.line = int(line)
        self.candidates = tuple(candidates)


def unresolved_message(ref: Ref) -> str:
    """Return what build and check say of a ref that names no published document."""
    return (f"the link to '{ref.written}' names no published post (none at that path or by that name, or "
            "several by that name; a draft, a post dated later, or a page feedpub does not publish): "
            "it keeps its text and points nowhere")


class Resolver:
    """Every published document's URL by what a link may name it by: its path, without extension, its folder.

    And the list pages: the home page, and a folder's (``@folder``) the page of the one
    category every published document below it is in (none when they are in several).
    """

    def __init__(self, items: Iterable[tuple[str, str, str]], home: str = "",
                 list_url: Callable[[str], str] | None = None) -> None:
        """items: (path below the source folder, URL, category slug) of every published document;
        home: the home page's URL; list_url: a category page's URL by its slug."""
        self._paths: dict[str, str] = {}
        self._names: dict[str, list[tuple[str, str]]] = {}
        self._home, self._list_url = home, list_url
        self._categories: dict[str, set[str]] | None = None  # by folder, made on first use
        self._items: list[tuple[str, str]] = []
        exact: dict[str, str] = {}
        for rel, url, category in items:
            self._items.append((rel, category))
            exact[rel] = url
            stem, ext = posixpath.splitext(rel)
            names = [stem] if ext else []
            if posixpath.basename(stem) == "index" and posixpath.dirname(stem):
                names.append(posixpath.dirname(stem))  # a bundle by its folder
            for name in names:
                self._paths.setdefault(name, url)
                self._names.setdefault(posixpath.basename(name), []).append((name, url))
        self._paths.update(exact)  # a path as it is comes before another file's path without extension

    def find(self, ref: Ref) -> str | None:
        """Return the URL (with the fragment) of the document a ref names, None when it names none."""
        for candidate in ref.candidates:
            if candidate.startswith("*"):
                url = self._named(candidate[1:])
            elif candidate.startswith("@"):
                url = self._list(candidate[1:])
            else:
                url = self._paths.get(candidate)
            if url is not None:
                return url + ref.fragment
        return None

    def _list(self, folder: str) -> str | None:
        """Return the URL of a folder's list page ("": the home page), None when there is none."""
        if not folder:
            return self._home or None
        if self._list_url is None:
            return None
        if self._categories is None:
            self._categories = {}
            for rel, category in self._items:
                parts = rel.split("/")[:-1]
                for n in range(1, len(parts) + 1):
                    self._categories.setdefault("/".join(parts[:n]), set()).add(category)
        found = self._categories.get(folder, set())
        return self._list_url(next(iter(found))) if len(found) == 1 else None

    def _named(self, name: str) -> str | None:
        """Return the URL of the one document whose path without extension ends with name (None: none, or several)."""
        found = {url for path, url in self._names.get(posixpath.basename(name), ())
                 if path == name or path.endswith("/" + name)}
        return found.pop() if len(found) == 1 else None


def _in_attribute(value: str) -> str:
    """Return value as a double-quoted HTML attribute holds it."""
    return value.replace("&", "&amp;").replace('"', "&quot;")


_HEADING = re.compile(r"<h([1-6])(\s[^>]*)?>(.*?)</h\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_IDS = re.compile(r'\bid="([^"]*)"')
_NOT_IN_ID = re.compile(r"[^\w\- ]")


def with_places(html: str, places: frozenset[str]) -> str:
    """Return rendered html whose headings named by places (ids, as GitHub, Hugo and comrak make them) have them.

    A document whose own text links none of its headings has no heading ids (render.markdown:
    each costs); another document's link to one (``{{< ref "b#setup" >}}``) gives it its id.
    """
    missing = places - set(_IDS.findall(html)) if 'id="' in html else places  # (one pass, however many places)
    if not missing:
        return html
    seen: dict[str, int] = {}

    def one(m: re.Match[str]) -> str:
        text = html_module.unescape(_TAG.sub("", m.group(3))).strip().lower()
        slug = _NOT_IN_ID.sub("", text).replace(" ", "-")
        n = seen[slug] = seen.get(slug, -1) + 1
        slug = f"{slug}-{n}" if n else slug  # a second heading of the same text: -1, as GitHub counts
        if m.group(2) or slug not in missing:
            return m.group(0)
        return f'<h{m.group(1)} id="{_in_attribute(slug)}">{m.group(3)}</h{m.group(1)}>'

    return _HEADING.sub(one, html)


# the destinations a marked body's rendered HTML holds: in an attribute (what a link's
# destination becomes), or as text (a destination the renderer did not read as one)
_MARKED = re.compile(r'(\s(?:href|src)=")' + re.escape(MARK) + r'(\d+)"|' + re.escape(MARK) + r"(\d+)")


def resolved(html: str, refs: tuple[str, ...], url_of: Callable[[str], str | None]) -> str:
    """Return rendered html with each ``feedpub-ref:N`` replaced by the URL url_of(refs[N]) gives.

    None (it names no published document): the attribute goes (the link keeps its text), or
    the text. url_of gives a plain ``.md`` link's own destination, made absolute, instead.
    """
    def one(m: re.Match[str]) -> str:
        n = int(m.group(2) or m.group(3))
        url = url_of(refs[n]) if n < len(refs) else None
        if url is None:
            return ""
        escaped = _in_attribute(url)
        return f'{m.group(1)}{escaped}"' if m.group(1) else escaped.replace("<", "&lt;")

    return _MARKED.sub(one, html) if MARK in html else html

