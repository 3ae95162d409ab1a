"""The volunteer area: Django's admin, themed, open only to verified role holders."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class VolunteerAdminSite(admin.AdminSite):
    index_title = _("What your roles let you do")
    login_template = None

    def each_context(self, request):
        """The header and page titles name the association, not the software."""
        context = super().each_context(request)
        isp = settings.COIN_ISP_NAME
        context["site_header"] = _("%(isp)s — volunteer area") % {"isp": isp}
        context["site_title"] = _("%(isp)s volunteers") % {"isp": isp}
        return context

    def has_permission(self, request):
        user = request.user
        return user.is_active and user.is_staff and user.is_verified()

    def login(self, request, extra_context=None):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.urls import reverse

        if request.user.is_authenticated:
            # Logged in but without a role: the portal's login would send them
            # straight back here, for ever. Their place is the portal.
            messages.info(request, _("This area is for volunteers holding a role."))
            return redirect("portal:dashboard")
        return redirect(
            f"{reverse('portal:login')}?next={request.GET.get('next', reverse('admin:index'))}"
        )


volunteer_site = VolunteerAdminSite(name="admin")

# Django's French admin glues the model name to a fixed phrase ("Ajout de %s"),
# which breaks before a vowel ("Ajout de abonnement") and ignores gender
# ("Supprimer les factures sélectionnés"). The project's catalogue (LOCALE_PATHS
# wins over Django's own) rewords these messages so that any model name fits;
# naming them here keeps them in the catalogue at each extraction.
DJANGO_ADMIN_MESSAGES = (
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Delete selected %(verbose_name_plural)s"),
)
