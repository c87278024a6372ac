"""The figures of the statistics forms, on the small trees of tests/reports/trees.py where the
answer is known."""

from datetime import date

import pytest
from django.http import Http404

from reports.statistics import (
    Period,
    admissions_structure,
    member_structure,
    membership_changes,
    organisations,
    roll,
)
from tests.factories import VillageFactory, bulk_tree, persona
from tests.reports.trees import YEAR_2025
from units.models import Role


def changes(user, unit, period=YEAR_2025, **kwargs):
    return membership_changes(user=user, unit=unit, period=period, **kwargs)


def test_district_figures_count_only_what_crosses_the_district(year_2025, district_admin):
    total = changes(district_admin, year_2025.tree.district).total
    assert (total.start, total.admitted, total.transfer_in, total.transfer_in_other_province) == (
        11,
        1,
        1,
        1,
    )
    assert (total.died, total.removed, total.removed_probationary) == (1, 1, 1)
    assert (total.transfer_out, total.transfer_out_other_district, total.end) == (1, 1, 10)


def test_a_move_to_another_commune_is_a_transfer_out_of_the_commune(year_2025, district_admin):
    total = changes(district_admin, year_2025.tree.commune_a).total
    assert (total.start, total.increase, total.decrease, total.end) == (10, 1, 4, 7)
    assert (total.transfer_out, total.transfer_out_other_district) == (2, 1)


def test_the_receiving_commune_counts_both_arrivals(year_2025, district_admin):
    total = changes(district_admin, year_2025.tree.commune_b).total
    assert (total.start, total.transfer_in, total.transfer_in_other_province, total.end) == (
        1,
        2,
        1,
        3,
    )


def test_every_row_balances_and_the_rows_add_up_to_the_unit(year_2025, district_admin):
    report = changes(district_admin, year_2025.tree.district)
    assert [(r.name, r.changes.start, r.changes.end) for r in report.rows] == [
        ("Đảng bộ xã Mường Mươn", 10, 7),
        ("Đảng bộ xã Sa Lông", 1, 3),
    ]
    assert all(r.changes.balanced for r in report.rows) and report.total.balanced
    assert sum(r.changes.end for r in report.rows) == report.total.end


def test_cells_of_a_commune_see_the_move_between_them(year_2025, district_admin):
    rows = {r.name: r.changes for r in changes(district_admin, year_2025.tree.commune_a).rows}
    a1 = rows["Chi bộ bản Mển"]
    assert (a1.start, a1.admitted, a1.removed, a1.transfer_out, a1.end) == (6, 1, 1, 2, 4)
    assert rows["Chi bộ bản Huổi Mí"].transfer_in == 1


def test_the_same_period_last_year_sees_no_movement(year_2025, district_admin):
    total = changes(district_admin, year_2025.tree.district, YEAR_2025.last_year()).total
    assert (total.start, total.increase, total.decrease, total.end) == (10, 1, 0, 11)


def test_roll_on_a_day_follows_placements(year_2025, district_admin):
    tree = year_2025.tree
    assert roll(user=district_admin, unit=tree.commune_b, day=date(2025, 6, 30)) == 2
    assert roll(user=district_admin, unit=tree.commune_b, day=date(2025, 7, 1)) == 3


def test_structure_of_the_roll_at_the_end_of_the_period(year_2025, district_admin):
    structure = member_structure(
        user=district_admin, unit=year_2025.tree.commune_a, day=date(2025, 12, 31)
    )
    assert (structure.total, structure["probationary"], structure["age:18_30"]) == (7, 1, 1)
    assert structure["occ:farmer"] == 7


def test_structure_of_new_admissions_counts_age_at_admission(year_2025, district_admin):
    structure = admissions_structure(
        user=district_admin, unit=year_2025.tree.district, period=YEAR_2025
    )
    assert (structure.total, structure["female"], structure["age:18_30"]) == (1, 1, 1)


def test_organisations_count_grassroots_by_type_and_villages(tree, district_admin):
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a1)
    VillageFactory(commune=tree.commune_a, cell=tree.cell_a2)
    VillageFactory(commune=tree.commune_b, cell=None)
    report = organisations(user=district_admin, unit=tree.district, day=date(2025, 12, 31))
    assert (report.types["commune"].committees, report.types["commune"].sub_cells) == (2, 3)
    assert (report.node.figures.villages_own_cell, report.node.figures.white_villages) == (2, 3)


def test_figures_of_a_unit_out_of_scope_are_not_found(year_2025, secretary_a):
    with pytest.raises(Http404):
        changes(secretary_a, year_2025.tree.commune_b)


# --- As of a date across a reorganisation (seed 002: communes handed to the city) -------------


@pytest.mark.parametrize(
    ("day", "district", "city"), [(date(2019, 12, 30), 5, 0), (date(2020, 1, 1), 1, 4)]
)
def test_roll_before_and_after_the_handover(handover, day, district, city):
    assert roll(user=handover.user, unit=handover.district, day=day) == district
    assert roll(user=handover.user, unit=handover.city, day=day) == city


def test_the_handover_leaves_the_district_as_a_transfer_to_another_district(handover):
    total = changes(handover.user, handover.district, Period(date(2019, 1, 1), date(2019, 12, 31)))
    assert (total.total.start, total.total.transfer_out_other_district, total.total.end) == (
        5,
        4,
        1,
    )


def test_the_city_receives_the_commune_and_its_members(handover):
    report = changes(handover.user, handover.city, Period(date(2019, 1, 1), date(2019, 12, 31)))
    assert (report.total.transfer_in_other_district, report.total.end) == (4, 4)
    assert [(r.name, r.changes.start, r.changes.end) for r in report.rows] == [
        ("Đảng bộ xã Thanh Minh", 0, 4)
    ]


def test_the_moved_commune_sees_only_the_member_who_came_from_the_other_commune(handover):
    total = changes(
        handover.user, handover.commune_c, Period(date(2019, 1, 1), date(2019, 12, 31))
    ).total
    assert (total.start, total.transfer_in, total.transfer_in_other_district, total.end) == (
        3,
        1,
        0,
        4,
    )


# --- Fixed number of queries -------------------------------------------------------------------


def _count_queries(django_assert_max_num_queries, user, unit, limit):
    with django_assert_max_num_queries(limit):
        membership_changes(user=user, unit=unit, period=YEAR_2025)
        member_structure(user=user, unit=unit, day=YEAR_2025.end)
        organisations(user=user, unit=unit, day=YEAR_2025.end)


def test_query_counts_do_not_grow_with_the_tree(
    year_2025, district_admin, django_assert_max_num_queries
):
    district = year_2025.tree.district
    _count_queries(django_assert_max_num_queries, district_admin, district, 14)
    bulk_tree(parent=district, communes=6, cells_per_commune=4, members_per_cell=5)
    _count_queries(django_assert_max_num_queries, district_admin, district, 14)


def test_a_viewer_of_one_commune_is_refused_the_other(tree):
    viewer_a = persona(tree.commune_a, Role.VIEWER, "Lò Văn Phương", "phuong.lv")
    with pytest.raises(Http404):
        roll(user=viewer_a, unit=tree.commune_b, day=date(2025, 1, 1))
