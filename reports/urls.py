from django.urls import path

from . import views

a = "o/<slug:org_slug>/a/<int:pk>/"

urlpatterns = [
    path(a + "report/", views.report_request, name="report_request"),
    path(a + "report/status/", views.report_status, name="report_status"),
    path(a + "report/box/", views.report_box, name="report_box"),
    path(a + "report/<int:render_pk>.pdf", views.report_download, name="report_download"),
    path(a + "export/<slug:kind>.<slug:fmt>", views.report_export, name="report_export"),
]
