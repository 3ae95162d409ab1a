"""Member pages of billing (invoices, payments, balance, mandate) and the board's finance dashboard.

Thin: they read the member's own data (404 for anyone else's) and call services.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coin.forms import add_service_error
from coin.offers import services as offer_services
from coin.offers.choices import Pricing
from coin.offers.models import Subscription

from . import services
from .choices import MandateStatus
from .models import (
    ClosedPeriod,
    CreditNote,
    Invoice,
    Mandate,
    Payment,
    PaymentAllocation,
    Reminder,
    Suspension,
)
from .models.common import EARLIEST_DATE
from .services import reports


def billing_panel(request):
    """Dashboard section: balance, the last invoices, an open suspension (a fixed number of queries)."""
    member = request.user
    invoices = list(
        Invoice.objects.issued().filter(member=member).order_by("-issued_on", "-number")[:5]
    )
    if not invoices:
        return None
    outlook = services.member_outlook(member)
    return {
        "invoices": invoices,
        "balance": services.balance(member),
        "suspension": outlook.suspension,
        "outlook": outlook,
    }


def finances_panel(request):
    """Dashboard section for the finances role: a link to the finance dashboard (no query of its own)."""
    return {} if request.user.has_perm("billing.view_finance_dashboard") else None


@login_required
def invoice_list(request):
    """The member's invoices, payments, credit notes, balance, reminders and mandate."""
    member = request.user
    context = {
        "invoices": Invoice.objects.issued()
        .filter(member=member)
        .order_by("-issued_on", "-number"),
        "payments": Payment.objects.filter(member=member)
        .select_related("credit_note")
        .prefetch_related(
            Prefetch("allocations", queryset=PaymentAllocation.objects.select_related("invoice"))
        ),
        "credit_notes": CreditNote.objects.filter(member=member).select_related("invoice"),
        "reminders": Reminder.objects.filter(invoice__member=member).select_related("invoice"),
        "suspensions": Suspension.objects.filter(member=member),
        "mandate": Mandate.objects.filter(member=member, status=MandateStatus.ACTIVE).first(),
        "balance": services.balance(member),
        "pwyw_subscriptions": Subscription.objects.current()
        .filter(member=member, offer__pricing=Pricing.PAY_WHAT_YOU_WANT)
        .select_related("offer"),
        "today": timezone.localdate(),
        "outlook": services.member_outlook(member),
    }
    return render(request, "billing/invoices.html", context)


def _pdf_response(document):
    """The stored PDF of an invoice or credit note as a download (404 if the file is gone)."""
    try:
        handle = document.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.number}.pdf",
        content_type="application/pdf",
    )


@login_required
def invoice_pdf(request, pk):
    """The PDF of one of the member's own issued invoices; another member's gives 404."""
    invoice = get_object_or_404(
        Invoice.objects.issued().select_related("member"), pk=pk, member=request.user
    )
    if not invoice.pdf:
        invoice = services.store_invoice_pdf(invoice)
    return _pdf_response(invoice)


@login_required
def dues_receipt_pdf(request, pk):
    """The receipt of one of the member's own calls for dues, once paid in full; otherwise 404."""
    call = get_object_or_404(Invoice.objects.issued(), pk=pk, member=request.user)
    try:
        pdf = services.render_dues_receipt_pdf(call)
    except ValidationError:
        raise Http404 from None
    return _receipt_response(call, pdf)


def _receipt_response(call, pdf):
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("receipt-%(number)s.pdf") % {"number": call.number}
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def credit_note_pdf(request, pk):
    """The PDF of one of the member's own credit notes; another member's gives 404."""
    note = get_object_or_404(CreditNote, pk=pk, member=request.user)
    if not note.pdf:
        # Only the missing file is made: sending is done once, at issue time (never by a GET).
        note = services.store_credit_note_pdf(note)
    return _pdf_response(note)


@login_required
@require_POST
def pay_suggested_price(request, pk):
    """A member moves one of their own pay-what-you-want subscriptions to the offer's suggested price."""
    subscription = get_object_or_404(
        Subscription.objects.select_related("offer"),
        pk=pk,
        member=request.user,
        offer__pricing=Pricing.PAY_WHAT_YOU_WANT,
    )
    try:
        offer_services.update_subscription(
            subscription, actor=request.user, monthly_price=subscription.offer.monthly_price
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("From now on you pay the suggested price of %(offer)s: thank you!")
            % {"offer": subscription.offer.name},
        )
    return redirect("billing:invoices")


def _finances_only(view):
    """Logged-in role holders whose roles give the finance dashboard; 403 for anyone else."""
    return login_required(
        permission_required("billing.view_finance_dashboard", raise_exception=True)(view)
    )


@_finances_only
def finance_dashboard(request):
    """The board's view.

    Invoiced per month by kind (chart), received, outstanding and ageing, arrears, forecast.
    """
    today = timezone.localdate()
    return render(
        request, "billing/finance_dashboard.html", {**reports.dashboard(today), "year": today.year}
    )


def _check_year(year):
    """404 with a sentence for a year the books cannot hold (before 2000, or not begun yet)."""
    if not EARLIEST_DATE.year <= year <= timezone.localdate().year:
        raise Http404(
            _("There are no books for %(year)s: choose a year from %(first)s to this year.")
            % {"year": year, "first": EARLIEST_DATE.year}
        )


@_finances_only
def export_csv(request, year):
    """Invoice lines, credit notes and payments of ``year`` for the accountant."""
    _check_year(year)
    response = HttpResponse(reports.accounting_csv(year), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coin-{year}.csv"'
    return response


@_finances_only
def export_fec(request, year):
    """The FEC file of ``year`` (Fichier des Écritures Comptables)."""
    _check_year(year)
    content = reports.fec_bytes(year)
    response = HttpResponse(content, content_type="text/plain; charset=iso-8859-15")
    response["Content-Disposition"] = f'attachment; filename="{reports.fec_filename(year)}"'
    return response


class ClosePeriodForm(forms.Form):
    ends_on = forms.DateField(
        label=gettext_lazy("Last day closed"), widget=forms.DateInput(attrs={"type": "date"})
    )
    decision = forms.CharField(
        label=gettext_lazy("Board decision"),
        max_length=300,
        help_text=gettext_lazy("e.g. Board meeting of 12 April 2027, books of 2026 approved."),
    )


@login_required
@permission_required("billing.add_closedperiod", raise_exception=True)
def close_period(request):
    """The board closes the accounts up to a day (service ``close_period``); the closings so far."""
    form = ClosePeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.close_period(
                form.cleaned_data["ends_on"],
                actor=request.user,
                decision=form.cleaned_data["decision"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("The accounts are closed until %(day)s.") % {"day": date_format(period.ends_on)},
            )
            return redirect("billing:close_period")
    context = {
        "form": form,
        "periods": ClosedPeriod.objects.select_related("closed_by"),
        "closed_until": ClosedPeriod.objects.closed_until(),
    }
    return render(request, "billing/close_period.html", context)


@login_required
@permission_required("billing.add_reminder", raise_exception=True)
@require_POST
def run_dunning(request):
    """The finances role runs dunning now (reminders, suspensions, restorations); the counts are shown."""
    result = services.run_dunning_now(actor=request.user)
    messages.success(
        request,
        _(
            "Dunning done. Reminders sent: %(reminders)s; members suspended: %(suspended)s; "
            "members restored: %(restored)s."
        )
        % result,
    )
    return redirect("billing:finance_dashboard")
