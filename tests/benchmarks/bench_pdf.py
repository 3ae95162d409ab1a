"""Invoice PDFs per second in one process, and the gain over the former layout (issue 12 item 20).

Run by ``scripts/bench`` (PostgreSQL). Renders the same invoices, in alternating rounds, with
today's templates and with the former layout rebuilt from them (flex header and parties,
``counter(pages)`` in the footer), in the same run, so that a change of load on this shared
machine weighs on both. Prints PDFs per second for each and their ratio; target: 10 PDFs per
second or more with today's templates.
"""

import statistics
import time
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from billing import services
from billing.models import AssociationSettings, Invoice
from billing.services.pdf import static_css
from coin.members.models import Member
from coin.pdf_fetcher import project_files_fetcher

SAMPLES = 20
ROUNDS = 3
# What the former templates had, put back into today's HTML: automatic table layout, flex
# header and parties, counter(pages); ``former`` also builds a font configuration per document.
FORMER_CSS = """<style>
  table { table-layout: auto; }
  table.header, table.header > tbody > tr, table.parties, table.parties > tbody > tr {
    display: flex; justify-content: space-between; }
  @page { @bottom-right { content: "Page " counter(page) " / " counter(pages); } }
</style></head>"""


def _former(html):
    return html.replace("</head>", FORMER_CSS, 1)


def _rate(invoices, render):
    start = time.perf_counter()
    for invoice in invoices:
        render(invoice)
    return len(invoices) / (time.perf_counter() - start)


@pytest.mark.django_db
def test_invoice_pdfs_per_second():
    from weasyprint import CSS, HTML

    AssociationSettings.objects.create(
        legal_name="Bench ISP",
        address="1 rue du Bench\n75001 Paris",
        siren="812345678",
        vat_mention="TVA non applicable, art. 293 B du CGI",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    invoices = []
    for i in range(SAMPLES):
        member = Member.objects.create_user(
            f"pdf{i}",
            f"pdf{i}@example.org",
            "!",
            first_name="Bench",
            last_name=f"Member {i}",
            language="en" if i % 2 else "fr",
            address_line1=f"{i} rue du Test",
            postal_code="75001",
            city="Paris",
        )
        draft = services.create_draft(member, actor=None)
        for description, price in (("Cotisation 2026", "15.00"), ("VPN", "5.00"), ("DSL", "32")):
            services.add_line(
                draft,
                actor=None,
                description=description,
                unit_price=Decimal(price),
                period_start=date(2026, 2, 1),
            )
        invoices.append(services.issue_invoice(draft, actor=None, issued_on=date(2026, 3, 1)))
    invoices = list(
        Invoice.objects.filter(pk__in=[i.pk for i in invoices]).select_related("member")
    )

    def former(invoice):
        # The former templates carried the whole style inline: parsed for every document.
        return HTML(
            string=_former(services.render_invoice_html(invoice, logo="")),
            base_url=str(settings.BASE_DIR),
            url_fetcher=project_files_fetcher(),
        ).write_pdf(stylesheets=[CSS(string=static_css())])

    def today(invoice):
        return services.render_invoice_pdf(invoice, logo="")

    today(invoices[0]), former(invoices[0])  # import WeasyPrint and load fonts, as a worker has
    today_rates, former_rates = [], []
    for number in range(ROUNDS):
        pair = [(today_rates, today), (former_rates, former)]
        for rates, render in pair if number % 2 == 0 else reversed(pair):
            rates.append(_rate(invoices, render))
    rate, before = statistics.median(today_rates), statistics.median(former_rates)
    print(
        "\n".join(
            [
                "",
                f"Invoice PDFs, one process, {SAMPLES} invoices, median of {ROUNDS} rounds",
                f"  today's templates: {rate:.1f} PDFs/s   (target >= 10)",
                f"  former layout (flex, counter(pages)): {before:.1f} PDFs/s",
                f"  ratio today / former: {rate / before:.2f}",
            ]
        )
    )
    assert rate >= 10
