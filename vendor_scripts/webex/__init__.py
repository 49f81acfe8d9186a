"""Webex: its sites' hosts (no bot client yet)."""

from vendor_scripts.spec import VendorHosts, VendorSpec

SPEC = VendorSpec(
    name="webex",
    hosts=VendorHosts(
        title="Webex",
        example="https://yoursite.webex.com/meet/yourname",
        meeting_hosts=("*.webex.com",),
        asset_hosts=("*.wbx2.com", "*.ciscospark.com", "*.webexcontent.com"),
    ),
)
