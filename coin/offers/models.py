"""Offers (what the association sells) and subscriptions (who has what, at what price)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coin.constraints import DateRange, PostgreSQLExclusionConstraint
from coin.members.audit import AuditedQuerySet
from coin.money import MONEY

from .choices import OfferKind, PoolPurpose, Pricing, SubscriptionStatus

# Prices: the one money field definition, never negative.
PRICE = {**MONEY, "validators": [MinValueValidator(Decimal("0"))]}
PREFIX_LENGTH_LIMITS = {4: (8, 32), 6: (16, 128)}


def validate_address_plan(plan):
    """An address plan is a list of {"purpose", "family" (4 or 6), "prefix_length"} entries."""
    if not isinstance(plan, list):
        raise ValidationError(_("The address plan must be a list of entries."))
    purposes = set(PoolPurpose.values)
    for index, entry in enumerate(plan, start=1):
        if not isinstance(entry, dict) or set(entry) != {"purpose", "family", "prefix_length"}:
            raise ValidationError(
                _("Entry %(n)s of the address plan needs exactly: purpose, family, prefix_length.")
                % {"n": index}
            )
        if entry["purpose"] not in purposes:
            raise ValidationError(
                _("Entry %(n)s: unknown purpose %(purpose)r.")
                % {"n": index, "purpose": entry["purpose"]}
            )
        if entry["family"] not in PREFIX_LENGTH_LIMITS:
            raise ValidationError(_("Entry %(n)s: the family must be 4 or 6.") % {"n": index})
        low, high = PREFIX_LENGTH_LIMITS[entry["family"]]
        length = entry["prefix_length"]
        if not isinstance(length, int) or isinstance(length, bool) or not low <= length <= high:
            raise ValidationError(
                _(
                    "Entry %(n)s: an IPv%(family)s prefix length must be between %(low)s and %(high)s."
                )
                % {"n": index, "family": entry["family"], "low": low, "high": high}
            )


class Offer(models.Model):
    """Something members subscribe to: a VPN, a DSL line, a rack unit, ..."""

    code = models.SlugField(_("code"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=OfferKind.choices)
    description = models.TextField(_("description"), blank=True)
    pricing = models.CharField(
        _("pricing"), max_length=8, choices=Pricing.choices, default=Pricing.FIXED
    )
    monthly_price = models.DecimalField(
        _("monthly price"),
        help_text=_("The price, or the suggested price when members choose it."),
        **PRICE,
    )
    price_floor = models.DecimalField(
        _("lowest monthly price"),
        null=True,
        blank=True,
        help_text=_("Only for pay-what-you-want offers."),
        **PRICE,
    )
    setup_fee = models.DecimalField(_("setup fee"), default=Decimal("0"), **PRICE)
    address_plan = models.JSONField(
        _("address plan"),
        default=list,
        blank=True,
        validators=[validate_address_plan],
        help_text=_(
            'Addresses a new subscription gets, e.g. [{"purpose": "vpn", "family": 4, "prefix_length": 32}, '
            '{"purpose": "vpn", "family": 6, "prefix_length": 56}].'
        ),
    )
    is_available = models.BooleanField(_("open to new subscriptions"), default=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.pricing == Pricing.PAY_WHAT_YOU_WANT:
            if self.price_floor is None:
                raise ValidationError(
                    {"price_floor": _("A pay-what-you-want offer needs a lowest price.")}
                )
            if self.monthly_price is not None and self.monthly_price < self.price_floor:
                raise ValidationError(
                    {"monthly_price": _("The suggested price cannot be below the lowest price.")}
                )
        elif self.price_floor is not None:
            raise ValidationError(
                {"price_floor": _("Only pay-what-you-want offers have a lowest price.")}
            )

    @property
    def lowest_price(self):
        """The least a subscriber may pay per month."""
        return self.price_floor if self.pricing == Pricing.PAY_WHAT_YOU_WANT else self.monthly_price


class SubscriptionQuerySet(AuditedQuerySet):
    def current(self, on=None):
        """Subscriptions whose period includes ``on`` (today by default), suspended ones included."""
        on = on or timezone.localdate()
        return self.filter(Q(starts_on__lte=on), Q(ends_on__isnull=True) | Q(ends_on__gte=on))


class Subscription(models.Model):
    """A member's subscription to an offer, from ``starts_on`` to ``ends_on`` (inclusive, open if empty)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="subscriptions",
        verbose_name=_("member"),
    )
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("offer")
    )
    monthly_price = models.DecimalField(_("monthly price"), **PRICE)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("Last day of service, included.")
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.ACTIVE,
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["member", "offer"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="subscription_ends_after_start",
            ),
            # What services.check_subscription refuses, held by the database too: two
            # subscriptions of one member to one offer whose periods meet (ended ones aside).
            PostgreSQLExclusionConstraint(
                name="subscription_no_overlap",
                expressions=[
                    (DateRange("starts_on", "ends_on"), RangeOperators.OVERLAPS),
                    ("member", RangeOperators.EQUAL),
                    ("offer", RangeOperators.EQUAL),
                ],
                condition=~Q(status=SubscriptionStatus.ENDED),
                violation_error_code="overlap",
                violation_error_message=_(
                    "This member already subscribes to this offer for part of this period."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.offer} — {self.member.username}"


class SubscriptionPrice(models.Model):
    """A subscription's monthly price from ``valid_from`` on (until the next row's day).

    Written by ``services.change_price`` only. A subscription without rows has had one price,
    ``Subscription.monthly_price``, since it started; once it has rows, the latest one is
    its ``monthly_price`` and billing charges each day at the price in force that day.
    """

    subscription = models.ForeignKey(
        Subscription,
        on_delete=models.CASCADE,
        related_name="prices",
        verbose_name=_("subscription"),
    )
    monthly_price = models.DecimalField(_("monthly price"), **PRICE)
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = AuditedQuerySet.as_manager()

    class Meta:
        verbose_name = _("subscription price")
        verbose_name_plural = _("subscription prices")
        ordering = ["subscription", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "valid_from"], name="subscription_one_price_per_day"
            ),
            models.CheckConstraint(
                condition=Q(monthly_price__gte=0), name="subscription_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.subscription_id}: {self.monthly_price} from {self.valid_from}"
