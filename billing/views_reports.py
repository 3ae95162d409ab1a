"""The yearly financial report for the general assembly: a page and its PDF (finances role)."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from coin.association import association_name

from .choices import LineKind
from .services.annual_report import KINDS, annual_report
from .services.pdf_fetcher import project_files_fetcher


def _context(year):
    if not 2000 <= year <= 9999:
        raise Http404
    return {
        "year": year,
        "year_end": date(year, 12, 31),
        "today": timezone.localdate(),
        "report": annual_report(year),
        "kinds": [(kind, LineKind(kind).label) for kind in KINDS],
        "association_name": association_name(),
    }


@login_required
@permission_required("billing.view_finance_dashboard", raise_exception=True)
def annual_report_page(request, year):
    """The report of ``year`` as a page."""
    return render(request, "billing/annual_report.html", _context(year))


@login_required
@permission_required("billing.view_finance_dashboard", raise_exception=True)
def annual_report_pdf(request, year):
    """The report of ``year`` as a PDF (WeasyPrint, project files only)."""
    from weasyprint import HTML

    html = render_to_string("billing/annual_report_pdf.html", _context(year), request=request)
    pdf = HTML(
        string=html, base_url=str(settings.BASE_DIR), url_fetcher=project_files_fetcher()
    ).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-financier-{year}.pdf"'
    return response
