"""The source material's proof of a mesh, as plain manifests (M32-M34): namespace ``sample`` with
sidecar injection in every member, the ``helloworld`` Service everywhere, ``helloworld-v1`` in
the first member and ``helloworld-v2`` in the second, and ``sleep`` (curl) in every member.

The helloworld image listens on ``[::]:5000`` (P15), so it answers on IPv6 pods too. Images are
pinned; Istio moved them to registry.istio.io in 1.30.
"""

from typing import Any

SAMPLE_NAMESPACE = "sample"
HELLOWORLD_IMAGE = "registry.istio.io/release/examples-helloworld-{version}:1.0"
CURL_IMAGE = "docker.io/curlimages/curl:8.16.0"
HELLOWORLD_PORT = 5000
VERSIONS = ("v1", "v2")


def versions_for(position: int) -> list[str]:
    """Which helloworld versions run in the member at ``position``: v1 in the first, v2 in the second."""
    return [VERSIONS[position]] if position < len(VERSIONS) else []


def sample_namespace() -> dict[str, Any]:
    return {"metadata": {"name": SAMPLE_NAMESPACE, "labels": {"istio-injection": "enabled"}}}  # M32


def helloworld_service() -> dict[str, Any]:
    return {
        "metadata": {"name": "helloworld", "namespace": SAMPLE_NAMESPACE, "labels": {"app": "helloworld", "service": "helloworld"}},
        "spec": {"ports": [{"port": HELLOWORLD_PORT, "name": "http"}], "selector": {"app": "helloworld"}},
    }


def helloworld_deployment(version: str) -> dict[str, Any]:
    container = {
        "name": "helloworld",
        "image": HELLOWORLD_IMAGE.format(version=version),
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"containerPort": HELLOWORLD_PORT}],
        "resources": {"requests": {"cpu": "100m"}},
    }
    return _deployment(f"helloworld-{version}", {"app": "helloworld", "version": version}, {"containers": [container]})


def sleep_service_account() -> dict[str, Any]:
    return {"metadata": {"name": "sleep", "namespace": SAMPLE_NAMESPACE}}


def sleep_service() -> dict[str, Any]:
    return {
        "metadata": {"name": "sleep", "namespace": SAMPLE_NAMESPACE, "labels": {"app": "sleep", "service": "sleep"}},
        "spec": {"ports": [{"port": 80, "name": "http"}], "selector": {"app": "sleep"}},
    }


def sleep_deployment() -> dict[str, Any]:
    container = {
        "name": "sleep",
        "image": CURL_IMAGE,
        "command": ["/bin/sleep", "infinity"],
        "imagePullPolicy": "IfNotPresent",
        "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
    }
    pod = {"serviceAccountName": "sleep", "terminationGracePeriodSeconds": 0, "containers": [container]}
    return _deployment("sleep", {"app": "sleep"}, pod)


def _deployment(name: str, labels: dict[str, str], pod_spec: dict[str, Any]) -> dict[str, Any]:
    """One replica in namespace ``sample``, selected and labelled by ``labels``."""
    return {
        "metadata": {"name": name, "namespace": SAMPLE_NAMESPACE, "labels": labels},
        "spec": {"replicas": 1, "selector": {"matchLabels": labels}, "template": {"metadata": {"labels": labels}, "spec": pod_spec}},
    }
