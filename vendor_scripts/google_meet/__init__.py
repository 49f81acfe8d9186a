"""Google Meet: its hosts, its meeting-code links, and its web client.

Facts followed: docs/vendors/google_meet.md.
"""

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import VendorHosts, VendorSpec, meeting_path


def _client() -> VendorClient:
    from vendor_scripts.google_meet.client import GoogleMeetClient

    return GoogleMeetClient()


SPEC = VendorSpec(
    name="google_meet",
    hosts=VendorHosts(
        title="Google Meet",
        example="https://meet.google.com/abc-defg-hij",
        meeting_hosts=("meet.google.com",),
        asset_hosts=(
            "google.com",
            "*.google.com",
            "*.gstatic.com",
            "*.googleapis.com",
            "*.googleusercontent.com",
            "*.ggpht.com",
        ),
        navigation_hosts=("accounts.google.com",),  # signed-in bot accounts
        # A meeting code, or a Workspace nickname; `/lookup/...` links are not joinable.
        meeting_path=meeting_path(
            r"/(?:[a-z]{3}-[a-z]{4}-[a-z]{3}|[a-z0-9][a-z0-9-]{3,38}[a-z0-9])/?"
        ),
    ),
    client=_client,
)
