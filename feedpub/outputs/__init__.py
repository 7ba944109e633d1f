"""The outputs of a build: one module per kind, each behind the protocol of :mod:`.protocol`.

To add a kind: write its module (a ``KIND`` with ``name``, ``plan`` and ``make``) and add it
to :data:`KINDS`. The executor keeps, renders and fans out for every kind alike.
"""

from __future__ import annotations

from feedpub.outputs import archive, digest, feeds, site
from feedpub.outputs.protocol import Kind

KINDS: tuple[Kind, ...] = (
    archive.KIND,  # before feeds: the site-wide feed links the newest archive page
    feeds.KIND,
    digest.KIND,
    site.KIND,  # last: the site pages list every feed and digest
)
