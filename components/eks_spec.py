"""Ipv6EksCluster's arguments and their validation - plain data, no Pulumi resources.

``check_cluster_args`` is what the stack configuration and the component both call before
anything is registered: IP family (R1.1), Kubernetes version, subnets (R1.2, R1.3, R1.6, R7.7),
who may reach the API (R7.1), who is cluster admin, add-on pins, node groups (R1.11, R1.12,
R6.1, R7.5). The documents the component hands to AWS live in ``eks_iam``, ``eks_addons`` and
``eks_nodes``.
"""

import ipaddress
import re
from typing import Any, NotRequired, TypedDict

import pulumi

from .eks_addons import ADDON_VERSION, ADDONS
from .errors import ArgumentError
from .guardrails.facts import INSTANCE_TYPE, architecture, is_nitro

IP_FAMILIES = ("ipv6", "ipv4")
# Kubernetes versions EKS supports at the end of 2026, with the end of extended support
# (EKS user guide, kubernetes-versions; 1.36's dates are not yet confirmed by AWS pages).
SUPPORTED_VERSIONS = {
    "1.32": "2027-03-23",
    "1.33": "2027-07-29",
    "1.34": "2027-12-02",
    "1.35": "2028-03-27",
    "1.36": "2028-08-02",
}
AUTHENTICATION_MODES = ("API",)
# CloudWatch Logs accepts only these retention periods (days).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
DEFAULT_LOG_RETENTION_DAYS = 90
SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
# AMI types a managed node group may use. AL2 has no AMIs from Kubernetes 1.33 on; Windows
# nodes cannot join IPv6 clusters (R1.11); CUSTOM would make max pods ours to set (R2.7).
AMI_ARCHITECTURE = {
    "AL2023_x86_64_STANDARD": "x86_64",
    "AL2023_ARM_64_STANDARD": "arm64",
    "AL2023_x86_64_NVIDIA": "x86_64",
    "AL2023_ARM_64_NVIDIA": "arm64",
    "AL2023_x86_64_NEURON": "x86_64",
    "BOTTLEROCKET_x86_64": "x86_64",
    "BOTTLEROCKET_ARM_64": "arm64",
    "BOTTLEROCKET_x86_64_FIPS": "x86_64",
    "BOTTLEROCKET_ARM_64_FIPS": "arm64",
    "BOTTLEROCKET_x86_64_NVIDIA": "x86_64",
    "BOTTLEROCKET_ARM_64_NVIDIA": "arm64",
}
DEFAULT_AMI_TYPE = "AL2023_x86_64_STANDARD"
PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]+$")
ACCESS_POLICY_NAME = re.compile(r"^AmazonEKS[A-Za-z]+Policy$")
NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]*$")
# IAM role names stop at 64 characters; the longest one derived from the cluster adds "-aws-node".
MAX_CLUSTER_NAME = 64 - len("-aws-node")


class ClusterSubnetArgs(TypedDict):
    """A subnet the cluster uses, with the facts about it that decide whether it may."""

    id: pulumi.Input[str]
    """The subnet's id."""
    availability_zone: str
    """Its availability zone."""
    ip_mode: str
    """``dualstack``, ``ipv4`` or ``ipv6-only`` - as DualStackVpc planned it."""
    role: str
    """``public``, ``private`` or ``isolated`` - as DualStackVpc planned it."""


class AccessEntryArgs(TypedDict):
    """An IAM principal's access to the cluster (authentication mode API)."""

    principal_arn: str
    """The IAM role or user, ``arn:aws:iam::<account>:role/<name>``."""
    policies: NotRequired[list[str]]
    """EKS access policies by name (``AmazonEKSClusterAdminPolicy``) or ARN; default admin."""
    namespaces: NotRequired[list[str]]
    """Limit the policies to these namespaces; cluster-wide when absent."""
    kubernetes_groups: NotRequired[list[str]]
    """Kubernetes groups for RBAC bindings of your own."""


class TaintArgs(TypedDict):
    """A Kubernetes taint on every node of a node group."""

    key: str
    """The taint's key."""
    value: NotRequired[str]
    """The taint's value (none by default)."""
    effect: str
    """``NO_SCHEDULE``, ``NO_EXECUTE`` or ``PREFER_NO_SCHEDULE``."""


class NodeGroupArgs(TypedDict):
    """A managed node group in the cluster's node subnets."""

    instance_types: list[str]
    """Instance types; Nitro or bare metal on IPv6 clusters (R1.12, R6.1), one architecture."""
    ami_type: NotRequired[str]
    """EKS AMI type, ``AL2023_x86_64_STANDARD`` by default (AL2023 or Bottlerocket)."""
    capacity_type: NotRequired[str]
    """``ON_DEMAND`` (default) or ``SPOT``."""
    min_size: NotRequired[int]
    """Minimum nodes (default 2)."""
    max_size: NotRequired[int]
    """Maximum nodes (default 4)."""
    desired_size: NotRequired[int]
    """Initial nodes (default ``min_size``); later changes by an autoscaler are kept."""
    disk_size: NotRequired[int]
    """Root volume in GiB (default 50), gp3 and encrypted."""
    labels: NotRequired[dict[str, str]]
    """Kubernetes labels on every node."""
    taints: NotRequired[list[TaintArgs]]
    """Kubernetes taints on every node."""
    imds_hop_limit: NotRequired[int]
    """IMDSv2 hop limit: 1 (default) keeps pods off the node's credentials; 2 lets pods use IMDS (R7.5)."""


class Ipv6EksClusterArgs(TypedDict):
    """Arguments of ``Ipv6EksCluster``."""

    vpc_id: pulumi.Input[str]
    """The VPC the cluster lives in."""
    kubernetes_version: str
    """Kubernetes version, e.g. ``"1.34"``."""
    control_plane_subnets: list[ClusterSubnetArgs]
    """Subnets for the control plane's network interfaces: at least two AZs, never IPv6-only."""
    node_subnets: list[ClusterSubnetArgs]
    """Subnets for the node groups: private and dual-stack."""
    node_groups: dict[str, NodeGroupArgs]
    """Managed node groups by name."""
    ip_family: NotRequired[str]
    """``ipv6`` (default) or ``ipv4`` (the migration source, which gets IPv6 egress). Fixed at
    creation: changing it replaces the cluster (R1.1)."""
    endpoint_public_access: NotRequired[bool]
    """Open the public API endpoint (default false; the private endpoint is always on, R7.1)."""
    public_access_cidrs: NotRequired[list[pulumi.Input[str]]]
    """Who may reach the public endpoint (required when it is open): the deployer's egress, a peer
    cluster's NAT gateways. IPv6 CIDRs only on IPv6 clusters."""
    private_access_cidrs: NotRequired[list[str]]
    """Who may reach the private endpoint from the VPC or a connected network (a bastion, a VPN, a
    peered VPC, a CI runner): TCP 443 from these IPv4 and IPv6 CIDRs on the cluster security group."""
    private_access_security_group_ids: NotRequired[list[pulumi.Input[str]]]
    """Security groups whose members may reach the private endpoint (TCP 443 on the cluster security group)."""
    service_ipv4_cidr: NotRequired[str]
    """IPv4 clusters only: the service range, outside the VPC's CIDR. IPv6 clusters get theirs from EKS (R1.9)."""
    authentication_mode: NotRequired[str]
    """``API`` (the default and only choice): access entries, never the ``aws-auth`` ConfigMap."""
    cluster_creator_admin: NotRequired[bool]
    """Whether the IAM identity that runs the first ``pulumi up`` becomes cluster admin (EKS's
    ``bootstrapClusterCreatorAdminPermissions``, default true). Fixed at creation. With false,
    give the deployer an access entry, or nothing can install into the cluster."""
    access_entries: NotRequired[dict[str, AccessEntryArgs]]
    """Who else may use the cluster, one entry per IAM principal (never the creator, when it is admin already)."""
    network_policy: NotRequired[bool]
    """Enforce Kubernetes network policies with the VPC CNI (default true, R7.8)."""
    addon_versions: NotRequired[dict[str, str]]
    """Add-on versions overriding the pinned table for the Kubernetes version (``eks_addons``)."""
    secrets_kms_key_arn: NotRequired[str]
    """A customer-managed KMS key for secrets; by default one is created, with rotation (R7.3)."""
    log_retention_days: NotRequired[int]
    """How long CloudWatch keeps the control-plane logs (default 90 days; EKS's own log group keeps them forever)."""
    deletion_protection: NotRequired[bool]
    """Refuse cluster deletion at the EKS API (default false)."""
    protect_control_plane: NotRequired[bool]
    """Pulumi ``protect`` on the control plane and its secrets key; default true for IPv6 clusters,
    whose IP family cannot change in place (R1.1). Node groups, launch templates and add-ons are
    never protected: EKS replaces them in routine changes."""
    tags: NotRequired[dict[str, str]]
    """Extra tags for the cluster's resources."""
    node_tags: NotRequired[dict[str, str]]
    """Tags for the EC2 instances and volumes of the node groups, set through their launch templates:
    the provider's default tags do not reach what EKS launches. Pass the stack's default tags here."""
    nodes_depend_on: NotRequired[list[Any]]
    """What the nodes need before they boot - typically the VPC (its NAT gateways and routes), so an
    IPv4 node never starts without its way to the registry and the API. The control plane does not wait."""


# ---------------------------------------------------------------------------------------------
# Validation


def check_cluster_name(physical: str) -> list[ArgumentError]:
    """The EKS cluster's name (``<stack>-<component name>``) must suit EKS and the IAM names derived from it."""
    if EKS_CLUSTER_NAME.match(physical) and len(physical) <= MAX_CLUSTER_NAME:
        return []
    return [
        ArgumentError(
            ("name",),
            f"the EKS cluster name {physical!r} (stack name, '-', component name) is not usable",
            f"allowed: letters, digits, '-' and '_', starting with a letter or digit, at most {MAX_CLUSTER_NAME} characters",
        )
    ]


def check_cluster_args(args: Ipv6EksClusterArgs) -> list[ArgumentError]:
    """Every problem with ``args``, before anything is registered."""
    errors: list[ArgumentError] = []
    for key in ("vpc_id", "kubernetes_version", "control_plane_subnets", "node_subnets", "node_groups"):
        if key not in args:
            errors.append(ArgumentError((key,), "missing", "allowed: this argument is required"))
    if errors:
        return errors
    family = args.get("ip_family", "ipv6")
    if family not in IP_FAMILIES:
        errors.append(
            ArgumentError(("ip_family",), f"{family!r} is not an IP family", "allowed: ipv6 or ipv4; it is fixed at creation (R1.1)")
        )
        return errors
    version = args["kubernetes_version"]
    if version not in SUPPORTED_VERSIONS:
        supported = ", ".join(SUPPORTED_VERSIONS)
        errors.append(
            ArgumentError(
                ("kubernetes_version",), f"{version!r} is not a Kubernetes version EKS supports", f"allowed: {supported} (as a string)"
            )
        )
    errors += _check_service_cidr(args.get("service_ipv4_cidr"), family)
    errors += _check_subnets(args["control_plane_subnets"], family, nodes=False)
    errors += _check_subnets(args["node_subnets"], family, nodes=True)
    errors += _check_endpoint(args.get("endpoint_public_access", False), args.get("public_access_cidrs"), family)
    errors += _check_private_access(args.get("private_access_cidrs") or [], args.get("private_access_security_group_ids") or [])
    mode = args.get("authentication_mode", "API")
    if mode not in AUTHENTICATION_MODES:
        errors.append(
            ArgumentError(
                ("authentication_mode",),
                f"{mode!r}: pulumi-eks would then force-overwrite kube-system/aws-auth with an empty mapping through its own "
                "connection to the API, and fail wherever that API is not reachable",
                "allowed: API (grant access with access_entries)",
            )
        )
    errors += _check_access_entries(args.get("access_entries") or {})
    retention = args.get("log_retention_days", DEFAULT_LOG_RETENTION_DAYS)
    if retention not in LOG_RETENTION_DAYS:
        errors.append(
            ArgumentError(
                ("log_retention_days",),
                f"{retention!r} days is not a CloudWatch retention period",
                f"allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}",
            )
        )
    for key, value in (args.get("node_tags") or {}).items():
        if not isinstance(key, str) or not isinstance(value, str) or key.lower().startswith("aws:") or not 0 < len(key) <= 128:
            errors.append(
                ArgumentError(
                    ("node_tags", str(key)),
                    f"{key!r}: {value!r} is not a usable EC2 tag",
                    "allowed: string keys of 1..128 characters not starting with aws:, string values",
                )
            )
    for addon, pinned in (args.get("addon_versions") or {}).items():
        if addon not in ADDONS:
            errors.append(
                ArgumentError(("addon_versions", addon), f"{addon!r} is not an add-on ipv6-eks manages", f"allowed: {', '.join(ADDONS)}")
            )
        elif not isinstance(pinned, str) or not ADDON_VERSION.match(pinned):
            errors.append(
                ArgumentError(("addon_versions", addon), f"{pinned!r} is not an EKS add-on version", "allowed: e.g. v1.20.4-eksbuild.2")
            )
    if not args["node_groups"]:
        errors.append(ArgumentError(("node_groups",), "no node groups", "allowed: at least one managed node group"))
    elif not any(_schedulable(group) for group in args["node_groups"].values()):
        errors.append(
            ArgumentError(
                ("node_groups",),
                "no group starts a node without a NoSchedule/NoExecute taint, so CoreDNS never runs and the add-on times out",
                "allowed: at least one untainted group with desired_size (or min_size) of 1 or more",
            )
        )
    for name, group in args["node_groups"].items():
        errors += _check_node_group(name, group, family)
    return errors


def _schedulable(group: NodeGroupArgs) -> bool:
    desired = group.get("desired_size", group.get("min_size", 2))
    blocking = [t for t in group.get("taints", []) if t.get("effect") in ("NO_SCHEDULE", "NO_EXECUTE")]
    return desired >= 1 and not blocking


def _check_service_cidr(cidr: str | None, family: str) -> list[ArgumentError]:
    path = ("service_ipv4_cidr",)
    if cidr is None:
        return []
    if family == "ipv6":
        return [
            ArgumentError(
                path, "set on an IPv6 cluster", "allowed: nothing; EKS assigns an IPv6 cluster's service range from fc00::/7 (R1.9)"
            )
        ]
    try:
        net = ipaddress.IPv4Network(cidr)
    except ValueError as exc:
        return [ArgumentError(path, f"{cidr!r} is not an IPv4 network ({exc})", "allowed: e.g. 172.20.0.0/16")]
    private = any(net.subnet_of(ipaddress.IPv4Network(p)) for p in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
    if not 12 <= net.prefixlen <= 24 or not private:
        return [
            ArgumentError(
                path, f"{cidr} is not a private /12../24", "allowed: a /12 to /24 inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16"
            )
        ]
    return []


def _check_subnets(subnets: list[ClusterSubnetArgs], family: str, *, nodes: bool) -> list[ArgumentError]:
    """One error per kind of problem, naming the AZs of the subnets that have it."""
    key = "node_subnets" if nodes else "control_plane_subnets"
    zones = {s.get("availability_zone") for s in subnets}
    errors = []
    if len(zones) < 2:
        errors.append(ArgumentError((key,), f"subnets in {len(zones)} availability zone(s)", "allowed: subnets in at least two AZs (R1.6)"))

    def report(wrong: list[ClusterSubnetArgs], what: str, allowed: str) -> None:
        if wrong:
            where = ", ".join(str(s.get("availability_zone")) for s in wrong)
            errors.append(ArgumentError((key,), f"{what} subnets in {where}", allowed))

    report(
        [s for s in subnets if s.get("ip_mode") == "ipv6-only"],
        "IPv6-only",
        "allowed: dual-stack subnets; EKS control planes and nodes need IPv4 too (R1.3)",
    )
    if nodes or family == "ipv6":
        why = (
            "IPv6 clusters need dual-stack subnets (R1.2)"
            if family == "ipv6"
            else "the IPv4 cluster's IPv6 egress needs node IPv6 addresses (R2.6)"
        )
        report([s for s in subnets if s.get("ip_mode") == "ipv4"], "IPv4-only", f"allowed: dual-stack subnets; {why}")
    if nodes:
        for role in ("public", "isolated"):
            report(
                [s for s in subnets if s.get("role") == role],
                role,
                "allowed: private subnets; nodes stay off the internet gateway (R7.7) and need NAT for IPv4 egress (R3.6)",
            )
    return errors


def _check_endpoint(public: bool, cidrs: list[pulumi.Input[str]] | None, family: str) -> list[ArgumentError]:
    if isinstance(cidrs, pulumi.Output):
        return []  # composed from outputs (a mesh peer's NAT gateways): known at deployment
    if not public:
        if cidrs:
            return [
                ArgumentError(
                    ("public_access_cidrs",), "set while the public endpoint is closed", "allowed: nothing, or endpoint_public_access true"
                )
            ]
        return []
    if not cidrs:
        return [
            ArgumentError(
                ("public_access_cidrs",),
                "missing while the public endpoint is open (AWS would open it to everyone)",
                "allowed: the CIDRs that may reach the API, e.g. [203.0.113.0/24] (R7.1)",
            )
        ]
    errors = []
    for i, cidr in enumerate(cidrs):
        if not isinstance(cidr, str):
            continue  # an output (a peer's NAT gateway address): known at deployment
        try:
            network = ipaddress.ip_network(cidr)
        except ValueError as exc:
            errors.append(ArgumentError(("public_access_cidrs", i), f"{cidr!r} is not a network ({exc})", "allowed: IPv4 or IPv6 CIDRs"))
            continue
        if network.version == 6 and family == "ipv4":
            errors.append(
                ArgumentError(
                    ("public_access_cidrs", i),
                    f"{cidr} is IPv6, which EKS refuses on an IPv4 cluster",
                    "allowed: IPv4 CIDRs on IPv4 clusters",
                )
            )
    return errors


def _check_private_access(cidrs: list[str], groups: list[pulumi.Input[str]]) -> list[ArgumentError]:
    errors = []
    for i, cidr in enumerate(cidrs):
        try:
            ipaddress.ip_network(cidr)
        except (TypeError, ValueError) as exc:
            errors.append(
                ArgumentError(
                    ("private_access_cidrs", i), f"{cidr!r} is not a network ({exc})", "allowed: IPv4 or IPv6 CIDRs, e.g. 10.0.0.0/8"
                )
            )
    for i, group in enumerate(groups):
        if isinstance(group, str) and not SECURITY_GROUP_ID.match(group):
            errors.append(
                ArgumentError(
                    ("private_access_security_group_ids", i), f"{group!r} is not a security group id", "allowed: sg-0123456789abcdef0"
                )
            )
    return errors


def open_endpoint_cidrs(cidrs: list[str] | None) -> list[str]:
    """The CIDRs that open the endpoint to the whole internet of a family (R7.1)."""
    out = []
    for cidr in cidrs or []:
        try:
            if ipaddress.ip_network(cidr).prefixlen == 0:
                out.append(cidr)
        except ValueError:
            continue
    return out


def _check_access_entries(entries: dict[str, AccessEntryArgs]) -> list[ArgumentError]:
    """Each entry's own fields, and one entry per principal: EKS refuses a second one (ResourceInUseException)."""
    errors = []
    owners: dict[str, str] = {}
    for name, entry in entries.items():
        errors += _check_access_entry(name, entry)
        principal = entry.get("principal_arn", "")
        if principal in owners:
            errors.append(
                ArgumentError(
                    ("access_entries", name, "principal_arn"),
                    f"{principal} already has the access entry {owners[principal]!r}; EKS allows one per principal and refuses the second at deploy time",
                    "allowed: one entry per principal, with all its policies",
                )
            )
        owners.setdefault(principal, name)
    return errors


def _check_access_entry(name: str, entry: AccessEntryArgs) -> list[ArgumentError]:
    path = ("access_entries", name)
    errors = []
    if not NAME.match(name):
        errors.append(ArgumentError(path, f"{name!r} is not a usable entry name", "allowed: lower-case letters, digits and '-'"))
    arn = entry.get("principal_arn", "")
    if not PRINCIPAL_ARN.match(arn):
        errors.append(
            ArgumentError(
                (*path, "principal_arn"),
                f"{arn!r} is not an IAM role or user ARN",
                "allowed: arn:aws:iam::<12-digit account>:role/<name> or :user/<name>",
            )
        )
    for i, policy in enumerate(entry.get("policies", [])):
        if not (ACCESS_POLICY_NAME.match(policy) or policy.startswith("arn:aws")):
            errors.append(
                ArgumentError(
                    (*path, "policies", i),
                    f"{policy!r} is not an EKS access policy",
                    "allowed: a name such as AmazonEKSClusterAdminPolicy, AmazonEKSAdminPolicy, AmazonEKSEditPolicy, AmazonEKSViewPolicy, or an ARN",
                )
            )
    return errors


def _check_node_group(name: str, group: NodeGroupArgs, family: str) -> list[ArgumentError]:
    path = ("node_groups", name)
    errors = []
    if not NAME.match(name):
        errors.append(
            ArgumentError(
                path, f"{name!r} is not a usable node group name", "allowed: lower-case letters, digits and '-', starting with a letter"
            )
        )
    types = group.get("instance_types") or []
    if not types:
        errors.append(ArgumentError((*path, "instance_types"), "no instance types", "allowed: at least one, e.g. [m7i.large]"))
    for i, instance_type in enumerate(types):
        where = (*path, "instance_types", i)
        if not INSTANCE_TYPE.match(instance_type):
            errors.append(ArgumentError(where, f"{instance_type!r} is not an instance type", "allowed: e.g. m7i.large"))
        elif family == "ipv6" and not is_nitro(instance_type):
            errors.append(
                ArgumentError(
                    where,
                    f"{instance_type} is a Xen-based type; IPv6 clusters need prefix delegation, which only Nitro offers (R1.12, R6.1)",
                    "allowed: a Nitro or bare-metal type, e.g. m7i.large, c7g.large",
                )
            )
    ami = group.get("ami_type", DEFAULT_AMI_TYPE)
    if ami.startswith("WINDOWS_") and family == "ipv6":
        errors.append(
            ArgumentError(
                (*path, "ami_type"),
                f"{ami}: Windows nodes cannot join IPv6 clusters (R1.11)",
                "allowed: an AL2023 or Bottlerocket AMI type; run Windows in the IPv4 cluster",
            )
        )
    elif ami not in AMI_ARCHITECTURE:
        why = "AL2 has no AMIs from Kubernetes 1.33" if ami.startswith("AL2_") else "not a supported EKS AMI type"
        errors.append(ArgumentError((*path, "ami_type"), f"{ami!r}: {why}", f"allowed: {', '.join(AMI_ARCHITECTURE)}"))
    else:
        for i, instance_type in enumerate(types):
            if INSTANCE_TYPE.match(instance_type) and architecture(instance_type) != AMI_ARCHITECTURE[ami]:
                errors.append(
                    ArgumentError(
                        (*path, "instance_types", i),
                        f"{instance_type} is {architecture(instance_type)} but ami_type {ami} is {AMI_ARCHITECTURE[ami]}",
                        "allowed: instance types of the AMI's architecture",
                    )
                )
    capacity = group.get("capacity_type", "ON_DEMAND")
    if capacity not in CAPACITY_TYPES:
        errors.append(ArgumentError((*path, "capacity_type"), f"{capacity!r}", "allowed: ON_DEMAND or SPOT"))
    low, high = group.get("min_size", 2), group.get("max_size", 4)
    desired = group.get("desired_size", low)
    if not (0 <= low <= desired <= high and high >= 1):
        errors.append(
            ArgumentError(
                (*path, "desired_size" if "desired_size" in group else "max_size"),
                f"min {low}, desired {desired}, max {high}",
                "allowed: 0 <= min_size <= desired_size <= max_size, max_size >= 1",
            )
        )
    disk = group.get("disk_size", 50)
    if not 20 <= disk <= 16384:
        errors.append(ArgumentError((*path, "disk_size"), f"{disk} GiB", "allowed: 20..16384"))
    hops = group.get("imds_hop_limit", 1)
    if hops not in (1, 2):
        errors.append(
            ArgumentError(
                (*path, "imds_hop_limit"), f"{hops}", "allowed: 1 (pods cannot reach node credentials) or 2 (pods may use IMDS) (R7.5)"
            )
        )
    for i, taint in enumerate(group.get("taints", [])):
        if taint.get("effect") not in TAINT_EFFECTS:
            errors.append(ArgumentError((*path, "taints", i, "effect"), f"{taint.get('effect')!r}", f"allowed: {', '.join(TAINT_EFFECTS)}"))
    return errors
