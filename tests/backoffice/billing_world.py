"""The billing part of the back-office test world: invoices, payments, a statement, a batch.

Built on first use (``world.billing``), through the services, so only the tests
that open a billing page pay for it.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from billing import services
from billing.models import (
    AssociationSettings,
    BankCSVProfile,
    BankLine,
    BankStatement,
    DirectDebitBatch,
    Invoice,
    Payment,
    Suspension,
)
from billing.services.sepa_rules import next_business_day
from coin.members.models import Member

CSV_HEADER = "Date;Libellé;Montant\n"


def statement_csv(day, label, amount, filename="releve.csv"):
    """A one-line CSV statement as a bank exports it, ready to post."""
    text = f"{CSV_HEADER}{day:%d/%m/%Y};{label};{amount}\n"
    return SimpleUploadedFile(filename, text.encode(), content_type="text/csv")


@dataclass
class BillingWorld:
    payer: Member
    suspended: Member
    overdue: Invoice  # issued two months ago, unpaid: in arrears
    issued: Invoice  # issued today, in no batch yet
    draft: Invoice
    credit: Payment  # not allocated: the payer's credit
    paid_call: Invoice  # a call for dues paid in full: it has a receipt
    profile: BankCSVProfile
    statement: BankStatement
    line: BankLine  # a credit nobody could match
    batch: DirectDebitBatch


def association():
    return AssociationSettings.objects.create(
        legal_name="Rézo Libre",
        address="12 rue des Lilas\n75020 Paris",
        siren="812345678",
        rna="W751234567",
        email="tresorerie@rezo.example.org",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        creditor_id="FR72ZZZ123456",
        payment_terms_days=30,
        grace_days=15,
        reminder_days=[0, 15],
        suspension_days=30,
    )


def issue(member, amount, issued_on=None, description="VPN"):
    draft = services.create_draft(member, actor=None)
    services.add_line(
        draft,
        actor=None,
        description=description,
        unit_price=amount,
        period_start=issued_on or timezone.localdate(),
    )
    return services.issue_invoice(draft, actor=None, issued_on=issued_on) or draft


def build(make_member):
    today = timezone.localdate()
    association()
    payer = make_member("payer", last_name="Dupont")
    overdue = issue(payer, "20.00", issued_on=today - timedelta(days=60))
    services.create_mandate(
        payer, actor=None, iban="FR7630006000011234567890189", signed_on=today - timedelta(days=90)
    )
    batch = services.create_collection_batch(
        next_business_day(today + timedelta(days=20)), actor=None
    )
    # Its day has come (a collection is recorded on or after its date, never ahead).
    DirectDebitBatch.objects.filter(pk=batch.pk).update(collection_date=today - timedelta(days=1))
    batch.refresh_from_db()
    # Someone else whose invoice the next batch collects.
    second = make_member("payer2", last_name="Durand")
    issue(second, "25.00", issued_on=today - timedelta(days=45))
    services.create_mandate(
        second, actor=None, iban="DE89370400440532013000", signed_on=today - timedelta(days=90)
    )
    issued = issue(payer, "30.00")
    draft = services.create_draft(payer, actor=None)
    services.add_line(
        draft, actor=None, description="Dues", unit_price="15.00", period_start=date(2026, 1, 1)
    )
    credit = services.record_payment(
        payer, actor=None, amount=Decimal("5.00"), method="cash", allocations=[]
    )
    profile = BankCSVProfile.objects.create(name="Banque test")
    result = services.import_statement(
        statement_csv(today, "VIR INCONNU", "12,34").read(),
        actor=None,
        filename="first.csv",
        format="csv",
        profile=profile,
    )
    call = services.create_draft(payer, actor=None)
    services.add_line(
        call,
        actor=None,
        description="Cotisation",
        unit_price="15.00",
        kind="dues",
        period_start=date(2026, 1, 1),
    )
    call = services.issue_invoice(call, actor=None)
    services.record_payment(
        payer,
        actor=None,
        amount=Decimal("15.00"),
        method="cash",
        allocations=[(call, Decimal("15.00"))],
    )
    suspended = make_member("suspended")
    services.suspend_by_hand(suspended, actor=None, reason="Asked to pause")
    return BillingWorld(
        payer=payer,
        suspended=suspended,
        overdue=Invoice.objects.get(pk=overdue.pk),
        issued=Invoice.objects.get(pk=issued.pk),
        draft=draft,
        credit=credit,
        paid_call=Invoice.objects.get(pk=call.pk),
        profile=profile,
        statement=result.statement,
        line=result.statement.lines.get(),
        batch=batch,
    )


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def open_suspension(member):
    return Suspension.objects.filter(member=member, ended_at__isnull=True).exists()
