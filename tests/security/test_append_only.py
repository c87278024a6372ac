"""Audit events can be written once and never changed or deleted, not even in the Django admin."""

import pytest
from django.urls import reverse

from accounts.audit import record
from accounts.models import AuditEvent, AuditKind


@pytest.fixture
def event(db):
    return record(AuditKind.EXPORT, username="huong.lt", object_repr="Danh sách đảng viên")


def test_an_event_cannot_be_saved_again(event):
    event.object_repr = "something else"

    with pytest.raises(TypeError):
        event.save()


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(TypeError):
        event.delete()


def test_events_cannot_be_updated_or_deleted_in_bulk(event):
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_a_superuser_may_read_events_in_the_admin(event, superuser_admin, client_for):
    response = client_for(superuser_admin).get(reverse("admin:accounts_auditevent_changelist"))

    assert response.status_code == 200
    assert "Danh sách đảng viên" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["admin:accounts_auditevent_add", "admin:accounts_auditevent_delete"],
)
def test_nobody_may_add_or_delete_an_event_in_the_admin(event, superuser_admin, client_for, url):
    args = [] if url.endswith("_add") else [event.pk]

    response = client_for(superuser_admin).post(reverse(url, args=args), {"post": "yes"})

    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_an_event_opened_in_the_admin_cannot_be_changed(event, superuser_admin, client_for):
    url = reverse("admin:accounts_auditevent_change", args=[event.pk])

    response = client_for(superuser_admin).post(url, {"object_repr": "changed"})

    event.refresh_from_db()
    assert response.status_code == 403
    assert event.object_repr == "Danh sách đảng viên"


def test_the_admin_offers_no_delete_action_on_the_trail(event, superuser_admin, client_for):
    response = client_for(superuser_admin).get(reverse("admin:accounts_auditevent_changelist"))

    assert "delete_selected" not in response.content.decode()


def test_a_commune_administrator_sees_only_the_communes_events_in_the_admin(
    tree, commune_admin, client_for
):
    record(AuditKind.EXPORT, unit_path=tree.cell_a1.path, object_repr="Chi bộ bản Mển")
    record(AuditKind.EXPORT, unit_path=tree.cell_b1.path, object_repr="Chi bộ bản Nậm Chua")

    response = client_for(commune_admin).get(reverse("admin:accounts_auditevent_changelist"))

    assert "Chi bộ bản Mển" in response.content.decode()
    assert "Chi bộ bản Nậm Chua" not in response.content.decode()
