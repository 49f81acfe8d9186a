"""Every vendor meetbridge knows, built from the vendor folders' specs.

Adding a vendor: a folder `vendor_scripts/<name>/` whose `__init__` exports `SPEC`,
and one line in `SPECS` below. Importing this module imports no browser code (a
spec makes its client only when asked), so the API can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from vendor_scripts import google_meet, janus, jitsi, teams, webex, zoom
from vendor_scripts.base import VendorClient
from vendor_scripts.spec import VendorSpec

SPECS: tuple[VendorSpec, ...] = (
    janus.SPEC,
    jitsi.SPEC,
    google_meet.SPEC,
    teams.SPEC,
    zoom.SPEC,
    webex.SPEC,
)
VENDORS: Mapping[str, VendorSpec] = MappingProxyType({spec.name: spec for spec in SPECS})


class UnknownVendorError(LookupError):
    """No vendor of that name, or none whose bots can join yet."""


def known_vendors() -> tuple[str, ...]:
    """Every vendor whose meeting links are recognised, in the registry's order."""
    return tuple(VENDORS)


def vendor_names() -> list[str]:
    """The vendors a bot can join, sorted."""
    return sorted(name for name, spec in VENDORS.items() if spec.client is not None)


def load_client(vendor: str) -> VendorClient:
    """A new browser client for `vendor` (imports its browser code now)."""
    spec = VENDORS.get(vendor)
    if spec is None:
        raise UnknownVendorError(f"unknown vendor {vendor!r}; known: {', '.join(vendor_names())}")
    if spec.client is None:
        raise UnknownVendorError(f"vendor {vendor} has no bot client yet")
    return spec.client()
