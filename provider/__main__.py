"""The ipv6-eks component provider: hosts DualStackVpc, Ipv6EksCluster, LbController and
IstioMultiPrimary for programs in other languages (``pulumi package add``). The schema comes
from the components' TypedDict arguments and annotated outputs, with their docstrings."""

from pulumi.provider.experimental import component_provider_host

from ipv6_eks import COMPONENTS, __version__

if __name__ == "__main__":
    component_provider_host(components=list(COMPONENTS), name="ipv6-eks", version=__version__)
