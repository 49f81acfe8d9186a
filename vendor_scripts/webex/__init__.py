"""Webex: its sites' hosts, the forms its meeting links take, and its web client.

Facts followed: docs/vendors/webex.md.
"""

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import InputRules, VendorHosts, VendorSpec, meeting_path
from vendor_scripts.webex.links import direct_link


def _client() -> VendorClient:
    from vendor_scripts.webex.client import WebexClient

    return WebexClient()


_SITE = r"[\w-]+"
_MEETING_ID = r"[0-9a-f]{32}"

SPEC = VendorSpec(
    name="webex",
    hosts=VendorHosts(
        title="Webex",
        example="https://yoursite.webex.com/meet/yourname",
        meeting_hosts=("*.webex.com",),
        asset_hosts=("*.webex.com", "*.wbx2.com", "*.ciscospark.com", "*.webexcontent.com"),
        meeting_path=meeting_path(
            rf"/(?:(?:meet|join)/[\w.@-]+/?"
            rf"|{_SITE}/[jm]\.php"
            rf"|webappng/sites/{_SITE}/meeting/(?:info|download)/{_MEETING_ID}/?"
            rf"|wbxmjs/joinservice/sites/{_SITE}/meeting/download/{_MEETING_ID}/?)"
        ),
        join_link=direct_link,
    ),
    client=_client,
    # The join API caps a guest's display name at 128 characters; a meeting's password
    # rules are the site's own (docs/vendors/webex.md, input rules).
    inputs=InputRules(name_max_length=128),
)
