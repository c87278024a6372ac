from django.urls import path

from accounts import audit_views

urlpatterns = [
    path("", audit_views.audit_list, name="audit_list"),
]
