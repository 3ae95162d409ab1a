"""Billing's answers to core signals: admission starts the membership; a subscription that
starts, changes or ends after its month was billed is corrected (at once, per a setting).

Core never imports billing, so admission sends ``coin.members.signals.member_admitted``
and billing answers here. Suspension needs no signal: billing calls
``netops.services`` directly.
"""

from coin.members.signals import member_admitted
from coin.offers.signals import subscription_changed, subscription_ended, subscription_started

from .services.admission import start_membership as _start
from .services.corrections import correct_after_commit


def start_membership(sender, member, actor, on, **kwargs):
    """The first membership period and its dues invoice; a sentence for the volunteer."""
    return _start(member, actor=actor, on=on)


def correct_subscription(sender, subscription, actor=None, **kwargs):
    """With ``COIN_BILLING_CORRECTIONS = "at-once"``, bill or credit the change after commit."""
    correct_after_commit(subscription.member_id)


def connect():
    """Connect billing's receivers (called once, from ``BillingConfig.ready``)."""
    member_admitted.connect(start_membership, dispatch_uid="billing-start-membership")
    for signal in (subscription_started, subscription_changed, subscription_ended):
        signal.connect(correct_subscription, dispatch_uid=f"billing-correct-{id(signal)}")
