"""The meeting lab itself: simulated people in private Janus meetings hear and see
each other, and two lab meetings never leak into each other.

Run inside the lab namespace: `infra/lab/netns-run .venv/bin/python -m pytest
tests/integration/test_lab.py`.
"""

from __future__ import annotations

import asyncio

import pytest

from lab.media import COLOURS, closest_colour_name
from lab.person import SimulatedPerson
from tests.fixtures.lab import MeetingFactory, PersonFactory

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

RED, BLUE, GREEN = COLOURS["red"], COLOURS["blue"], COLOURS["green"]
FREQUENCY_TOLERANCE_HZ = 15.0


async def join_all(url: str, *people: SimulatedPerson) -> None:
    """Join everyone to `url`, then wait until each sees and plays all the others."""
    await asyncio.gather(*(person.join(url) for person in people))
    await asyncio.gather(
        *(
            person.wait_for_participant(other.name)
            for person in people
            for other in people
            if other is not person
        )
    )


def assert_page_worked_offline(person: SimulatedPerson) -> None:
    """The demo page needs nothing beyond the lab: no errors, no failed/CDN requests."""
    assert person.page_errors == []
    assert person.failed_requests == []
    assert person.external_requests == []


async def test_two_people_hear_and_see_each_other(
    lab_meeting: MeetingFactory, person_factory: PersonFactory
) -> None:
    meeting = await lab_meeting()
    alice, bob = await asyncio.gather(
        person_factory("Alice", 440, RED), person_factory("Bob", 1000, BLUE)
    )

    await join_all(meeting.url, alice, bob)
    alice_hears, bob_hears = await asyncio.gather(alice.heard_frequency(), bob.heard_frequency())

    assert alice_hears == pytest.approx(1000, abs=FREQUENCY_TOLERANCE_HZ)
    assert bob_hears == pytest.approx(440, abs=FREQUENCY_TOLERANCE_HZ)
    assert closest_colour_name(await alice.seen_colour("Bob")) == "blue"
    assert closest_colour_name(await bob.seen_colour("Alice")) == "red"
    assert await alice.participants() == ["Bob"]
    for person in (alice, bob):
        assert_page_worked_offline(person)


async def test_two_meetings_side_by_side_are_isolated(
    lab_meeting: MeetingFactory, person_factory: PersonFactory
) -> None:
    busy, quiet = await asyncio.gather(lab_meeting(), lab_meeting())
    alice, bob, carol = await asyncio.gather(
        person_factory("Alice", 440, RED),
        person_factory("Bob", 1000, BLUE),
        person_factory("Carol", 700, GREEN),
    )
    assert busy.janus.http_url != quiet.janus.http_url

    await asyncio.gather(join_all(busy.url, alice, bob), carol.join(quiet.url))
    alice_hears, carol_level = await asyncio.gather(alice.heard_frequency(), carol.heard_level())

    assert alice_hears == pytest.approx(1000, abs=FREQUENCY_TOLERANCE_HZ)
    assert carol_level == pytest.approx(0.0, abs=1e-4)
    assert await carol.participants() == []
    assert await alice.participants() == ["Bob"]
    assert sorted(await busy.janus.participants()) == ["Alice", "Bob"]
    assert await quiet.janus.participants() == ["Carol"]


async def test_leaving_removes_the_participant(
    lab_meeting: MeetingFactory, person_factory: PersonFactory
) -> None:
    meeting = await lab_meeting()
    alice, bob = await asyncio.gather(
        person_factory("Alice", 440, RED), person_factory("Bob", 1000, BLUE)
    )
    await join_all(meeting.url, alice, bob)

    await bob.leave()

    await alice.wait_for_participant_gone("Bob", timeout_s=5)
    assert await alice.participants() == []
    assert await meeting.janus.participants() == ["Alice"]  # no ghost holds Bob's slot
    assert await alice.heard_frequency() is None
