"""One simulated vendor meeting: a private Janus plus the demo site that talks to it."""

from __future__ import annotations

import contextlib
from types import TracebackType

from lab.demo_site import LabDemoSite
from lab.janus_server import DEFAULT_ROOM, LabJanus


class LabMeeting:
    """Async context manager; `url` is the join link of room 1234 of its own Janus."""

    def __init__(self, room: int = DEFAULT_ROOM, *, own_transforms: bool = False) -> None:
        """`own_transforms`: the meeting's page puts its own encoded transform on every
        receiver, as vendors with end-to-end encryption do."""
        self.room, self.own_transforms = room, own_transforms
        self._stack: contextlib.AsyncExitStack | None = None
        self._janus: LabJanus | None = None
        self._site: LabDemoSite | None = None

    @property
    def janus(self) -> LabJanus:
        if self._janus is None:
            raise RuntimeError("LabMeeting is not running")
        return self._janus

    @property
    def site(self) -> LabDemoSite:
        if self._site is None:
            raise RuntimeError("LabMeeting is not running")
        return self._site

    @property
    def url(self) -> str:
        return self.site.meeting_url(self.room)

    async def __aenter__(self) -> LabMeeting:
        async with contextlib.AsyncExitStack() as stack:
            janus = await stack.enter_async_context(LabJanus())
            if self.room != DEFAULT_ROOM:
                await janus.create_videoroom(self.room)
            site = await stack.enter_async_context(
                LabDemoSite(janus.http_url, own_transforms=self.own_transforms)
            )
            self._janus, self._site = janus, site
            self._stack = stack.pop_all()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack, self._stack, self._janus, self._site = self._stack, None, None, None
        if stack is not None:
            await stack.aclose()
