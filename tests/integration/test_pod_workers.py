"""One room across two workers started exactly as their pods start them (the image's
entry point, user and environment, the Deployment's settings, a hostname each): the
room meets in Janus, and two people in two lab meetings hear each other."""

from __future__ import annotations

import contextlib
from pathlib import Path

import psutil
import pytest
from playwright.async_api import Playwright

from bridge_worker.settings import WorkerSettings
from lab.pod_worker import pod_drain, pod_worker, require_pod_venv
from lab.room_scene import (
    end_bots,
    eventually,
    hears,
    people_in_meetings,
    room_stack,
    send_bots,
)
from meetbridge.process import bot_account

pytestmark = [pytest.mark.integration, pytest.mark.e2e]


async def test_one_room_across_two_pod_workers_on_the_janus_path(
    tmp_path: Path, playwright: Playwright, lab_media_dir: Path
) -> None:
    require_pod_venv()
    async with contextlib.AsyncExitStack() as stack:
        services, api = await stack.enter_async_context(room_stack(tmp_path, workers=0))
        people, links = await people_in_meetings(
            stack, playwright, lab_media_dir, {"ann": 440.0, "bob": 1000.0}
        )
        bots: dict[str, str] = {}
        stack.push_async_callback(end_bots, api, bots)
        await stack.enter_async_context(pod_worker("pod-a", services.env, tmp_path / "a.log"))
        await send_bots(api, {"ann": links["ann"]}, bots)
        assert await pod_drain("pod-a", services.env) == 0  # its next job goes elsewhere
        await stack.enter_async_context(pod_worker("pod-b", services.env, tmp_path / "b.log"))
        await send_bots(api, {"bob": links["bob"]}, bots)
        room = (await api.post("/v1/rooms", json={"bots": list(bots.values())})).json()

        await eventually(lambda: hears(people["bob"], 440.0), 60)
        await eventually(lambda: hears(people["ann"], 1000.0), 60)
        members = (await api.get(f"/v1/rooms/{room['id']}")).json()["members"]
        assert [(m["media"] or {}).get("path") for m in members] == ["janus", "janus"]

        # The bots' browsers run as the image's user, their sandbox on.
        account = bot_account(WorkerSettings().bot_user)
        assert account is not None
        browsers = [
            p
            for p in psutil.process_iter(["name", "cmdline", "uids"])
            if p.info["name"] == "chromium" and any("/mb-bot-" in a for a in p.info["cmdline"])
        ]
        assert browsers
        for browser in browsers:
            assert browser.info["uids"].real == account.uid
            assert "--no-sandbox" not in browser.info["cmdline"]
