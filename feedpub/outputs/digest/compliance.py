"""Whether a digest may be mailed: the ESP's merge tags, the unsubscribe link, the postal address, Gmail's size.

Anti-spam law (CAN-SPAM, GDPR/ePrivacy) and every ESP require an unsubscribe mechanism and
a postal address in bulk mail: `check` and `build` warn when one is missing, `send` refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from feedpub.config import Config
from feedpub.outputs.digest.folder import FOLDER

_PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True)
class Profile:
    """The links an email service provider fills in per subscriber (merge tags)."""

    unsubscribe: str  # "" when there is none
    view_online: str
    preview: str  # tag the ESP replaces with its preview text, or ""


PROFILES: Mapping[str, Profile] = {
    "mailchimp": Profile("*|UNSUB|*", "*|ARCHIVE|*", "*|MC_PREVIEW_TEXT|*"),
    "listmonk": Profile("{{ UnsubscribeURL }}", "{{ MessageURL }}", ""),
    "buttondown": Profile("{{ unsubscribe_url }}", "{{ email_url }}", ""),
}


@dataclass(frozen=True)
class Links:
    """The footer's links and the List-Unsubscribe header of a digest, per the configured profile."""

    unsubscribe: str  # URL or merge tag; "" when there is none
    view_online: str  # URL or merge tag
    preview: str  # the ESP's preview-text tag, or ""
    list_unsubscribe: str  # a real URL for the List-Unsubscribe header, or ""


def view_online_url(config: Config, label: str) -> str:
    """Return the web copy of a digest for profile 'none': the setting, else <base_url>digest/<label>.html.

    Earlier digests' files stay in the output folder (see folder.earlier()), so the link keeps working.
    """
    return config.digest.view_online_url or urljoin(config.base_url, f"{FOLDER}{label}.html")


def links(config: Config, label: str) -> Links:
    """Return the merge tags of the configured ESP, or the configured URLs for profile 'none'."""
    d = config.digest
    profile = PROFILES.get(d.profile)
    if profile is not None:
        return Links(profile.unsubscribe, profile.view_online, profile.preview, "")
    return Links(d.unsubscribe_url, view_online_url(config, label), "", d.unsubscribe_url)


def placeholder(url: str) -> bool:
    """Return whether url is on an example host (example.org/.com/.net): a value still to fill in."""
    host = (urlsplit(url).hostname or "").lower()
    return any(host == h or host.endswith("." + h) for h in _PLACEHOLDER_HOSTS)


def unready(config: Config) -> tuple[str, ...]:
    """Return why a digest made with config may not be mailed as it is (no unsubscribe, no address)."""
    d = config.digest
    found = []
    if d.profile == "none":
        if not d.unsubscribe_url:
            found.append("no unsubscribe link: set digest.unsubscribe_url (it also makes the List-Unsubscribe "
                         "and List-Unsubscribe-Post headers), or digest.profile to your ESP's")
        elif placeholder(d.unsubscribe_url):
            found.append(f"digest.unsubscribe_url is still the example {d.unsubscribe_url!r}")
        elif urlsplit(d.unsubscribe_url).scheme != "https":
            found.append("digest.unsubscribe_url must be https: one-click unsubscribe (RFC 8058) needs it")
    address = d.postal_address.strip()
    if not address:
        found.append("no postal address: set digest.postal_address (CAN-SPAM and every ESP require one)")
    elif address.upper().startswith("TODO"):
        found.append(f"digest.postal_address is still the placeholder {address!r}")
    return tuple(found)


def clipped(label: str, size: int, config: Config) -> tuple[str, ...]:
    """Return a warning when the inlined HTML (size bytes) is over the size at which Gmail clips it."""
    limit = config.digest.size_limit_kb
    if size <= limit * 1024:
        return ()
    return (f"{FOLDER}{label}.html: the inlined HTML is {size / 1024:.0f} KB, over "
            f"the {limit} KB at which Gmail clips the message (and hides the unsubscribe "
            "link); lower 'digest.max_items_per_category' to fit",)
