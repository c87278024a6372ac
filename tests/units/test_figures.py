"""Figures of the unit tree, on a hand-built commune whose every count is known.

Đảng bộ xã Mường Mươn (commune A)
  Chi bộ bản Mển             3 full, 1 probationary, 1 deceased   covers Bản Mển
  Chi bộ bản Huổi Mí         1 full, 1 probationary               covers Bản Huổi Mí
  Chi bộ bản Nậm Nèn - Co Đứa 2 full                               covers Bản Nậm Nèn, Bản Co Đứa
  Chi bộ Trường Tiểu học     3 full                               covers no village
  Bản Xá Nhè, Bản Pa Kạn: no cell. Nobody active lives in Bản Co Đứa or Bản Xá Nhè.
"""

from datetime import date
from types import SimpleNamespace

import pytest

from tests.factories import MemberFactory, UnitFactory, VillageFactory, bulk_tree, persona
from units.models import Role, Unit, UnitCategory, UnitKind
from units.selectors import unit_node, unit_tree

# unit_tree: the scope, then per root the units, members per unit, villages, residents.
UNIT_TREE_QUERIES = 5


@pytest.fixture
def commune(tree):
    a = tree.commune_a
    a3 = UnitFactory(parent=a, kind=UnitKind.SUB_CELL, name="Chi bộ bản Nậm Nèn - Co Đứa")
    a4 = UnitFactory(
        parent=a,
        kind=UnitKind.SUB_CELL,
        category=UnitCategory.SCHOOL,
        name="Chi bộ Trường Tiểu học",
    )
    men = VillageFactory(commune=a, name="Bản Mển", cell=tree.cell_a1)
    huoi_mi = VillageFactory(commune=a, name="Bản Huổi Mí", cell=tree.cell_a2)
    nam_nen = VillageFactory(commune=a, name="Bản Nậm Nèn", cell=a3)
    VillageFactory(commune=a, name="Bản Co Đứa", cell=a3)
    xa_nhe = VillageFactory(commune=a, name="Bản Xá Nhè", cell=None)
    pa_kan = VillageFactory(commune=a, name="Bản Pa Kạn", cell=None)

    MemberFactory.create_batch(3, unit=tree.cell_a1, residence_village=men)
    MemberFactory(unit=tree.cell_a1, probationary=True, residence_village=men)
    MemberFactory(unit=tree.cell_a1, deceased=True, residence_village=xa_nhe)
    MemberFactory(unit=tree.cell_a2, residence_village=huoi_mi)
    MemberFactory(unit=tree.cell_a2, probationary=True, residence_village=huoi_mi)
    MemberFactory.create_batch(2, unit=a3, residence_village=nam_nen)
    MemberFactory.create_batch(3, unit=a4, residence_village=pa_kan)
    MemberFactory.create_batch(2, unit=tree.cell_b1)
    return SimpleNamespace(unit=a, a1=tree.cell_a1, a2=tree.cell_a2, a3=a3, a4=a4)


@pytest.fixture
def node(commune, commune_staff_a):
    return unit_node(user=commune_staff_a, unit=commune.unit)


def child(node, unit):
    return next(c for c in node.children if c.unit.pk == unit.pk)


def test_commune_counts_the_active_members_of_all_its_cells(node):
    assert node.figures.members == 11


def test_deceased_member_is_not_counted(commune, node):
    assert child(node, commune.a1).figures.members == 4


def test_commune_splits_full_and_probationary_members(node):
    assert (node.figures.full_members, node.figures.probationary_members) == (9, 2)


def test_commune_is_one_grassroots_organisation_and_its_sub_cells_are_not(node):
    assert (node.figures.grassroots, node.figures.sub_cells) == (1, 4)


def test_villages_are_counted_by_how_a_cell_covers_them(node):
    f = node.figures
    assert (f.villages, f.villages_own_cell, f.villages_combined_cell) == (6, 2, 2)
    assert f.villages_without_cell == 2


def test_villages_where_no_active_member_lives_are_white(node):
    assert node.figures.white_villages == 2


def test_cells_covering_one_village_are_independent_and_others_combined(node):
    assert (node.figures.independent_cells, node.figures.combined_cells) == (2, 1)


def test_cells_with_fewer_than_three_full_members_are_small(node):
    assert node.figures.small_cells == 2


def test_cell_with_exactly_three_full_members_is_not_small(commune, node):
    assert child(node, commune.a1).figures.small_cells == 0


def test_share_of_villages_with_their_own_cell(node):
    assert node.figures.own_cell_ratio == pytest.approx(100 * 2 / 6)


def test_commune_lists_its_cells_in_vietnamese_alphabetical_order(commune, node):
    assert [c.unit.name for c in node.children] == [
        "Chi bộ bản Huổi Mí",
        "Chi bộ bản Mển",
        "Chi bộ bản Nậm Nèn - Co Đứa",
        "Chi bộ Trường Tiểu học",
    ]


def test_district_totals_add_up_its_communes(commune, viewer):
    (district,) = unit_tree(user=viewer)
    assert (district.unit.name, district.figures.members) == ("Đảng bộ huyện Mường Chà", 13)
    assert district.figures.grassroots == 2


def test_commune_staff_tree_starts_at_the_commune(commune, commune_staff_a):
    assert [n.unit for n in unit_tree(user=commune_staff_a)] == [commune.unit]


def test_secretary_tree_is_her_cell_alone(commune, secretary_a):
    (cell,) = unit_tree(user=secretary_a)
    assert (cell.unit, cell.children, cell.figures.members) == (commune.a1, [], 4)


def test_dissolved_cell_leaves_the_tree_and_its_figures(commune, commune_staff_a):
    Unit.objects.filter(pk=commune.a4.pk).update(dissolved_on=date(2025, 7, 1))
    node = unit_node(user=commune_staff_a, unit=commune.unit)
    assert (len(node.children), node.figures.members) == (3, 8)


@pytest.mark.parametrize(
    ("communes", "cells_per_commune", "members_per_cell"),
    [(2, 3, 2), (14, 20, 7)],
    ids=["10 units", "296 units, 1960 members"],
)
def test_tree_takes_the_same_queries_however_big_it_is(
    communes, cells_per_commune, members_per_cell, db, django_assert_max_num_queries
):
    province = UnitFactory(kind=UnitKind.PROVINCIAL)
    district = UnitFactory(parent=province, kind=UnitKind.DISTRICT)
    bulk_tree(
        parent=district,
        communes=communes,
        cells_per_commune=cells_per_commune,
        members_per_cell=members_per_cell,
    )
    admin = persona(district, Role.ADMIN, "Cầm Văn Hùng", "hung.cv")
    with django_assert_max_num_queries(UNIT_TREE_QUERIES):
        (root,) = unit_tree(user=admin)
    assert root.figures.members == communes * cells_per_commune * members_per_cell
