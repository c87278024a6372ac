"""The tree and its figures as of a date: seed 002, Điện Biên district and Điện Biên Phủ city.

Đảng bộ tỉnh Điện Biên
├── Đảng bộ huyện Điện Biên      28 communes (one cell of 2 members each) and 40 base cells
│                                (2 members each): 68 grassroots organisations, 136 members
└── Đảng bộ thành phố Điện Biên Phủ   3 communes (one cell of 2 members each)

On 31/12/2019 four of the district's communes pass to the city (QĐ 1208-QĐ/TU): as of
30/12/2019 the district has 68 organisations and 136 members, as of 01/01/2020 64 and 128.
"""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from members.services import member_update
from tests.factories import MemberFactory, UnitFactory, bulk_members, bulk_units, persona
from units.models import Role, Unit, UnitKind
from units.reorganisation import reorg_found, reorg_move, reorg_rename
from units.selectors import unit_node

HANDOVER = date(2019, 12, 31)
BEFORE = date(2019, 12, 30)
AFTER = date(2020, 1, 1)
ADMITTED = date(2008, 5, 19)
MOVED = date(2021, 5, 10)


@pytest.fixture
def seed(db, superuser_admin):
    province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Điện Biên")
    district = UnitFactory(parent=province, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Điện Biên")
    city = UnitFactory(
        parent=province, kind=UnitKind.DISTRICT, name="Đảng bộ thành phố Điện Biên Phủ"
    )
    communes = bulk_units(parent=district, kind=UnitKind.COMMUNE, count=28)
    base_cells = bulk_units(parent=district, kind=UnitKind.BASE_CELL, count=40)
    city_communes = bulk_units(parent=city, kind=UnitKind.COMMUNE, count=3)
    sub_cells = [
        cell
        for commune in communes + city_communes
        for cell in bulk_units(parent=commune, kind=UnitKind.SUB_CELL, count=1)
    ]
    bulk_members(
        cells=sub_cells + base_cells,
        per_cell=2,
        birth_date=date(1980, 4, 2),
        admitted_on=ADMITTED,
    )
    for commune in communes[:4]:
        reorg_move(
            unit=commune,
            new_parent=city,
            on=HANDOVER,
            decision_number="1208-QĐ/TU",
            by=superuser_admin,
        )
    return SimpleNamespace(
        province=province,
        district=district,
        city=city,
        communes=communes,
        base_cells=base_cells,
        user=superuser_admin,
    )


def figures(seed, unit, as_of=None):
    return unit_node(user=seed.user, unit=Unit.objects.get(pk=unit.pk), as_of=as_of).figures


def members_of(seed, unit, as_of):
    return figures(seed, unit, as_of).members


# The district and the city before and after the handover


def test_district_had_68_grassroots_organisations_as_of_30_december_2019(seed):
    assert figures(seed, seed.district, BEFORE).grassroots == 68


def test_district_has_64_grassroots_organisations_as_of_1_january_2020(seed):
    assert figures(seed, seed.district, AFTER).grassroots == 64


def test_district_members_on_both_dates_follow_the_four_communes(seed):
    assert members_of(seed, seed.district, BEFORE) == 136
    assert members_of(seed, seed.district, AFTER) == 128


def test_city_gains_the_four_communes_on_the_handover_day(seed):
    before, after = figures(seed, seed.city, BEFORE), figures(seed, seed.city, HANDOVER)
    assert (before.grassroots, before.members) == (3, 6)
    assert (after.grassroots, after.members) == (7, 14)


def test_moved_commune_sits_under_the_district_before_and_the_city_after(seed):
    before = unit_node(user=seed.user, unit=seed.district, as_of=BEFORE)
    after = unit_node(user=seed.user, unit=Unit.objects.get(pk=seed.city.pk), as_of=AFTER)
    moved = seed.communes[0].pk
    assert moved in {child.unit.pk for child in before.children}
    assert moved in {child.unit.pk for child in after.children}


def test_current_figures_are_those_of_2020(seed):
    now, then = figures(seed, seed.district), figures(seed, seed.district, AFTER)
    assert (now.grassroots, now.members) == (then.grassroots, then.members) == (64, 128)


# Members on the rolls, and where they were, on a date


def test_member_admitted_after_a_date_is_not_counted_as_of_that_date(seed):
    cell = seed.base_cells[0]
    MemberFactory(unit=cell, birth_date=date(1995, 2, 1), admitted_on=date(2020, 3, 2))
    assert members_of(seed, cell, date(2020, 3, 1)) == 2
    assert members_of(seed, cell, date(2020, 3, 2)) == 3


def test_member_who_left_before_a_date_is_not_counted_as_of_that_date(seed):
    cell = seed.base_cells[0]
    MemberFactory(unit=cell, deceased=True, admitted_on=ADMITTED, left_on=date(2019, 6, 1))
    assert members_of(seed, cell, date(2019, 5, 31)) == 3
    assert members_of(seed, cell, date(2019, 6, 1)) == 2


@pytest.fixture
def moved(seed):
    """A member of the first base cell moves to the second on 10/05/2021."""
    old, new = seed.base_cells[0], seed.base_cells[1]
    member_update(member=old.members.first(), by=seed.user, unit=new, moved_on=MOVED)
    return old, new


def test_member_moved_between_cells_counts_in_the_old_cell_the_day_before(seed, moved):
    day = MOVED - timedelta(days=1)
    assert [members_of(seed, cell, day) for cell in moved] == [2, 2]


def test_member_moved_between_cells_counts_in_the_new_cell_on_the_day(seed, moved):
    assert [members_of(seed, cell, MOVED) for cell in moved] == [1, 3]


# Units founded and renamed later


@pytest.fixture
def founded(seed):
    reorg_found(
        parent=Unit.objects.get(pk=seed.district.pk),
        kind=UnitKind.COMMUNE,
        name="Đảng bộ xã Mường Phăng",
        on=date(2020, 6, 1),
        decision_number="45-QĐ/HU",
        by=seed.user,
    )
    return Unit.objects.get(name="Đảng bộ xã Mường Phăng")


def test_unit_founded_later_does_not_exist_as_of_an_earlier_date(seed, founded):
    assert unit_node(user=seed.user, unit=founded, as_of=AFTER) is None


def test_unit_founded_later_counts_from_its_founding_day(seed, founded):
    assert figures(seed, seed.district, AFTER).grassroots == 64
    assert figures(seed, seed.district, date(2020, 6, 1)).grassroots == 65


def test_renamed_unit_shows_its_old_name_as_of_a_date_before_the_rename(seed):
    commune = seed.communes[5]
    reorg_rename(
        unit=commune,
        name="Đảng bộ xã Thanh Xương",
        on=date(2021, 1, 1),
        decision_number="112-QĐ/HU",
        by=seed.user,
    )
    before = unit_node(user=seed.user, unit=commune, as_of=date(2020, 12, 31)).unit.name
    after = unit_node(user=seed.user, unit=commune, as_of=date(2021, 1, 1)).unit.name
    assert (before, after) == (commune.name, "Đảng bộ xã Thanh Xương")


# The pages


@pytest.fixture
def district_admin_002(seed):
    return persona(seed.district, Role.ADMIN, "Lò Văn Minh", "minh.lv")


def grassroots_in_tree(n: int) -> str:
    with translation.override("vi"):
        return translation.gettext("%(n)s grassroots org.") % {"n": n}


def grassroots_card(n: int) -> str:
    return f'<div class="figure-value">{n}</div>'


def test_tree_page_shows_the_district_with_its_64_organisations_today(seed, client_for):
    response = client_for(seed.user).get(reverse("unit_tree"))
    assert grassroots_in_tree(64) in response.content.decode()


def test_district_page_shows_its_64_organisations_today(seed, district_admin_002, client_for):
    response = client_for(district_admin_002).get(reverse("unit_detail", args=[seed.district.pk]))
    assert grassroots_card(64) in response.content.decode()


def test_tree_page_as_of_30_december_2019_shows_68_organisations(seed, client_for):
    response = client_for(seed.user).get(reverse("unit_tree"), {"as_of": "30/12/2019"})
    assert response.status_code == 200
    assert grassroots_in_tree(68) in response.content.decode()


def test_district_page_as_of_30_december_2019_shows_68_organisations(
    seed, district_admin_002, client_for
):
    url = reverse("unit_detail", args=[seed.district.pk])
    response = client_for(district_admin_002).get(url, {"as_of": "30/12/2019"})
    assert response.status_code == 200
    assert grassroots_card(68) in response.content.decode()


def test_district_page_as_of_30_december_2019_shows_136_members(
    seed, district_admin_002, client_for
):
    url = reverse("unit_detail", args=[seed.district.pk])
    response = client_for(district_admin_002).get(url, {"as_of": "30/12/2019"})
    assert '<div class="figure-value">136</div>' in response.content.decode()
