"""Meeting-URL rules: which links the API accepts, what the bot's browser may load."""

from __future__ import annotations

import subprocess
import sys

import pytest

from vendor_scripts.registry import VENDORS, known_vendors
from vendor_scripts.urls import (
    MAX_URL_LENGTH,
    MeetingUrlError,
    ResolvedMeeting,
    allowed_navigation,
    allowed_request,
    masked_link,
    request_host_patterns,
    resolve_meeting,
)

pytestmark = pytest.mark.unit

LAB = ("127.0.0.1",)


@pytest.mark.parametrize(
    ("url", "vendor", "expected"),
    [
        # Google Meet
        (
            "https://meet.google.com/abc-defg-hij",
            "google_meet",
            "https://meet.google.com/abc-defg-hij",
        ),
        (
            "HTTPS://MEET.GOOGLE.COM/abc-defg-hij",
            "google_meet",
            "https://meet.google.com/abc-defg-hij",
        ),
        (
            "https://meet.google.com:443/abc-defg-hij?authuser=0#ignored",
            "google_meet",
            "https://meet.google.com/abc-defg-hij?authuser=0",
        ),
        ("https://meet.google.com./abc-defg-hij", "google_meet", None),
        ("https://ｍeet.google.com/abc-defg-hij", "google_meet", None),  # fullwidth m (IDNA)
        ("  https://meet.google.com/abc-defg-hij\n", "google_meet", None),  # pasted
        # Zoom: the query carries the passcode and is kept
        (
            "https://zoom.us/j/1234567890?pwd=s3cret",
            "zoom",
            "https://zoom.us/j/1234567890?pwd=s3cret",
        ),
        ("https://us02web.zoom.us/j/85512345678?pwd=x", "zoom", None),
        ("https://app.zoom.us/wc/1234567890/join?pwd=x", "zoom", None),
        ("https://zoom.us/my/jane.doe", "zoom", None),
        # Teams: the client route rides in the fragment and is kept
        (
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_Yz%40thread.v2/0?context=%7b%7d",
            "teams",
            None,
        ),
        (
            "https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/19:x/0?anon=true",
            "teams",
            "https://teams.microsoft.com/l/meetup-join/19:x/0",  # unwrapped (teams/links.py)
        ),
        ("https://teams.live.com/meet/9876543210?p=abc", "teams", None),
        # Jitsi: settings in the fragment are kept
        (
            "https://meet.jit.si/BridgeRoom#config.prejoinConfig.enabled=false",
            "jitsi",
            "https://meet.jit.si/BridgeRoom#config.prejoinConfig.enabled=false",
        ),
        # Webex
        ("https://acme.webex.com/meet/jane", "webex", None),
        ("https://acme.webex.com/acme/j.php?MTID=m123", "webex", None),
        (
            "https://acme.webex.com/acme/j.php?MTID=m123&launchApp=true",
            "webex",
            "https://acme.webex.com/acme/j.php?MTID=m123",  # no hand-off to the app
        ),
        ("https://acme.webex.com/join/jane.doe", "webex", None),
        (
            "https://acme.webex.com/webappng/sites/acme/meeting/info/0123456789abcdef0123456789abcdef?launchApp=true",
            "webex",
            "https://acme.webex.com/webappng/sites/acme/meeting/info/0123456789abcdef0123456789abcdef",
        ),
    ],
)
def test_good_links_are_detected_and_normalised(
    url: str, vendor: str, expected: str | None
) -> None:
    for named in (vendor, None):  # given, and detected from the host
        meeting = resolve_meeting(url, named)
        assert meeting.vendor == vendor
        if expected is not None:
            assert meeting.url == expected
        assert meeting.url.startswith(f"https://{meeting.host}/")


def test_lab_links_pass_unchanged_on_any_port_of_a_lab_host() -> None:
    url = "http://127.0.0.1:8088/videoroomtest.html?room=1234"
    assert resolve_meeting(url, "janus", lab_hosts=LAB) == ResolvedMeeting(
        "janus", url, "127.0.0.1"
    )
    assert resolve_meeting(url, None, lab_hosts=LAB).vendor == "janus"
    assert resolve_meeting("https://127.0.0.1:9/x", "janus", lab_hosts=LAB).vendor == "janus"
    # Numeric spellings of the lab host are the same host.
    assert resolve_meeting("http://127.1:8000/", "janus", lab_hosts=LAB).host == "127.0.0.1"


def test_extra_hosts_add_a_self_hosted_jitsi() -> None:
    extra = {"jitsi": ["jitsi.example.org"]}
    meeting = resolve_meeting("https://JITSI.example.org/Room", None, extra_hosts=extra)
    assert (meeting.vendor, meeting.url) == ("jitsi", "https://jitsi.example.org/Room")
    with pytest.raises(MeetingUrlError, match="no known meeting vendor uses jitsi.example.org"):
        resolve_meeting("https://jitsi.example.org/Room", None)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("https://meet.google.com/" + "a" * MAX_URL_LENGTH, "longer than 2048"),
        ("http://[::1", "cannot be parsed"),
        ("https://zoom.us:99999/j/1234567890", "cannot be parsed"),
        ("meet.google.com/abc-defg-hij", "no scheme"),
        ("javascript:alert(1)", "javascript: URLs are not meeting links"),
        ("file:///etc/passwd", "file: URLs are not meeting links"),
        ("data:text/html,<h1>hi</h1>", "data: URLs are not meeting links"),
        ("ftp://meet.google.com/abc-defg-hij", "ftp: URLs are not meeting links"),
        ("chrome://settings", "chrome: URLs are not meeting links"),
        ("https://user:pw@meet.google.com/abc-defg-hij", "user name or password"),
        ("https://meet.google.com@evil.example/abc-defg-hij", "user name or password"),
        ("https://meet.google.com\\@evil.example/", "'\\\\'"),
        ("https://meet.goo\tgle.com/abc-defg-hij", "control characters"),
        ("https:///abc-defg-hij", "no host"),
        ("https://meet%2egoogle.com/abc-defg-hij", "not a valid host name"),
        ("https://bad_host!.com/x", "not a valid host name"),
        ("http://1.2.3.4.5/", "not a valid IP address"),
        ("http://[fe80::1%25eth0]/", "not a valid IPv6 address"),
        # internal addresses, however they are spelled
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/", "link-local"),
        ("http://[::ffff:169.254.169.254]/", r"\(169.254.169.254\) is a link-local"),
        ("http://[64:ff9b::a9fe:a9fe]/", "link-local"),  # NAT64
        ("http://127.0.0.1:8088/", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://0x7f000001/", "127.0.0.1 is a loopback address"),
        ("http://2130706433/", "127.0.0.1 is a loopback address"),
        ("http://127.1/", "127.0.0.1 is a loopback address"),
        ("http://0177.0.0.1/", "127.0.0.1 is a loopback address"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::]/", "unspecified"),
        ("http://10.99.0.1/", "private"),
        ("http://192.168.1.1/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://[fd00::1]/", "private"),
        ("http://100.64.0.1/", "not a public address"),  # carrier-grade NAT
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://240.0.0.1/", "reserved"),
        ("http://localhost:8080/", "localhost is an internal host name"),
        ("http://LOCALHOST./", "localhost is an internal host name"),
        ("http://api.localhost/", "internal host name"),
        ("http://metadata.google.internal/computeMetadata/v1/", "internal host name"),
        ("http://printer.local/", "internal host name"),
        ("http://metadata/computeMetadata/v1/", "not a public host name"),
        # hosts nobody owns
        ("https://example.com/abc-defg-hij", "no known meeting vendor uses example.com"),
        ("https://8.8.8.8/", "no known meeting vendor uses 8.8.8.8"),
        ("https://meet.google.com.evil.example/abc-defg-hij", "no known meeting vendor"),
        ("https://notzoom.us/j/1234567890", "no known meeting vendor"),
    ],
)
def test_bad_links_are_refused_with_a_reason(url: str, message: str) -> None:
    with pytest.raises(MeetingUrlError, match=message):
        resolve_meeting(url, None)


@pytest.mark.parametrize(
    ("url", "vendor", "message"),
    [
        (
            "https://meet.google.com/abc-defg-hij",
            "zoom",
            "meet.google.com is a Google Meet host, not a Zoom meeting host",
        ),
        (
            "https://zoom.us/j/1234567890",
            "janus",
            "zoom.us is a Zoom host, not a Janus \\(lab\\) meeting host",
        ),
        ("https://example.com/x", "jitsi", "example.com is not a known meeting host"),
        ("http://meet.google.com/abc-defg-hij", "google_meet", "use https://, not http://"),
        ("https://meet.google.com:8443/abc-defg-hij", "google_meet", r"have no port \(:8443\)"),
        ("https://meet.google.com/new", "google_meet", "does not look like a Google Meet"),
        ("https://meet.google.com/lookup/abcdefgh", "google_meet", "does not look like a Google"),
        ("https://zoom.us/pricing", "zoom", "does not look like a Zoom meeting link"),
        ("https://meet.jit.si/", "jitsi", "does not look like a Jitsi Meet meeting link"),
        ("https://acme.webex.com/webappng/sites/acme/dashboard", "webex", "like a Webex meeting"),
        ("https://meet.google.com/abc-defg-hij", "skype", "unknown vendor 'skype'; known: janus"),
        # lab hosts count for the lab vendor only
        ("http://127.0.0.1:8088/", "zoom", "127.0.0.1 is a loopback address"),
        ("http://10.99.0.1:8088/", "janus", "10.99.0.1 is a private address"),
    ],
)
def test_links_must_belong_to_the_named_vendor(url: str, vendor: str, message: str) -> None:
    with pytest.raises(MeetingUrlError, match=message):
        resolve_meeting(url, vendor, lab_hosts=LAB)


def test_janus_has_no_hosts_unless_configured() -> None:
    with pytest.raises(MeetingUrlError, match="loopback"):
        resolve_meeting("http://127.0.0.1:8088/videoroomtest.html", "janus")
    with pytest.raises(MeetingUrlError, match="example.org is not a known meeting host"):
        resolve_meeting("https://example.org/videoroomtest.html", "janus")


def test_unsupported_vendors_are_named() -> None:
    with pytest.raises(MeetingUrlError, match="vendor zoom is not supported yet"):
        resolve_meeting("https://zoom.us/j/1234567890", None, supported={"janus"})
    with pytest.raises(MeetingUrlError, match="vendor teams is not supported yet"):
        resolve_meeting("https://teams.live.com/meet/1", "teams", supported=["janus"])
    url = "http://127.0.0.1:1/"
    assert resolve_meeting(url, None, lab_hosts=LAB, supported=["janus"]).vendor == "janus"


@pytest.mark.parametrize("url", [None, 42, b"https://meet.google.com/abc-defg-hij"])
def test_non_strings_are_refused(url: object) -> None:
    with pytest.raises(MeetingUrlError, match="must be a string"):
        resolve_meeting(url, None)


def test_errors_and_reprs_never_show_the_passcode() -> None:
    meeting = resolve_meeting("https://zoom.us/j/1234567890?pwd=s3cret", None)
    assert "s3cret" not in repr(meeting)
    with pytest.raises(MeetingUrlError) as refused:
        resolve_meeting("https://zoom.us/j/1234567890?pwd=s3cret", "google_meet")
    assert "s3cret" not in str(refused.value)


def test_every_vendor_has_hosts_and_an_example() -> None:
    for name, spec in VENDORS.items():
        rules = spec.hosts
        assert rules.lab or rules.meeting_hosts, name
        assert rules.example.startswith(("http://", "https://")), name
        assert all(not host.startswith("*") or host.startswith("*.") for host in rules.asset_hosts)
    assert set(known_vendors()) == {"janus", "jitsi", "google_meet", "teams", "zoom", "webex"}


# --- what the bot's browser may load ------------------------------------------------


@pytest.mark.parametrize(
    ("url", "vendor", "allowed"),
    [
        ("https://meet.google.com/abc-defg-hij", "google_meet", True),
        ("https://www.gstatic.com/meet/app.js", "google_meet", True),
        ("https://lh3.googleusercontent.com/a/photo", "google_meet", True),
        ("wss://meet.google.com/socket", "google_meet", True),
        ("https://statics.teams.cdn.office.net/x.js", "teams", True),
        ("https://login.microsoftonline.com/common/oauth2", "teams", True),
        ("https://source.zoom.us/x.js", "zoom", True),
        ("https://web-cdn.jitsi.net/app.bundle.min.js", "jitsi", True),
        ("wss://meet.jit.si/xmpp-websocket?room=x", "jitsi", True),
        ("https://u2.wbx2.com/x", "webex", True),
        ("data:image/png;base64,iVBORw0KGgo=", "google_meet", True),
        ("blob:https://meet.google.com/0b1c-uuid", "google_meet", True),
        ("http://127.0.0.1:8088/janus", "janus", True),
        ("ws://127.0.0.1:8188/", "janus", True),
        # a vendor's assets are not another vendor's
        ("https://www.gstatic.com/x.js", "teams", False),
        ("https://source.zoom.us/x.js", "google_meet", False),
        ("https://evil.example/x.js", "google_meet", False),
        ("https://meet.google.com.evil.example/x", "google_meet", False),
        # never internal addresses, however spelled
        ("http://169.254.169.254/latest/meta-data", "janus", False),
        ("http://10.99.0.1:8000/x", "janus", False),
        ("http://[::1]:8088/", "janus", False),
        ("http://localhost:8088/", "janus", False),
        ("http://2130706433/", "google_meet", False),
        ("http://0x7f000001:8088/", "janus", True),  # the lab host, spelled in hex
        # other schemes
        ("file:///etc/passwd", "janus", False),
        ("javascript:alert(1)", "google_meet", False),
        ("chrome://settings/", "google_meet", False),
        ("ftp://meet.google.com/x", "google_meet", False),
        ("about:blank", "google_meet", False),
        ("https://user:pw@meet.google.com/", "google_meet", False),
        ("not a url", "google_meet", False),
        ("", "google_meet", False),
        ("http://[::1", "janus", False),
    ],
)
def test_requests_stay_on_the_vendors_hosts(url: str, vendor: str, allowed: bool) -> None:
    assert allowed_request(url, vendor, lab_hosts=LAB) is allowed


@pytest.mark.parametrize(
    ("url", "vendor", "allowed"),
    [
        ("https://meet.google.com/abc-defg-hij", "google_meet", True),
        ("https://accounts.google.com/signin", "google_meet", True),  # signed-in bots
        ("https://app.zoom.us/wc/1234567890/join", "zoom", True),
        ("https://teams.cloud.microsoft/v2/", "teams", True),
        ("http://127.0.0.1:8088/videoroomtest.html", "janus", True),
        # an asset host is not a place for the whole tab
        ("https://www.gstatic.com/x.html", "google_meet", False),
        ("https://meet.google.com:8443/abc-defg-hij", "google_meet", False),
        ("http://meet.google.com/abc-defg-hij", "google_meet", False),
        ("wss://meet.google.com/socket", "google_meet", False),
        ("data:text/html,<h1>phish</h1>", "google_meet", False),
        ("blob:https://meet.google.com/0b1c-uuid", "google_meet", False),
        ("javascript:alert(1)", "google_meet", False),
        ("file:///etc/passwd", "janus", False),
        ("http://169.254.169.254/latest/meta-data", "janus", False),
        ("http://10.99.0.1:8000/", "janus", False),
    ],
)
def test_navigations_stay_on_meeting_hosts(url: str, vendor: str, allowed: bool) -> None:
    assert allowed_navigation(url, vendor, lab_hosts=LAB) is allowed


def test_lab_hosts_mean_nothing_to_real_vendors() -> None:
    assert not allowed_request("http://127.0.0.1:8088/", "zoom", lab_hosts=LAB)
    assert not allowed_navigation("http://127.0.0.1:8088/", "zoom", lab_hosts=LAB)
    assert "127.0.0.1" not in request_host_patterns("zoom", lab_hosts=LAB)
    assert request_host_patterns("janus", lab_hosts=["LOCALHOST.", "[::1]"]) == (
        "localhost",
        "::1",
    )


def test_browser_checks_refuse_an_unknown_vendor() -> None:
    with pytest.raises(MeetingUrlError, match="unknown vendor"):
        allowed_request("https://meet.google.com/", "skype")


def test_importing_the_rules_loads_no_browser_code() -> None:
    code = (
        "import sys, vendor_scripts.urls; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('playwright', 'bridge_worker')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("https://zoom.us/j/1234567890?pwd=s3cret", "https://zoom.us/j/1234567890?pwd=***"),
        ("https://teams.live.com/meet/123?p=s3cret", "https://teams.live.com/meet/123?p=***"),
        ("https://x.example/r?PassCode=s3cret&room=1", "https://x.example/r?PassCode=***&room=1"),
        (
            "https://meet.jit.si/Room#jwt=s3cret&config.a=1",
            "https://meet.jit.si/Room#jwt=***&config.a=1",
        ),
        (
            "https://t.example/v2/#/l/join?context=c&p=s3cret",
            "https://t.example/v2/#/l/join?context=c&p=***",
        ),
        ("https://meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hij"),
    ],
)
def test_passcodes_and_tokens_are_masked_where_a_link_is_shown(url: str, masked: str) -> None:
    assert masked_link(url) == masked
    assert "s3cret" not in masked_link(url)


THREAD = "19%3ameeting_NjQ1ZTc2%40thread.v2"
CONTEXT = "context=%7b%22Tid%22%3a%22t1%22%2c%22Oid%22%3a%22o1%22%7d"
JOIN = f"https://teams.microsoft.com/l/meetup-join/{THREAD}/0?{CONTEXT}"
# The route once more percent-encoded, as the launcher's `url` parameter carries it.
LAUNCHED_ROUTE = (
    THREAD.replace("%", "%25") + "%2F0%3F" + CONTEXT.replace("%", "%25").replace("=", "%3D")
)


@pytest.mark.parametrize(
    ("link", "join_url"),
    [
        (JOIN, JOIN),
        (
            f"https://teams.microsoft.com/v2/?meetingjoin=true#/l/meetup-join/{THREAD}/0?"
            f"{CONTEXT}&anon=true",
            JOIN,
        ),
        (
            "https://teams.microsoft.com/dl/launcher/launcher.html?url=%2F_%23%2Fl%2Fmeetup-join"
            f"%2F{LAUNCHED_ROUTE}%26anon%3Dtrue&type=meetup-join&deeplinkId=x&msLaunch=true",
            JOIN,
        ),
        (
            "https://teams.microsoft.com/v2/?meetingjoin=true#/meet/2468135790?p=Ab12Cd34&anon=true",
            "https://teams.microsoft.com/meet/2468135790?p=Ab12Cd34",
        ),
        (
            "https://teams.live.com/meet/9876543210123?p=tok3n",
            "https://teams.live.com/meet/9876543210123?p=tok3n",
        ),
    ],
)
def test_wrapped_teams_links_join_their_plain_form(link: str, join_url: str) -> None:
    meeting = resolve_meeting(link, None)
    assert (meeting.vendor, meeting.url) == ("teams", join_url)


@pytest.mark.parametrize(
    "url",
    [
        # each vendor's meeting host as a prefix, or its domain as a bare suffix
        "https://meet.google.com.attacker.example/abc-defg-hij",
        "https://meet-google.com/abc-defg-hij",
        "https://teams.microsoft.com.attacker.example/meet/123456789012",
        "https://teamsmicrosoft.com/meet/123456789012",
        "https://zoom.us.attacker.example/j/1234567890",
        "https://evilzoom.us/j/1234567890",
        "https://meet.jit.si.attacker.example/Room",
        "https://webex.com.attacker.example/meet/jane",
        # look-alike letters: Cyrillic о in "zoom", Greek ο in "google", dotless ı in "jit"
        "https://zоom.us/j/1234567890",
        "https://meet.gοogle.com/abc-defg-hij",
        "https://meet.jıt.si/Room",
        # userinfo that names a vendor in front of another host
        "https://meet.google.com:443@attacker.example/abc-defg-hij",
        "https://teams.microsoft.com%40attacker.example/meet/1",
    ],
)
def test_lookalikes_of_every_vendor_are_refused(url: str) -> None:
    with pytest.raises(MeetingUrlError):
        resolve_meeting(url, None)
    for vendor in ("google_meet", "teams", "zoom", "jitsi", "webex"):
        with pytest.raises(MeetingUrlError):
            resolve_meeting(url, vendor)
