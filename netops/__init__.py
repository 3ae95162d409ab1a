"""netops: the network (IPAM, VPN, DSL, provisioning). Never imports billing."""
