"""Member-facing URLs of billing (namespace ``billing``) and the board's finance pages."""

from django.urls import path

from . import views, views_reports

app_name = "billing"

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/receipt/", views.dues_receipt_pdf, name="dues_receipt_pdf"),
    path("credit-notes/<int:pk>/pdf/", views.credit_note_pdf, name="credit_note_pdf"),
    path(
        "subscriptions/<int:pk>/suggested-price/",
        views.pay_suggested_price,
        name="pay_suggested_price",
    ),
    path("finances/", views.finance_dashboard, name="finance_dashboard"),
    path("finances/dunning/", views.run_dunning, name="run_dunning"),
    path("finances/close/", views.close_period, name="close_period"),
    path("finances/<int:year>/export.csv", views.export_csv, name="export_csv"),
    path("finances/<int:year>/fec.txt", views.export_fec, name="export_fec"),
    path("finances/<int:year>/report/", views_reports.annual_report_page, name="annual_report"),
    path(
        "finances/<int:year>/report.pdf", views_reports.annual_report_pdf, name="annual_report_pdf"
    ),
]
