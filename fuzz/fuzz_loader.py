"""Coverage-guided fuzzing of the loader and normaliser with atheris (not part of CI).

    python3 -m pip install atheris
    mkdir -p fuzz/corpus && cp seeds/* tests/hostile/unsafe/* fuzz/corpus/
    python3 fuzz/fuzz_loader.py -max_total_time=300 -rss_limit_mb=2048 fuzz/corpus

Any exception other than feedpub's own FeedpubError is a bug: atheris stops and writes the
crashing input to crash-<hash>; add it to tests/hostile/ with the error it should give.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

with atheris.instrument_imports():
    from feedpub.config import load_config
    from feedpub.errors import FeedpubError
    from feedpub.render import content
    from feedpub.sources import load
    from feedpub.sources.normalise import normalise

_TMP = Path(tempfile.mkdtemp(prefix="feedpub-fuzz-"))
_CONFIG = load_config(None, {"source": str(_TMP), "out": str(_TMP / "out")}, cwd=_TMP)


def test_one(data: bytes) -> None:
    """Load, normalise and render one document made of the fuzzer's bytes."""
    path = _TMP / "doc.md"
    path.write_bytes(data)
    try:
        entry = normalise(load.read(path, _TMP), _CONFIG)
        content.render(entry, _CONFIG)
    except FeedpubError:
        pass


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()
