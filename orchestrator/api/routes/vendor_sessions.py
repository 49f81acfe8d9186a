"""/v1/vendor-sessions: a key's stored browser sign-ins, one per vendor.

A bot of the key joining that vendor starts its browser signed in. What is stored is
encrypted (meetbridge.vendor_sessions); what is answered and logged names where the
cookies and storage belong, never a value.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, HTTPException, status

from meetbridge.vendor_sessions import MAX_STATE_BYTES
from orchestrator.api.deps import KeyDep, SettingsDep, VendorSessionsDep
from orchestrator.schemas import (
    ErrorBody,
    VendorSessionCreate,
    VendorSessionList,
    VendorSessionPublic,
)
from vendor_scripts.registry import vendor_names
from vendor_scripts.sign_in import foreign_places

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/v1/vendor-sessions", tags=["vendor sessions"])

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or unknown API key"}
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=VendorSessionPublic,
    responses={
        **UNAUTHORIZED,
        413: {"model": ErrorBody, "description": "the storage state is too large"},
        422: {"description": "an unknown vendor, or cookies or storage of another site"},
    },
)
async def store_session(
    body: VendorSessionCreate, key: KeyDep, sessions: VendorSessionsDep, settings: SettingsDep
) -> VendorSessionPublic:
    """Store the key's sign-in for a vendor (replacing the one stored before)."""
    vendor, state = body.vendor, body.storage_state
    if vendor not in vendor_names():
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"no bots join vendor {vendor!r}; vendors: {', '.join(vendor_names())}",
        )
    size = state.size()
    if size > MAX_STATE_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the storage state is {size // 1024} KiB; at most {MAX_STATE_BYTES // 1024} KiB",
        )
    if not state.cookies and not state.origins:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "the storage state holds no cookies or storage"
        )
    foreign = foreign_places(state, vendor, lab_hosts=settings.lab_hosts)
    if foreign:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"not {vendor}'s: {', '.join(place[:253] for place in foreign[:5])}; a sign-in "
            "may hold only cookies and storage of the vendor's own sites",
        )
    session = await sessions.put(key.key_id, vendor, state)
    log.info(
        "vendor session stored",
        session_id=session.id,
        vendor=vendor,
        key_id=key.key_id,
        cookies=session.cookies,
        origins=len(session.origins),
    )
    return VendorSessionPublic.of(session)


@router.get("", response_model=VendorSessionList, responses=UNAUTHORIZED)
async def list_sessions(key: KeyDep, sessions: VendorSessionsDep) -> VendorSessionList:
    """The key's stored sign-ins (where they apply; never a value)."""
    return VendorSessionList(
        sessions=[VendorSessionPublic.of(s) for s in await sessions.list_for_key(key.key_id)]
    )


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **UNAUTHORIZED,
        404: {"model": ErrorBody, "description": "no such session for this key"},
    },
)
async def delete_session(session_id: str, key: KeyDep, sessions: VendorSessionsDep) -> None:
    """Forget a stored sign-in: the key's next bots of that vendor join as guests."""
    removed = await sessions.delete(key.key_id, session_id) if len(session_id) <= 64 else None
    if removed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no vendor session {session_id[:64]!r}")
    log.info("vendor session deleted", session_id=removed.id, vendor=removed.vendor)
