"""Allow ``python -m feedpub``."""

from feedpub.cli import main

main()
