"""Models of netops, one module per concern (Django looks for them here)."""

from netops.dsl.models import DSLLine, DSLStatusChange
from netops.ipam.models import IPAllocation, IPFreeBlock, IPPool, ReverseDNSRecord
from netops.provisioning.models import Endpoint, ProvisioningJob
from netops.vpn.models import VPNAccount

__all__ = [
    "DSLLine",
    "DSLStatusChange",
    "Endpoint",
    "IPAllocation",
    "IPFreeBlock",
    "IPPool",
    "ProvisioningJob",
    "ReverseDNSRecord",
    "VPNAccount",
]
