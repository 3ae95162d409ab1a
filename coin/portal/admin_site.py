"""The volunteer area: Django's admin, themed, open only to verified role holders."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class VolunteerAdminSite(admin.AdminSite):
    site_header = _("coin — volunteer area")
    site_title = _("coin volunteers")
    index_title = _("What your roles let you do")
    login_template = None

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
