"""Back-office pages that start billing's long work as background jobs.

Each page checks its form, then calls one service, ``coin.jobs.services.start_job``,
and sends the person to the job's progress page: the request returns at once and
the worker does the work.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import ACTION, register_page
from coin.jobs.views import StartJobView

from ..choices import StatementFormat
from ..jobs import ANNUAL_REPORT, BILLING_RUN, SEPA_BATCH, STATEMENT_IMPORT
from ..models import BankCSVProfile
from ..services import parse_month
from ..services.bank import read_statement
from ..services.sepa import check_collection_date


class BillingRunForm(forms.Form):
    month = forms.CharField(
        label=_("month"),
        max_length=7,
        help_text=_("Like 2026-03. Members already invoiced for that month are left out."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = timezone.localdate().strftime("%Y-%m")

    def clean_month(self):
        month = parse_month(self.cleaned_data["month"])
        if not 2000 <= month.year <= 9999:
            raise ValidationError(_("Choose a month between 2000 and 9999."))
        return month.strftime("%Y-%m")


class StatementUploadForm(forms.Form):
    file = forms.FileField(label=_("statement file"))
    format = forms.ChoiceField(label=_("format"), choices=StatementFormat.choices)
    profile = forms.ModelChoiceField(
        label=_("bank CSV format"),
        queryset=BankCSVProfile.objects.order_by("name"),
        required=False,
        help_text=_("Only for a CSV file."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.COIN_STATEMENT_MAX_BYTES
        # Checked on the size the browser announced before the file is read into memory.
        if upload.size > limit:
            raise ValidationError(
                _("This file is too large (%(size)s KB): the limit is %(limit)s KB.")
                % {"size": upload.size // 1024, "limit": limit // 1024}
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("format") == StatementFormat.CSV and not cleaned.get("profile"):
            self.add_error("profile", _("Choose the bank CSV format of this file."))
        upload = cleaned.get("file")
        if self.errors or upload is None:
            return cleaned
        # The file is read here, before the job is queued, so that a refused file (a line it
        # cannot read, another account) is told on the form; the job reads it again.
        data = upload.read()
        try:
            read_statement(data, cleaned["format"], cleaned.get("profile"))
        except ValidationError as error:
            self.add_error("file", error.messages)
        cleaned["data"] = data
        return cleaned


class SepaBatchForm(forms.Form):
    collection_date = forms.DateField(
        label=_("collection date"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_collection_date(self):
        collection_date = self.cleaned_data["collection_date"]
        # The rules on the date (notice to members, TARGET2 days) are told on the form; the
        # job checks them again when it builds the file.
        try:
            check_collection_date(collection_date)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return collection_date


@register_page(
    "billing_run_start",
    "billing/run/",
    kind=ACTION,
    title=_("Start the monthly billing run"),
    permission="billing.run_billing",
)
class BillingRunStartView(StartJobView):
    form_class = BillingRunForm
    job_kind = BILLING_RUN

    def job_parameters(self, form):
        return {"month": form.cleaned_data["month"]}, None, ""


@register_page(
    "statement_import_start",
    "billing/statements/import/",
    kind=ACTION,
    title=_("Import a bank statement"),
    permission="billing.add_bankstatement",
)
class StatementImportStartView(StartJobView):
    template_name = "backoffice/billing/upload.html"
    form_class = StatementUploadForm
    job_kind = STATEMENT_IMPORT

    def job_parameters(self, form):
        upload = form.cleaned_data["file"]
        profile = form.cleaned_data.get("profile")
        params = {"format": form.cleaned_data["format"], "profile_id": profile and profile.pk}
        return params, form.cleaned_data["data"], upload.name


@register_page(
    "sepa_batch_start",
    "billing/sepa/new/",
    kind=ACTION,
    title=_("Prepare a direct-debit batch"),
    permission="billing.add_directdebitbatch",
)
class SepaBatchStartView(StartJobView):
    form_class = SepaBatchForm
    job_kind = SEPA_BATCH

    def job_parameters(self, form):
        return {"collection_date": form.cleaned_data["collection_date"].isoformat()}, None, ""


class AnnualReportForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=9999)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The general assembly approves the accounts of the year just closed.
        self.fields["year"].initial = timezone.localdate().year - 1

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise ValidationError(_("That year has not begun yet."))
        return year


@register_page(
    "annual_report_start",
    "billing/reports/new/",
    kind=ACTION,
    title=_("Make a financial report"),
    permission="billing.view_finance_dashboard",
)
class AnnualReportStartView(StartJobView):
    form_class = AnnualReportForm
    job_kind = ANNUAL_REPORT

    def job_parameters(self, form):
        return {"year": form.cleaned_data["year"]}, None, ""
