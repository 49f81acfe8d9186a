"""Zoom's web client: its hosts, its meeting links, its passcodes, and its client.

Facts followed: docs/vendors/zoom.md.
"""

import re

from vendor_scripts.base import VendorClient
from vendor_scripts.spec import InputRules, VendorHosts, VendorSpec, meeting_path


def _client() -> VendorClient:
    from vendor_scripts.zoom.client import ZoomWebClient

    return ZoomWebClient()


_GOOGLE_RECAPTCHA = ("www.google.com", "www.gstatic.com", "www.recaptcha.net")

SPEC = VendorSpec(
    name="zoom",
    hosts=VendorHosts(
        title="Zoom",
        example="https://zoom.us/j/1234567890?pwd=...",
        meeting_hosts=("zoom.us", "*.zoom.us"),
        asset_hosts=(
            "*.zoom.us",
            "zoom.com",
            "*.zoom.com",
            "zoomgov.com",
            "*.zoomgov.com",
            "dmogdx0jrul3u.cloudfront.net",  # the web client's CDN
            *_GOOGLE_RECAPTCHA,  # the join page scores visitors with reCAPTCHA
        ),
        meeting_path=meeting_path(
            r"/(?:(?:j|s|w|wc|wc/join)/\d{9,12}(?:/join|/start)?|my/[\w.-]+)/?"
        ),
    ),
    client=_client,
    # Zoom's meeting passcodes: up to 10 of a-z A-Z 0-9 @ - _ * (accounts may ask more).
    inputs=InputRules(
        passcode_max_length=10,
        passcode_pattern=re.compile(r"[A-Za-z0-9@_*-]+"),
        passcode_rule="letters, digits and @ - _ * only",
    ),
)
