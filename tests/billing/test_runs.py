"""The monthly run: one invoice per member, pro rata by days, dues once a year on a call for dues
of their own, idempotent, bulk."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.choices import InvoiceOrigin, LineKind
from billing.models import BillingRun, Invoice, InvoiceLine
from coin.members.choices import MemberKind, MemberStatus
from coin.members.models import AuditEvent

MARCH = date(2026, 3, 1)


def test_prorata_counts_days_of_the_month():
    assert services.prorata(date(2026, 1, 1), None, date(2026, 3, 1), date(2026, 3, 31)) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        Decimal("1"),
    )
    first, last, quantity = services.prorata(
        date(2026, 3, 17), None, date(2026, 3, 1), date(2026, 3, 31)
    )
    assert (first, last, quantity) == (
        date(2026, 3, 17),
        date(2026, 3, 31),
        Decimal("0.4839"),
    )  # 15 / 31
    first, last, quantity = services.prorata(
        date(2026, 1, 1), date(2026, 2, 14), date(2026, 2, 1), date(2026, 2, 28)
    )
    assert (last, quantity) == (date(2026, 2, 14), Decimal("0.5"))  # 14 / 28


def test_one_invoice_per_member_with_all_subscriptions_pro_rata_and_dues(
    make_member, association, vpn_offer, dsl_offer, subscribe
):
    alice = make_member("alice")
    subscribe(alice, vpn_offer, starts_on=date(2026, 1, 1), monthly_price=Decimal("7.00"))
    subscribe(alice, dsl_offer, starts_on=date(2026, 3, 17))
    result = services.billing_run(MARCH, actor=None, issued_on=date(2026, 3, 1), deliver=False)
    assert (result.created, result.dues_calls) == (1, 1)
    invoice = alice.invoices.get(kind="invoice")
    assert invoice.number == "2026-000001" and invoice.origin == InvoiceOrigin.RUN
    assert (invoice.period_start, invoice.period_end) == (date(2026, 3, 1), date(2026, 3, 31))
    # Dues are not a sale: a call for dues of their own, in their own sequence (item 11).
    call = alice.invoices.get(kind="dues_call")
    assert call.number == "COT-2026-000001" and call.origin == InvoiceOrigin.RUN
    [dues] = call.lines.all()
    assert (dues.kind, dues.amount) == (LineKind.DUES, Decimal("15.00"))
    assert (dues.period_start, dues.period_end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert call.total == Decimal("15.00")
    lines = {line.kind: line for line in invoice.lines.all()}
    assert LineKind.DUES not in lines
    assert lines[LineKind.VPN].amount == Decimal("7.00") and lines[LineKind.VPN].quantity == 1
    dsl = lines[LineKind.DSL]
    assert (dsl.unit_price, dsl.quantity, dsl.amount) == (
        Decimal("32.00"),
        Decimal("0.4839"),
        Decimal("15.48"),
    )
    assert dsl.period_start == date(2026, 3, 17) and "15" in dsl.description
    assert invoice.total == Decimal("22.48")

    # April: no dues again this membership year, the DSL line is a full month.
    services.billing_run(date(2026, 4, 1), actor=None, issued_on=date(2026, 4, 1), deliver=False)
    april = alice.invoices.get(period_start=date(2026, 4, 1))
    assert sorted(april.lines.values_list("kind", flat=True)) == [LineKind.DSL, LineKind.VPN]
    assert april.total == Decimal("39.00") and april.number == "2026-000002"


def test_organisations_pay_their_dues_and_members_without_anything_to_pay_get_no_invoice(
    make_member, association, vpn_offer, subscribe
):
    org = make_member(
        "org",
        kind=MemberKind.ORGANISATION,
        organisation_name="Assoc du quartier",
        registration_number="W751111111",
    )
    make_member("applicant", status=MemberStatus.APPLICANT)
    association.dues_person = Decimal("0")
    association.save()
    make_member("free")
    services.billing_run(MARCH, actor=None, deliver=False)
    assert Invoice.objects.count() == 1
    invoice = org.invoices.get()
    assert invoice.total == Decimal("50.00") and invoice.customer_name == "Assoc du quartier"


def test_an_ended_subscription_is_billed_up_to_its_last_day(
    make_member, association, dsl_offer, subscribe
):
    from coin.offers import services as offer_services

    member = make_member()
    association.dues_person = Decimal("0")
    association.save()
    subscription = subscribe(member, dsl_offer, starts_on=date(2026, 1, 1))
    offer_services.end_subscription(subscription, actor=None, ends_on=date(2026, 3, 10))
    services.billing_run(MARCH, actor=None, deliver=False)
    assert member.invoices.get().total == Decimal("10.32")  # 32 × 10/31 = 32 × 0.3226
    services.billing_run(date(2026, 4, 1), actor=None, deliver=False)
    assert member.invoices.count() == 1


def test_running_twice_creates_nothing_new(make_member, association, vpn_offer, subscribe):
    for _ in range(3):
        subscribe(make_member(), vpn_offer)
    first = services.billing_run(MARCH, actor=None, deliver=False)
    second = services.billing_run(MARCH, actor=None, deliver=False)
    assert (first.created, second.created) == (3, 0)
    assert (first.dues_calls, second.dues_calls) == (3, 0)
    assert Invoice.objects.filter(kind="invoice").count() == 3
    run = BillingRun.objects.get()
    assert run.invoice_count == 3
    # A member subscribing later in the month is picked up by a new run, and only them.
    late = make_member()
    subscribe(late, vpn_offer, starts_on=date(2026, 3, 20))
    assert services.billing_run(MARCH, actor=None, deliver=False).created == 1
    assert Invoice.objects.count() == 8
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"2026-00000{n}" for n in range(1, 5)] + [
        f"COT-2026-00000{n}" for n in range(1, 5)
    ]


def test_the_database_refuses_a_second_run_invoice_for_the_same_member_and_month(
    make_member, association, vpn_offer, subscribe
):
    member = make_member()
    subscribe(member, vpn_offer)
    services.billing_run(MARCH, actor=None, deliver=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            member=member,
            origin=InvoiceOrigin.RUN,
            period_start=MARCH,
            period_end=date(2026, 3, 31),
        )


def _run_queries(month):
    with CaptureQueriesContext(connection) as queries:
        services.billing_run(month, actor=None, deliver=False)
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_number_of_members(
    make_member, association, vpn_offer, dsl_offer, subscribe
):
    for _ in range(3):
        subscribe(make_member(), vpn_offer)
    services.billing_run(date(2026, 2, 1), actor=None, deliver=False)
    # Members who joined after a month's run get that month billed at the next run too.
    subscribe(make_member(), vpn_offer)
    small = _run_queries(MARCH)
    for _ in range(40):
        member = make_member()
        subscribe(member, vpn_offer)
        subscribe(member, dsl_offer, starts_on=date(2026, 4, 10))
    large = _run_queries(date(2026, 4, 1))
    april = Invoice.objects.filter(period_start=date(2026, 4, 1))
    assert april.filter(kind="invoice").count() == 44
    assert april.filter(kind="dues_call").count() == 40
    corrected = InvoiceLine.objects.filter(
        invoice__period_start=date(2026, 4, 1), period_start=MARCH
    ).count()
    assert corrected == 40  # March, for the 40 who joined after its run
    assert large == small


def test_the_run_is_in_the_audit_log(make_member, association, vpn_offer, subscribe):
    subscribe(make_member(), vpn_offer)
    services.billing_run(MARCH, actor=None, deliver=False)
    event = AuditEvent.objects.for_object(BillingRun.objects.get()).first()
    assert "1" in event.message and event.changes["numbers"][1] == "2026-000001 … 2026-000001"


def test_the_command_previews_without_writing_then_runs(
    make_member, association, vpn_offer, subscribe, capsys
):
    subscribe(make_member("zoe", first_name="Zoé", last_name="Durand"), vpn_offer)
    call_command("billing_run", "--month", "2026-03", "--preview")
    out = capsys.readouterr().out
    assert "Zoé Durand" in out and ("20,00" in out or "20.00" in out)
    assert not Invoice.objects.exists() and not BillingRun.objects.exists()
    call_command("billing_run", "--month", "2026-03", "--no-email")
    assert Invoice.objects.filter(kind="invoice").count() == 1
    assert Invoice.objects.filter(kind="dues_call").count() == 1
    call_command("billing_run", "--month", "2026-03", "--no-email")
    assert Invoice.objects.count() == 2


def test_the_monthly_run_is_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["billing-monthly-run"]
    assert entry["task"] == "billing.tasks.billing_run_task"


def test_dues_follow_the_membership_year(make_member, association):
    association.dues_year_start_month = 9  # September to August
    association.save()
    member = make_member()
    services.billing_run(date(2026, 3, 1), actor=None, deliver=False)
    line = member.invoices.get().lines.get()
    assert (line.period_start, line.period_end) == (date(2025, 9, 1), date(2026, 8, 31))
    assert "2025–2026" in line.description
    services.billing_run(date(2026, 8, 1), actor=None, deliver=False)
    assert member.invoices.count() == 1  # still the same membership year: nothing to pay
    services.billing_run(date(2026, 9, 1), actor=None, deliver=False)
    assert member.invoices.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_run_and_manual_issues_at_once_never_deadlock(
    make_member, association, vpn_offer, subscribe
):
    """Issue 12, item 15: a manual issue locked the member row and deadlocked the run."""
    members = [make_member() for _ in range(12)]
    drafts = []
    for member in members:
        subscribe(member, vpn_offer)
        draft = services.create_draft(member, actor=None)
        services.add_line(
            draft, actor=None, description="Setup", unit_price="5", period_start=date(2026, 1, 1)
        )
        drafts.append(draft)
    errors = []
    barrier = threading.Barrier(3)

    def work(task):
        try:
            barrier.wait()
            task()
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    def issue(part):
        def task():
            for draft in part:
                services.issue_invoice(draft, actor=None, issued_on=MARCH)

        return task

    tasks = [
        lambda: services.billing_run(MARCH, actor=None, issued_on=MARCH, deliver=False),
        issue(drafts[::2]),
        issue(drafts[1::2]),
    ]
    threads = [threading.Thread(target=work, args=(task,)) for task in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    numbers = sorted(Invoice.objects.filter(kind="invoice").values_list("number", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 2 * len(members) + 1)]
    calls = sorted(Invoice.objects.filter(kind="dues_call").values_list("number", flat=True))
    assert calls == [f"COT-2026-{n:06d}" for n in range(1, len(members) + 1)]
