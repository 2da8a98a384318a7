"""Run by tests/test_package.py with the python of a fresh virtualenv into which the repository
was pip-installed, from a directory outside the repository: the four components import from
``ipv6_eks`` and each one constructs under Pulumi's own mocks (not this project's). Prints one
JSON line: the package's version and file, and the type of every resource registered."""

import json
import unittest

import pulumi


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        outputs = dict(args.inputs)
        if args.typ == "eks:index:Cluster":
            kubeconfig = {"clusters": [{"name": "c", "cluster": {"server": "https://c.example", "certificate-authority-data": "Q0E="}}]}
            outputs |= {"kubeconfig": kubeconfig, "kubeconfigJson": json.dumps(kubeconfig), "eksCluster": None}
        if args.typ == "aws:ec2/eip:Eip":
            outputs["publicIp"] = "198.51.100.7"
        if args.typ.startswith("tls:index/"):  # what pulumi-tls computes
            pem = f"-----BEGIN {args.name}-----\n"
            outputs |= {"privateKeyPem": pem, "certPem": pem, "certRequestPem": pem}
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


registered: list[str] = []


class Recording(Mocks):
    def new_resource(self, args):
        registered.append(args.typ)
        return super().new_resource(args)


import pulumi_kubernetes as k8s  # noqa: E402

import ipv6_eks  # noqa: E402
from ipv6_eks import DualStackVpc, Ipv6EksCluster, IstioMultiPrimary, LbController  # noqa: E402


class Smoke(unittest.IsolatedAsyncioTestCase):
    """Pulumi's current unit-testing pattern: mocks set per test, each test on its own loop."""

    def setUp(self) -> None:
        pulumi.runtime.set_mocks(Recording(), project="consumer", stack="smoke", preview=False)

    @pulumi.runtime.test
    def test_construct_all(self):
        return construct_all()


def construct_all():
    zones = ["us-east-2a", "us-east-2b", "us-east-2c"]
    vpc = DualStackVpc(
        "net",
        {
            "ipv4_cidr": "10.0.0.0/16",
            "availability_zones": zones,
            "tiers": [
                {"name": "public", "role": "public", "ipv4_prefix_length": 24},
                {"name": "private", "role": "private", "ipv4_prefix_length": 20},
            ],
        },
    )
    cluster = Ipv6EksCluster(
        "k",
        {
            "vpc_id": vpc.vpc_id,
            "kubernetes_version": "1.35",
            "control_plane_subnets": vpc.tier_subnets("private"),
            "node_subnets": vpc.tier_subnets("private"),
            "endpoint_public_access": True,
            "public_access_cidrs": ["203.0.113.10/32"],
            "node_groups": {"general": {"instance_types": ["m7i.large"]}},
        },
    )
    LbController(
        "lbc",
        {
            "cluster_name": cluster.cluster_name,
            "ip_family": "ipv6",
            "region": "us-east-2",
            "vpc_id": vpc.vpc_id,
            "oidc_provider_arn": cluster.oidc_provider_arn,
            "oidc_issuer": cluster.oidc_issuer,
            "kubernetes_provider": cluster.provider,
            "cluster_security_group_id": cluster.cluster_security_group_id,
            "node_security_group_id": cluster.node_security_group_id,
            "subnets": vpc.load_balancer_subnets(),
        },
    )
    other = k8s.Provider("other", kubeconfig="{}")
    members = []
    for name, family, provider in (("a", "ipv4", other), ("b", "ipv6", cluster.provider)):
        members.append(
            {
                "name": name,
                "ip_family": family,
                "network": "one",
                "endpoint": f"https://{name}.example",
                "certificate_authority": "Q0E=",
                "kubernetes_provider": provider,
                "node_security_group_id": f"sg-{name}n",
                "cluster_security_group_id": f"sg-{name}c",
            }
        )
    IstioMultiPrimary("mesh", {"mesh_id": "m", "network_model": "single", "members": members})
    return vpc.vpc_id


if __name__ == "__main__":
    result = unittest.main(exit=False, argv=["package_smoke"]).result
    print(json.dumps({"ok": result.wasSuccessful(), "version": ipv6_eks.__version__, "file": ipv6_eks.__file__, "registered": registered}))
