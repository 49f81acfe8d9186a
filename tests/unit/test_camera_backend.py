from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bridge_worker.devices.camera import (
    CameraError,
    find_loopback_devices,
    open_camera,
    resolve_backend,
    solid_frame,
)
from bridge_worker.devices.camera_injected import InjectedCamera, encode_jpeg

pytestmark = pytest.mark.unit


def _fake_sysfs(root: Path, devices: dict[str, str]) -> Path:
    for node, name in devices.items():
        (root / node).mkdir(parents=True)
        (root / node / "name").write_text(name + "\n")
    return root


def test_auto_picks_the_kernel_device_when_a_loopback_exists() -> None:
    assert resolve_backend("auto", [Path("/dev/video4")]) == "v4l2loopback"


def test_auto_falls_back_to_the_injected_camera() -> None:
    assert resolve_backend("auto", []) == "injected"


def test_injected_can_be_forced_even_with_a_loopback_device() -> None:
    assert resolve_backend("injected", [Path("/dev/video4")]) == "injected"


def test_forcing_v4l2loopback_without_a_device_says_what_to_do() -> None:
    with pytest.raises(CameraError, match="MEETBRIDGE_CAMERA_BACKEND=injected"):
        resolve_backend("v4l2loopback", [])


def test_only_loopback_nodes_count_as_virtual_cameras(tmp_path: Path) -> None:
    sysfs = _fake_sysfs(
        tmp_path,
        {
            "video0": "Integrated Webcam",
            "video4": "Dummy video device (0x0000)",
            "video5": "v4l2loopback meetbridge",
        },
    )
    assert find_loopback_devices(sysfs) == [Path("/dev/video5")]
    assert find_loopback_devices(tmp_path / "absent") == []


def test_this_host_has_no_loopback_so_auto_gives_the_injected_camera() -> None:
    # These machines cannot load kernel modules (see LAB.md); the fallback must win.
    camera = open_camera("auto", width=320, height=180, fps=15)
    assert camera.backend == "injected"


def test_jpeg_frames_keep_their_colour() -> None:
    frame = solid_frame((200, 30, 40), 64, 36)
    decoded = np.asarray(Image.open(__import__("io").BytesIO(encode_jpeg(frame))))
    assert decoded.shape == (36, 64, 3)
    assert np.abs(decoded.astype(int) - (200, 30, 40)).max() < 8


def test_init_script_carries_the_camera_settings() -> None:
    script = InjectedCamera(width=320, height=180, fps=12).init_script()
    assert '"width": 320' in script and '"fps": 12' in script
    assert "__MEETBRIDGE_CAMERA_CONFIG__" not in script
