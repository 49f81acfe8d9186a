"""Guard: lab meetings run only inside the private lab network namespace.

Janus never offers loopback ICE candidates, so outside the namespace WebRTC media
would flow over the machine's real interfaces. `infra/lab/netns-run` creates a
namespace whose only links are `lo` and the dead-end `lab0`; this module checks
that we are really in it before anything starts Janus or Chromium.
"""

from __future__ import annotations

import os
import socket

LAB_ENV_VAR = "MEETBRIDGE_IN_LAB_NETNS"
LAB_INTERFACES = frozenset({"lo", "lab0"})


def network_interfaces() -> frozenset[str]:
    """Names of the network interfaces of *this process's* network namespace.

    Not /sys/class/net: sysfs shows the namespace of whoever mounted it, and
    `unshare --net` does not remount it, so it still lists the host's links.
    if_nameindex() asks the kernel in our own namespace.
    """
    return frozenset(name for _index, name in socket.if_nameindex())


def in_lab_namespace() -> bool:
    """True when netns-run marked us *and* only `lo` and `lab0` exist.

    The variable alone is not trusted: it is inherited by anything we start, also
    by a process that somehow ended up in the host namespace.
    """
    return os.environ.get(LAB_ENV_VAR) == "1" and network_interfaces() == LAB_INTERFACES


class NotInLabNamespaceError(RuntimeError):
    """Raised when lab code would run where media could reach real interfaces."""


def require_lab_namespace() -> None:
    """Raise NotInLabNamespaceError unless we run inside the lab namespace."""
    if in_lab_namespace():
        return
    raise NotInLabNamespaceError(
        "the meeting lab must run inside its private network namespace "
        f"(found interfaces {sorted(network_interfaces())}, "
        f"{LAB_ENV_VAR}={os.environ.get(LAB_ENV_VAR)!r}); run it via "
        "`infra/lab/netns-run .venv/bin/python -m pytest ...` or `make test`"
    )
