"""The room Janus's network settings: what goes into its config, and what is refused."""

from __future__ import annotations

import pytest

from meetbridge.janus_server import JanusNetwork

pytestmark = [pytest.mark.unit]


def test_the_settings_become_janus_config_lines() -> None:
    network = JanusNetwork.from_env(
        {
            "MEETBRIDGE_ROOM_JANUS_RTP_PORT_RANGE": "20000-20199",
            "MEETBRIDGE_ROOM_JANUS_NAT_1_1_MAPPING": "203.0.113.7",
            "MEETBRIDGE_ROOM_JANUS_STUN_SERVER": "stun.example.org:3478",
            "MEETBRIDGE_ROOM_JANUS_TURN_SERVER": "turn.example.org:3478",
            "MEETBRIDGE_ROOM_JANUS_TURN_USER": "janus",
            "MEETBRIDGE_ROOM_JANUS_TURN_PASSWORD": "s3cret",
            "MEETBRIDGE_ROOM_JANUS_TURN_TYPE": "",
        }
    )
    assert network.media_lines() == '\trtp_port_range = "20000-20199"\n'
    assert network.nat_lines().split("\n")[:-1] == [
        '\tnat_1_1_mapping = "203.0.113.7"',
        '\tstun_server = "stun.example.org"',
        "\tstun_port = 3478",
        '\tturn_server = "turn.example.org"',
        "\tturn_port = 3478",
        '\tturn_type = "udp"',
        '\tturn_user = "janus"',
        '\tturn_pwd = "s3cret"',
    ]
    assert JanusNetwork.from_env({}) == JanusNetwork()
    assert JanusNetwork().media_lines() == JanusNetwork().nat_lines() == ""


@pytest.mark.parametrize(
    "values",
    [
        {"rtp_port_range": "20000"},
        {"rtp_port_range": '1-2"\n}'},
        {"stun_server": "stun.example.org"},
        {"turn_server": 'x:1"\nadmin: {'},
        {"turn_type": "sctp"},
        {"turn_password": 'a"b'},
        {"nat_1_1_mapping": "1.2.3.4 5.6.7.8\n"},
    ],
)
def test_values_that_would_break_the_config_are_refused(values: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        JanusNetwork(**values)
