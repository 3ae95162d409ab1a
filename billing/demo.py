"""Demo data of billing, loaded by ``coin load_demo``.

The association's settings and a few months of invoices.
"""

from datetime import date, timedelta

from coin.members.models import Member

from . import services
from .choices import PaymentMethod
from .models import AssociationSettings, BankCSVProfile


def load_demo_billing(today=None):
    """Settings, a bank CSV format, the runs of the last two months, some payments and a SEPA mandate."""
    today = today or date.today()
    AssociationSettings.objects.update_or_create(
        pk=1,
        defaults={
            "legal_name": "Rézo Libre (démo)",
            "address": "1 rue de la République\n69001 Lyon",
            "siren": "812345678",
            "rna": "W691234567",
            "email": "tresorerie@example.org",
            "vat_mention": "TVA non applicable, art. 293 B du CGI",
            "iban": "FR7630006000011234567890189",
            "bic": "AGRIFRPP",
            "creditor_id": "FR72ZZZ123456",
        },
    )
    BankCSVProfile.objects.get_or_create(name="Banque (CSV ; virgule décimale)")
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for month in (last_month, this_month):
        services.billing_run(month, actor=None, issued_on=month, deliver=False)
    members = list(Member.objects.filter(invoices__isnull=False).distinct().order_by("username"))
    for index, member in enumerate(members):
        # Last month's invoice and, for some, the call for dues: paid by one transfer naming both.
        documents = list(member.invoices.filter(period_start=last_month).order_by("number"))
        if index % 3 != 2 and documents:  # a third of the members have not paid last month yet
            services.record_payment(
                member,
                actor=None,
                amount=sum(document.total for document in documents),
                method=PaymentMethod.TRANSFER,
                received_on=last_month + timedelta(days=10),
                reference=" ".join(document.number for document in documents),
            )
    if members:
        services.create_mandate(
            members[0],
            actor=None,
            iban="DE89370400440532013000",
            signed_on=last_month,
            debtor_name=members[0].display_name,
        )
    return len(members)
