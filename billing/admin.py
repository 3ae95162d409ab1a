"""Volunteer area of billing (finances role): settings, invoices, credit notes, payments, SEPA, bank lines.

Issued invoices and credit notes are read-only here; state changes go through services.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coin.portal.admin_site import volunteer_site

from . import services, tasks
from .admin_dunning import register as register_dunning_admin
from .choices import InvoiceStatus
from .models import (
    AssociationSettings,
    BankCSVProfile,
    BankLine,
    BankStatement,
    BillingRun,
    CreditNote,
    DirectDebit,
    DirectDebitBatch,
    Invoice,
    InvoiceLine,
    Mandate,
    Payment,
    PaymentAllocation,
)
from .services import sepa


def _report(modeladmin, request, error):
    modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)


@admin.register(AssociationSettings, site=volunteer_site)
class AssociationSettingsAdmin(admin.ModelAdmin):
    fieldsets = (
        (
            _("The association"),
            {"fields": ("legal_name", "address", "siren", "rna", "email", "logo")},
        ),
        (_("Invoices"), {"fields": ("vat_mention", "payment_terms_days", "late_payment_mention")}),
        (_("Dues"), {"fields": ("dues_person", "dues_organisation", "dues_year_start_month")}),
        (_("Bank and SEPA"), {"fields": ("iban", "bic", "creditor_id", "sepa_notice_days")}),
        (
            _("Reminders and suspension"),
            {"fields": ("grace_days", "reminder_days", "suspension_days")},
        ),
    )

    def save_model(self, request, obj, form, change):
        """Through the service: validated (IBAN, BIC, creditor identifier, logo) and audited."""
        services.save_association_settings(
            actor=request.user, **{name: getattr(obj, name) for name in form.changed_data}
        )
        obj.pk = 1

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not AssociationSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class DraftLinesFormSet(forms.BaseInlineFormSet):
    def clean(self):
        """A discount larger than the other lines is an error on the form, not a 500."""
        super().clean()
        kept = [
            f.cleaned_data for f in self.forms if f.cleaned_data and not self._should_delete_form(f)
        ]
        amounts = [
            d["unit_price"] * d["quantity"]
            for d in kept
            if d.get("unit_price") is not None and d.get("quantity")
        ]
        try:
            services.check_draft_total(amounts)
        except ValidationError as error:
            raise ValidationError(error.message_dict["unit_price"]) from None


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    formset = DraftLinesFormSet
    fields = (
        "kind",
        "description",
        "period_start",
        "period_end",
        "unit_price",
        "quantity",
        "amount",
    )
    readonly_fields = ("amount",)
    extra = 0

    def _editable(self, obj):
        return obj is None or obj.status == InvoiceStatus.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


@admin.register(Invoice, site=volunteer_site)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "member",
        "issued_on",
        "due_on",
        "total",
        "amount_paid",
        "amount_credited",
        "status",
    )
    list_filter = ("status", "origin", "billing_run")
    list_select_related = ("member",)
    search_fields = (
        "number",
        "member__username",
        "member__last_name",
        "member__organisation_name",
        "customer_name",
    )
    autocomplete_fields = ("member",)
    date_hierarchy = "issued_on"
    inlines = (InvoiceLineInline,)
    actions = ("issue_selected", "deliver_selected")

    def has_add_permission(self, request):
        # A new draft is made in the back office (services.create_draft); the admin's
        # add form saved the model itself.
        return False

    def get_fields(self, request, obj=None):
        if obj is None or obj.status == InvoiceStatus.DRAFT:
            return ("member", "period_start", "period_end", "total")
        return (
            "number",
            "status",
            "member",
            "customer_name",
            "customer_address",
            "issued_on",
            "due_on",
            "period_start",
            "period_end",
            "total",
            "amount_paid",
            "amount_credited",
            "pdf",
            "emailed_at",
            "email_status",
            "email_attempts",
            "email_error",
        )

    def get_readonly_fields(self, request, obj=None):
        # Only the lines of a draft are edited here, through services.save_draft_lines; no
        # service changes a draft's member or period, so they are shown, not edited.
        return self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only: nothing of the invoice itself is written here

    def save_formset(self, request, form, formset, change):
        # Build the line objects without writing anything, as the formset does with
        # commit=False (this also fills the lists the admin's history message reads); the
        # service alone stores them, for drafts only.
        formset.saved_forms = []
        changed = formset.save_existing_objects(commit=False) + formset.save_new_objects(
            commit=False
        )
        if form.instance.status != InvoiceStatus.DRAFT:
            return  # an issued invoice's lines are shown read-only and never saved
        services.save_draft_lines(
            form.instance, actor=request.user, changed=changed, deleted=formset.deleted_objects
        )

    def has_delete_permission(self, request, obj=None):
        return False  # no service deletes an invoice; a draft left unissued harms nothing

    @admin.action(
        description=_("Issue the selected drafts (numbers them for ever)"), permissions=("issue",)
    )
    def issue_selected(self, request, queryset):
        for invoice in queryset.filter(status=InvoiceStatus.DRAFT).order_by("pk"):
            try:
                services.issue_invoice(invoice, actor=request.user)
            except ValidationError as error:
                _report(self, request, error)
                return
        self.message_user(request, _("The selected drafts are issued; their PDFs are being sent."))

    @admin.action(
        description=_("Render and email the PDFs again if missing"), permissions=("change",)
    )
    def deliver_selected(self, request, queryset):
        for pk in queryset.filter(status=InvoiceStatus.ISSUED).values_list("pk", flat=True):
            tasks.deliver_invoice.delay(pk)
        self.message_user(request, _("The PDFs are being rendered and sent."))

    def has_issue_permission(self, request):
        return request.user.has_perm("billing.issue_invoice")


@admin.register(CreditNote, site=volunteer_site)
class CreditNoteAdmin(admin.ModelAdmin):
    list_display = ("number", "invoice", "member", "issued_on", "amount", "reason")
    list_select_related = ("invoice", "member")
    search_fields = ("number", "invoice__number", "member__username")
    fields = ("invoice", "amount", "reason")
    autocomplete_fields = ("invoice",)

    def get_readonly_fields(self, request, obj=None):
        return ("number", "invoice", "member", "issued_on", "amount", "reason") if obj else ()

    def get_fields(self, request, obj=None):
        return (
            ("number", "invoice", "member", "issued_on", "amount", "reason") if obj else self.fields
        )

    def has_add_permission(self, request):
        # Issued from the invoice's back-office page, where the service's errors land on
        # the form's fields (here they were a 500).
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class AllocationInline(admin.TabularInline):
    model = PaymentAllocation
    fields = ("invoice", "amount")
    readonly_fields = ("invoice", "amount")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment, site=volunteer_site)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("received_on", "member", "method", "amount", "reference")
    list_filter = ("method",)
    list_select_related = ("member",)
    search_fields = ("member__username", "member__last_name", "reference")
    autocomplete_fields = ("member",)
    date_hierarchy = "received_on"
    inlines = (AllocationInline,)

    fields = ("member", "method", "amount", "received_on", "reference", "note")
    readonly_fields = fields

    def add_view(self, request, form_url="", extra_context=None):
        """Payments are recorded in the back office, whose page calls the service."""
        return redirect("backoffice:payment_add")

    def has_add_permission(self, request):
        return False  # no "add" button: the address above leads to the back office

    def has_change_permission(self, request, obj=None):
        return False

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BillingRun, site=volunteer_site)
class BillingRunAdmin(admin.ModelAdmin):
    list_display = ("__str__", "invoice_count", "total", "started_at", "finished_at")
    readonly_fields = (
        "period_start",
        "period_end",
        "invoice_count",
        "total",
        "started_at",
        "finished_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MandateForm(forms.ModelForm):
    """The model's validators (IBAN, BIC, reference) plus the service's date rule, as form errors."""

    class Meta:
        model = Mandate
        fields = ("member", "reference", "debtor_name", "iban", "bic", "signed_on", "status")

    def clean_signed_on(self):
        signed_on = self.cleaned_data["signed_on"]
        if signed_on and signed_on > timezone.localdate():
            raise ValidationError(_("A mandate cannot be signed in the future."))
        return signed_on


@admin.register(Mandate, site=volunteer_site)
class MandateAdmin(admin.ModelAdmin):
    form = MandateForm
    list_display = (
        "reference",
        "member",
        "debtor_name",
        "signed_on",
        "status",
        "last_collected_on",
    )
    list_filter = ("status",)
    list_select_related = ("member",)
    search_fields = ("reference", "member__username", "debtor_name")
    autocomplete_fields = ("member",)
    actions = ("revoke_selected",)

    def get_readonly_fields(self, request, obj=None):
        # Once recorded, only the holder, account and signature date change (update_mandate);
        # revoking is an action.
        if obj is None:
            return ("last_collected_on",)
        return ("member", "reference", "status", "revoked_on", "last_collected_on")

    def save_model(self, request, obj, form, change):
        if change:
            editable = {"debtor_name", "iban", "bic", "signed_on"}
            sepa.update_mandate(
                obj,
                actor=request.user,
                **{name: form.cleaned_data[name] for name in form.changed_data if name in editable},
            )
            return

        mandate = sepa.create_mandate(
            obj.member,
            actor=request.user,
            iban=obj.iban,
            bic=obj.bic,
            debtor_name=obj.debtor_name,
            signed_on=obj.signed_on,
            reference=obj.reference,
        )
        obj.pk = mandate.pk

    @admin.action(description=_("Revoke the selected mandates"), permissions=("change",))
    def revoke_selected(self, request, queryset):
        for mandate in queryset.filter(status="active"):
            sepa.revoke_mandate(mandate, actor=request.user)
        self.message_user(request, _("The selected mandates are revoked."))

    def has_delete_permission(self, request, obj=None):
        return False


class DirectDebitInline(admin.TabularInline):
    model = DirectDebit
    fields = ("mandate", "invoice", "amount", "sequence", "end_to_end_id")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DirectDebitBatch, site=volunteer_site)
class DirectDebitBatchAdmin(admin.ModelAdmin):
    """Batches, read-only: created and marked collected in the back office (one service each)."""

    list_display = ("__str__", "status", "total", "created_at")
    readonly_fields = ("collection_date", "message_id", "status", "total", "created_at")
    exclude = ("xml",)
    inlines = (DirectDebitInline,)
    actions = ("download_selected",)

    def add_view(self, request, form_url="", extra_context=None):
        """Batches are created in the back office, as a background job."""
        return redirect("backoffice:sepa_batch_start")

    def has_add_permission(self, request):
        return False  # no "add" button: the address above leads to the back office

    @admin.action(description=_("Download the pain.008 file"), permissions=("view",))
    def download_selected(self, request, queryset):
        from django.http import HttpResponse

        batch = queryset.first()
        response = HttpResponse(batch.xml, content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{batch.message_id}.xml"'
        return response

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankCSVProfile, site=volunteer_site)
class BankCSVProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "delimiter", "date_column", "amount_column", "decimal_comma")


@admin.register(BankStatement, site=volunteer_site)
class BankStatementAdmin(admin.ModelAdmin):
    list_display = ("filename", "format", "imported_at", "line_count", "new_line_count")
    readonly_fields = ("filename", "format", "imported_at", "line_count", "new_line_count")

    def add_view(self, request, form_url="", extra_context=None):
        """Statements are imported in the back office, as a background job."""
        return redirect("backoffice:statement_import_start")

    def has_add_permission(self, request):
        return False  # no "add" button: the address above leads to the back office

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankLine, site=volunteer_site)
class BankLineAdmin(admin.ModelAdmin):
    """Bank lines, read-only: they are matched or set aside in the back office."""

    list_display = ("booked_on", "amount", "label", "reference", "status", "payment", "match")
    list_filter = ("status",)
    list_select_related = ("payment",)
    search_fields = ("label", "reference")
    readonly_fields = (
        "statement",
        "booked_on",
        "amount",
        "label",
        "reference",
        "status",
        "payment",
    )

    @admin.display(description="")
    def match(self, obj):
        url = reverse("backoffice:bankline_match", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Match in the back office…"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Reminders and suspensions (dunning made visible and operable) live in their own module.
register_dunning_admin(volunteer_site)
