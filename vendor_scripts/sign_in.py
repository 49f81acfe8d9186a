"""Which parts of a stored sign-in belong to a vendor: pure rules on `urls.py`'s hosts.

The API refuses a storage state with anything for another site (`foreign_places`,
whose words name domains and origins, never values); the worker keeps only what
belongs (`vendor_part`), in case the vendor's hosts changed since it was stored.
"""

from __future__ import annotations

from collections.abc import Sequence

from meetbridge.vendor_sessions import StorageState
from vendor_scripts.urls import cookie_domain_allowed, storage_origin_allowed


def foreign_places(state: StorageState, vendor: str, *, lab_hosts: Sequence[str] = ()) -> list[str]:
    """Cookie domains and origins of `state` that are not `vendor`'s, as the user wrote them."""
    domains = [
        domain
        for domain in state.cookie_domains()
        if not cookie_domain_allowed(domain, vendor, lab_hosts=lab_hosts)
    ]
    origins = [
        origin.origin
        for origin in state.origins
        if not storage_origin_allowed(origin.origin, vendor, lab_hosts=lab_hosts)
    ]
    return [*domains, *origins]


def vendor_part(state: StorageState, vendor: str, *, lab_hosts: Sequence[str] = ()) -> StorageState:
    """`state` without anything for another site."""
    return StorageState(
        cookies=[
            cookie
            for cookie in state.cookies
            if cookie_domain_allowed(cookie.domain, vendor, lab_hosts=lab_hosts)
        ],
        origins=[
            origin
            for origin in state.origins
            if storage_origin_allowed(origin.origin, vendor, lab_hosts=lab_hosts)
        ],
    )
