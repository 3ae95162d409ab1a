"""Member-facing URLs of the datacenter (namespace ``datacenter``)."""

from django.urls import path

from . import portal

app_name = "datacenter"

urlpatterns = [
    path("hosting/<int:pk>/", portal.machine_detail, name="machine"),
]
