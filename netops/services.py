"""What netops offers the other apps (billing never imports deeper than this module)."""

from django.db import transaction

from coin.members.signals import member_restored, member_suspended
from netops.dsl import services as dsl_services
from netops.vpn.services import set_suspended


@transaction.atomic
def suspend_member(member, *, actor=None):
    """Stop the member's network services at the next provisioning run: VPN peers removed,
    DSL lines rejected or restricted to the walled garden (``COIN_DSL_SUSPENDED``); tell the
    other apps (``member_suspended``: the datacenter flags the member's machines).

    Returns the VPN accounts changed (the DSL lines follow the same member)."""
    dsl_services.set_suspended(member, True, actor=actor)
    result = set_suspended(member, True, actor=actor)
    member_suspended.send(sender=suspend_member, member=member, actor=actor)
    return result


@transaction.atomic
def restore_member(member, *, actor=None):
    """Give back the member's network services suspended by :func:`suspend_member`
    (``member_restored``: the datacenter clears its flags)."""
    dsl_services.set_suspended(member, False, actor=actor)
    result = set_suspended(member, False, actor=actor)
    member_restored.send(sender=restore_member, member=member, actor=actor)
    return result
