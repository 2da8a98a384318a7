"""LbController: the controller's identity, chart values, webhook rule and order, its load-balancer
helpers and the load-balancer matrix - checked against the upstream chart and IAM policy."""

import json

import pulumi
import pytest
import yaml

from ipv6_eks.dual_stack_vpc import DualStackVpc
from ipv6_eks.errors import ArgumentError, ArgumentErrors
from ipv6_eks.lb_controller import LbController
from ipv6_eks.lb_spec import CHART_VERSION, check_load_balancer, controller_values, ingress_annotations, service_annotations
from offline.harness import PROJECT_DIR
from policies.guardrails.lbc_policy import lb_controller_actions, lb_controller_policy_document
from tests.conftest import registered_when_failing, run_program

UPSTREAM = PROJECT_DIR.parent / "shared" / "reference" / "upstream" / "aws-load-balancer-controller-v3.5.0"
RELEASE = "kubernetes:helm.sh/v3:Release"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


# ---- the IAM policy against the published document (R4.10) --------------------------------------


def test_the_policy_is_the_published_one_statement_by_statement():
    published = json.loads((UPSTREAM / "iam_policy.json").read_text())["Statement"]
    ours = lb_controller_policy_document()["Statement"]
    assert len(ours) == len(published) == 16
    for mine, theirs in zip(ours, published, strict=True):
        assert mine["Effect"] == theirs["Effect"] == "Allow"
        assert mine["Action"] == theirs["Action"]  # the same actions, in the same order
        assert mine["Resource"] == theirs["Resource"]  # no "*" where upstream names resources
        assert mine.get("Condition") == theirs.get("Condition")  # the same tag conditions
    assert len(lb_controller_actions()) == 80
    assert "elasticloadbalancing:SetIpAddressType" in lb_controller_actions()  # dual-stack load balancers


def test_the_policy_follows_the_partition():
    china = json.dumps(lb_controller_policy_document("aws-cn"))
    assert "arn:aws:" not in china and "arn:aws-cn:ec2:*:*:security-group/*" in china
    assert '"aws:ResourceTag/elbv2.k8s.aws/cluster"' in china  # condition keys are not ARNs


# ---- the chart's values ----------------------------------------------------------------------------


def upstream_values():
    return yaml.safe_load((UPSTREAM / "values.yaml").read_text())


def walk(ours, theirs, path=()):
    """Every key we set exists in the chart; under an empty mapping (annotations, tags) any key goes."""
    for key, value in ours.items():
        assert isinstance(theirs, dict) and key in theirs, f"{'.'.join((*path, key))} is not a value of chart {CHART_VERSION}"
        if isinstance(value, dict) and theirs[key] not in ({}, None):
            walk(value, theirs[key], (*path, key))


@pytest.mark.parametrize("family", ["ipv6", "ipv4"])
def test_every_value_key_exists_in_the_pinned_chart(family):
    values = controller_values("dev-modern", "us-east-2", "vpc-1", family, "arn:aws:iam::1:role/r", 2, {"stack": "dev"})
    walk(values, upstream_values())


def test_values_that_make_the_controller_work_on_ipv6():
    values = controller_values("dev-modern", "us-east-2", "vpc-1", "ipv6", "arn:aws:iam::1:role/r")
    assert (values["clusterName"], values["region"], values["vpcId"]) == ("dev-modern", "us-east-2", "vpc-1")  # R4.11, P9
    assert values["defaultTargetType"] == "ip"  # R4.4; the chart's default is instance
    assert upstream_values()["defaultTargetType"] == "instance"
    assert values["ingressClassParams"] == {"create": True, "name": "alb", "spec": {"ipAddressType": "dualstack"}}  # R4.3
    assert values["enableServiceMutatorWebhook"] is True  # R4.1
    assert values["replicaCount"] == 2 and values["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert values["keepTLSSecret"] is True  # the webhook certificate survives upgrades
    assert values["serviceAccount"] == {
        "create": True,
        "name": "aws-load-balancer-controller",
        "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r"},
    }
    ipv4 = controller_values("dev-legacy", "us-east-2", "vpc-1", "ipv4", "r", 1)
    assert "ingressClassParams" not in ipv4 and "podDisruptionBudget" not in ipv4  # one replica: no PDB (the chart needs >1)


# ---- the load-balancer matrix (anchors.md 2.6) ------------------------------------------------------

DUAL = [{"availability_zone": z, "ip_mode": "dualstack", "role": r} for z in ("a", "b", "c") for r in ("public", "private")]
IPV4_PUBLIC = [{"availability_zone": z, "ip_mode": "ipv4", "role": "public"} for z in ("a", "b", "c")]
IPV6_ONLY_PUBLIC = [{"availability_zone": z, "ip_mode": "ipv6-only", "role": "public"} for z in ("a", "b", "c")]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        (("nlb", "ipv6", "internet-facing", "dualstack", "ip", DUAL), None),
        (("alb", "ipv6", "internet-facing", "dualstack-without-public-ipv4", "ip", DUAL), None),
        (("nlb", "ipv4", "internet-facing", "ipv4", "instance", IPV4_PUBLIC), None),
        (("nlb", "ipv4", "internet-facing", "dualstack", "ip", DUAL), None),  # ds LB, IPv4 targets: fine
        (("nlb", "ipv6", "internet-facing", "ipv6", "ip", DUAL), "ip_address_type: ipv6 is not a load balancer IP address type"),
        (("nlb", "ipv6", "internet-facing", "ipv4", "ip", DUAL), "ip_address_type: ipv4 in front of an IPv6 cluster"),
        (("alb", "ipv6", "internal", "dualstack", "instance", DUAL), "target_type: instance targets in an IPv6 cluster"),
        (
            ("nlb", "ipv6", "internet-facing", "dualstack", "ip", IPV4_PUBLIC),
            "scheme: an internet-facing dualstack NLB needs dual-stack public subnets",
        ),
        (
            ("nlb", "ipv4", "internet-facing", "ipv4", "ip", IPV6_ONLY_PUBLIC),
            "scheme: an internet-facing ipv4 NLB needs public IPv4 subnets",
        ),
        (
            ("alb", "ipv6", "internet-facing", "dualstack", "ip", DUAL[:1]),
            "scheme: an internet-facing dualstack ALB needs dual-stack public subnets in 2 AZ(s)",
        ),
        (
            ("alb", "ipv4", "internal", "dualstack-without-public-ipv4", "ip", DUAL),
            "ip_address_type: dualstack-without-public-ipv4 on an internal ALB",
        ),
        (("nlb", "ipv4", "public", "ipv4", "ip", DUAL), "scheme: 'public'"),
    ],
)
def test_the_load_balancer_matrix(case, expected):
    errors = [e.render() for e in check_load_balancer(*case)]
    if expected is None:
        assert errors == []
    else:
        assert any(e.startswith(expected) for e in errors), errors


def test_annotations_for_each_kind():
    assert service_annotations("internet-facing", "dualstack") == {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        "service.beta.kubernetes.io/aws-load-balancer-ip-address-type": "dualstack",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-attributes": "load_balancing.cross_zone.enabled=true",
    }
    https = ingress_annotations("internet-facing", "dualstack", certificate_arn="arn:aws:acm:us-east-2:1:certificate/x")
    assert https["alb.ingress.kubernetes.io/ip-address-type"] == "dualstack" and https["alb.ingress.kubernetes.io/target-type"] == "ip"
    assert json.loads(https["alb.ingress.kubernetes.io/listen-ports"]) == [{"HTTP": 80}, {"HTTPS": 443}]
    assert https["alb.ingress.kubernetes.io/ssl-redirect"] == "443"


# ---- the component under mocks ---------------------------------------------------------------------


def controller_program(holder, family="ipv6", public_mode="dualstack", **extra):
    def program():
        vpc = DualStackVpc(
            "net",
            {
                "ipv4_cidr": "10.0.0.0/16",
                "availability_zones": ["us-east-2a", "us-east-2b", "us-east-2c"],
                "tiers": [
                    {"name": "public", "role": "public", "ip_mode": public_mode, "ipv4_prefix_length": 24},
                    {"name": "private", "role": "private", "ipv4_prefix_length": 20},
                ],
            },
        )
        provider = pulumi.ProviderResource("kubernetes", "k8s", {"kubeconfig": "{}"})
        controller = LbController(
            "lbc",
            {
                "cluster_name": "test-k",
                "ip_family": family,
                "region": "us-east-2",
                "vpc_id": vpc.vpc_id,
                "oidc_provider_arn": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/ABC",
                "oidc_issuer": "oidc.eks.us-east-2.amazonaws.com/id/ABC",
                "kubernetes_provider": provider,
                "cluster_security_group_id": "sg-0000000000000c1",
                "node_security_group_id": "sg-0000000000000a1",
                "subnets": vpc.load_balancer_subnets(),
                **extra,
            },
            pulumi.ResourceOptions(depends_on=[vpc]),
        )
        holder["controller"] = controller
        holder["service"] = controller.load_balancer_service(
            "echo", "default", {"app": "echo"}, [{"name": "tcp", "port": 7, "protocol": "TCP"}], scheme="internet-facing"
        )

    return program


@pytest.fixture(scope="module")
def deployed():
    holder = {}
    return run_program(controller_program(holder)), holder


def test_identity_is_irsa_for_the_controllers_service_account(deployed):
    evaluation, _ = deployed
    role = evaluation.named("aws:iam/role:Role", "lbc-role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Condition"]["StringEquals"]["oidc.eks.us-east-2.amazonaws.com/id/ABC:sub"] == (
        "system:serviceaccount:kube-system:aws-load-balancer-controller"
    )
    assert role.inputs["name"] == "test-k-lbc"
    policy = evaluation.named("aws:iam/policy:Policy", "lbc-policy")
    assert json.loads(policy.inputs["policy"]) == lb_controller_policy_document()
    attachment = evaluation.named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lbc-policy")
    assert attachment.inputs == {"role": role.outputs["name"], "policyArn": policy.outputs["arn"]}


def test_the_release_is_the_pinned_official_chart_with_the_role_wired(deployed):
    evaluation, _ = deployed
    release = evaluation.named(RELEASE, "lbc-chart")
    inputs = release.inputs
    assert (inputs["chart"], inputs["version"], inputs["repositoryOpts"]) == (
        "aws-load-balancer-controller",
        "3.5.0",
        {"repo": "https://aws.github.io/eks-charts"},
    )
    assert inputs["namespace"] == "kube-system" and inputs["name"] == "aws-load-balancer-controller"
    values = inputs["values"]
    role = evaluation.named("aws:iam/role:Role", "lbc-role")
    assert values["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"] == role.outputs["arn"]
    assert values["vpcId"] == evaluation.named("aws:ec2/vpc:Vpc", "net").id and values["clusterName"] == "test-k"
    assert values["ingressClassParams"]["spec"]["ipAddressType"] == "dualstack"
    assert release.provider.startswith(evaluation.named("pulumi:providers:kubernetes", "k8s").urn)


def test_the_control_plane_reaches_the_webhook_on_9443_from_its_security_group(deployed):
    evaluation, _ = deployed
    rule = evaluation.named(INGRESS_RULE, "lbc-webhook").inputs
    assert (rule["ipProtocol"], rule["fromPort"], rule["toPort"]) == ("tcp", 9443, 9443)
    # a group reference: both the IPv4 and the IPv6 addresses of the control plane's interfaces
    assert rule["securityGroupId"] == "sg-0000000000000a1" and rule["referencedSecurityGroupId"] == "sg-0000000000000c1"
    assert "cidrIpv4" not in rule and "cidrIpv6" not in rule


def test_order_both_ways(deployed):
    """Created after the role's policy, the webhook rule and the VPC; load balancers after the
    release - so on destroy they, and the controller, go before the role and the VPC's gateways."""
    evaluation, _ = deployed
    release = evaluation.named(RELEASE, "lbc-chart")
    for typ, name in (
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lbc-policy"),
        (INGRESS_RULE, "lbc-webhook"),
        ("aws:ec2/internetGateway:InternetGateway", "net-igw"),
        ("aws:ec2/natGateway:NatGateway", "net-nat-us-east-2a"),
        ("aws:ec2/subnet:Subnet", "net-public-us-east-2a"),
    ):
        assert evaluation.named(typ, name).urn in release.dependencies, name
    service = evaluation.named("kubernetes:core/v1:Service", "echo")
    assert release.urn in service.dependencies


def test_the_service_helper_makes_a_dual_stack_nlb_with_ip_targets(deployed):
    evaluation, _ = deployed
    service = evaluation.named("kubernetes:core/v1:Service", "echo").inputs
    annotations = service["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-ip-address-type"] == "dualstack"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "ip"
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internet-facing"
    assert service["spec"]["loadBalancerClass"] == "service.k8s.aws/nlb" and service["spec"]["type"] == "LoadBalancer"
    assert "ipFamilies" not in service["spec"]  # R8.3: the cluster's single family


def test_the_helpers_refuse_a_dual_stack_load_balancer_without_ipv6_subnets():
    holder = {}
    error, registered = registered_when_failing(controller_program(holder, public_mode="ipv4"))
    assert isinstance(error, (ArgumentError, ArgumentErrors))
    assert "an internet-facing dualstack NLB needs dual-stack public subnets in 1 AZ(s); the VPC has them in 0" in str(error)
    assert not [r for r in registered if r.type == "kubernetes:core/v1:Service"]


def test_bad_controller_arguments_register_nothing():
    error, registered = registered_when_failing(
        lambda: LbController("lbc", {"cluster_name": "k", "ip_family": "ipv5", "region": "us-east-2", "replicas": 0})
    )
    assert "vpc_id: missing" in str(error)
    assert registered == []


# ---- the stacks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_both_clusters_of_each_stack_run_the_controller(stack, dev, prod):
    evaluation = {"dev": dev, "prod": prod}[stack]
    for name, family in (("legacy", "ipv4"), ("modern", "ipv6")):
        release = evaluation.named(RELEASE, f"{name}-lbc-chart")
        values = release.inputs["values"]
        assert values["clusterName"] == f"{stack}-{name}" and values["region"] == "us-east-2"
        eks = evaluation.named("eks:index:Cluster", f"{name}-eks")
        assert values["vpcId"] == eks.inputs["vpcId"]
        assert ("ingressClassParams" in values) == (family == "ipv6")
        provider = evaluation.named("pulumi:providers:kubernetes", f"{name}-k8s")
        assert release.provider.startswith(provider.urn)
        rule = evaluation.named(INGRESS_RULE, f"{name}-lbc-webhook").inputs
        node_sg = evaluation.named("aws:ec2/securityGroup:SecurityGroup", f"{name}-node").id
        cluster_sg = evaluation.named("aws:ec2/securityGroup:SecurityGroup", f"{name}-cluster").id
        assert (rule["securityGroupId"], rule["referencedSecurityGroupId"], rule["fromPort"]) == (node_sg, cluster_sg, 9443)
        assert values["defaultTags"] == {"project": "ipv6-eks", "stack": stack, "component": f"LbController/{name}"}


def test_dev_shows_nginx_behind_an_internet_facing_dual_stack_alb_and_prod_does_not(dev, prod):
    ingress = dev.named("kubernetes:networking.k8s.io/v1:Ingress", "modern-web-ingress").inputs
    annotations = ingress["metadata"]["annotations"]
    assert annotations["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
    assert annotations["alb.ingress.kubernetes.io/ip-address-type"] == "dualstack"  # R4.3
    assert annotations["alb.ingress.kubernetes.io/target-type"] == "ip"  # R4.4
    assert ingress["spec"]["ingressClassName"] == "alb"
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "nginx", "port": {"number": 80}}
    deployment = dev.named("kubernetes:apps/v1:Deployment", "modern-web-deployment").inputs
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == "public.ecr.aws/nginx/nginx:1.28.0-alpine"
    assert (
        dev.named(RELEASE, "modern-lbc-chart").urn
        in dev.named("kubernetes:networking.k8s.io/v1:Ingress", "modern-web-ingress").dependencies
    )
    # the ALB's subnets: the public tier, each with its /64 (R4.6, R4.7)
    public = [s for s in dev.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"].get("kubernetes.io/role/elb") == "1"]
    assert len(public) == 3 and all(s.inputs["ipv6CidrBlock"].endswith("::/64") for s in public)
    assert prod.of_type("kubernetes:networking.k8s.io/v1:Ingress") == []


def test_the_plan_shows_each_controller_and_load_balancer(capsys):
    from offline.__main__ import main

    assert main(["dev", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    controllers = {c["cluster"]: c for c in document["load_balancer_controllers"]}
    assert controllers["dev-modern"]["version"] == "3.5.0" and controllers["dev-modern"]["identity"].endswith("-> role dev-modern-lbc")
    assert (
        controllers["dev-modern"]["ingress_ip_address_type"] == "dualstack"
        and controllers["dev-legacy"]["ingress_ip_address_type"] == "ipv4"
    )
    (alb,) = document["load_balancers"]
    assert (alb["kind"], alb["scheme"], alb["ip_address_type"], alb["target_type"]) == ("ALB", "internet-facing", "dualstack", "ip")
    assert alb["subnets"] == ["shared-public-us-east-2a", "shared-public-us-east-2b", "shared-public-us-east-2c"]


def test_a_sample_the_vpc_cannot_carry_is_refused_before_deploying():
    from stack_config import load
    from tests.test_stack_config import cluster, with_clusters, zones

    config = with_clusters(modern=cluster(loadBalancerController={}, webSample={}, privateAccessCidrs=["10.0.0.0/8"]))
    config["ipv6-eks:vpcs"]["shared"]["tiers"][0]["ipMode"] = "ipv4"  # the MISSION.md reference: IPv4-only public tier
    with pytest.raises(Exception) as info:
        load("dev", config, zones)
    assert info.value.lines == [
        "Pulumi.dev.yaml: ipv6-eks:clusters.modern.webSample.scheme: an internet-facing dualstack ALB needs dual-stack public subnets "
        "in 2 AZ(s); the VPC has them in 0; allowed: a public tier with ipMode dualstack in the cluster's VPC (R4.6, R4.7)"
    ]
