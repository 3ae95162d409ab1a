"""IPAM operations: pools, allocation, release and quarantine, reverse DNS.

Every function that changes state runs in one transaction; errors are
``ValidationError``\\s with a message for the volunteer or member who asked.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.services import require_owner_or_perm, require_perm
from coin.offers.choices import SubscriptionStatus
from coin.offers.models import Subscription

from . import allocator, ranges
from .addressing import Block, parse_address, parse_prefix, to_hex
from .choices import AllocationState
from .models import IPAllocation, IPPool, ReverseDNSRecord

PREFIX_EXAMPLE = "203.0.113.0/24, 2001:db8::/32"


def parse_pool_prefix(text):
    """Parse a prefix typed by a volunteer; a ValidationError says what is wrong with it."""
    try:
        return parse_prefix(text)
    except ValueError as error:
        if str(error) == "host-bits":
            loose = parse_prefix(text, strict=False)
            raise ValidationError(
                _("%(value)s has host bits set: did you mean %(network)s?")
                % {"value": text, "network": loose.cidr()},
                code="host_bits",
            ) from None
        raise ValidationError(
            _("%(value)s is not an IP prefix (write it like %(example)s).")
            % {"value": text, "example": PREFIX_EXAMPLE},
            code="invalid",
        ) from None


def overlapping_pool(block, exclude_pk=None):
    """The first existing pool that shares an address with ``block``, or None."""
    pools = IPPool.objects.filter(
        family=block.family, network__lte=to_hex(block.last), last__gte=to_hex(block.network)
    )
    if exclude_pk is not None:
        pools = pools.exclude(pk=exclude_pk)
    return pools.first()


def default_reservations(block, default_prefix_length):
    """Addresses never handed out: for an IPv4 pool of single addresses, network, gateway and broadcast."""
    if block.family == 4 and default_prefix_length == 32 and block.prefix_length <= 30:
        return [
            Block(block.network, 32, 4),
            Block(block.network + 1, 32, 4),
            Block(block.last, 32, 4),
        ]
    return []


def check_pool(prefix, default_prefix_length, exclude_pk=None, purpose=None):
    """Validate a pool's prefix and handed-out length; return the pool's Block.

    Special-purpose ranges are refused for every pool, private ranges unless
    ``purpose`` allows them (see :mod:`netops.ipam.ranges`).
    """
    block = parse_pool_prefix(prefix)
    refused = ranges.refusal(block.cidr(), purpose)
    if refused is not None:
        raise ValidationError({"prefix": refused})
    clash = overlapping_pool(block, exclude_pk)
    if clash is not None:
        raise ValidationError(
            {
                "prefix": _("%(value)s overlaps the pool %(pool)s.")
                % {"value": block.cidr(), "pool": clash}
            }
        )
    if (
        default_prefix_length is None
        or not block.prefix_length <= default_prefix_length <= block.bits
    ):
        raise ValidationError(
            {
                "default_prefix_length": _(
                    "A pool of %(prefix)s cannot hand out /%(length)s prefixes."
                )
                % {"prefix": block.cidr(), "length": default_prefix_length}
            }
        )
    return block


@transaction.atomic
def create_pool(
    *,
    actor,
    name,
    prefix,
    purpose,
    default_prefix_length,
    quarantine_days=30,
    priority=0,
    reserved=None,
    description="",
):
    """Create a pool and its free space.

    ``reserved``: prefixes never handed out (default: see default_reservations).
    """
    require_perm(actor, "netops.add_ippool")
    try:
        block = check_pool(prefix, default_prefix_length, purpose=purpose)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise ValidationError({"prefix": error.messages}) from None
        raise
    pool = IPPool(
        name=name,
        prefix=block.cidr(),
        family=block.family,
        network=to_hex(block.network),
        last=to_hex(block.last),
        prefix_length=block.prefix_length,
        purpose=purpose,
        default_prefix_length=default_prefix_length,
        quarantine_days=quarantine_days,
        priority=priority,
        description=description,
    )
    pool.full_clean()
    with audit.acting_as(actor):
        pool.save()
    allocator.seed(pool)
    if reserved is None:
        reservations = default_reservations(block, default_prefix_length)
    else:
        reservations = [parse_pool_prefix(text) for text in reserved]
    for reservation in reservations:
        allocate(
            pool,
            actor=actor,
            prefix=reservation.cidr(),
            state=AllocationState.RESERVED,
            description=_("reserved"),
        )
    return pool


@transaction.atomic
def update_pool(pool, *, actor):
    """Store a volunteer's edit of a pool (name, purpose, quarantine, priority, description).

    The prefix and handed-out length are fixed once created. Validated first
    (a purpose that does not allow the pool's range is refused on ``purpose``).
    """
    require_perm(actor, "netops.change_ippool")
    pool.full_clean()
    with audit.acting_as(actor):
        pool.save()
    return pool


def _holder_message(pool, target):
    holder = (
        IPAllocation.objects.held()
        .filter(pool=pool, network__lte=to_hex(target.last), last__gte=to_hex(target.network))
        .select_related("member")
        .first()
    )
    if holder is None:
        return _("%(prefix)s is not free.") % {"prefix": target.cidr()}
    if holder.state == AllocationState.QUARANTINED:
        return _("%(prefix)s overlaps %(held)s, in quarantine until %(date)s.") % {
            "prefix": target.cidr(),
            "held": holder.prefix,
            "date": date_format(timezone.localtime(holder.quarantine_until), "DATE_FORMAT"),
        }
    who = (
        holder.member.display_name
        if holder.member
        else (holder.description or AllocationState(holder.state).label)
    )
    return _("%(prefix)s overlaps %(held)s, held by %(who)s.") % {
        "prefix": target.cidr(),
        "held": holder.prefix,
        "who": who,
    }


@transaction.atomic
def allocate(
    pool,
    *,
    actor,
    prefix_length=None,
    prefix=None,
    subscription=None,
    member=None,
    description="",
    state=AllocationState.ALLOCATED,
):
    """Allocate the lowest free aligned /``prefix_length`` (default: the pool's), or exactly ``prefix``.

    Guarantees: the prefix is aligned, inside the pool, outside every held
    prefix, and given to no concurrent caller. Raises ValidationError when the
    pool is exhausted or the prefix is not free; nothing is written then.
    """
    require_perm(actor, "netops.add_ipallocation")
    return _allocate(
        pool,
        allocated_by=actor,
        prefix_length=prefix_length,
        prefix=prefix,
        subscription=subscription,
        member=member,
        description=description,
        state=state,
    )


def _allocate(
    pool, *, allocated_by, prefix_length, prefix, subscription, member, description, state
):
    if subscription is not None and member is None:
        member = subscription.member
    if prefix is not None:
        target = parse_pool_prefix(prefix)
        if target.family != pool.family or not pool.block.contains(target):
            raise ValidationError(
                {
                    "prefix": _("%(prefix)s is not inside the pool %(pool)s.")
                    % {"prefix": target.cidr(), "pool": pool}
                }
            )
        try:
            block, remainder = allocator.take_specific(pool, target), []
        except allocator.NotFree:
            raise ValidationError({"prefix": _holder_message(pool, target)}) from None
    else:
        length = pool.default_prefix_length if prefix_length is None else prefix_length
        if not pool.prefix_length <= length <= pool.block.bits:
            raise ValidationError(
                {
                    "prefix_length": _("A pool of %(prefix)s cannot hand out /%(length)s prefixes.")
                    % {"prefix": pool.prefix, "length": length}
                }
            )
        try:
            block, remainder = allocator.take_lowest(pool, length)
        except allocator.PoolExhausted:
            raise ValidationError(
                {
                    "pool": _("The pool %(pool)s is exhausted: no free /%(length)s is left.")
                    % {"pool": pool, "length": length}
                },
                code="exhausted",
            ) from None
    allocation = IPAllocation(
        pool=pool,
        network=to_hex(block.network),
        last=to_hex(block.last),
        prefix_length=block.prefix_length,
        prefix=block.cidr(),
        state=state,
        subscription=subscription,
        member=member,
        description=description,
        allocated_at=timezone.now(),
        allocated_by=allocated_by,
    )
    return allocator.store(allocation, remainder)


@transaction.atomic
def release(allocation, *, actor, now=None):
    """Release an allocation: quarantined for the pool's delay, then free (see end_quarantines)."""
    require_perm(actor, "netops.change_ipallocation")
    return _release(allocation, released_by=actor, now=now)


def _release(allocation, *, released_by, now=None):
    allocation = (
        IPAllocation.objects.select_for_update().select_related("pool").get(pk=allocation.pk)
    )
    if allocation.state in (AllocationState.QUARANTINED, AllocationState.RELEASED):
        return allocation
    now = now or timezone.now()
    allocation.released_at = now
    allocation.released_by = released_by
    allocation.reverse_dns.all().delete()
    if allocation.pool.quarantine_days:
        allocation.state = AllocationState.QUARANTINED
        allocation.quarantine_until = now + timedelta(days=allocation.pool.quarantine_days)
    else:
        allocation.state = AllocationState.RELEASED
        allocator.give_back(allocation.pool, allocation.block)
    allocation.save()
    return allocation


@transaction.atomic
def end_quarantines(now=None):
    """Free every allocation whose quarantine is over; return how many were freed."""
    now = now or timezone.now()
    due = (
        IPAllocation.objects.select_for_update(skip_locked=True)
        .select_related("pool")
        .filter(state=AllocationState.QUARANTINED, quarantine_until__lte=now)
    )
    count = 0
    for allocation in due:
        allocator.give_back(allocation.pool, allocation.block)
        allocation.state = AllocationState.RELEASED
        allocation.save(update_fields=["state"])
        count += 1
    return count


def pools_for(purpose, family):
    """Pools that serve ``purpose`` for ``family``, in the order they are tried."""
    return IPPool.objects.filter(purpose=purpose, family=family).order_by("priority", "network")


@transaction.atomic
def allocate_for_subscription(subscription, *, actor):
    """Allocate what the subscription's offer plans, trying pools in priority order.

    All or nothing: if one entry cannot be served, the subscription gets nothing
    and the error says which entry failed.
    """
    allocations = []
    for entry in subscription.offer.address_plan:
        allocation = None
        for pool in pools_for(entry["purpose"], entry["family"]):
            try:
                with transaction.atomic():
                    allocation = _allocate(
                        pool,
                        allocated_by=actor,
                        prefix_length=entry["prefix_length"],
                        prefix=None,
                        subscription=subscription,
                        member=None,
                        description="",
                        state=AllocationState.ALLOCATED,
                    )
                break
            except ValidationError:
                continue
        if allocation is None:
            raise ValidationError(
                _(
                    "No %(purpose)s pool has a free IPv%(family)s /%(length)s for %(offer)s: "
                    "add a pool or free some addresses."
                )
                % {
                    "purpose": entry["purpose"],
                    "family": entry["family"],
                    "length": entry["prefix_length"],
                    "offer": subscription.offer.name,
                }
            )
        allocations.append(allocation)
    return allocations


@transaction.atomic
def release_for_subscription(subscription, *, actor):
    """Release every prefix the subscription still holds (into quarantine)."""
    released = []
    for allocation in subscription.ip_allocations.filter(state=AllocationState.ALLOCATED):
        released.append(_release(allocation, released_by=actor))
    return released


def release_ended_subscriptions(today=None):
    """Release the prefixes of subscriptions whose last day is past; return how many subscriptions."""
    today = today or timezone.localdate()
    ended = Subscription.objects.filter(
        ends_on__lt=today, ip_allocations__state=AllocationState.ALLOCATED
    ).distinct()
    count = 0
    for subscription in ended:
        release_for_subscription(subscription, actor=None)
        if subscription.status != SubscriptionStatus.ENDED:
            subscription.status = SubscriptionStatus.ENDED
            subscription.save(update_fields=["status"])
        count += 1
    return count


def validate_hostname(hostname):
    """Lowercase ``hostname`` without its final dot; ValidationError if it is not a host name."""
    name = hostname.strip().rstrip(".").lower()
    try:
        DomainNameValidator(accept_idna=False)(name)
    except ValidationError:
        raise ValidationError(
            {
                "hostname": _("%(name)s is not a valid host name (e.g. server.example.org).")
                % {"name": hostname}
            }
        ) from None
    if "." not in name:
        raise ValidationError(
            {"hostname": _("Give a full name with its domain (e.g. server.example.org).")}
        )
    return name


@transaction.atomic
def set_reverse_dns(allocation, address, hostname, *, actor):
    """Set the PTR name of ``address`` (inside ``allocation``) to ``hostname``; replaces a previous name."""
    require_owner_or_perm(actor, allocation.member_id, "netops.change_ipallocation")
    if allocation.state not in (AllocationState.ALLOCATED, AllocationState.RESERVED):
        raise ValidationError(_("This prefix is no longer yours."))
    try:
        family, value = parse_address(address)
    except ValueError:
        raise ValidationError(
            {"address": _("%(value)s is not an IP address.") % {"value": address}}
        ) from None
    if family != allocation.pool.family or not allocation.block.contains(
        Block(value, allocation.block.bits, family)
    ):
        raise ValidationError(
            {
                "address": _("%(value)s is not inside %(prefix)s.")
                % {"value": address, "prefix": allocation.prefix}
            }
        )
    name = validate_hostname(hostname)
    with audit.acting_as(actor):
        record, created = ReverseDNSRecord.objects.get_or_create(
            allocation=allocation, address=to_hex(value), defaults={"hostname": name}
        )
        if not created and record.hostname != name:
            record.hostname = name
            record.save()
    return record


@transaction.atomic
def remove_reverse_dns(record, *, actor):
    """Remove a PTR name."""
    require_owner_or_perm(actor, record.allocation.member_id, "netops.change_ipallocation")
    with audit.acting_as(actor):
        record.delete()


@transaction.atomic
def correct_reverse_dns(record, *, actor, hostname):
    """A volunteer's correction of a member's PTR name: the network role's right, and the same
    checks as the member's own change (:func:`set_reverse_dns`), so the zone gets only host names."""
    require_perm(actor, "netops.change_ipallocation")
    record = ReverseDNSRecord.objects.select_related("allocation__pool").get(pk=record.pk)
    return set_reverse_dns(record.allocation, record.address_text, hostname, actor=actor)


@transaction.atomic
def remove_reverse_dns_as_volunteer(record, *, actor):
    """A volunteer's removal of a PTR name (the network role's right, whoever holds the prefix)."""
    require_perm(actor, "netops.change_ipallocation")
    remove_reverse_dns(record, actor=actor)
