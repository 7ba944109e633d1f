"""Test sends: mail a built digest (.eml) to one address over SMTP, with STARTTLS.

Real campaigns go through the email service provider; this is for checking how the message
looks in a real inbox. A test send is a new message: its own Message-ID (an inbox drops a
repeat as a duplicate), the time of sending as Date, the recipient as To and "[TEST]" before
the subject. A digest that lacks an unsubscribe mechanism or the postal address is refused:
mail like that breaks anti-spam law even when it goes to one person.

Host, port, user and STARTTLS come from the ``[digest]`` config, each overridden by
``FEEDPUB_SMTP_HOST/PORT/USER/STARTTLS``; the password only ever comes from
``FEEDPUB_SMTP_PASSWORD``, so it never sits in a config file.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path

from feedpub.config import Config
from feedpub.errors import OptionError, Problem, SendError
from feedpub.outputs.digest import PROFILES, placeholder
from feedpub.render.inline import MERGE_TAG

ENV_PREFIX = "FEEDPUB_SMTP_"
TEST_PREFIX = "[TEST] "
ONE_CLICK = "List-Unsubscribe=One-Click"
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Smtp:
    """Where and how to connect."""

    host: str
    port: int
    user: str
    password: str
    starttls: bool


def settings(config: Config, env: Mapping[str, str]) -> Smtp:
    """Return the SMTP settings: the environment's FEEDPUB_SMTP_* over the config's."""
    d = config.digest
    port_text = env.get(ENV_PREFIX + "PORT", "")
    tls_text = env.get(ENV_PREFIX + "STARTTLS", "").strip().lower()
    problems = []
    port = d.smtp_port
    if port_text:
        if port_text.isdigit() and 1 <= int(port_text) <= 65535:
            port = int(port_text)
        else:
            problems.append(Problem(ENV_PREFIX + "PORT", None, f"must be a port 1-65535, not {port_text!r}"))
    starttls = d.smtp_starttls
    if tls_text:
        if tls_text not in _TRUE + _FALSE:
            problems.append(Problem(ENV_PREFIX + "STARTTLS", None, f"must be true or false: {tls_text!r}"))
        starttls = tls_text in _TRUE
    if problems:
        raise SendError(problems)
    host = env.get(ENV_PREFIX + "HOST") or d.smtp_host
    user = env.get(ENV_PREFIX + "USER") or d.smtp_user
    return Smtp(host, port, user, env.get(ENV_PREFIX + "PASSWORD", ""), starttls)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def recipient(to: str) -> Address:
    """Return the one address --to names ('a@x.org' or 'Name <a@x.org>'); raise OptionError otherwise.

    Exactly one: with 'a@x.org, b@y.org' the To header would name two people while the
    envelope, which decides who gets the mail, names one.
    """
    name, addr = _one_pair(to)
    local, _, domain = addr.rpartition("@")
    try:
        if not local or not domain or "@" in local or "<" in name or ">" in name:
            raise ValueError
        return Address(display_name=name, addr_spec=addr)
    except (ValueError, IndexError, HeaderParseError):
        raise _bad_to(f"is not an email address: {to!r}") from None


def _bad_to(why: str) -> OptionError:
    return OptionError([Problem("send", None, f"--to {why}")])


def _one_pair(to: str) -> tuple[str, str]:
    """Return the (name, address) --to holds, ("", "") when it holds none readable; raise OptionError."""
    if not to.strip():
        raise _bad_to("is empty: give one email address")
    control = _CONTROL.search(to)
    if control is not None:
        raise _bad_to(f"holds a control character ({control.group(0)!r}): {to!r}")
    found = [pair for pair in getaddresses([to]) if pair != ("", "")]  # what it could not read at all
    if len(found) > 1:
        raise _bad_to(f"takes one address, not several: {to!r} (send once to each)")
    return found[0] if found else ("", "")


def addressed(eml: bytes, to: str, *, now: datetime, test: bool = True) -> EmailMessage:
    """Parse a built .eml and make it a new message to one recipient, sent at now.

    A fresh Message-ID, Date now, To the recipient (see recipient()), and the subject marked
    "[TEST]" unless test is false.
    """
    address = recipient(to)
    msg = BytesParser(policy=policy.default).parsebytes(eml)
    host = str(msg.get("Message-ID", "")).rpartition("@")[2].rstrip(">") or None
    subject = str(msg.get("Subject", ""))
    for name in ("To", "Date", "Message-ID"):
        del msg[name]
    msg["To"] = address
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("digest-test", domain=host)
    if test and not subject.startswith(TEST_PREFIX.strip()):
        del msg["Subject"]
        msg["Subject"] = TEST_PREFIX + subject
    return msg


def _parts(msg: EmailMessage) -> tuple[str, str]:
    """Return the text and HTML parts of a message ("" for one it lacks)."""
    found = []
    for kind in ("plain", "html"):
        part = msg.get_body((kind,))
        found.append(str(part.get_content()) if part is not None else "")
    return found[0], found[1]


def review(msg: EmailMessage, config: Config, where: str) -> tuple[list[Problem], list[str]]:
    """Return what forbids sending msg (no unsubscribe mechanism, no postal address) and warnings.

    The unsubscribe mechanism is an ESP's unsubscribe merge tag in the HTML, or the
    List-Unsubscribe header with RFC 8058's List-Unsubscribe-Post (one click). The postal
    address is digest.postal_address, found in the text part. Warned about: merge tags,
    which only the ESP fills in, so their links are dead in a test.
    """
    text, html = _parts(msg)
    problems = _unsubscribe_problems(msg, html, where) + _postal_problems(config, text, where)
    tags = sorted(set(MERGE_TAG.findall(html)))
    warnings = []
    if tags:
        warnings.append(f"{where}: the message carries merge tags that only your ESP fills in "
                        f"({', '.join(tags[:4])}): in this test their links do not work")
    return problems, warnings


def _unsubscribe_problems(msg: EmailMessage, html: str, where: str) -> list[Problem]:
    """Say what is wrong with msg's unsubscribe mechanism: missing, or still the example link."""
    problems = []
    esp_unsubscribe = any(p.unsubscribe and f'href="{p.unsubscribe}"' in html for p in PROFILES.values())
    one_click = bool(msg.get("List-Unsubscribe")) and str(msg.get("List-Unsubscribe-Post", "")) == ONE_CLICK
    if not (esp_unsubscribe or one_click):
        problems.append(Problem(where, None, "no unsubscribe mechanism: set digest.unsubscribe_url (https; "
                                "it adds List-Unsubscribe and List-Unsubscribe-Post) or digest.profile, "
                                "then build again"))
    elif one_click and not esp_unsubscribe and placeholder(str(msg["List-Unsubscribe"]).strip("<>")):
        problems.append(Problem(where, None, f"the unsubscribe link {msg['List-Unsubscribe']} is still the "
                                "example: set digest.unsubscribe_url, then build again"))
    return problems


def _postal_problems(config: Config, text: str, where: str) -> list[Problem]:
    """Say what is wrong with the postal address: unset, or not in the text part."""
    problems = []
    address = " ".join(config.digest.postal_address.split())
    if not address or address.upper().startswith("TODO"):
        problems.append(Problem(where, None, "no postal address: set digest.postal_address, then build again"))
    elif address not in " ".join(text.split()):
        problems.append(Problem(where, None, f"the postal address {address!r} is not in the message; "
                                "build again"))
    return problems


def send(eml_path: Path, to: str, smtp: Smtp, config: Config, *, now: datetime, test: bool = True,
         timeout: float = 30, tls: ssl.SSLContext | None = None) -> tuple[str, ...]:
    """Send the .eml at eml_path to one address as a new message; return warnings; raise SendError.

    tls defaults to the system's trusted CAs with hostname checks; pass another context only
    to trust a private CA.
    """
    try:
        eml = eml_path.read_bytes()
    except OSError as e:
        raise SendError([Problem(str(eml_path), None, f"cannot read the digest: {e.strerror} "
                                 "(run 'feedpub digest' first)")]) from None
    msg = addressed(eml, to, now=now, test=test)
    problems, warnings = review(msg, config, str(eml_path))
    if problems:
        raise SendError(problems)
    where = f"{smtp.host}:{smtp.port}"
    if smtp.user and not smtp.starttls:
        raise SendError([Problem(where, None, "refusing to send the SMTP password unencrypted; "
                                 "enable digest.smtp_starttls")])
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as server:
            _deliver(server, msg, smtp, where, tls)
    except (smtplib.SMTPException, OSError) as e:
        raise SendError([Problem(where, None, f"sending failed: {e}")]) from None
    return tuple(warnings)


def _deliver(server: smtplib.SMTP, msg: EmailMessage, smtp: Smtp, where: str,
             tls: ssl.SSLContext | None) -> None:
    """Greet server, encrypt and log in as smtp says, and hand it msg."""
    server.ehlo()
    if smtp.starttls:
        if not server.has_extn("starttls"):
            raise SendError([Problem(where, None, "the server does not offer STARTTLS (set "
                                     "digest.smtp_starttls = false only for a local test server)")])
        server.starttls(context=tls or ssl.create_default_context())
        server.ehlo()
    if smtp.user:
        server.login(smtp.user, smtp.password)
    # the envelope's recipient is the To header's: who gets the mail is who it names
    server.send_message(msg, to_addrs=[a.addr_spec for a in msg["To"].addresses])
