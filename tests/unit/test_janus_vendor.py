import pytest

from vendor_scripts.base import Box, MeetingStatus
from vendor_scripts.janus.client import interpret, stage_from
from vendor_scripts.registry import UnknownVendorError, load_client

pytestmark = pytest.mark.unit


def _remote(name: str, x: float, y: float, video: bool = True) -> dict:
    return {"name": name, "hasVideo": video, "x": x, "y": y, "width": 300, "height": 200}


def test_joined_and_published_is_in_meeting() -> None:
    reading = interpret({"joined": True, "published": True, "remotes": [_remote("ann", 0, 0)]})
    assert reading.status is MeetingStatus.IN_MEETING
    assert reading.participants == ("ann",)


@pytest.mark.parametrize(
    "raw",
    [
        {"joined": False, "published": False},
        {"joined": True, "published": False},  # registered, media not up yet
    ],
)
def test_not_yet_in_meeting_is_joining(raw: dict) -> None:
    assert interpret(raw).status is MeetingStatus.JOINING


@pytest.mark.parametrize(
    ("modal", "status"),
    [
        ("The room has been destroyed", MeetingStatus.ENDED),
        ("Lost connection to the server (is it down?)", MeetingStatus.ENDED),
        ("You have been kicked", MeetingStatus.REMOVED),
        ("Error attaching plugin... boom", MeetingStatus.ERROR),
    ],
)
def test_alerts_are_read_as_their_meaning(modal: str, status: MeetingStatus) -> None:
    reading = interpret({"joined": True, "published": True, "modal": modal})
    assert reading.status is status
    assert reading.detail == modal


def test_stage_is_the_union_of_remote_videos_only() -> None:
    raw = {
        "remotes": [
            _remote("ann", 10, 20),
            _remote("bob", 400, 20),
            _remote("cam-off", 800, 20, video=False),
        ]
    }
    assert stage_from(raw) == Box(10, 20, 690, 200)


def test_no_remote_video_means_no_stage() -> None:
    assert stage_from({"remotes": [_remote("ann", 0, 0, video=False)]}) is None
    assert stage_from({"remotes": []}) is None


def test_unknown_vendor_is_a_clear_error() -> None:
    with pytest.raises(
        UnknownVendorError, match="known: google_meet, janus, jitsi, teams, webex, zoom"
    ):
        load_client("skype")
