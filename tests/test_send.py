"""Test sends over SMTP, against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from feedpub.cli import cli
from feedpub.commands import send
from feedpub.config import Config
from feedpub.errors import OptionError, SendError


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server (no TLS, no auth); yields its inbox and port."""
    inbox, port = Inbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()



def _smtp(port: int, **changes: Any) -> send.Smtp:
    return replace(send.Smtp("127.0.0.1", port, "", "", starttls=False), **changes)


class TestSend:
    def test_message_arrives_intact(self, built: Config, server) -> None:
        """The server receives the digest, addressed to the recipient, parts and subject intact."""
        inbox, port = server
        send.send(built.out / "digest/latest.eml", "reader@example.org", _smtp(port))
        (envelope,) = inbox.envelopes
        assert envelope.rcpt_tos == ["reader@example.org"]
        assert envelope.mail_from == "noreply@news.example.org"
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert msg["To"] == "reader@example.org"
        assert msg["Subject"] == "feedpub — week of 26 February 2024"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
        assert html == (built.out / "digest/latest.html").read_text(encoding="utf-8")

    def test_starttls_required_but_not_offered(self, built: Config, server) -> None:
        """With STARTTLS on and a server that lacks it, sending fails with a clear message."""
        _, port = server
        with pytest.raises(SendError, match="the server does not offer STARTTLS"):
            send.send(built.out / "digest/latest.eml", "reader@example.org", _smtp(port, starttls=True))

    def test_no_password_in_clear(self, built: Config, server) -> None:
        """A user name without STARTTLS is refused before connecting."""
        _, port = server
        with pytest.raises(SendError, match="refusing to send the SMTP password unencrypted"):
            send.send(built.out / "digest/latest.eml", "reader@example.org", _smtp(port, user="u"))

    def test_connection_refused_is_a_send_error(self, built: Config) -> None:
        """A server that is not there gives SendError naming host and port."""
        port = _free_port()
        with pytest.raises(SendError, match=rf"^127.0.0.1:{port}: sending failed: "):
            send.send(built.out / "digest/latest.eml", "reader@example.org", _smtp(port))

    def test_bad_recipient_and_missing_file(self, built: Config, tmp_path: Path) -> None:
        """A recipient with a newline or no address, or no built digest, is refused."""
        with pytest.raises(OptionError, match="--to is not an email address"):
            send.send(built.out / "digest/latest.eml", "a@b.org\nBcc: c@d.org", _smtp(1))
        with pytest.raises(SendError, match=r"cannot read the digest: .*\(run 'feedpub digest' first\)"):
            send.send(tmp_path / "none.eml", "a@b.org", _smtp(1))


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and its key; return their paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = datetime.now(tz=UTC) - timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TestStarttls:
    def test_starttls_and_login(self, built: Config, tmp_path: Path) -> None:
        """Against a server that requires STARTTLS before AUTH, the digest is sent encrypted and logged in."""
        cert, key = _self_signed(tmp_path)
        server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_tls.load_cert_chain(cert, key)
        logins: list[tuple[bytes, bytes]] = []

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            logins.append((data.login, data.password))
            return AuthResult(success=data.password == b"s3cret")

        inbox, port = Inbox(), _free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=server_tls,
                                require_starttls=True, authenticator=authenticator, auth_required=True,
                                auth_require_tls=True)
        controller.start()
        try:
            client_tls = ssl.create_default_context(cafile=str(cert))  # trusts only the test certificate
            smtp = send.Smtp("127.0.0.1", port, "editor", "s3cret", starttls=True)
            send.send(built.out / "digest/latest.eml", "reader@example.org", smtp, tls=client_tls)
            with pytest.raises(SendError, match=r"sending failed: .*certificate verify failed"):
                send.send(built.out / "digest/latest.eml", "reader@example.org", smtp)  # system CAs
        finally:
            controller.stop()
        assert logins == [(b"editor", b"s3cret")]
        assert [e.rcpt_tos for e in inbox.envelopes] == [["reader@example.org"]]


class TestSettings:
    def test_environment_overrides_config(self, built: Config) -> None:
        """FEEDPUB_SMTP_* win over [digest]; the password only comes from the environment."""
        env = {"FEEDPUB_SMTP_HOST": "mail.example.org", "FEEDPUB_SMTP_PORT": "2525",
               "FEEDPUB_SMTP_USER": "me", "FEEDPUB_SMTP_PASSWORD": "pw", "FEEDPUB_SMTP_STARTTLS": "false"}
        assert send.settings(built, env) == send.Smtp("mail.example.org", 2525, "me", "pw", starttls=False)
        assert send.settings(built, {}) == send.Smtp("localhost", 587, "", "", starttls=True)

    def test_bad_environment_values(self, built: Config) -> None:
        """Every bad FEEDPUB_SMTP_* value is reported, named."""
        with pytest.raises(SendError) as e:
            send.settings(built, {"FEEDPUB_SMTP_PORT": "x", "FEEDPUB_SMTP_STARTTLS": "maybe"})
        assert str(e.value).splitlines() == ["FEEDPUB_SMTP_PORT: must be a port 1-65535, not 'x'",
                                             "FEEDPUB_SMTP_STARTTLS: must be true or false: 'maybe'"]


class TestCli:
    def test_send_command(self, built: Config, server, monkeypatch: pytest.MonkeyPatch) -> None:
        """`feedpub send --to` mails <out>/digest/latest.eml using the FEEDPUB_SMTP_* environment."""
        inbox, port = server
        monkeypatch.setenv("FEEDPUB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FEEDPUB_SMTP_PORT", str(port))
        monkeypatch.setenv("FEEDPUB_SMTP_STARTTLS", "0")
        result = CliRunner().invoke(cli, ["--source", str(built.source), "--out", str(built.out),
                                          "send", "--to", "reader@example.org"])
        assert result.exit_code == 0, result.output
        eml = built.out / "digest/latest.eml"
        assert result.stderr == f"sent {eml} to reader@example.org via 127.0.0.1:{port}\n"
        assert [e.rcpt_tos for e in inbox.envelopes] == [["reader@example.org"]]
