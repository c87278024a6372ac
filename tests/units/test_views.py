"""Pages of the unit tree: home, the tree, a unit, and the forms that change units and villages.

Each page is tried by the persona it serves (it works, in Vietnamese), an outsider (404), the
read-only viewer (403 on every edit form, GET and POST) and a wrong method (405).
"""

import re

import pytest
from django.urls import reverse

from tests.factories import MemberFactory, UserFactory, VillageFactory, bulk_members
from units.concurrency import edit_token
from units.models import Unit, UnitKind, Village
from units.selectors import unit_node

INVALID_CHOICE = "Hãy chọn một lựa chọn hợp lệ"


def figures(response) -> dict[str, str]:
    """The figure cards of a page as {label: value}, labels in lower case."""
    cards = re.findall(
        r'figure-value">([^<]*)</div>\s*<div class="figure-label">([^<]*)<',
        response.content.decode(),
    )
    return {label.strip().lower(): value.strip() for value, label in cards}


def unit_data(unit=None, **changes) -> dict:
    """What the unit form posts: the unit's own values (or a new sub-cell's), then `changes`."""
    data = {
        "kind": UnitKind.SUB_CELL,
        "category": "village",
        "name": "Chi bộ bản Pá Hả",
        "short_name": "",
        "code": "",
        "founded_on": "15/03/1976",
    }
    if unit is not None:
        data.update(
            kind=unit.kind,
            category=unit.category,
            name=unit.name,
            short_name=unit.short_name,
            code=unit.code,
            founded_on=unit.founded_on.strftime("%d/%m/%Y") if unit.founded_on else "",
            edit_token=edit_token(unit),  # the unit as the page was opened
        )
    return {**data, **changes}


@pytest.fixture
def members(tree):
    return {
        "a1": MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương"),
        "a1_probation": MemberFactory(
            unit=tree.cell_a1, full_name="Quàng Thị Bình", probationary=True
        ),
        "a1_deceased": MemberFactory(unit=tree.cell_a1, full_name="Cầm Văn Hặc", deceased=True),
        "a2": MemberFactory(unit=tree.cell_a2, full_name="Giàng A Sử"),
        "b1": MemberFactory(unit=tree.cell_b1, full_name="Đặng Thị Hoa"),
    }


@pytest.fixture
def village_a(tree):
    return VillageFactory(commune=tree.commune_a, name="Bản Mển", cell=tree.cell_a1)


# Home


def test_anonymous_visitor_is_sent_to_the_login_page(tree, client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_district_admin_home_shows_the_district_figures(members, district_admin, client_for):
    response = client_for(district_admin).get(reverse("home"))
    assert response.status_code == 200
    assert "Đảng bộ huyện Mường Chà" in response.content.decode()
    assert {
        k: v
        for k, v in figures(response).items()
        if k in ("tổ chức cơ sở đảng", "chi bộ trực thuộc", "đảng viên")
    } == {"tổ chức cơ sở đảng": "2", "chi bộ trực thuộc": "3", "đảng viên": "4"}


def test_district_admin_home_writes_thousands_with_a_dot(tree, district_admin, client_for):
    bulk_members(cells=[tree.cell_a1, tree.cell_a2], per_cell=617)
    response = client_for(district_admin).get(reverse("home"))
    assert figures(response)["đảng viên"] == "1.234"


def test_unit_tree_writes_thousands_with_a_dot(tree, district_admin, client_for):
    bulk_members(cells=[tree.cell_a1, tree.cell_a2], per_cell=617)
    response = client_for(district_admin).get(reverse("unit_tree"))
    assert "1.234 đảng viên" in response.content.decode()


def test_secretary_home_lists_her_cells_members_on_the_rolls(members, secretary_a, client_for):
    page = client_for(secretary_a).get(reverse("home")).content.decode()
    assert "Lò Văn Phương" in page
    assert "Quàng Thị Bình" in page


def test_secretary_home_lists_no_member_of_another_cell(members, secretary_a, client_for):
    page = client_for(secretary_a).get(reverse("home")).content.decode()
    assert "Giàng A Sử" not in page
    assert "Đặng Thị Hoa" not in page


def test_secretary_home_leaves_out_a_deceased_member(members, secretary_a, client_for):
    page = client_for(secretary_a).get(reverse("home")).content.decode()
    assert "Cầm Văn Hặc" not in page


def test_user_without_assignment_is_told_to_ask_for_access(db, client_for):
    response = client_for(UserFactory()).get(reverse("home"))
    assert response.status_code == 200
    assert "Đồng chí chưa được phân quyền tại tổ chức đảng nào." in response.content.decode()


# The tree


def test_commune_staff_tree_shows_her_commune_and_its_cells(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("unit_tree"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Chi bộ bản Mển" in page and "Chi bộ bản Huổi Mí" in page
    assert "Đảng bộ xã Sa Lông" not in page


def test_viewer_tree_shows_the_member_count_of_the_district(members, viewer, client_for):
    page = client_for(viewer).get(reverse("unit_tree")).content.decode()
    assert "Đảng bộ huyện Mường Chà" in page
    assert "4 đảng viên" in page


# A unit's page


def test_commune_staff_sees_her_communes_page(tree, village_a, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("unit_detail", args=[tree.commune_a.pk]))
    assert response.status_code == 200
    assert "Đảng bộ xã Mường Mươn" in response.content.decode()
    assert "Bản Mển" in response.content.decode()


def test_cell_page_lists_the_cells_members(members, tree, secretary_a, client_for):
    page = client_for(secretary_a).get(reverse("unit_detail", args=[tree.cell_a1.pk]))
    assert "Đảng viên của chi bộ" in page.content.decode()
    assert "Lò Văn Phương" in page.content.decode()


def test_secretary_of_another_commune_gets_404_on_a_commune_page(tree, secretary_b, client_for):
    response = client_for(secretary_b).get(reverse("unit_detail", args=[tree.commune_a.pk]))
    assert response.status_code == 404


def test_secretary_gets_404_on_the_page_of_her_own_cells_commune(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("unit_detail", args=[tree.commune_a.pk]))
    assert response.status_code == 404


def test_unit_that_does_not_exist_is_not_found(tree, district_admin, client_for):
    response = client_for(district_admin).get(reverse("unit_detail", args=[999_999]))
    assert response.status_code == 404


def test_viewer_sees_a_commune_page_without_edit_buttons(tree, viewer, client_for):
    response = client_for(viewer).get(reverse("unit_detail", args=[tree.commune_a.pk]))
    assert response.status_code == 200
    assert reverse("unit_create", args=[tree.commune_a.pk]) not in response.content.decode()


def test_commune_page_offers_its_staff_additions_but_no_edit_of_the_commune(
    tree, commune_staff_a, client_for
):
    page = client_for(commune_staff_a).get(reverse("unit_detail", args=[tree.commune_a.pk]))
    assert reverse("unit_create", args=[tree.commune_a.pk]) in page.content.decode()
    assert reverse("unit_edit", args=[tree.commune_a.pk]) not in page.content.decode()


def test_commune_staff_gets_403_on_the_edit_form_of_her_own_commune(
    tree, commune_staff_a, client_for
):
    url = reverse("unit_edit", args=[tree.commune_a.pk])
    assert client_for(commune_staff_a).get(url).status_code == 403


# Founding a unit


def test_commune_staff_opens_the_form_for_a_new_cell(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("unit_create", args=[tree.commune_a.pk]))
    assert response.status_code == 200
    assert "Thêm tổ chức đảng trực thuộc “Đảng bộ xã Mường Mươn”" in response.content.decode()


def test_commune_staff_founds_a_cell_in_her_commune(tree, commune_staff_a, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).post(url, unit_data(name="Chi bộ bản Pá Hả"))
    cell = Unit.objects.get(name="Chi bộ bản Pá Hả")
    assert response.status_code == 302
    assert cell.parent == tree.commune_a
    assert cell.path == f"{tree.commune_a.path}{cell.pk}."


def test_new_cell_history_names_who_founded_it(tree, commune_staff_a, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    client_for(commune_staff_a).post(url, unit_data(name="Chi bộ bản Pá Hả"))
    record = Unit.objects.get(name="Chi bộ bản Pá Hả").history.get()
    assert record.history_type == "+"
    assert record.history_user == commune_staff_a


def test_new_cell_is_announced_in_vietnamese(tree, commune_staff_a, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).post(
        url, unit_data(name="Chi bộ bản Pá Hả"), follow=True
    )
    assert "Đã tạo “Chi bộ bản Pá Hả”." in response.content.decode()


def test_sub_cell_is_not_offered_under_a_district(tree, district_admin, client_for):
    response = client_for(district_admin).get(reverse("unit_create", args=[tree.district.pk]))
    assert 'value="commune"' in response.content.decode()
    assert 'value="sub_cell"' not in response.content.decode()


def test_sub_cell_posted_under_a_district_is_refused_in_vietnamese(
    tree, district_admin, client_for
):
    url = reverse("unit_create", args=[tree.district.pk])
    response = client_for(district_admin).post(url, unit_data(name="Chi bộ lạc chỗ"))
    assert INVALID_CHOICE in response.content.decode()
    assert not Unit.objects.filter(name="Chi bộ lạc chỗ").exists()


def test_new_unit_without_a_kind_asks_for_one(tree, commune_staff_a, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).post(url, unit_data(kind="", name="Chi bộ bản Pá Hả"))
    assert "Trường này là bắt buộc." in response.content.decode()
    assert not Unit.objects.filter(name="Chi bộ bản Pá Hả").exists()


def test_new_unit_form_offers_no_dissolution_date(tree, commune_staff_a, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).get(url)
    assert 'name="dissolved_on"' not in response.content.decode()


def test_viewer_gets_403_on_the_new_unit_form(tree, viewer, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    assert client_for(viewer).get(url).status_code == 403


def test_viewer_posting_a_new_unit_gets_403_and_founds_nothing(tree, viewer, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    response = client_for(viewer).post(url, unit_data(name="Chi bộ bản Pá Hả"))
    assert response.status_code == 403
    assert not Unit.objects.filter(name="Chi bộ bản Pá Hả").exists()


def test_secretary_gets_403_founding_a_unit_under_her_cell(tree, secretary_a, client_for):
    url = reverse("unit_create", args=[tree.cell_a1.pk])
    response = client_for(secretary_a).post(url, unit_data(name="Tổ đảng bản Mển"))
    assert response.status_code == 403
    assert not Unit.objects.filter(name="Tổ đảng bản Mển").exists()


def test_commune_staff_gets_404_founding_a_unit_in_another_commune(
    tree, commune_staff_a, client_for
):
    url = reverse("unit_create", args=[tree.commune_b.pk])
    response = client_for(commune_staff_a).post(url, unit_data(name="Chi bộ bản Pá Hả"))
    assert response.status_code == 404
    assert not Unit.objects.filter(name="Chi bộ bản Pá Hả").exists()


def test_new_unit_form_refuses_other_methods(tree, commune_staff_a, client_for):
    url = reverse("unit_create", args=[tree.commune_a.pk])
    assert client_for(commune_staff_a).put(url).status_code == 405


# Editing a unit


def test_commune_staff_opens_the_edit_form_of_a_cell(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("unit_edit", args=[tree.cell_a1.pk]))
    assert response.status_code == 200
    assert "Sửa thông tin “Chi bộ bản Mển”" in response.content.decode()


def test_commune_staff_renames_a_cell(tree, commune_staff_a, client_for):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    data = unit_data(tree.cell_a1, name="Chi bộ bản Mển 1")
    response = client_for(commune_staff_a).post(url, data)
    assert response.status_code == 302
    assert Unit.objects.get(pk=tree.cell_a1.pk).name == "Chi bộ bản Mển 1"


def test_renamed_cell_page_shows_who_renamed_it_and_the_old_name(tree, commune_staff_a, client_for):
    client = client_for(commune_staff_a)
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    client.post(url, unit_data(tree.cell_a1, name="Chi bộ bản Mển 1"))
    page = client.get(reverse("unit_detail", args=[tree.cell_a1.pk])).content.decode()
    assert tree.cell_a1.history.first().history_user == commune_staff_a
    assert "<del>Chi bộ bản Mển</del> → <ins>Chi bộ bản Mển 1</ins>" in page


def test_editing_a_cell_cannot_dissolve_it(tree, commune_staff_a, client_for):
    MemberFactory.create_batch(13, unit=tree.cell_a1)
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    data = unit_data(tree.cell_a1, dissolved_on="01/06/2024")
    client_for(commune_staff_a).post(url, data)
    assert Unit.objects.get(pk=tree.cell_a1.pk).dissolved_on is None
    assert unit_node(user=commune_staff_a, unit=tree.commune_a).figures.members == 13


def test_unit_edit_form_offers_no_dissolution_date(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("unit_edit", args=[tree.cell_a1.pk]))
    assert 'name="dissolved_on"' not in response.content.decode()


def test_viewer_gets_403_on_the_unit_edit_form(tree, viewer, client_for):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    assert client_for(viewer).get(url).status_code == 403


def test_viewer_posting_a_unit_edit_gets_403_and_changes_nothing(tree, viewer, client_for):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    response = client_for(viewer).post(url, unit_data(tree.cell_a1, name="Chi bộ đổi tên"))
    assert response.status_code == 403
    assert Unit.objects.get(pk=tree.cell_a1.pk).name == "Chi bộ bản Mển"


def test_secretary_posting_a_rename_of_her_cell_changes_nothing(tree, secretary_a, client_for):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    response = client_for(secretary_a).post(url, unit_data(tree.cell_a1, name="Chi bộ đổi tên"))
    assert response.status_code == 403
    assert Unit.objects.get(pk=tree.cell_a1.pk).name == "Chi bộ bản Mển"


def test_secretary_gets_403_on_the_edit_form_of_her_own_cell(tree, secretary_a, client_for):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    assert client_for(secretary_a).get(url).status_code == 403


def test_commune_staff_gets_404_editing_a_cell_of_another_commune(
    tree, commune_staff_a, client_for
):
    url = reverse("unit_edit", args=[tree.cell_b1.pk])
    response = client_for(commune_staff_a).post(url, unit_data(tree.cell_b1, name="Đổi tên"))
    assert response.status_code == 404
    assert Unit.objects.get(pk=tree.cell_b1.pk).name == "Chi bộ bản Nậm Chua"


def test_unit_edit_form_refuses_other_methods(tree, commune_staff_a, client_for):
    url = reverse("unit_edit", args=[tree.cell_a1.pk])
    assert client_for(commune_staff_a).delete(url).status_code == 405


# Villages


def test_commune_staff_opens_the_form_for_a_new_village(tree, commune_staff_a, client_for):
    url = reverse("village_create", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).get(url)
    assert response.status_code == 200
    assert "Thêm thôn, bản thuộc “Đảng bộ xã Mường Mươn”" in response.content.decode()


def test_commune_staff_adds_a_village_covered_by_a_cell(tree, commune_staff_a, client_for):
    url = reverse("village_create", args=[tree.commune_a.pk])
    data = {"name": "Bản Pá Hả", "kind": "hamlet", "cell": tree.cell_a2.pk}
    response = client_for(commune_staff_a).post(url, data)
    village = Village.objects.get(name="Bản Pá Hả")
    assert response.status_code == 302
    assert (village.commune, village.cell) == (tree.commune_a, tree.cell_a2)
    assert village.history.get().history_user == commune_staff_a


def test_village_with_a_name_the_commune_already_has_is_refused(
    tree, village_a, commune_staff_a, client_for
):
    url = reverse("village_create", args=[tree.commune_a.pk])
    data = {"name": "Bản Mển", "kind": "hamlet", "cell": ""}
    response = client_for(commune_staff_a).post(url, data)
    assert "Xã đã có một thôn, bản mang tên này." in response.content.decode()
    assert Village.objects.filter(name="Bản Mển").count() == 1


def test_village_cannot_be_covered_by_a_cell_of_another_commune(tree, commune_staff_a, client_for):
    url = reverse("village_create", args=[tree.commune_a.pk])
    data = {"name": "Bản Pá Hả", "kind": "hamlet", "cell": tree.cell_b1.pk}
    response = client_for(commune_staff_a).post(url, data)
    assert INVALID_CHOICE in response.content.decode()
    assert not Village.objects.filter(name="Bản Pá Hả").exists()


def test_viewer_gets_403_on_the_new_village_form(tree, viewer, client_for):
    url = reverse("village_create", args=[tree.commune_a.pk])
    assert client_for(viewer).get(url).status_code == 403


def test_viewer_posting_a_new_village_gets_403_and_adds_nothing(tree, viewer, client_for):
    url = reverse("village_create", args=[tree.commune_a.pk])
    response = client_for(viewer).post(url, {"name": "Bản Pá Hả", "kind": "hamlet"})
    assert response.status_code == 403
    assert not Village.objects.filter(name="Bản Pá Hả").exists()


def test_secretary_gets_403_adding_a_village_to_her_cell(tree, secretary_a, client_for):
    url = reverse("village_create", args=[tree.cell_a1.pk])
    response = client_for(secretary_a).post(url, {"name": "Bản Pá Hả", "kind": "hamlet"})
    assert response.status_code == 403
    assert not Village.objects.filter(name="Bản Pá Hả").exists()


def test_commune_staff_gets_404_adding_a_village_to_another_commune(
    tree, commune_staff_a, client_for
):
    url = reverse("village_create", args=[tree.commune_b.pk])
    response = client_for(commune_staff_a).post(url, {"name": "Bản Pá Hả", "kind": "hamlet"})
    assert response.status_code == 404
    assert not Village.objects.filter(name="Bản Pá Hả").exists()


def test_new_village_form_refuses_other_methods(tree, commune_staff_a, client_for):
    url = reverse("village_create", args=[tree.commune_a.pk])
    assert client_for(commune_staff_a).put(url).status_code == 405


def test_commune_staff_opens_the_edit_form_of_a_village(
    tree, village_a, commune_staff_a, client_for
):
    response = client_for(commune_staff_a).get(reverse("village_edit", args=[village_a.pk]))
    assert response.status_code == 200
    assert "Sửa thông tin thôn, bản “Bản Mển”" in response.content.decode()


def test_commune_staff_hands_a_village_to_another_cell(
    tree, village_a, commune_staff_a, client_for
):
    url = reverse("village_edit", args=[village_a.pk])
    data = {"name": "Bản Mển", "kind": "hamlet", "cell": tree.cell_a2.pk}
    data["edit_token"] = edit_token(village_a)
    client = client_for(commune_staff_a)
    response = client.post(url, data)
    assert response.status_code == 302
    assert Village.objects.get(pk=village_a.pk).cell == tree.cell_a2
    assert village_a.history.first().history_user == commune_staff_a


def test_village_edit_form_shows_the_old_and_new_covering_cell(
    tree, village_a, commune_staff_a, client_for
):
    client = client_for(commune_staff_a)
    url = reverse("village_edit", args=[village_a.pk])
    data = {"name": "Bản Mển", "kind": "hamlet", "cell": tree.cell_a2.pk}
    client.post(url, {**data, "edit_token": edit_token(village_a)})
    page = client.get(url).content.decode()
    assert "<del>Chi bộ bản Mển</del> → <ins>Chi bộ bản Huổi Mí</ins>" in page


def test_viewer_gets_403_on_the_village_edit_form(tree, village_a, viewer, client_for):
    url = reverse("village_edit", args=[village_a.pk])
    assert client_for(viewer).get(url).status_code == 403


def test_viewer_posting_a_village_edit_gets_403_and_changes_nothing(
    tree, village_a, viewer, client_for
):
    url = reverse("village_edit", args=[village_a.pk])
    response = client_for(viewer).post(url, {"name": "Bản Đổi Tên", "kind": "hamlet"})
    assert response.status_code == 403
    assert Village.objects.get(pk=village_a.pk).name == "Bản Mển"


def test_secretary_of_another_commune_gets_404_on_a_village(
    tree, village_a, secretary_b, client_for
):
    url = reverse("village_edit", args=[village_a.pk])
    response = client_for(secretary_b).post(url, {"name": "Bản Đổi Tên", "kind": "hamlet"})
    assert response.status_code == 404
    assert Village.objects.get(pk=village_a.pk).name == "Bản Mển"


def test_village_edit_form_refuses_other_methods(tree, village_a, commune_staff_a, client_for):
    url = reverse("village_edit", args=[village_a.pk])
    assert client_for(commune_staff_a).delete(url).status_code == 405


def test_probationary_members_are_counted_apart_on_the_cell_page(
    members, tree, secretary_a, client_for
):
    page = client_for(secretary_a).get(reverse("unit_detail", args=[tree.cell_a1.pk]))
    assert "1 chính thức, 1 dự bị" in page.content.decode()
