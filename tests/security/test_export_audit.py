"""Every download is recorded (who, scope, columns, rows, SHA-256 of the bytes), leaves the
sensitive columns out unless a user with the right asks for them, and never carries a formula."""

import hashlib
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, AuditKind
from tests.factories import MemberFactory, UnitFactory
from units.models import UnitKind

CCCD = "011085004321"
FORMULA = '=HYPERLINK("http://x","y")'


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive_fields"))
    return user


@pytest.fixture
def roll(tree):
    return [
        MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", citizen_id=CCCD),
        MemberFactory(unit=tree.cell_a1, full_name="Đặng Thị Hoa", citizen_id=""),
        MemberFactory(unit=tree.cell_a2, full_name="Quàng Thị Bình", citizen_id=""),
    ]


def export_event() -> AuditEvent:
    return AuditEvent.objects.get(kind=AuditKind.EXPORT)


def cells(response) -> list:
    workbook = load_workbook(io.BytesIO(response.content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def values(response) -> list:
    return [cell.value for cell in cells(response)]


# The audit trail


def test_list_export_records_who_the_rows_the_columns_and_the_scope(
    roll, tree, commune_staff_a, client_for
):
    client_for(commune_staff_a).get(reverse("member_export"), {"unit": tree.cell_a1.pk})
    event = export_event()
    assert (event.user, event.unit_path, event.detail["rows"]) == (
        commune_staff_a,
        tree.cell_a1.path,
        2,
    )
    assert event.detail["columns"][:2] == ["number", "full_name"]


def test_list_export_records_the_sha256_of_the_downloaded_file(roll, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("member_export"))
    assert export_event().detail["sha256"] == hashlib.sha256(response.content).hexdigest()


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("member_register_export", True),
        ("badge_export", True),
        ("export_increase_decrease", True),
        ("export_structure", True),
        ("export_organisations", True),
        ("export_meetings", True),
        ("member_import_template", False),
    ],
)
def test_every_download_is_recorded_with_its_hash(
    roll, tree, commune_staff_a, client_for, name, kwargs
):
    url = reverse(name, args=[tree.commune_a.pk] if kwargs else [])
    response = client_for(commune_staff_a).get(url)
    assert response.status_code == 200
    event = export_event()
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    assert event.user == commune_staff_a and event.object_repr


def test_register_export_counts_its_rows(roll, tree, commune_staff_a, client_for):
    client_for(commune_staff_a).get(reverse("member_register_export", args=[tree.commune_a.pk]))
    assert (export_event().detail["rows"], export_event().unit_path) == (3, tree.commune_a.path)


def test_no_export_event_holds_a_full_citizen_id(roll, commune_staff_a, client_for):
    client_for(grant(commune_staff_a)).get(reverse("member_export"), {"q": CCCD, "sensitive": "1"})
    event = export_event()
    assert CCCD not in f"{event.path} {event.object_repr} {event.detail}"


# Sensitive columns


def test_sensitive_columns_are_left_out_by_default(roll, commune_staff_a, client_for):
    response = client_for(grant(commune_staff_a)).get(reverse("member_export"))
    assert CCCD not in values(response)
    assert "citizen_id" not in export_event().detail["columns"]


def test_sensitive_columns_come_when_a_user_with_the_right_asks(roll, commune_staff_a, client_for):
    client = client_for(grant(commune_staff_a))
    response = client.get(reverse("member_export"), {"sensitive": "1"})
    assert CCCD in values(response)
    assert {"citizen_id", "religion", "phone"} <= set(export_event().detail["sensitive"])


def test_sensitive_columns_are_refused_to_a_user_without_the_right(
    roll, commune_staff_a, client_for
):
    response = client_for(commune_staff_a).get(reverse("member_export"), {"sensitive": "1"})
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORT).exists()


def test_register_takes_the_religion_only_when_asked(roll, tree, district_admin, client_for):
    url = reverse("member_register_export", args=[tree.commune_a.pk])
    client = client_for(district_admin)
    client.get(url)
    client.get(url, {"sensitive": "1"})
    plain, asked = AuditEvent.objects.filter(kind=AuditKind.EXPORT).order_by("pk")
    assert "religion" not in plain.detail["columns"] and "religion" in asked.detail["columns"]


def test_list_page_offers_the_sensitive_export_only_to_a_user_with_the_right(
    roll, commune_staff_a, secretary_a, client_for
):
    with_right = client_for(grant(commune_staff_a)).get(reverse("member_list")).content.decode()
    without = client_for(secretary_a).get(reverse("member_list")).content.decode()
    assert "Xuất kèm thông tin nhạy cảm" in with_right
    assert "Xuất kèm thông tin nhạy cảm" not in without


# Formulas


def _is_text(cell) -> bool:
    return cell.data_type == "s" and not str(cell.value).startswith("=")


def test_member_export_neutralises_a_formula(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn A", card_number="@SUM(A1)")
    response = client_for(secretary_a).get(reverse("member_export"))
    found = [c for c in cells(response) if "SUM(A1)" in str(c.value)]
    assert found and all(_is_text(c) for c in found)


def test_register_neutralises_a_formula(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn A", hometown=FORMULA)
    response = client_for(secretary_a).get(
        reverse("member_register_export", args=[tree.cell_a1.pk])
    )
    found = [c for c in cells(response) if "HYPERLINK" in str(c.value)]
    assert found and all(_is_text(c) for c in found)


@pytest.mark.parametrize("name", ["export_increase_decrease", "export_organisations"])
def test_report_form_neutralises_a_unit_name_that_looks_like_a_formula(
    tree, district_admin, client_for, name
):
    UnitFactory(parent=tree.district, kind=UnitKind.COMMUNE, name=FORMULA)
    response = client_for(district_admin).get(reverse(name, args=[tree.district.pk]))
    found = [c for c in cells(response) if "HYPERLINK" in str(c.value)]
    assert found and all(_is_text(c) for c in found)


def test_badge_export_neutralises_a_formula(tree, commune_staff_a, client_for):
    from datetime import date

    MemberFactory(unit=tree.cell_a1, full_name="+Lò Văn A", admitted_on=date(1996, 3, 3))
    response = client_for(commune_staff_a).get(
        reverse("badge_export", args=[tree.commune_a.pk]), {"year": 2026}
    )
    found = [c for c in cells(response) if "Lò Văn A" in str(c.value)]
    assert found and all(_is_text(c) and c.value.startswith("'") for c in found)
