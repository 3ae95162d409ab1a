"""SEPA mandates: the list, a mandate's page, recording one, amending it, revoking it.

Each action is one service of ``billing.services.sepa`` (``create_mandate``,
``update_mandate``, ``revoke_mandate``): an IBAN is checked there and stored compact; a change
of IBAN or reference is sent to the bank as amendment information with the next debit.
IBANs are shown masked: the full number is typed, never read back.
"""

import django_filters
import django_tables2 as tables
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from billing import services
from billing.choices import MandateStatus
from billing.models import Mandate
from coin.backoffice.forms import ActionForm, DateInput
from coin.backoffice.registry import ACTION, DETAIL, LIST, Panel, register_page, register_panel
from coin.backoffice.tables import BadgeColumn
from coin.backoffice.views import ActionView, ObjectDetailView, ObjectListView

from .common import MemberField, confirm_field


class MandateFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), max_length=100)
    status = django_filters.ChoiceFilter(choices=MandateStatus.choices, label=_("status"))

    class Meta:
        model = Mandate
        fields = ["q", "status"]

    def search(self, queryset, name, value):
        """Mandates whose reference, holder or member's username or name contain every word."""
        for word in value.split():
            queryset = queryset.filter(
                Q(reference__icontains=word)
                | Q(debtor_name__icontains=word)
                | Q(member__username__icontains=word)
                | Q(member__last_name__icontains=word)
            )
        return queryset


class MandateTable(tables.Table):
    reference = tables.Column(linkify=("backoffice:mandate_detail", [tables.A("pk")]))
    member = tables.Column(accessor="member__username")
    debtor_name = tables.Column()
    iban = tables.Column(accessor="masked_iban", verbose_name=_("IBAN"), orderable=False)
    signed_on = tables.DateColumn()
    last_collected_on = tables.DateColumn()
    status = BadgeColumn()

    class Meta:
        model = Mandate
        fields = ("reference", "member", "debtor_name", "signed_on", "last_collected_on", "status")
        sequence = (
            "reference",
            "member",
            "debtor_name",
            "iban",
            "signed_on",
            "last_collected_on",
            "status",
        )
        order_by = ("-signed_on",)
        empty_text = _("No mandate matches.")


@register_page(
    "mandate_list",
    "sepa/mandates/",
    kind=LIST,
    title=_("SEPA mandates"),
    permission="billing.view_mandate",
    menu_group="billing",
)
class MandateListView(ObjectListView):
    queryset = Mandate.objects.select_related("member").order_by("-pk")
    table_class = MandateTable
    filterset_class = MandateFilterSet
    export_filename = "mandates"
    actions = ("mandate_add",)


@register_page(
    "mandate_detail",
    "sepa/mandates/<int:pk>/",
    kind=DETAIL,
    title=_("SEPA mandate"),
    permission="billing.view_mandate",
)
class MandateDetailView(ObjectDetailView):
    queryset = Mandate.objects.select_related("member")
    actions = ("mandate_edit", "mandate_revoke")


register_panel(
    Mandate,
    Panel(
        "mandate_facts",
        _("Mandate"),
        "backoffice/billing/mandate_facts.html",
        lambda mandate, request: {},
        "billing.view_mandate",
        order=10,
    ),
)


class NewMandateForm(ActionForm):
    member = MemberField()
    iban = forms.CharField(label=_("IBAN"), max_length=50)
    bic = forms.CharField(
        label=_("BIC"), max_length=20, required=False, help_text=_("Found from the IBAN if empty.")
    )
    debtor_name = forms.CharField(
        label=_("account holder"),
        max_length=70,
        required=False,
        help_text=_("The member's name if empty."),
    )
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput)
    reference = forms.CharField(
        label=_("mandate reference (RUM)"),
        max_length=35,
        required=False,
        help_text=_("Made up from the member number if empty."),
    )
    one_off = forms.BooleanField(label=_("one-off mandate"), required=False)


@register_page(
    "mandate_add",
    "sepa/mandates/new/",
    kind=ACTION,
    title=_("Record a signed mandate"),
    permission="billing.add_mandate",
)
class NewMandateView(ActionView):
    form_class = NewMandateForm
    service = services.create_mandate
    success_message = _("The mandate is recorded; the member's previous one, if any, is revoked.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (data["member"],), {
            "iban": data["iban"],
            "bic": data["bic"],
            "debtor_name": data["debtor_name"],
            "signed_on": data["signed_on"],
            "reference": data["reference"],
            "one_off": data["one_off"],
        }

    def get_success_url(self, result=None):
        if result is None:
            return reverse("backoffice:mandate_list")
        return reverse("backoffice:mandate_detail", args=[result.pk])


class EditMandateForm(ActionForm):
    debtor_name = forms.CharField(label=_("account holder"), max_length=70)
    iban = forms.CharField(
        label=_("new IBAN"),
        max_length=50,
        required=False,
        help_text=_("Only to change it: empty keeps the current one."),
    )
    bic = forms.CharField(label=_("BIC"), max_length=20, required=False)
    signed_on = forms.DateField(label=_("signed on"), widget=DateInput)
    reference = forms.CharField(label=_("mandate reference (RUM)"), max_length=35)

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, target=target, **kwargs)
        if target is not None:
            for name in ("debtor_name", "bic", "signed_on", "reference"):
                self.fields[name].initial = getattr(target, name)


@register_page(
    "mandate_edit",
    "sepa/mandates/<int:pk>/edit/",
    kind=ACTION,
    title=_("Amend the mandate"),
    permission="billing.change_mandate",
)
class EditMandateView(ActionView):
    queryset = Mandate.objects.filter(status=MandateStatus.ACTIVE).select_related("member")
    form_class = EditMandateForm
    service = services.update_mandate
    success_message = _("The mandate is amended; the bank is told with the next debit.")

    @classmethod
    def applies_to(cls, mandate):
        return mandate.status == MandateStatus.ACTIVE

    def service_arguments(self, form):
        # Only what changed: an unchanged IBAN or reference must not count as an amendment.
        changes = {
            name: value
            for name, value in form.cleaned_data.items()
            if value not in ("", None) and value != getattr(self.object, name)
        }
        return (self.object,), changes

    def get_success_url(self, result=None):
        return reverse("backoffice:mandate_detail", args=[self.object.pk])


class RevokeMandateForm(ActionForm):
    confirm = confirm_field(_("The member withdrew this mandate: stop using it"))
    on = forms.DateField(
        label=_("revoked on"), required=False, widget=DateInput, help_text=_("Today if empty.")
    )


@register_page(
    "mandate_revoke",
    "sepa/mandates/<int:pk>/revoke/",
    kind=ACTION,
    title=_("Revoke the mandate"),
    permission="billing.change_mandate",
)
class RevokeMandateView(ActionView):
    queryset = Mandate.objects.filter(status=MandateStatus.ACTIVE)
    form_class = RevokeMandateForm
    service = services.revoke_mandate
    success_message = _("The mandate is revoked: no more debits on it.")

    @classmethod
    def applies_to(cls, mandate):
        return mandate.status == MandateStatus.ACTIVE

    def service_arguments(self, form):
        return (self.object,), {"on": form.cleaned_data["on"]}

    def get_success_url(self, result=None):
        return reverse("backoffice:mandate_detail", args=[self.object.pk])
