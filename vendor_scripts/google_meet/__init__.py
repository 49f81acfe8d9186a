"""Google Meet: its hosts and meeting-code links (no bot client yet)."""

from vendor_scripts.spec import VendorHosts, VendorSpec, meeting_path

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
        meeting_path=meeting_path(r"/(?:[a-z]{3}-[a-z]{4}-[a-z]{3}|lookup/[\w-]+)/?"),
    ),
)
