"""The Kubernetes manifests and images, rendered and checked offline (no cluster here):
the properties a cluster relies on, asserted on the objects themselves."""

from __future__ import annotations

import copy
import ipaddress
import json
import re
from pathlib import Path
from typing import Any

import pytest

from bridge_worker.settings import WorkerSettings
from lab.pod_worker import k8s_check

pytestmark = pytest.mark.unit
INFRA = Path(__file__).resolve().parents[2] / "infra"
METADATA = ipaddress.ip_address("169.254.169.254")


check = k8s_check()


@pytest.fixture(scope="module")
def example() -> list[dict[str, Any]]:
    return list(check.render("k8s/overlays/example"))


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("tree", check.TREES)
def test_every_tree_renders_validates_and_keeps_the_pod_policy(tree: str) -> None:
    objects = check.render(tree)
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {
        "meetbridge"
    }
    assert check.schema_errors(objects) == []
    assert check.policy_errors(objects, tagged_images=tree != check.TREES[0]) == []


def test_the_checks_fail_on_what_they_guard(example: list[dict[str, Any]]) -> None:
    worker = copy.deepcopy(_one(example, "Deployment", "worker"))
    container = worker["spec"]["template"]["spec"]["containers"][0]
    container["securityContext"].update(privileged=True, allowPrivilegeEscalation=True)
    container["image"] = "meetbridge-worker"
    problems = check.policy_errors([worker])
    assert any("privileged" in p for p in problems)
    assert any("privilege escalation" in p for p in problems)
    assert any("no fixed tag" in p for p in problems)
    worker["spec"]["replica"] = 2  # a typo of replicas: strict validation refuses it
    assert check.schema_errors([worker])


def test_the_worker_pod_runs_chromium_unprivileged_and_drains_in_time(
    example: list[dict[str, Any]],
) -> None:
    spec = _one(example, "Deployment", "worker")["spec"]["template"]["spec"]
    image_uid = re.search(
        r"MEETBRIDGE_BOT_UID=(\d+)", (INFRA / "docker" / "worker.Dockerfile").read_text()
    )
    assert image_uid is not None
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["runAsUser"] == int(image_uid.group(1))  # the bot account
    (container,) = spec["containers"]
    context = container["securityContext"]
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert context["readOnlyRootFilesystem"] is True
    shm = {m["name"] for m in container["volumeMounts"] if m["mountPath"] == "/dev/shm"}
    (volume,) = [v for v in spec["volumes"] if v["name"] in shm]
    assert volume["emptyDir"]["medium"] == "Memory"
    # Scale-in: preStop drains (no new jobs; the bots stay until they end, up to their
    # longest stay), then SIGTERM makes any left leave (leave_timeout_s, all at once).
    settings = WorkerSettings()
    drain = container["lifecycle"]["preStop"]["exec"]["command"]
    assert drain[:2] == ["meetbridge", "drain"]
    wait_s = float(drain[drain.index("--wait") + 1])
    assert wait_s >= settings.max_duration_s
    assert spec["terminationGracePeriodSeconds"] > wait_s + settings.leave_timeout_s + 30
    assert "--no-sandbox" not in str(container)


def _egress_blocks(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        peer["ipBlock"]
        for rule in policy["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if "ipBlock" in peer
    ]


def _reaches(block: dict[str, Any], address: ipaddress.IPv4Address) -> bool:
    inside = address in ipaddress.ip_network(block["cidr"])
    excepted = any(address in ipaddress.ip_network(e) for e in block.get("except", []))
    return inside and not excepted


def test_no_pod_may_reach_the_cloud_metadata_address(example: list[dict[str, Any]]) -> None:
    policies = [o for o in example if o["kind"] == "NetworkPolicy"]
    worker = _one(example, "NetworkPolicy", "worker")
    assert _egress_blocks(worker)  # the worker does reach the internet (the vendors)
    for policy in policies:
        assert not any(_reaches(b, METADATA) for b in _egress_blocks(policy)), policy
    deny = _one(example, "NetworkPolicy", "default-deny")
    assert deny["spec"]["podSelector"] == {} and set(deny["spec"]["policyTypes"]) == {
        "Ingress",
        "Egress",
    }


def test_the_api_is_the_only_way_in(example: list[dict[str, Any]]) -> None:
    open_to_all = [
        o["metadata"]["name"]
        for o in example
        if o["kind"] == "NetworkPolicy"
        for rule in o["spec"].get("ingress", [])
        if "from" not in rule
    ]
    assert open_to_all == ["orchestrator"]
    api = _one(example, "Deployment", "orchestrator")
    assert api["spec"]["replicas"] >= 2
    (container,) = api["spec"]["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"


def test_the_workers_scale_on_the_bots_queue(example: list[dict[str, Any]]) -> None:
    from bridge_worker.celery_app import app

    scaled = _one(example, "ScaledObject", "worker")["spec"]
    assert scaled["scaleTargetRef"]["name"] == "worker"
    (trigger,) = scaled["triggers"]
    assert trigger["type"] == "redis"
    assert trigger["metadata"]["listName"] == app.conf.task_default_queue
    redis_host = trigger["metadata"]["address"].split(".")[0]
    assert _one(example, "Service", redis_host)["spec"]["ports"][0]["port"] == 6379
    redis = _one(example, "StatefulSet", "redis")["spec"]["template"]["spec"]["containers"][0]
    assert "--appendonly" in redis["args"] and redis["args"][1] == "yes"


def test_the_dockerfiles_lint_clean() -> None:
    assert check.DOCKERFILES and check.dockerfile_errors() == []


def test_the_turn_overlay_relays_browsers_to_janus_and_nowhere_private() -> None:
    objects = check.render("k8s/overlays/turn")
    (coturn,) = _one(objects, "Deployment", "coturn")["spec"]["template"]["spec"]["containers"]
    args = dict(a.removeprefix("--").partition("=")[::2] for a in coturn["args"])
    low, high = args["denied-peer-ip"].split("-")
    assert ipaddress.ip_address(low) <= METADATA <= ipaddress.ip_address(high)
    relay = range(int(args["min-port"]), int(args["max-port"]) + 1)
    service = _one(objects, "Service", "coturn")["spec"]
    exposed = {p["port"] for p in service["ports"] if p["protocol"] == "UDP"}
    assert set(relay) | {3478} == exposed
    config = next(o for o in objects if o["kind"] == "ConfigMap")["data"]
    servers = json.loads(config["MEETBRIDGE_JOIN_ICE_SERVERS"])
    assert all(url.startswith("turn:") for s in servers for url in s["urls"])
