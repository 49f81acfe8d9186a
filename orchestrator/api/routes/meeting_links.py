"""/v1/meeting-links/check: whose meeting a link is, before a bot is sent there.

The same rules as POST /v1/bots, with the same arguments and messages, so a page can
explain a link meetbridge would refuse while the user is still typing it. Nothing is
stored or queued.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from orchestrator.api.deps import KeyDep, SettingsDep
from orchestrator.schemas import ErrorBody, MeetingLinkCheck, MeetingLinkPublic
from vendor_scripts.inputs import MeetingInputError, check_inputs
from vendor_scripts.registry import VENDORS, vendor_names
from vendor_scripts.urls import MeetingUrlError, masked_link, resolve_meeting

router = APIRouter(prefix="/v1/meeting-links", tags=["meeting links"])


@router.post(
    "/check",
    response_model=MeetingLinkPublic,
    responses={
        401: {"model": ErrorBody, "description": "missing or unknown API key"},
        422: {"description": "a link (or display name) POST /v1/bots would refuse, and why"},
    },
)
async def check_link(
    body: MeetingLinkCheck, _key: KeyDep, settings: SettingsDep
) -> MeetingLinkPublic:
    """Whose meeting `meeting_url` is and the link a bot would open, passcodes masked;
    422 with the message POST /v1/bots would give."""
    try:
        meeting = resolve_meeting(
            body.meeting_url, body.vendor, lab_hosts=settings.lab_hosts, supported=vendor_names()
        )
        if body.display_name is not None:
            check_inputs(meeting.vendor, body.display_name)
    except (MeetingUrlError, MeetingInputError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return MeetingLinkPublic(
        vendor=meeting.vendor,
        vendor_title=VENDORS[meeting.vendor].hosts.title,
        meeting_host=meeting.host,
        join_url=masked_link(meeting.url),
    )
