"""VPN accounts follow subscriptions (connected after IPAM's, so addresses exist first)."""

from django.dispatch import receiver
from django.utils.translation import gettext as _

from coin.offers.signals import subscription_ended, subscription_started
from netops.provisioning import services as provisioning

from . import services
from .models import VPNAccount


@receiver(subscription_started, dispatch_uid="vpn-create-account")
def create_vpn_account(sender, subscription, actor, **kwargs):
    """A VPN subscription gets its account (keys generated) and its endpoint is provisioned."""
    if services.is_vpn_subscription(subscription):
        services.create_account(subscription, actor=actor)


@receiver(subscription_ended, dispatch_uid="vpn-deprovision-account")
def deprovision_vpn_account(sender, subscription, actor, **kwargs):
    """An ended subscription's peer leaves its endpoint.

    Now if the last day is past, else at the hourly run.
    """
    account = (
        VPNAccount.objects.filter(subscription=subscription).select_related("endpoint").first()
    )
    if account is not None and account.endpoint_id:
        provisioning.request_provisioning(
            account.endpoint, reason=_("end of %(name)s") % {"name": account.username}, actor=actor
        )
