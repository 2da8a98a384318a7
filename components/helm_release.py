"""One way to install a chart: a ``helm.v3.Release`` from the chart's official repository at a
pinned version, so Helm runs its hooks and the values stay visible to tests and the policy pack."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s


def chart_release(
    resource_name: str,
    *,
    chart: str,
    version: str,
    repository: str,
    namespace: str,
    values: dict[str, Any],
    opts: pulumi.ResourceOptions,
    release_name: str | None = None,
) -> k8s.helm.v3.Release:
    """Atomic (a failed install or upgrade rolls back, cleaning up what it made), ten revisions of
    history, ten minutes to become ready."""
    return k8s.helm.v3.Release(
        resource_name,
        name=release_name or chart,
        chart=chart,
        version=version,
        repository_opts={"repo": repository},
        namespace=namespace,
        values=values,
        atomic=True,
        cleanup_on_fail=True,
        max_history=10,
        timeout=600,
        opts=opts,
    )
