"""Which vendor modules exist; loads a vendor's browser client only when asked.

Importing this module imports no browser code, so the orchestrator can use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vendor_scripts.base import VendorClient

_CLIENTS = {
    "janus": ("vendor_scripts.janus.client", "JanusVideoRoomClient"),
}


class UnknownVendorError(LookupError):
    pass


def vendor_names() -> list[str]:
    return sorted(_CLIENTS)


def load_client(vendor: str) -> VendorClient:
    try:
        module_name, class_name = _CLIENTS[vendor]
    except KeyError:
        raise UnknownVendorError(
            f"unknown vendor {vendor!r}; known: {', '.join(vendor_names())}"
        ) from None
    client: VendorClient = getattr(importlib.import_module(module_name), class_name)()
    return client
