"""Citizen IDs, religion, phones and addresses: masked on every page for a user without the
right, in full only through the "Show" button for a user with it, and every such view recorded."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent, AuditKind
from members.choices import Religion
from members.models import Member
from tests.factories import CandidateFactory, MemberFactory
from tests.members.test_import import person, upload, xlsx
from tests.members.test_views import form_data

CCCD = "011085004321"
MASKED = "••••••••4321"


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_sensitive_fields"))
    return user


@pytest.fixture
def lo_van_phuong(tree):
    return MemberFactory(
        unit=tree.cell_a1,
        full_name="Lò Văn Phương",
        citizen_id=CCCD,
        religion=Religion.PROTESTANTISM,
        phone="0912 345 678",
        permanent_address="Bản Mển, xã Mường Mươn",
    )


def page(client, name, *args, **params) -> str:
    return client.get(reverse(name, args=args), params).content.decode()


def sheet_text(response) -> str:
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return " ".join(
        str(v) for s in workbook.worksheets for row in s.iter_rows(values_only=True) for v in row
    )


# A staff member without the right


def test_member_page_shows_only_the_last_four_digits_of_the_citizen_id(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), "member_detail", lo_van_phuong.pk)
    assert MASKED in html and CCCD not in html


def test_member_page_hides_religion_phone_and_address(lo_van_phuong, commune_staff_a, client_for):
    html = page(client_for(commune_staff_a), "member_detail", lo_van_phuong.pk)
    assert "0912 345 678" not in html and "Bản Mển, xã Mường Mươn" not in html
    assert "Tin lành" not in html and "Đã ẩn" in html


def test_member_page_offers_no_show_button_without_the_right(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), "member_detail", lo_van_phuong.pk)
    assert reverse("member_sensitive", args=[lo_van_phuong.pk]) not in html


def test_show_button_url_is_refused_without_the_right(lo_van_phuong, commune_staff_a, client_for):
    url = reverse("member_sensitive", args=[lo_van_phuong.pk])
    assert client_for(commune_staff_a).get(url).status_code == 403


def test_member_list_and_search_never_show_the_citizen_id(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), "member_list", q=CCCD)
    results = html.split("<tbody", 1)[1]  # the search box and links give back what was typed
    assert "Lò Văn Phương" in results and CCCD not in results


def test_search_by_the_start_of_a_citizen_id_finds_nobody_without_the_right(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), "member_list", q=CCCD[:8])
    assert "Lò Văn Phương" not in html


def test_search_by_the_start_of_a_citizen_id_finds_the_member_with_the_right(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(grant(commune_staff_a)), "member_list", q=CCCD[:8])
    assert "Lò Văn Phương" in html


def test_history_masks_an_old_citizen_id(
    lo_van_phuong, district_admin, commune_staff_a, client_for
):
    client_for(district_admin).post(
        reverse("member_edit", args=[lo_van_phuong.pk]),
        form_data(lo_van_phuong, citizen_id="011085009999", phone="0987 654 321"),
    )
    html = page(client_for(commune_staff_a), "member_detail", lo_van_phuong.pk)
    history = html.split("Lịch sử thay đổi", 1)[1]
    assert MASKED in history and "••••••••9999" in history
    assert CCCD not in html and "011085009999" not in html and "0987 654 321" not in html


def test_export_leaves_the_citizen_id_out(lo_van_phuong, commune_staff_a, client_for):
    text = sheet_text(client_for(commune_staff_a).get(reverse("member_export")))
    assert "Lò Văn Phương" in text and CCCD not in text and "0912 345 678" not in text


def test_export_with_sensitive_fields_is_refused_without_the_right(
    lo_van_phuong, commune_staff_a, client_for
):
    response = client_for(commune_staff_a).get(reverse("member_export"), {"sensitive": "1"})
    assert response.status_code == 403


def test_edit_form_has_no_sensitive_inputs_without_the_right(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), "member_edit", lo_van_phuong.pk)
    assert 'name="citizen_id"' not in html and CCCD not in html and 'name="phone"' not in html


def test_saving_the_edit_form_without_the_right_keeps_the_sensitive_fields(
    lo_van_phuong, commune_staff_a, client_for
):
    data = form_data(lo_van_phuong, hometown="Tuần Giáo", citizen_id="", phone="", religion="none")
    client_for(commune_staff_a).post(reverse("member_edit", args=[lo_van_phuong.pk]), data)
    member = Member.objects.get(pk=lo_van_phuong.pk)
    assert (member.hometown, member.citizen_id, member.phone) == ("Tuần Giáo", CCCD, "0912 345 678")
    assert member.religion == Religion.PROTESTANTISM


def test_import_preview_masks_the_citizen_id_and_the_old_phone(
    lo_van_phuong, tree, commune_staff_a, client_for
):
    row = person(1, **{"Số CCCD": CCCD, "Điện thoại": "0987 654 321"})
    html = upload(client_for(commune_staff_a), tree.cell_a1, xlsx([row])).content.decode()
    assert MASKED in html and CCCD not in html
    assert "0912 345 678" not in html and "0987 654 321" not in html


def test_quality_page_shows_only_the_last_four_digits(tree, commune_staff_a, client_for):
    # The same name and date of birth twice: the page lists both, with their citizen IDs.
    for citizen_id in (CCCD, ""):
        MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", citizen_id=citizen_id)
    Member.objects.update(birth_date=Member.objects.first().birth_date)
    html = page(client_for(commune_staff_a), "member_quality", tree.commune_a.pk)
    assert MASKED in html and CCCD not in html


def test_candidate_page_shows_only_the_last_four_digits(tree, commune_staff_a, client_for):
    candidate = CandidateFactory(unit=tree.cell_a1, citizen_id=CCCD, phone="0912 345 678")
    html = page(client_for(commune_staff_a), "admission_detail", candidate.pk)
    assert MASKED in html and CCCD not in html and "0912 345 678" not in html


def test_candidate_edit_form_has_no_sensitive_inputs_without_the_right(
    tree, commune_staff_a, client_for
):
    candidate = CandidateFactory(unit=tree.cell_a1, citizen_id=CCCD, phone="0912 345 678")
    html = page(client_for(commune_staff_a), "admission_edit", candidate.pk)
    assert 'name="citizen_id"' not in html and CCCD not in html and "0912 345 678" not in html


# A user with the right


def test_member_page_is_masked_by_default_even_with_the_right(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(grant(commune_staff_a)), "member_detail", lo_van_phuong.pk)
    assert CCCD not in html
    assert reverse("member_sensitive", args=[lo_van_phuong.pk]) in html


def test_show_button_gives_every_sensitive_field_in_full(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(grant(commune_staff_a)), "member_sensitive", lo_van_phuong.pk)
    for text in (CCCD, "Tin lành", "0912 345 678", "Bản Mển, xã Mường Mươn"):
        assert text in html, text


def test_show_button_records_who_saw_which_fields(lo_van_phuong, commune_staff_a, client_for):
    page(client_for(grant(commune_staff_a)), "member_sensitive", lo_van_phuong.pk)
    event = AuditEvent.objects.get(kind=AuditKind.SENSITIVE_VIEW)
    assert (event.user, event.object_repr, event.unit_path) == (
        commune_staff_a,
        "Lò Văn Phương",
        lo_van_phuong.unit.path,
    )
    assert "citizen_id" in event.detail["fields"] and "religion" in event.detail["fields"]


def test_show_button_over_htmx_swaps_the_values_in_place(
    lo_van_phuong, commune_staff_a, client_for
):
    url = reverse("member_sensitive", args=[lo_van_phuong.pk])
    html = client_for(grant(commune_staff_a)).get(url, headers={"HX-Request": "true"})
    html = html.content.decode()
    assert "<html" not in html
    assert (
        f'id="sensitive-citizen_id" data-sensitive="citizen_id" hx-swap-oob="true">{CCCD}<' in html
    )


def test_show_button_needs_get(lo_van_phuong, commune_staff_a, client_for):
    url = reverse("member_sensitive", args=[lo_van_phuong.pk])
    assert client_for(grant(commune_staff_a)).post(url).status_code == 405


def test_district_admin_sees_in_full_without_the_permission(
    lo_van_phuong, district_admin, client_for
):
    html = page(client_for(district_admin), "member_sensitive", lo_van_phuong.pk)
    assert CCCD in html


def test_unit_page_offers_the_register_with_sensitive_fields_only_with_the_right(
    tree, commune_staff_a, client_for
):
    client = client_for(commune_staff_a)
    assert "data-export-sensitive" not in page(client, "unit_detail", tree.commune_a.pk)
    grant(commune_staff_a)
    assert "data-export-sensitive" in page(client, "unit_detail", tree.commune_a.pk)


def test_opening_the_edit_form_with_the_right_is_recorded(
    lo_van_phuong, commune_staff_a, client_for
):
    html = page(client_for(grant(commune_staff_a)), "member_edit", lo_van_phuong.pk)
    assert CCCD in html
    assert AuditEvent.objects.filter(kind=AuditKind.SENSITIVE_VIEW).count() == 1


def test_candidate_show_button_gives_the_citizen_id(tree, commune_staff_a, client_for):
    candidate = CandidateFactory(unit=tree.cell_a1, citizen_id=CCCD)
    html = page(client_for(grant(commune_staff_a)), "admission_sensitive", candidate.pk)
    assert CCCD in html


def test_no_audit_event_holds_a_full_citizen_id(lo_van_phuong, commune_staff_a, client_for):
    client = client_for(grant(commune_staff_a))
    page(client, "member_sensitive", lo_van_phuong.pk)
    page(client, "member_list", q=CCCD)
    client.get(reverse("member_export"), {"sensitive": "1", "q": CCCD})
    stored = [f"{e.path} {e.object_repr} {e.detail}" for e in AuditEvent.objects.all()]
    assert len(stored) >= 2 and not [s for s in stored if CCCD in s]
