"""chibo's addresses plus views that fail, to see the error pages a user would get."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as chibo_urlpatterns


def broken(request):
    raise RuntimeError("secret detail of a failure")


def suspicious(request):
    raise SuspiciousOperation("secret detail of a bad request")


urlpatterns = [
    *chibo_urlpatterns,
    path("test-broken/", broken),
    path("test-suspicious/", suspicious),
]
