"""WebSample: the production case's pattern end to end - a small NGINX app behind an ALB.

A namespace, an NGINX Deployment (its image listens on ``[::]:80`` as well as ``0.0.0.0:80``,
so IPv6 pods are reachable, P15/R8.1), a ClusterIP Service, and an Ingress the cluster's
LbController turns into an ALB with IP targets - dual-stack on IPv6 clusters, so IPv4 and IPv6
clients reach the IPv6 pods (R4.3, R4.4). It proves a cluster serves beyond itself; it is a
sample, on in ``dev`` and off in ``prod``.
"""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .errors import ArgumentError, raise_if_any
from .lb_spec import SCHEMES

TYPE_TOKEN = "ipv6-eks:index:WebSample"
NGINX_IMAGE = "public.ecr.aws/nginx/nginx:1.28.0-alpine"  # ECR Public mirror of the official image, pinned
NAMESPACE = "web-sample"
APP = "nginx"


class WebSampleArgs(TypedDict):
    """Arguments of ``WebSample``."""

    load_balancer_controller: pulumi.Resource
    """The cluster's ``LbController``: it makes the ALB, and the sample waits for it."""
    scheme: NotRequired[str]
    """``internet-facing`` (default) or ``internal``."""
    replicas: NotRequired[int]
    """NGINX replicas (default 2)."""


class WebSample(pulumi.ComponentResource):
    """An NGINX app behind a dual-stack ALB with IP targets."""

    namespace: pulumi.Output[str]
    """The sample's namespace."""

    def __init__(self, name: str, args: WebSampleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        scheme = args.get("scheme", "internet-facing")
        replicas = args.get("replicas", 2)
        errors = []
        if scheme not in SCHEMES:
            errors.append(ArgumentError(("scheme",), f"{scheme!r}", f"allowed: {', '.join(SCHEMES)}"))
        if not isinstance(replicas, int) or isinstance(replicas, bool) or not 1 <= replicas <= 20:
            errors.append(ArgumentError(("replicas",), f"{replicas!r}", "allowed: 1..20"))
        raise_if_any(errors)
        super().__init__(TYPE_TOKEN, name, None, opts)
        controller = args["load_balancer_controller"]
        provider = pulumi.ResourceOptions(parent=self, provider=controller.kubernetes_provider, depends_on=[controller.release])
        labels = {"app": APP}
        namespace = k8s.core.v1.Namespace(f"{name}-namespace", metadata={"name": NAMESPACE}, opts=provider)
        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata={"name": APP, "namespace": namespace.metadata["name"], "labels": labels},
            spec={
                "replicas": replicas,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {
                        "containers": [
                            {
                                "name": APP,
                                "image": NGINX_IMAGE,
                                "ports": [{"name": "http", "containerPort": 80}],
                                "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
                                "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
                            }
                        ],
                        "topologySpreadConstraints": [
                            {
                                "maxSkew": 1,
                                "topologyKey": "topology.kubernetes.io/zone",
                                "whenUnsatisfiable": "ScheduleAnyway",
                                "labelSelector": {"matchLabels": labels},
                            }
                        ],
                    },
                },
            },
            opts=provider,
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata={"name": APP, "namespace": namespace.metadata["name"], "labels": labels},
            spec={"type": "ClusterIP", "selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
            opts=provider,
        )
        controller.ingress(
            f"{name}-ingress",
            namespace.metadata["name"],
            service.metadata["name"],
            80,
            scheme=scheme,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[service]),
        )
        self.namespace = namespace.metadata["name"]
        self.register_outputs({"namespace": self.namespace})
