"""The probation list: members due for recognition in the next 30 days, and overdue ones."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from members.rules import PROBATION_MONTHS, add_months, probation_ends
from tests.factories import MemberFactory

# The list is looked at on 1 March 2026, morning in Điện Biên.
TODAY = datetime(2026, 3, 1, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
def probationers(tree):
    def probationer(name, admitted_on, unit=tree.cell_a1):
        return MemberFactory(
            unit=unit,
            full_name=name,
            birth_date=date(1995, 4, 2),
            admitted_on=admitted_on,
            probationary=True,
        )

    return {
        # 11.5 months ago: probation ends on 16/03/2026, in 15 days.
        "due": probationer("Lò Thị Ngọc", date(2025, 3, 16)),
        # 13 months ago: probation ended on 01/02/2026.
        "late": probationer("Mùa A Páo", date(2025, 2, 1)),
        # 9 months ago: not yet.
        "early": probationer("Tòng Văn Ún", date(2025, 6, 1)),
        "other_cell": probationer("Lầu Thị Sua", date(2025, 2, 1), unit=tree.cell_b1),
    }


def page(client, unit):
    with time_machine.travel(TODAY, tick=False):
        return client.get(reverse("member_probation", args=[unit.pk]))


def section(response, kind: str) -> str:
    html = response.content.decode()
    start = html.find(f'id="probation-{kind}"')
    return html[start : html.find("</table>", start)] if start >= 0 else ""


def test_member_admitted_eleven_and_a_half_months_ago_is_due_soon(
    probationers, tree, secretary_a, client_for
):
    response = page(client_for(secretary_a), tree.cell_a1)
    assert "Lò Thị Ngọc" in section(response, "due_soon")


def test_member_admitted_thirteen_months_ago_is_overdue(
    probationers, tree, secretary_a, client_for
):
    response = page(client_for(secretary_a), tree.cell_a1)
    assert "Mùa A Páo" in section(response, "overdue")


def test_member_nine_months_into_probation_is_not_listed(
    probationers, tree, secretary_a, client_for
):
    assert "Tòng Văn Ún" not in page(client_for(secretary_a), tree.cell_a1).content.decode()


def test_full_members_are_not_listed(tree, secretary_a, client_for):
    MemberFactory(unit=tree.cell_a1, full_name="Cầm Văn Hặc", admitted_on=date(2024, 1, 1))
    assert "Cầm Văn Hặc" not in page(client_for(secretary_a), tree.cell_a1).content.decode()


def test_district_sees_the_probationers_of_its_whole_subtree(
    probationers, tree, viewer, client_for
):
    response = page(client_for(viewer), tree.district)
    assert "Lầu Thị Sua" in section(response, "overdue")


def test_secretary_cannot_see_another_cells_probation_list(
    probationers, tree, secretary_a, client_for
):
    assert page(client_for(secretary_a), tree.cell_b1).status_code == 404


def test_probation_list_needs_get(tree, secretary_a, client_for):
    url = reverse("member_probation", args=[tree.cell_a1.pk])
    assert client_for(secretary_a).post(url).status_code == 405


def test_unit_page_links_to_the_probation_list(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(tree.cell_a1.get_absolute_url())
    assert reverse("member_probation", args=[tree.cell_a1.pk]) in response.content.decode()


def test_probation_is_twelve_months_and_ends_on_the_last_day_of_a_short_month():
    assert PROBATION_MONTHS == 12
    assert probation_ends(date(2024, 2, 29)) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


@pytest.fixture
def ceremonies(tree):
    """Both admitted 14 months ago; probation counts from their ceremonies (HD 12-HD/BTCTW)."""

    def probationer(name, ceremony_on):
        return MemberFactory(
            unit=tree.cell_a1,
            full_name=name,
            birth_date=date(1995, 4, 2),
            admitted_on=date(2025, 1, 2),
            ceremony_on=ceremony_on,
            probationary=True,
        )

    # Ceremony 11.5 months ago: probation ends on 16/03/2026, in 15 days.
    # Ceremony 13 months ago: probation ended on 01/02/2026.
    return probationer("Quàng Thị Bình", date(2025, 3, 16)), probationer(
        "Giàng Seo Phử", date(2025, 2, 1)
    )


def test_member_whose_ceremony_was_eleven_and_a_half_months_ago_is_due_soon(
    ceremonies, tree, secretary_a, client_for
):
    response = page(client_for(secretary_a), tree.cell_a1)
    assert "Quàng Thị Bình" in section(response, "due_soon")
    assert "Quàng Thị Bình" not in section(response, "overdue")


def test_member_whose_ceremony_was_thirteen_months_ago_is_overdue(
    ceremonies, tree, secretary_a, client_for
):
    response = page(client_for(secretary_a), tree.cell_a1)
    assert "Giàng Seo Phử" in section(response, "overdue")


def test_page_says_probation_runs_from_the_ceremony(tree, secretary_a, client_for):
    html = page(client_for(secretary_a), tree.cell_a1).content.decode()
    assert "from the admission ceremony" in html or "kể từ ngày lễ kết nạp" in html


def test_list_shows_the_ceremony_date(ceremonies, tree, secretary_a, client_for):
    response = page(client_for(secretary_a), tree.cell_a1)
    assert "01/02/2025" in section(response, "overdue")


def test_editor_gets_a_link_to_recognise_each_member(ceremonies, tree, secretary_a, client_for):
    _due, late = ceremonies
    response = page(client_for(secretary_a), tree.cell_a1)
    assert reverse("member_event", args=[late.pk, "recognise"]) in section(response, "overdue")


def test_read_only_leader_gets_no_recognise_link(ceremonies, tree, viewer, client_for):
    assert "/events/recognise/" not in page(client_for(viewer), tree.cell_a1).content.decode()
