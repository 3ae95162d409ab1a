"""What netops offers the other apps (billing never imports deeper than this module)."""

from netops.vpn.services import set_suspended


def suspend_member(member, *, actor=None):
    """Stop the member's network services at the next provisioning run (VPN peers removed)."""
    return set_suspended(member, True, actor=actor)


def restore_member(member, *, actor=None):
    """Give back the member's network services suspended by :func:`suspend_member`."""
    return set_suspended(member, False, actor=actor)
