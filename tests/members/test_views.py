"""Member pages: the list (scope, search, Vietnamese order, filters, htmx, pages), a member's
page with its history, and the record form."""

import re
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts.audit import mask_id
from members.choices import Ethnicity, Sex
from members.models import Member
from tests.factories import MemberFactory, bulk_members
from units.concurrency import edit_token

INVALID_CHOICE = "Hãy chọn một lựa chọn hợp lệ"
# Age bands count from today: the list is looked at on 1 March 2026.
TODAY = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def listed(response) -> list[str]:
    """Names in the member table, top to bottom."""
    return re.findall(r'<a href="/members/\d+/">([^<]+)</a>', response.content.decode())


def form_data(member=None, **changes) -> dict:
    """What the member form posts: the member's values (or a new member's), then `changes`."""
    data = {
        "full_name": "Lò Văn Phương",
        "birth_name": "",
        "sex": Sex.MALE,
        "birth_date": "12/05/1990",
        "ethnicity": Ethnicity.THAI,
        "religion": "none",
        "hometown": "Mường Chà, Điện Biên",
        "unit": "",
        "residence_village": "",
        "citizen_id": "011090001234",
        "card_number": "41999001",
        "admitted_on": "01/06/2015",
        "official_on": "01/06/2016",
        "education": "upper_secondary",
        "qualification": "none",
        "theory_level": "elementary",
        "occupation": "farmer",
        "service_background": "none",
        "phone": "",
    }
    if member is not None:
        for name in data:
            value = getattr(member, "unit_id" if name == "unit" else name)
            if name == "residence_village":
                value = member.residence_village_id
            if isinstance(value, date):
                value = value.strftime("%d/%m/%Y")
            data[name] = "" if value is None else value
        data["edit_token"] = edit_token(member)  # the record as the page was opened
    return {**data, **changes}


def member(unit, full_name, sex=Sex.MALE, ethnicity=Ethnicity.THAI, **fields) -> Member:
    return MemberFactory(unit=unit, full_name=full_name, sex=sex, ethnicity=ethnicity, **fields)


@pytest.fixture
def roll(tree):
    """Members of cells A1, A2 and B1, with names from the North-West."""
    return {
        "phuong": member(tree.cell_a1, "Lò Văn Phương"),
        "su": member(tree.cell_a1, "Giàng A Sử", ethnicity=Ethnicity.HMONG),
        "hoa": member(tree.cell_a1, "Đặng Thị Hoa", Sex.FEMALE, Ethnicity.DAO),
        "anh": member(tree.cell_a1, "Nguyễn Thị Ánh", Sex.FEMALE, Ethnicity.KINH),
        "hac": member(tree.cell_a1, "Cầm Văn Hặc", deceased=True),
        "binh": member(tree.cell_a2, "Quàng Thị Bình", Sex.FEMALE),
        "chu": member(tree.cell_b1, "Vàng A Chứ", ethnicity=Ethnicity.HMONG),
    }


# The list: scope and search


def test_secretary_list_shows_only_her_cells_members(roll, secretary_a, client_for):
    names = listed(client_for(secretary_a).get(reverse("member_list")))
    assert "Lò Văn Phương" in names
    assert "Quàng Thị Bình" not in names and "Vàng A Chứ" not in names


def test_commune_staff_list_covers_every_cell_of_the_commune(roll, commune_staff_a, client_for):
    names = listed(client_for(commune_staff_a).get(reverse("member_list")))
    assert "Quàng Thị Bình" in names
    assert "Vàng A Chứ" not in names


def test_search_lo_van_finds_lo_van_phuong(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"q": "lo van"})
    assert listed(response) == ["Lò Văn Phương"]


def test_search_giang_a_finds_giang_a_su(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"q": "giang a"})
    assert listed(response) == ["Giàng A Sử"]


def test_search_dang_finds_dang_thi_hoa(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"q": "dang"})
    assert listed(response) == ["Đặng Thị Hoa"]


def test_search_typed_with_diacritics_finds_dang_thi_hoa(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"q": "Đặng"})
    assert listed(response) == ["Đặng Thị Hoa"]


def test_search_never_reaches_beyond_the_scope(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"q": "vang a chu"})
    assert listed(response) == []
    assert "Không có đảng viên nào phù hợp." in response.content.decode()


def test_search_by_citizen_id_finds_the_member(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"q": roll["su"].citizen_id})
    assert listed(response) == ["Giàng A Sử"]


# The list: Vietnamese order


def test_list_orders_members_by_given_name(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Bình")
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Văn An")
    assert listed(client_for(secretary_a).get(reverse("member_list"))) == [
        "Quàng Văn An",
        "Lò Thị Bình",
    ]


def test_list_puts_d_before_d_with_a_bar(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Đức")
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Văn Dũng")
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn An")
    assert listed(client_for(secretary_a).get(reverse("member_list"))) == [
        "Lò Văn An",
        "Quàng Văn Dũng",
        "Lò Văn Đức",
    ]


# The list: filters


def test_list_shows_only_members_on_the_rolls_by_default(roll, secretary_a, client_for):
    names = listed(client_for(secretary_a).get(reverse("member_list")))
    assert "Cầm Văn Hặc" not in names
    assert len(names) == 4


def test_deceased_member_shows_when_the_filter_asks_for_them(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"status": "deceased"})
    assert listed(response) == ["Cầm Văn Hặc"]


def test_members_no_longer_on_the_rolls_show_under_their_own_filter(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"status": "left"})
    assert listed(response) == ["Cầm Văn Hặc"]


def test_filter_by_sex_lists_the_women(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"sex": Sex.FEMALE})
    assert listed(response) == ["Nguyễn Thị Ánh", "Đặng Thị Hoa"]


def test_filter_by_ethnicity_lists_the_dao(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"ethnicity": Ethnicity.DAO})
    assert listed(response) == ["Đặng Thị Hoa"]


def test_filter_by_ethnic_minorities_leaves_out_the_kinh(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_list"), {"ethnicity": "minority"})
    assert listed(response) == ["Đặng Thị Hoa", "Lò Văn Phương", "Giàng A Sử"]


def test_filter_by_age_band_keeps_the_members_of_that_age(
    tree, secretary_a, client_for, time_machine
):
    time_machine.move_to(TODAY, tick=False)
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Trẻ", birth_date=date(1996, 3, 1))
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Trung", birth_date=date(1990, 6, 1))
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Già", birth_date=date(1950, 1, 1))
    response = client_for(secretary_a).get(reverse("member_list"), {"age_band": "30"})
    assert listed(response) == ["Lò Văn Trẻ"]


def test_filter_by_age_band_31_to_40(tree, secretary_a, client_for, time_machine):
    time_machine.move_to(TODAY, tick=False)
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Trẻ", birth_date=date(1996, 3, 1))
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Trung", birth_date=date(1990, 6, 1))
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Già", birth_date=date(1950, 1, 1))
    response = client_for(secretary_a).get(reverse("member_list"), {"age_band": "31_40"})
    assert listed(response) == ["Lò Văn Trung"]


def test_filter_by_unit_keeps_that_cells_members(roll, tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("member_list"), {"unit": tree.cell_a2.pk})
    assert listed(response) == ["Quàng Thị Bình"]


def test_filter_by_a_commune_keeps_every_cell_under_it(roll, tree, viewer, client_for):
    response = client_for(viewer).get(reverse("member_list"), {"unit": tree.commune_b.pk})
    assert listed(response) == ["Vàng A Chứ"]


def test_filter_by_a_unit_outside_the_scope_shows_none_of_its_members(
    roll, tree, secretary_a, client_for
):
    response = client_for(secretary_a).get(reverse("member_list"), {"unit": tree.cell_b1.pk})
    assert "Vàng A Chứ" not in listed(response)


# The list: htmx and pages


def test_htmx_request_gets_only_the_results(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(
        reverse("member_list"), {"q": "lo van"}, headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert "<html" not in page and 'id="results"' in page
    assert listed(response) == ["Lò Văn Phương"]


def test_full_page_request_gets_the_filter_form(roll, secretary_a, client_for):
    page = client_for(secretary_a).get(reverse("member_list")).content.decode()
    assert "<html" in page
    assert 'name="q"' in page


def test_fifty_first_member_is_on_page_two(tree, secretary_a, client_for):
    bulk_members(cells=[tree.cell_a1], per_cell=51)
    client = client_for(secretary_a)
    page_one = client.get(reverse("member_list"))
    page_two = client.get(reverse("member_list"), {"page": 2})
    assert "51 đảng viên" in page_one.content.decode()
    assert (len(listed(page_one)), len(listed(page_two))) == (50, 1)


# A member's page


def test_secretary_sees_the_record_of_her_cells_member(roll, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_detail", args=[roll["su"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    # The citizen ID as its last 4 digits: pages never show it in full (members.sensitive).
    assert "Giàng A Sử" in page and mask_id(roll["su"].citizen_id) in page
    assert reverse("member_edit", args=[roll["su"].pk]) in page


def test_viewer_sees_a_record_without_an_edit_link(roll, viewer, client_for):
    response = client_for(viewer).get(reverse("member_detail", args=[roll["su"].pk]))
    assert response.status_code == 200
    assert reverse("member_edit", args=[roll["su"].pk]) not in response.content.decode()


def test_member_page_shows_old_and_new_value_after_an_edit(roll, secretary_a, client_for):
    member = roll["phuong"]
    client = client_for(secretary_a)
    client.post(
        reverse("member_edit", args=[member.pk]),
        form_data(member, hometown="Tuần Giáo, Điện Biên"),
    )
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    assert "cập nhật" in page
    assert "<del>Mường Chà, Điện Biên</del> → <ins>Tuần Giáo, Điện Biên</ins>" in page


def test_edit_records_who_made_it(roll, secretary_a, client_for):
    member = roll["phuong"]
    client_for(secretary_a).post(
        reverse("member_edit", args=[member.pk]), form_data(member, phone="0912 345 678")
    )
    assert member.history.first().history_user == secretary_a


def test_member_history_names_the_author_family_name_first(roll, secretary_a, client_for):
    member = roll["phuong"]
    client = client_for(secretary_a)
    client.post(reverse("member_edit", args=[member.pk]), form_data(member, phone="0912345678"))
    page = client.get(reverse("member_detail", args=[member.pk])).content.decode()
    history = page.split("Lịch sử thay đổi", 1)[1]  # the navbar shows her name too
    assert "Lò Thị Hương" in history


def test_secretary_of_another_cell_gets_404_on_a_member_page(roll, secretary_b, client_for):
    response = client_for(secretary_b).get(reverse("member_detail", args=[roll["phuong"].pk]))
    assert response.status_code == 404


def test_secretary_of_another_cell_gets_404_on_the_edit_form(roll, secretary_b, client_for):
    response = client_for(secretary_b).get(reverse("member_edit", args=[roll["phuong"].pk]))
    assert response.status_code == 404


def test_secretary_of_another_cell_posting_an_edit_gets_404_and_changes_nothing(
    roll, secretary_b, client_for
):
    member = roll["phuong"]
    response = client_for(secretary_b).post(
        reverse("member_edit", args=[member.pk]), form_data(member, full_name="Lò Văn Sai")
    )
    assert response.status_code == 404
    assert Member.objects.get(pk=member.pk).full_name == "Lò Văn Phương"
    assert member.history.count() == 1


def test_viewer_gets_403_on_the_edit_form(roll, viewer, client_for):
    response = client_for(viewer).get(reverse("member_edit", args=[roll["phuong"].pk]))
    assert response.status_code == 403


def test_viewer_posting_an_edit_gets_403_and_changes_nothing(roll, viewer, client_for):
    member = roll["phuong"]
    response = client_for(viewer).post(
        reverse("member_edit", args=[member.pk]), form_data(member, full_name="Lò Văn Sai")
    )
    assert response.status_code == 403
    assert Member.objects.get(pk=member.pk).full_name == "Lò Văn Phương"


def test_edit_form_refuses_other_methods(roll, secretary_a, client_for):
    url = reverse("member_edit", args=[roll["phuong"].pk])
    assert client_for(secretary_a).put(url).status_code == 405


def test_member_that_does_not_exist_is_not_found(db, district_admin, client_for):
    response = client_for(district_admin).get(reverse("member_detail", args=[999_999]))
    assert response.status_code == 404


# Recording a member


def test_secretary_records_a_member_in_her_cell(tree, secretary_a, client_for):
    response = client_for(secretary_a).post(
        reverse("member_create"), form_data(unit=tree.cell_a1.pk)
    )
    member = Member.objects.get(full_name="Lò Văn Phương")
    assert response.status_code == 302
    assert member.unit == tree.cell_a1
    assert member.history.get().history_user == secretary_a


def test_new_member_is_announced_in_vietnamese(tree, secretary_a, client_for):
    response = client_for(secretary_a).post(
        reverse("member_create"), form_data(unit=tree.cell_a1.pk), follow=True
    )
    assert "Đã thêm Lò Văn Phương." in response.content.decode()


def test_new_member_form_offers_the_secretary_her_cell(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("member_create"))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'value="{tree.cell_a1.pk}" selected' in page


def test_commune_staff_cannot_record_a_member_in_another_communes_cell(
    tree, commune_staff_a, client_for
):
    response = client_for(commune_staff_a).post(
        reverse("member_create"), form_data(unit=tree.cell_b1.pk)
    )
    assert INVALID_CHOICE in response.content.decode()
    assert not Member.objects.exists()


def test_new_member_form_for_another_communes_cell_is_not_found(tree, commune_staff_a, client_for):
    url = reverse("member_create") + f"?unit={tree.cell_b1.pk}"
    assert client_for(commune_staff_a).get(url).status_code == 404


def test_citizen_id_of_eleven_digits_is_refused(tree, secretary_a, client_for):
    response = client_for(secretary_a).post(
        reverse("member_create"), form_data(unit=tree.cell_a1.pk, citizen_id="01109000123")
    )
    assert "Số CCCD phải gồm đúng 12 chữ số." in response.content.decode()
    assert not Member.objects.exists()


def test_name_typed_with_decomposed_marks_is_stored_composed(tree, secretary_a, client_for):
    typed = unicodedata.normalize("NFD", "Lò Văn Phương")
    client_for(secretary_a).post(
        reverse("member_create"), form_data(unit=tree.cell_a1.pk, full_name=f"  {typed} ")
    )
    assert Member.objects.get().full_name == unicodedata.normalize("NFC", "Lò Văn Phương")


def test_viewer_gets_403_on_the_new_member_form(tree, viewer, client_for):
    assert client_for(viewer).get(reverse("member_create")).status_code == 403


def test_viewer_posting_a_new_member_gets_403_and_records_nothing(tree, viewer, client_for):
    response = client_for(viewer).post(reverse("member_create"), form_data(unit=tree.cell_a1.pk))
    assert response.status_code == 403
    assert not Member.objects.exists()


def test_new_member_form_refuses_other_methods(tree, secretary_a, client_for):
    assert client_for(secretary_a).delete(reverse("member_create")).status_code == 405
