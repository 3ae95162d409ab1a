"""Bulk writes (queryset update, bulk_create, bulk_update) are audited like save(), on every audited model.

Why a queryset rather than a scan of the code for ``.update(``: the scan can
be fooled (a queryset passed around, a related manager, a new helper), the
queryset cannot: every write through the ORM's bulk paths goes through it,
and ``audit.register`` refuses a model whose default manager does not use it.
"""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from coin.members import audit
from coin.members.choices import AuditAction
from coin.members.models import AuditEvent, Member
from coin.offers.choices import OfferKind, Pricing
from coin.offers.models import Offer


def test_every_audited_model_records_its_bulk_writes():
    registered = audit.registered_models()
    assert {model._meta.label for model in registered} >= {
        "members.Member",
        "offers.Subscription",
        "billing.Invoice",
        "billing.BankLine",
        "netops.VPNAccount",
    }
    for model in registered:
        assert issubclass(model._default_manager._queryset_class, audit.AuditedQuerySet), model
        # Related managers (member.invoices.update(...)) derive from the default manager.
        assert issubclass(model._default_manager.get_queryset().__class__, audit.AuditedQuerySet)


def test_register_refuses_a_model_whose_bulk_writes_would_escape():
    unaudited = [
        model
        for model in apps.get_models()
        if not issubclass(model._default_manager._queryset_class, audit.AuditedQuerySet)
    ]
    with pytest.raises(ImproperlyConfigured, match="AuditedQuerySet"):
        audit.register(unaudited[0])
    assert unaudited[0] not in audit.registered_models()


def offer(code, **fields):
    return Offer(
        code=code,
        name=code.upper(),
        kind=OfferKind.VPN,
        pricing=Pricing.FIXED,
        monthly_price=Decimal("5.00"),
        **fields,
    )


def test_update_bulk_create_and_bulk_update_record_one_event_per_row(make_member):
    actor = Member.objects.get(pk=make_member(roles=["board"]).pk)
    with audit.acting_as(actor):
        created = Offer.objects.bulk_create([offer("a"), offer("b")])
        assert (
            Offer.objects.filter(code__in=["a", "b"]).update(
                monthly_price=models.F("monthly_price") + 1
            )
            == 2
        )
        created[0].name = "Renamed"
        Offer.objects.bulk_update(created, ["name"])

    first = list(AuditEvent.objects.for_object(created[0]).order_by("pk"))
    assert [event.action for event in first] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
    ]
    assert first[0].changes["code"] == [None, "a"] and first[0].actor == actor
    assert first[1].changes == {"monthly_price": ["5.00", "6.00"]}
    assert first[2].changes == {"name": ["A", "Renamed"]}
    # The second offer's name did not change: no third event for it.
    assert AuditEvent.objects.for_object(created[1]).count() == 2


def test_a_bulk_write_of_excluded_fields_records_nothing(make_member):
    member = make_member()
    before = AuditEvent.objects.count()
    Member.objects.filter(pk=member.pk).update(last_login=None)  # excluded from the audit
    assert AuditEvent.objects.count() == before
    Member.objects.filter(pk=member.pk).update(password="x")  # secret: recorded without values
    (event,) = AuditEvent.objects.for_object(member).filter(
        action=AuditAction.UPDATE, changes__has_key="password"
    )
    assert event.changes == {"password": [audit.HIDDEN, audit.HIDDEN]}
