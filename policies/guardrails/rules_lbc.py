"""The AWS Load Balancer Controller itself: R4.1, R4.10, R4.11.

The controller as a ``helm.v3.Release`` of chart ``aws-load-balancer-controller`` (any team's,
not only LbController's): the values it needs to work on an IPv6 cluster, and a role for its
service account that allows what the controller does. Values not known yet are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .framework import ADVISORY, MANDATORY, Rule, stack_policy
from .graph import Graph, Node
from .lbc_policy import LB_CONTROLLER_POLICY_VERSION, lb_controller_actions
from .props import UNKNOWN, get, truthy
from .rules_eks import POD_IDENTITY_ASSOCIATION, ROLE, allows, role_statements
from .rules_lb import lbc_releases

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
CHART_DEFAULT_SERVICE_ACCOUNT = "aws-load-balancer-controller"  # the chart's fullname for release name aws-load-balancer-controller

# -- R4.11 ---------------------------------------------------------------------------------------

R4_11 = Rule("lbc-region-and-vpc", "R4.11", "The controller is told its cluster, region and VPC instead of asking IMDS", MANDATORY)


def check_region_and_vpc(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for release in lbc_releases(graph):
        values = release.get("values", default={})
        if values is UNKNOWN or not isinstance(values, dict):
            continue
        if values.get("clusterName") in (None, ""):
            yield release, "has no clusterName; the chart refuses to render without it", "set values.clusterName to the EKS cluster's name"
        if values.get("region") in (None, ""):
            yield (
                release,
                "has no region, so the controller asks IMDS, which pods on hop-limit-1 nodes (the AL2023 default) cannot reach",
                "set values.region (P9)",
            )
        if values.get("vpcId") in (None, "") and not values.get("vpcTags"):
            yield (
                release,
                "has neither vpcId nor vpcTags, so the controller asks IMDS for its VPC and fails with 'failed to introspect vpcID'",
                "set values.vpcId (or vpcTags)",
            )


# -- R4.1 ----------------------------------------------------------------------------------------

R4_1 = Rule(
    "lbc-service-mutator-webhook", "R4.1", "The controller's webhook claims new LoadBalancer Services from the in-tree controller", ADVISORY
)


def check_mutator_webhook(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    for release in lbc_releases(graph):
        values = release.get("values", default={})
        if isinstance(values, dict) and truthy(values.get("enableServiceMutatorWebhook", True)) is False:
            yield (
                release,
                "turns the service mutator webhook off, so a LoadBalancer Service without loadBalancerClass goes to the in-tree "
                "controller, which makes IPv4-only load balancers",
                "leave values.enableServiceMutatorWebhook true",
            )


# -- R4.10 ---------------------------------------------------------------------------------------

R4_10 = Rule("lbc-iam-policy", "R4.10", "The controller's service account runs as a role that allows the controller's actions", MANDATORY)


def controller_roles(graph: Graph, release: Node) -> tuple[list[Node] | None, str | None]:
    """(the roles the controller's service account runs as, or None when not known; a problem)."""
    values = release.get("values", default={})
    if values is UNKNOWN or not isinstance(values, dict):
        return None, None
    account = values.get("serviceAccount") if isinstance(values.get("serviceAccount"), dict) else {}
    if truthy(account.get("create", True)) is False and account.get("name") in (None, ""):
        return [], "creates no service account and names none, so the controller runs as the namespace's default account"
    annotation = get(account, "annotations", ROLE_ARN_ANNOTATION)
    if annotation is UNKNOWN:
        return None, None
    roles: list[Node] = []
    if isinstance(annotation, str) and annotation:
        roles = graph.deps(release, "values", ROLE) or graph.by_literal(annotation, ROLE)
        roles = [r for r in roles if r.get("arn") in (annotation, UNKNOWN) or len(roles) == 1] or roles
        return (roles or None), None  # a role outside the graph: nothing to conclude
    name = account.get("name") or CHART_DEFAULT_SERVICE_ACCOUNT
    namespace = release.get("namespace", default="default")
    cluster = graph.cluster_of_kubernetes_object(release)
    for association in graph.of_type(POD_IDENTITY_ASSOCIATION):
        same_account = association.get("serviceAccount") == name and association.get("namespace") in (namespace, UNKNOWN)
        if same_account and (cluster is None or graph.cluster_of(association) in (cluster, None)):
            return graph.related(association, "roleArn", ROLE) or None, None
    return [], (
        f"gives the service account {name!r} no IAM role (no {ROLE_ARN_ANNOTATION} annotation, no Pod Identity association), "
        "so the controller falls back to the node's credentials, which IMDS hop limit 1 keeps from it"
    )


def check_controller_iam(graph: Graph, config: dict[str, Any]) -> Iterator[tuple[Node, str, str]]:
    fix = (
        f"give the controller's service account a role (IRSA or Pod Identity) with the controller's published policy, "
        f"docs/install/iam_policy.json at the chart's app version ({LB_CONTROLLER_POLICY_VERSION})"
    )
    for release in lbc_releases(graph):
        roles, problem = controller_roles(graph, release)
        if problem:
            yield release, problem, fix
            continue
        if not roles:
            continue
        documents = [role_statements(graph, role) for role in roles]
        if any(d is None for d in documents):
            continue  # a policy of the role is not known yet
        statements = [s for d in documents for s in d or []]
        missing = [a for a in lb_controller_actions() if not allows(statements, a, resource=None)]
        if missing:
            shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
            yield (
                roles[0],
                f"is the role of the load balancer controller '{release.name}' but does not allow {shown}",
                fix,
            )


POLICIES = [
    stack_policy(R4_1, check_mutator_webhook),
    stack_policy(R4_10, check_controller_iam),
    stack_policy(R4_11, check_region_and_vpc),
]
