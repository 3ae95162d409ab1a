"""Address pools, allocations (the history of who held what), free blocks and reverse DNS."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coin.members.audit import AuditedQuerySet
from coin.offers.choices import PoolPurpose

from .addressing import Block, format_address, from_hex, to_hex
from .choices import AllocationState
from .ranges import refusal

HEX = {"max_length": 32}


class IPPool(models.Model):
    """A prefix the association hands out from, for one purpose."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(
        _("prefix"), max_length=64, unique=True, help_text=_("e.g. 203.0.113.0/24 or 2001:db8::/32")
    )
    family = models.PositiveSmallIntegerField(
        _("IP version"), choices=[(4, "IPv4"), (6, "IPv6")], editable=False
    )
    network = models.CharField(_("first address (hex)"), **HEX, editable=False)
    last = models.CharField(_("last address (hex)"), **HEX, editable=False)
    prefix_length = models.PositiveSmallIntegerField(_("prefix length"), editable=False)
    purpose = models.CharField(_("purpose"), max_length=16, choices=PoolPurpose.choices)
    default_prefix_length = models.PositiveSmallIntegerField(
        _("prefix length handed out"), help_text=_("e.g. 32 or 29 for IPv4, 56 or 48 for IPv6.")
    )
    quarantine_days = models.PositiveIntegerField(
        _("quarantine (days)"),
        default=30,
        validators=[MaxValueValidator(3650)],
        help_text=_("A released prefix is not handed out again for this many days."),
    )
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_("Among pools of the same purpose, the lowest is used first."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("address pool")
        verbose_name_plural = _("address pools")
        ordering = ["family", "priority", "network"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    def clean(self):
        # Creation checks the range (services.check_pool); the purpose may change afterwards
        # and must still allow the pool's range.
        if self.pk and self.prefix and self.purpose:
            message = refusal(self.prefix, self.purpose)
            if message is not None:
                raise ValidationError({"purpose": message})

    @property
    def block(self):
        return Block(from_hex(self.network), self.prefix_length, self.family)


class IPFreeBlock(models.Model):
    """A maximal aligned free block of a pool (buddy system); internal to the allocator.

    The free blocks of a pool and its allocated or quarantined prefixes tile
    the pool exactly. Taking the lowest free block is one index seek, whatever
    the number of allocations.
    """

    pool = models.ForeignKey(
        IPPool, on_delete=models.CASCADE, related_name="free_blocks", verbose_name=_("pool")
    )
    network = models.CharField(_("first address (hex)"), **HEX)
    prefix_length = models.PositiveSmallIntegerField(_("prefix length"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pool", "network"], name="ipfreeblock_unique_start")
        ]

    def __str__(self):
        return f"{format_address(self.pool.family, from_hex(self.network))}/{self.prefix_length}"


class IPAllocationQuerySet(models.QuerySet):
    def held(self):
        """Allocations still holding their addresses (allocated, reserved or quarantined)."""
        return self.exclude(state=AllocationState.RELEASED)

    def containing(self, family, value):
        """Allocations (past and present) whose prefix contains the address ``value``."""
        key = to_hex(value)
        return self.filter(pool__family=family, network__lte=key, last__gte=key)


class IPAllocation(models.Model):
    """One prefix held by a subscription or by the infrastructure, from a date to a date.

    Rows are never deleted: after release they are the record of who held an
    address when, which associations are asked for by the authorities.
    """

    pool = models.ForeignKey(
        IPPool, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("pool")
    )
    network = models.CharField(_("first address (hex)"), **HEX, editable=False)
    last = models.CharField(_("last address (hex)"), **HEX, editable=False)
    prefix_length = models.PositiveSmallIntegerField(
        _("prefix length"), validators=[MinValueValidator(0), MaxValueValidator(128)]
    )
    prefix = models.CharField(_("prefix"), max_length=64, editable=False)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=AllocationState.choices,
        default=AllocationState.ALLOCATED,
        db_index=True,
    )
    subscription = models.ForeignKey(
        "offers.Subscription",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ip_allocations",
        verbose_name=_("subscription"),
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ip_allocations",
        verbose_name=_("member"),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    allocated_at = models.DateTimeField(_("allocated at"))
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allocated by"),
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    quarantine_until = models.DateTimeField(_("quarantined until"), null=True, blank=True)

    objects = IPAllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("address allocation")
        verbose_name_plural = _("address allocations")
        ordering = ["pool", "network", "-allocated_at"]
        indexes = [
            models.Index(fields=["pool", "network"]),
            models.Index(fields=["network", "last"]),
            models.Index(fields=["state", "quarantine_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state=AllocationState.RELEASED) | Q(released_at__isnull=False),
                name="ipallocation_released_has_date",
            ),
        ]

    def __str__(self):
        return self.prefix

    @property
    def block(self):
        return Block(from_hex(self.network), self.prefix_length, self.pool.family)

    @property
    def family(self):
        return self.pool.family


class ReverseDNSRecord(models.Model):
    """A PTR name set by a member (or a volunteer) on one address of an allocation."""

    allocation = models.ForeignKey(
        IPAllocation,
        on_delete=models.CASCADE,
        related_name="reverse_dns",
        verbose_name=_("address allocation"),
    )
    address = models.CharField(_("address (hex)"), **HEX, editable=False)
    hostname = models.CharField(_("name"), max_length=253)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reverse DNS name")
        verbose_name_plural = _("reverse DNS names")
        ordering = ["address"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "address"], name="reversedns_one_name_per_address"
            )
        ]

    def __str__(self):
        return f"{self.address_text} → {self.hostname}"

    @property
    def address_text(self):
        return format_address(self.allocation.pool.family, from_hex(self.address))
