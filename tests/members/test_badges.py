"""Party badges: who reaches 30, 40, 45 … 90 years of membership in a year, recording the awards
of a decision, the Excel export, and scope."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from members.badges import BADGE_YEARS
from members.models import BadgeAward
from tests.accounts.factories import warm
from tests.factories import MemberFactory

# The list is looked at on 10 March 2026 in Điện Biên.
TODAY = datetime(2026, 3, 10, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def member(name, admitted_on, unit, **fields):
    return MemberFactory(
        unit=unit,
        full_name=name,
        birth_date=date(admitted_on.year - 25, 6, 1),
        admitted_on=admitted_on,
        **fields,
    )


@pytest.fixture
def veterans(tree):
    return {
        # admitted in 1996: 30 years in 2026, whatever the day
        "thirty": member("Lò Văn Phương", date(1996, 11, 20), tree.cell_a1),
        "thirty_too": member("Quàng Thị Ánh", date(1996, 1, 5), tree.cell_a2),
        "forty": member("Cà Văn Dũng", date(1986, 7, 1), tree.cell_a1),
        "next_year": member("Tòng Thị Ún", date(1997, 2, 3), tree.cell_a1),
        "deceased": member("Lường Văn Đức", date(1996, 4, 4), tree.cell_a1, deceased=True),
        "other_commune": member("Giàng A Sử", date(1996, 4, 4), tree.cell_b1),
    }


def page(client, unit, **params):
    return client.get(reverse("badge_list", args=[unit.pk]), params)


def section(response, years: int) -> str:
    html = response.content.decode()
    start = html.find(f'id="badge-{years}"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


def award(client, unit, members, **fields):
    data = {
        "year": 2026,
        "member": [m.pk for m in members],
        "decision_number": "125-QĐ/TU",
        "awarded_on": "03/02/2026",
        **fields,
    }
    return client.post(reverse("badge_award", args=[unit.pk]), data, follow=True)


def test_thresholds_follow_the_regulation():
    assert BADGE_YEARS == (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)


def test_members_admitted_thirty_years_ago_are_in_the_thirty_year_group(
    veterans, tree, commune_staff_a, client_for
):
    response = page(client_for(commune_staff_a), tree.commune_a)
    thirty = section(response, 30)
    assert "Lò Văn Phương" in thirty and "Quàng Thị Ánh" in thirty
    assert "Cà Văn Dũng" in section(response, 40)


def test_members_who_left_or_reach_no_threshold_are_not_listed(
    veterans, tree, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), tree.commune_a).content.decode()
    assert "Lường Văn Đức" not in html and "Tòng Thị Ún" not in html


def test_another_year_can_be_chosen(veterans, tree, commune_staff_a, client_for):
    response = page(client_for(commune_staff_a), tree.commune_a, year=2027)
    assert "Tòng Thị Ún" in section(response, 30)


def test_group_lists_names_in_vietnamese_order(veterans, tree, commune_staff_a, client_for):
    thirty = section(page(client_for(commune_staff_a), tree.commune_a), 30)
    # given names: Ánh before Phương
    assert thirty.index("Quàng Thị Ánh") < thirty.index("Lò Văn Phương")


def test_members_of_another_commune_are_not_listed(veterans, tree, viewer, client_for):
    response = page(client_for(viewer), tree.commune_a)
    assert "Giàng A Sử" not in response.content.decode()


def test_badge_already_awarded_is_shown(veterans, tree, commune_staff_a, client_for):
    BadgeAward.objects.create(
        member=veterans["forty"], years=40, awarded_on=date(2026, 2, 3), decision_number="9-QĐ/TU"
    )
    assert "9-QĐ/TU" in section(page(client_for(commune_staff_a), tree.commune_a), 40)


def test_awards_of_a_decision_are_recorded_with_their_author(
    veterans, tree, commune_staff_a, client_for
):
    chosen = [veterans["thirty"], veterans["forty"]]
    award(client_for(commune_staff_a), tree.commune_a, chosen)
    awards = BadgeAward.objects.order_by("years")
    assert [(a.member, a.years, a.decision_number) for a in awards] == [
        (veterans["thirty"], 30, "125-QĐ/TU"),
        (veterans["forty"], 40, "125-QĐ/TU"),
    ]
    assert {a.history.get().history_user for a in awards} == {commune_staff_a}


def test_awarding_a_badge_twice_is_refused_and_nothing_is_written(
    veterans, tree, commune_staff_a, client_for
):
    BadgeAward.objects.create(member=veterans["forty"], years=40, awarded_on=date(2026, 2, 3))
    response = award(
        client_for(commune_staff_a), tree.commune_a, [veterans["thirty"], veterans["forty"]]
    )
    assert "đã" in response.content.decode() or "already" in response.content.decode()
    assert BadgeAward.objects.count() == 1


def test_a_member_not_on_the_list_cannot_be_awarded(veterans, tree, commune_staff_a, client_for):
    award(client_for(commune_staff_a), tree.commune_a, [veterans["next_year"]])
    assert BadgeAward.objects.count() == 0


def test_award_date_in_the_future_is_refused(veterans, tree, commune_staff_a, client_for):
    client = client_for(commune_staff_a)
    award(client, tree.commune_a, [veterans["thirty"]], awarded_on="01/12/2026")
    assert BadgeAward.objects.count() == 0


def test_viewer_cannot_record_awards(veterans, tree, viewer, client_for):
    response = award(client_for(viewer), tree.commune_a, [veterans["thirty"]])
    assert response.status_code == 403
    assert BadgeAward.objects.count() == 0


def test_viewer_sees_no_award_form(veterans, tree, viewer, client_for):
    html = page(client_for(viewer), tree.commune_a).content.decode()
    assert 'name="member"' not in html


def test_secretary_of_another_commune_gets_not_found(veterans, tree, secretary_b, client_for):
    client = client_for(secretary_b)
    assert page(client, tree.commune_a).status_code == 404
    assert award(client, tree.commune_a, [veterans["thirty"]]).status_code == 404


def test_award_needs_post(tree, commune_staff_a, client_for):
    response = client_for(commune_staff_a).get(reverse("badge_award", args=[tree.commune_a.pk]))
    assert response.status_code == 405


def test_export_lists_each_group_with_its_members(veterans, tree, commune_staff_a, client_for):
    url = reverse("badge_export", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).get(url, {"year": 2026})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    names = [row[1] for row in rows if row and isinstance(row[0], int)]
    assert names == ["Quàng Thị Ánh", "Lò Văn Phương", "Cà Văn Dũng"]
    assert "2026" in rows[0][0]


def test_export_neutralises_text_that_looks_like_a_formula(tree, commune_staff_a, client_for):
    member("=HYPERLINK(1)", date(1996, 3, 3), tree.cell_a1)
    url = reverse("badge_export", args=[tree.commune_a.pk])
    response = client_for(commune_staff_a).get(url, {"year": 2026})
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert "'=HYPERLINK(1)" in values


def test_badge_list_takes_the_same_queries_for_3_or_30_members(
    tree, commune_staff_a, client_for, django_assert_max_num_queries
):
    client = warm(client_for(commune_staff_a))
    for n in range(3):
        member(f"Lò Văn Phương {n}", date(1996, 1, 1 + n), tree.cell_a1)
    # 10 with the session's two-factor device
    with django_assert_max_num_queries(10) as small:
        assert page(client, tree.commune_a).status_code == 200
    for n in range(30):
        found = member(f"Cà Thị Ánh {n}", date(1986, 1, 1 + n % 28), tree.cell_a2)
        BadgeAward.objects.create(member=found, years=40, awarded_on=date(2026, 1, 2))
    with django_assert_max_num_queries(10) as big:
        assert page(client, tree.commune_a).status_code == 200
    assert len(big) == len(small)


def test_page_title_writes_the_year_without_a_thousands_separator(
    veterans, tree, commune_staff_a, client_for
):
    html = page(client_for(commune_staff_a), tree.commune_a, year=2026).content.decode()
    title = html.split("<h1")[1].split("</h1>")[0]
    assert "2026" in title and "2.026" not in title
    assert "?year=2026" in html
