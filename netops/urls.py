"""Member-facing URLs of netops (namespace ``netops``)."""

from django.urls import path

from .ipam import views as ipam_views

app_name = "netops"

urlpatterns = [
    path("addresses/<int:pk>/reverse-dns/", ipam_views.reverse_dns, name="reverse_dns"),
    path(
        "addresses/<int:pk>/reverse-dns/<int:record_pk>/delete/",
        ipam_views.reverse_dns_delete,
        name="reverse_dns_delete",
    ),
]
