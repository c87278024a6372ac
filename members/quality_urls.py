"""URLs of the data-quality checks."""

from django.urls import path

from members import quality_views

urlpatterns = [
    path("units/<int:unit_pk>/", quality_views.quality_view, name="member_quality"),
]
