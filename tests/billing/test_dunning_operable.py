"""Access that follows payment is visible and operable.

Members past due see their overdue invoices, the next reminder and the
suspension date; the finances role runs dunning now and suspends or restores
a member by hand with a reason (audited, through the services that reach netops).
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from billing import services
from billing.models import Reminder, Suspension
from coin.members.models import AuditEvent
from netops import services as netops_services


def short(day):
    with translation.override("en"):
        return date_format(day, "SHORT_DATE_FORMAT")


@pytest.fixture
def received(monkeypatch):
    """What billing asked of netops, in order: the real netops services still run."""
    events = []
    real_suspend, real_restore = netops_services.suspend_member, netops_services.restore_member

    def suspend(member, **kwargs):
        events.append(("suspended", member.username))
        return real_suspend(member, **kwargs)

    def restore(member, **kwargs):
        events.append(("restored", member.username))
        return real_restore(member, **kwargs)

    monkeypatch.setattr(netops_services, "suspend_member", suspend)
    monkeypatch.setattr(netops_services, "restore_member", restore)
    return events


@pytest.fixture
def late(make_member, issued_invoice):
    """A member whose invoice was due 10 days ago (terms 30 days, grace 15, suspension after 30).

    Overdue from the day after due date + grace: first reminder in 6 days, suspension in 35.
    """
    today = timezone.localdate()
    member = make_member("late", language="en")
    invoice = issued_invoice(member, "32.00", issued_on=today - timedelta(days=40))
    return member, invoice, today


def test_a_member_past_due_sees_what_will_happen_when(late, login):
    member, invoice, today = late
    client = login(member)
    page = client.get(reverse("billing:invoices")).content.decode()
    assert "Overdue invoices" in page and invoice.number in page
    assert (
        short(today + timedelta(days=6)) in page
    )  # first reminder: the day after due date + grace
    assert f"your services will be suspended on {short(today + timedelta(days=35))}" in page
    home = client.get(reverse("portal:dashboard")).content.decode()
    assert f"suspended on {short(today + timedelta(days=35))}" in home


def test_the_finances_role_runs_dunning_now_and_sees_the_reminders(
    make_member, issued_invoice, login
):
    today = timezone.localdate()
    member = make_member("late", language="en")
    # Due 16 days ago: the grace period ended yesterday, the first reminder is due now.
    invoice = issued_invoice(member, "32.00", issued_on=today - timedelta(days=46))
    treasurer = make_member(roles=["finances"], language="en")
    client = login(treasurer)
    mail.outbox.clear()
    response = client.post(reverse("billing:run_dunning"), follow=True)
    assert "Reminders sent: 1; members suspended: 0" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    response = client.post(reverse("billing:run_dunning"), follow=True)
    assert "Reminders sent: 0; members suspended: 0" in response.content.decode()
    assert Reminder.objects.get(invoice=invoice).step == 0
    listing = client.get(reverse("admin:billing_reminder_changelist")).content.decode()
    assert invoice.number in listing and "late" in listing
    events = AuditEvent.objects.for_object(invoice)
    assert any(event.actor == treasurer and "reminder" in event.message for event in events)
    # The member now sees the second reminder's date (15 days after the first step).
    page = login(member).get(reverse("billing:invoices")).content.decode()
    assert short(today + timedelta(days=14)) in page


def test_only_the_finances_role_runs_dunning(late, make_member, login):
    member, invoice, today = late
    for who in (member, make_member(roles=["network"])):
        assert login(who).post(reverse("billing:run_dunning")).status_code == 403
    assert login(member).get(reverse("billing:run_dunning")).status_code in (403, 405)


def test_suspend_and_restore_by_hand_with_a_reason(
    late, make_member, login, received, django_capture_on_commit_callbacks
):
    member, invoice, today = late
    treasurer = make_member(roles=["finances"], language="en")
    client = login(treasurer)
    add = reverse("admin:billing_suspension_add")
    # No reason: a form error, nothing suspended.
    response = client.post(add, {"member": member.pk, "reason": " "})
    assert response.status_code == 200 and not Suspension.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, {"member": member.pk, "reason": "Abuse report 42"})
    assert response.status_code == 302
    suspension = Suspension.objects.get(member=member, ended_at__isnull=True)
    assert suspension.manual and suspension.reason == "Abuse report 42"
    assert received == [("suspended", "late")]
    assert "Abuse report 42" in mail.outbox[-1].body
    event = AuditEvent.objects.for_object(member).latest("pk")
    assert event.actor == treasurer and "Abuse report 42" in event.message
    # Twice: a form error, not a 500.
    response = client.post(add, {"member": member.pk, "reason": "again"})
    assert response.status_code == 200 and "already suspended" in response.content.decode()
    # Paying does not lift a suspension made by hand.
    services.record_payment(member, actor=None, amount="32", method="transfer")
    assert services.restore_settled_members() == 0
    listing = client.get(reverse("admin:billing_suspension_changelist") + "?open=yes")
    assert "Abuse report 42" in listing.content.decode()

    restore = reverse("admin:billing_suspension_restore", args=[suspension.pk])
    assert client.post(restore, {"reason": ""}).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(restore, {"reason": "Settled with the member"})
    assert response.status_code == 302
    suspension.refresh_from_db()
    assert (
        suspension.ended_at is not None and suspension.restore_reason == "Settled with the member"
    )
    assert received == [("suspended", "late"), ("restored", "late")]
    event = AuditEvent.objects.for_object(member).latest("pk")
    assert event.actor == treasurer and "Settled with the member" in event.message
    assert "Settled with the member" in mail.outbox[-1].body


def test_a_member_restored_by_hand_is_not_suspended_again_the_next_morning(
    make_member, issued_invoice
):
    today = timezone.localdate()
    member = make_member("late", language="en")
    issued_invoice(member, "32.00", issued_on=today - timedelta(days=100))  # long past due
    assert services.run_dunning(today)[1] == 1
    services.restore_by_hand(member, actor=None, reason="Payment plan agreed")
    assert services.run_dunning(today + timedelta(days=1))[1] == 0
    assert services.run_dunning(today + timedelta(days=31))[1] == 1


def test_other_roles_cannot_suspend(late, make_member, login):
    member, invoice, today = late
    client = login(make_member(roles=["network"]))
    response = client.post(
        reverse("admin:billing_suspension_add"), {"member": member.pk, "reason": "x"}
    )
    assert response.status_code == 403 and not Suspension.objects.exists()
