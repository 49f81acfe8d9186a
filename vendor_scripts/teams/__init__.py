"""Microsoft Teams: its hosts, the forms its meeting links take, and its web client.

Facts followed: docs/vendors/teams.md.
"""

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import VendorHosts, VendorSpec, meeting_path
from vendor_scripts.teams.links import direct_link


def _client() -> VendorClient:
    from vendor_scripts.teams.client import TeamsClient

    return TeamsClient()


SPEC = VendorSpec(
    name="teams",
    hosts=VendorHosts(
        title="Microsoft Teams",
        example="https://teams.microsoft.com/l/meetup-join/...",
        meeting_hosts=("teams.microsoft.com", "teams.live.com", "teams.cloud.microsoft"),
        asset_hosts=(
            "*.microsoft.com",
            "*.cloud.microsoft",
            "*.live.com",
            "*.skype.com",
            "*.office.com",
            "*.office.net",
            "*.microsoftonline.com",
            "*.msauth.net",
            "*.msftauth.net",
            "*.azureedge.net",
            "*.azurefd.net",
            "*.msecnd.net",
        ),
        navigation_hosts=("login.microsoftonline.com", "login.live.com"),
        meeting_path=meeting_path(
            r"/(?:l/meetup-join/.+|meet/[\w-]+/?|v2/?|_/?|dl/launcher/launcher\.html)"
        ),
        keep_fragment=True,  # `/v2/?meetingjoin=true#/l/meetup-join/...`
        join_link=direct_link,
    ),
    client=_client,
)
