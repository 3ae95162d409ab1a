"""Billing's answer to a core signal: admission starts the membership.

Core never imports billing, so admission sends ``coin.members.signals.member_admitted``
and billing answers here. Suspension needs no signal: billing calls
``netops.services`` directly.
"""

from coin.members.signals import member_admitted

from .services.admission import start_membership as _start


def start_membership(sender, member, actor, on, **kwargs):
    """The first membership period and its dues invoice; a sentence for the volunteer."""
    return _start(member, actor=actor, on=on)


def connect():
    """Connect billing's receivers (called once, from ``BillingConfig.ready``)."""
    member_admitted.connect(start_membership, dispatch_uid="billing-start-membership")
