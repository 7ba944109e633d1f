"""The outputs of a build: one module per kind, each behind the protocol of :mod:`.protocol`.

To add a kind: write its module (a ``KIND`` with ``name``, ``after``, ``plan`` and ``make``)
and add it to :data:`KINDS`. Its jobs declare their inputs; the executor keys, keeps, renders
and fans out for every kind alike, and plans each kind after the kinds its ``after`` names.
"""

from __future__ import annotations

from feedpub.outputs import archive, feeds, files, lists, pages, site, tag_feeds
from feedpub.outputs.digest import kind as digest_kind
from feedpub.outputs.protocol import Kind

KINDS: tuple[Kind, ...] = (  # planned in this order where their `after` allows
    archive.KIND,
    feeds.KIND,  # after archive: the site-wide feed links the newest archive page
    tag_feeds.KIND,  # with tag_feeds = true
    digest_kind.KIND,
    pages.KIND,  # an article page per entry
    lists.KIND,  # after feeds and digest: the home page lists every feed and digest
    site.KIND,  # after feeds: OPML, stylesheets, 404, sitemap
    files.KIND,  # after all: the static folder and the documents' own files, where no output of the build goes
)
