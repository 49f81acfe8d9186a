"""`make k8s-check`: the Kubernetes manifests and container images, checked offline.

- every kustomize tree under infra/k8s renders (`kubectl kustomize`);
- every object validates against the Kubernetes schemas (kubernetes-validate, strict:
  an unknown field is an error); KEDA's ScaledObject, whose schema does not ship, is
  checked for what the deployment relies on (it scales the worker Deployment);
- every pod keeps to the policy: non-root, no privilege escalation, all capabilities
  dropped, a read-only root filesystem, a seccomp profile chosen, no host namespaces
  or host paths, no service account token, resources requested;
- the Dockerfiles lint clean (hadolint).

tests/infra/test_k8s.py checks the properties themselves on the rendered objects.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent
TREES = (
    "k8s/base",
    "k8s/overlays/example",
    "k8s/overlays/v4l2loopback",
    "k8s/overlays/turn",
)
DOCKERFILES = sorted((ROOT / "docker").glob("*.Dockerfile"))
KUBERNETES_VERSION = "1.37.0"
WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}
Obj = dict[str, Any]


def _tool(name: str) -> str:
    """A tool from this interpreter's venv (setup installs them there), else PATH."""
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"k8s-check: {name} not found (make setup installs it)")
    return found


def render(tree: str) -> list[Obj]:
    """The objects `tree` (relative to infra/) renders to."""
    out = subprocess.run(  # noqa: S603 - our own tool, our own tree
        [_tool("kubectl"), "kustomize", str(ROOT / tree)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [obj for obj in yaml.safe_load_all(out) if obj]


def name_of(obj: Obj) -> str:
    return f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"


def schema_errors(objects: list[Obj]) -> list[str]:
    errors = []
    for obj in objects:
        if obj.get("kind") == "ScaledObject":
            errors += scaled_object_errors(obj, objects)
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{name_of(obj)}: {exc.message} at {list(exc.path)}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{name_of(obj)}: no schema for {obj.get('apiVersion')}")
    return errors


def scaled_object_errors(obj: Obj, objects: list[Obj]) -> list[str]:
    spec = obj.get("spec", {})
    target = spec.get("scaleTargetRef", {}).get("name")
    deployments = {o["metadata"]["name"] for o in objects if o.get("kind") == "Deployment"}
    errors = []
    if target not in deployments:
        errors.append(f"{name_of(obj)}: scales {target!r}, which is no Deployment here")
    if not spec.get("triggers"):
        errors.append(f"{name_of(obj)}: no triggers")
    return errors


def pod_spec(obj: Obj) -> Obj | None:
    if obj.get("kind") not in WORKLOADS:
        return None
    spec: Obj = obj["spec"]["template"]["spec"]
    return spec


def containers(spec: Obj) -> Iterator[Obj]:
    yield from spec.get("initContainers", [])
    yield from spec.get("containers", [])


def policy_errors(objects: list[Obj], *, tagged_images: bool = True) -> list[str]:
    """Where `objects`' pods break the policy. The base names its images without a tag
    (`tagged_images=False`): an overlay sets them."""
    errors = []
    for obj in objects:
        spec = pod_spec(obj)
        if spec is None:
            continue
        where = name_of(obj)
        pod = spec.get("securityContext", {})
        if spec.get("automountServiceAccountToken") is not False:
            errors.append(f"{where}: mounts a service account token")
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(host):
                errors.append(f"{where}: {host}")
        for volume in spec.get("volumes", []):
            if "hostPath" in volume:
                errors.append(f"{where}: hostPath volume {volume.get('name')}")
        if not pod.get("seccompProfile", {}).get("type"):
            errors.append(f"{where}: no seccomp profile chosen")
        for container in containers(spec):
            here = f"{where}/{container['name']}"
            context = container.get("securityContext", {})
            if not (context.get("runAsNonRoot", pod.get("runAsNonRoot"))):
                errors.append(f"{here}: may run as root")
            if context.get("allowPrivilegeEscalation") is not False:
                errors.append(f"{here}: privilege escalation allowed")
            if context.get("privileged"):
                errors.append(f"{here}: privileged")
            capabilities = context.get("capabilities", {})
            if "ALL" not in capabilities.get("drop", []) or capabilities.get("add"):
                errors.append(f"{here}: capabilities not all dropped")
            if context.get("readOnlyRootFilesystem") is not True:
                errors.append(f"{here}: writable root filesystem")
            requests = container.get("resources", {}).get("requests", {})
            if not {"cpu", "memory"} <= set(requests):
                errors.append(f"{here}: no cpu and memory requests")
            if "memory" not in container.get("resources", {}).get("limits", {}):
                errors.append(f"{here}: no memory limit")
            image = str(container.get("image", ""))
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if tag == "latest" or (tagged_images and not tag and "@" not in image):
                errors.append(f"{here}: image {image!r} has no fixed tag")
    return errors


def dockerfile_errors() -> list[str]:
    result = subprocess.run(  # noqa: S603 - our own tool, our own files
        [_tool("hadolint"), *map(str, DOCKERFILES)], capture_output=True, text=True
    )
    return [line for line in result.stdout.splitlines() if line.strip()]


def main() -> int:
    problems = []
    for tree in TREES:
        objects = render(tree)
        found = schema_errors(objects) + policy_errors(objects, tagged_images=tree != TREES[0])
        problems += [f"{tree}: {p}" for p in found]
        print(f"k8s-check: {tree}: {len(objects)} objects, {len(found)} problems")
    linted = dockerfile_errors()
    problems += linted
    print(f"k8s-check: {len(DOCKERFILES)} Dockerfiles, {len(linted)} problems")
    for problem in problems:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
