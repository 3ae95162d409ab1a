"""The ISP's public description (isp.json) and its covered areas."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coin.backoffice.registry import ACTION, LIST, register_menu_group, register_page
from coin.backoffice.views import ActionView, BackofficeView

from . import services
from .backoffice_forms import AreaForm, ConfirmForm, ProfileForm
from .isp_document import build_isp_document, isp_document_errors
from .models import CoveredArea, IspProfile

register_menu_group("federation", _("Federation"), order=80)


@register_page(
    "isp_profile",
    "federation/isp/",
    kind=LIST,
    title=_("Our isp.json"),
    permission="federation.view_ispprofile",
    menu_group="federation",
)
class IspProfileView(BackofficeView):
    """What /isp.json publishes now, whether it is valid, and the covered areas."""

    template_name = "backoffice/federation/isp_profile.html"

    def get_context_data(self, **kwargs):
        profile = IspProfile.load()
        areas = list(CoveredArea.objects.all())
        document = build_isp_document(profile, areas) if profile else None
        return super().get_context_data(
            profile=profile,
            areas=areas,
            document=document,
            errors=isp_document_errors(document) if document else [],
            actions=self.links(["isp_profile_edit", "covered_area_add"]),
            may_change=self.request.user.has_perm("federation.change_ispprofile"),
            public_url=self.request.build_absolute_uri(reverse("federation:isp_json")),
            **kwargs,
        )


@register_page(
    "isp_profile_edit",
    "federation/isp/edit/",
    kind=ACTION,
    title=_("Describe the ISP"),
    permission="federation.change_ispprofile",
)
class IspProfileEditView(ActionView):
    form_class = ProfileForm
    service = services.update_profile
    success_message = _("The ISP's description is saved; /isp.json publishes it.")

    def service_arguments(self, form):
        return (), dict(form.cleaned_data)

    def get_success_url(self, result=None):
        return reverse("backoffice:isp_profile")


class AreaMixin:
    def get_success_url(self, result=None):
        return reverse("backoffice:isp_profile")


@register_page(
    "covered_area_add",
    "federation/areas/add/",
    kind=ACTION,
    title=_("Add a covered area"),
    permission="federation.change_ispprofile",
)
class CoveredAreaAddView(AreaMixin, ActionView):
    form_class = AreaForm
    service = services.save_covered_area
    success_message = _("The area is added.")

    def service_arguments(self, form):
        data = form.cleaned_data
        return (None,), {
            "name": data["name"],
            "technologies": data["technologies"],
            "shape": data["shape"],
            "position": data["position"],
        }


@register_page(
    "covered_area_edit",
    "federation/areas/<int:pk>/",
    kind=ACTION,
    title=_("Change a covered area"),
    permission="federation.change_ispprofile",
)
class CoveredAreaEditView(CoveredAreaAddView):
    queryset = CoveredArea.objects.all()
    success_message = _("The area is saved.")

    def service_arguments(self, form):
        _args, kwargs = super().service_arguments(form)
        return (self.object,), kwargs


@register_page(
    "covered_area_remove",
    "federation/areas/<int:pk>/remove/",
    kind=ACTION,
    title=_("Remove a covered area"),
    permission="federation.change_ispprofile",
)
class CoveredAreaRemoveView(AreaMixin, ActionView):
    queryset = CoveredArea.objects.all()
    form_class = ConfirmForm
    service = services.remove_covered_area
    success_message = _("The area is no longer published.")

    def service_arguments(self, form):
        return (get_object_or_404(CoveredArea, pk=self.object.pk),), {}
