"""Top-level URLs (the composition root): the member portal at /, the volunteer area at /admin/,
the back office at /gestion/."""

from django.urls import include, path

from coin.portal.admin_site import volunteer_site

urlpatterns = [
    path("admin/", volunteer_site.urls),
    path("gestion/", include("coin.backoffice.urls")),
    path("", include("coin.portal.urls")),
    path("", include("netops.urls")),
    path("", include("billing.urls")),
    path("", include("datacenter.urls")),
    path("", include("monitoring.urls")),
    path("", include("coin.federation.urls")),
]
