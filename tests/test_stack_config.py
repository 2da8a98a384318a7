"""Typed stack configuration: every malformed stack file fails with one clear line per problem."""

import copy

import pytest

import stack_config
from stack_config import ConfigError, Zone, load

ZONES = [Zone("us-east-2a", "use2-az1"), Zone("us-east-2b", "use2-az2"), Zone("us-east-2c", "use2-az3")]


def zones(region):
    return ZONES


def base():
    return {
        "aws:region": "us-east-2",
        "ipv6-eks:vpcs": {
            "shared": {
                "ipv4Cidr": "10.230.0.0/16",
                "availabilityZones": 3,
                "azSlots": 3,
                "tiers": [
                    {"name": "public", "role": "public", "ipMode": "dualstack", "ipv4PrefixLength": 24},
                    {"name": "private", "role": "private", "ipv4PrefixLength": 22, "ipv4Offset": 4},
                    {"name": "database", "role": "isolated", "ipv4PrefixLength": 22},
                ],
            }
        },
    }


def mutate(path, value):
    config = copy.deepcopy(base())
    node = config
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return config


DELETE = object()
VPC = ("ipv6-eks:vpcs", "shared")


def problems(config, stack="dev"):
    with pytest.raises(ConfigError) as info:
        load(stack, config, zones)
    return info.value.lines


def test_valid_config_is_typed_and_planned():
    config = load("dev", base(), zones)
    assert config.region == "us-east-2" and config.production is False and config.stack_file == "Pulumi.dev.yaml"
    network = config.vpcs["shared"]
    assert network.args["availability_zones"] == ["us-east-2a", "us-east-2b", "us-east-2c"]
    assert [s.ipv4_cidr for s in network.plan.subnets][3:6] == ["10.230.16.0/22", "10.230.20.0/22", "10.230.24.0/22"]
    assert [s.ipv6_index for s in network.plan.subnets] == list(range(9))


def test_configured_zone_names_are_used_in_order():
    config = load("dev", mutate((*VPC, "availabilityZones"), ["us-east-2c", "us-east-2a"]), zones)
    assert config.vpcs["shared"].args["availability_zones"] == ["us-east-2c", "us-east-2a"]


def test_automatic_zones_skip_the_az_ids_eks_cannot_use():
    east1 = [Zone("us-east-1a", "use1-az3"), Zone("us-east-1b", "use1-az1"), Zone("us-east-1c", "use1-az2"), Zone("us-east-1d", "use1-az4")]
    config = load("dev", mutate(("aws:region",), "us-east-1"), lambda region: east1)
    assert config.vpcs["shared"].args["availability_zones"] == ["us-east-1b", "us-east-1c", "us-east-1d"]  # R1.6


def test_zone_names_are_accepted_when_the_region_lists_none():
    # Mocks that answer every invoke with nothing must not break stacks that name their zones.
    config = load("dev", mutate((*VPC, "availabilityZones"), ["us-east-2a", "us-east-2b"]), lambda region: [])
    assert config.vpcs["shared"].args["availability_zones"] == ["us-east-2a", "us-east-2b"]


CASES = [
    # (path, value, expected line)
    ((*VPC, "ipv4Cidr"), "10.230.0.0/33", "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv4Cidr: '10.230.0.0/33' is not an IPv4 network"),
    (
        (*VPC, "ipv4Cidr"),
        "10.224.0.0/12",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv4Cidr: 10.224.0.0/12 is a /12; allowed: a VPC IPv4 CIDR from /16 to /28",
    ),
    (
        (*VPC, "tiers", 0, "ipv4PrefixLength"),
        29,
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[0].ipv4PrefixLength: /29 does not fit a subnet of the VPC 10.230.0.0/16; allowed: 16..28",
    ),
    (
        (*VPC, "tiers", 2, "ipv4PrefixLength"),
        17,
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[2].ipv4PrefixLength: tier 'database' needs 3 x /17 from 10.230.128.0 but the VPC 10.230.0.0/16 ends at 10.230.255.255; allowed: a longer prefix, fewer azSlots, an earlier ipv4Offset or a larger VPC CIDR",
    ),
    (
        (*VPC, "tiers", 1, "ipv4Offset"),
        0,
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[1].ipv4Offset: tier 'private' (10.230.0.0-10.230.11.255) overlaps tier 'public' (10.230.0.0-10.230.2.255), counting 3 AZ slots per tier; allowed: an ipv4Offset past the other tier's block",
    ),
    (
        (*VPC, "availabilityZones"),
        1,
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.availabilityZones: 1 availability zone(s); allowed: at least 2 (EKS needs subnets in two AZs, R1.6)",
    ),
    (
        (*VPC, "availabilityZones"),
        4,
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.availabilityZones: 4 availability zones, but the region has 3 that EKS can use (us-east-2a, us-east-2b, us-east-2c); allowed: 2..3",
    ),
    (
        (*VPC, "availabilityZones"),
        ["us-east-2a", "us-east-2x"],
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.availabilityZones[1]: 'us-east-2x' is not an availability zone of the region; allowed: us-east-2a, us-east-2b, us-east-2c",
    ),
    (
        (*VPC, "availabilityZones"),
        "three",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.availabilityZones: 'three' is neither a count nor a list of zone names; allowed: a number such as 3, or names such as [us-east-2a, us-east-2b]",
    ),
    (
        (*VPC, "ipv6"),
        {"source": "ipam", "ipamPoolId": "ipam-pool-0a", "netmaskLength": 50},
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv6.netmaskLength: /50 is not an IPAM VPC block size; allowed: 44, 48, 52, 56 or 60 (R3.1)",
    ),
    (
        (*VPC, "ipv6"),
        {"source": "ipam", "ipamPoolId": "ipam-pool-0a", "netmaskLength": 64},
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv6.netmaskLength: /64 is not an IPAM VPC block size",
    ),
    (
        (*VPC, "tiers", 1, "ipv6Indexes"),
        [3, 4, 256],
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[1].ipv6Indexes[2]: /64 index 256 is outside the VPC's /56; allowed: 0..255",
    ),
    (
        (*VPC, "tiers", 2, "name"),
        "public",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[2].name: 'public' is already the name of tiers[0]; allowed: a unique name per tier",
    ),
    (
        (*VPC, "tiers", 0, "ipv4PrefixLenght"),
        24,
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[0].ipv4PrefixLenght: unknown key; did you mean 'ipv4PrefixLength'? allowed: ipMode, ipv4Offset, ipv4PrefixLength, ipv6Egress, ipv6Indexes, name, role",
    ),
    (
        (*VPC, "natGateway"),
        "single",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.natGateway: unknown key; did you mean 'natGateways'? allowed: availabilityZones, azSlots, existing, ipv4Cidr, ipv6, natGateways, tiers",
    ),
    (("ipv6-eks:vpc",), {}, "Pulumi.dev.yaml: ipv6-eks:vpc: unknown key; did you mean 'vpcs'? allowed:"),
    (
        (*VPC, "ipv6"),
        {"source": "ipam", "ipamPoolID": "x"},
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv6.ipamPoolID: unknown key; did you mean 'ipamPoolId'?",
    ),
    (
        (*VPC, "tiers", 0, "ipv4PrefixLength"),
        "24",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[0].ipv4PrefixLength: '24' is a string; allowed: a whole number",
    ),
    ((*VPC, "azSlots"), True, "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.azSlots: True is a boolean; allowed: a whole number"),
    ((*VPC, "tiers"), {"name": "x"}, "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers: {'name': 'x'} is a mapping; allowed: a list"),
    (
        (*VPC, "tiers", 0, "role"),
        "dmz",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[0].role: 'dmz' is not allowed; allowed: 'public', 'private' or 'isolated'",
    ),
    (
        (*VPC, "natGateways"),
        "per-zone",
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.natGateways: 'per-zone' is not allowed; allowed: 'none', 'single' or 'per-az'",
    ),
    ((*VPC, "ipv4Cidr"), DELETE, "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv4Cidr: missing; allowed: this key is required"),
    (("aws:region",), DELETE, "Pulumi.dev.yaml: aws:region: missing; allowed: an AWS region such as us-east-2"),
    (("ipv6-eks:vpcs",), {}, "Pulumi.dev.yaml: ipv6-eks:vpcs: no VPCs; allowed: at least one"),
    (
        ("ipv6-eks:vpcs",),
        {"Shared": base()["ipv6-eks:vpcs"]["shared"]},
        "Pulumi.dev.yaml: ipv6-eks:vpcs: 'Shared' is not a usable VPC name",
    ),
    (("ipv6-eks:production",), "yes", "Pulumi.dev.yaml: ipv6-eks:production: 'yes' is a string; allowed: true or false"),
]


@pytest.mark.parametrize(("path", "value", "expected"), CASES, ids=[c[2].split(": ")[1] + "=" + repr(c[1])[:20] for c in CASES])
def test_each_problem_is_one_line_naming_the_key(path, value, expected):
    lines = problems(mutate(path, value))
    assert any(line.startswith(expected) for line in lines), lines
    assert all(line.startswith("Pulumi.dev.yaml: ") and "allowed" in line for line in lines)
    assert all("\n" not in line and "Traceback" not in line for line in lines)


def test_ipv6_only_tier_without_nat_gateway():
    config = mutate((*VPC, "natGateways"), "none")
    config["ipv6-eks:vpcs"]["shared"]["tiers"].append({"name": "v6", "role": "private", "ipMode": "ipv6-only"})
    assert problems(config) == [
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.tiers[3].ipMode: the IPv6-only tier 'v6' has no NAT gateway to carry NAT64 "
        "(64:ff9b::/96) with natGateways 'none'; allowed: natGateways single or per-az, or role isolated (R3.9)"
    ]


def test_overlapping_vpcs_of_one_stack():
    config = base()
    config["ipv6-eks:production"] = True
    config["ipv6-eks:vpcs"]["second"] = {**config["ipv6-eks:vpcs"]["shared"], "ipv4Cidr": "10.230.128.0/17"}
    assert problems(config, "prod") == [
        "Pulumi.prod.yaml: ipv6-eks:vpcs.second.ipv4Cidr: 10.230.128.0/17 overlaps 10.230.0.0/16 of VPC 'shared'; "
        "allowed: non-overlapping IPv4 CIDRs, so the VPCs can be peered and the mesh can route between them"
    ]


def test_all_problems_are_reported_at_once():
    config = mutate((*VPC, "natGateway"), "x")
    config["ipv6-eks:vpcs"]["shared"]["tiers"][0]["role"] = "dmz"
    config["ipv6-eks:typo"] = 1
    assert len(problems(config)) == 3


def test_pulumi_runtime_values_are_decoded():
    assert stack_config.decode('{"a": [1, true]}') == {"a": [1, True]}
    assert stack_config.decode("true") is True
    assert stack_config.decode("us-east-2") == "us-east-2"


# ---- clusters ---------------------------------------------------------------------------------


def with_clusters(**clusters):
    config = base()
    config["ipv6-eks:clusters"] = clusters
    return config


def cluster(**overrides):
    spec = {"vpc": "shared", "kubernetesVersion": "1.34", "nodeGroups": {"general": {"instanceTypes": ["m7i.large"]}}}
    spec.update(overrides)
    return spec


def test_clusters_are_planned_with_their_tiers_and_component_arguments():
    config = load("prod", {**with_clusters(legacy=cluster(ipFamily="ipv4"), modern=cluster()), "ipv6-eks:production": True}, zones)
    legacy, modern = config.clusters["legacy"], config.clusters["modern"]
    assert (legacy.vpc, legacy.control_plane_tier, legacy.node_tier) == ("shared", "private", "private")
    assert legacy.args == {
        "kubernetes_version": "1.34",
        "ip_family": "ipv4",
        "node_groups": {"general": {"instance_types": ["m7i.large"]}},
        "deletion_protection": True,
        "protect_control_plane": True,  # production: the IPv4 control plane and its key too
    }
    assert "ip_family" not in modern.args  # the component's default, ipv6


CLUSTER_CASES = [
    (
        {"nodeGroups": {"general": {"instanceTypes": ["m4.large"]}}},
        "ipv6-eks:clusters.modern.nodeGroups.general.instanceTypes[0]: m4.large is a Xen-based type; IPv6 clusters need prefix delegation, which only Nitro offers (R1.12, R6.1); allowed: a Nitro or bare-metal type, e.g. m7i.large, c7g.large",
    ),
    (
        {"nodeGroups": {"general": {"instanceTypes": ["m7i.large"], "amiType": "WINDOWS_FULL_2022_x86_64"}}},
        "ipv6-eks:clusters.modern.nodeGroups.general.amiType: WINDOWS_FULL_2022_x86_64: Windows nodes cannot join IPv6 clusters (R1.11)",
    ),
    ({"nodeTier": "database"}, None),  # isolated tier: see the dedicated test below
    (
        {"nodeTier": "public"},
        "ipv6-eks:clusters.modern.nodeTier: tier 'public': public subnets in us-east-2a, us-east-2b, us-east-2c; allowed: private subnets",
    ),
    (
        {"kubernetesVersion": "1.28"},
        "ipv6-eks:clusters.modern.kubernetesVersion: '1.28' is not a Kubernetes version EKS supports; allowed: 1.32, 1.33, 1.34, 1.35, 1.36 (as a string)",
    ),
    (
        {"kubernetesVersion": 1.34},
        'ipv6-eks:clusters.modern.kubernetesVersion: 1.34 is a number (YAML reads 1.30 as 1.3); allowed: a quoted version such as "1.34"',
    ),
    (
        {"serviceIpv4Cidr": "172.20.0.0/16"},
        "ipv6-eks:clusters.modern.serviceIpv4Cidr: set on an IPv6 cluster; allowed: nothing; EKS assigns an IPv6 cluster's service range from fc00::/7 (R1.9)",
    ),
    ({"vpc": "other"}, "ipv6-eks:clusters.modern.vpc: 'other' is not a VPC of this stack; allowed: shared"),
    (
        {"nodeTier": "privat"},
        "ipv6-eks:clusters.modern.nodeTier: 'privat' is not a tier of VPC 'shared'; allowed: database, private, public",
    ),
    ({"nodeGroup": {}}, "ipv6-eks:clusters.modern.nodeGroup: unknown key; did you mean 'nodeGroups'?"),
    (
        {"endpointPublicAccess": True},
        "ipv6-eks:clusters.modern.publicAccessCidrs: missing while the public endpoint is open (AWS would open it to everyone)",
    ),
    ({"ipFamily": "dual"}, "ipv6-eks:clusters.modern.ipFamily: 'dual' is not allowed; allowed: 'ipv6' or 'ipv4'"),
]


@pytest.mark.parametrize(("overrides", "expected"), [c for c in CLUSTER_CASES if c[1]])
def test_each_cluster_problem_is_one_line(overrides, expected):
    lines = problems(with_clusters(modern=cluster(**overrides)))
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


def test_nodes_refuse_the_isolated_tier_and_ipv4_only_tiers():
    lines = problems(with_clusters(modern=cluster(nodeTier="database")))
    assert lines == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.nodeTier: tier 'database': isolated subnets in us-east-2a, us-east-2b, us-east-2c; allowed: private subnets; nodes stay off the internet gateway (R7.7) and need NAT for IPv4 egress (R3.6)"
    ]
    config = base()
    config["ipv6-eks:vpcs"]["shared"]["tiers"].append({"name": "legacy", "role": "private", "ipMode": "ipv4", "ipv4PrefixLength": 24})
    config["ipv6-eks:clusters"] = {"old": cluster(ipFamily="ipv4", nodeTier="legacy")}
    assert problems(config) == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.old.nodeTier: tier 'legacy': IPv4-only subnets in us-east-2a, us-east-2b, us-east-2c; allowed: dual-stack subnets; the IPv4 cluster's IPv6 egress needs node IPv6 addresses (R2.6)"
    ]


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_an_open_endpoint_is_refused_in_production_only(cidr):
    spec = cluster(endpointPublicAccess=True, publicAccessCidrs=["203.0.113.0/24", cidr])
    assert load("dev", with_clusters(modern=spec), zones).clusters["modern"].args["public_access_cidrs"][1] == cidr
    lines = problems({**with_clusters(modern=spec), "ipv6-eks:production": True}, "prod")
    assert lines == [
        f"Pulumi.prod.yaml: ipv6-eks:clusters.modern.publicAccessCidrs: {cidr} opens a production API endpoint to the internet; allowed: the CIDRs that need the API, or endpointPublicAccess false (R7.1)"
    ]


def test_node_tiers_need_ipv4_egress_and_china_has_no_ipv6_clusters():
    config = with_clusters(modern=cluster())
    config["ipv6-eks:vpcs"]["shared"]["natGateways"] = "none"
    assert problems(config) == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.nodeTier: tier 'private' has no IPv4 route out, so nodes cannot reach ECR, STS or EC2 "
        "and never join; allowed: a private tier with a NAT gateway (natGateways single or per-az) (R3.6, R1.16)"
    ]
    china = {**with_clusters(modern=cluster()), "aws:region": "cn-north-1"}
    china["ipv6-eks:vpcs"]["shared"]["availabilityZones"] = ["cn-north-1a", "cn-north-1b"]
    with pytest.raises(ConfigError) as info:
        load("dev", china, lambda region: [])
    assert info.value.lines == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.ipFamily: ipv6 in cn-north-1; EKS has no IPv6 clusters in the China Regions; allowed: ipv4 there (R1.8)"
    ]


def test_zone_lookups_that_describe_another_region_still_accept_names_but_a_count_needs_zones():
    # A lookup answering for another region (or nothing) cannot judge us-east-2 names ...
    other = lambda region: [Zone("eu-west-1a", "euw1-az1")]  # noqa: E731
    config = load("dev", mutate((*VPC, "availabilityZones"), ["us-east-2a", "us-east-2b"]), other)
    assert config.vpcs["shared"].args["availability_zones"] == ["us-east-2a", "us-east-2b"]
    # ... but a count cannot be turned into names without one: say so, once, instead of "region has 0".
    with pytest.raises(ConfigError) as info:
        load("dev", base(), lambda region: [])
    assert info.value.lines == [
        "Pulumi.dev.yaml: ipv6-eks:vpcs.shared.availabilityZones: a count, but the region's availability zones could not be listed; "
        "allowed: zone names, e.g. [us-east-2a, us-east-2b, us-east-2c]"
    ]


def test_a_bad_ipam_netmask_is_one_line_not_two():
    config = mutate((*VPC, "ipv6"), {"source": "ipam", "ipamPoolId": "ipam-pool-0123456789abcdef0", "netmaskLength": 64})
    lines = problems(config)
    assert len(lines) == 1 and lines[0].startswith("Pulumi.dev.yaml: ipv6-eks:vpcs.shared.ipv6.netmaskLength: "), lines


def test_architecture_names_are_not_camel_cased_in_messages():
    spec = cluster(nodeGroups={"general": {"instanceTypes": ["m7g.large"], "amiType": "AL2023_x86_64_STANDARD"}})
    lines = problems(with_clusters(modern=spec))
    assert len(lines) == 1 and "x86_64" in lines[0] and "x86On64" not in lines[0] and "x8664" not in lines[0], lines


def test_the_eks_cluster_name_comes_from_stack_and_cluster_and_must_suit_eks_and_iam():
    assert load("dev", with_clusters(modern=cluster()), zones).clusters["modern"]
    for stack in ("team.dev", "a-very-long-stack-name-that-nobody-should-type-twice-x"):
        with pytest.raises(ConfigError) as info:
            load(stack, with_clusters(modern=cluster()), zones)
        assert info.value.lines == [
            f"Pulumi.{stack}.yaml: ipv6-eks:clusters.modern: the EKS cluster name '{stack}-modern' (stack name, '-', component name) "
            "is not usable; allowed: letters, digits, '-' and '_', starting with a letter or digit, at most 55 characters"
        ]
