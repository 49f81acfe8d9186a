"""What a vendor folder exports: one typed spec, from which the registry is built.

A spec holds the pure rules (where the vendor's meetings live, what its links look
like, what its web client may load) and a way to make its browser client. The rules
import no browser code, so the API can read them; the client is made only when a
bot needs it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from vendor_scripts.base import VendorClient


@dataclass(frozen=True)
class VendorHosts:
    """Where one vendor's meetings live and what its web client may load.

    Host patterns are exact names or `*.domain` (any subdomain, not the domain
    itself). `navigation_hosts` are pages the client may move the whole tab to
    while joining (sign-in pages), beyond the hosts meeting links use.
    """

    title: str
    example: str  # shown when a link does not look right
    schemes: frozenset[str] = frozenset({"https"})
    meeting_hosts: tuple[str, ...] = ()
    asset_hosts: tuple[str, ...] = ()
    navigation_hosts: tuple[str, ...] = ()
    meeting_path: re.Pattern[str] | None = None  # None: any path
    keep_fragment: bool = False  # settings or the client route ride in the hash
    lab: bool = False  # hosts only from `lab_hosts`; any port; URL kept as given
    # The vendor's own unwrapping of a checked link into the one its web client joins
    # (it must keep the host; urls.py checks that it did).
    join_link: Callable[[str], str] | None = None


@dataclass(frozen=True)
class InputRules:
    """What the vendor's join screen accepts of a display name and a passcode.

    The API checks them before anything is queued: a bot whose name the page refuses
    would otherwise wait out its join timeout with nothing saying why. Each pattern
    must match the whole value; its rule says the same in words, for the user.
    """

    name_max_length: int = 64
    name_pattern: re.Pattern[str] | None = None
    name_rule: str = ""
    passcode_max_length: int = 128
    passcode_pattern: re.Pattern[str] | None = None
    passcode_rule: str = ""


def meeting_path(pattern: str) -> re.Pattern[str]:
    """A vendor's meeting-link path rule (matched whole, case-insensitively)."""
    return re.compile(pattern, re.IGNORECASE)


@dataclass(frozen=True)
class VendorSpec:
    """Everything meetbridge knows about one vendor.

    `client` makes the vendor's browser client (typed: mypy checks each against
    `VendorClient`); None while the vendor's links are recognised but no bot can join
    its meetings yet (the API then refuses them with a clear message).
    """

    name: str
    hosts: VendorHosts
    client: Callable[[], VendorClient] | None = None
    inputs: InputRules = InputRules()
