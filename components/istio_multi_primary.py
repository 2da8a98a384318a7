"""IstioMultiPrimary: one Istio mesh across clusters of either IP family - every cluster a primary.

What it builds:

1. trust: a root CA (generated here, or brought by the team) and one intermediate CA per member,
   each member's ``istio-system/cacerts`` with exactly the four keys of M3 - all key material a
   Pulumi secret from the moment it exists;
2. in every member, from Istio's official charts at one pinned version: ``istio-system`` labelled
   with the member's network (M18), ``base``, then ``istiod`` once ``cacerts`` exists (M4, M20) with
   one meshID, the member's own clusterName and network (M19), the IPv4 outbound listener on IPv6
   clusters (P3) and never ISTIO_DUAL_STACK (P5);
3. remote secrets both ways without istioctl: a reader token Secret in every member, created after
   the charts that make its service account (M30), and in every *other* member a token kubeconfig
   for it (M29, M31) - N x (N - 1) secrets;
4. single network: security-group rules in both directions (pod to pod, each istiod to the other's
   API on 443, M10) and 15017/15012 from each control plane (M9);
   multi network: an east-west gateway per member behind an internet-facing dual-stack NLB with IP
   targets, open only to the other members' egress addresses (M23-M26, P2), and the cross-network
   Gateway on 15443 (M27);
5. the samples, when asked: helloworld v1 and v2 and sleep (M32-M34), after istiod (sidecar injection).

Each member is given as plain values (``MeshMemberArgs``), so the mesh needs no cluster component,
and it waits only for what it uses from each cluster: the clusters still build in parallel.
"""

import base64
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_tls as tls

from .errors import ArgumentError, raise_if_any
from .helm_release import chart_release
from .lb_spec import check_load_balancer, service_annotations
from .mesh_samples import (
    helloworld_deployment,
    helloworld_service,
    sample_namespace,
    sleep_deployment,
    sleep_service,
    sleep_service_account,
    versions_for,
)
from .mesh_spec import (
    ISTIO_REPOSITORY,
    ISTIO_VERSION,
    NAMESPACE,
    NETWORK_LABEL,
    READER_SERVICE_ACCOUNT,
    READER_TOKEN_SECRET,
    IstioMultiPrimaryArgs,
    MeshMemberArgs,
    base_values,
    cacerts_data,
    check_mesh_args,
    cross_network_gateway,
    east_west_values,
    istiod_values,
    remote_kubeconfig,
    remote_secret_metadata,
)
from .node_rules import control_plane_to_nodes

TYPE_TOKEN = "ipv6-eks:index:IstioMultiPrimary"
CA_USES = ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"]
ROOT_VALIDITY_HOURS = 10 * 8766  # ten years
INTERMEDIATE_VALIDITY_HOURS = 5 * 8766  # five years: rotate intermediates well inside the root's life


class IstioMultiPrimary(pulumi.ComponentResource):
    """An Istio multi-primary mesh across IPv4 and IPv6 EKS clusters, on one network or several."""

    root_certificate_pem: pulumi.Output[str]
    """The mesh's root CA certificate (the same ``root-cert.pem`` in every member)."""
    istio_version: pulumi.Output[str]
    """The Istio charts' version."""
    remote_secrets: pulumi.Output[dict[str, list[str]]]
    """For each member, the remote secrets it holds (one per other member)."""

    def __init__(self, name: str, args: IstioMultiPrimaryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        raise_if_any(check_mesh_args(args) + _east_west_errors(args))  # before anything is registered
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name = name
        self._version = args.get("istio_version", ISTIO_VERSION)
        members = args["members"]
        multi = args["network_model"] == "multi"
        root_cert, root_key = self._root_ca(args)

        tokens: dict[str, k8s.core.v1.Secret] = {}
        namespaces: dict[str, k8s.core.v1.Namespace] = {}
        for position, member in enumerate(members):
            where = self._in(member)
            namespace = k8s.core.v1.Namespace(
                f"{name}-{member['name']}-istio-system",
                metadata={"name": NAMESPACE, "labels": {NETWORK_LABEL: member["network"]}},  # M18
                opts=where,
            )
            namespaces[member["name"]] = namespace
            cacerts = self._cacerts(member, namespace, root_cert, root_key)
            base = self._chart(member, "base", "istio-base", base_values(), [namespace])
            istiod = self._chart(
                member,
                "istiod",
                "istiod",
                istiod_values(args["mesh_id"], member["name"], member["network"], member["ip_family"]),
                [base, cacerts],
            )
            # M30: the token of the reader account the base chart makes, with the RBAC istiod's chart grants.
            tokens[member["name"]] = k8s.core.v1.Secret(
                f"{name}-{member['name']}-reader-token",
                metadata={
                    "name": READER_TOKEN_SECRET,
                    "namespace": NAMESPACE,
                    "annotations": {"kubernetes.io/service-account.name": READER_SERVICE_ACCOUNT},
                },
                type="kubernetes.io/service-account-token",
                opts=pulumi.ResourceOptions.merge(where, pulumi.ResourceOptions(depends_on=[base, istiod])),
            )
            if multi:
                self._east_west(args, position, member, istiod)
            if args.get("samples"):
                self._samples(member, position, istiod)
        self._remote_secrets(members, tokens, namespaces)
        self._security_groups(members, single=not multi)

        self.root_certificate_pem = pulumi.Output.from_input(root_cert)
        self.istio_version = pulumi.Output.from_input(self._version)
        self.remote_secrets = pulumi.Output.from_input(
            {holder["name"]: [f"istio-remote-secret-{m['name']}" for m in members if m is not holder] for holder in members}
        )
        self.register_outputs(
            {"root_certificate_pem": self.root_certificate_pem, "istio_version": self.istio_version, "remote_secrets": self.remote_secrets}
        )

    def _in(self, member: MeshMemberArgs, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=member["kubernetes_provider"], protect=False, **kwargs)

    # -- trust (M1-M4) -----------------------------------------------------------------------------

    def _root_ca(self, args: IstioMultiPrimaryArgs) -> tuple[pulumi.Input[str], pulumi.Input[str]]:
        """(root certificate, root key): brought by the team, or generated - and then protected
        where the stack says so, for replacing it means re-issuing every workload certificate."""
        brought = args.get("root_ca")
        if brought:
            return brought["certificate_pem"], pulumi.Output.secret(brought["private_key_pem"])
        kept = pulumi.ResourceOptions(parent=self, protect=bool(args.get("protect_root_ca", False)))
        key = tls.PrivateKey(f"{self._name}-root-key", algorithm="RSA", rsa_bits=4096, opts=kept)
        cert = tls.SelfSignedCert(
            f"{self._name}-root",
            private_key_pem=key.private_key_pem,
            is_ca_certificate=True,
            set_subject_key_id=True,
            subject={"common_name": "Root CA", "organization": f"Istio mesh {args['mesh_id']}"},
            allowed_uses=CA_USES,
            validity_period_hours=ROOT_VALIDITY_HOURS,
            opts=kept,
        )
        return cert.cert_pem, key.private_key_pem

    def _cacerts(self, member: MeshMemberArgs, namespace: k8s.core.v1.Namespace, root_cert: Any, root_key: Any) -> k8s.core.v1.Secret:
        """The member's intermediate CA, signed by the root, and ``istio-system/cacerts`` (M2, M3)."""
        child = pulumi.ResourceOptions(parent=self)
        prefix = f"{self._name}-{member['name']}"
        key = tls.PrivateKey(f"{prefix}-intermediate-key", algorithm="RSA", rsa_bits=4096, opts=child)
        request = tls.CertRequest(
            f"{prefix}-intermediate",
            private_key_pem=key.private_key_pem,
            # Istio's own certificate tooling tells the clusters apart by locality.
            subject={"common_name": "Intermediate CA", "organization": "Istio", "locality": member["name"]},
            dns_names=[f"istiod.{NAMESPACE}.svc"],
            opts=child,
        )
        cert = tls.LocallySignedCert(
            f"{prefix}-intermediate",
            cert_request_pem=request.cert_request_pem,
            ca_cert_pem=root_cert,
            ca_private_key_pem=root_key,
            is_ca_certificate=True,
            max_path_length=0,  # signs workload certificates only
            set_subject_key_id=True,
            allowed_uses=CA_USES,
            validity_period_hours=INTERMEDIATE_VALIDITY_HOURS,
            opts=child,
        )
        data = pulumi.Output.all(cert.cert_pem, key.private_key_pem, root_cert).apply(lambda v: cacerts_data(v[0], v[1], v[2]))
        return k8s.core.v1.Secret(
            f"{prefix}-cacerts",
            metadata={"name": "cacerts", "namespace": NAMESPACE},
            type="Opaque",
            string_data=pulumi.Output.secret(data),
            opts=pulumi.ResourceOptions.merge(self._in(member), pulumi.ResourceOptions(depends_on=[namespace])),
        )

    # -- Istio from its charts (M19-M22) --------------------------------------------------------------

    def _chart(self, member: MeshMemberArgs, chart: str, release: str, values: dict[str, Any], after: list) -> k8s.helm.v3.Release:
        return chart_release(
            f"{self._name}-{member['name']}-{release}",
            release_name=release,
            chart=chart,
            version=self._version,
            repository=ISTIO_REPOSITORY,
            namespace=NAMESPACE,
            values=values,
            opts=self._in(member, depends_on=after),
        )

    # -- remote secrets (M29-M31) ------------------------------------------------------------------------

    def _remote_secrets(self, members: list[MeshMemberArgs], tokens: dict[str, k8s.core.v1.Secret], namespaces: dict) -> None:
        """In every member, a remote secret for each *other* member: N x (N - 1), never one for itself (M31)."""
        for described in members:
            token = tokens[described["name"]].data.apply(lambda data: base64.b64decode((data or {}).get("token", "")).decode())
            kubeconfig = pulumi.Output.all(described["endpoint"], described["certificate_authority"], token).apply(
                lambda v, cluster=described["name"]: remote_kubeconfig(cluster, v[0] or "", v[1] or "", v[2])
            )
            for holder in members:
                if holder is described:
                    continue
                k8s.core.v1.Secret(
                    f"{self._name}-{holder['name']}-remote-{described['name']}",
                    metadata=remote_secret_metadata(described["name"]),
                    string_data=pulumi.Output.secret(kubeconfig.apply(lambda text, key=described["name"]: {key: text})),
                    opts=self._in(holder, depends_on=[namespaces[holder["name"]]]),
                )

    # -- networks (M9, M10, M23-M27) ------------------------------------------------------------------

    def _security_groups(self, members: list[MeshMemberArgs], single: bool) -> None:
        child = pulumi.ResourceOptions(parent=self, protect=False)
        rule = aws.vpc.SecurityGroupIngressRule
        for member in members:
            for port, what in ((15017, "sidecar injector webhook"), (15012, "istiod xDS")):
                control_plane_to_nodes(  # M9: the control plane calls istiod's webhook; 15012 for istiod's own traffic
                    f"{self._name}-{member['name']}-{port}-from-control-plane",
                    node_security_group_id=member["node_security_group_id"],
                    cluster_security_group_id=member["cluster_security_group_id"],
                    port=port,
                    description=f"Control plane to Istio's {what}",
                    opts=child,
                )
            if not single:
                continue
            for peer in members:
                if peer is member:
                    continue
                # M10, P13: pods reach the peer's pods directly, either family, by group reference.
                rule(
                    f"{self._name}-{member['name']}-pods-from-{peer['name']}",
                    security_group_id=member["node_security_group_id"],
                    referenced_security_group_id=peer["node_security_group_id"],
                    ip_protocol="-1",
                    description=f"Mesh: pods of {peer['name']} to pods of {member['name']}",
                    opts=child,
                )
                rule(
                    f"{self._name}-{member['name']}-api-from-{peer['name']}",
                    security_group_id=member["cluster_security_group_id"],
                    referenced_security_group_id=peer["node_security_group_id"],
                    ip_protocol="tcp",
                    from_port=443,
                    to_port=443,
                    description=f"Mesh: istiod of {peer['name']} to the API of {member['name']} (private endpoint)",
                    opts=child,
                )

    def _east_west(self, args: IstioMultiPrimaryArgs, position: int, member: MeshMemberArgs, istiod: k8s.helm.v3.Release) -> None:
        """The member's east-west gateway behind an internet-facing dual-stack NLB with IP targets (P2),
        open to the other members' egress only, and the cross-network Gateway on 15443 (M27)."""
        annotations = service_annotations("internet-facing", "dualstack", "ip")  # LbController's NLB helper, checked above
        peers = [m["egress_cidrs"] for i, m in enumerate(args["members"]) if i != position]
        # only the other members' egress: never 0.0.0.0/0 or ::/0 (the chart's default without ranges)
        source_ranges = pulumi.Output.all(*peers).apply(lambda lists: sorted({c for cidrs in lists for c in cidrs or []}))
        values = east_west_values(member["network"], annotations, source_ranges)
        gateway = self._chart(member, "gateway", "istio-eastwestgateway", values, [istiod, *member.get("depends_on", [])])
        manifest = cross_network_gateway()
        k8s.apiextensions.CustomResource(
            f"{self._name}-{member['name']}-cross-network-gateway",
            api_version=manifest["apiVersion"],
            kind=manifest["kind"],
            metadata=manifest["metadata"],
            spec=manifest["spec"],
            opts=self._in(member, depends_on=[istiod, gateway]),
        )

    # -- samples (M32-M34) ---------------------------------------------------------------------------

    def _samples(self, member: MeshMemberArgs, position: int, istiod: k8s.helm.v3.Release) -> None:
        prefix = f"{self._name}-{member['name']}-sample"
        namespace = k8s.core.v1.Namespace(f"{prefix}-namespace", **sample_namespace(), opts=self._in(member, depends_on=[istiod]))
        after = self._in(member, depends_on=[istiod, namespace])  # M34: injected by istiod
        k8s.core.v1.Service(f"{prefix}-helloworld", **helloworld_service(), opts=after)
        for version in versions_for(position):
            k8s.apps.v1.Deployment(f"{prefix}-helloworld-{version}", **helloworld_deployment(version), opts=after)
        k8s.core.v1.ServiceAccount(f"{prefix}-sleep", **sleep_service_account(), opts=after)
        k8s.core.v1.Service(f"{prefix}-sleep", **sleep_service(), opts=after)
        k8s.apps.v1.Deployment(f"{prefix}-sleep", **sleep_deployment(), opts=after)


def _east_west_errors(args: IstioMultiPrimaryArgs) -> list[ArgumentError]:
    """Multi-network members need subnets for an internet-facing dual-stack NLB (P2, R4.7)."""
    if args.get("network_model") != "multi" or not isinstance(args.get("members"), list):
        return []
    errors = []
    for i, member in enumerate(args["members"]):
        if not isinstance(member, dict):
            continue
        problems = check_load_balancer(
            "nlb", member.get("ip_family", "ipv6"), "internet-facing", "dualstack", "ip", member.get("load_balancer_subnets")
        )
        errors += [ArgumentError(("members", i, "load_balancer_subnets"), e.problem, e.allowed) for e in problems]
    return errors
