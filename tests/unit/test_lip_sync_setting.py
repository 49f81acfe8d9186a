"""Which bots lip-sync what they receive: the setting, else the vendor's page."""

import pytest

from bridge_worker.bot_devices import lip_sync_for
from bridge_worker.settings import WorkerSettings
from vendor_scripts.registry import load_client

pytestmark = pytest.mark.unit


def test_vendor_default_follows_whether_its_page_plays_tracks_apart() -> None:
    settings = WorkerSettings(bot_lip_sync="vendor")
    assert load_client("janus").tracks_played_apart
    assert lip_sync_for(settings, "janus") is False


def test_a_bot_with_no_vendor_keeps_the_browsers_lip_sync() -> None:
    assert lip_sync_for(WorkerSettings(bot_lip_sync="vendor"), None) is True


@pytest.mark.parametrize(("setting", "expected"), [("on", True), ("off", False)])
def test_the_setting_overrides_the_vendor(setting: str, expected: bool) -> None:
    settings = WorkerSettings(bot_lip_sync=setting)
    assert lip_sync_for(settings, "janus") is expected
    assert lip_sync_for(settings, None) is expected


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkerSettings(bot_lip_sync="sometimes")
