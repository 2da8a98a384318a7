"""The offline plan's view of the Istio mesh, read from what was registered: its members (IP family,
network, Istio version, P3), which remote secrets each istiod holds (the N x (N - 1) matrix of
M29-M31), the trust chain (M1-M3), and the way in from the other networks - east-west gateways and
API endpoints, with the addresses they admit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from offline.harness import Evaluation
from offline.in_cluster import HELM_RELEASE, ClusterIndex
from offline.mocks import RecordedResource

SECRET = "kubernetes:core/v1:Secret"
GATEWAY_CR = "kubernetes:networking.istio.io/v1:Gateway"
SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert"
LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert"
CERT_REQUEST = "tls:index/certRequest:CertRequest"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
P3_FLAG = "ISTIO_ENABLE_IPV4_OUTBOUND_LISTENER_FOR_IPV6_CLUSTERS"
HOURS_PER_YEAR = 8766


@dataclass
class MeshMemberRow:
    member: str  # global.multiCluster.clusterName
    cluster: str  # the EKS cluster
    ip_family: str
    network: str
    mesh_id: str
    istio_version: str
    ipv4_outbound_listener: bool  # P3
    dual_stack_flag: bool  # P5: must stay False
    holds_remote_secrets_for: list[str] = field(default_factory=list)
    remote_secret_auth: list[str] = field(default_factory=list)  # "token" | "exec" | ...


@dataclass
class TrustRow:
    root: str  # the root certificate resource, or "provided"
    root_validity_years: float | None
    root_protected: bool
    intermediates: dict[str, str]  # member -> signed by (resource name)
    intermediate_validity_years: float | None
    cacerts: dict[str, list[str]]  # member -> the keys of its istio-system/cacerts


@dataclass
class EntryRow:
    member: str
    what: str  # "east-west NLB" | "API endpoint" | "API (private)"
    detail: str
    admits: list[str]


@dataclass
class MeshView:
    model: str
    members: list[MeshMemberRow]
    trust: TrustRow | None
    entries: list[EntryRow]


def mesh_view(evaluation: Evaluation) -> MeshView | None:
    """The mesh as registered, or None when the stack has none."""
    index = ClusterIndex(evaluation)
    istiods = [r for r in evaluation.of_type(HELM_RELEASE) if _chart(r) == "istiod"]
    if not istiods:
        return None
    members: dict[str, MeshMemberRow] = {}
    by_provider: dict[str, str] = {}  # provider urn (one per cluster) -> member
    member_cluster: dict[str, RecordedResource | None] = {}
    for release in istiods:
        values = release.inputs.get("values") or {}
        glob = values.get("global") or {}
        env = values.get("env") or {}
        cluster = index.cluster_of(release)
        name = str((glob.get("multiCluster") or {}).get("clusterName", "?"))
        member_cluster[name] = cluster
        by_provider[_provider(release)] = name
        members[name] = MeshMemberRow(
            member=name,
            cluster=index.name(cluster) if cluster else "(made elsewhere)",
            ip_family=str(cluster.inputs.get("ipFamily", "ipv4")) if cluster else "?",
            network=str(glob.get("network", "")),
            mesh_id=str(glob.get("meshID", "")),
            istio_version=str(release.inputs.get("version", "")),
            ipv4_outbound_listener=str(env.get(P3_FLAG, "")).lower() == "true",
            dual_stack_flag="ISTIO_DUAL_STACK" in env,
        )
    for secret in evaluation.of_type(SECRET):
        metadata = secret.inputs.get("metadata") or {}
        if (metadata.get("labels") or {}).get("istio/multiCluster") != "true":
            continue
        holder = by_provider.get(_provider(secret))
        if holder is None:
            continue
        described = (metadata.get("annotations") or {}).get("networking.istio.io/cluster", "?")
        members[holder].holds_remote_secrets_for.append(described)
        members[holder].remote_secret_auth += [_auth(text) for text in (secret.inputs.get("stringData") or {}).values()]
    for row in members.values():
        row.holds_remote_secrets_for.sort()
    ordered = sorted(members.values(), key=lambda r: r.member)
    model = "multi" if len({r.network for r in ordered}) > 1 else "single"
    return MeshView(
        model,
        ordered,
        _trust(evaluation, by_provider),
        _entries(evaluation, index, ordered, member_cluster, {m: p for p, m in by_provider.items()}),
    )


def _provider(resource: RecordedResource) -> str:
    """The provider a Kubernetes object is created through: which cluster it is in."""
    return (resource.provider or "").rsplit("::", 1)[0]


def _chart(release: RecordedResource) -> str:
    return str(release.inputs.get("chart", "")).rsplit("/", 1)[-1]


def _auth(kubeconfig: Any) -> str:
    """How a remote secret's kubeconfig authenticates: token, exec, or something else (M29)."""
    try:
        document = yaml.safe_load(kubeconfig) if isinstance(kubeconfig, str) else kubeconfig
    except yaml.YAMLError:
        return "unreadable"
    users = (document or {}).get("users") or [] if isinstance(document, dict) else []
    kinds = {key for u in users if isinstance(u, dict) for key in (u.get("user") or {}) if key in ("token", "exec", "auth-provider")}
    return "+".join(sorted(kinds)) or "none"


def _years(hours: Any) -> float | None:
    return round(float(hours) / HOURS_PER_YEAR, 1) if isinstance(hours, int | float) else None


def _trust(evaluation: Evaluation, by_provider: dict[str, str]) -> TrustRow | None:
    roots = [c for c in evaluation.of_type(SELF_SIGNED) if c.inputs.get("isCaCertificate")]
    signed = evaluation.of_type(LOCALLY_SIGNED)
    if not signed:
        return None
    root_pems = {r.outputs.get("certPem"): r for r in roots}
    requests = {r.outputs.get("certRequestPem"): r for r in evaluation.of_type(CERT_REQUEST)}
    intermediates = {}
    for cert in signed:
        request = requests.get(cert.inputs.get("certRequestPem"))
        member = str(((request.inputs.get("subject") or {}) if request else {}).get("locality") or cert.name)
        root = root_pems.get(cert.inputs.get("caCertPem"))
        intermediates[member] = root.name if root else "a provided root"
    cacerts = {}
    for secret in evaluation.of_type(SECRET):
        if (secret.inputs.get("metadata") or {}).get("name") == "cacerts":
            holder = by_provider.get(_provider(secret), secret.name)
            cacerts[holder] = sorted(secret.inputs.get("stringData") or secret.inputs.get("data") or {})
    used_roots = set(intermediates.values())
    root = roots[0] if len(roots) == 1 else None
    return TrustRow(
        root=", ".join(sorted(used_roots)),
        root_validity_years=_years(root.inputs.get("validityPeriodHours")) if root else None,
        root_protected=bool(root and root.protect),
        intermediates=dict(sorted(intermediates.items())),
        intermediate_validity_years=_years(signed[0].inputs.get("validityPeriodHours")),
        cacerts=dict(sorted(cacerts.items())),
    )


def _entries(
    evaluation: Evaluation,
    index: ClusterIndex,
    members: list[MeshMemberRow],
    member_cluster: dict[str, RecordedResource | None],
    provider_of: dict[str, str],
) -> list[EntryRow]:
    """How each member is reached from the others: its east-west NLB (multi network) and its API."""
    rows = []
    gateways = {_provider(r): r for r in evaluation.of_type(HELM_RELEASE) if _chart(r) == "gateway"}
    cross_network = {_provider(g) for g in evaluation.of_type(GATEWAY_CR)}
    groups = _security_groups(evaluation, member_cluster)
    member_of_node_group = {ids["node"]: member for member, ids in groups.items()}
    for row in members:
        release = gateways.get(provider_of[row.member])
        if release is not None:
            service = (release.inputs.get("values") or {}).get("service") or {}
            annotations = service.get("annotations") or {}
            scheme = annotations.get("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal")
            family = annotations.get("service.beta.kubernetes.io/aws-load-balancer-ip-address-type", "ipv4")
            targets = annotations.get("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "instance")
            subnets = index.subnets_for(member_cluster.get(row.member), scheme, family)
            gateway = "Gateway 15443 AUTO_PASSTHROUGH *.local" if provider_of[row.member] in cross_network else "no cross-network Gateway"
            detail = f"{scheme}, {family}, {targets} targets, subnets {', '.join(subnets) or '(none)'}; {gateway}"
            rows.append(
                EntryRow(row.member, "east-west NLB", detail, list(service.get("loadBalancerSourceRanges") or ["0.0.0.0/0", "::/0"]))
            )
        cluster = member_cluster.get(row.member)
        if cluster is None:
            continue
        if cluster.inputs.get("endpointPublicAccess"):
            rows.append(
                EntryRow(row.member, "API endpoint (public)", row.cluster, list(cluster.inputs.get("publicAccessCidrs") or ["0.0.0.0/0"]))
            )
        own_group = groups.get(row.member, {}).get("cluster")
        peers = sorted(
            member_of_node_group.get(rule.inputs.get("referencedSecurityGroupId"), "?")
            for rule in evaluation.of_type(INGRESS_RULE)
            if own_group
            and rule.inputs.get("securityGroupId") == own_group
            and rule.inputs.get("fromPort") == 443
            and member_of_node_group.get(rule.inputs.get("referencedSecurityGroupId"), row.member) != row.member
        )
        if peers and cluster.inputs.get("endpointPrivateAccess"):
            rows.append(EntryRow(row.member, "API endpoint (private)", f"{row.cluster}, 443 from the peers' node security groups", peers))
    return rows


def _security_groups(evaluation: Evaluation, member_cluster: dict[str, RecordedResource | None]) -> dict[str, dict[str, str]]:
    """member -> {"cluster": id, "node": id}: the groups Ipv6EksCluster made next to the EKS cluster."""
    found: dict[str, dict[str, str]] = {}
    for member, cluster in member_cluster.items():
        if cluster is None:
            continue
        for group in evaluation.of_type(SECURITY_GROUP):
            role = group.name.rsplit("-", 1)[-1]
            if group.parent == cluster.parent and role in ("cluster", "node"):
                found.setdefault(member, {})[role] = group.id
    return found


def render_mesh(view: MeshView | None) -> list[str]:
    if view is None:
        return []
    mesh_ids = sorted({m.mesh_id for m in view.members})
    versions = sorted({m.istio_version for m in view.members})
    lines = [f"Istio mesh {', '.join(mesh_ids)} ({view.model} network, Istio {', '.join(versions)}, every member a primary):"]
    lines.append("  member        cluster             family  network            istiod   P3 IPv4 listener  holds remote secrets for")
    for m in view.members:
        p3 = "on" if m.ipv4_outbound_listener else ("MISSING" if m.ip_family == "ipv6" else "-")
        auth = ", ".join(sorted(set(m.remote_secret_auth))) or "-"
        lines.append(
            f"  {m.member:<13} {m.cluster:<19} {m.ip_family:<7} {m.network:<18} {m.istio_version:<8} {p3:<17} "
            f"{', '.join(m.holds_remote_secrets_for) or '(none)'} ({auth} kubeconfigs)"
            + ("  ISTIO_DUAL_STACK SET (P5)" if m.dual_stack_flag else "")
        )
    secrets = sum(len(m.holds_remote_secrets_for) for m in view.members)
    n = len(view.members)
    lines.append(f"  remote secrets: {secrets} (N x (N - 1) = {n * (n - 1)} for {n} members)")
    if view.trust:
        t = view.trust
        validity = f", {t.root_validity_years} years" if t.root_validity_years else ""
        lines.append(f"  trust: root {t.root}{validity}{', protected' if t.root_protected else ''}")
        for member, root in t.intermediates.items():
            keys = ", ".join(t.cacerts.get(member, [])) or "(no cacerts)"
            lines.append(f"    intermediate {member} ({t.intermediate_validity_years} years) signed by {root}; cacerts: {keys}")
    if view.entries:
        lines.append("  the way in, and who may use it:")
        for e in view.entries:
            lines.append(f"    {e.member:<13} {e.what}: {e.detail}")
            lines.append(f"    {'':<13}   admits {', '.join(e.admits)}")
    return lines
