"""Models of netops, one module per concern (Django looks for them here)."""

from netops.ipam.models import IPAllocation, IPFreeBlock, IPPool, ReverseDNSRecord

__all__ = ["IPAllocation", "IPFreeBlock", "IPPool", "ReverseDNSRecord"]
