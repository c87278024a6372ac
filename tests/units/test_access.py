from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from members.models import Member
from members.services import member_create, member_update
from tests.factories import (
    AssignmentFactory,
    MemberFactory,
    UnitFactory,
    UserFactory,
    VillageFactory,
    member_fields,
)
from units.access import check_path, get_unit_for_user, scope_for
from units.models import Assignment, Role, Unit, UnitKind, Village
from units.services import assignment_create, unit_create, unit_update


@pytest.fixture
def members(tree):
    """One member in each cell of the tree."""
    return {
        "a1": MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương"),
        "a2": MemberFactory(unit=tree.cell_a2, full_name="Quàng Thị Bình"),
        "b1": MemberFactory(unit=tree.cell_b1, full_name="Giàng A Sử"),
    }


@pytest.fixture
def villages(tree):
    return {
        "a": VillageFactory(commune=tree.commune_a, name="Bản Mển", cell=tree.cell_a1),
        "b": VillageFactory(commune=tree.commune_b, name="Bản Nậm Chua", cell=tree.cell_b1),
    }


def visible_names(queryset) -> set[str]:
    return {str(obj) for obj in queryset}


# What each persona sees and may change


def test_secretary_sees_only_her_cell(tree, secretary_a):
    assert visible_names(Unit.objects.visible_to(secretary_a)) == {"Chi bộ bản Mển"}


def test_secretary_may_edit_her_cell(tree, secretary_a):
    assert scope_for(secretary_a).can_edit(tree.cell_a1.path)


def test_commune_staff_sees_the_commune_and_its_cells(tree, commune_staff_a):
    assert set(Unit.objects.visible_to(commune_staff_a)) == {
        tree.commune_a,
        tree.cell_a1,
        tree.cell_a2,
    }


def test_commune_staff_may_edit_every_cell_of_the_commune(tree, commune_staff_a):
    assert scope_for(commune_staff_a).can_edit(tree.cell_a2.path)


def test_commune_staff_cannot_see_another_commune(tree, commune_staff_a):
    scope = scope_for(commune_staff_a)
    assert not scope.can_see(tree.commune_b.path)
    assert not scope.can_see(tree.cell_b1.path)


def test_viewer_sees_the_whole_district(tree, viewer):
    assert Unit.objects.visible_to(viewer).count() == 6


def test_viewer_cannot_edit_anything(tree, viewer):
    scope = scope_for(viewer)
    assert not scope.can_edit(tree.cell_a1.path)
    assert not scope.can_edit_anything


def test_district_admin_administers_every_cell_of_the_district(tree, district_admin):
    assert scope_for(district_admin).can_administer(tree.cell_b1.path)


def test_commune_staff_administers_nothing(tree, commune_staff_a):
    assert not scope_for(commune_staff_a).can_administer(tree.cell_a1.path)


def test_assignment_to_a_dissolved_cell_gives_no_sight(tree, secretary_a):
    Unit.objects.filter(pk=tree.cell_a1.pk).update(dissolved_on=date(2025, 7, 1))
    assert not Unit.objects.visible_to(secretary_a).exists()


def test_anonymous_visitor_sees_nothing(tree):
    assert not Unit.objects.visible_to(AnonymousUser()).exists()


def test_deactivated_user_sees_nothing(tree, secretary_a):
    secretary_a.is_active = False
    assert not Unit.objects.visible_to(secretary_a).exists()


def test_superuser_sees_every_unit(tree):
    assert Unit.objects.visible_to(UserFactory(is_superuser=True)).count() == 7


def test_scope_is_worked_out_once_per_user_object(tree, secretary_a, django_assert_num_queries):
    scope_for(secretary_a)
    with django_assert_num_queries(0):
        scope_for(secretary_a)


def test_secretary_of_two_cells_sees_both(tree, secretary_a):
    AssignmentFactory(user=secretary_a, unit=tree.cell_a2, role=Role.SECRETARY)
    assert Unit.objects.visible_to(secretary_a).count() == 2


# check_path and get_unit_for_user: 404 out of scope, 403 read-only


def test_path_outside_the_scope_is_not_found(tree, secretary_a):
    with pytest.raises(Http404):
        check_path(secretary_a, tree.cell_b1.path)


def test_path_of_the_parent_commune_is_not_found_for_a_secretary(tree, secretary_a):
    with pytest.raises(Http404):
        check_path(secretary_a, tree.commune_a.path)


def test_viewer_reading_a_cell_passes(tree, viewer):
    assert check_path(viewer, tree.cell_b1.path) is None


def test_viewer_writing_to_a_cell_is_forbidden(tree, viewer):
    with pytest.raises(PermissionDenied):
        check_path(viewer, tree.cell_a1.path, write=True)


def test_secretary_gets_her_own_cell_for_editing(tree, secretary_a):
    assert get_unit_for_user(secretary_a, tree.cell_a1.pk, write=True) == tree.cell_a1


def test_secretary_asking_for_another_cell_gets_not_found(tree, secretary_a):
    with pytest.raises(Http404):
        get_unit_for_user(secretary_a, tree.cell_b1.pk)


def test_unit_that_does_not_exist_is_not_found(tree, district_admin):
    with pytest.raises(Http404):
        get_unit_for_user(district_admin, 987_654_321)


def test_viewer_asking_to_edit_a_unit_is_forbidden(tree, viewer):
    with pytest.raises(PermissionDenied):
        get_unit_for_user(viewer, tree.commune_b.pk, write=True)


# Scoped reads of members and villages


def test_secretary_sees_only_the_members_of_her_cell(members, secretary_a):
    assert visible_names(Member.objects.visible_to(secretary_a)) == {"Lò Văn Phương"}


def test_commune_staff_sees_the_members_of_every_cell_of_the_commune(members, commune_staff_a):
    assert visible_names(Member.objects.visible_to(commune_staff_a)) == {
        "Lò Văn Phương",
        "Quàng Thị Bình",
    }


def test_viewer_sees_the_members_of_the_whole_district(members, viewer):
    assert Member.objects.visible_to(viewer).count() == 3


def test_commune_staff_sees_only_the_villages_of_the_commune(villages, commune_staff_a):
    assert visible_names(Village.objects.visible_to(commune_staff_a)) == {"Bản Mển"}


def test_viewer_sees_the_villages_of_every_commune(villages, viewer):
    assert visible_names(Village.objects.visible_to(viewer)) == {"Bản Mển", "Bản Nậm Chua"}


# Services refuse writes outside the scope


def test_secretary_records_a_member_in_her_cell(tree, secretary_a):
    member = member_create(unit=tree.cell_a1, by=secretary_a, **member_fields())
    assert Member.objects.get(pk=member.pk).unit == tree.cell_a1


def test_commune_staff_cannot_record_a_member_in_another_communes_cell(tree, commune_staff_a):
    with pytest.raises(PermissionDenied):
        member_create(unit=tree.cell_b1, by=commune_staff_a, **member_fields())
    assert not Member.objects.exists()


def test_viewer_cannot_record_a_member(tree, viewer):
    with pytest.raises(PermissionDenied):
        member_create(unit=tree.cell_a1, by=viewer, **member_fields())
    assert not Member.objects.exists()


def test_commune_staff_cannot_move_a_member_to_another_commune(members, tree, commune_staff_a):
    with pytest.raises(PermissionDenied):
        member_update(member=members["a1"], by=commune_staff_a, unit=tree.cell_b1)
    assert Member.objects.get(pk=members["a1"].pk).unit == tree.cell_a1


def test_secretary_cannot_found_a_unit(tree, secretary_a):
    with pytest.raises(PermissionDenied):
        unit_create(
            parent=tree.commune_a, by=secretary_a, kind=UnitKind.SUB_CELL, name="Chi bộ Trường"
        )
    assert not Unit.objects.filter(name="Chi bộ Trường").exists()


def test_secretary_cannot_rename_her_own_cell(tree, secretary_a):
    with pytest.raises(PermissionDenied):
        unit_update(unit=tree.cell_a1, by=secretary_a, name="Chi bộ bản Mển mới")
    assert Unit.objects.get(pk=tree.cell_a1.pk).name == "Chi bộ bản Mển"


def test_commune_staff_cannot_found_a_cell_in_another_commune(tree, commune_staff_a):
    with pytest.raises(PermissionDenied):
        unit_create(
            parent=tree.commune_b, by=commune_staff_a, kind=UnitKind.SUB_CELL, name="Chi bộ Trường"
        )


def test_district_admin_gives_a_secretary_her_cell(tree, district_admin):
    user = UserFactory()
    assignment_create(user=user, unit=tree.cell_b1, role=Role.SECRETARY, by=district_admin)
    assert scope_for(user).can_edit(tree.cell_b1.path)


def test_commune_staff_cannot_hand_out_roles(tree, commune_staff_a):
    with pytest.raises(PermissionDenied):
        assignment_create(
            user=UserFactory(), unit=tree.cell_a1, role=Role.SECRETARY, by=commune_staff_a
        )
    assert Assignment.objects.filter(unit=tree.cell_a1).count() == 0


def test_province_unit_outside_the_district_stays_out_of_the_admins_sight(tree, district_admin):
    other_district = UnitFactory(parent=tree.province, kind=UnitKind.DISTRICT)
    with pytest.raises(Http404):
        get_unit_for_user(district_admin, other_district.pk)
