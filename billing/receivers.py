"""Access follows payment: a suspension for non-payment disables the member's network services.

billing calls what netops exposes for this (``netops.services``), as DESIGN.md
says; netops never imports billing.
"""

from django.dispatch import receiver

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
