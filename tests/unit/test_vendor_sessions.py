"""Stored sign-ins: what a storage state may hold, how it is sealed, whose sites it may
carry, how it reaches the page, and the key no process may start with."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from bridge_worker.browser.sign_in import local_storage_script
from meetbridge.settings import (
    DEVELOPMENT_SESSION_KEY,
    InsecureSettingsError,
    SharedSettings,
    check_secrets,
)
from meetbridge.vendor_sessions import (
    SessionCipher,
    SessionUnreadableError,
    StorageState,
    VendorSession,
)
from meetbridge_cli.local_stack import session_key
from orchestrator.app import create_app
from orchestrator.settings import OrchestratorSettings
from vendor_scripts.sign_in import foreign_places, vendor_part

pytestmark = pytest.mark.unit
SECRET = "cookie-value-7f3a"


def cookie(domain: str, **more: Any) -> dict[str, Any]:
    return {"name": "sid", "value": SECRET, "domain": domain, "path": "/", **more}


def state(*domains: str, origins: tuple[str, ...] = ()) -> StorageState:
    return StorageState.model_validate(
        {
            "cookies": [cookie(d) for d in domains],
            "origins": [
                {"origin": o, "localStorage": [{"name": "k", "value": SECRET}]} for o in origins
            ],
        }
    )


# -- the storage state ---------------------------------------------------------------


def test_a_playwright_storage_state_is_read_as_it_is_saved() -> None:
    saved = {
        "cookies": [
            cookie(
                ".microsoft.com", expires=1893456000.5, httpOnly=True, secure=True, sameSite="None"
            ),
            cookie("teams.microsoft.com", expires=-1, partitionKey="x"),  # unknown keys: ignored
        ],
        "origins": [
            {"origin": "https://teams.microsoft.com", "localStorage": [{"name": "a", "value": "b"}]}
        ],
    }
    read = StorageState.model_validate(saved)
    assert read.cookie_domains() == [".microsoft.com", "teams.microsoft.com"]
    assert read.cookies[0].sameSite == "None" and read.cookies[0].httpOnly


@pytest.mark.parametrize(
    "bad",
    [
        {"cookies": "nope"},
        {"cookies": [{"name": "sid", "domain": "teams.microsoft.com"}]},  # no value
        {"cookies": [cookie("teams.microsoft.com", sameSite="Sometimes")]},
        {"cookies": [cookie("teams.microsoft.com", expires=-5)]},
        {"cookies": [cookie("teams.microsoft.com", name="a;b")]},
        {"cookies": [cookie("teams.microsoft.com", value="x\nSet-Cookie: y")]},
        {"cookies": [cookie("teams.microsoft.com", path="relative")]},
        {"cookies": [cookie("")]},
        {"cookies": [cookie("teams.microsoft.com")] * 301},
        {"origins": [{"origin": "https://teams.microsoft.com", "localStorage": "x"}]},
    ],
)
def test_a_malformed_storage_state_is_refused_without_quoting_its_values(bad: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        StorageState.model_validate(bad)
    for error in refused.value.errors():
        assert SECRET not in error["msg"]


# -- sealed at rest ------------------------------------------------------------------


def test_a_sealed_state_opens_only_with_its_key_for_its_api_key_and_vendor() -> None:
    key = SecretStr(Fernet.generate_key().decode())
    cipher = SessionCipher(key)
    signed = state("teams.microsoft.com")
    sealed = cipher.seal("key1", "teams", signed)
    assert SECRET not in sealed
    assert cipher.open("key1", "teams", sealed) == signed
    for key_id, vendor in (("key2", "teams"), ("key1", "zoom")):
        with pytest.raises(SessionUnreadableError):
            cipher.open(key_id, vendor, sealed)
    other = SessionCipher(SecretStr(Fernet.generate_key().decode()))
    with pytest.raises(SessionUnreadableError) as unreadable:
        other.open("key1", "teams", sealed)
    assert SECRET not in str(unreadable.value)


def test_what_is_shown_of_a_session_holds_no_value() -> None:
    session = VendorSession.describe(
        "key1",
        "teams",
        state(".microsoft.com", "teams.microsoft.com", origins=("https://teams.microsoft.com",)),
    )
    assert SECRET not in session.model_dump_json()
    assert session.cookies == 2 and session.local_storage_items == 1
    assert session.cookie_domains == [".microsoft.com", "teams.microsoft.com"]


# -- whose sites ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vendor", "domain"),
    [
        ("teams", "teams.microsoft.com"),
        ("teams", ".microsoft.com"),  # *.microsoft.com is the vendor's: its parent domain too
        ("teams", "login.microsoftonline.com"),
        ("teams", ".TEAMS.microsoft.com."),
        ("google_meet", ".google.com"),
        ("google_meet", "accounts.google.com"),
        ("zoom", ".zoom.us"),
        ("jitsi", "meet.jit.si"),
    ],
)
def test_cookies_of_the_vendors_own_sites_are_its(vendor: str, domain: str) -> None:
    assert foreign_places(state(domain), vendor) == []


@pytest.mark.parametrize(
    ("vendor", "domain"),
    [
        ("teams", ".google.com"),
        ("teams", "evil.example"),
        ("teams", ".com"),
        ("teams", "microsoft.com.evil.example"),
        ("teams", "teams.microsoft.com.evil.example"),
        ("google_meet", ".microsoft.com"),
        ("google_meet", "169.254.169.254"),
        ("google_meet", "localhost"),
        ("google_meet", "not a domain"),
        ("janus", "127.0.0.1"),  # a lab host only where the lab hosts are set
    ],
)
def test_a_cookie_of_another_site_is_named_not_its_value(vendor: str, domain: str) -> None:
    assert foreign_places(state(domain), vendor) == [domain]


def test_storage_origins_must_be_the_vendors_origins() -> None:
    good = ("https://teams.microsoft.com", "https://login.microsoftonline.com")
    bad = (
        "http://teams.microsoft.com",
        "https://teams.microsoft.com/path",
        "https://evil.example",
        "javascript:alert(1)",
        "data:text/html,x",
    )
    assert foreign_places(state(origins=good), "teams") == []
    assert foreign_places(state(origins=bad), "teams") == list(bad)


def test_lab_hosts_count_for_the_lab_vendor_only() -> None:
    lab = state("127.0.0.1", origins=("http://127.0.0.1:8080",))
    assert foreign_places(lab, "janus", lab_hosts=["127.0.0.1"]) == []
    assert foreign_places(lab, "teams", lab_hosts=["127.0.0.1"]) == [
        "127.0.0.1",
        "http://127.0.0.1:8080",
    ]


def test_the_worker_keeps_only_the_vendors_part() -> None:
    mixed = state(
        "teams.microsoft.com",
        ".google.com",
        origins=("https://teams.microsoft.com", "https://evil.example"),
    )
    kept = vendor_part(mixed, "teams")
    assert kept.cookie_domains() == ["teams.microsoft.com"]
    assert [o.origin for o in kept.origins] == ["https://teams.microsoft.com"]


# -- into the page -------------------------------------------------------------------


def test_local_storage_goes_only_to_its_own_origin_once_per_tab() -> None:
    assert local_storage_script(state("teams.microsoft.com")) is None
    script = local_storage_script(state(origins=("https://teams.microsoft.com",)))
    assert script is not None
    assert (
        '{"https://teams.microsoft.com": [["k", "cookie-value-7f3a"]]}[location.origin]' in script
    )
    assert 'sessionStorage.getItem("meetbridge:signed-in")' in script


# -- the key no process may start with ------------------------------------------------


def test_the_development_key_is_refused_outside_development() -> None:
    check_secrets(SharedSettings(environment="development"))
    check_secrets(SharedSettings(session_key=SecretStr(Fernet.generate_key().decode())))
    with pytest.raises(InsecureSettingsError, match="well-known development key"):
        check_secrets(SharedSettings())
    with pytest.raises(InsecureSettingsError, match="not a Fernet key") as refused:
        check_secrets(
            SharedSettings(session_key=SecretStr("short-and-secret"), environment="development")
        )
    assert "short-and-secret" not in str(refused.value)
    with pytest.raises(InsecureSettingsError):
        create_app(OrchestratorSettings(session_key=SecretStr(DEVELOPMENT_SESSION_KEY)))
    create_app(OrchestratorSettings(environment="development"))


@pytest.mark.parametrize("command", ["api", "worker"])
def test_the_api_and_workers_refuse_to_start_with_the_default_key_in_one_clear_line(
    command: str,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEETBRIDGE_")}
    argv = [sys.executable, "-m", "meetbridge_cli", command]
    ran = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert ran.returncode == 2
    assert "Traceback" not in ran.stderr
    assert f"meetbridge {command}: refused to start: MEETBRIDGE_SESSION_KEY" in ran.stderr
    assert DEVELOPMENT_SESSION_KEY not in ran.stderr
    assert len(ran.stderr.strip().splitlines()) == 1, ran.stderr


def test_the_local_stack_makes_its_key_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    key = session_key(tmp_path / "run")
    check_secrets(SharedSettings(session_key=SecretStr(key)))
    assert key != DEVELOPMENT_SESSION_KEY
    assert session_key(tmp_path / "run") == key
    assert stat.S_IMODE((tmp_path / "run" / "session.key").stat().st_mode) == 0o600
