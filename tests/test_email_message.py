"""The digest's .eml: a well-formed multipart/alternative message with deterministic headers."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from feedpub.config import Config
from feedpub.outputs import digest
from feedpub.outputs.digest import eml as eml_module
from feedpub.outputs.digest.view import Digest
from feedpub.outputs.digest.week import Window
from feedpub.pipeline import build
from tests.conftest import NOW

WEEK = digest.Request("2023-W08")


def _parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)


@pytest.fixture
def eml(seeds: Path, make_config: Callable[..., Config]) -> Callable[..., tuple[Config, EmailMessage]]:
    """Build the seeds' 2023-W08 digest with some settings; return the config and the parsed .eml."""

    def make(**settings: Any) -> tuple[Config, EmailMessage]:
        config = make_config(seeds, **settings)
        build(config, now=NOW, digest_request=WEEK)
        return config, _parse((config.out / "digest/2023-W08.eml").read_bytes())

    return make


class TestMessage:
    def test_parses_without_defects_text_then_html(self, eml) -> None:
        """The .eml parses with no defects; multipart/alternative with text/plain first, text/html last."""
        config, msg = eml()
        assert msg.defects == []
        assert msg.get_content_type() == "multipart/alternative"
        parts = list(msg.iter_parts())
        assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
        assert all(p.defects == [] and p.get_content_charset() == "utf-8" for p in parts)
        folder = config.out / "digest"
        # MIME text is CRLF on the wire; the files use LF
        assert parts[0].get_content().replace("\r\n", "\n") == (folder / "2023-W08.txt").read_text("utf-8")
        assert parts[1].get_content().replace("\r\n", "\n") == (folder / "2023-W08.html").read_text("utf-8")

    def test_lines_end_in_crlf(self, eml) -> None:
        """The file uses CRLF line ends, as RFC 5322 and mail clients expect."""
        config, _ = eml()
        data = (config.out / "digest/2023-W08.eml").read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n") > 10

    def test_headers(self, eml) -> None:
        """Subject, From, To (the undisclosed group), Date (the build time) and a Message-ID on the site's host."""
        _, msg = eml()
        assert msg["Subject"] == "feedpub — week of 20 February 2023"
        assert msg["From"] == "feedpub <noreply@news.example.org>"
        assert msg["To"] == "undisclosed-recipients:;"
        assert msg["To"].groups[0].display_name == "undisclosed-recipients" and not msg["To"].addresses
        assert msg["Date"].datetime == NOW  # not the end of the week, days later: filters score a future Date
        assert re.fullmatch(r"<digest\.2023-W08\.[0-9a-f]{16}@news\.example\.org>", msg["Message-ID"])
        assert "List-Unsubscribe" not in msg and "List-Unsubscribe-Post" not in msg  # no URL configured

    def test_from_and_subject_settings(self, eml) -> None:
        """digest.from_address and digest.subject are used as given."""
        _, msg = eml(**{"digest.from_address": "News Desk <desk@example.org>",
                        "digest.subject": "{site} {week}"})
        assert msg["From"] == "News Desk <desk@example.org>"
        assert msg["Subject"] == "feedpub 2023-W08"

    def test_list_unsubscribe_when_the_profile_has_a_url(self, eml) -> None:
        """Profile 'none' with an https unsubscribe URL sets List-Unsubscribe and RFC 8058's one-click header."""
        _, msg = eml(**{"digest.unsubscribe_url": "https://news.example.org/unsubscribe"})
        assert msg["List-Unsubscribe"] == "<https://news.example.org/unsubscribe>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        _, msg = eml(**{"digest.unsubscribe_url": "http://news.example.org/unsubscribe"})
        assert "List-Unsubscribe-Post" not in msg  # RFC 8058 §3.1: one-click needs https
        _, msg = eml(**{"digest.profile": "mailchimp", "digest.unsubscribe_url": "https://x.org/u"})
        assert "List-Unsubscribe" not in msg  # the ESP adds its own

    def test_newlines_cannot_inject_headers(self, eml) -> None:
        """A site title with a newline stays inside Subject/From; no Bcc header appears."""
        _, msg = eml(title="Daily News\r\nBcc: victim@example.org")
        assert "Bcc" not in msg
        assert msg["Subject"] == "Daily News Bcc: victim@example.org — week of 20 February 2023"
        assert msg.defects == []

    def test_rebuild_is_byte_identical(self, seeds: Path, make_config, tmp_path: Path) -> None:
        """Two builds give the same .eml bytes (boundary and Message-ID are not random)."""
        a = make_config(seeds)
        b = make_config(seeds, out=str(tmp_path / "other"))
        build(a, now=NOW, digest_request=WEEK)
        build(b, now=NOW, digest_request=WEEK)
        assert (a.out / "digest/2023-W08.eml").read_bytes() == (b.out / "digest/2023-W08.eml").read_bytes()

    def test_range_digest_is_dated_at_the_build(self, seeds: Path, make_config) -> None:
        """A --since/--until digest is dated at the build time and names its dates in the subject."""
        config = make_config(seeds, timezone="Asia/Taipei")
        build(config, now=NOW, digest_request=digest.Request(since=date(2023, 2, 1), until=date(2023, 2, 28)))
        msg = _parse((config.out / "digest/2023-02-01_2023-02-28.eml").read_bytes())
        assert msg["Date"].datetime == NOW
        assert msg["Subject"] == "feedpub — 1 February 2023 to 28 February 2023"


MONDAY = datetime(2023, 2, 20, tzinfo=UTC)
SITE = Config(source=Path("src"), out=Path("dist"), base_url="https://news.example.org/", title="Acme News")


def message(list_unsubscribe: str = "", config: Config = SITE) -> bytes:
    """Return the .eml bytes of a digest with ASCII-only parts."""
    d = Digest(Window("2023-W08", MONDAY, MONDAY + timedelta(days=7)), None, (), "Acme News 2023-W08", "", "", "",
               "", list_unsubscribe, "Hello.", "You asked.", datetime(2023, 3, 1, 9, tzinfo=UTC))
    return eml_module.message(d, "<html><body>Hello.</body></html>\n", "Hello.\n", config)


class TestOnTheWire:
    def test_header_lines_as_written(self) -> None:
        """The headers are written under their usual names, each on one line, as filters and diffs expect."""
        head = message("https://news.example.org/u").split(b"\r\n\r\n", 1)[0].split(b"\r\n")
        assert [line.split(b": ", 1)[0] for line in head if not line.startswith((b" ", b"\t"))][:7] == [
            b"Subject", b"From", b"To", b"Date", b"Message-ID", b"List-Unsubscribe", b"List-Unsubscribe-Post"]
        assert b"To: undisclosed-recipients:;" in head
        assert b"Date: Wed, 01 Mar 2023 09:00:00 +0000" in head
        assert b"List-Unsubscribe: <https://news.example.org/u>" in head
        assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in head

    def test_both_parts_say_utf_8_even_when_ascii(self) -> None:
        """Each part is declared UTF-8 (templates may add any character), even when its text is ASCII."""
        data = message()
        assert data.count(b'Content-Type: text/plain; charset="utf-8"\r\n') == 1
        assert data.count(b'Content-Type: text/html; charset="utf-8"\r\n') == 1

    def test_ids_are_hashes_of_fixed_length(self) -> None:
        """The Message-ID carries 16 hex digits of the content's hash; the MIME boundary 32 more."""
        data = message()
        assert re.search(rb"^Message-ID: <digest\.2023-W08\.[0-9a-f]{16}@news\.example\.org>\r$", data, re.MULTILINE)
        assert re.search(rb'boundary="=_feedpub_[0-9a-f]{32}"', data)
        assert message() == data
        other = message(config=dataclasses.replace(SITE, base_url="https://other.example.org/"))
        ids = [re.findall(rb"Message-ID: <digest\.2023-W08\.([0-9a-f]{16})@", m) for m in (data, other)]
        assert len(ids[0]) == len(ids[1]) == 1
        assert ids[0] != ids[1]  # the site is part of the hash

    def test_a_site_without_a_host_is_localhost(self) -> None:
        """With no host in base_url, the default sender and the Message-ID are on localhost."""
        bare = dataclasses.replace(SITE, base_url="/")
        assert eml_module.from_address(bare) == "Acme News <noreply@localhost>"
        assert re.search(rb"Message-ID: <digest\.2023-W08\.[0-9a-f]{16}@localhost>", message(config=bare))
