"""With read replicas configured, pages read from a replica and every write goes to the primary."""

import pytest
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import reverse

from config import routers
from members.models import Member
from tests.factories import MemberFactory
from units.models import Unit

REPLICAS = override_settings(
    DATABASE_ROUTERS=["config.routers.PrimaryReplicaRouter"], DATABASE_REPLICAS=["replica1"]
)


@REPLICAS
def test_reads_go_to_the_replica():
    assert Member.objects.all().db == "replica1"
    assert Unit.objects.filter(kind="commune").db == "replica1"


@REPLICAS
@pytest.mark.django_db
def test_writes_go_to_the_primary(tree):
    member = MemberFactory(unit=tree.cell_a1)
    assert member._state.db == "default"
    member.full_name = "Lò Văn Phương"
    member.save()
    assert Member.objects.using("default").get(pk=member.pk).full_name == "Lò Văn Phương"


@REPLICAS
@pytest.mark.django_db
def test_reads_inside_a_transaction_go_to_the_primary():
    with transaction.atomic():
        assert Member.objects.all().db == "default"


@REPLICAS
def test_a_request_that_writes_reads_the_primary_and_pins_the_next_few_seconds():
    seen = {}

    def view(request):
        from django.http import HttpResponse

        seen[request.method] = Member.objects.all().db
        return HttpResponse()

    middleware = routers.PrimaryPinMiddleware(view)
    factory = RequestFactory()
    response = middleware(factory.post(reverse("login")))
    middleware(factory.get("/"))
    assert seen == {"POST": "default", "GET": "replica1"}
    pinned = factory.get("/")
    pinned.COOKIES[routers.PIN_COOKIE] = response.cookies[routers.PIN_COOKIE].value
    middleware(pinned)
    assert seen["GET"] == "default"


def test_migrations_run_on_the_primary_only():
    router = routers.PrimaryReplicaRouter()
    assert router.allow_migrate("default", "members")
    assert not router.allow_migrate("replica1", "members")


def test_without_replicas_everything_uses_the_primary():
    assert Member.objects.all().db == "default"


@REPLICAS
def test_what_is_kept_is_computed_from_the_primary():
    assert Member.objects.all().db == "replica1"
    with routers.reading_primary():
        assert Member.objects.all().db == "default"
    assert Member.objects.all().db == "replica1"
