"""pytest fixtures for the meeting lab (registered via `pytest_plugins` in tests/conftest.py).

Factories rather than ready objects: a test says how many meetings and people it
needs, and everything it made is closed at teardown in reverse order (people
leave before their meeting's Janus stops). The session checks at the end that no
lab process survived.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Playwright, async_playwright

from tests.lab.janus_server import DEFAULT_ROOM
from tests.lab.meeting import LabMeeting
from tests.lab.netns import require_lab_namespace
from tests.lab.person import SimulatedPerson
from tests.lab.processes import wait_for_no_leftovers

MeetingFactory = Callable[..., Awaitable[LabMeeting]]
PersonFactory = Callable[..., Awaitable[SimulatedPerson]]


@pytest.fixture(scope="session")
def lab_session() -> Iterator[None]:
    """Refuse to run outside the lab namespace; at the end, fail on leftover processes."""
    require_lab_namespace()
    yield
    leftovers = wait_for_no_leftovers()
    assert not leftovers, "lab processes still running:\n" + "\n".join(leftovers)


@pytest.fixture(scope="session")
def lab_media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tone and colour files, made once per session (cached by frequency/colour)."""
    return tmp_path_factory.mktemp("lab-media")


@pytest.fixture(scope="session")
async def playwright(lab_session: None) -> AsyncIterator[Playwright]:
    """One Playwright driver for the whole session; every person launches its own browser."""
    async with async_playwright() as driver:
        yield driver


@pytest.fixture
async def lab_meeting(lab_session: None) -> AsyncIterator[MeetingFactory]:
    """`await lab_meeting(room=1234)` → a running LabMeeting, closed after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def make(room: int = DEFAULT_ROOM) -> LabMeeting:
            return await stack.enter_async_context(LabMeeting(room))

        yield make


@pytest.fixture
async def person_factory(
    playwright: Playwright, lab_media_dir: Path, lab_meeting: MeetingFactory
) -> AsyncIterator[PersonFactory]:
    """`await person_factory("Alice", 440, (255, 0, 0))` → a started SimulatedPerson.

    Depends on `lab_meeting` only for teardown order: people leave first.
    """
    async with contextlib.AsyncExitStack() as stack:

        async def make(
            name: str, tone_hz: float, rgb: tuple[int, int, int], *, headless: bool = True
        ) -> SimulatedPerson:
            person = SimulatedPerson(
                playwright, name, tone_hz, rgb, lab_media_dir, headless=headless
            )
            return await stack.enter_async_context(person)

        yield make
