"""A display name or passcode the vendor's page would refuse is refused first, by rule."""

import pytest

from vendor_scripts.inputs import MeetingInputError, check_inputs

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", ["bot", "BridgeOne", "bot2"])
def test_the_lab_takes_letters_and_digits(name: str) -> None:
    check_inputs("janus", name, None)


@pytest.mark.parametrize("name", ["bridge-one", "bridge one", "brücke", "bot!"])
def test_the_lab_refuses_other_characters_and_says_which_rule(name: str) -> None:
    with pytest.raises(MeetingInputError, match=r"Janus \(lab\) takes display names of only"):
        check_inputs("janus", name, None)


def test_lengths_are_bounded_and_the_passcode_is_never_repeated() -> None:
    with pytest.raises(MeetingInputError, match="at most 64 characters"):
        check_inputs("janus", "a" * 65, None)
    secret = "s" * 129
    with pytest.raises(MeetingInputError, match="passcodes of at most 128") as refused:
        check_inputs("janus", "bot", secret)
    assert secret not in str(refused.value)
    check_inputs("janus", "bot", "s3cr3t-pc")


def test_an_unknown_vendor_is_refused() -> None:
    with pytest.raises(MeetingInputError, match="unknown vendor"):
        check_inputs("skype", "bot", None)


@pytest.mark.parametrize("passcode", ["12345678901", "pass word", "päss"])
def test_zoom_passcodes_follow_zooms_rule(passcode: str) -> None:
    with pytest.raises(MeetingInputError, match="Zoom takes passcodes of"):
        check_inputs("zoom", "Bridge One", passcode)
    check_inputs("zoom", "Bridge One", "Ab1@-_*")
