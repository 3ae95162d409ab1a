"""Member-facing URLs of netops (namespace ``netops``)."""

from django.urls import path

from .dsl import views as dsl_views
from .ipam import views as ipam_views
from .vpn import views as vpn_views

app_name = "netops"

urlpatterns = [
    path("addresses/<int:pk>/reverse-dns/", ipam_views.reverse_dns, name="reverse_dns"),
    path(
        "addresses/<int:pk>/reverse-dns/<int:record_pk>/delete/",
        ipam_views.reverse_dns_delete,
        name="reverse_dns_delete",
    ),
    path("dsl/<int:pk>/", dsl_views.line_page, name="dsl_line"),
    path("dsl/<int:pk>/password/", dsl_views.reveal_password, name="dsl_reveal_password"),
    path("dsl/<int:pk>/new-password/", dsl_views.new_password, name="dsl_new_password"),
    path("dsl/<int:pk>/fault/", dsl_views.report_fault, name="dsl_report_fault"),
    path("vpn/<int:pk>/", vpn_views.account, name="vpn_account"),
    path("vpn/<int:pk>/config/", vpn_views.config_file, name="vpn_config"),
    path("vpn/<int:pk>/qr.svg", vpn_views.config_qr, name="vpn_qr"),
    path("vpn/<int:pk>/keys/", vpn_views.generate_keys, name="vpn_generate_keys"),
    path("vpn/<int:pk>/public-key/", vpn_views.set_public_key, name="vpn_set_public_key"),
    path("vpn/<int:pk>/password/", vpn_views.reset_password, name="vpn_reset_password"),
    path("vpn/<int:pk>/protocol/", vpn_views.change_protocol, name="vpn_change_protocol"),
]
