"""A federation report as people read it: the page's and the PDF's context, and the PDF."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from coin.pdf_fetcher import project_files_fetcher

from .sections import label

SERVICES = {
    "vpn": _("VPN"),
    "dsl": _("DSL"),
    "housing": _("housing"),
    "other": _("other"),
}


def report_context(report):
    """What the report's page and PDF show: its document, with dates as dates and each
    section in rows ready for tables."""
    document = report.document
    members = document["members"]
    subscribers = document["subscribers"]
    network, finances = document.get("network"), document.get("finances")
    months = []
    by_month_members = {row["month"]: row["members"] for row in members["byMonth"]}
    for row in subscribers["byMonth"]:
        months.append(
            {
                "month": row["month"],
                "members": by_month_members.get(row["month"]),
                "subscribers": row["subscribers"],
                "services": [row["byService"].get(key, 0) for key in SERVICES],
            }
        )
    return {
        "report": report,
        "document": document,
        "start": parse_date(document["period"]["start"]),
        "end": parse_date(document["period"]["end"]),
        "generated_at": parse_datetime(document["generatedAt"]),
        "published_at": parse_datetime(document["publishedAt"])
        if "publishedAt" in document
        else None,
        "members": members,
        "subscribers_at_end": [
            (label, subscribers["atEnd"]["byService"].get(key, 0))
            for key, label in SERVICES.items()
        ],
        "subscribers_total": subscribers["atEnd"]["total"],
        "service_labels": list(SERVICES.values()),
        "months": months,
        "network": network,
        "dsl_statuses": [
            (label("network", "dslStatus", code), count)
            for code, count in sorted(
                (network or {}).get("dslLines", {}).get("byStatus", {}).items()
            )
        ],
        "datacenter": document.get("datacenter"),
        "finances": finances,
        "income_by_kind": [
            (label("finances", "incomeKind", code), amount)
            for code, amount in (finances or {}).get("incomeByKind", {}).items()
        ],
        "expenses_by_account": [
            (label("finances", "expenseAccount", code), amount)
            for code, amount in (finances or {}).get("expensesByAccount", {}).items()
        ],
    }


def render_report_pdf(report):
    """The report as PDF bytes (WeasyPrint, loading only the project's own files)."""
    from weasyprint import HTML

    html = render_to_string("federation/report_pdf.html", report_context(report))
    return HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=project_files_fetcher()
    ).write_pdf()


def report_filename(report, extension):
    """``bilan-2026-07-01-2026-09-30.pdf``: the same name from every page."""
    return f"bilan-{report.period_start:%Y-%m-%d}-{report.period_end:%Y-%m-%d}.{extension}"
