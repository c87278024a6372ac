"""URLs of the dashboards, targets and statistics exports."""

from django.urls import include, path

from reports import views

urlpatterns = [
    path("", views.report_home, name="report_home"),
    path("units/<int:unit_pk>/", views.dashboard, name="report_dashboard"),
    path("units/<int:unit_pk>/resolutions/", views.resolution_list, name="resolution_list"),
    path("units/<int:unit_pk>/resolutions/new/", views.resolution_create, name="resolution_create"),
    path("resolutions/<int:pk>/", views.resolution_detail, name="resolution_detail"),
    path("resolutions/<int:pk>/edit/", views.resolution_edit, name="resolution_edit"),
    path("resolutions/<int:pk>/targets/new/", views.target_create, name="target_create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("exports/", include("reports.export_urls")),
]
