"""Who may reach each cluster's API, who is cluster admin, and the CIDR relations EKS refuses:
stack keys -> Ipv6EksCluster arguments, and one line per mistake."""

import pytest

from stack_config import load
from stack_config.cluster import ClusterConfig, plan_cluster
from stack_config.deployer import DeployerConfig
from tests.test_stack_config import base, cluster, problems, with_clusters, zones

DEPLOYER_ROLE = "arn:aws:iam::111122223333:role/deployer"


def planned(stack="dev", **clusters):
    return load(stack, with_clusters(**clusters), zones).clusters


def with_deployer(deployer, production=False, **clusters):
    config = with_clusters(**clusters)
    config["ipv6-eks:deployer"] = deployer
    if production:
        config["ipv6-eks:production"] = True
    return config


def plan(cluster_keys, deployer=None, *, production=False, needed=True):
    """One cluster planned as if it held Kubernetes resources (the load balancer controller, the mesh)."""
    networks = load("dev", base(), zones).vpcs
    return plan_cluster(
        "modern",
        ClusterConfig.model_validate(cluster(**cluster_keys)),
        networks,
        production=production,
        region="us-east-2",
        deployer=DeployerConfig.model_validate(deployer) if deployer else None,
        holds_kubernetes_resources=needed,
    )


def test_a_public_deployer_is_admitted_by_every_cluster_in_its_families():
    config = load(
        "dev",
        with_deployer(
            {"endpoint": "public", "cidrs": ["198.51.100.7/32", "2001:db8:1::/48"]}, modern=cluster(), old=cluster(ipFamily="ipv4")
        ),
        zones,
    )
    modern, old = config.clusters["modern"].args, config.clusters["old"].args
    assert modern["endpoint_public_access"] is True and modern["public_access_cidrs"] == ["198.51.100.7/32", "2001:db8:1::/48"]
    # the public endpoint of an IPv4 cluster is IPv4-only: the IPv6 CIDR would be refused by EKS
    assert old["endpoint_public_access"] is True and old["public_access_cidrs"] == ["198.51.100.7/32"]
    assert "private_access_cidrs" not in modern


def test_a_private_deployer_gets_443_through_the_cluster_security_group():
    deployer = {"endpoint": "private", "cidrs": ["10.99.0.0/24", "fd00:99::/64"], "securityGroupIds": ["sg-0123456789abcdef0"]}
    args = load("dev", with_deployer(deployer, modern=cluster(privateAccessCidrs=["10.50.0.0/16"])), zones).clusters["modern"].args
    assert args["private_access_cidrs"] == ["10.50.0.0/16", "10.99.0.0/24", "fd00:99::/64"]
    assert args["private_access_security_group_ids"] == ["sg-0123456789abcdef0"]
    assert "endpoint_public_access" not in args and "public_access_cidrs" not in args


def test_a_cluster_holding_kubernetes_resources_needs_a_way_in_for_the_deployer():
    # the load balancer controller is installed through the API of a private-only cluster: nobody gets in
    assert problems(with_clusters(modern=cluster(loadBalancerController={}), old=cluster(ipFamily="ipv4", webSample={}))) == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.old.webSample: set without loadBalancerController, which makes its ALB; "
        "allowed: add loadBalancerController: {} to the cluster",
        "Pulumi.dev.yaml: ipv6-eks:deployer: missing, and cluster(s) modern, old hold Kubernetes resources that pulumi up installs "
        "through their API, which admits nothing but their nodes; allowed: ipv6-eks:deployer {endpoint: public, cidrs: [...]} or "
        "{endpoint: private, cidrs/securityGroupIds: [...]}, or publicAccessCidrs / privateAccessCidrs on each of those clusters",
    ]
    # a cluster whose own keys let someone in is taken at its word; one with nothing in the cluster needs nothing
    open_cluster = cluster(loadBalancerController={}, privateAccessCidrs=["10.99.0.0/16"])
    assert load("dev", with_clusters(modern=open_cluster, plain=cluster()), zones).clusters["modern"].load_balancer_controller == {}
    _, errors = plan({"endpointPublicAccess": False}, {"endpoint": "public", "cidrs": ["198.51.100.7/32"]})
    assert [e.render(camel=True).split(";")[0] for e in errors] == [
        "endpointPublicAccess: false, but ipv6-eks:deployer reaches the clusters through their public endpoints and this cluster holds Kubernetes resources"
    ]
    _, errors = plan({"ipFamily": "ipv4"}, {"endpoint": "public", "cidrs": ["2001:db8::/32"]})
    assert "the deployer's cidrs are all IPv6, but the public endpoint of an IPv4 cluster is IPv4-only" in errors[0].render()
    planned_ok, errors = plan({}, {"endpoint": "private", "securityGroupIds": ["sg-0123456789abcdef0"]})
    assert errors == [] and planned_ok.args["private_access_security_group_ids"] == ["sg-0123456789abcdef0"]
    assert plan({}, needed=False)[1] == []


@pytest.mark.parametrize(
    ("deployer", "expected"),
    [
        ({"endpoint": "public"}, "ipv6-eks:deployer.cidrs: missing for a deployer that reaches the public endpoints"),
        (
            {"endpoint": "public", "cidrs": ["198.51.100.7/32"], "securityGroupIds": ["sg-0123456789abcdef0"]},
            "ipv6-eks:deployer.securityGroupIds: set for a deployer that reaches the public endpoints",
        ),
        ({"endpoint": "private"}, "ipv6-eks:deployer.cidrs: neither cidrs nor securityGroupIds"),
        ({"endpoint": "public", "cidrs": ["198.51.100.300/32"]}, "ipv6-eks:deployer.cidrs[0]: '198.51.100.300/32' is not a network"),
        ({"endpoint": "vpn", "cidrs": []}, "ipv6-eks:deployer.endpoint: 'vpn' is not allowed; allowed: 'public' or 'private'"),
        ({"endpoint": "public", "cidr": ["1.2.3.4/32"]}, "ipv6-eks:deployer.cidr: unknown key; did you mean 'cidrs'?"),
    ],
)
def test_deployer_mistakes_are_one_line_each(deployer, expected):
    lines = problems(with_deployer(deployer, modern=cluster()))
    assert any(line.startswith(f"Pulumi.dev.yaml: {expected}") for line in lines), lines


def test_production_never_opens_an_endpoint_to_everyone():
    lines = problems(with_deployer({"endpoint": "public", "cidrs": ["0.0.0.0/0"]}, production=True, modern=cluster()), "prod")
    assert lines[0] == (
        "Pulumi.prod.yaml: ipv6-eks:deployer.cidrs[0]: 0.0.0.0/0 would open every production API endpoint to the internet; "
        "allowed: the deployer's own egress addresses (R7.1)"
    )
    config = with_clusters(modern=cluster(privateAccessCidrs=["::/0"]))
    config["ipv6-eks:production"] = True
    assert problems(config, "prod") == [
        "Pulumi.prod.yaml: ipv6-eks:clusters.modern.privateAccessCidrs: ::/0 opens a production API endpoint to every network that "
        "can route to it; allowed: the CIDRs of the bastions, VPNs and runners that need the API (R7.1)"
    ]
    # dev may: a laptop's address is not known in advance
    assert planned(modern=cluster(privateAccessCidrs=["::/0"]))["modern"].args["private_access_cidrs"] == ["::/0"]


def test_private_access_keys_are_checked():
    lines = problems(with_clusters(modern=cluster(privateAccessCidrs=["10.0.0.0/8", "fd00::/129"], privateAccessSecurityGroupIds=["sg-x"])))
    assert lines == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.privateAccessCidrs[1]: 'fd00::/129' is not a network "
        "('fd00::/129' does not appear to be an IPv4 or IPv6 network); allowed: IPv4 or IPv6 CIDRs, e.g. 10.0.0.0/8",
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.privateAccessSecurityGroupIds[0]: 'sg-x' is not a security group id; allowed: sg-0123456789abcdef0",
    ]


def test_the_creator_admin_is_an_explicit_choice_and_duplicates_are_refused_before_deploying():
    deployer = {"endpoint": "public", "cidrs": ["198.51.100.7/32"], "principalArn": DEPLOYER_ROLE}
    # EKS made the creator admin already: a second entry for it fails with ResourceInUseException
    duplicate = cluster(accessEntries={"ci": {"principalArn": "arn:aws:iam::111122223333:role/automation/deployer"}})
    lines = problems(with_deployer(deployer, modern=duplicate))
    assert lines == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.accessEntries.ci.principalArn: arn:aws:iam::111122223333:role/automation/deployer is "
        "the deployer (ipv6-eks:deployer.principalArn), which EKS already made cluster admin as the creator; a second access entry for "
        "it fails with ResourceInUseException; allowed: drop this entry, or clusterCreatorAdmin false and keep it"
    ]
    # without the bootstrap admin, the deployer needs its own entry with the cluster admin policy
    _, errors = plan({"clusterCreatorAdmin": False}, deployer)
    assert (
        errors[0]
        .render(camel=True)
        .startswith(
            "clusterCreatorAdmin: false, so nobody is cluster admin unless an access entry says so, and no access entry gives the deployer "
            f"(ipv6-eks:deployer.principalArn: {DEPLOYER_ROLE}) AmazonEKSClusterAdminPolicy"
        )
    )
    viewer = {"ci": {"principalArn": DEPLOYER_ROLE, "policies": ["AmazonEKSViewPolicy"]}}
    assert plan({"clusterCreatorAdmin": False, "accessEntries": viewer}, deployer)[1] != []
    admin = {"ci": {"principalArn": DEPLOYER_ROLE}}
    planned_ok, errors = plan({"clusterCreatorAdmin": False, "accessEntries": admin}, deployer)
    assert errors == [] and planned_ok.args["cluster_creator_admin"] is False
    # two entries for one principal are refused in any case
    twice = {"a": {"principalArn": DEPLOYER_ROLE}, "b": {"principalArn": DEPLOYER_ROLE, "policies": ["AmazonEKSViewPolicy"]}}
    assert any("already has the access entry 'a'" in line for line in problems(with_clusters(modern=cluster(accessEntries=twice))))


def test_authentication_mode_api_and_config_map_is_refused_with_the_reason():
    assert problems(with_clusters(modern=cluster(authenticationMode="API_AND_CONFIG_MAP"))) == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.authenticationMode: 'API_AND_CONFIG_MAP': pulumi-eks would then force-overwrite "
        "kube-system/aws-auth with an empty mapping through its own connection to the API, and fail wherever that API is not "
        "reachable; allowed: API (grant access with accessEntries)"
    ]


@pytest.mark.parametrize(
    ("service", "overlapped"),
    [
        ("10.230.0.0/16", "10.230.0.0/16 of the cluster's VPC"),
        ("10.230.64.0/20", "10.230.0.0/16 of the cluster's VPC"),
        ("10.231.0.0/24", "10.231.0.0/16 of VPC 'other' of this stack"),
    ],
)
def test_a_service_range_inside_a_vpc_is_refused(service, overlapped):
    config = with_clusters(old=cluster(ipFamily="ipv4", serviceIpv4Cidr=service))
    config["ipv6-eks:vpcs"]["other"] = {
        "ipv4Cidr": "10.231.0.0/16",
        "availabilityZones": 3,
        "natGateways": "none",
        "tiers": [{"name": "private", "role": "isolated", "ipv4PrefixLength": 20}],
    }
    assert problems(config) == [
        f"Pulumi.dev.yaml: ipv6-eks:clusters.old.serviceIpv4Cidr: {service} overlaps {overlapped}; EKS refuses a service range inside "
        "the VPC's addresses; allowed: a private /12../24 outside every VPC of the stack, e.g. 172.20.0.0/16"
    ]
    config["ipv6-eks:clusters"]["old"]["serviceIpv4Cidr"] = "172.20.0.0/16"
    assert load("dev", config, zones).clusters["old"].args["service_ipv4_cidr"] == "172.20.0.0/16"


def test_log_retention_is_a_cloudwatch_period():
    assert planned(modern=cluster(logRetentionDays=365))["modern"].args["log_retention_days"] == 365
    (line,) = problems(with_clusters(modern=cluster(logRetentionDays=10)))
    assert line.startswith(
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.logRetentionDays: 10 days is not a CloudWatch retention period; allowed: 1, 3, 5, 7, 14, 30"
    )
