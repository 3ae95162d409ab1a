"""The yearly financial report for the general assembly: a page and its PDF (finances role)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from .services.annual_report_document import (
    render_annual_report_pdf,
    report_context,
    report_filename,
)


def _year(year):
    if not 2000 <= year <= 9999:
        raise Http404
    return year


@login_required
@permission_required("billing.view_finance_dashboard", raise_exception=True)
def annual_report_page(request, year):
    """The report of ``year`` as a page."""
    return render(request, "billing/annual_report.html", report_context(_year(year)))


@login_required
@permission_required("billing.view_finance_dashboard", raise_exception=True)
def annual_report_pdf(request, year):
    """The report of ``year`` as a PDF, made in the request (the back office's "Financial
    reports" page makes it as background work instead)."""
    response = HttpResponse(
        render_annual_report_pdf(_year(year), request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{report_filename(year)}"'
    return response
