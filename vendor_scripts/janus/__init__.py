"""The Janus VideoRoom web client: the lab's vendor, on hosts the deployment names."""

import re

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import InputRules, VendorHosts, VendorSpec


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
    # videoroomtest.js refuses a name with anything but ASCII letters and digits.
    inputs=InputRules(
        name_pattern=re.compile(r"[A-Za-z0-9]+"), name_rule="only letters and digits (A-Z, 0-9)"
    ),
)
