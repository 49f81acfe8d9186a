"""The bot's ears and mouth: a PulseAudio daemon of its own with a speaker and a microphone.

Why one daemon per bot rather than one per host with per-bot sinks: a bot's browser
runs as the unprivileged bot account, and a daemon must run as the account of its
clients (a root daemon's socket is out of their reach). A daemon per bot also makes
isolation structural (a bot can only name its own devices), a crashed daemon takes
one bot down instead of a host, and it matches one-bot-per-pod deployments. It costs
little memory and CPU per bot (bench.join_time; docs/figures.md).

Devices, created through pulsectl:
- speaker: null sink `meeting_out`; the browser plays the meeting into it and its
  monitor `meeting_out.monitor` is what the bot hears;
- microphone: null sink `mic_in` + remapped source `bot_mic`; what is played into
  `mic_in` is what the bot says.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pulsectl
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_fixed

from bridge_worker.devices.runtime_dir import private_dir
from meetbridge.process import RunAs, supervised

SPEAKER_SINK = "meeting_out"
MIC_SINK = "mic_in"
MIC_SOURCE = "bot_mic"
SAMPLE_RATE = 48000


class AudioError(RuntimeError):
    """The bot's PulseAudio daemon or its devices could not be set up."""


@dataclass(frozen=True)
class BotAudio:
    """Addresses of one bot's audio devices, for the browser and for capture."""

    server: str  # "unix:/…/native"
    daemon_pid: int
    speaker_sink: str = SPEAKER_SINK
    speaker_monitor: str = f"{SPEAKER_SINK}.monitor"
    mic_sink: str = MIC_SINK
    mic_source: str = MIC_SOURCE

    def client_env(self) -> dict[str, str]:
        return {
            "PULSE_SERVER": self.server,
            "PULSE_SINK": self.speaker_sink,
            "PULSE_SOURCE": self.mic_source,
        }


def _boot_script(socket: Path) -> str:
    # Only the native protocol: no suspend-on-idle, no role-cork, no hardware probing.
    # The socket's folder is 0700 and owned by the bot account, so anonymous auth
    # admits only that account and root.
    return f"load-module module-native-protocol-unix socket={socket} auth-anonymous=1\n"


def _create_devices(server: str) -> list[int]:
    """Load the bot's sinks and sources; returns module indexes, in load order."""
    with pulsectl.Pulse("meetbridge-audio-setup", server=server) as pulse:
        modules = [
            pulse.module_load(
                "module-null-sink",
                f"sink_name={SPEAKER_SINK} rate={SAMPLE_RATE} "
                "sink_properties=device.description=meeting_speaker",
            ),
            pulse.module_load(
                "module-null-sink",
                f"sink_name={MIC_SINK} rate={SAMPLE_RATE} "
                "sink_properties=device.description=microphone_feed",
            ),
            pulse.module_load(
                "module-remap-source",
                f"master={MIC_SINK}.monitor source_name={MIC_SOURCE} rate={SAMPLE_RATE} "
                "source_properties=device.description=meetbridge_microphone",
            ),
        ]
        pulse.sink_default_set(SPEAKER_SINK)
        pulse.source_default_set(MIC_SOURCE)
        return modules


def _unload_devices(server: str, modules: list[int]) -> None:
    with pulsectl.Pulse("meetbridge-audio-teardown", server=server) as pulse:
        for index in reversed(modules):
            with contextlib.suppress(pulsectl.PulseError):
                pulse.module_unload(index)


async def _wait_until_ready(
    server: str, proc: asyncio.subprocess.Process, timeout_s: float
) -> None:
    def probe() -> None:
        if proc.returncode is not None:
            raise AudioError(f"pulseaudio exited with {proc.returncode}")
        with pulsectl.Pulse("meetbridge-audio-probe", server=server, connect=True):
            pass

    async for attempt in AsyncRetrying(
        stop=stop_after_delay(timeout_s),
        wait=wait_fixed(0.05),
        retry=retry_if_exception_type(pulsectl.PulseError),
        reraise=True,
    ):
        with attempt:
            await asyncio.to_thread(probe)


@contextlib.asynccontextmanager
async def bot_audio(
    *, runtime_base: Path, run_as: RunAs | None = None, start_timeout_s: float = 10.0
) -> AsyncIterator[BotAudio]:
    """Start the bot's daemon and devices; unload and stop them on exit."""
    with private_dir(runtime_base, "mb-audio-", run_as) as folder:
        socket = folder / "native"
        script = folder / "boot.pa"
        script.write_text(_boot_script(socket))
        # The daemon's default rate is what clients (Chromium) open devices at: 48 kHz
        # like the devices and Opus, so nothing is resampled on the way in or out.
        config = folder / "daemon.conf"
        config.write_text(f"default-sample-rate = {SAMPLE_RATE}\n")
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(folder),
            "PULSE_RUNTIME_PATH": str(folder),
            "PULSE_STATE_PATH": str(folder),
            "XDG_RUNTIME_DIR": str(folder),
            "PULSE_CONFIG": str(config),
        }
        argv = [
            "pulseaudio",
            "-n",
            "-F",
            str(script),
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--system=false",
            "--use-pid-file=false",
            "--disallow-module-loading=false",
            f"--log-target=file:{folder / 'daemon.log'}",
        ]
        async with supervised(argv, name="pulseaudio", env=env, run_as=run_as) as proc:
            server = f"unix:{socket}"
            try:
                await _wait_until_ready(server, proc, start_timeout_s)
                modules = await asyncio.to_thread(_create_devices, server)
            except (pulsectl.PulseError, AudioError) as exc:
                daemon_log = folder / "daemon.log"
                log_tail = (
                    daemon_log.read_text(errors="replace")[-2000:] if daemon_log.exists() else ""
                )
                raise AudioError(f"audio devices failed: {exc}; daemon log: {log_tail}") from exc
            try:
                yield BotAudio(server=server, daemon_pid=proc.pid)
            finally:
                with contextlib.suppress(pulsectl.PulseError):
                    await asyncio.to_thread(_unload_devices, server, modules)
