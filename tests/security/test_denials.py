"""Every refusal leaves one audit event: a 403, and a 404 for a record out of the user's sight.
An address that leads nowhere is not a refusal."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AuditEvent, AuditKind


def _audit_inserts(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and "audit" in q["sql"]]


def test_a_403_leaves_one_denied_event_naming_the_user_and_address(tree, viewer, client_for):
    url = reverse("unit_edit", args=[tree.district.pk])

    response = client_for(viewer).get(url)

    event = AuditEvent.objects.get(kind=AuditKind.DENIED)
    assert response.status_code == 403
    assert (event.user, event.path) == (viewer, url)
    assert event.detail == {"refusal": "forbidden", "method": "GET"}


def test_a_record_out_of_sight_leaves_one_denied_event_with_its_unit(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    url = reverse("unit_detail", args=[tree.cell_b1.pk])

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    event = AuditEvent.objects.get(kind=AuditKind.DENIED)
    assert response.status_code == 404
    assert len(_audit_inserts(queries)) == 1
    assert (event.user, event.unit_path, event.detail["refusal"]) == (
        secretary_a,
        tree.cell_b1.path,
        "out_of_scope",
    )


def test_a_missing_record_or_address_leaves_no_event(tree, secretary_a, client_for):
    client = client_for(secretary_a)

    assert client.get(reverse("unit_detail", args=[999999])).status_code == 404
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.DENIED).exists()


def test_a_page_that_is_allowed_writes_nothing_to_the_trail(tree, secretary_a, client_for):
    client = client_for(secretary_a)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("unit_detail", args=[tree.cell_a1.pk]))

    assert response.status_code == 200
    assert _audit_inserts(queries) == []


def test_a_refused_form_leaves_a_denied_event(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    client.handler.enforce_csrf_checks = True

    client.post(reverse("logout"))

    event = AuditEvent.objects.get(kind=AuditKind.DENIED)
    assert (event.user, event.detail["refusal"]) == (secretary_a, "csrf")


def test_a_citizen_id_in_a_refused_address_is_masked(tree, secretary_a, client_for):
    client_for(secretary_a).get(
        reverse("unit_detail", args=[tree.cell_b1.pk]), {"q": "011234567890"}
    )

    event = AuditEvent.objects.get(kind=AuditKind.DENIED)
    assert "011234567890" not in event.path
    assert event.path.endswith("q=••••••••7890")
