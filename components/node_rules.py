"""Security-group rules the in-cluster components add to a cluster they are given as plain ids."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def control_plane_to_nodes(
    resource_name: str,
    *,
    node_security_group_id: pulumi.Input[str],
    cluster_security_group_id: pulumi.Input[str],
    port: int,
    description: str,
    opts: pulumi.ResourceOptions,
) -> aws.vpc.SecurityGroupIngressRule:
    """TCP ``port`` on the nodes from the control plane's security group: how the API server calls
    a webhook served by pods. A group reference, so it holds for both IP families."""
    return aws.vpc.SecurityGroupIngressRule(
        resource_name,
        security_group_id=node_security_group_id,
        referenced_security_group_id=cluster_security_group_id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        description=description,
        opts=opts,
    )
