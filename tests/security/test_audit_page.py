"""The audit page: the whole trail for those given the right, an administrator's subtree for a
unit administrator, nothing (404) for anyone else; filters as staff use them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.audit import record
from accounts.models import AuditEvent, AuditKind
from tests.factories import UnitFactory, UserFactory
from units.models import UnitKind

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("audit_list")


def _export(unit, *, by=None, what="Danh sách đảng viên", day=None):
    if day is None:
        return record(AuditKind.EXPORT, user=by, unit_path=unit.path, object_repr=what)
    with time_machine.travel(datetime(*day, 9, 0, tzinfo=HANOI), tick=False):
        return record(AuditKind.EXPORT, user=by, unit_path=unit.path, object_repr=what)


def _shown(response) -> set[str]:
    return {row.record.object_repr for row in response.context["table"].page.object_list}


@pytest.fixture
def auditor(db):
    user = UserFactory(username="thanh.tra")
    user.user_permissions.add(Permission.objects.get(codename="view_audit_trail"))
    return user


def test_a_superuser_sees_the_trail_with_units_by_name(tree, superuser_admin, client_for):
    _export(tree.cell_a1, what="Danh sách chi bộ bản Mển")

    response = client_for(superuser_admin).get(URL)

    assert response.status_code == 200
    assert "Danh sách chi bộ bản Mển" in response.content.decode()
    assert tree.cell_a1.display_name in response.content.decode()


def test_a_holder_of_the_audit_right_sees_every_event(tree, auditor, client_for):
    other_province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Lai Châu")
    _export(tree.cell_b1, what="B1")
    _export(other_province, what="Lai Châu")
    record(AuditKind.LOGIN, user=auditor, object_repr="sign-in")

    response = client_for(auditor).get(URL)

    assert _shown(response) >= {"B1", "Lai Châu", "sign-in"}


def test_a_district_administrator_sees_only_events_about_the_district(
    tree, district_admin, client_for
):
    other_province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Lai Châu")
    _export(tree.cell_b1, what="B1")
    _export(other_province, what="Lai Châu")
    record(AuditKind.LOGIN, user=district_admin, object_repr="sign-in")

    response = client_for(district_admin).get(URL)

    assert response.status_code == 200
    assert "B1" in _shown(response)
    assert not _shown(response) & {"Lai Châu", "sign-in"}


@pytest.mark.parametrize("who", ["secretary_a", "viewer", "commune_staff_a"])
def test_anyone_else_gets_404_and_the_attempt_is_recorded(tree, who, request, client_for):
    user = request.getfixturevalue(who)

    response = client_for(user).get(URL)

    assert response.status_code == 404
    assert AuditEvent.objects.filter(kind=AuditKind.DENIED, user=user, path=URL).count() == 1


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_trail_filters_by_kind_of_event(tree, auditor, client_for):
    _export(tree.cell_a1, what="export")
    record(AuditKind.DENIED, user=auditor, object_repr="refused")

    response = client_for(auditor).get(URL, {"kind": AuditKind.DENIED})

    assert _shown(response) == {"refused"}


def test_the_trail_filters_by_part_of_a_username(tree, auditor, secretary_a, client_for):
    _export(tree.cell_a1, by=secretary_a, what="by Hương")
    _export(tree.cell_a1, by=auditor, what="by the auditor")

    response = client_for(auditor).get(URL, {"user": "huong"})

    assert _shown(response) == {"by Hương"}


def test_the_trail_filters_by_dates_written_dd_mm_yyyy(tree, auditor, client_for):
    _export(tree.cell_a1, what="May", day=(2025, 5, 31))
    _export(tree.cell_a1, what="June", day=(2025, 6, 1))
    _export(tree.cell_a1, what="July", day=(2025, 7, 1))

    response = client_for(auditor).get(URL, {"since": "01/06/2025", "until": "30/06/2025"})

    assert _shown(response) == {"June"}


def test_the_trail_filters_by_a_unit_and_its_subtree(tree, auditor, client_for):
    _export(tree.commune_a, what="commune A")
    _export(tree.cell_a1, what="cell A1")
    _export(tree.cell_b1, what="cell B1")

    response = client_for(auditor).get(URL, {"unit": tree.commune_a.pk})

    assert _shown(response) == {"commune A", "cell A1"}


def test_the_trail_filters_by_text_in_the_record(tree, auditor, client_for):
    _export(tree.cell_a1, what="Biểu 1 năm 2024")
    _export(tree.cell_a1, what="Danh sách đảng viên")

    response = client_for(auditor).get(URL, {"q": "biểu 1"})

    assert _shown(response) == {"Biểu 1 năm 2024"}


def test_a_district_administrator_cannot_filter_by_a_unit_outside_the_district(
    tree, district_admin, client_for
):
    other_province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Lai Châu")
    _export(other_province, what="Lai Châu")

    response = client_for(district_admin).get(URL, {"unit": other_province.pk})

    assert "Lai Châu" not in _shown(response)
    assert "unit" in response.context["filter"].form.errors


def test_the_page_shows_50_events_at_a_time_in_a_fixed_number_of_queries(
    tree, auditor, client_for, django_assert_max_num_queries
):
    units = [tree.cell_a1, tree.cell_a2, tree.cell_b1, tree.commune_a]
    for n in range(60):
        _export(units[n % 4], what=f"export {n}")
    client = client_for(auditor)

    with django_assert_max_num_queries(11):
        response = client.get(URL, {"page": 2})

    # 60 exports, and the auditor's own events (the permission given, signing in)
    assert len(_shown(response)) == AuditEvent.objects.count() - 50


def test_the_menu_leads_administrators_to_the_trail(tree, commune_admin, client_for):
    response = client_for(commune_admin).get(reverse("home"))

    assert f'href="{URL}"' in response.content.decode()


def test_the_menu_shows_a_secretary_no_audit_trail(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("home"))

    assert f'href="{URL}"' not in response.content.decode()


def test_a_refusal_is_described_in_vietnamese(tree, secretary_a, superuser_admin, client_for):
    client_for(secretary_a).get(reverse("unit_detail", args=[tree.cell_b1.pk]))

    response = client_for(superuser_admin).get(URL, {"kind": AuditKind.DENIED})

    assert "ngoài các đơn vị được phân công (404)" in response.content.decode()


def test_a_role_given_is_described_with_the_role_in_vietnamese(
    tree, secretary_a, superuser_admin, client_for
):
    response = client_for(superuser_admin).get(URL, {"kind": AuditKind.ROLE_CHANGE})

    assert "giao vai trò" in response.content.decode()
    assert "vai trò: bí thư chi bộ" in response.content.decode()
