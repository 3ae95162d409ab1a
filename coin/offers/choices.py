"""Choices of the offers app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from coin.backoffice.colours import badge_colours


class OfferKind(models.TextChoices):
    VPN = "vpn", _("VPN access")
    DSL = "dsl", _("DSL line")
    HOUSING = "housing", _("housing (colocation)")
    OTHER = "other", _("other")


class Pricing(models.TextChoices):
    FIXED = "fixed", _("fixed price")
    PAY_WHAT_YOU_WANT = "pwyw", _("pay what you want (above a floor)")


@badge_colours(ACTIVE="success", SUSPENDED="warning", ENDED="neutral")
class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    ENDED = "ended", _("ended")


class PoolPurpose(models.TextChoices):
    """What an address pool is for; an offer's address plan names pools by purpose."""

    VPN = "vpn", _("VPN")
    DSL = "dsl", _("DSL")
    HOUSING = "housing", _("housing")
    INFRASTRUCTURE = "infrastructure", _("infrastructure")
