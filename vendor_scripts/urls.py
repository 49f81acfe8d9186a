"""The URL policy every vendor shares: pure rules, no browser code.

Each vendor's folder declares where its meetings live (`VendorHosts` in its spec);
this module applies what holds for all of them: schemes, no userinfo, host names
and IP literals read the way Chromium reads them, private and internal addresses
refused, and the host rules a bot's browser is launched with. A bot's browser must
never be sent to an arbitrary address (cloud metadata services, loopback, the pod
network, file:, ...). Two places use these rules:
the HTTP API checks a meeting link before anything is queued (`resolve_meeting`,
whose error message goes straight into the 422 response), and the bot's browser
checks every request it makes while in the meeting (`allowed_request`,
`allowed_navigation`). Keeping both on one table means a host can only be
reachable if some vendor's spec declares it.

Importing this module imports nothing from Playwright or bridge_worker.

Hosts are compared as Chromium will see them: lowercased, trailing dot dropped,
internationalised names in their ASCII (IDNA) form, and numeric hosts read the
way `inet_aton` (and the WHATWG URL parser) reads them, so `http://2130706433/`,
`http://0x7f000001/` and `http://127.1/` are all 127.0.0.1.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from urllib.parse import SplitResult, urlsplit, urlunsplit

from vendor_scripts.registry import VENDORS, known_vendors
from vendor_scripts.spec import VendorHosts

MAX_URL_LENGTH = 2048

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class MeetingUrlError(ValueError):
    """A meeting URL was refused; the message is written for the user who sent it.

    Messages name hosts, never queries or paths: those may carry passcodes, and
    422 bodies end up in logs.
    """


_HTTP_SCHEMES = frozenset({"http", "https"})
_REQUEST_SCHEMES = _HTTP_SCHEMES | {"ws", "wss"}
_INLINE_SCHEMES = frozenset({"data", "blob"})  # content the page already holds
_DEFAULT_PORTS = MappingProxyType({"http": 80, "https": 443, "ws": 80, "wss": 443})
# Names that only ever mean "this machine" or "inside this network".
_INTERNAL_SUFFIXES = ("localhost", "local", "localdomain", "internal", "lan", "home.arpa")
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_LABEL = r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")
_ENDS_IN_NUMBER = re.compile(r"(?:^|\.)(?:\d+|0x[0-9a-f]*)$")
# RFC 6052 well-known prefix: NAT64 gateways turn these into IPv4 connections.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class ResolvedMeeting:
    """A meeting link that passed every rule: whose it is and where to send the bot."""

    vendor: str
    url: str = field(repr=False)  # the query may hold a passcode
    host: str


@dataclass(frozen=True)
class _Host:
    name: str  # canonical: lowercase ASCII name, or the address in standard form
    ip: IPAddress | None


@dataclass(frozen=True)
class _Policy:
    """One vendor's rules with this deployment's lab and extra hosts filled in."""

    vendor: str
    rules: VendorHosts
    lab_hosts: tuple[str, ...]
    meeting_hosts: tuple[str, ...]
    navigation_hosts: tuple[str, ...]
    request_hosts: tuple[str, ...]

    def is_lab_host(self, host: _Host) -> bool:
        return self.rules.lab and host.name in self.lab_hosts


def resolve_meeting(
    url: object,
    vendor: str | None,
    *,
    lab_hosts: Sequence[str] = (),
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
    supported: Collection[str] | None = None,
) -> ResolvedMeeting:
    """Check a user's meeting link and say whose meeting it is.

    `vendor=None` detects the vendor from the host. `lab_hosts` are the hosts the
    Janus lab runs on (the only place loopback or private addresses are allowed,
    on any port); `extra_hosts` adds meeting hosts per vendor, e.g. a self-hosted
    Jitsi (still public hosts only). `supported` limits the vendors accepted.
    Raises MeetingUrlError with a message meant for the user.
    """
    text = _checked_text(url)
    parts = _split(text)
    host = _host_of(parts)
    if vendor is None:
        policy = _detect(host, lab_hosts, extra_hosts)
    else:
        policy = _policy_for(vendor, lab_hosts, extra_hosts)
    if not policy.is_lab_host(host):
        _refuse_internal(host)
    if supported is not None and policy.vendor not in supported:
        raise MeetingUrlError(f"vendor {policy.vendor} is not supported yet")
    if not _matches_any(host.name, policy.meeting_hosts):
        raise MeetingUrlError(_not_owned_message(host, policy, lab_hosts, extra_hosts))
    _check_scheme_port_path(parts, policy)
    return ResolvedMeeting(policy.vendor, _join_link(text, parts, host, policy), host.name)


def allowed_request(
    url: str,
    vendor: str,
    *,
    lab_hosts: Sequence[str] = (),
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> bool:
    """May the bot's browser load `url` while in a meeting of `vendor`?

    http(s) and ws(s) to the vendor's meeting, navigation and asset hosts (any
    port: clients use a few); `data:` and `blob:` (the page's own content; the
    caller decides about navigations separately). Nothing else, and never an
    internal address unless it is a Janus lab host. Unknown vendor: MeetingUrlError.
    """
    policy = _policy_for(vendor, lab_hosts, extra_hosts)
    scheme = _scheme_of(url)
    if scheme in _INLINE_SCHEMES:
        return True
    if scheme not in _REQUEST_SCHEMES:
        return False
    return _host_check(url, policy, policy.request_hosts, check_port=False)


def allowed_navigation(
    url: str,
    vendor: str,
    *,
    lab_hosts: Sequence[str] = (),
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> bool:
    """May the bot's tab (its main frame) go to `url`?

    Stricter than `allowed_request`: only the vendor's own schemes and default
    ports, to its meeting and sign-in hosts (or the lab hosts for Janus). No
    data:, blob:, javascript: or file:, which would leave the vendor's origin.
    """
    policy = _policy_for(vendor, lab_hosts, extra_hosts)
    if _scheme_of(url) not in policy.rules.schemes:
        return False
    return _host_check(url, policy, policy.navigation_hosts, check_port=True)


def request_host_patterns(
    vendor: str,
    *,
    lab_hosts: Sequence[str] = (),
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> tuple[str, ...]:
    """Every host pattern `allowed_request` accepts for `vendor` (for browser flags)."""
    return _policy_for(vendor, lab_hosts, extra_hosts).request_hosts


# Query (and hash) parameters that carry a passcode or a token in some vendor's links.
SECRET_PARAMS = frozenset({"pwd", "p", "passcode", "password", "pw", "tk", "token", "jwt"})
MASK = "***"


def masked_link(url: str) -> str:
    """`url` with the values of passcode and token parameters replaced by ***, in the
    query and in a hash of `key=value` pairs: what may be printed or logged of a link."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=_masked(parts.query), fragment=_masked(parts.fragment)))


def _masked(pairs: str) -> str:
    masked = []
    for pair in pairs.split("&") if pairs else []:
        name, equals, _ = pair.partition("=")
        secret = equals and name.split("#")[-1].split("?")[-1].lower() in SECRET_PARAMS
        masked.append(f"{name}={MASK}" if secret else pair)
    return "&".join(masked)


# --- the URL as text and its parts ---------------------------------------------------


def _checked_text(url: object) -> str:
    if not isinstance(url, str):
        raise MeetingUrlError("the meeting URL must be a string")
    if len(url) > MAX_URL_LENGTH:
        raise MeetingUrlError(f"the meeting URL is longer than {MAX_URL_LENGTH} characters")
    text = url.strip()
    if not text:
        raise MeetingUrlError("the meeting URL is empty")
    if _FORBIDDEN_CHARS.search(text):
        # Browsers drop or reinterpret these (tabs, newlines, backslashes), so the
        # host we check could differ from the one the browser would visit.
        raise MeetingUrlError("the meeting URL contains spaces, control characters or '\\'")
    return text


def _split(text: str) -> SplitResult:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise MeetingUrlError("the meeting URL cannot be parsed") from None
    if not parts.scheme:
        raise MeetingUrlError("the meeting URL has no scheme; meeting links start with https://")
    if parts.scheme not in _HTTP_SCHEMES:
        raise MeetingUrlError(
            f"{parts.scheme}: URLs are not meeting links; send the meeting's https:// link"
        )
    if "@" in parts.netloc:
        raise MeetingUrlError("meeting URLs must not contain a user name or password before '@'")
    if not parts.hostname:
        raise MeetingUrlError("the meeting URL has no host")
    return parts


def _scheme_of(url: str) -> str:
    scheme, colon, _ = url.partition(":")
    return scheme.lower() if colon else ""


def _host_of(parts: SplitResult) -> _Host:
    """The host as the browser will read it; MeetingUrlError if it is not valid."""
    raw = parts.hostname or ""
    if "[" in parts.netloc:
        return _ipv6_host(raw)
    return _named_or_ipv4_host(raw)


def _ipv6_host(raw: str) -> _Host:
    try:
        ip = ipaddress.IPv6Address(raw)  # a zone id ("%eth0") is refused here
    except ValueError:
        raise MeetingUrlError(f"[{raw}] is not a valid IPv6 address") from None
    if ip.scope_id is not None:
        raise MeetingUrlError(f"[{raw}] is not a valid IPv6 address")
    return _Host(ip.compressed, ip)


def _named_or_ipv4_host(raw: str) -> _Host:
    name = _ascii_name(raw.removesuffix("."))
    if _ENDS_IN_NUMBER.search(name):
        # Like browsers: a host ending in a number is an IPv4 address in one of
        # inet_aton's forms (2130706433, 0x7f000001, 127.1, 0177.0.0.1) or invalid.
        try:
            ip = ipaddress.IPv4Address(socket.inet_aton(name))
        except OSError:
            raise MeetingUrlError(f"{raw} is not a valid IP address") from None
        return _Host(str(ip), ip)
    if not _NAME.fullmatch(name) or len(name) > 253:
        raise MeetingUrlError(f"{raw} is not a valid host name")
    return _Host(name, None)


def _ascii_name(name: str) -> str:
    if name.isascii():
        return name.lower()
    try:
        return name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise MeetingUrlError(f"{name} is not a valid host name") from None


def _parse_host_setting(value: str) -> str:
    """A host from settings (`lab_hosts`, `extra_hosts`) in canonical form."""
    pattern = value.strip().lower()
    if pattern.startswith("*."):
        return "*." + _named_or_ipv4_host(pattern[2:]).name
    if pattern.startswith("[") and pattern.endswith("]"):
        return _ipv6_host(pattern[1:-1]).name
    if ":" in pattern:
        return _ipv6_host(pattern).name
    return _named_or_ipv4_host(pattern).name


# --- internal addresses and names ---------------------------------------------------


def _refuse_internal(host: _Host) -> None:
    reason = _internal_reason(host)
    if reason:
        raise MeetingUrlError(
            f"{_described(host)} is {reason}; "
            "a bot's browser may only visit the vendor's public hosts"
        )


def _described(host: _Host) -> str:
    """The host, with the IPv4 address it stands for when that is not obvious."""
    if host.ip is None or _embedded_ipv4(host.ip) == host.ip:
        return host.name
    return f"{host.name} ({_embedded_ipv4(host.ip)})"


def _internal_reason(host: _Host) -> str | None:
    """Why this host is inside some private network (or this machine), else None."""
    if host.ip is not None:
        return _address_reason(_embedded_ipv4(host.ip))
    name = host.name
    if any(name == suffix or name.endswith("." + suffix) for suffix in _INTERNAL_SUFFIXES):
        return "an internal host name"
    if "." not in name:  # resolved through the local search domains
        return "not a public host name (no domain)"
    return None


def _embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address would really reach (mapped, 6to4, NAT64, Teredo)."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


def _address_reason(ip: IPAddress) -> str | None:
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata services live)"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


# --- vendors ------------------------------------------------------------------------


def _policy_for(
    vendor: str, lab_hosts: Sequence[str], extra_hosts: Mapping[str, Sequence[str]] | None
) -> _Policy:
    if vendor not in VENDORS:
        raise MeetingUrlError(f"unknown vendor {vendor!r}; known: {', '.join(known_vendors())}")
    extras = tuple((extra_hosts or {}).get(vendor, ()))
    return _build_policy(vendor, tuple(lab_hosts), extras)


@functools.lru_cache(maxsize=64)
def _build_policy(vendor: str, lab_hosts: tuple[str, ...], extras: tuple[str, ...]) -> _Policy:
    """Cached: the browser guard asks for every request the page makes."""
    rules = VENDORS[vendor].hosts
    lab = tuple(_parse_host_setting(host) for host in lab_hosts) if rules.lab else ()
    meeting = (*rules.meeting_hosts, *(_parse_host_setting(host) for host in extras), *lab)
    navigation = (*meeting, *rules.navigation_hosts)
    return _Policy(
        vendor=vendor,
        rules=rules,
        lab_hosts=lab,
        meeting_hosts=meeting,
        navigation_hosts=navigation,
        request_hosts=(*navigation, *rules.asset_hosts),
    )


def _owner(
    host: _Host, lab_hosts: Sequence[str], extra_hosts: Mapping[str, Sequence[str]] | None
) -> _Policy | None:
    """The vendor whose meeting links use this host, if any."""
    for vendor in VENDORS:
        policy = _policy_for(vendor, lab_hosts, extra_hosts)
        if _matches_any(host.name, policy.meeting_hosts):
            return policy
    return None


def _detect(
    host: _Host, lab_hosts: Sequence[str], extra_hosts: Mapping[str, Sequence[str]] | None
) -> _Policy:
    policy = _owner(host, lab_hosts, extra_hosts)
    if policy is not None:
        return policy
    _refuse_internal(host)  # the more useful message, when it applies
    raise MeetingUrlError(
        f"no known meeting vendor uses {host.name}; known vendors: {', '.join(known_vendors())}"
    )


def _not_owned_message(
    host: _Host,
    policy: _Policy,
    lab_hosts: Sequence[str],
    extra_hosts: Mapping[str, Sequence[str]] | None,
) -> str:
    owner = _owner(host, lab_hosts, extra_hosts)
    whose = f"a {owner.rules.title} host" if owner else "not a known meeting host"
    return (
        f"{host.name} is {whose}, not a {policy.rules.title} meeting host "
        f"({policy.rules.title} links look like {policy.rules.example})"
    )


def _matches_any(host: str, patterns: Sequence[str]) -> bool:
    return any(_matches(host, pattern) for pattern in patterns)


def _matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def _check_scheme_port_path(parts: SplitResult, policy: _Policy) -> None:
    rules = policy.rules
    if parts.scheme not in rules.schemes:
        raise MeetingUrlError(f"{rules.title} links use https://, not {parts.scheme}://")
    if not rules.lab and parts.port not in (None, _DEFAULT_PORTS[parts.scheme]):
        raise MeetingUrlError(f"{rules.title} links have no port (:{parts.port})")
    if rules.meeting_path and not rules.meeting_path.fullmatch(parts.path):
        raise MeetingUrlError(
            f"this does not look like a {rules.title} meeting link; they look like {rules.example}"
        )


def _join_link(text: str, parts: SplitResult, host: _Host, policy: _Policy) -> str:
    """The link the bot opens: lowercase scheme and host, no default port, no userinfo."""
    if policy.rules.lab:
        return text
    netloc = f"[{host.name}]" if isinstance(host.ip, ipaddress.IPv6Address) else host.name
    fragment = parts.fragment if policy.rules.keep_fragment else ""
    link = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, fragment))
    if policy.rules.join_link is None:
        return link
    unwrapped = policy.rules.join_link(link)
    if urlsplit(unwrapped).netloc != netloc:  # a vendor's unwrapping never moves the host
        raise MeetingUrlError(f"this {policy.rules.title} link leads elsewhere")
    return unwrapped


# --- the browser's requests ---------------------------------------------------------


def _host_check(url: str, policy: _Policy, patterns: Sequence[str], *, check_port: bool) -> bool:
    """True when `url`'s host is one of `patterns` and not internal (lab hosts aside)."""
    try:
        parts = urlsplit(url)
        port = parts.port
        if "@" in parts.netloc or not parts.hostname:
            return False
        host = _host_of(parts)
    except ValueError:  # MeetingUrlError included
        return False
    if policy.is_lab_host(host):
        return True
    if check_port and port not in (None, _DEFAULT_PORTS[parts.scheme]):
        return False
    return _internal_reason(host) is None and _matches_any(host.name, patterns)


# --- stored sign-ins ------------------------------------------------------------------


def cookie_domain_allowed(
    domain: str,
    vendor: str,
    *,
    lab_hosts: Sequence[str] = (),
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> bool:
    """May a stored sign-in of `vendor` carry a cookie for `domain`?

    The domain (a leading dot is a domain cookie's mark) must be a host the vendor's
    browser may load, or the domain whose subdomains it may (`*.microsoft.com` allows
    `.microsoft.com`); never an internal host, lab hosts aside.
    """
    policy = _policy_for(vendor, lab_hosts, extra_hosts)
    try:
        host = _named_or_ipv4_host(domain.strip().removeprefix("."))
    except MeetingUrlError:
        return False
    if policy.is_lab_host(host):
        return True
    if _internal_reason(host) is not None:
        return False
    patterns = policy.request_hosts
    return _matches_any(host.name, patterns) or f"*.{host.name}" in patterns


def storage_origin_allowed(
    origin: str,
    vendor: str,
    *,
    lab_hosts: Sequence[str] = (),
    extra_hosts: Mapping[str, Sequence[str]] | None = None,
) -> bool:
    """May a stored sign-in of `vendor` carry localStorage for `origin`? An origin
    (scheme, host, port: nothing else) of the vendor's schemes and hosts."""
    policy = _policy_for(vendor, lab_hosts, extra_hosts)
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in policy.rules.schemes or parts.path or parts.query or parts.fragment:
        return False
    return _host_check(origin, policy, policy.request_hosts, check_port=False)
