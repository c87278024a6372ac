from django.urls import include, path

from members import import_views, views

urlpatterns = [
    path("", views.member_list_view, name="member_list"),
    path("new/", views.member_create, name="member_create"),
    path("<int:pk>/", views.member_detail, name="member_detail"),
    path("<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/sensitive/", views.member_sensitive, name="member_sensitive"),
    path("<int:pk>/events/<slug:action>/", views.member_event, name="member_event"),
    path("transfer-in/", views.member_transfer_in, name="member_transfer_in"),
    path("export.xlsx", views.member_export, name="member_export"),
    path(
        "units/<int:unit_pk>/register.xlsx",
        views.member_register_export,
        name="member_register_export",
    ),
    path("units/<int:unit_pk>/probation/", views.member_probation, name="member_probation"),
    path("import/", views.member_import, name="member_import"),
    path("import/template.xlsx", views.member_import_template, name="member_import_template"),
    path("import/progress/", import_views.member_import_progress, name="member_import_progress"),
    path("import/<int:pk>/", views.member_import_preview, name="member_import_preview"),
    path("import/<int:pk>/commit/", views.member_import_commit, name="member_import_commit"),
    path("admissions/", include("members.admission_urls")),
    path("badges/", include("members.badge_urls")),
    path("quality/", include("members.quality_urls")),
]
