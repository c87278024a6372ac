from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("units.urls")),
    path("", include("accounts.urls")),
    path("members/", include("members.urls")),
    path("meetings/", include("meetings.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("accounts.audit_urls")),
    path("admin/", admin.site.urls),
]
