"""A scene for room tests: a room Janus, the stack, and per person a lab meeting, the
person in it, and a bot sent there over the API (all stopped at the end)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from playwright.async_api import Playwright

from lab.api_client import wait_for_state
from lab.janus_server import LabJanus
from lab.media import tone_strength
from lab.meeting import LabMeeting
from lab.person import SimulatedPerson
from lab.stack import Stack, running_stack
from meetbridge.lifecycle import BotState

Colour = tuple[int, int, int]
SMALL_VIDEO = (160, 90, 10)  # width, height, fps


@dataclass
class Scene:
    services: Stack
    api: httpx.AsyncClient
    people: dict[str, SimulatedPerson]
    bots: dict[str, str]  # person's name -> the id of the bot in their meeting
    listeners: dict[str, SimulatedPerson] = field(default_factory=dict)  # by person's name
    room_id: str | None = None
    meetings: dict[str, str] = field(default_factory=dict)  # person's name -> meeting URL


async def eventually(check: Callable[[], Awaitable[bool]], timeout_s: float = 30) -> None:
    """Poll `check` until it holds (media takes a moment to cross)."""
    async with asyncio.timeout(timeout_s):
        while not await check():
            await asyncio.sleep(0.3)


TONE_PRESENT = 0.1  # a tone within 20 dB of the loudest one is heard


async def hears(person: SimulatedPerson, freq: float, seconds: float = 1.0) -> bool:
    """Whether `person` hears a tone of `freq` among what reaches them (a room mixes)."""
    heard = await person.heard(seconds)
    return tone_strength(heard.samples, heard.rate, freq) > TONE_PRESENT


@contextlib.asynccontextmanager
async def room_scene(
    folder: Path,
    playwright: Playwright,
    media_dir: Path,
    people: Mapping[str, tuple[float, Colour]],
    *,
    workers: int = 1,
    env: Mapping[str, str] | None = None,
    pulse: Mapping[str, tuple[float, float]] | None = None,
    listener_tones: Mapping[str, float] | None = None,
) -> AsyncIterator[Scene]:
    """Bots named `to<person>` reach `in_meeting` one after the other (so with one
    slot per worker, each lands on its own worker).

    `pulse`: these people (or listeners, by their own name) send bursts and flashes
    (see SimulatedPerson).
    `listener_tones`: a second person, `<person>ear`, in that person's meeting, with a
    steady tone and a small black picture (someone to time what the meeting's own
    people hear). Those, and people who do not pulse, send small pictures only when
    `pulse` is given: a latency scene must not starve the machine."""
    async with contextlib.AsyncExitStack() as stack:
        services, api = await stack.enter_async_context(
            room_stack(folder, workers=workers, env=env)
        )
        scene = Scene(services, api, {}, {})
        for name, (tone_hz, colour) in people.items():
            meeting = await stack.enter_async_context(LabMeeting())
            person = await stack.enter_async_context(
                SimulatedPerson(
                    playwright,
                    name,
                    tone_hz,
                    colour,
                    media_dir,
                    pulse=(pulse or {}).get(name),
                    video_size=SMALL_VIDEO if pulse else (640, 360, 15),
                )
            )
            await person.join(meeting.url)
            scene.people[name] = person
            scene.meetings[name] = meeting.url
            if name in (listener_tones or {}):
                assert listener_tones is not None
                listener = await stack.enter_async_context(
                    SimulatedPerson(
                        playwright,
                        f"{name}ear",
                        listener_tones[name],
                        (0, 0, 0),
                        media_dir,
                        video_size=SMALL_VIDEO,
                        pulse=(pulse or {}).get(f"{name}ear"),
                    )
                )
                await listener.join(meeting.url)
                scene.listeners[name] = listener
        stack.push_async_callback(end_bots, api, scene.bots)
        await send_bots(api, scene.meetings, scene.bots)
        yield scene


@contextlib.asynccontextmanager
async def room_stack(
    folder: Path, *, workers: int = 1, env: Mapping[str, str] | None = None
) -> AsyncIterator[tuple[Stack, httpx.AsyncClient]]:
    """A room Janus, the stack's API and `workers` workers using it, and an API client
    with a fresh key (all stopped at the end)."""
    async with contextlib.AsyncExitStack() as stack:
        room_janus = await stack.enter_async_context(LabJanus(vendor=False))
        services = await stack.enter_async_context(running_stack(folder, workers=0))
        services.env |= {"MEETBRIDGE_ROOM_JANUS_URL": room_janus.http_url, **(env or {})}
        await services.start("api")
        for n in range(workers):
            await services.start(f"worker{n}")
        api = await stack.enter_async_context(services.client(await services.new_key()))
        yield services, api


async def people_in_meetings(
    stack: contextlib.AsyncExitStack,
    playwright: Playwright,
    media_dir: Path,
    tones: Mapping[str, float],
    *,
    own_transforms: frozenset[str] = frozenset(),
) -> tuple[dict[str, SimulatedPerson], dict[str, str]]:
    """A lab meeting per person, with the person (their tone, a red picture) in it,
    closed with `stack`: the people, and each one's meeting URL. Meetings of the people
    in `own_transforms` put their own encoded transforms on (as E2EE vendors do)."""
    people: dict[str, SimulatedPerson] = {}
    links: dict[str, str] = {}
    for name, tone in tones.items():
        meeting = await stack.enter_async_context(LabMeeting(own_transforms=name in own_transforms))
        people[name] = await stack.enter_async_context(
            SimulatedPerson(playwright, name, tone, (200, 0, 0), media_dir)
        )
        await people[name].join(meeting.url)
        links[name] = meeting.url
    return people, links


async def send_bots(
    api: httpx.AsyncClient, meetings: Mapping[str, str], bots: dict[str, str]
) -> None:
    """A bot `to<person>` into each person's meeting (`meetings`: name -> URL), one after
    the other; their ids go into `bots` by the person's name as each is created."""
    for name, meeting_url in meetings.items():
        created = await api.post(
            "/v1/bots", json={"meeting_url": meeting_url, "display_name": f"to{name}"}
        )
        bots[name] = created.json()["id"]
        await wait_for_state(api, bots[name], BotState.IN_MEETING, timeout_s=90)


async def end_bots(api: httpx.AsyncClient, bots: Mapping[str, str]) -> None:
    """DELETE every bot and wait until each has ended (or failed)."""
    for bot_id in bots.values():
        await api.delete(f"/v1/bots/{bot_id}")
    for bot_id in bots.values():
        await wait_for_state(api, bot_id, BotState.ENDED, BotState.FAILED)
