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
from feedpub.pipeline import build
from tests.conftest import AFTER_SEEDS, NOW

READY = {"digest.unsubscribe_url": "https://lists.mysite.net/unsubscribe",  # what a sendable digest needs
         "digest.postal_address": "1 Example Road, Taipei"}


@pytest.fixture
def ready(seeds: Path, make_config: Any) -> Config:
    """The seeds built the Monday after their newest week, with an unsubscribe URL and a postal address: a digest
    that may be sent."""
    config = make_config(seeds, **READY)
    build(config, now=AFTER_SEEDS)
    return config


def _send(config: Config, smtp: send.Smtp, to: str = "reader@example.org", **kwargs: Any) -> tuple[str, ...]:
    return send.send(config.out / "digest/latest.eml", to, smtp, config, now=datetime.now(tz=UTC), **kwargs)


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
    def test_message_arrives_intact(self, ready: Config, server) -> None:
        """The server receives the digest, addressed to the recipient, parts intact, subject marked [TEST]."""
        inbox, port = server
        assert _send(ready, _smtp(port)) == ()
        (envelope,) = inbox.envelopes
        assert envelope.rcpt_tos == ["reader@example.org"]
        assert envelope.mail_from == "noreply@news.example.org"
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert msg["To"] == "reader@example.org"
        assert msg["Subject"] == "[TEST] feedpub — week of 26 February 2024"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        html = msg.get_body(("html",)).get_content().replace("\r\n", "\n")  # CRLF on the wire
        assert html == (ready.out / "digest/latest.html").read_text(encoding="utf-8")

    def test_each_send_is_a_new_message_dated_now(self, ready: Config, server) -> None:
        """Two sends carry two Message-IDs, neither the file's, and a Date within a minute of now."""
        inbox, port = server
        _send(ready, _smtp(port))
        _send(ready, _smtp(port))
        built = BytesParser(policy=policy.default).parsebytes((ready.out / "digest/latest.eml").read_bytes())
        sent = [BytesParser(policy=policy.default).parsebytes(e.original_content) for e in inbox.envelopes]
        ids = [m["Message-ID"] for m in sent]
        assert len(set(ids)) == 2 and built["Message-ID"] not in ids
        assert all(i.endswith("@news.example.org>") for i in ids)
        for m in sent:
            assert abs(m["Date"].datetime - datetime.now(tz=UTC)) < timedelta(minutes=1)
            assert len(m.get_all("Date")) == len(m.get_all("Message-ID")) == len(m.get_all("To")) == 1
            assert m["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    def test_without_the_test_prefix(self, ready: Config, server) -> None:
        """test=False sends the subject as built."""
        inbox, port = server
        _send(ready, _smtp(port), test=False)
        msg = BytesParser(policy=policy.default).parsebytes(inbox.envelopes[0].original_content)
        assert msg["Subject"] == "feedpub — week of 26 February 2024"

    def test_a_digest_without_unsubscribe_or_address_is_refused(self, built: Config, server) -> None:
        """No unsubscribe mechanism and no postal address: both named, nothing sent."""
        inbox, port = server
        eml = built.out / "digest/latest.eml"
        with pytest.raises(SendError) as e:
            _send(built, _smtp(port))
        assert str(e.value).splitlines() == [
            f"{eml}: no unsubscribe mechanism: set digest.unsubscribe_url (https; it adds List-Unsubscribe "
            "and List-Unsubscribe-Post) or digest.profile, then build again",
            f"{eml}: no postal address: set digest.postal_address, then build again"]
        assert inbox.envelopes == []

    def test_the_example_unsubscribe_url_is_refused(self, seeds: Path, make_config: Any, server) -> None:
        """A digest built with init's example unsubscribe URL is not sent."""
        inbox, port = server
        config = make_config(seeds, **{**READY, "digest.unsubscribe_url": "https://news.example.org/unsubscribe"})
        build(config, now=AFTER_SEEDS)
        with pytest.raises(SendError, match=r"the unsubscribe link <https://news.example.org/unsubscribe> is "
                                            r"still the example"):
            _send(config, _smtp(port))
        assert inbox.envelopes == []

    def test_esp_merge_tags_are_a_warning(self, seeds: Path, make_config: Any, server) -> None:
        """With an ESP profile the unsubscribe tag satisfies the check, and the dead tags are named."""
        inbox, port = server
        config = make_config(seeds, **{"digest.profile": "mailchimp", "digest.postal_address": "1 Main St"})
        build(config, now=AFTER_SEEDS)
        (warning,) = _send(config, _smtp(port))
        assert warning == (f"{config.out / 'digest/latest.eml'}: the message carries merge tags that only your "
                           "ESP fills in (*|ARCHIVE|*, *|MC_PREVIEW_TEXT|*, *|UNSUB|*): in this test their "
                           "links do not work")
        assert len(inbox.envelopes) == 1

    def test_starttls_required_but_not_offered(self, ready: Config, server) -> None:
        """With STARTTLS on and a server that lacks it, sending fails with a clear message."""
        _, port = server
        with pytest.raises(SendError, match="the server does not offer STARTTLS"):
            _send(ready, _smtp(port, starttls=True))

    def test_no_password_in_clear(self, ready: Config, server) -> None:
        """A user name without STARTTLS is refused before connecting."""
        _, port = server
        with pytest.raises(SendError, match="refusing to send the SMTP password unencrypted"):
            _send(ready, _smtp(port, user="u"))

    def test_connection_refused_is_a_send_error(self, ready: Config) -> None:
        """A server that is not there gives SendError naming host and port."""
        port = _free_port()
        with pytest.raises(SendError, match=rf"^127.0.0.1:{port}: sending failed: "):
            _send(ready, _smtp(port))

    @pytest.mark.parametrize(("to", "header"), [
        ("Jane Doe <jane@example.org>", "Jane Doe <jane@example.org>"),
        ('"Doe, Jane" <jane@example.org>', '"Doe, Jane" <jane@example.org>'),
        ("<jane@example.org>", "jane@example.org"),
        ("jane@example.org (Jane)", "Jane <jane@example.org>"),
    ])
    def test_a_named_recipient_gets_it(self, ready: Config, server, to: str, header: str) -> None:
        """'Name <addr>': the envelope goes to the address the To header shows, and to no one else."""
        inbox, port = server
        _send(ready, _smtp(port), to=to)
        (envelope,) = inbox.envelopes
        assert envelope.rcpt_tos == ["jane@example.org"]
        msg = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        assert msg["To"] == header
        assert [a.addr_spec for a in msg["To"].addresses] == envelope.rcpt_tos

    @pytest.mark.parametrize(("to", "why"), [
        ("a@x.org, b@y.org", "takes one address, not several: 'a@x.org, b@y.org' (send once to each)"),
        ("A <a@x.org>, b@y.org", "takes one address, not several: 'A <a@x.org>, b@y.org' (send once to each)"),
        ("a@x.org;b@y.org", "takes one address, not several: 'a@x.org;b@y.org' (send once to each)"),
        ('"A" <a@x.org> <b@y.org>', "takes one address, not several: '\"A\" <a@x.org> <b@y.org>' (send once to each)"),
        ("a@x\x0b.org", "holds a control character ('\\x0b'): 'a@x\\x0b.org'"),
        ("a@b.org\nBcc: c@d.org", "holds a control character ('\\n'): 'a@b.org\\nBcc: c@d.org'"),
        ("", "is empty: give one email address"),
        (" ", "is empty: give one email address"),
        ("a@b@c.org", "is not an email address: 'a@b@c.org'"),
        ("not an address", "is not an email address: 'not an address'"),
        ("@x.org", "is not an email address: '@x.org'"),
    ])
    def test_anything_but_one_address_is_refused(self, ready: Config, server, to: str, why: str) -> None:
        """Several addresses, control characters, nothing or no address: a usage error, and nothing is sent."""
        inbox, port = server
        with pytest.raises(OptionError) as e:
            _send(ready, _smtp(port), to=to)
        assert str(e.value) == f"send: --to {why}"
        assert inbox.envelopes == []

    def test_bad_recipient_and_missing_file(self, ready: Config, tmp_path: Path) -> None:
        """A recipient that is no address, or no built digest, is refused."""
        with pytest.raises(OptionError, match="--to is not an email address"):
            _send(ready, _smtp(1), to="nobody")
        with pytest.raises(SendError, match=r"cannot read the digest: .*\(run 'feedpub digest' first\)"):
            send.send(tmp_path / "none.eml", "a@b.org", _smtp(1), ready, now=NOW)


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
    def test_starttls_and_login(self, ready: Config, tmp_path: Path) -> None:
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
            _send(ready, smtp, tls=client_tls)
            with pytest.raises(SendError, match=r"sending failed: .*certificate verify failed"):
                _send(ready, smtp)  # system CAs
        finally:
            controller.stop()
        assert logins == [(b"editor", b"s3cret")]
        assert [e.rcpt_tos for e in inbox.envelopes] == [["reader@example.org"]]


class TestSettings:
    def test_environment_overrides_config(self, ready: Config) -> None:
        """FEEDPUB_SMTP_* win over [digest]; the password only comes from the environment."""
        env = {"FEEDPUB_SMTP_HOST": "mail.example.org", "FEEDPUB_SMTP_PORT": "2525",
               "FEEDPUB_SMTP_USER": "me", "FEEDPUB_SMTP_PASSWORD": "pw", "FEEDPUB_SMTP_STARTTLS": "false"}
        assert send.settings(ready, env) == send.Smtp("mail.example.org", 2525, "me", "pw", starttls=False)
        assert send.settings(ready, {}) == send.Smtp("localhost", 587, "", "", starttls=True)

    def test_bad_environment_values(self, ready: Config) -> None:
        """Every bad FEEDPUB_SMTP_* value is reported, named."""
        with pytest.raises(SendError) as e:
            send.settings(ready, {"FEEDPUB_SMTP_PORT": "x", "FEEDPUB_SMTP_STARTTLS": "maybe"})
        assert str(e.value).splitlines() == ["FEEDPUB_SMTP_PORT: must be a port 1-65535, not 'x'",
                                             "FEEDPUB_SMTP_STARTTLS: must be true or false: 'maybe'"]


class TestCli:
    @pytest.fixture
    def toml(self, ready: Config, tmp_path: Path) -> Path:
        """A feedpub.toml with the settings the ready digest was built with."""
        path = tmp_path / "feedpub.toml"
        path.write_text("[digest]\n" + "".join(f'{k.split(".")[1]} = "{v}"\n' for k, v in READY.items()),
                        encoding="utf-8")
        return path

    @pytest.mark.parametrize(("flag", "subject"), [([], "[TEST] feedpub — week of 26 February 2024"),
                                                   (["--no-test-prefix"], "feedpub — week of 26 February 2024")])
    def test_send_command(self, ready: Config, toml: Path, server, monkeypatch: pytest.MonkeyPatch,
                          flag: list[str], subject: str) -> None:
        """`feedpub send --to` mails <out>/digest/latest.eml using FEEDPUB_SMTP_*; --no-test-prefix drops [TEST]."""
        inbox, port = server
        monkeypatch.setenv("FEEDPUB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FEEDPUB_SMTP_PORT", str(port))
        monkeypatch.setenv("FEEDPUB_SMTP_STARTTLS", "0")
        result = CliRunner().invoke(cli, ["--config", str(toml), "--source", str(ready.source), "--out",
                                          str(ready.out), "send", "--to", "reader@example.org", *flag])
        assert result.exit_code == 0, result.output
        eml = ready.out / "digest/latest.eml"
        assert result.stderr == f"sent {eml} to reader@example.org via 127.0.0.1:{port}\n"
        assert [e.rcpt_tos for e in inbox.envelopes] == [["reader@example.org"]]
        msg = BytesParser(policy=policy.default).parsebytes(inbox.envelopes[0].original_content)
        assert msg["Subject"] == subject

    def test_several_recipients_exit_2(self, ready: Config, toml: Path, server,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
        """`feedpub send --to 'a, b'` is a usage error (exit 2, the usage line, one Error: line); nothing is sent."""
        inbox, port = server
        monkeypatch.setenv("FEEDPUB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FEEDPUB_SMTP_PORT", str(port))
        monkeypatch.setenv("FEEDPUB_SMTP_STARTTLS", "0")
        result = CliRunner().invoke(cli, ["--config", str(toml), "--source", str(ready.source), "--out",
                                          str(ready.out), "send", "--to", "a@x.org, b@y.org"])
        assert result.exit_code == 2
        assert result.stderr.splitlines()[0].startswith("Usage: ")
        assert result.stderr.splitlines()[-1] == (
            "Error: --to takes one address, not several: 'a@x.org, b@y.org' (send once to each)")
        assert inbox.envelopes == []

    def test_unready_digest_exits_1(self, built: Config, server, monkeypatch: pytest.MonkeyPatch) -> None:
        """`feedpub send` of a digest with no unsubscribe and no address exits 1 naming both; nothing is sent."""
        inbox, port = server
        monkeypatch.setenv("FEEDPUB_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("FEEDPUB_SMTP_PORT", str(port))
        result = CliRunner().invoke(cli, ["--source", str(built.source), "--out", str(built.out),
                                          "send", "--to", "reader@example.org"])
        assert result.exit_code == 1
        assert [line.split(": ", 2)[2][:25] for line in result.stderr.splitlines()] == [
            "no unsubscribe mechanism:", "no postal address: set di"]
        assert inbox.envelopes == []
