"""Billing's answers to signals: admission starts the membership; suspension disables network services.

billing calls what netops exposes for this (``netops.services``), as DESIGN.md
says; netops never imports billing.
"""

from django.dispatch import receiver

from coin.members.signals import member_admitted
from netops import services as netops_services

from .signals import member_restored, member_suspended


@receiver(member_suspended, dispatch_uid="billing-suspend-network-services")
def suspend_network_services(sender, member, **kwargs):
    """The member's VPN peers leave their endpoints at the next provisioning run (queued now)."""
    netops_services.suspend_member(member)


@receiver(member_restored, dispatch_uid="billing-restore-network-services")
def restore_network_services(sender, member, **kwargs):
    """The member's VPN peers come back at the next provisioning run (queued now)."""
    netops_services.restore_member(member)


@receiver(member_admitted, dispatch_uid="billing-start-membership")
def start_membership(sender, member, actor, on, **kwargs):
    """The first membership period and its dues invoice; a sentence for the volunteer."""
    from .services.admission import start_membership as start

    return start(member, actor=actor, on=on)
