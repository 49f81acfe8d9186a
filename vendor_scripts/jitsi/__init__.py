"""Jitsi Meet: its public service's hosts and room links (no bot client yet)."""

from vendor_scripts.spec import VendorHosts, VendorSpec, meeting_path

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
)
