"""datacenter: sites, racks, hosted servers, power and ports."""
