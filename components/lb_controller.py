"""LbController: the AWS Load Balancer Controller in one cluster, ready for dual-stack load balancers.

What it builds, in order:

1. the controller's IAM policy - its published policy for the pinned version, as data (R4.10) -
   and a role its service account assumes through the cluster's OIDC provider (IRSA, R7.9);
2. TCP 9443 on the nodes from the control plane's security group, for the controller's webhooks
   (a group reference, so both address families);
3. the chart, from its official repository at a pinned version, as a ``helm.v3.Release``: Helm
   keeps the webhook certificate across upgrades, runs the chart's hooks, and the values stay
   visible to tests and to the policy pack.

Then ``load_balancer_service`` and ``ingress`` make NLB Services and ALB Ingresses for this cluster
with the annotations its family needs, refusing the combinations that would break (R4.2-R4.7),
and waiting for the controller: a LoadBalancer Service created before its webhook is ready goes to
the in-tree controller, which has no IPv6. On ``pulumi destroy`` they go first, and Pulumi waits for
the controller to delete the load balancers (its finalizers) before the controller, its role and
the subnets go - so a VPC never hangs on orphaned load-balancer interfaces.

Identity is IRSA rather than EKS Pod Identity: the Pod Identity agent answers IPv6 pods at
``[fd00:ec2::23]``, and whether the controller's SDK reaches it there is unverified.
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from .eks_iam import irsa_trust_policy
from .errors import raise_if_any
from .guardrails.lbc_policy import lb_controller_policy_document
from .helm_release import chart_release
from .lb_spec import (
    CHART,
    CHART_REPOSITORY,
    CHART_VERSION,
    INGRESS_CLASS,
    NAMESPACE,
    NLB_CLASS,
    SERVICE_ACCOUNT,
    WEBHOOK_PORT,
    LbControllerArgs,
    check_lb_controller_args,
    check_load_balancer,
    controller_values,
    default_ip_address_type,
    ingress_annotations,
    service_annotations,
)
from .node_rules import control_plane_to_nodes

TYPE_TOKEN = "ipv6-eks:index:LbController"


class LbController(pulumi.ComponentResource):
    """The AWS Load Balancer Controller: dual-stack NLBs and ALBs with IP targets for the cluster's pods."""

    role_arn: pulumi.Output[str]
    """The IAM role the controller's service account assumes."""
    chart_version: pulumi.Output[str]
    """The chart version installed."""
    ingress_class: pulumi.Output[str]
    """The IngressClass whose Ingresses become ALBs (dual-stack on IPv6 clusters)."""
    namespace: pulumi.Output[str]
    """The namespace the controller runs in."""

    def __init__(self, name: str, args: LbControllerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raise_if_any(check_lb_controller_args(args))  # before anything is registered
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._family = args["ip_family"]
        self._subnets = args.get("subnets")
        self._provider = args["kubernetes_provider"]
        tags = {**args.get("tags", {}), "ipv6-eks/component": "LbController"}
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition.apply(lambda p: p or "aws")
        # Named after the cluster, so the console and other accounts' trust policies can name them.
        physical = pulumi.Output.from_input(args["cluster_name"]).apply(lambda cluster: f"{cluster}-lbc")

        policy = aws.iam.Policy(
            f"{name}-policy",
            name=physical,
            description="AWS Load Balancer Controller (docs/install/iam_policy.json, v3.5.0)",
            policy=partition.apply(lambda p: json.dumps(lb_controller_policy_document(p))),
            tags=tags,
            opts=self._opts(),
        )
        trust = pulumi.Output.all(args["oidc_provider_arn"], args["oidc_issuer"]).apply(
            lambda v: json.dumps(irsa_trust_policy(v[0] or "", v[1] or "", NAMESPACE, SERVICE_ACCOUNT))
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=physical,
            description=f"AWS Load Balancer Controller ({NAMESPACE}/{SERVICE_ACCOUNT})",
            assume_role_policy=trust,
            tags=tags,
            opts=self._opts(),
        )
        attachment = aws.iam.RolePolicyAttachment(f"{name}-policy", role=role.name, policy_arn=policy.arn, opts=self._opts())
        webhook = control_plane_to_nodes(
            f"{name}-webhook",
            node_security_group_id=args["node_security_group_id"],
            cluster_security_group_id=args["cluster_security_group_id"],
            port=WEBHOOK_PORT,
            description="Control plane to the AWS Load Balancer Controller's webhooks",
            opts=self._opts(),
        )
        values = controller_values(
            args["cluster_name"],
            args["region"],
            args["vpc_id"],
            self._family,
            role.arn,
            args.get("replicas", 2),
            args.get("load_balancer_tags"),
        )
        # The release waits for what the caller names (the cluster's nodes, the VPC's gateways):
        # on destroy it, and the load balancers it made, go before them.
        self._release = chart_release(
            f"{name}-chart",
            chart=CHART,
            version=CHART_VERSION,
            repository=CHART_REPOSITORY,
            namespace=NAMESPACE,
            values=values,
            opts=self._opts(provider=self._provider, depends_on=[attachment, webhook, *_depends_on(opts)]),
        )
        self.role_arn = role.arn
        self.chart_version = pulumi.Output.from_input(CHART_VERSION)
        self.ingress_class = pulumi.Output.from_input(INGRESS_CLASS)
        self.namespace = pulumi.Output.from_input(NAMESPACE)
        self.register_outputs(
            {
                "role_arn": self.role_arn,
                "chart_version": self.chart_version,
                "ingress_class": self.ingress_class,
                "namespace": self.namespace,
            }
        )

    def _opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, protect=False, **kwargs)

    @property
    def kubernetes_provider(self) -> pulumi.ProviderResource:
        """The cluster's Kubernetes provider the controller was installed through."""
        return self._provider

    @property
    def release(self) -> k8s.helm.v3.Release:
        """The controller's Helm release: what a LoadBalancer Service or an Ingress must wait for."""
        return self._release

    def nlb_annotations(self, scheme: str, ip_address_type: str | None = None, target_type: str = "ip", **extra: str) -> dict[str, str]:
        """Annotations for a LoadBalancer Service (or a chart that renders one) in this cluster,
        checked against the load-balancer matrix and the VPC's subnets."""
        kind = default_ip_address_type(self._family) if ip_address_type is None else ip_address_type
        raise_if_any(check_load_balancer("nlb", self._family, scheme, kind, target_type, self._subnets))
        return service_annotations(scheme, kind, target_type, extra)

    def load_balancer_service(
        self,
        name: str,
        namespace: pulumi.Input[str],
        selector: dict[str, str],
        ports: list[dict[str, Any]],
        *,
        scheme: str = "internal",
        ip_address_type: str | None = None,
        source_ranges: list[pulumi.Input[str]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> k8s.core.v1.Service:
        """A Service of type LoadBalancer served by this controller as a dual-stack (IPv6 cluster)
        NLB with IP targets; ``source_ranges`` limit who may connect (both families)."""
        annotations = self.nlb_annotations(scheme, ip_address_type)
        spec: dict[str, Any] = {"type": "LoadBalancer", "loadBalancerClass": NLB_CLASS, "selector": selector, "ports": ports}
        if source_ranges:
            spec["loadBalancerSourceRanges"] = source_ranges
        return k8s.core.v1.Service(
            name,
            metadata={"name": name, "namespace": namespace, "annotations": annotations},
            spec=spec,
            opts=self._for_load_balancer(opts),
        )

    def ingress(
        self,
        name: str,
        namespace: pulumi.Input[str],
        service_name: pulumi.Input[str],
        service_port: int,
        *,
        scheme: str = "internal",
        ip_address_type: str | None = None,
        certificate_arn: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> k8s.networking.v1.Ingress:
        """An Ingress served by this controller as an ALB with IP targets, dual-stack on IPv6 clusters."""
        kind = default_ip_address_type(self._family) if ip_address_type is None else ip_address_type
        raise_if_any(check_load_balancer("alb", self._family, scheme, kind, "ip", self._subnets))
        backend = {"service": {"name": service_name, "port": {"number": service_port}}}
        return k8s.networking.v1.Ingress(
            name,
            metadata={"name": name, "namespace": namespace, "annotations": ingress_annotations(scheme, kind, "ip", certificate_arn)},
            spec={
                "ingressClassName": INGRESS_CLASS,
                "rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}],
            },
            opts=self._for_load_balancer(opts),
        )

    def _for_load_balancer(self, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        """In this cluster, after the controller's webhook; deleted (with its load balancer) before it."""
        waits = pulumi.ResourceOptions(provider=self._provider, depends_on=[self._release])
        return (
            pulumi.ResourceOptions.merge(waits, opts) if opts else pulumi.ResourceOptions.merge(waits, pulumi.ResourceOptions(parent=self))
        )


def _depends_on(opts: pulumi.ResourceOptions | None) -> list[pulumi.Resource]:
    found = opts.depends_on if opts else None
    if found is None:
        return []
    return list(found) if isinstance(found, (list, tuple)) else [found]
