"""URLs of the party-badge lists."""

from django.urls import path

from members import badge_views

urlpatterns = [
    path("units/<int:unit_pk>/", badge_views.badge_list_view, name="badge_list"),
    path("units/<int:unit_pk>/award/", badge_views.badge_award_view, name="badge_award"),
    path("units/<int:unit_pk>/export.xlsx", badge_views.badge_export, name="badge_export"),
]
