"""The registry is built from the vendor folders: each folder one spec, each spec listed."""

from __future__ import annotations

import importlib
from dataclasses import replace
from pathlib import Path

import pytest

import vendor_scripts
from vendor_scripts import registry
from vendor_scripts.registry import (
    SPECS,
    VENDORS,
    UnknownVendorError,
    known_vendors,
    load_client,
    vendor_names,
)

pytestmark = pytest.mark.unit
PACKAGE = Path(vendor_scripts.__file__).parent


def vendor_folders() -> list[str]:
    return sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def test_every_vendor_folder_is_in_the_registry_under_its_own_name() -> None:
    assert vendor_folders() == sorted(known_vendors())
    for folder in vendor_folders():
        spec = importlib.import_module(f"vendor_scripts.{folder}").SPEC
        assert spec.name == folder
        assert VENDORS[folder] is spec
    assert len(SPECS) == len(VENDORS)  # no name twice


def test_a_spec_with_a_client_makes_a_client_of_that_vendor() -> None:
    assert vendor_names() == ["google_meet", "janus", "jitsi", "teams", "webex", "zoom"]
    for name in vendor_names():
        client = load_client(name)
        assert client.name == name
        assert client is not load_client(name)  # a new one per bot


def test_vendors_without_a_client_are_known_but_cannot_send_bots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert {"jitsi", "google_meet", "teams", "zoom", "webex"} <= set(known_vendors())
    clientless = replace(registry.VENDORS["webex"], client=None)
    monkeypatch.setattr(registry, "VENDORS", {**registry.VENDORS, "webex": clientless})
    assert "webex" in known_vendors() and "webex" not in vendor_names()
    with pytest.raises(UnknownVendorError, match="webex has no bot client yet"):
        load_client("webex")
    with pytest.raises(UnknownVendorError, match="unknown vendor 'skype'; known: google_meet"):
        load_client("skype")
