"""The general assembly's yearly financial report as a document: its context and its PDF."""

from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from coin.association import association_name
from coin.pdf_fetcher import project_files_fetcher

from ..choices import LineKind
from .annual_report import KINDS, annual_report


def report_context(year):
    """The template context of the report of ``year`` (figures from :func:`annual_report`)."""
    return {
        "year": year,
        "year_end": date(year, 12, 31),
        "today": timezone.localdate(),
        "report": annual_report(year),
        "kinds": [(kind, LineKind(kind).label) for kind in KINDS],
        "association_name": association_name(),
    }


def render_annual_report_pdf(year, request=None):
    """The report of ``year`` as PDF bytes (WeasyPrint, loading only the project's files)."""
    from weasyprint import HTML

    html = render_to_string("billing/annual_report_pdf.html", report_context(year), request=request)
    return HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=project_files_fetcher()
    ).write_pdf()


def report_filename(year):
    """The PDF's file name, the same from the page and from the background job."""
    return f"rapport-financier-{year}.pdf"
