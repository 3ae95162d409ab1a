"""Reminders after the due date plus grace, suspension, and restoration once paid: end to end, with emails."""

from datetime import date

from django.core import mail
from django.urls import reverse

from billing import services
from billing.models import Reminder, Suspension
from coin.members.models import AuditEvent


def history(member):
    """What happened to the member's services, from their Suspension rows, in order."""
    events = []
    for suspension in Suspension.objects.filter(member=member).order_by("pk"):
        events.append(("suspended", member.username))
        if suspension.ended_at is not None:
            events.append(("restored", member.username))
    return events


def test_reminders_then_suspension_then_restoration(
    make_member, issued_invoice, login, django_capture_on_commit_callbacks
):
    member = make_member("late", language="en")
    on_time = make_member("ontime", language="en")
    invoice = issued_invoice(
        member, "32.00", issued_on=date(2026, 3, 1)
    )  # due 31/03, grace 15 days
    paid = issued_invoice(on_time, "32.00", issued_on=date(2026, 3, 1))
    services.record_payment(on_time, actor=None, amount="32", method="transfer")
    mail.outbox.clear()

    assert services.run_dunning(date(2026, 4, 15)) == (0, 0)  # still within the grace period
    assert services.run_dunning(date(2026, 4, 16)) == (1, 0)
    assert services.run_dunning(date(2026, 4, 16)) == (0, 0)  # each step once
    assert [m.to for m in mail.outbox] == [["late@example.org"]]
    assert "Reminder" in mail.outbox[0].subject and invoice.number in mail.outbox[0].subject
    assert "€32.00" in mail.outbox[0].body

    assert services.run_dunning(date(2026, 5, 1)) == (1, 0)  # second step, 15 days later
    assert Reminder.objects.filter(invoice=invoice).count() == 2
    assert not Reminder.objects.filter(invoice=paid).exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_dunning(date(2026, 5, 16)) == (0, 1)
    assert history(member) == [("suspended", "late")]
    suspension = Suspension.objects.get(member=member, ended_at__isnull=True)
    assert invoice.number in suspension.reason
    assert mail.outbox[-1].subject == "Your services are suspended"
    assert services.run_dunning(date(2026, 5, 17)) == (0, 0)  # suspended once

    page = login(member).get(reverse("billing:invoices")).content.decode()
    assert "Services suspended since" in page and "reminder 2 about invoice" in page

    with django_capture_on_commit_callbacks(execute=True):
        services.record_payment(member, actor=None, amount="20", method="cheque")
    assert history(member) == [("suspended", "late")]  # a partial payment restores nothing
    with django_capture_on_commit_callbacks(execute=True):
        services.record_payment(member, actor=None, amount="12", method="cheque")
    assert history(member) == [("suspended", "late"), ("restored", "late")]
    suspension.refresh_from_db()
    assert suspension.ended_at is not None
    assert mail.outbox[-1].subject == "Your services are restored"

    messages = list(AuditEvent.objects.for_object(member).values_list("message", flat=True))
    assert any("restored" in m for m in messages) and any(invoice.number in m for m in messages)
    invoice_events = AuditEvent.objects.for_object(invoice).values_list("message", flat=True)
    assert sum("reminder" in m for m in invoice_events) == 2


def test_a_credit_note_settling_the_arrears_restores_too(make_member, issued_invoice):
    member = make_member()
    invoice = issued_invoice(member, "10.00", issued_on=date(2026, 1, 1))
    services.run_dunning(date(2026, 4, 1))
    assert history(member) == [("suspended", member.username)]
    services.create_credit_note(invoice, actor=None, reason="Service never delivered")
    assert history(member)[-1] == ("restored", member.username)


def test_the_daily_task_is_scheduled(settings):
    assert settings.CELERY_BEAT_SCHEDULE["billing-dunning"]["task"] == "billing.tasks.dunning_task"


def test_a_suspension_takes_the_vpn_off_the_endpoint_and_payment_brings_it_back(
    make_member, issued_invoice, vpn_offer, subscribe
):
    """Access follows payment, through netops: the endpoint's desired configuration loses the peer."""
    from netops.provisioning import desired
    from netops.provisioning.models import Endpoint, ProvisioningJob

    endpoint = Endpoint.objects.create(
        name="vpn1",
        kind="wireguard",
        ssh_host="192.0.2.250",
        public_host="vpn.example.net",
        reload_command="true",
    )
    member = make_member("late", language="en")
    account = subscribe(member, vpn_offer).vpn_account
    issued_invoice(member, "32.00", issued_on=date(2026, 3, 1))
    ProvisioningJob.objects.all().delete()

    services.run_dunning(date(2026, 4, 16))
    services.run_dunning(date(2026, 5, 1))
    services.run_dunning(date(2026, 5, 16))
    account.refresh_from_db()
    assert account.suspended
    assert account.public_key.encode() not in desired.files_for(endpoint)["coin0.conf"]
    assert ProvisioningJob.objects.filter(endpoint=endpoint, status="queued").count() == 1

    services.record_payment(member, actor=None, amount="32", method="transfer")
    account.refresh_from_db()
    assert not account.suspended
    assert account.public_key.encode() in desired.files_for(endpoint)["coin0.conf"]


def test_a_reminder_about_dues_calls_them_dues_not_an_invoice(make_member, association):
    member = make_member("forgetful", language="fr")
    call = services.create_draft(member, actor=None)
    services.add_line(
        call,
        actor=None,
        description="Cotisation 2026",
        unit_price="15",
        kind="dues",
        period_start=date(2026, 1, 1),
    )
    call = services.issue_invoice(call, actor=None, issued_on=date(2026, 3, 1))
    mail.outbox.clear()
    assert services.run_dunning(date(2026, 4, 16)) == (1, 0)
    [message] = mail.outbox
    assert "appel de cotisation" in message.subject and call.number in message.subject
    assert "l'appel de cotisation COT-2026-000001" in message.body
    assert "facture" not in message.subject.lower()
