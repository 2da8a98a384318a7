"""Pulumi mocks that answer like AWS would, and a monitor that records the whole resource graph.

Used by the offline plan and the tests. The values are realistic in shape (``vpc-0…`` ids,
ARNs in account 123456789012, AZs of the real region, an Amazon-provided /56 from the region's
Amazon IPv6 range) and deterministic: the same program gives the same ids every run.

Amazon-provided /56s are handed out from a per-region base, in the order the stack file lists its
VPCs (else in registration order). In us-east-2 the first one is ``2600:1f16:5de:8b00::/56``,
the block of the reference layout in MISSION.md, so the plan of a stack that reproduces that
layout can be compared with it line by line.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

ACCOUNT_ID = "123456789012"
# The first Amazon-provided /56 handed out per region; later VPCs get the next /56s.
AMAZON_IPV6_BASES = {
    "us-east-1": "2600:1f18:6a1:7c00::/56",
    "us-east-2": "2600:1f16:5de:8b00::/56",
    "us-west-2": "2600:1f14:a3c:4100::/56",
    "eu-west-1": "2a05:d018:9b2:e600::/56",
    "eu-central-1": "2a05:d014:4c1:2d00::/56",
}
DEFAULT_IPV6_BASE = "2600:1f1c:100:100::/56"
# Zones per region with their AZ ids; regions not listed get three zones a, b, c.
REGION_ZONES = {
    "us-east-1": ["a", "b", "c", "d", "e", "f"],
    "us-west-1": ["a", "c"],
}
ZONE_ID_PREFIX = {
    "us-east-1": "use1",
    "us-east-2": "use2",
    "us-west-1": "usw1",
    "us-west-2": "usw2",
    "eu-west-1": "euw1",
    "eu-central-1": "euc1",
}

# Id prefixes AWS uses for each resource type.
ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc-",
    "aws:ec2/subnet:Subnet": "subnet-",
    "aws:ec2/routeTable:RouteTable": "rtb-",
    "aws:ec2/internetGateway:InternetGateway": "igw-",
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "eigw-",
    "aws:ec2/natGateway:NatGateway": "nat-",
    "aws:ec2/eip:Eip": "eipalloc-",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc-",
    "aws:ec2/route:Route": "r-rtb-",
    "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation": "vpc-cidr-assoc-",
    "aws:ec2/securityGroup:SecurityGroup": "sg-",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr-",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr-",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
}


def _hex(seed: str, length: int = 17) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


@dataclass
class RecordedResource:
    """One registration as the engine saw it: inputs, the mocked outputs, and how it is related."""

    urn: str
    type: str
    name: str
    id: str
    custom: bool
    parent: str
    provider: str
    protect: bool
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    outputs: dict[str, Any] = field(default_factory=dict)
    secret_outputs: frozenset[str] = frozenset()  # top-level output keys that are Pulumi secrets
    transforms: tuple[str, ...] = ()  # names of the transforms in the resource's options (mocks do not run them)


class AwsLikeMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and invokes the way AWS and pulumi-eks would."""

    def __init__(self, region: str = "us-east-2", vpc_order: list[str] | None = None) -> None:
        self.region = region
        self._lock = threading.Lock()
        self._next_block: dict[str, int] = {}
        self._public_ips: dict[str, str] = {}  # Elastic IP allocation id -> its address
        self._vpc_order = list(vpc_order or [])

    # -- invokes ------------------------------------------------------------------------------

    def call(self, args: pulumi.runtime.MockCallArgs):
        region = (args.args or {}).get("region") or self.region
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            letters = REGION_ZONES.get(region, ["a", "b", "c"])
            prefix = ZONE_ID_PREFIX.get(region, region.replace("-", "")[:5])
            return {
                "names": [f"{region}{z}" for z in letters],
                "zoneIds": [f"{prefix}-az{i + 1}" for i in range(len(letters))],
                "state": "available",
                "id": region,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/ci", "userId": "AIDAEXAMPLE", "id": ACCOUNT_ID}
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if args.token == "aws:eks/getCluster:getCluster":
            return self._existing_cluster(str((args.args or {}).get("name", "existing")), region)
        return {}

    @staticmethod
    def _existing_cluster(name: str, region: str) -> dict[str, Any]:
        """An IPv4 cluster made elsewhere, as ``aws eks describe-cluster`` shows it."""
        token = _hex(name).upper()
        return {
            "id": name,
            "name": name,
            "arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:cluster/{name}",
            "version": "1.34",
            "status": "ACTIVE",
            "endpoint": f"https://{token}.gr7.{region}.eks.amazonaws.com",
            "certificateAuthorities": [{"data": base64.b64encode(f"-----BEGIN CERTIFICATE-----\nMII{token}\n".encode()).decode()}],
            "kubernetesNetworkConfigs": [
                {"ipFamily": "ipv4", "serviceIpv4Cidr": "172.20.0.0/16", "serviceIpv6Cidr": "", "elasticLoadBalancings": []}
            ],
            "vpcConfigs": [],
            "vpcConfig": {
                "clusterSecurityGroupId": "sg-" + _hex(name + "eks-cluster-sg"),
                "controlPlaneEgressMode": "",
                "endpointPrivateAccess": True,
                "endpointPublicAccess": True,
                "publicAccessCidrs": ["0.0.0.0/0"],
                "securityGroupIds": [],
                "subnetIds": [],
                "vpcId": "",
            },
        }

    # -- resources ----------------------------------------------------------------------------

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        inputs = dict(args.inputs)
        seed = f"{args.typ}::{args.name}"
        if args.typ.startswith("pulumi:providers:"):
            return f"{args.name}-provider-id", inputs
        resource_id = ID_PREFIX.get(args.typ, "") + _hex(seed)
        outputs = {**inputs, "id": resource_id}
        outputs.update(self._computed(args.typ, args.name, inputs, resource_id))
        return resource_id, outputs

    def _computed(self, typ: str, name: str, inputs: dict[str, Any], resource_id: str) -> dict[str, Any]:
        region = inputs.get("region") or self.region
        arn_base = f"arn:aws:ec2:{region}:{ACCOUNT_ID}"
        if typ == "aws:ec2/vpc:Vpc":
            out = {"arn": f"{arn_base}:vpc/{resource_id}", "ownerId": ACCOUNT_ID, "mainRouteTableId": "rtb-" + _hex(name + "main")}
            block = inputs.get("ipv6CidrBlock")
            if inputs.get("assignGeneratedIpv6CidrBlock"):
                block = self._amazon_block(region, name=name)
            elif inputs.get("ipv6IpamPoolId") and not block:
                block = self._amazon_block(region, int(inputs.get("ipv6NetmaskLength") or 56), name=name)
            if block:
                out.update(ipv6CidrBlock=block, ipv6AssociationId="vpc-cidr-assoc-" + _hex(name + "v6"))
            return out
        if typ == "aws:ec2/subnet:Subnet":
            zone = inputs.get("availabilityZone", "")
            prefix = ZONE_ID_PREFIX.get(region, "az")
            return {
                "arn": f"{arn_base}:subnet/{resource_id}",
                "availabilityZoneId": f"{prefix}-az{ord(zone[-1]) - 96}" if zone else "",
                "ownerId": ACCOUNT_ID,
            }
        if typ == "aws:ec2/eip:Eip":
            n = int(_hex(name, 4), 16)
            with self._lock:
                self._public_ips[resource_id] = f"198.51.100.{n % 254 + 1}"
            return {"publicIp": self._public_ips[resource_id], "allocationId": resource_id}
        if typ == "aws:ec2/natGateway:NatGateway":
            # a public NAT gateway's address is its Elastic IP's
            public_ip = self._public_ips.get(inputs.get("allocationId", ""), "")
            return {"publicIp": public_ip, "privateIp": "10.0.0.10", "networkInterfaceId": "eni-" + _hex(name)}
        if typ in (
            "aws:ec2/internetGateway:InternetGateway",
            "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
            "aws:ec2/routeTable:RouteTable",
            "aws:ec2/securityGroup:SecurityGroup",
        ):
            kind = {
                "aws:ec2/internetGateway:InternetGateway": "internet-gateway",
                "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "egress-only-internet-gateway",
                "aws:ec2/routeTable:RouteTable": "route-table",
                "aws:ec2/securityGroup:SecurityGroup": "security-group",
            }[typ]
            return {"arn": f"{arn_base}:{kind}/{resource_id}", "ownerId": ACCOUNT_ID}
        if typ == "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation":
            return {"ipv6CidrBlock": inputs.get("ipv6CidrBlock") or self._amazon_block(region)}
        if typ == "aws:ec2/launchTemplate:LaunchTemplate":
            return {"arn": f"{arn_base}:launch-template/{resource_id}", "latestVersion": 1, "defaultVersion": 1}
        if typ == "aws:iam/role:Role":
            physical = inputs.get("name") or f"{name}-{_hex(name, 7)}"
            return {"name": physical, "arn": f"arn:aws:iam::{ACCOUNT_ID}:role/{physical}", "uniqueId": "AROA" + _hex(name, 17).upper()}
        if typ == "aws:iam/policy:Policy":
            physical = inputs.get("name") or f"{name}-{_hex(name, 7)}"
            return {"name": physical, "arn": f"arn:aws:iam::{ACCOUNT_ID}:policy/{physical}", "policyId": "ANPA" + _hex(name, 17).upper()}
        if typ == "aws:kms/key:Key":
            key_id = str(uuid.UUID(_hex(name, 32)))
            return {"keyId": key_id, "arn": f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{key_id}"}
        if typ == "aws:eks/addon:Addon":
            return {"arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:addon/{inputs.get('clusterName')}/{inputs.get('addonName')}/{_hex(name, 8)}"}
        if typ == "aws:eks/nodeGroup:NodeGroup":
            group = f"{inputs.get('nodeGroupNamePrefix', '')}{_hex(name, 20)}"
            return {
                "nodeGroupName": group,
                "status": "ACTIVE",
                "arn": f"arn:aws:eks:{region}:{ACCOUNT_ID}:nodegroup/{inputs.get('clusterName')}/{group}/{_hex(name, 8)}",
            }
        if typ == "eks:index:Cluster":
            return self._eks_cluster(name, inputs, region)
        if typ.startswith("tls:index/"):
            return _tls_outputs(typ, name)
        if typ == "kubernetes:core/v1:Secret" and inputs.get("type") == "kubernetes.io/service-account-token":
            # The token controller fills a service-account token Secret; pulumi-kubernetes waits for it.
            namespace = (inputs.get("metadata") or {}).get("namespace", "default")
            token = f"eyJhbGciOiJSUzI1NiJ9.{_hex(name, 40)}.{_hex(name + 'sig', 40)}"
            encode = lambda text: base64.b64encode(text.encode()).decode()  # noqa: E731
            return {"data": {"token": encode(token), "namespace": encode(namespace), "ca.crt": encode(_pem("CERTIFICATE", name + "ca"))}}
        return {}

    def _eks_cluster(self, name: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
        """pulumi-eks's outputs: a remote component is one opaque resource under mocks."""
        cluster = inputs.get("name") or name
        oidc_id = _hex(cluster, 32).upper()
        issuer = f"oidc.eks.{region}.amazonaws.com/id/{oidc_id}"
        endpoint = f"https://{oidc_id}.gr7.{region}.eks.amazonaws.com"
        ca = base64.b64encode(f"-----BEGIN CERTIFICATE-----\nMII{_hex(cluster, 40)}\n-----END CERTIFICATE-----\n".encode()).decode()
        kubeconfig = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "kubernetes", "cluster": {"server": endpoint, "certificate-authority-data": ca}}],
            "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
            "current-context": "aws",
            "users": [
                {
                    "name": "aws",
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": ["--region", region, "eks", "get-token", "--cluster-name", cluster, "--output", "json"],
                        }
                    },
                }
            ],
        }
        return {
            "kubeconfig": kubeconfig,
            "kubeconfigJson": json.dumps(kubeconfig),
            "oidcProviderArn": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{issuer}",
            "oidcProviderUrl": f"https://{issuer}",
            "oidcIssuer": issuer,
            "clusterSecurityGroupId": "sg-" + _hex(cluster + "cluster-sg"),
            "nodeSecurityGroupId": "sg-" + _hex(cluster + "cluster-sg"),
            "clusterIngressRuleId": "",
            "defaultNodeGroupAsgName": "",
            "fargateProfileId": "",
            "fargateProfileStatus": "",
            "autoModeNodeRoleName": "",
            "instanceRoles": [],
        }

    def _amazon_block(self, region: str, prefix: int = 56, name: str | None = None) -> str:
        """An Amazon-provided IPv6 block of ``region``: the n-th for the n-th VPC the stack file
        lists, else the next one not given out by position."""
        base = ipaddress.IPv6Network(AMAZON_IPV6_BASES.get(region, DEFAULT_IPV6_BASE))
        with self._lock:
            if name in self._vpc_order:
                n = self._vpc_order.index(name)
            else:
                n = self._next_block.get(region, len(self._vpc_order))
                self._next_block[region] = n + 1
        size = 1 << (128 - prefix)
        start = (int(base.network_address) >> (128 - prefix) << (128 - prefix)) + n * size
        return str(ipaddress.IPv6Network((start, prefix)))


def _pem(kind: str, seed: str) -> str:
    """A PEM-shaped stand-in: the right armour, a body unique to ``seed`` (no real key material)."""
    return f"-----BEGIN {kind}-----\nMII{_hex(seed, 60)}\n-----END {kind}-----\n"


def _tls_outputs(typ: str, name: str) -> dict[str, Any]:
    if typ == "tls:index/privateKey:PrivateKey":
        return {
            "privateKeyPem": _pem("RSA PRIVATE KEY", name),
            "publicKeyPem": _pem("PUBLIC KEY", name),
            "publicKeyFingerprintSha256": _hex(name, 32),
        }
    if typ == "tls:index/certRequest:CertRequest":
        return {"certRequestPem": _pem("CERTIFICATE REQUEST", name)}
    if typ in ("tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert"):
        return {
            "certPem": _pem("CERTIFICATE", name),
            "validityStartTime": "2026-11-30T00:00:00Z",
            "validityEndTime": "2036-11-30T00:00:00Z",
        }
    return {}


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that keeps each registration with its parent, provider and dependencies."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self.recorded: dict[str, RecordedResource] = {}

    def RegisterResource(self, request):
        response = super().RegisterResource(request)
        if request.type == "pulumi:pulumi:Stack":
            return response
        # The request as sent: resource references as the ids (or URNs) an analyzer would see.
        inputs = _plain(json_format.MessageToDict(request.object))
        registration = self.resources.get(response.urn)
        state = dict(registration.state) if registration else {}
        outputs = {**_plain(state), **inputs}
        recorded = RecordedResource(
            urn=response.urn,
            type=request.type,
            name=request.name,
            id=response.id,
            custom=bool(request.custom),
            parent=request.parent,
            provider=request.provider,
            protect=bool(request.protect),
            dependencies=list(request.dependencies),
            property_dependencies={k: list(v.urns) for k, v in request.propertyDependencies.items()},
            inputs=inputs,
            outputs=outputs,
            secret_outputs=frozenset(k for k, v in state.items() if rpc.is_rpc_secret(v)),
            transforms=tuple(getattr(fn, "__name__", repr(fn)) for fn in pulumi_mocks._resolve_callbacks(request.transforms)),
        )
        with self._lock:
            self.recorded[response.urn] = recorded
        return response

    def resources_of(self, typ: str) -> list[RecordedResource]:
        with self._lock:
            return [r for r in self.recorded.values() if r.type == typ]


def _plain(value: Any) -> Any:
    """Strip Pulumi wrappers (secrets, resource references) down to plain data for reports."""
    if rpc.is_rpc_secret(value):
        return _plain(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict) and value.get(rpc._special_sig_key) == rpc._special_resource_sig:
        return value.get("id") or value.get("urn")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return getattr(value, "_name", repr(value))
    return value
