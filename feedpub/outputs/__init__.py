"""The outputs of a build: one module per kind, each behind the protocol of :mod:`.protocol`.

To add a kind: write its module (a ``KIND`` with ``name``, ``plan`` and ``make``) and add it
to :data:`KINDS`. The executor keeps, renders and fans out for every kind alike.
"""

from __future__ import annotations

from feedpub.outputs import archive, digest, feeds, files, lists, pages, site, tag_feeds
from feedpub.outputs.protocol import Kind

KINDS: tuple[Kind, ...] = (
    archive.KIND,  # before feeds: the site-wide feed links the newest archive page
    feeds.KIND,
    tag_feeds.KIND,  # with tag_feeds = true
    digest.KIND,
    pages.KIND,  # an article page per entry
    lists.KIND,  # after feeds and digest: the home page lists every feed and digest
    site.KIND,  # OPML, stylesheets, 404, sitemap
    files.KIND,  # last: the static folder and the documents' own files, where no output of the build goes
)
