"""The weekly email digest, one job per module.

- :mod:`.week`: which week (or since/until range) a digest shows, and its entries;
- :mod:`.compliance`: the ESP's merge tags, and whether a digest may be mailed as it is;
- :mod:`.view`: what a digest says, as a frozen :class:`~.view.Digest`;
- :mod:`.render`: the HTML (CSS inlined) and the plain text, through the templates;
- :mod:`.eml`: the RFC 5322 message;
- :mod:`.folder`: the names of its files, and the digests earlier builds left;
- :mod:`.kind`: the output kind (its plan, its job, the build's report).

This module names what the rest of feedpub asks before planning (the request, the week, the
compliance rules); the kind is ``feedpub.outputs.digest.kind``, registered in
:data:`feedpub.outputs.KINDS`. It imports :mod:`feedpub.outputs.protocol`, which imports
:mod:`.week`, so this module does not import the kind.
"""

from __future__ import annotations

from feedpub.outputs.digest.compliance import PROFILES, placeholder, unready
from feedpub.outputs.digest.week import Request, Window, window

__all__ = ["PROFILES", "Request", "Window", "placeholder", "unready", "window"]
