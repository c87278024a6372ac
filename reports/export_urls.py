"""URLs of the Excel exports of the statistics forms."""

from django.urls import path

from reports import export_views as views

urlpatterns = [
    path("units/<int:unit_pk>/", views.report_exports, name="report_exports"),
    path(
        "units/<int:unit_pk>/bieu-1-tang-giam.xlsx",
        views.export_increase_decrease,
        name="export_increase_decrease",
    ),
    path(
        "units/<int:unit_pk>/bieu-2-3-doi-ngu.xlsx",
        views.export_structure,
        name="export_structure",
    ),
    path(
        "units/<int:unit_pk>/bieu-5-to-chuc.xlsx",
        views.export_organisations,
        name="export_organisations",
    ),
    path(
        "units/<int:unit_pk>/sinh-hoat-chi-bo.xlsx",
        views.export_meetings,
        name="export_meetings",
    ),
]
