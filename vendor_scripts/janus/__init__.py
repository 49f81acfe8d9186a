"""The Janus VideoRoom web client: the lab's vendor, on hosts the deployment names."""

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import VendorHosts, VendorSpec


def _client() -> VendorClient:
    from vendor_scripts.janus.client import JanusVideoRoomClient

    return JanusVideoRoomClient()


SPEC = VendorSpec(
    name="janus",
    hosts=VendorHosts(
        title="Janus (lab)",
        example="http://127.0.0.1:8000/videoroomtest.html?room=1234",
        schemes=frozenset({"http", "https"}),
        lab=True,
    ),
    client=_client,
)
