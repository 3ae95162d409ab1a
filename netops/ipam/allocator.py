"""The free-block structure: take the lowest free aligned prefix in one index seek.

Each pool's free space is kept as its maximal aligned free blocks (a buddy
system): taking a prefix deletes the lowest block that is large enough and
inserts what is left of it; giving a prefix back merges it with its free
buddies. The cost depends on the prefix lengths, never on the number of
allocations.

Concurrency: the block is taken by one DELETE ... RETURNING statement, so two
transactions can never both get it. On PostgreSQL the lowest unlocked block is
taken (SKIP LOCKED): concurrent allocations do not queue on one row. These
functions must run inside ``transaction.atomic()``.
"""

from django.db import connection

from .addressing import Block, from_hex, to_hex
from .models import IPFreeBlock

MAX_RETRIES = 100


class PoolExhausted(Exception):
    """No free block of the requested size is left in the pool."""


class NotFree(Exception):
    """The requested prefix is not entirely free."""


def _table():
    return connection.ops.quote_name(IPFreeBlock._meta.db_table)


def _take_lowest_sql(skip_locked):
    table = _table()
    if connection.vendor == "postgresql":
        lock = "FOR UPDATE SKIP LOCKED" if skip_locked else "FOR UPDATE"
        # A CTE runs once: a DELETE ... WHERE id IN (subquery with LIMIT and
        # SKIP LOCKED) may re-run the subquery and remove more than one row.
        return (
            f"WITH picked AS (SELECT id FROM {table} WHERE pool_id = %s AND prefix_length <= %s "
            f"ORDER BY network LIMIT 1 {lock}) "
            f"DELETE FROM {table} USING picked WHERE {table}.id = picked.id "
            f"RETURNING {table}.network, {table}.prefix_length"
        )
    # SQLite: one writer at a time, the statement is atomic.
    return (
        f"DELETE FROM {table} WHERE id = (SELECT id FROM {table} WHERE pool_id = %s AND prefix_length <= %s "
        f"ORDER BY network LIMIT 1) RETURNING network, prefix_length"
    )


def _insert_blocks(pool, blocks):
    if blocks:
        IPFreeBlock.objects.bulk_create(
            [
                IPFreeBlock(
                    pool_id=pool.pk, network=to_hex(b.network), prefix_length=b.prefix_length
                )
                for b in blocks
            ]
        )


def seed(pool, reserved=()):
    """Fill a new pool's free space: the whole prefix, less the ``reserved`` blocks."""
    free = [pool.block]
    for taken in reserved:
        for index, block in enumerate(free):
            if block.contains(taken):
                free[index : index + 1] = block.remainder_after(taken)
                break
    _insert_blocks(pool, free)


def take_lowest(pool, prefix_length):
    """Remove the lowest free aligned block of ``prefix_length`` in ``pool``; return (block, remainder).

    ``remainder`` is what is left of the free block that was split: the caller
    must hand it to :func:`store` in the same transaction. Raises PoolExhausted
    when none is left. Never returns a block that another transaction also received.
    """
    if not pool.prefix_length <= prefix_length <= pool.block.bits:
        raise ValueError(f"/{prefix_length} does not fit in {pool.prefix}")
    skip_locked = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for _attempt in range(MAX_RETRIES):
            cursor.execute(_take_lowest_sql(skip_locked), [pool.pk, prefix_length])
            rows = cursor.fetchall()
            if len(rows) > 1:  # cannot happen with the CTE; refuse rather than lose blocks
                raise RuntimeError("the allocator removed more than one free block")
            if rows:
                network, length = rows[0]
                found = Block(from_hex(network), length, pool.family)
                target = Block(found.network, prefix_length, pool.family)
                return target, found.remainder_after(target)
            if not IPFreeBlock.objects.filter(
                pool_id=pool.pk, prefix_length__lte=prefix_length
            ).exists():
                raise PoolExhausted(pool)
            # Blocks exist but others hold them: wait for one of them, then look again.
            skip_locked = False
    raise PoolExhausted(pool)


def store(allocation, remainder):
    """Insert ``allocation`` (an unsaved IPAllocation) and give ``remainder`` back to the free space.

    On PostgreSQL both go in one statement (one round trip instead of two:
    allocation is on the path of every subscription). Model signals are not
    sent for the allocation: its row is its own history (see IPAllocation).
    """
    if connection.vendor != "postgresql":
        _insert_blocks(allocation.pool, remainder)
        allocation.save(force_insert=True)
        return allocation
    model = type(allocation)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(allocation, True), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) "
        f"VALUES ({placeholders}) RETURNING id"
    )
    params = values
    if remainder:
        free = ", ".join(["(%s, %s, %s)"] * len(remainder))
        sql = f"WITH free AS (INSERT INTO {_table()} (pool_id, network, prefix_length) VALUES {free}) {sql}"
        params = [
            v for b in remainder for v in (allocation.pool_id, to_hex(b.network), b.prefix_length)
        ] + values
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        allocation.pk = cursor.fetchone()[0]
    allocation._state.adding = False
    allocation._state.db = connection.alias
    return allocation


def take_specific(pool, target):
    """Remove ``target`` from the free space of ``pool``; raise NotFree unless all of it is free."""
    if not pool.block.contains(target):
        raise NotFree(target)
    for _attempt in range(MAX_RETRIES):
        candidates = IPFreeBlock.objects.filter(
            pool_id=pool.pk,
            network__lte=to_hex(target.network),
            prefix_length__lte=target.prefix_length,
        ).order_by("-network")
        row = candidates.select_for_update().first()
        if row is None:
            raise NotFree(target)
        found = Block(from_hex(row.network), row.prefix_length, pool.family)
        if not found.contains(target):
            raise NotFree(target)
        if IPFreeBlock.objects.filter(pk=row.pk).delete()[0] == 1:
            _insert_blocks(pool, found.remainder_after(target))
            return target
    raise NotFree(target)


def give_back(pool, block):
    """Return ``block`` to the free space of ``pool``, merged with its free buddies."""
    while block.prefix_length > pool.prefix_length:
        buddy = block.buddy()
        deleted, _ = IPFreeBlock.objects.filter(
            pool_id=pool.pk, network=to_hex(buddy.network), prefix_length=buddy.prefix_length
        ).delete()
        if not deleted:
            break
        block = block.parent()
    _insert_blocks(pool, [block])


def free_blocks(pool):
    """The pool's free blocks, lowest first (for views and checks)."""
    return [
        Block(from_hex(network), length, pool.family)
        for network, length in IPFreeBlock.objects.filter(pool_id=pool.pk)
        .order_by("network")
        .values_list("network", "prefix_length")
    ]
