"""A worker started the way its pod starts it: installed as the image installs it
(infra/setup.sh, role `worker`, Debian's Python, into a venv of its own), with the
image's entry point, user and environment (infra/docker/worker.Dockerfile), the
Deployment's environment (infra/k8s, the example overlay), and a hostname of its own
(a pod has one: here a UTS namespace). Only what points at the lab is set on top:
Redis, the lab's hosts, the session key. Lab only: `unshare` needs root.

The venv (`make lab-pod-venv`, which `make test` runs first) is kept between runs:
its dependencies take a while the first time; the project itself is installed again
each time, so it is this checkout's code."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import re
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from types import ModuleType

from bridge_worker.settings import WorkerSettings
from meetbridge.process import RunAs, bot_account, supervised

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "infra" / "docker" / "worker.Dockerfile"
IMAGE_VENV = "/opt/meetbridge/venv"
POD_VENV = Path("/var/tmp/meetbridge-lab-pod-venv")  # readable by the bot account
LAB_SETTINGS = (  # what a lab worker needs to reach the lab instead of the internet
    "MEETBRIDGE_REDIS_URL",
    "MEETBRIDGE_LAB_HOSTS",
    "MEETBRIDGE_SESSION_KEY",
    "MEETBRIDGE_WARM_POOL_VENDORS",
    "MEETBRIDGE_IN_LAB_NETNS",
    "MEETBRIDGE_LAB_RUN",
)


def image_entrypoint() -> list[str]:
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", DOCKERFILE.read_text(), re.M)
    assert match, "worker.Dockerfile has no ENTRYPOINT"
    return list(json.loads(match.group(1)))


def image_env() -> dict[str, str]:
    """The image's ENV (its venv on PATH is this checkout's here)."""
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV\s+(.*)$", text, re.M):
        for key, value in re.findall(r"(\w+)=(\S+)", line):
            env[key] = value
    here = str(POD_VENV / "bin")
    return {
        k: v.replace(f"{IMAGE_VENV}/bin", here).replace("$PATH", "/usr/bin:/bin")
        for k, v in env.items()
    }


def k8s_check() -> ModuleType:
    """infra/k8s_check.py (a script, not a package), loaded as a module."""
    spec = importlib.util.spec_from_file_location("k8s_check", ROOT / "infra" / "k8s_check.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def deployment_env() -> dict[str, str]:
    """The worker Deployment's environment: its ConfigMap and its own variables."""
    objects = k8s_check().render("k8s/overlays/example")
    config = next(o for o in objects if o["kind"] == "ConfigMap")
    worker = next(
        o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "worker"
    )
    container = worker["spec"]["template"]["spec"]["containers"][0]
    env = {str(k): str(v) for k, v in config["data"].items()}
    env.update({e["name"]: str(e["value"]) for e in container.get("env", []) if "value" in e})
    return env


def pod_env(lab: Mapping[str, str], home: str) -> dict[str, str]:
    env = image_env() | deployment_env() | {"HOME": home}
    env |= {k: v for k, v in lab.items() if k in LAB_SETTINGS}
    return env


def in_pod(hostname: str, account: RunAs, env: Mapping[str, str], argv: list[str]) -> list[str]:
    """`argv` run as `account` with exactly `env`, in a UTS namespace named `hostname`."""
    return [
        "unshare",
        "--uts",
        "sh",
        "-c",
        'hostname "$0" && exec "$@"',
        hostname,
        *account.command_prefix(env),
        *argv,
    ]


def _account() -> RunAs:
    account = bot_account(WorkerSettings().bot_user)
    assert account is not None, "the lab starts pod workers as root"
    return account


def require_pod_venv() -> None:
    """The venv is made outside the lab's namespace, which reaches no registry."""
    assert (POD_VENV / "bin" / "meetbridge").exists(), (
        f"no {POD_VENV}: `make lab-pod-venv` (which `make test` runs) installs it"
    )


@contextlib.asynccontextmanager
async def pod_worker(hostname: str, lab: Mapping[str, str], log: Path) -> AsyncIterator[None]:
    """The worker pod `hostname`, running until the block exits (then SIGTERM)."""
    account = _account()
    argv = in_pod(hostname, account, pod_env(lab, account.home), image_entrypoint())
    with log.open("ab") as out:
        async with supervised(
            argv, name=hostname, env={"PATH": "/usr/bin:/bin"}, stdout=out, stderr=out, grace_s=45
        ):
            yield


async def pod_drain(hostname: str, lab: Mapping[str, str]) -> int:
    """`meetbridge drain` in the pod `hostname`, as its preStop hook runs it."""
    account = _account()
    env = pod_env(lab, account.home)
    argv = in_pod(hostname, account, env, ["meetbridge", "drain", "--name", "worker"])
    proc = await asyncio.create_subprocess_exec(*argv, env={"PATH": "/usr/bin:/bin"})
    return await proc.wait()
