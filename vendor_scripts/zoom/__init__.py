"""Zoom's web client: its hosts and meeting links (no bot client yet)."""

from vendor_scripts.spec import VendorHosts, VendorSpec, meeting_path

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
        meeting_path=meeting_path(r"/(?:(?:j|s|w|wc|wc/join)/\d{9,12}(?:/join|/start)?|my/[\w.-]+)/?"),
    ),
)
