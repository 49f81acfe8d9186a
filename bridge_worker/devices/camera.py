"""The bot's camera: one interface, two backends.

- `v4l2loopback`: a kernel loopback device (/dev/videoN) fed through pyvirtualcam;
  Chromium sees an ordinary camera. Needs the kernel module, which many hosts
  (these CI machines among them) cannot load.
- `injected`: the page's getUserMedia answers video with a canvas track that the
  worker feeds frame by frame (JPEG over an in-process routed WebSocket). Works
  anywhere, at the cost of running inside the vendor's page.

The worker owns the frames in both cases: `send(frame)` takes an RGB array.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from bridge_worker.settings import CameraBackendName

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext

ResolvedBackend = Literal["v4l2loopback", "injected"]
VIDEO4LINUX_SYSFS = Path("/sys/class/video4linux")


class CameraError(RuntimeError):
    """The camera backend asked for is not available here."""


class VirtualCamera(Protocol):
    """What a bot needs of a camera, whichever backend is behind it."""

    @property
    def backend(self) -> ResolvedBackend: ...

    width: int
    height: int
    fps: int
    repeats_last_frame: bool  # True: send only pictures that changed

    def browser_args(self) -> list[str]:
        """Extra Chromium flags this backend needs."""
        ...

    async def attach(self, context: BrowserContext) -> None:
        """Hook the camera into a browser context before any page loads."""
        ...

    async def send(self, frame: np.ndarray) -> None:
        """Show one RGB frame (height x width x 3, uint8)."""
        ...

    async def aclose(self) -> None: ...


def find_loopback_devices(sysfs: Path = VIDEO4LINUX_SYSFS) -> list[Path]:
    """/dev/videoN nodes whose driver is v4l2loopback."""
    found = []
    for entry in sorted(sysfs.glob("video*")) if sysfs.is_dir() else []:
        name = (entry / "name").read_text(errors="replace").strip().lower()
        driver = entry / "device" / "driver"
        driver_name = driver.resolve().name if driver.exists() else ""
        if "loopback" in name or driver_name == "v4l2loopback":
            found.append(Path("/dev") / entry.name)
    return found


def resolve_backend(wanted: CameraBackendName, loopback_devices: list[Path]) -> ResolvedBackend:
    """`auto` takes the kernel device when one exists, else the injected camera."""
    if wanted == "injected":
        return "injected"
    if wanted == "v4l2loopback":
        if not loopback_devices:
            raise CameraError(
                "camera backend v4l2loopback was requested but no v4l2loopback device "
                "exists (load the kernel module, or use MEETBRIDGE_CAMERA_BACKEND=injected)"
            )
        return "v4l2loopback"
    return "v4l2loopback" if loopback_devices else "injected"


def open_camera(wanted: CameraBackendName, *, width: int, height: int, fps: int) -> VirtualCamera:
    """Build the camera for this host; call `aclose()` when done."""
    devices = find_loopback_devices()
    backend = resolve_backend(wanted, devices)
    if backend == "v4l2loopback":
        from bridge_worker.devices.camera_v4l2 import LoopbackCamera

        return LoopbackCamera(devices[0], width=width, height=height, fps=fps)
    from bridge_worker.devices.camera_injected import InjectedCamera

    return InjectedCamera(width=width, height=height, fps=fps)


def solid_frame(rgb: tuple[int, int, int], width: int, height: int) -> np.ndarray:
    frame = np.empty((height, width, 3), dtype=np.uint8)
    frame[:] = rgb
    return frame
