"""Officers and their terms: appointed, ended on a date, shown as of a date, given a login."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import MemberFactory, UserFactory
from units.models import Assignment, Officer, OfficerRole, Role
from units.selectors import unit_officers
from units.services import officer_appoint, officer_end


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def secretary(tree):
    member = MemberFactory(unit=tree.cell_a1, full_name="Lò Thị Ngọc")
    return Officer.objects.create(
        unit=tree.cell_a1, member=member, role=OfficerRole.SECRETARY, starts_on=date(2020, 5, 1)
    )


def test_an_office_ends_on_the_date_given(secretary, district_admin):
    officer_end(officer=secretary, ends_on=date(2025, 6, 30), by=district_admin)
    secretary.refresh_from_db()
    assert secretary.ends_on == date(2025, 6, 30)


def test_an_office_ends_today_by_default(secretary, district_admin):
    officer_end(officer=secretary, by=district_admin)
    secretary.refresh_from_db()
    assert secretary.ends_on == date.today()


def test_an_office_cannot_end_in_the_future(secretary, district_admin):
    with pytest.raises(ValidationError):
        officer_end(officer=secretary, ends_on=date.today() + timedelta(days=1), by=district_admin)
    secretary.refresh_from_db()
    assert secretary.ends_on is None


def test_an_office_cannot_end_before_it_began(secretary, district_admin):
    with pytest.raises(ValidationError):
        officer_end(officer=secretary, ends_on=date(2019, 12, 31), by=district_admin)


def test_ending_an_office_leaves_history_by_its_author(secretary, district_admin):
    officer_end(officer=secretary, ends_on=date(2025, 6, 30), by=district_admin)
    assert secretary.history.first().history_user == district_admin


def test_an_officer_is_in_office_until_the_last_day_and_former_after(secretary, district_admin):
    officer_end(officer=secretary, ends_on=date(2025, 6, 30), by=district_admin)
    last_day = unit_officers(unit=secretary.unit, day=date(2025, 6, 30))
    after = unit_officers(unit=secretary.unit, day=date(2025, 7, 1))
    assert (last_day["current"], last_day["former"]) == ([secretary], [])
    assert (after["current"], after["former"]) == ([], [secretary])


def test_ending_an_office_with_a_date_from_the_unit_page(secretary, district_admin, client_for):
    client_for(district_admin).post(
        reverse("officer_end", args=[secretary.pk]), {"ends_on": "30/06/2025"}
    )
    secretary.refresh_from_db()
    assert secretary.ends_on == date(2025, 6, 30)


def test_ending_an_office_in_the_future_from_the_page_is_refused(
    secretary, district_admin, client_for
):
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    client_for(district_admin).post(
        reverse("officer_end", args=[secretary.pk]), {"ends_on": tomorrow}, follow=True
    )
    secretary.refresh_from_db()
    assert secretary.ends_on is None


def test_the_unit_page_lists_former_officers(secretary, district_admin, client_for):
    officer_end(officer=secretary, ends_on=date(2025, 6, 30), by=district_admin)
    page = text(client_for(district_admin).get(reverse("unit_detail", args=[secretary.unit_id])))
    assert "Lò Thị Ngọc · 01/05/2020 – 30/06/2025" in page


def test_the_unit_page_as_of_a_date_shows_the_officers_of_that_day(
    secretary, district_admin, client_for
):
    officer_end(officer=secretary, ends_on=date(2025, 6, 30), by=district_admin)
    url = reverse("unit_detail", args=[secretary.unit_id])
    page = text(client_for(district_admin).get(url, {"as_of": "01/06/2025"}))
    assert "01/05/2020 – 30/06/2025" not in page  # not among the former officers yet
    assert "30/06/2025" in page  # in office, until then


# A login with the office


def _appoint_with_login(tree, member, by, starts_on=date(2025, 7, 1)):
    """`member` appointed secretary of cell A1 from `starts_on`, with the login "ngoc.lt"."""
    return officer_appoint(
        unit=tree.cell_a1,
        member=member,
        role=OfficerRole.SECRETARY,
        starts_on=starts_on,
        by=by,
        username="ngoc.lt",
    )


def test_a_secretary_gets_a_new_login_with_her_office(tree, district_admin):
    officer = _appoint_with_login(tree, MemberFactory(unit=tree.cell_a1), district_admin)
    assert Assignment.objects.get(user=officer.user).role == Role.SECRETARY


def test_an_existing_username_of_someone_else_is_refused(tree, district_admin):
    UserFactory(username="ngoc.lt")
    member = MemberFactory(unit=tree.cell_a1)
    with pytest.raises(ValidationError):
        _appoint_with_login(tree, member, district_admin)
    assert not Officer.objects.exists()
    assert not Assignment.objects.filter(user__username="ngoc.lt").exists()


def test_the_same_members_login_is_given_again_with_her_next_office(
    tree, secretary, district_admin
):
    first = _appoint_with_login(tree, secretary.member, district_admin)
    again = _appoint_with_login(tree, secretary.member, district_admin, date(2025, 8, 1))
    assert again.user == first.user


def test_the_officer_form_refuses_a_username_of_someone_else(tree, district_admin, client_for):
    UserFactory(username="ngoc.lt")
    member = MemberFactory(unit=tree.cell_a1)
    client_for(district_admin).post(
        reverse("officer_create", args=[tree.cell_a1.pk]),
        {"member": member.pk, "role": "secretary", "starts_on": "01/07/2025",
         "username": "ngoc.lt"},
    )  # fmt: skip
    assert not Officer.objects.exists()
