"""DualStackVpc under mocks: the IPv6 facts themselves - each /64, each route and its target."""

import ipaddress
import logging

import pytest

from ipv6_eks.dual_stack_vpc import TYPE_TOKEN, DualStackVpc
from ipv6_eks.errors import ArgumentError
from offline.harness import evaluate
from offline.mocks import AwsLikeMocks
from tests.conftest import registered_when_failing, routes_of, run_program

SUBNET = "aws:ec2/subnet:Subnet"
AZS = ["us-east-2a", "us-east-2b", "us-east-2c"]
IGW = "aws:ec2/internetGateway:InternetGateway"
NAT = "aws:ec2/natGateway:NatGateway"
EIGW = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"


def tiers(*extra):
    return [
        {"name": "public", "role": "public", "ipv4_prefix_length": 24},
        {"name": "private", "role": "private", "ipv4_prefix_length": 20},
        *extra,
    ]


def build(**args):
    args = {"ipv4_cidr": "10.0.0.0/16", "availability_zones": AZS, "tiers": tiers(), **args}
    holder = {}
    evaluation = run_program(lambda: holder.setdefault("vpc", DualStackVpc("net", args)))
    return evaluation, holder["vpc"]


@pytest.fixture(scope="module")
def single():
    return build()[0]


@pytest.fixture(scope="module")
def per_az():
    return build(
        nat_gateways="per-az",
        tiers=tiers(
            {"name": "data", "role": "isolated", "ipv4_prefix_length": 24},
            {"name": "egress", "role": "isolated", "ipv4_prefix_length": 24, "ipv6_egress": True},
            {"name": "v6only", "role": "private", "ip_mode": "ipv6-only"},
            {"name": "legacy", "role": "private", "ip_mode": "ipv4", "ipv4_prefix_length": 24},
        ),
    )[0]


def test_vpc_has_dns_and_an_amazon_provided_56(single):
    (vpc,) = single.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["assignGeneratedIpv6CidrBlock"] is True
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True  # R1.10
    assert ipaddress.IPv6Network(vpc.outputs["ipv6CidrBlock"]).prefixlen == 56


def test_every_child_is_parented_to_the_component(single):
    component = single.named(TYPE_TOKEN, "net")
    assert all(r.parent == component.urn for r in single.resources if r is not component)


def test_each_subnet_gets_its_64_from_the_vpc_block_and_auto_assigns_ipv6(single):
    block = ipaddress.IPv6Network(single.of_type("aws:ec2/vpc:Vpc")[0].outputs["ipv6CidrBlock"])
    expected = {f"net-public-{az}": i for i, az in enumerate(AZS)} | {f"net-private-{az}": 4 + i for i, az in enumerate(AZS)}
    for name, index in expected.items():
        subnet = single.named(SUBNET, name)
        assert subnet.inputs["ipv6CidrBlock"] == str(list(block.subnets(new_prefix=64))[index])
        assert subnet.inputs["assignIpv6AddressOnCreation"] is True  # R1.4
        assert subnet.inputs["enableDns64"] is False  # R3.8
        assert subnet.inputs["ipv6Native"] is False
        assert subnet.inputs["enableResourceNameDnsAaaaRecordOnLaunch"] is True
        assert subnet.inputs["mapPublicIpOnLaunch"] is False


def test_subnets_wait_for_the_vpc_ipv6_block(single):
    vpc = single.of_type("aws:ec2/vpc:Vpc")[0]
    for subnet in single.of_type(SUBNET):
        assert vpc.urn in subnet.dependencies  # R3.3
        assert vpc.urn in subnet.property_dependencies["ipv6CidrBlock"]


def test_public_routes_both_defaults_to_the_internet_gateway(single):
    for az in AZS:
        assert routes_of(single, f"net-public-{az}") == {"0.0.0.0/0": ("gatewayId", IGW), "::/0": ("gatewayId", IGW)}  # R3.5


def test_private_routes_ipv6_to_the_egress_only_gateway_and_ipv4_to_nat(single):
    for az in AZS:
        routes = routes_of(single, f"net-private-{az}")
        assert routes == {"0.0.0.0/0": ("natGatewayId", NAT), "::/0": ("egressOnlyGatewayId", EIGW)}  # R3.4, R3.7


def test_single_nat_gateway_sits_in_the_first_public_subnet(single):
    (nat,) = single.of_type(NAT)
    assert nat.inputs["subnetId"] == single.named(SUBNET, "net-public-us-east-2a").id
    assert nat.inputs["connectivityType"] == "public"
    assert nat.inputs["allocationId"] == single.of_type("aws:ec2/eip:Eip")[0].id
    assert single.of_type(IGW)[0].urn in nat.dependencies


def test_load_balancer_discovery_tags(single):
    for az in AZS:
        public = single.named(SUBNET, f"net-public-{az}").inputs["tags"]
        private = single.named(SUBNET, f"net-private-{az}").inputs["tags"]
        assert public["kubernetes.io/role/elb"] == "1" and "kubernetes.io/role/internal-elb" not in public  # R4.6
        assert private["kubernetes.io/role/internal-elb"] == "1" and "kubernetes.io/role/elb" not in private
        assert public["Name"] == f"test-net-public-{az}" and public["tier"] == "public"


def test_per_az_nat_routes_each_private_az_to_its_own_nat(per_az):
    nats = {n.inputs["subnetId"]: n for n in per_az.of_type(NAT)}
    assert len(nats) == 3
    for az in AZS:
        public_subnet = per_az.named(SUBNET, f"net-public-{az}")
        nat = nats[public_subnet.id]
        table = routes_of(per_az, f"net-private-{az}")
        assert table["0.0.0.0/0"] == ("natGatewayId", NAT)
        route = next(r for r in per_az.of_type("aws:ec2/route:Route") if r.name == f"net-private-{az}-ipv4-default")
        assert route.inputs["natGatewayId"] == nat.id


def test_isolated_tiers_have_no_egress_unless_asked(per_az):
    for az in AZS:
        assert routes_of(per_az, f"net-data-{az}") == {}
        assert routes_of(per_az, f"net-egress-{az}") == {"::/0": ("egressOnlyGatewayId", EIGW)}
        data = per_az.named(SUBNET, f"net-data-{az}").inputs["tags"]
        assert "kubernetes.io/role/elb" not in data and "kubernetes.io/role/internal-elb" not in data


def test_ipv6_only_tier_uses_dns64_nat64_and_resource_names(per_az):
    for az in AZS:
        subnet = per_az.named(SUBNET, f"net-v6only-{az}").inputs
        assert "cidrBlock" not in subnet
        assert subnet["ipv6Native"] is True and subnet["enableDns64"] is True  # R3.9
        assert subnet["privateDnsHostnameTypeOnLaunch"] == "resource-name"
        assert subnet["enableResourceNameDnsARecordOnLaunch"] is False
        assert subnet["assignIpv6AddressOnCreation"] is True
        assert routes_of(per_az, f"net-v6only-{az}") == {
            "::/0": ("egressOnlyGatewayId", EIGW),
            "64:ff9b::/96": ("natGatewayId", NAT),
        }


def test_ipv4_only_tier_has_no_ipv6(per_az):
    for az in AZS:
        subnet = per_az.named(SUBNET, f"net-legacy-{az}").inputs
        assert "ipv6CidrBlock" not in subnet and subnet["assignIpv6AddressOnCreation"] is False
        assert routes_of(per_az, f"net-legacy-{az}") == {"0.0.0.0/0": ("natGatewayId", NAT)}


def test_outputs():
    evaluation, vpc = build()
    outputs = {}
    import pulumi

    def grab(**values):
        outputs.update(values)

    run_program(
        lambda: pulumi.Output.all(
            subnet_ids=vpc.subnet_ids,
            by_az=vpc.subnet_ids_by_az,
            tables=vpc.route_table_ids,
            eigw=vpc.egress_only_gateway_id,
            igw=vpc.internet_gateway_id,
            nats=vpc.nat_gateway_ids,
            plan=vpc.address_plan,
            v6=vpc.ipv6_cidr_block,
            v4=vpc.ipv4_cidr_block,
            vpc_id=vpc.vpc_id,
        ).apply(lambda v: grab(**v))
    )
    ids = {r.name: r.id for r in evaluation.resources}
    assert outputs["subnet_ids"] == {
        "public": [ids[f"net-public-{az}"] for az in AZS],
        "private": [ids[f"net-private-{az}"] for az in AZS],
    }
    assert outputs["by_az"]["private"]["us-east-2b"] == ids["net-private-us-east-2b"]
    assert outputs["tables"] == {"public": [ids["net-public-rt"]], "private": [ids["net-private-rt"]]}
    assert outputs["eigw"] == ids["net-eigw"] and outputs["igw"] == ids["net-igw"]
    assert outputs["nats"] == [ids["net-nat-us-east-2a"]]
    assert outputs["vpc_id"] == ids["net"] and outputs["v4"] == "10.0.0.0/16"
    row = next(r for r in outputs["plan"] if r["tier"] == "private" and r["availability_zone"] == "us-east-2c")
    block = ipaddress.IPv6Network(outputs["v6"])
    assert row["ipv6_cidr"] == str(list(block.subnets(new_prefix=64))[6])
    assert row["routes"] == {"0.0.0.0/0": "nat-gateway", "::/0": "egress-only-gateway"}


def test_byoip_goes_through_a_cidr_association_that_subnets_wait_for():
    evaluation, _ = build(ipv6={"source": "byoip", "pool_id": "ipv6pool-ec2-0abc", "cidr": "2600:1f16:5de:8b00::/56"})
    vpc = evaluation.of_type("aws:ec2/vpc:Vpc")[0]
    assert "assignGeneratedIpv6CidrBlock" not in vpc.inputs
    (association,) = evaluation.of_type("aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation")
    assert association.inputs == {"vpcId": vpc.id, "ipv6Pool": "ipv6pool-ec2-0abc", "ipv6CidrBlock": "2600:1f16:5de:8b00::/56"}
    subnet = evaluation.named(SUBNET, "net-private-us-east-2a")
    assert subnet.inputs["ipv6CidrBlock"] == "2600:1f16:5de:8b04::/64"
    assert association.urn in subnet.dependencies  # R3.3


def test_ipam_pool_with_a_48():
    tiers_48 = [{"name": "public", "role": "public", "ipv4_prefix_length": 24, "ipv6_indexes": [256, 257, 258]}]
    evaluation, _ = build(
        tiers=tiers_48, nat_gateways="none", ipv6={"source": "ipam", "ipam_pool_id": "ipam-pool-0a", "netmask_length": 48}
    )
    vpc = evaluation.of_type("aws:ec2/vpc:Vpc")[0]
    assert vpc.inputs["ipv6IpamPoolId"] == "ipam-pool-0a" and vpc.inputs["ipv6NetmaskLength"] == 48
    block = ipaddress.IPv6Network(vpc.outputs["ipv6CidrBlock"])
    assert evaluation.named(SUBNET, "net-public-us-east-2b").inputs["ipv6CidrBlock"] == str(list(block.subnets(new_prefix=64))[257])


def test_existing_vpc_is_adopted_with_its_gateways():
    existing = {"vpc_id": "vpc-0existing", "ipv6_cidr_block": "2600:1f16:5de:8b00::/56", "egress_only_gateway_id": "eigw-0existing"}
    evaluation, _ = build(existing=existing)
    assert evaluation.of_type("aws:ec2/vpc:Vpc") == [] and evaluation.of_type(EIGW) == []
    assert len(evaluation.of_type(IGW)) == 1
    subnet = evaluation.named(SUBNET, "net-private-us-east-2a")
    assert subnet.inputs["vpcId"] == "vpc-0existing"
    assert subnet.inputs["ipv6CidrBlock"] == "2600:1f16:5de:8b04::/64"
    assert routes_of(evaluation, "net-private-us-east-2a")["::/0"] == ("egressOnlyGatewayId", "eigw-0existing")


def test_bad_arguments_register_nothing():
    error, registered = registered_when_failing(
        lambda: DualStackVpc(
            "net",
            {
                "ipv4_cidr": "10.0.0.0/16",
                "availability_zones": AZS,
                "tiers": [{"name": "public", "role": "public", "ipv4_prefix_length": 30}],
            },
        )
    )
    assert isinstance(error, ArgumentError)
    assert str(error) == "tiers[0].ipv4_prefix_length: /30 does not fit a subnet of the VPC 10.0.0.0/16; allowed: 16..28"
    assert registered == []


class DescribedVpc(AwsLikeMocks):
    """Mocks that describe the adopted VPC as AWS would."""

    def __init__(self, cidr, blocks, dns=True):
        super().__init__()
        self.vpc = {
            "cidrBlock": cidr,
            "ipv6CidrBlockAssociations": [{"ipv6CidrBlock": b, "associationId": "a", "state": "associated"} for b in blocks],
            "enableDnsSupport": dns,
            "enableDnsHostnames": dns,
            "id": "vpc-0existing",
        }

    def call(self, args):
        return self.vpc if args.token == "aws:ec2/getVpc:getVpc" else super().call(args)


@pytest.mark.parametrize(
    ("described", "problem"),
    [
        (DescribedVpc("10.0.0.0/16", ["2600:1f16:5de:8b00::/56"]), None),
        (
            DescribedVpc("10.9.0.0/16", ["2600:1f16:5de:8b00::/56"]),
            "existing VPC vpc-0existing: its IPv4 CIDR is 10.9.0.0/16, not ipv4_cidr 10.0.0.0/16",
        ),
        (
            DescribedVpc("10.0.0.0/16", ["2600:1f16:5de:9900::/56"]),
            "it has no IPv6 block 2600:1f16:5de:8b00::/56 (it has 2600:1f16:5de:9900::/56)",
        ),
        (
            DescribedVpc("10.0.0.0/16", ["2600:1f16:5de:8b00::/56"], dns=False),
            "DNS support is off, which EKS nodes and the private endpoint need (R1.10)",
        ),
    ],
)
def test_an_adopted_vpc_is_checked_against_what_aws_describes(described, problem, caplog):
    """A mismatch is a preview warning naming the difference; AWS then refuses what does not fit."""
    existing = {"vpc_id": "vpc-0existing", "ipv6_cidr_block": "2600:1f16:5de:8b00::/56"}
    args = {"ipv4_cidr": "10.0.0.0/16", "availability_zones": AZS, "tiers": tiers(), "existing": existing}
    with caplog.at_level(logging.WARNING):
        evaluate(lambda: DualStackVpc("net", args), stack="test", config={"aws:region": "us-east-2"}, mocks=described)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    if problem is None:
        assert warnings == []
    else:
        assert any(problem in w for w in warnings), warnings
