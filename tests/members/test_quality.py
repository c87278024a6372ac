"""Data quality of member records: missing citizen IDs and card numbers, probable duplicates,
impossible dates, residence outside the cell's commune; scope; a fixed number of queries."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from members.choices import MemberStatus
from tests.accounts.factories import warm
from tests.factories import MemberFactory, VillageFactory

TODAY = datetime(2026, 3, 10, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def page(client, unit):
    return client.get(reverse("member_quality", args=[unit.pk]))


def section(response, key: str) -> str:
    html = response.content.decode()
    start = html.find(f'id="quality-{key}"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def count_of(response, key: str) -> int:
    return next(s.count for s in response.context["sections"] if s.key == key)


def test_active_member_without_citizen_id_is_listed(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", citizen_id="")
    MemberFactory(unit=tree.cell_a1, full_name="Cà Văn Đôi", citizen_id="", deceased=True)
    response = page(client_for(secretary_a), tree.cell_a1)
    assert "Lò Văn Phương" in section(response, "no_citizen_id")
    assert count_of(response, "no_citizen_id") == 1


def test_full_member_without_card_is_listed_but_not_a_probationary_one(
    tree, secretary_a, client_for
):
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Ánh", card_number="")
    MemberFactory(unit=tree.cell_a1, full_name="Tòng Văn Ún", card_number="", probationary=True)
    html = section(page(client_for(secretary_a), tree.cell_a1), "no_card")
    assert "Quàng Thị Ánh" in html and "Tòng Văn Ún" not in html


def test_same_name_and_birth_date_in_another_cell_of_the_scope_is_a_probable_duplicate(
    tree, commune_staff_a, client_for
):
    born = date(1980, 1, 1)
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", birth_date=born)
    MemberFactory(unit=tree.cell_a2, full_name="Lo Van Phuong", birth_date=born)
    MemberFactory(unit=tree.cell_a2, full_name="Lò Văn Phương", birth_date=date(1981, 1, 1))
    response = page(client_for(commune_staff_a), tree.cell_a1)
    html = section(response, "same_name_birth")
    assert "Lo Van Phuong" in html
    assert count_of(response, "same_name_birth") == 1


def test_a_twin_outside_the_users_sight_is_not_shown(tree, secretary_a, client_for):
    born = date(1980, 1, 1)
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", birth_date=born)
    MemberFactory(unit=tree.cell_b1, full_name="Lò Văn Phương", birth_date=born)
    response = page(client_for(secretary_a), tree.cell_a1)
    assert count_of(response, "same_name_birth") == 0


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"birth_date": date(1990, 5, 1), "admitted_on": date(2008, 4, 30)}, "18"),
        (
            {
                "admitted_on": date(2020, 1, 10),
                "ceremony_on": date(2020, 3, 1),
                "official_on": date(2020, 9, 1),
            },
            "12",
        ),
        ({"birth_date": date(1899, 12, 31), "admitted_on": date(1930, 2, 3)}, "1900"),
        ({"exempt_since": date(2026, 5, 1)}, ""),
    ],
    ids=["admitted-at-17", "full-after-6-months", "born-1899", "future"],
)
def test_impossible_dates_are_listed_with_the_reason(tree, secretary_a, client_for, fields, reason):
    MemberFactory(unit=tree.cell_a1, full_name="Mùa A Páo", **fields)
    MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Ngọc")
    html = section(page(client_for(secretary_a), tree.cell_a1), "impossible_dates")
    assert "Mùa A Páo" in html and "Lò Thị Ngọc" not in html
    assert reason in html


def test_admitted_on_the_eighteenth_birthday_is_fine(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, birth_date=date(1990, 5, 1), admitted_on=date(2008, 5, 1))
    assert count_of(page(client_for(secretary_a), tree.cell_a1), "impossible_dates") == 0


def test_member_living_in_another_communes_village_is_listed(tree, secretary_a, client_for):
    own = VillageFactory(commune=tree.commune_a, name="Bản Mển")
    other = VillageFactory(commune=tree.commune_b, name="Bản Nậm Chua")
    MemberFactory(unit=tree.cell_a1, full_name="Lò Văn Phương", residence_village=other)
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Ánh", residence_village=own)
    response = page(client_for(secretary_a), tree.cell_a1)
    html = section(response, "village_outside")
    assert "Lò Văn Phương" in html and "Quàng Thị Ánh" not in html


def test_secretary_of_another_commune_gets_not_found(tree, secretary_b, client_for):
    assert page(client_for(secretary_b), tree.cell_a1).status_code == 404


def test_read_only_viewer_sees_the_page(tree, viewer, client_for):
    assert page(client_for(viewer), tree.commune_a).status_code == 200


def test_page_needs_get(tree, secretary_a, client_for):
    url = reverse("member_quality", args=[tree.cell_a1.pk])
    assert client_for(secretary_a).post(url).status_code == 405


def test_page_takes_the_same_queries_whatever_the_number_of_problems(
    tree, district_admin, client_for, django_assert_max_num_queries
):
    client = warm(client_for(district_admin))
    village_b = VillageFactory(commune=tree.commune_b)
    MemberFactory(unit=tree.cell_a1, citizen_id="")
    # 19 with the session's two-factor device
    with django_assert_max_num_queries(19) as small:
        assert page(client, tree.district).status_code == 200
    for n in range(20):
        MemberFactory(
            unit=tree.cell_a2,
            full_name="Lò Văn Phương",
            birth_date=date(1980, 1, 1 + n % 2),
            citizen_id="",
            card_number="",
            residence_village=village_b,
            status=MemberStatus.FULL,
            exempt_since=date(2027, 1, 1),
        )
    with django_assert_max_num_queries(19) as big:
        assert page(client, tree.district).status_code == 200
    assert len(big) == len(small)
