"""Test sends: mail a built digest (.eml) to one address over SMTP, with STARTTLS.

Real campaigns go through the email service provider; this is for checking how the message
looks in a real inbox. Host, port, user and STARTTLS come from the ``[digest]`` config, each
overridden by ``FEEDPUB_SMTP_HOST/PORT/USER/STARTTLS``; the password only ever comes from
``FEEDPUB_SMTP_PASSWORD``, so it never sits in a config file.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

from feedpub.config import Config
from feedpub.errors import OptionError, Problem, SendError

ENV_PREFIX = "FEEDPUB_SMTP_"
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


def addressed(eml: bytes, to: str) -> EmailMessage:
    """Parse a built .eml and address it to one recipient."""
    if "@" not in parseaddr(to)[1] or "\n" in to or "\r" in to:
        raise OptionError([Problem("send", None, f"--to is not an email address: {to!r}")])
    msg = BytesParser(policy=policy.default).parsebytes(eml)
    del msg["To"]
    msg["To"] = to
    return msg


def send(eml_path: Path, to: str, smtp: Smtp, *, timeout: float = 30,
         tls: ssl.SSLContext | None = None) -> None:
    """Send the .eml at eml_path to one address; raise SendError on any failure.

    tls defaults to the system's trusted CAs with hostname checks; pass another context only
    to trust a private CA.
    """
    try:
        eml = eml_path.read_bytes()
    except OSError as e:
        raise SendError([Problem(str(eml_path), None, f"cannot read the digest: {e.strerror} "
                                 "(run 'feedpub digest' first)")]) from None
    msg = addressed(eml, to)
    where = f"{smtp.host}:{smtp.port}"
    if smtp.user and not smtp.starttls:
        raise SendError([Problem(where, None, "refusing to send the SMTP password unencrypted; "
                                 "enable digest.smtp_starttls")])
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as server:
            server.ehlo()
            if smtp.starttls:
                if not server.has_extn("starttls"):
                    raise SendError([Problem(where, None, "the server does not offer STARTTLS (set "
                                             "digest.smtp_starttls = false only for a local test server)")])
                server.starttls(context=tls or ssl.create_default_context())
                server.ehlo()
            if smtp.user:
                server.login(smtp.user, smtp.password)
            server.send_message(msg, to_addrs=[parseaddr(to)[1]])
    except (smtplib.SMTPException, OSError) as e:
        raise SendError([Problem(where, None, f"sending failed: {e}")]) from None
