"""The digest as an RFC 5322 message (.eml): multipart/alternative, text first, HTML last.

Built with the standard library's email package. Every header is deterministic (Date is the
build time, Message-ID a hash of the content) so a build is reproducible, and header values
are collapsed to one line so no title or setting can inject a header. ``To:`` is the
``undisclosed-recipients:;`` group until a sender addresses it (`feedpub send`, an ESP).
"""

from __future__ import annotations

import hashlib
from email.utils import format_datetime, formataddr
from urllib.parse import urlsplit

from feedpub.config import Config
from feedpub.outputs.digest.view import Digest

UNDISCLOSED = "undisclosed-recipients:;"  # RFC 5322 §3.4 empty group: the file is addressed to no one yet


def one_line(value: str) -> str:
    """Collapse all whitespace, newlines included, so a value cannot start a new header."""
    return " ".join(value.split())


def site_host(config: Config) -> str:
    """Return the host name of the site (for default addresses and Message-IDs)."""
    return urlsplit(config.base_url).hostname or "localhost"


def from_address(config: Config) -> str:
    """Return the From address: configured, else the site title at noreply@<site host>."""
    return config.digest.from_address or formataddr((one_line(config.title), f"noreply@{site_host(config)}"))


def message(digest: Digest, html: str, text: str, config: Config) -> bytes:
    """Return the .eml bytes (CRLF line ends, as on the wire) of a digest."""
    # the email package's message classes, loaded only when a digest is made: a build that
    # keeps its digest never needs them (see docs/performance.md)
    from email import policy
    from email.message import EmailMessage

    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = one_line(digest.subject)
    msg["From"] = one_line(from_address(config))
    msg["To"] = UNDISCLOSED
    msg["Date"] = format_datetime(digest.made)  # the build time (SOURCE_DATE_EPOCH in a reproducible build)
    fingerprint = hashlib.sha256("\0".join((config.base_url, digest.window.label, text)).encode()).hexdigest()
    msg["Message-ID"] = f"<digest.{digest.window.label}.{fingerprint[:16]}@{site_host(config)}>"
    if digest.list_unsubscribe:
        msg["List-Unsubscribe"] = f"<{one_line(digest.list_unsubscribe)}>"
        if digest.list_unsubscribe.startswith("https:"):  # RFC 8058 one-click: https only
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    msg.set_boundary(f"=_feedpub_{fingerprint[16:48]}")  # the default one is random
    return msg.as_bytes()
