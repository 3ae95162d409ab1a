"""IPAM follows subscriptions: addresses on subscribing, quarantine after the last day."""

from django.dispatch import receiver
from django.utils import timezone

from coin.offers.signals import subscription_ended, subscription_started

from . import services


@receiver(subscription_started, dispatch_uid="ipam-allocate-for-subscription")
def allocate_addresses(sender, subscription, actor, **kwargs):
    """A new subscription gets the prefixes of its offer's address plan (or the subscription is refused)."""
    if subscription.offer.address_plan:
        services.allocate_for_subscription(subscription, actor=actor)


@receiver(subscription_ended, dispatch_uid="ipam-release-for-subscription")
def release_addresses(sender, subscription, actor, **kwargs):
    """A subscription whose last day is past releases its prefixes at once; others on the day after."""
    if subscription.ends_on is not None and subscription.ends_on < timezone.localdate():
        services.release_for_subscription(subscription, actor=actor)
