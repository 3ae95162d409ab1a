from django.urls import path

from . import views

app_name = "federation"
urlpatterns = [
    path("isp.json", views.isp_json, name="isp_json"),
    path("federation/reports.json", views.report_index, name="report_index"),
    path("federation/reports/latest.json", views.latest_report, name="latest_report"),
    path("federation/reports/<int:pk>.json", views.report_json, name="report_json"),
]
