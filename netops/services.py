"""What netops offers the other apps (billing never imports deeper than this module)."""

from django.db import transaction

from netops.dsl import services as dsl_services
from netops.vpn.services import set_suspended


@transaction.atomic
def suspend_member(member, *, actor=None):
    """Stop the member's network services at the next provisioning run: VPN peers removed,
    DSL lines rejected or restricted to the walled garden (``COIN_DSL_SUSPENDED``).

    Returns the VPN accounts changed (the DSL lines follow the same member)."""
    dsl_services.set_suspended(member, True, actor=actor)
    return set_suspended(member, True, actor=actor)


@transaction.atomic
def restore_member(member, *, actor=None):
    """Give back the member's network services suspended by :func:`suspend_member`."""
    dsl_services.set_suspended(member, False, actor=actor)
    return set_suspended(member, False, actor=actor)
