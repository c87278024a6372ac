"""Reorganising from the unit pages: one form, a preview, one confirmation, an event on record."""

import re
from datetime import date

import pytest

from members.models import Member
from tests.factories import MemberFactory, UnitFactory, VillageFactory
from units.models import Assignment, Officer, ReorgEvent, Role, Term, Unit, UnitKind


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def decision(**extra) -> dict:
    return {"effective_on": "01/06/2024", "decision_number": "125-QĐ/ĐU", "note": "", **extra}


@pytest.fixture
def district_staff(tree):
    from tests.factories import persona

    return persona(tree.district, Role.STAFF, "Lò Thị Xuân", "xuan.lt2")


@pytest.fixture
def cell_with_members(tree):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương")
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Bình")
    return tree.cell_a1


def test_moving_a_cell_shows_a_preview_and_changes_nothing_yet(
    tree, cell_with_members, district_staff, client_for
):
    url = f"/units/{tree.cell_a1.pk}/reorganise/move/"

    response = client_for(district_staff).post(url, decision(new_parent=tree.commune_b.pk))

    assert "2 đảng viên" in text(response)
    assert Unit.objects.get(pk=tree.cell_a1.pk).parent_id == tree.commune_a.pk


def test_confirmed_move_takes_the_cell_and_its_members_to_the_other_commune(
    tree, cell_with_members, district_staff, client_for
):
    url = f"/units/{tree.cell_a1.pk}/reorganise/move/"

    response = client_for(district_staff).post(
        url, decision(new_parent=tree.commune_b.pk, confirm="1")
    )

    assert response.status_code == 302
    assert Member.objects.in_subtree(Unit.objects.get(pk=tree.commune_b.pk).path).count() == 2


def test_both_communes_list_the_move_with_its_decision_number(
    tree, cell_with_members, district_staff, client_for
):
    client = client_for(district_staff)
    client.post(
        f"/units/{tree.cell_a1.pk}/reorganise/move/",
        decision(new_parent=tree.commune_b.pk, confirm="1"),
    )

    for commune in (tree.commune_a, tree.commune_b):
        assert "125-QĐ/ĐU" in text(client.get(f"/units/{commune.pk}/"))


def test_dissolving_a_cell_with_members_is_refused_in_vietnamese(
    tree, cell_with_members, commune_staff_a, client_for
):
    url = f"/units/{tree.cell_a1.pk}/reorganise/dissolve/"

    response = client_for(commune_staff_a).post(url, decision(confirm="1"))

    assert "2 đảng viên" in text(response)
    assert Unit.objects.get(pk=tree.cell_a1.pk).dissolved_on is None
    assert not ReorgEvent.objects.exists()


def test_splitting_a_combined_cell_raises_the_communes_own_cell_ratio(
    tree, commune_staff_a, client_for
):
    villages = [VillageFactory(commune=tree.commune_a, cell=tree.cell_a1) for _ in range(3)]
    form = {f"village_{v.pk}": f"Chi bộ {v.name}" for v in villages[1:]}
    form[f"village_{villages[0].pk}"] = ""
    client = client_for(commune_staff_a)

    client.post(f"/units/{tree.cell_a1.pk}/reorganise/split/", decision(confirm="1", **form))

    page = text(client.get(f"/units/{tree.commune_a.pk}/"))
    assert "3 có chi bộ độc lập (100%)" in page


def test_secretary_cannot_open_a_reorganisation_of_her_own_cell(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(f"/units/{tree.cell_a1.pk}/reorganise/rename/")

    assert response.status_code == 403


def test_staff_of_another_commune_gets_404(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).post(
        f"/units/{tree.cell_b1.pk}/reorganise/move/",
        decision(new_parent=tree.commune_a.pk, confirm="1"),
    )

    assert response.status_code == 404
    assert Unit.objects.get(pk=tree.cell_b1.pk).parent_id == tree.commune_b.pk


def test_commune_staff_cannot_move_a_cell_out_to_another_commune(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).post(
        f"/units/{tree.cell_a1.pk}/reorganise/move/",
        decision(new_parent=tree.commune_b.pk, confirm="1"),
    )

    assert "Hãy chọn một lựa chọn hợp lệ" in text(response)
    assert Unit.objects.get(pk=tree.cell_a1.pk).parent_id == tree.commune_a.pk


def test_unknown_reorganisation_is_404(tree, district_admin, client_for):
    response = client_for(district_admin).get(f"/units/{tree.cell_a1.pk}/reorganise/explode/")

    assert response.status_code == 404


def test_the_2025_reform_is_offered_only_on_a_district(tree, district_staff, client_for):
    client = client_for(district_staff)

    assert client.get(f"/units/{tree.commune_a.pk}/reorganise/reform_2025/").status_code == 404


def test_renaming_keeps_the_old_name_for_earlier_dates(tree, district_staff, client_for):
    client = client_for(district_staff)
    client.post(
        f"/units/{tree.commune_a.pk}/reorganise/rename/",
        decision(name="Đảng bộ xã Mường Mươn mới", confirm="1"),
        follow=True,
    )

    before = text(client.get(f"/units/{tree.district.pk}/?as_of=31/05/2024"))
    after = text(client.get(f"/units/{tree.district.pk}/"))
    assert "Đảng bộ xã Mường Mươn " in before and "Mường Mươn mới" not in before
    assert "Đảng bộ xã Mường Mươn mới" in after


def test_tree_as_of_a_date_before_a_founding_leaves_the_new_unit_out(
    tree, district_staff, client_for
):
    client = client_for(district_staff)
    client.post(
        f"/units/{tree.commune_a.pk}/reorganise/found/",
        decision(kind=UnitKind.SUB_CELL, category="village", name="Chi bộ bản Lồng Thàng",
                 short_name="", confirm="1"),
        follow=True,
    )  # fmt: skip

    assert "Chi bộ bản Lồng Thàng" not in text(client.get("/units/?as_of=01/01/2024"))
    assert "Chi bộ bản Lồng Thàng" in text(client.get("/units/"))


def test_appointing_a_secretary_can_give_her_access_to_the_cell(tree, district_admin, client_for):
    member = MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Ngọc")

    client_for(district_admin).post(
        f"/units/{tree.cell_a1.pk}/officers/new/",
        {"member": member.pk, "role": "secretary", "starts_on": "01/01/2025",
         "username": "ngoc.lt"},
    )  # fmt: skip

    assert Officer.objects.filter(unit=tree.cell_a1, member=member, role="secretary").exists()
    assert Assignment.objects.get(user__username="ngoc.lt").role == Role.SECRETARY


def test_staff_who_is_not_an_administrator_cannot_give_access(tree, commune_staff_a, client_for):
    member = MemberFactory(unit=tree.cell_a1)

    response = client_for(commune_staff_a).post(
        f"/units/{tree.cell_a1.pk}/officers/new/",
        {"member": member.pk, "role": "secretary", "starts_on": "01/01/2025",
         "username": "someone"},
    )  # fmt: skip

    assert not Officer.objects.exists()
    assert "quản trị" in text(response).lower()


def test_current_officers_show_on_the_unit_page_and_end(tree, district_admin, client_for):
    member = MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Ngọc")
    officer = Officer.objects.create(
        unit=tree.cell_a1, member=member, role="secretary", starts_on=date(2020, 1, 1)
    )
    client = client_for(district_admin)

    assert "Lò Thị Ngọc" in text(client.get(f"/units/{tree.cell_a1.pk}/"))
    client.post(f"/officers/{officer.pk}/end/")
    officer.refresh_from_db()
    assert officer.ends_on == date.today()


def test_opening_a_term(tree, commune_staff_a, client_for):
    client_for(commune_staff_a).post(
        f"/units/{tree.cell_a1.pk}/terms/new/",
        {"name": "2025-2030", "starts_on": "01/07/2025", "ends_on": ""},
    )

    assert Term.objects.get(unit=tree.cell_a1).name == "2025-2030"


def test_viewer_cannot_end_an_office(tree, viewer, client_for):
    member = MemberFactory(unit=tree.cell_a1)
    officer = Officer.objects.create(
        unit=tree.cell_a1, member=member, role="secretary", starts_on=date(2020, 1, 1)
    )

    response = client_for(viewer).post(f"/officers/{officer.pk}/end/")

    assert response.status_code == 403


def test_ending_an_office_by_get_is_refused(tree, district_admin, client_for):
    member = MemberFactory(unit=tree.cell_a1)
    officer = Officer.objects.create(
        unit=tree.cell_a1, member=member, role="secretary", starts_on=date(2020, 1, 1)
    )

    response = client_for(district_admin).get(f"/officers/{officer.pk}/end/")

    assert response.status_code == 405


# The split form: the first village stays, members by village, officers handed over


@pytest.fixture
def combined(tree):
    """Cell A1 covers three villages; a member lives in each."""
    names = ("Bản Hát Chua", "Bản Mển", "Bản Phì Cao")
    villages = [VillageFactory(commune=tree.commune_a, name=n, cell=tree.cell_a1) for n in names]
    people = ("Lò Văn Phương", "Quàng Thị Bình", "Giàng A Sử")
    for village, person in zip(villages, people, strict=True):
        MemberFactory(unit=tree.cell_a1, full_name=person, residence_village=village)
    return villages


def test_split_form_keeps_the_first_village_with_the_cell_by_default(
    tree, combined, commune_staff_a, client_for
):
    html = client_for(commune_staff_a).get(f"/units/{tree.cell_a1.pk}/reorganise/split/")
    first, second = combined[0], combined[1]
    assert f'name="village_{first.pk}"' in html.content.decode()
    assert f'name="village_{first.pk}" value=' not in html.content.decode()
    assert f'name="village_{second.pk}" value="Chi bộ bản Mển"' in html.content.decode()


def test_split_form_offers_each_member_the_village_they_live_in(
    tree, combined, commune_staff_a, client_for
):
    member = Member.objects.get(full_name="Quàng Thị Bình")
    html = client_for(commune_staff_a).get(f"/units/{tree.cell_a1.pk}/reorganise/split/")
    field = html.content.decode().split(f'name="member_{member.pk}"')[1].split("</select>")[0]
    assert f'value="v{combined[1].pk}" selected' in field


def test_split_form_sends_a_member_with_the_village_chosen(
    tree, combined, commune_staff_a, client_for
):
    member = Member.objects.get(full_name="Quàng Thị Bình")  # lives in Bản Mển
    form = {
        f"village_{combined[1].pk}": "Chi bộ bản Mển",
        f"village_{combined[2].pk}": "Chi bộ bản Phì Cao",
        f"member_{member.pk}": f"v{combined[2].pk}",
    }
    client_for(commune_staff_a).post(
        f"/units/{tree.cell_a1.pk}/reorganise/split/", decision(confirm="1", **form)
    )
    assert Member.objects.get(pk=member.pk).unit.name == "Chi bộ bản Phì Cao"


def test_split_preview_says_what_stays_in_the_cell(tree, combined, commune_staff_a, client_for):
    form = {f"village_{combined[1].pk}": "Chi bộ bản Mển"}
    response = client_for(commune_staff_a).post(
        f"/units/{tree.cell_a1.pk}/reorganise/split/", decision(**form)
    )
    assert "Bản Hát Chua" in text(response).split("Chi bộ bản Mển:")[1]
    assert Unit.objects.filter(name="Chi bộ bản Mển").count() == 1  # nothing founded yet


# The merge form offers only units of the same kind


def test_merge_form_offers_only_units_of_the_same_kind(tree, district_staff, client_for):
    html = client_for(district_staff).get(f"/units/{tree.cell_a1.pk}/reorganise/merge/")
    options = html.content.decode().split('name="into"')[1].split("</select>")[0]
    assert "Chi bộ bản Nậm Chua" in options and "Đảng bộ xã Sa Lông" not in options


# The reform form: communes merged, roles moved to the province


@pytest.fixture
def province_admin(tree):
    from tests.factories import persona

    return persona(tree.province, Role.ADMIN, "Lò Văn Minh", "minh.lv")


def test_reform_form_merges_the_communes_chosen_under_their_new_name(
    tree, province_admin, client_for
):
    form = {
        "group_1_into": tree.commune_a.pk,
        "group_1_absorbed": [tree.commune_b.pk],
        "group_1_name": "Đảng bộ xã Mường Mươn - Sa Lông",
        "move_assignments": "on",
    }
    client_for(province_admin).post(
        f"/units/{tree.district.pk}/reorganise/reform_2025/",
        decision(effective_on="01/07/2025", confirm="1", **form),
    )
    kept = Unit.objects.get(pk=tree.commune_a.pk)
    assert (kept.name, kept.parent_id) == ("Đảng bộ xã Mường Mươn - Sa Lông", tree.province.pk)
    assert Unit.objects.get(pk=tree.commune_b.pk).dissolved_on == date(2025, 7, 1)


def test_reform_form_moves_the_districts_roles_to_the_province(
    tree, province_admin, viewer, client_for
):
    client_for(province_admin).post(
        f"/units/{tree.district.pk}/reorganise/reform_2025/",
        decision(effective_on="01/07/2025", confirm="1", move_assignments="on"),
    )
    assert Assignment.objects.get(user=viewer).unit_id == tree.province.pk


def test_reform_form_refuses_a_commune_in_two_mergers(tree, province_admin, client_for):
    extra = [
        UnitFactory(parent=tree.district, kind=UnitKind.COMMUNE, name=f"Đảng bộ xã {n}")
        for n in ("Pa Ham", "Na Sang")
    ]
    form = {
        "group_1_into": tree.commune_a.pk,
        "group_1_absorbed": [tree.commune_b.pk],
        "group_2_into": extra[0].pk,
        "group_2_absorbed": [tree.commune_b.pk, extra[1].pk],
    }
    client_for(province_admin).post(
        f"/units/{tree.district.pk}/reorganise/reform_2025/",
        decision(effective_on="01/07/2025", confirm="1", **form),
    )
    assert Unit.objects.get(pk=tree.district.pk).dissolved_on is None
