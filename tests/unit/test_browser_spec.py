"""How a bot's Chromium is started: lip sync by the setting or the vendor, field trials,
the vendor's hosts."""

import pytest

from bridge_worker.bot_devices import browser_spec, field_trials, hidden_for, lip_sync_for
from bridge_worker.settings import WorkerSettings
from vendor_scripts.registry import load_client

pytestmark = pytest.mark.unit
JANUS = load_client("janus")


def test_vendor_default_follows_whether_its_page_plays_tracks_apart() -> None:
    settings = WorkerSettings(bot_lip_sync="vendor")
    assert JANUS.tracks_played_apart
    assert lip_sync_for(settings, JANUS) is False


def test_a_bot_with_no_vendor_keeps_the_browsers_lip_sync() -> None:
    assert lip_sync_for(WorkerSettings(bot_lip_sync="vendor"), None) is True


@pytest.mark.parametrize(("setting", "expected"), [("on", True), ("off", False)])
def test_the_setting_overrides_the_vendor(setting: str, expected: bool) -> None:
    settings = WorkerSettings(bot_lip_sync=setting)
    assert lip_sync_for(settings, JANUS) is expected
    assert lip_sync_for(settings, None) is expected


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        WorkerSettings(bot_lip_sync="sometimes")


PACING = "WebRTC-Video-Pacing/max_delay:15ms/"


def test_field_trials_reach_chromium_after_the_pacing_one() -> None:
    trials = "WebRTC-Audio-NetEqDelayManagerConfig/quantile:0.9,forget_factor:0.95/"
    spec = browser_spec(WorkerSettings(browser_field_trials=trials), None, ["--camera-flag"])
    assert f"--force-fieldtrials={PACING}{trials}" in spec.args()
    plain = browser_spec(WorkerSettings(), None, ["--camera-flag"])
    assert f"--force-fieldtrials={PACING}" in plain.args()
    assert "--camera-flag" in plain.args()


def test_a_chosen_pacing_trial_wins_and_zero_keeps_webrtcs_pacing() -> None:
    chosen = "WebRTC-Video-Pacing/factor:2.5/"
    assert field_trials(WorkerSettings(browser_field_trials=chosen)) == chosen
    assert field_trials(WorkerSettings(video_send_max_delay_ms=80)) == (
        "WebRTC-Video-Pacing/max_delay:80ms/"
    )
    spec = browser_spec(WorkerSettings(video_send_max_delay_ms=0), None, [])
    assert not any(arg.startswith("--force-fieldtrials") for arg in spec.args())


@pytest.mark.parametrize("trials", ["NoGroup", "Trial/Group", "Trial/Group/--no-sandbox"])
def test_malformed_field_trials_are_refused(trials: str) -> None:
    with pytest.raises(ValueError):
        WorkerSettings(browser_field_trials=trials)


def test_a_vendors_browser_resolves_only_that_vendors_hosts() -> None:
    args = browser_spec(WorkerSettings(), JANUS, []).args()
    assert any(arg.startswith("--host-resolver-rules=") for arg in args)
    assert not any(
        arg.startswith("--host-resolver-rules=")
        for arg in browser_spec(WorkerSettings(), None, []).args()
    )


def test_a_vendors_self_view_is_hidden_and_nothing_without_a_vendor() -> None:
    assert hidden_for(JANUS) == (JANUS.self_view_selector,)
    assert browser_spec(WorkerSettings(), JANUS, []).hidden == hidden_for(JANUS)
    assert hidden_for(None) == ()
    assert browser_spec(WorkerSettings(), None, []).hidden == ()


def test_a_lab_authority_is_trusted_only_inside_the_lab(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEETBRIDGE_IN_LAB_NETNS", raising=False)
    with pytest.raises(ValueError, match="lab's namespace only"):
        WorkerSettings(lab_trusted_spki=["abc="])
    assert not any("spki" in arg for arg in browser_spec(WorkerSettings(), JANUS, []).args())
    monkeypatch.setenv("MEETBRIDGE_IN_LAB_NETNS", "1")
    spec = browser_spec(WorkerSettings(lab_trusted_spki=["abc=", "def="]), JANUS, [])
    assert "--ignore-certificate-errors-spki-list=abc=,def=" in spec.args()
