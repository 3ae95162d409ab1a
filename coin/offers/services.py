"""Domain operations on subscriptions: subscribe, change the price, end.

Every function runs in one transaction holding a lock on the member's row, so
two volunteers subscribing the same member at once cannot both create an
overlapping duplicate. Errors are ``ValidationError``\\s keyed by field, with
messages meant for the person who typed the value.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coin.members import audit
from coin.members.choices import MemberStatus
from coin.members.models import Member
from coin.members.services import require_perm
from coin.money import format_money

from .choices import Pricing, SubscriptionStatus
from .models import Offer, Subscription, SubscriptionPrice
from .signals import subscription_changed, subscription_ended, subscription_started


@transaction.atomic
def save_offer(offer, *, actor):
    """Store an offer as the board created or edited it (needs add_offer or change_offer).

    Validated first (``ValidationError`` by field, nothing stored): a
    pay-what-you-want offer needs its floor, the address plan its shape.
    Offers are never deleted: close one to new subscriptions instead.
    """
    require_perm(actor, "offers.change_offer" if offer.pk else "offers.add_offer")
    if offer.pk is not None:
        Offer.objects.select_for_update().get(pk=offer.pk)
    offer.full_clean()
    with audit.acting_as(actor):
        offer.save()
    return offer


def check_price(offer, monthly_price):
    """Raise a ValidationError on ``monthly_price`` if the offer does not allow it."""
    if monthly_price is None:
        raise ValidationError({"monthly_price": _("Give a monthly price.")})
    if monthly_price < 0:
        raise ValidationError({"monthly_price": _("A price cannot be negative.")})
    if offer.pricing == Pricing.PAY_WHAT_YOU_WANT and monthly_price < offer.price_floor:
        raise ValidationError(
            {
                "monthly_price": _(
                    "The monthly price of %(offer)s cannot be below %(floor)s (you gave %(price)s)."
                )
                % {
                    "offer": offer.name,
                    "floor": format_money(offer.price_floor),
                    "price": format_money(monthly_price),
                }
            }
        )
    if offer.pricing == Pricing.FIXED and monthly_price != offer.monthly_price:
        raise ValidationError(
            {
                "monthly_price": _("%(offer)s has a fixed price of %(price)s.")
                % {"offer": offer.name, "price": format_money(offer.monthly_price)}
            }
        )


def find_overlap(member, offer, starts_on, ends_on, exclude_pk=None):
    """The first subscription of ``member`` to ``offer`` whose period meets [starts_on, ends_on]."""
    overlapping = Subscription.objects.filter(member=member, offer=offer).exclude(
        status=SubscriptionStatus.ENDED
    )
    if ends_on is not None:
        overlapping = overlapping.filter(starts_on__lte=ends_on)
    overlapping = overlapping.exclude(ends_on__lt=starts_on)
    if exclude_pk is not None:
        overlapping = overlapping.exclude(pk=exclude_pk)
    return overlapping.order_by("starts_on").first()


def check_subscription(member, offer, monthly_price, starts_on, ends_on=None, exclude_pk=None):
    """Raise a ValidationError if this subscription may not be stored; return nothing otherwise."""
    errors = {}
    if member.status != MemberStatus.ACTIVE:
        errors["member"] = _("%(member)s is not an active member (status: %(status)s).") % {
            "member": member.display_name,
            "status": MemberStatus(member.status).label,
        }
    if exclude_pk is None and not offer.is_available:
        errors["offer"] = _("The offer %(offer)s is closed to new subscriptions.") % {
            "offer": offer.name
        }
    try:
        check_price(offer, monthly_price)
    except ValidationError as error:
        errors.update(error.message_dict)
    if starts_on is None:
        errors["starts_on"] = _("Give the first day of service.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The subscription cannot end before it starts.")
    elif "member" not in errors:
        clash = find_overlap(member, offer, starts_on, ends_on, exclude_pk)
        if clash is not None:
            errors["starts_on"] = _(
                "%(member)s already subscribes to %(offer)s from %(start)s; the periods would overlap."
            ) % {
                "member": member.display_name,
                "offer": offer.name,
                "start": date_format(clash.starts_on, "DATE_FORMAT"),
            }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def subscribe(member, offer, *, actor, starts_on=None, monthly_price=None, ends_on=None, notes=""):
    """Subscribe ``member`` to ``offer``; nothing is stored if any check fails.

    The price defaults to the offer's (suggested) price; the start to today.
    """
    require_perm(actor, "offers.add_subscription")
    member = Member.objects.select_for_update().get(pk=member.pk)
    starts_on = starts_on or timezone.localdate()
    monthly_price = offer.monthly_price if monthly_price is None else monthly_price
    check_subscription(member, offer, monthly_price, starts_on, ends_on)
    subscription = Subscription(
        member=member,
        offer=offer,
        monthly_price=monthly_price,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes,
    )
    with audit.acting_as(actor):
        subscription.save()
        subscription_started.send(sender=Subscription, subscription=subscription, actor=actor)
    return subscription


@transaction.atomic
def update_subscription(subscription, *, actor, **changes):
    """Change the price, dates or notes of a subscription, with the same checks as ``subscribe``."""
    if actor is None or actor.pk != subscription.member_id or set(changes) - {"monthly_price"}:
        require_perm(actor, "offers.change_subscription")
    Member.objects.select_for_update().get(pk=subscription.member_id)
    subscription = Subscription.objects.select_related("member", "offer").get(pk=subscription.pk)
    allowed = {"monthly_price", "starts_on", "ends_on", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))}
        )
    new_price = changes.pop("monthly_price", subscription.monthly_price)
    for name, value in changes.items():
        setattr(subscription, name, value)
    check_subscription(
        subscription.member,
        subscription.offer,
        new_price,
        subscription.starts_on,
        subscription.ends_on,
        exclude_pk=subscription.pk,
    )
    with audit.acting_as(actor):
        subscription.save()
        if new_price != subscription.monthly_price:
            # A price changed here applies from today; change_price takes another day.
            _record_price(subscription, new_price, timezone.localdate())
        subscription_changed.send(sender=Subscription, subscription=subscription, actor=actor)
    return subscription


def _record_price(subscription, monthly_price, effective_on):
    """Write the price history row and the subscription's current price (inside an audit)."""
    history = subscription.prices.all()
    if not history.exists():
        # The price it had until now, from its first day: the history starts complete.
        SubscriptionPrice.objects.create(
            subscription=subscription,
            monthly_price=subscription.monthly_price,
            valid_from=subscription.starts_on,
        )
    SubscriptionPrice.objects.filter(subscription=subscription, valid_from=effective_on).delete()
    SubscriptionPrice.objects.create(
        subscription=subscription, monthly_price=monthly_price, valid_from=effective_on
    )
    # Later changes already scheduled are replaced by this one.
    SubscriptionPrice.objects.filter(
        subscription=subscription, valid_from__gt=effective_on
    ).delete()
    latest = subscription.prices.order_by("-valid_from").first()
    subscription.monthly_price = latest.monthly_price
    subscription.save(update_fields=["monthly_price"])


@transaction.atomic
def change_price(subscription, *, actor, monthly_price, effective_on=None):
    """Charge ``monthly_price`` from ``effective_on`` (today by default) on; returns the subscription.

    Guarantees: the offer's pricing rules are checked (a field error on ``monthly_price``);
    the day is within the subscription (a field error on ``effective_on``); the history keeps
    every price with the day it took effect, the former one included, so billing charges each
    day at the price in force and corrects a month it already billed (docs/billing.md). A
    price set again for the same day replaces it; one set for a later day is replaced.
    """
    require_perm(actor, "offers.change_subscription")
    Member.objects.select_for_update().get(pk=subscription.member_id)
    subscription = Subscription.objects.select_related("offer").get(pk=subscription.pk)
    effective_on = effective_on or timezone.localdate()
    check_price(subscription.offer, monthly_price)
    if effective_on < subscription.starts_on or (
        subscription.ends_on is not None and effective_on > subscription.ends_on
    ):
        raise ValidationError({"effective_on": _("Choose a day within the subscription's period.")})
    with audit.acting_as(actor):
        _record_price(subscription, monthly_price, effective_on)
        subscription_changed.send(sender=Subscription, subscription=subscription, actor=actor)
    return subscription


@transaction.atomic
def end_subscription(subscription, *, actor, ends_on=None):
    """End a subscription on ``ends_on`` (today by default, last day of service included)."""
    require_perm(actor, "offers.change_subscription")
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    ends_on = ends_on or timezone.localdate()
    if ends_on < subscription.starts_on:
        raise ValidationError({"ends_on": _("The subscription cannot end before it starts.")})
    subscription.ends_on = ends_on
    if ends_on < timezone.localdate():
        subscription.status = SubscriptionStatus.ENDED
    with audit.acting_as(actor):
        subscription.save()
        subscription_ended.send(sender=Subscription, subscription=subscription, actor=actor)
    return subscription
