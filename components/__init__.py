"""ipv6-eks: Amazon EKS on IPv6 next to IPv4, as Pulumi components.

    from ipv6_eks import DualStackVpc, Ipv6EksCluster, LbController, IstioMultiPrimary

Each component is ``(name, args, opts)`` with a TypedDict ``args`` (exported beside it) and type
token ``ipv6-eks:index:<Class>``; the same classes are hosted for other languages by
``provider/`` (``pulumi package add``). Only the hostable components are exported as
ComponentResource classes here: Pulumi's package host takes every one it finds in this namespace.
"""

from importlib.metadata import PackageNotFoundError, version

from .dual_stack_vpc import DualStackVpc
from .eks_spec import AccessEntryArgs, ClusterSubnetArgs, Ipv6EksClusterArgs, NodeGroupArgs, TaintArgs
from .errors import ArgumentError, ArgumentErrors
from .ipv6_eks_cluster import Ipv6EksCluster
from .istio_multi_primary import IstioMultiPrimary
from .lb_controller import LbController
from .lb_spec import LbControllerArgs, LoadBalancerSubnetArgs
from .mesh_spec import IstioMultiPrimaryArgs, MeshMemberArgs, RootCaArgs
from .vpc_spec import DualStackVpcArgs, ExistingVpcArgs, Ipv6BlockArgs, SubnetTierArgs

try:
    __version__ = version("ipv6-eks")
except PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0.0.0"

COMPONENTS = (DualStackVpc, Ipv6EksCluster, LbController, IstioMultiPrimary)

__all__ = [
    "COMPONENTS",
    "AccessEntryArgs",
    "ArgumentError",
    "ArgumentErrors",
    "ClusterSubnetArgs",
    "DualStackVpc",
    "DualStackVpcArgs",
    "ExistingVpcArgs",
    "Ipv6BlockArgs",
    "Ipv6EksCluster",
    "Ipv6EksClusterArgs",
    "IstioMultiPrimary",
    "IstioMultiPrimaryArgs",
    "LbController",
    "LbControllerArgs",
    "LoadBalancerSubnetArgs",
    "MeshMemberArgs",
    "NodeGroupArgs",
    "RootCaArgs",
    "SubnetTierArgs",
    "TaintArgs",
    "__version__",
]
