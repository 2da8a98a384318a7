"""``python -m offline.critical_path [STACK] [--json]``: how long ``pulumi up`` of a stack takes
from nothing, estimated over the dependency graph the program really registers.

The engine creates a resource as soon as everything it depends on exists - its ``depends_on``,
the resources whose outputs it takes, its provider, and for a component every resource inside
it. So the deploy takes as long as the longest chain of typical creation times through that
graph, whatever the number of resources. The durations below are typical figures for a region
without contention (AWS documentation where it gives one, otherwise common experience), not
measurements: this machine cannot reach AWS. What the script proves is the *shape* - which
chain is critical, and that clusters build in parallel - not the minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from functools import cache

from offline.__main__ import stack_file
from offline.harness import Evaluation, evaluate_stack
from offline.mocks import RecordedResource

MINUTE = 60.0
# Typical creation times, in seconds, by resource type (exact match first, then by prefix).
DURATIONS: dict[str, float] = {
    # pulumi-eks's Cluster is one opaque resource under mocks: the control plane and its own
    # children (security group, OIDC provider, kubeconfig). EKS: "typically 10 to 15 minutes".
    "eks:index:Cluster": 11 * MINUTE,
    "aws:eks/nodeGroup:NodeGroup": 4 * MINUTE,  # launch, join, Ready
    "aws:eks/addon:Addon": 1.5 * MINUTE,  # a DaemonSet or Deployment rolled out
    "aws:eks/accessEntry:AccessEntry": 5,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": 5,
    "aws:ec2/natGateway:NatGateway": 2 * MINUTE,  # "pending" to "available"
    "aws:ec2/vpc:Vpc": 5,
    "aws:ec2/vpcIpv6CidrBlockAssociation:VpcIpv6CidrBlockAssociation": 10,
    "aws:ec2/subnet:Subnet": 5,
    "aws:ec2/eip:Eip": 2,
    "aws:ec2/internetGateway:InternetGateway": 5,
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": 5,
    "aws:ec2/launchTemplate:LaunchTemplate": 3,
    "aws:kms/key:Key": 10,
    "aws:cloudwatch/logGroup:LogGroup": 2,
    "aws:iam/role:Role": 5,  # IAM is eventually consistent: providers wait a little
    "aws:iam/policy:Policy": 5,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 5,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": 5,
    # Helm releases wait for their workloads (atomic); the east-west gateway also for its NLB.
    "kubernetes:helm.sh/v3:Release": 1.5 * MINUTE,
    "tls:": 1,
    "kubernetes:": 3,
    "aws:": 3,
    "pulumi:providers:": 0,
}
NLB_RELEASE_SECONDS = 3 * MINUTE  # a release that renders a LoadBalancer Service: the NLB becomes active


@dataclass
class Step:
    name: str
    type: str
    seconds: float
    finishes_at: float


@dataclass
class CriticalPath:
    stack: str
    resources: int
    total_seconds: float  # the longest chain: the deploy's estimated duration
    serial_seconds: float  # every resource one after another, for comparison
    path: list[Step]
    clusters: dict[str, float]  # EKS cluster -> when it is up (seconds from the start)


def duration(resource: RecordedResource) -> float:
    if resource.type == "kubernetes:helm.sh/v3:Release":
        service = ((resource.inputs.get("values") or {}).get("service")) or {}
        if service.get("type") == "LoadBalancer":
            return NLB_RELEASE_SECONDS
    if resource.type in DURATIONS:
        return DURATIONS[resource.type]
    prefix = max((p for p in DURATIONS if resource.type.startswith(p)), key=len, default=None)
    return DURATIONS[prefix] if prefix is not None else 3


def dependency_graph(evaluation: Evaluation) -> dict[str, set[str]]:
    """resource urn -> the urns of the created resources it waits for (components expanded to
    everything inside them, as the engine does)."""
    by_urn = evaluation.by_urn()
    children: dict[str, list[str]] = {}
    for r in evaluation.resources:
        children.setdefault(r.parent, []).append(r.urn)

    @cache
    def created(urn: str) -> frozenset[str]:
        """A created resource is itself; a component, every resource under it."""
        resource = by_urn.get(urn)
        if resource is None:
            return frozenset()
        if resource.custom or resource.type == "eks:index:Cluster":
            return frozenset({urn})
        return frozenset(u for child in children.get(urn, []) for u in created(child))

    graph = {}
    for r in evaluation.resources:
        if not (r.custom or r.type == "eks:index:Cluster"):
            continue
        waits = set(r.dependencies)
        for urns in r.property_dependencies.values():
            waits.update(urns)
        if r.provider:
            waits.add(r.provider.rsplit("::", 1)[0])
        graph[r.urn] = {u for w in waits for u in created(w) if u != r.urn}
    return graph


def critical_path(evaluation: Evaluation) -> CriticalPath:
    by_urn = evaluation.by_urn()
    graph = dependency_graph(evaluation)
    finish: dict[str, float] = {}
    before: dict[str, str | None] = {}

    def visit(urn: str, trail: tuple[str, ...] = ()) -> float:
        if urn in finish:
            return finish[urn]
        if urn in trail:
            raise ValueError(f"dependency cycle through {urn}")
        start, previous = 0.0, None
        for dependency in graph.get(urn, ()):
            done = visit(dependency, (*trail, urn))
            if done > start:
                start, previous = done, dependency
        finish[urn] = start + duration(by_urn[urn])
        before[urn] = previous
        return finish[urn]

    for urn in graph:
        visit(urn)
    last = max(finish, key=lambda u: (finish[u], u))
    path: list[Step] = []
    cursor: str | None = last
    while cursor is not None:
        r = by_urn[cursor]
        path.append(Step(r.name, r.type, duration(r), finish[cursor]))
        cursor = before[cursor]
    clusters = {str(r.inputs.get("name", r.name)): finish[r.urn] for r in evaluation.of_type("eks:index:Cluster")}
    return CriticalPath(
        stack=evaluation.stack,
        resources=len(graph),
        total_seconds=finish[last],
        serial_seconds=sum(duration(by_urn[u]) for u in graph),
        path=list(reversed(path)),
        clusters=dict(sorted(clusters.items())),
    )


def minutes(seconds: float) -> str:
    return f"{seconds / MINUTE:.1f} min"


def render(result: CriticalPath) -> list[str]:
    lines = [
        f"Deploy critical path of stack '{result.stack}' ({result.resources} resources, typical AWS durations, not measured):",
        f"  estimated pulumi up from nothing: {minutes(result.total_seconds)} (one after another it would be {minutes(result.serial_seconds)})",
        "  clusters up at: " + ", ".join(f"{name} {minutes(at)}" for name, at in result.clusters.items()),
        "  the chain:",
    ]
    for step in result.path:
        lines.append(f"    {minutes(step.finishes_at):>9}  +{minutes(step.seconds):<8} {step.name} ({step.type})")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m offline.critical_path", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("stack", nargs="?", default="dev")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = critical_path(evaluate_stack(stack_file(args.stack)))
    if args.json:
        print(json.dumps({**result.__dict__, "path": [s.__dict__ for s in result.path]}, indent=2))
    else:
        print("\n".join(render(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
