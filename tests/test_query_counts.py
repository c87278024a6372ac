"""The busiest pages run a fixed number of SQL queries, whatever the size of the tree.

Each page is measured twice for the same user: on the small persona tree, then after the tree has
grown to a province-sized district (20 more communes of 15 cells, 3,000+ members, a village per
cell). Both counts must stay under the same pinned maximum: a query per unit or per member would
blow through it on the big tree.
"""

from datetime import date

import pytest
from django.core.cache import caches
from django.urls import reverse

from members.choices import Education, MemberStatus, Occupation
from members.models import Member
from tests.factories import PEOPLE, MemberFactory, VillageFactory
from units.models import Unit, UnitCategory, UnitKind, Village
from units.vietnamese import name_sort_key, strip_diacritics

COMMUNES = 20
CELLS_PER_COMMUNE = 15
MEMBERS_PER_CELL = 10


# Pinned from measurement (the user, the scope and, for users who need two-factor, the
# session's device included), plus one. Each page is counted after one request of it, as on a
# running server: the session and the user's permissions (asked by pages that may offer
# sensitive fields: member list, member page, unit pages) are then read from the cache.
PAGES = {
    # name: (who, URL name, the unit of the tree the URL takes, if any, pinned maximum)
    "member list": ("district_admin", "member_list", None, 13),
    "unit tree": ("district_admin", "unit_tree", None, 12),
    "commune page": ("district_admin", "unit_detail", "commune_a", 20),
    # the meetings block adds recent meetings and the cell's rule alerts; the units block the
    # villages the cell covers and its recent membership changes
    "cell page": ("secretary_a", "unit_detail", "cell_a1", 26),
    "district admin home": ("district_admin", "home", None, 12),
    "secretary home": ("secretary_a", "home", None, 18),
    "commune meeting grid": ("district_admin", "meeting_grid", "commune_a", 11),
    "district meeting board": ("district_admin", "meeting_board", "district", 12),
    # every panel of the leaders' dashboard, alerts of the meetings and members apps included
    "district dashboard": ("district_admin", "report_dashboard", "district", 20),
    "cell meetings": ("secretary_a", "meeting_list", "cell_a1", 18),
    "district badge list": ("district_admin", "badge_list", "district", 11),
    "district data quality": ("district_admin", "member_quality", "district", 20),
    # tests/members/test_admissions.py pins it again with many candidates and their sponsors
    "district admissions board": ("district_admin", "admission_board", "district", 10),
}


def _units(parents, kind, count, label):
    """`count` units under each parent, with their paths, in three queries."""
    units = Unit.objects.bulk_create(
        Unit(
            parent=parent,
            kind=kind,
            category=UnitCategory.VILLAGE if kind == UnitKind.SUB_CELL else UnitCategory.OTHER,
            name=f"{label} {parent.pk}-{i}",
            search_key=strip_diacritics(f"{label} {parent.pk}-{i}"),
        )
        for parent in parents
        for i in range(count)
    )
    by_id = {parent.pk: parent for parent in parents}
    for unit in units:
        parent = by_id[unit.parent_id]
        unit.path, unit.depth = f"{parent.path}{unit.pk}.", parent.depth + 1
    Unit.objects.bulk_update(units, ["path", "depth"])
    return units


def _members(cells, per_cell, villages=None):
    """`per_cell` members in each cell; bulk_create skips save(), so the keys are set here."""
    members = []
    for n, cell in enumerate(c for c in cells for _ in range(per_cell)):
        name, sex, ethnicity = PEOPLE[n % len(PEOPLE)]
        born = date(1950 + n % 45, 1 + n % 12, 1 + n % 28)
        members.append(
            Member(
                unit=cell,
                full_name=name,
                sex=sex,
                ethnicity=ethnicity,
                birth_date=born,
                admitted_on=born.replace(year=born.year + 25),
                official_on=born.replace(year=born.year + 26),
                status=MemberStatus.FULL if n % 7 else MemberStatus.PROBATIONARY,
                education=Education.UPPER_SECONDARY,
                occupation=Occupation.FARMER,
                residence_village=villages.get(cell.pk) if villages else None,
                search_key=strip_diacritics(name),
                sort_key=name_sort_key(name),
            )
        )
    Member.objects.bulk_create(members, batch_size=1000)


def grow(tree):
    """Turn the persona tree into a big district, the persona units growing with it."""
    communes = _units([tree.district], UnitKind.COMMUNE, COMMUNES, "Đảng bộ xã")
    cells = _units([*communes, tree.commune_a], UnitKind.SUB_CELL, CELLS_PER_COMMUNE, "Chi bộ")
    villages = Village.objects.bulk_create(
        Village(commune_id=cell.parent_id, name=f"Bản {cell.pk}", cell=cell) for cell in cells
    )
    _members(cells, MEMBERS_PER_CELL, {v.cell_id: v for v in villages})
    _members([tree.cell_a1], 60)


@pytest.fixture
def small(tree):
    """The persona tree with a village and a few members in each cell."""
    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        village = VillageFactory(commune=cell.parent, cell=cell)
        MemberFactory.create_batch(3, unit=cell, residence_village=village)
    return tree


@pytest.mark.parametrize("page", PAGES)
def test_page_takes_the_same_queries_on_a_small_and_a_big_tree(
    page, small, request, client_for, django_assert_max_num_queries
):
    who, url_name, unit, pinned = PAGES[page]
    client = client_for(request.getfixturevalue(who))
    url = reverse(url_name, args=[getattr(small, unit).pk] if unit else [])
    client.get(url)  # the session and permissions kept, as after a user's first page
    caches["dashboards"].clear()  # boards and dashboards counted as computed (reports.kept)
    with django_assert_max_num_queries(pinned) as on_small:
        assert client.get(url).status_code == 200
    grow(small)
    caches["dashboards"].clear()
    with django_assert_max_num_queries(pinned) as on_big:
        assert client.get(url).status_code == 200
    assert len(on_big) == len(on_small)


def test_big_tree_has_hundreds_of_units_and_thousands_of_members(small):
    grow(small)
    assert Unit.objects.count() > 300
    assert Member.objects.count() > 3000


def test_member_page_takes_the_same_queries_with_a_long_timeline(
    small, secretary_a, client_for, django_assert_max_num_queries
):
    """The member page: record, timeline (one query whatever its length), history and the
    user's permissions (whether to offer the sensitive fields)."""
    from members import services
    from members.choices import TransferScope

    member = MemberFactory(
        unit=small.cell_a1,
        full_name="Lò Văn Phương",
        birth_date=date(1970, 3, 2),
        admitted_on=date(1995, 5, 19),
        official_on=date(1996, 5, 19),
    )
    client = client_for(secretary_a)
    client.get(member.get_absolute_url())  # per-process caches warm, as on a running server
    with django_assert_max_num_queries(12) as short:
        assert client.get(member.get_absolute_url()).status_code == 200
    for year in range(2016, 2024):
        services.member_temporary_out(
            member=member,
            on=date(year, 1, 10),
            until=date(year, 6, 10),
            reason="work",
            place="Chi bộ Công ty",
            by=secretary_a,
        )
        services.member_temporary_back(member=member, on=date(year, 6, 1), by=secretary_a)
    services.member_transfer_out(
        member=member,
        scope=TransferScope.OTHER_PROVINCE,
        place="Đảng bộ phường Tân Phong",
        on=date(2024, 3, 1),
        by=secretary_a,
    )
    with django_assert_max_num_queries(12) as long:
        assert client.get(member.get_absolute_url()).status_code == 200
    assert len(long) == len(short)
