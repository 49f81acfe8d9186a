"""Jitsi Meet: its public service's hosts, its room links, and its web client.

Facts followed: docs/vendors/jitsi.md.
"""

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import VendorHosts, VendorSpec, meeting_path


def _client() -> VendorClient:
    from vendor_scripts.jitsi.client import JitsiMeetClient

    return JitsiMeetClient()


SPEC = VendorSpec(
    name="jitsi",
    hosts=VendorHosts(
        title="Jitsi Meet",
        example="https://meet.jit.si/YourRoomName",
        meeting_hosts=("meet.jit.si",),
        asset_hosts=("jit.si", "*.jit.si", "*.jitsi.net"),
        meeting_path=meeting_path(r"/[^/].*"),  # a room name
        keep_fragment=True,  # `#config.prejoinConfig.enabled=false&userInfo...`
    ),
    client=_client,
)
