"""Pool usage (allocated / reserved / quarantined / free) for many pools in one query."""

from dataclasses import dataclass

from django.db.models import Count

from .models import IPAllocation


@dataclass
class Usage:
    total: int
    allocated: int = 0
    reserved: int = 0
    quarantined: int = 0
    allocations: int = 0

    @property
    def free(self):
        return self.total - self.allocated - self.reserved - self.quarantined

    def percent(self, part):
        return 100 * part / self.total if self.total else 0

    @property
    def allocated_percent(self):
        return self.percent(self.allocated)

    @property
    def reserved_percent(self):
        return self.percent(self.reserved)

    @property
    def quarantined_percent(self):
        return self.percent(self.quarantined)

    @property
    def free_percent(self):
        return self.percent(self.free)


def attach(pools):
    """Set ``pool.usage`` (in addresses) on each pool, with one query for all of them."""
    pools = list(pools)
    by_pool = {pool.pk: pool for pool in pools}
    for pool in pools:
        pool.usage = Usage(total=pool.block.size)
    rows = (
        IPAllocation.objects.held()
        .filter(pool_id__in=by_pool)
        .values_list("pool_id", "state", "prefix_length")
        .annotate(count=Count("id"))
        .order_by()
    )
    for pool_id, state, length, count in rows:
        pool = by_pool[pool_id]
        addresses = count << (pool.block.bits - length)
        setattr(pool.usage, state, getattr(pool.usage, state) + addresses)
        pool.usage.allocations += count
    return pools
