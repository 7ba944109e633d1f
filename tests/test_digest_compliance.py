"""Whether a digest may be mailed: merge tags per ESP, unsubscribe and postal address, Gmail's clipping size."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from feedpub.config import Config
from feedpub.outputs.digest import compliance

SITE = Config(source=Path("src"), out=Path("dist"), base_url="https://news.example.org/")
READY = {"unsubscribe_url": "https://lists.acme.test/u", "postal_address": "1 Road, Taipei"}


def config(**digest: Any) -> Config:
    """Return the site's configuration with some digest settings."""
    return dataclasses.replace(SITE, digest=dataclasses.replace(SITE.digest, **digest))


class TestLinks:
    @pytest.mark.parametrize(("profile", "unsubscribe", "view", "preview"), [
        ("mailchimp", "*|UNSUB|*", "*|ARCHIVE|*", "*|MC_PREVIEW_TEXT|*"),
        ("listmonk", "{{ UnsubscribeURL }}", "{{ MessageURL }}", ""),
        ("buttondown", "{{ unsubscribe_url }}", "{{ email_url }}", ""),
    ])
    def test_an_esp_gets_its_merge_tags_and_no_header_url(self, profile: str, unsubscribe: str, view: str,
                                                          preview: str) -> None:
        """With an ESP's profile the footer has its tags; the List-Unsubscribe header is the ESP's business."""
        found = compliance.links(config(profile=profile, unsubscribe_url="https://x.test/u"), "2023-W08")
        assert found == compliance.Links(unsubscribe, view, preview, "")

    def test_profile_none_uses_the_configured_urls(self) -> None:
        """Without an ESP, the unsubscribe URL goes in the footer and the header; the web copy is on the site."""
        found = compliance.links(config(unsubscribe_url="https://x.test/u"), "2023-W08")
        assert found == compliance.Links("https://x.test/u", "https://news.example.org/digest/2023-W08.html", "",
                                         "https://x.test/u")

    def test_view_online_setting_wins(self) -> None:
        """digest.view_online_url, when set, is the web copy."""
        assert compliance.view_online_url(config(view_online_url="https://m.test/"), "2023-W08") == "https://m.test/"

    def test_the_web_copy_is_under_the_base_url(self) -> None:
        """The default web copy joins the base URL with digest/<label>.html (a base path kept)."""
        sub = dataclasses.replace(SITE, base_url="https://x.test/blog/")
        assert compliance.view_online_url(sub, "2023-02-01_2023-02-28") == (
            "https://x.test/blog/digest/2023-02-01_2023-02-28.html")


class TestPlaceholder:
    @pytest.mark.parametrize("url", ["https://example.org/u", "https://EXAMPLE.com/u", "http://example.net",
                                     "https://lists.example.org/unsubscribe", "https://a.b.example.com:8080/x"])
    def test_example_hosts_and_their_subdomains(self, url: str) -> None:
        """A URL on example.org/.com/.net or below is a value still to fill in."""
        assert compliance.placeholder(url)

    @pytest.mark.parametrize("url", ["https://notexample.org/u", "https://example.org.evil.test/",
                                     "https://example.io/", "mailto:x@example.org", ""])
    def test_other_hosts_are_real(self, url: str) -> None:
        """A host that only contains or starts with an example name is real; so is a URL without a host."""
        assert not compliance.placeholder(url)


class TestUnready:
    def test_ready_when_both_are_there(self) -> None:
        """An https unsubscribe URL and a postal address: nothing stops a send."""
        assert compliance.unready(config(**READY)) == ()

    def test_nothing_set_names_both(self) -> None:
        """Neither an unsubscribe link nor a postal address: both are named, the link first."""
        assert compliance.unready(config()) == (
            "no unsubscribe link: set digest.unsubscribe_url (it also makes the List-Unsubscribe "
            "and List-Unsubscribe-Post headers), or digest.profile to your ESP's",
            "no postal address: set digest.postal_address (CAN-SPAM and every ESP require one)")

    def test_an_esp_brings_its_own_unsubscribe_link(self) -> None:
        """With an ESP's profile no unsubscribe URL is needed (its merge tag is in the footer)."""
        assert compliance.unready(config(profile="mailchimp", postal_address="1 Road")) == ()

    def test_an_example_url_is_not_a_link(self) -> None:
        """The example URL of `feedpub init` must be replaced."""
        found = compliance.unready(config(**{**READY, "unsubscribe_url": "https://lists.example.org/u"}))
        assert found == ("digest.unsubscribe_url is still the example 'https://lists.example.org/u'",)

    def test_http_is_not_enough(self) -> None:
        """One-click unsubscribe (RFC 8058) needs https."""
        found = compliance.unready(config(**{**READY, "unsubscribe_url": "http://lists.acme.test/u"}))
        assert found == ("digest.unsubscribe_url must be https: one-click unsubscribe (RFC 8058) needs it",)

    @pytest.mark.parametrize("address", ["TODO: our address", "todo", "  Todo later"])
    def test_a_todo_address_is_a_placeholder(self, address: str) -> None:
        """An address starting with TODO (any case, after spaces) is still to fill in."""
        found = compliance.unready(config(**{**READY, "postal_address": address}))
        assert found == (f"digest.postal_address is still the placeholder {address.strip()!r}",)

    def test_a_blank_address_is_none(self) -> None:
        """Spaces only are no address."""
        found = compliance.unready(config(**{**READY, "postal_address": " \n "}))
        assert found == ("no postal address: set digest.postal_address (CAN-SPAM and every ESP require one)",)

    def test_an_address_mentioning_todo_later_is_real(self) -> None:
        """Only a leading TODO marks a placeholder."""
        assert compliance.unready(config(**{**READY, "postal_address": "1 Todo Road"})) == ()


class TestClipped:
    def test_up_to_the_limit_is_fine(self) -> None:
        """Exactly size_limit_kb × 1024 bytes is not clipped; one byte more is."""
        limit = config(size_limit_kb=100)
        assert compliance.clipped("2023-W08", 100 * 1024, limit) == ()
        assert compliance.clipped("2023-W08", 100 * 1024 + 1, limit) == (
            "digest/2023-W08.html: the inlined HTML is 100 KB, over the 100 KB at which Gmail clips the message "
            "(and hides the unsubscribe link); lower 'digest.max_items_per_category' to fit",)

    def test_the_size_is_rounded_to_whole_kilobytes(self) -> None:
        """The warning names the file and its size in KB, rounded."""
        (found,) = compliance.clipped("2023-W09", 150 * 1024 + 600, config())
        assert found.startswith("digest/2023-W09.html: the inlined HTML is 151 KB, over the 102 KB ")
