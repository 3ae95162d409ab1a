"""What netops offers the other apps (billing never imports deeper than this module)."""

from django.db import transaction

from coin.members.signals import member_restored, member_suspended
from netops.vpn.services import set_suspended


@transaction.atomic
def suspend_member(member, *, actor=None):
    """Stop the member's network services at the next provisioning run (VPN peers removed);
    tell the other apps (``member_suspended``: the datacenter flags the member's machines)."""
    result = set_suspended(member, True, actor=actor)
    member_suspended.send(sender=suspend_member, member=member, actor=actor)
    return result


@transaction.atomic
def restore_member(member, *, actor=None):
    """Give back the member's network services suspended by :func:`suspend_member`
    (``member_restored``: the datacenter clears its flags)."""
    result = set_suspended(member, False, actor=actor)
    member_restored.send(sender=restore_member, member=member, actor=actor)
    return result
