import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import UnitFactory, UserFactory, bulk_units, persona
from units.models import Role, Unit, UnitKind
from units.services import subtree_paths_consistent, unit_create, unit_move, unit_update

# unit_move: the scope, two locked reads, validation (parent exists, two constraints), the
# unit's save and its history row, one UPDATE of every path below; six are savepoints.
MOVE_QUERIES = 23  # locking the tree, the move, its history, closing and reopening versions


@pytest.fixture(autouse=True)
def english():
    """Messages are compared with their English source: some are translated as they are raised."""
    with translation.override("en"):
        yield


def path_of(unit: Unit) -> str:
    return Unit.objects.values_list("path", flat=True).get(pk=unit.pk)


@pytest.fixture
def province_admin(tree):
    return persona(tree.province, Role.ADMIN, "Lò Văn Minh", "minh.lv")


@pytest.fixture
def superuser(db):
    return UserFactory(username="quantri", is_superuser=True, is_staff=True)


# Creating


def test_new_unit_path_is_its_parents_path_plus_its_own_id(tree, district_admin):
    commune = unit_create(
        parent=tree.district, by=district_admin, kind=UnitKind.COMMUNE, name="Đảng bộ xã Na Sang"
    )
    assert path_of(commune) == f"{tree.district.path}{commune.pk}."


def test_new_unit_sits_one_level_below_its_parent(tree, commune_staff_a):
    cell = unit_create(
        parent=tree.commune_a, by=commune_staff_a, kind=UnitKind.SUB_CELL, name="Chi bộ Công an xã"
    )
    assert Unit.objects.get(pk=cell.pk).depth == tree.commune_a.depth + 1


def test_new_province_stands_at_the_root(superuser):
    province = unit_create(
        parent=None, by=superuser, kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Lai Châu"
    )
    assert (path_of(province), province.depth) == (f"{province.pk}.", 0)


def test_sub_cell_directly_under_a_district_is_refused(tree, district_admin):
    with pytest.raises(ValidationError) as exc:
        unit_create(
            parent=tree.district,
            by=district_admin,
            kind=UnitKind.SUB_CELL,
            name="Chi bộ bản Co Đứa",
        )
    assert "kind" in exc.value.message_dict
    assert not Unit.objects.filter(name="Chi bộ bản Co Đứa").exists()


def test_nothing_can_be_founded_under_a_cell(tree, commune_staff_a):
    with pytest.raises(ValidationError) as exc:
        unit_create(
            parent=tree.cell_a1, by=commune_staff_a, kind=UnitKind.SUB_CELL, name="Tổ đảng bản Mển"
        )
    assert "kind" in exc.value.message_dict


def test_only_a_provincial_committee_may_stand_without_parent(superuser):
    with pytest.raises(ValidationError) as exc:
        unit_create(parent=None, by=superuser, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Nậm Pồ")
    assert exc.value.message_dict["parent"] == [
        "Only a provincial committee may stand without a parent unit."
    ]


def test_commune_may_sit_directly_under_the_province_since_2025(tree, province_admin):
    commune = unit_create(
        parent=tree.province, by=province_admin, kind=UnitKind.COMMUNE, name="Đảng bộ xã Quài Tở"
    )
    assert commune.parent == tree.province


# Moving


def test_moving_a_commune_rewrites_the_paths_of_its_cells(tree, province_admin):
    new_district = UnitFactory(parent=tree.province, kind=UnitKind.DISTRICT)
    unit_move(unit=tree.commune_a, new_parent=new_district, by=province_admin)
    assert path_of(tree.cell_a1) == f"{new_district.path}{tree.commune_a.pk}.{tree.cell_a1.pk}."


def test_moving_a_commune_under_the_province_lifts_its_cells_one_level(tree, province_admin):
    unit_move(unit=tree.commune_a, new_parent=tree.province, by=province_admin)
    assert Unit.objects.get(pk=tree.cell_a2.pk).depth == 2


def test_moving_a_commune_leaves_its_old_siblings_in_place(tree, province_admin):
    before = path_of(tree.cell_b1)
    unit_move(unit=tree.commune_a, new_parent=tree.province, by=province_admin)
    assert path_of(tree.cell_b1) == before


@pytest.mark.parametrize("cells", [2, 200])
def test_moving_a_commune_takes_the_same_queries_however_many_cells_it_has(
    cells, tree, province_admin, django_assert_max_num_queries
):
    commune = bulk_units(parent=tree.district, kind=UnitKind.COMMUNE, count=1)[0]
    bulk_units(parent=commune, kind=UnitKind.SUB_CELL, count=cells)
    new_district = UnitFactory(parent=tree.province, kind=UnitKind.DISTRICT)
    with django_assert_max_num_queries(MOVE_QUERIES):
        unit_move(unit=commune, new_parent=new_district, by=province_admin)
    assert Unit.objects.subtree(f"{new_district.path}{commune.pk}.").count() == cells + 1


def test_unit_cannot_be_moved_under_one_of_its_own_units(tree, province_admin):
    with pytest.raises(ValidationError) as exc:
        unit_move(unit=tree.district, new_parent=tree.commune_a, by=province_admin)
    assert exc.value.messages == ["A unit cannot be moved under itself or one of its own units."]
    assert path_of(tree.commune_a) == tree.commune_a.path


def test_unit_cannot_be_moved_under_itself(tree, province_admin):
    with pytest.raises(ValidationError):
        unit_move(unit=tree.commune_a, new_parent=tree.commune_a, by=province_admin)
    assert path_of(tree.commune_a) == tree.commune_a.path


def test_cell_cannot_be_moved_under_a_district(tree, province_admin):
    with pytest.raises(ValidationError):
        unit_move(unit=tree.cell_b1, new_parent=tree.district, by=province_admin)
    assert path_of(tree.cell_b1) == tree.cell_b1.path


def test_every_path_stays_consistent_after_a_series_of_moves(tree, province_admin):
    new_district = UnitFactory(parent=tree.province, kind=UnitKind.DISTRICT)
    unit_move(unit=tree.cell_b1, new_parent=tree.commune_a, by=province_admin)
    unit_move(unit=tree.commune_a, new_parent=new_district, by=province_admin)
    unit_move(unit=tree.commune_b, new_parent=tree.province, by=province_admin)
    unit_move(unit=tree.cell_a2, new_parent=tree.commune_b, by=province_admin)
    assert subtree_paths_consistent()


def test_moved_unit_history_shows_the_old_parent(tree, province_admin):
    unit_move(unit=tree.cell_b1, new_parent=tree.commune_a, by=province_admin)
    latest = tree.cell_b1.history.first()
    change = latest.diff_against(latest.prev_record).changes[0]
    assert (change.field, change.old, change.new) == (
        "parent",
        tree.commune_b.pk,
        tree.commune_a.pk,
    )


# History


def test_renaming_a_unit_records_who_did_it(tree, commune_staff_a):
    unit_update(unit=tree.cell_a1, by=commune_staff_a, name="Chi bộ bản Mển - Huổi Mí")
    assert tree.cell_a1.history.first().history_user == commune_staff_a


def test_renaming_a_unit_records_the_old_and_new_name(tree, commune_staff_a):
    unit_update(unit=tree.cell_a1, by=commune_staff_a, name="Chi bộ bản Mển - Huổi Mí")
    latest = tree.cell_a1.history.first()
    change = latest.diff_against(latest.prev_record).changes[0]
    assert (change.field, change.old, change.new) == (
        "name",
        "Chi bộ bản Mển",
        "Chi bộ bản Mển - Huổi Mí",
    )


# Subtrees


def test_subtree_holds_the_unit_and_everything_under_it(tree):
    subtree = set(Unit.objects.subtree(tree.commune_a.path))
    assert subtree == {tree.commune_a, tree.cell_a1, tree.cell_a2}


def test_subtree_never_mixes_ids_that_share_leading_digits(db):
    # Paths "7000001." and "70000012." share their first digits, as "1." and "12." do.
    province_1 = UnitFactory(pk=7_000_001, kind=UnitKind.PROVINCIAL)
    province_12 = UnitFactory(pk=70_000_012, kind=UnitKind.PROVINCIAL)
    district_1 = UnitFactory(parent=province_1)
    UnitFactory(parent=province_12)
    assert set(Unit.objects.subtree(province_1.path)) == {province_1, district_1}


def test_subtree_of_a_child_never_takes_a_sibling_with_a_longer_id(tree):
    district_3 = UnitFactory(pk=8_000_003, parent=tree.province, kind=UnitKind.DISTRICT)
    district_34 = UnitFactory(pk=80_000_034, parent=tree.province, kind=UnitKind.DISTRICT)
    commune_34 = UnitFactory(parent=district_34)
    assert commune_34 not in Unit.objects.subtree(district_3.path)
