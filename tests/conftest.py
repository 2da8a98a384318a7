"""Shared helpers: evaluate a program or a stack file under the project's mocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from offline.harness import PROJECT_DIR, Evaluation, evaluate, evaluate_stack
from offline.mocks import AwsLikeMocks, RecordingMonitor

REGION = "us-east-2"
# The VPC CNI's IPv6 actions: the EKS-documented set (R2.1) plus DescribeSubnets/DescribeSecurityGroups (R2.2).
IPV6_CNI_ACTIONS = {
    "ec2:AssignIpv6Addresses",
    "ec2:DescribeInstances",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:CreateTags",
}


def run_program(program: Callable[[], Any], config: dict[str, Any] | None = None, stack: str = "test") -> Evaluation:
    """Evaluate ``program`` (e.g. ``lambda: DualStackVpc(...)``) under the AWS-like mocks."""
    return evaluate(program, stack=stack, config={"aws:region": REGION, **(config or {})})


def registered_when_failing(program: Callable[[], Any], config: dict[str, Any] | None = None) -> tuple[BaseException, list]:
    """Run a program expected to raise; return the error and whatever it registered before."""
    monitor = RecordingMonitor(AwsLikeMocks(REGION))
    with pytest.raises(Exception) as info:
        evaluate(program, stack="test", config={"aws:region": REGION, **(config or {})}, monitor=monitor)
    return info.value, list(monitor.recorded.values())


def stack_path(name: str) -> Path:
    return PROJECT_DIR / f"Pulumi.{name}.yaml"


@pytest.fixture(scope="session")
def dev() -> Evaluation:
    return evaluate_stack(stack_path("dev"))


@pytest.fixture(scope="session")
def prod() -> Evaluation:
    return evaluate_stack(stack_path("prod"))


@pytest.fixture(scope="session")
def reference() -> Evaluation:
    return evaluate_stack(PROJECT_DIR / "examples" / "Pulumi.reference.yaml")


def routes_of(evaluation: Evaluation, subnet_name: str) -> dict[str, tuple[str, str]]:
    """A subnet's routes: destination -> (target property, target resource type or the raw id)."""
    subnet = evaluation.named("aws:ec2/subnet:Subnet", subnet_name)
    table = next(
        a.inputs["routeTableId"]
        for a in evaluation.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
        if a.inputs["subnetId"] == subnet.id
    )
    by_id = evaluation.by_id()
    out = {}
    for route in evaluation.of_type("aws:ec2/route:Route"):
        if route.inputs["routeTableId"] != table:
            continue
        destination = route.inputs.get("destinationCidrBlock") or route.inputs.get("destinationIpv6CidrBlock")
        key = next(k for k in ("gatewayId", "natGatewayId", "egressOnlyGatewayId") if route.inputs.get(k))
        target = by_id.get(route.inputs[key])
        out[destination] = (key, target.type if target else route.inputs[key])
    return out
