"""Membership events: each service changes the record, the placements and the timeline in step,
refuses bad dates and out-of-scope cells; the event pages and the member's timeline."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from meetings.selectors import cell_roster, is_away_on
from members import services
from members.choices import EventKind, MemberStatus, TransferScope
from members.models import Member, MembershipEvent, Placement
from members.selectors import member_standing_on, member_status_on, member_timeline
from tests.factories import MemberFactory, member_fields

# Events are recorded on 1 March 2026, morning in Điện Biên.
TODAY = datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def language(request):
    """Services' messages are compared with their English source; pages are used in
    Vietnamese, the language that reads dates as dd/mm/yyyy."""
    with translation.override("vi" if "client_for" in request.fixturenames else "en"):
        yield


def with_events(member: Member) -> Member:
    """The member, with the events their record implies (as the form or an import writes)."""
    MembershipEvent.objects.bulk_create(services.entry_events(member, by=None))
    return member


@pytest.fixture
def phuong(tree):
    """A full member of Chi bộ bản Mển since 2011, with the events of his record."""
    return with_events(
        MemberFactory(
            unit=tree.cell_a1,
            full_name="Lò Văn Phương",
            birth_date=date(1985, 4, 2),
            admitted_on=date(2010, 5, 19),
            official_on=date(2011, 5, 19),
        )
    )


@pytest.fixture
def ngoc(tree):
    """A probationary member admitted on 10/01/2025, ceremony on 20/01/2025."""
    return with_events(
        MemberFactory(
            unit=tree.cell_a1,
            full_name="Lò Thị Ngọc",
            birth_date=date(1998, 8, 8),
            admitted_on=date(2025, 1, 10),
            ceremony_on=date(2025, 1, 20),
            probationary=True,
        )
    )


def kinds(member) -> list[str]:
    return [e.kind for e in member_timeline(member)]


def refused(call, **arguments) -> dict:
    with pytest.raises(ValidationError) as exc:
        call(**arguments)
    return exc.value.message_dict if hasattr(exc.value, "error_dict") else {"": exc.value.messages}


# member_create


def test_new_member_gets_the_admitted_and_recognised_events(tree, secretary_a):
    member = services.member_create(unit=tree.cell_a1, by=secretary_a, **member_fields())
    assert kinds(member) == [EventKind.ADMITTED, EventKind.RECOGNISED]
    assert {e.created_by for e in member_timeline(member)} == {secretary_a}


def test_new_probationary_member_gets_only_the_admitted_event(tree, secretary_a):
    fields = member_fields(probationary=True, admitted_on=date(2025, 6, 1))
    member = services.member_create(unit=tree.cell_a1, by=secretary_a, **fields)
    assert kinds(member) == [EventKind.ADMITTED]


# Recognition


def test_recognition_makes_a_full_member_from_the_day_probation_ends(ngoc, secretary_a):
    event = services.member_recognise(
        member=ngoc, on=date(2026, 1, 20), by=secretary_a, decision_number="45-QĐ/ĐU"
    )
    ngoc.refresh_from_db()
    assert (ngoc.status, ngoc.official_on) == (MemberStatus.FULL, date(2026, 1, 20))
    assert (event.kind, event.decision_number, event.created_by) == (
        EventKind.RECOGNISED,
        "45-QĐ/ĐU",
        secretary_a,
    )
    assert ngoc.history.first().history_user == secretary_a


def test_recognition_before_twelve_months_from_the_ceremony_is_refused(ngoc, secretary_a):
    errors = refused(services.member_recognise, member=ngoc, on=date(2026, 1, 19), by=secretary_a)
    assert errors["on"] == ["Probation ends on 20/01/2026: recognition cannot come earlier."]
    assert Member.objects.get(pk=ngoc.pk).status == MemberStatus.PROBATIONARY


def test_a_full_member_cannot_be_recognised_again(phuong, secretary_a):
    errors = refused(services.member_recognise, member=phuong, on=date(2026, 1, 5), by=secretary_a)
    assert errors[""] == ["Only a probationary member can be recognised as a full member."]


def test_recognition_in_the_future_is_refused(ngoc, secretary_a):
    errors = refused(services.member_recognise, member=ngoc, on=date(2026, 3, 2), by=secretary_a)
    assert errors["on"] == ["This date is in the future."]


def test_another_cells_secretary_cannot_recognise(ngoc, secretary_b):
    with pytest.raises(PermissionDenied):
        services.member_recognise(member=ngoc, on=date(2026, 1, 20), by=secretary_b)


# Transfers between cells


def test_transfer_moves_the_member_with_a_new_placement(phuong, tree, commune_staff_a):
    event = services.member_transfer(
        member=phuong, to_unit=tree.cell_a2, on=date(2026, 2, 1), by=commune_staff_a
    )
    placements = list(
        Placement.objects.filter(member=phuong).values_list("unit", "valid_from", "valid_to")
    )
    assert Member.objects.get(pk=phuong.pk).unit == tree.cell_a2
    assert placements == [
        (tree.cell_a1.pk, date(2010, 5, 19), date(2026, 2, 1)),
        (tree.cell_a2.pk, date(2026, 2, 1), None),
    ]
    assert (event.kind, event.from_unit, event.to_unit) == (
        EventKind.TRANSFER_INTERNAL,
        tree.cell_a1,
        tree.cell_a2,
    )


def test_transfer_writes_one_event(phuong, tree, commune_staff_a):
    services.member_transfer(
        member=phuong, to_unit=tree.cell_a2, on=date(2026, 2, 1), by=commune_staff_a
    )
    assert phuong.events.filter(kind=EventKind.TRANSFER_INTERNAL).count() == 1


def test_secretary_cannot_transfer_into_a_unit_outside_her_cell(phuong, tree, secretary_a):
    with pytest.raises(PermissionDenied):
        services.member_transfer(
            member=phuong, to_unit=tree.cell_b1, on=date(2026, 2, 1), by=secretary_a
        )
    assert Member.objects.get(pk=phuong.pk).unit == tree.cell_a1


def test_commune_staff_cannot_transfer_into_another_commune(phuong, tree, commune_staff_a):
    with pytest.raises(PermissionDenied):
        services.member_transfer(
            member=phuong, to_unit=tree.cell_b1, on=date(2026, 2, 1), by=commune_staff_a
        )


def test_transfer_into_the_same_cell_is_refused(phuong, tree, commune_staff_a):
    errors = refused(
        services.member_transfer,
        member=phuong,
        to_unit=tree.cell_a1,
        on=date(2026, 2, 1),
        by=commune_staff_a,
    )
    assert errors["to_unit"] == ["The member is already in this cell."]


def test_transfer_into_a_commune_is_refused(phuong, tree, commune_staff_a):
    errors = refused(
        services.member_transfer,
        member=phuong,
        to_unit=tree.commune_a,
        on=date(2026, 2, 1),
        by=commune_staff_a,
    )
    assert errors["to_unit"] == ["Members belong to a party cell."]


def test_transfer_dated_before_the_admission_is_refused(phuong, tree, commune_staff_a):
    errors = refused(
        services.member_transfer,
        member=phuong,
        to_unit=tree.cell_a2,
        on=date(2009, 1, 1),
        by=commune_staff_a,
    )
    assert errors["on"] == ["This date is before the member's admission (19/05/2010)."]


def test_event_dated_before_the_previous_event_is_refused(phuong, tree, commune_staff_a):
    services.member_exempt(member=phuong, on=date(2025, 6, 1), by=commune_staff_a)
    errors = refused(
        services.member_transfer,
        member=phuong,
        to_unit=tree.cell_a2,
        on=date(2025, 5, 1),
        by=commune_staff_a,
    )
    assert errors["on"] == [
        "This date is before the member's last event (exempted from activity, 01/06/2025)."
    ]


def figures_members(response) -> int:
    """The "party members" figure of a unit page."""
    html = response.content.decode()
    match = re.search(r'figure-value">([\d.]+)</div>\s*<div class="figure-label">Đảng viên', html)
    return int(match.group(1).replace(".", ""))


def test_transfer_shows_on_both_cells_and_in_the_timeline_and_keeps_the_day_before(
    phuong, tree, commune_staff_a, client_for
):
    MemberFactory(unit=tree.cell_a1, full_name="Quàng Thị Bình")
    client = client_for(commune_staff_a)
    old_page, new_page = tree.cell_a1.get_absolute_url(), tree.cell_a2.get_absolute_url()
    with translation.override("vi"):
        before = figures_members(client.get(old_page, {"as_of": "31/01/2026"}))
        response = client.post(
            reverse("member_event", args=[phuong.pk, "transfer"]),
            {"on": "01/02/2026", "to_unit": tree.cell_a2.pk, "decision_number": "12-QĐ/ĐU"},
        )
        assert response.status_code == 302
        assert figures_members(client.get(old_page, {"as_of": "31/01/2026"})) == before == 2
        assert figures_members(client.get(old_page)) == 1
        assert "Lò Văn Phương" in client.get(new_page).content.decode()
        timeline = client.get(phuong.get_absolute_url()).content.decode().split('id="timeline"')[1]
    assert "12-QĐ/ĐU" in timeline and "Chi bộ bản Mển → Chi bộ bản Huổi Mí" in timeline


def test_transfer_form_offers_only_cells_the_user_may_edit(
    phuong, tree, commune_staff_a, client_for
):
    url = reverse("member_event", args=[phuong.pk, "transfer"])
    html = client_for(commune_staff_a).get(url).content.decode()
    assert "Chi bộ bản Huổi Mí" in html and "Chi bộ bản Nậm Chua" not in html


def test_secretary_posting_a_transfer_to_another_commune_gets_the_form_back(
    phuong, tree, secretary_a, client_for
):
    url = reverse("member_event", args=[phuong.pk, "transfer"])
    response = client_for(secretary_a).post(url, {"on": "01/02/2026", "to_unit": tree.cell_b1.pk})
    assert "to_unit" in response.context["form"].errors
    assert Member.objects.get(pk=phuong.pk).unit == tree.cell_a1


# Transfers out of and into the tree


def test_transfer_out_ends_membership_here_and_keeps_the_record(phuong, secretary_a):
    event = services.member_transfer_out(
        member=phuong,
        scope=TransferScope.OTHER_PROVINCE,
        place="Đảng bộ phường Tân Phong, tỉnh Lai Châu",
        on=date(2026, 2, 10),
        by=secretary_a,
    )
    phuong.refresh_from_db()
    assert (phuong.status, phuong.left_on) == (MemberStatus.TRANSFERRED_OUT, date(2026, 2, 10))
    assert not Placement.objects.filter(member=phuong, valid_to__isnull=True).exists()
    assert (event.scope, event.place) == (
        TransferScope.OTHER_PROVINCE,
        "Đảng bộ phường Tân Phong, tỉnh Lai Châu",
    )


def test_transfer_out_needs_the_organisation(phuong, secretary_a):
    errors = refused(
        services.member_transfer_out,
        member=phuong,
        scope=TransferScope.OTHER_DISTRICT,
        place=" ",
        on=date(2026, 2, 10),
        by=secretary_a,
    )
    assert errors["place"] == ["Give the party organisation outside."]


def test_member_who_left_cannot_be_transferred(phuong, tree, secretary_a):
    services.member_exit(member=phuong, kind=EventKind.DIED, on=date(2026, 1, 3), by=secretary_a)
    errors = refused(
        services.member_transfer_out,
        member=phuong,
        scope=TransferScope.OTHER_DISTRICT,
        place="Đảng bộ xã Tủa Chùa",
        on=date(2026, 2, 10),
        by=secretary_a,
    )
    assert errors[""] == ["This member is no longer on the rolls."]


def test_transfer_in_creates_the_member_on_the_cells_rolls_from_that_day(tree, secretary_a):
    member = services.member_transfer_in(
        unit=tree.cell_a1,
        scope=TransferScope.OTHER_DISTRICT,
        place="Đảng bộ xã Quài Tở, huyện Tuần Giáo",
        on=date(2026, 1, 15),
        by=secretary_a,
        **member_fields(full_name="Cầm Văn Hặc"),
    )
    assert kinds(member) == [EventKind.TRANSFER_IN]
    assert list(member.placements.values_list("unit", "valid_from")) == [
        (tree.cell_a1.pk, date(2026, 1, 15))
    ]
    assert member_status_on(member, date(2026, 1, 14)) is None
    assert member_status_on(member, date(2026, 1, 15)) == MemberStatus.FULL


def test_transfer_in_outside_the_users_scope_is_refused(tree, secretary_a):
    with pytest.raises(PermissionDenied):
        services.member_transfer_in(
            unit=tree.cell_b1,
            scope=TransferScope.OTHER_DISTRICT,
            place="Đảng bộ xã Quài Tở",
            on=date(2026, 1, 15),
            by=secretary_a,
            **member_fields(),
        )
    assert not Member.objects.exists()


def test_transfer_in_page_records_the_member(tree, secretary_a, client_for):
    from tests.members.test_views import form_data

    data = form_data(
        unit=tree.cell_a1.pk,
        on="15/01/2026",
        scope=TransferScope.OTHER_PROVINCE,
        place="Đảng bộ xã Nậm Tăm, tỉnh Lai Châu",
        decision_number="77-QĐ/HU",
    )
    response = client_for(secretary_a).post(reverse("member_transfer_in"), data)
    assert response.status_code == 302
    member = Member.objects.get(full_name="Lò Văn Phương")
    assert kinds(member) == [EventKind.TRANSFER_IN]


# Temporary transfers


def test_temporary_transfer_for_work_marks_the_member_away(phuong, tree, secretary_a):
    services.member_temporary_out(
        member=phuong,
        on=date(2026, 1, 5),
        until=date(2026, 7, 5),
        reason="work",
        place="Chi bộ Công ty Thủy điện Sơn La",
        by=secretary_a,
    )
    phuong.refresh_from_db()
    assert (phuong.away_since, phuong.away_until) == (date(2026, 1, 5), date(2026, 7, 5))
    assert is_away_on(phuong, date(2026, 2, 1)) and not is_away_on(phuong, date(2026, 7, 5))


def test_member_away_is_shown_apart_in_the_meeting_roster(phuong, tree, secretary_a):
    services.member_temporary_out(
        member=phuong,
        on=date(2026, 1, 5),
        until=date(2026, 7, 5),
        reason="study",
        place="Chi bộ lớp Trung cấp lý luận chính trị",
        by=secretary_a,
    )
    counted, apart = cell_roster(tree.cell_a1, date(2026, 2, 10))
    assert [m.full_name for m in apart] == ["Lò Văn Phương"] and counted == []


def test_temporary_transfer_for_work_of_a_year_is_refused(phuong, secretary_a):
    errors = refused(
        services.member_temporary_out,
        member=phuong,
        on=date(2026, 1, 5),
        until=date(2027, 1, 5),
        reason="work",
        place="Chi bộ Công ty",
        by=secretary_a,
    )
    assert errors["until"] == ["A temporary transfer for work or residence lasts less than a year."]


def test_temporary_transfer_for_study_may_last_two_years(phuong, secretary_a):
    event = services.member_temporary_out(
        member=phuong,
        on=date(2026, 1, 5),
        until=date(2028, 1, 5),
        reason="study",
        place="Chi bộ Học viện Chính trị khu vực I",
        by=secretary_a,
    )
    assert event.until == date(2028, 1, 5)


def test_temporary_transfer_for_study_beyond_two_years_is_refused(phuong, secretary_a):
    errors = refused(
        services.member_temporary_out,
        member=phuong,
        on=date(2026, 1, 5),
        until=date(2028, 1, 6),
        reason="study",
        place="Chi bộ Học viện",
        by=secretary_a,
    )
    assert errors["until"] == ["A temporary transfer for study lasts at most 24 months."]


def test_temporary_transfer_under_three_months_is_refused(phuong, secretary_a):
    errors = refused(
        services.member_temporary_out,
        member=phuong,
        on=date(2026, 1, 5),
        until=date(2026, 4, 4),
        reason="residence",
        place="Chi bộ tổ dân phố 3",
        by=secretary_a,
    )
    assert errors["until"] == ["A temporary transfer lasts at least 3 months."]


def test_return_from_temporary_transfer_ends_the_absence(phuong, secretary_a):
    services.member_temporary_out(
        member=phuong,
        on=date(2025, 9, 1),
        until=date(2026, 6, 1),
        reason="work",
        place="Chi bộ Công ty",
        by=secretary_a,
    )
    services.member_temporary_back(member=phuong, on=date(2026, 2, 15), by=secretary_a)
    phuong.refresh_from_db()
    assert is_away_on(phuong, date(2026, 2, 14)) and not is_away_on(phuong, date(2026, 2, 15))
    assert kinds(phuong)[-2:] == [EventKind.TEMP_OUT, EventKind.TEMP_BACK]


def test_return_of_a_member_who_is_not_away_is_refused(phuong, secretary_a):
    errors = refused(
        services.member_temporary_back, member=phuong, on=date(2026, 2, 15), by=secretary_a
    )
    assert errors[""] == ["This member is not on temporary transfer."]


# Exemption


def test_exemption_and_its_end(phuong, secretary_a):
    services.member_exempt(member=phuong, on=date(2025, 3, 1), by=secretary_a)
    assert Member.objects.get(pk=phuong.pk).exempt_since == date(2025, 3, 1)
    services.member_exemption_end(member=phuong, on=date(2026, 2, 1), by=secretary_a)
    assert Member.objects.get(pk=phuong.pk).exempt_since is None
    assert kinds(phuong)[-2:] == [EventKind.EXEMPTED, EventKind.EXEMPTION_ENDED]


def test_exempting_an_exempt_member_is_refused(phuong, secretary_a):
    services.member_exempt(member=phuong, on=date(2025, 3, 1), by=secretary_a)
    errors = refused(services.member_exempt, member=phuong, on=date(2026, 1, 1), by=secretary_a)
    assert errors[""] == ["This member is already exempt from activity."]


def test_ending_an_exemption_that_does_not_exist_is_refused(phuong, secretary_a):
    errors = refused(
        services.member_exemption_end, member=phuong, on=date(2026, 1, 1), by=secretary_a
    )
    assert errors[""] == ["This member is not exempt from activity."]


# Leaving and re-admission


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (EventKind.DIED, MemberStatus.DECEASED),
        (EventKind.EXPELLED, MemberStatus.EXPELLED),
        (EventKind.REMOVED, MemberStatus.REMOVED),
        (EventKind.RESIGNED, MemberStatus.RESIGNED),
    ],
)
def test_exit_takes_the_member_off_the_rolls(phuong, secretary_a, kind, status):
    services.member_exit(member=phuong, kind=kind, on=date(2026, 1, 3), by=secretary_a)
    phuong.refresh_from_db()
    assert (phuong.status, phuong.left_on) == (status, date(2026, 1, 3))
    assert member_standing_on(phuong, date(2026, 1, 3)).unit is None


def test_exit_of_a_kind_that_is_not_leaving_is_refused(phuong, secretary_a):
    errors = refused(
        services.member_exit,
        member=phuong,
        kind=EventKind.TRANSFER_OUT,
        on=date(2026, 1, 3),
        by=secretary_a,
    )
    assert errors[""] == ["Choose how the member left."]


def test_readmission_before_36_months_is_refused(phuong, secretary_a):
    services.member_exit(member=phuong, kind=EventKind.REMOVED, on=date(2022, 3, 2), by=secretary_a)
    errors = refused(services.member_reinstate, member=phuong, on=date(2025, 3, 1), by=secretary_a)
    assert errors["on"] == [
        "Re-admission comes no earlier than 36 months after leaving (from 02/03/2025)."
    ]


def test_readmission_after_36_months_puts_the_member_on_probation_again(phuong, secretary_a):
    services.member_exit(
        member=phuong, kind=EventKind.RESIGNED, on=date(2022, 3, 2), by=secretary_a
    )
    services.member_reinstate(member=phuong, on=date(2025, 3, 2), by=secretary_a)
    phuong.refresh_from_db()
    assert (phuong.status, phuong.left_on, phuong.ceremony_on) == (
        MemberStatus.PROBATIONARY,
        None,
        date(2025, 3, 2),
    )
    assert member_standing_on(phuong, date(2025, 3, 2)).unit is not None


def test_a_deceased_member_cannot_be_readmitted(phuong, secretary_a):
    services.member_exit(member=phuong, kind=EventKind.DIED, on=date(2020, 3, 2), by=secretary_a)
    errors = refused(services.member_reinstate, member=phuong, on=date(2025, 3, 2), by=secretary_a)
    assert errors[""] == ["Only a member who was expelled, removed or resigned can be re-admitted."]


# Status and cell on a date


def test_status_on_a_date_follows_the_events(ngoc, tree, commune_staff_a):
    services.member_recognise(member=ngoc, on=date(2026, 1, 20), by=commune_staff_a)
    services.member_transfer(
        member=ngoc, to_unit=tree.cell_a2, on=date(2026, 2, 1), by=commune_staff_a
    )
    assert member_status_on(ngoc, date(2025, 1, 9)) is None
    assert member_status_on(ngoc, date(2025, 6, 1)) == MemberStatus.PROBATIONARY
    assert member_status_on(ngoc, date(2026, 1, 20)) == MemberStatus.FULL


def test_cell_on_a_date_follows_the_placements(ngoc, tree, commune_staff_a):
    services.member_transfer(
        member=ngoc, to_unit=tree.cell_a2, on=date(2026, 2, 1), by=commune_staff_a
    )
    assert member_standing_on(ngoc, date(2026, 1, 31)).unit == tree.cell_a1
    assert member_standing_on(ngoc, date(2026, 2, 1)).unit == tree.cell_a2


# Pages


def test_member_page_shows_the_timeline_with_its_author(ngoc, secretary_a, client_for):
    services.member_recognise(
        member=ngoc, on=date(2026, 1, 20), by=secretary_a, decision_number="45-QĐ/ĐU"
    )
    page = client_for(secretary_a).get(ngoc.get_absolute_url()).content.decode()
    timeline = page.split('id="timeline"')[1]
    assert "20/01/2026" in timeline and "45-QĐ/ĐU" in timeline and "Lò Thị Hương" in timeline


def test_action_menu_offers_recognition_to_a_probationary_member_only(
    ngoc, phuong, secretary_a, client_for
):
    client = client_for(secretary_a)
    recognise = "/events/recognise/"
    assert recognise in client.get(ngoc.get_absolute_url()).content.decode()
    assert recognise not in client.get(phuong.get_absolute_url()).content.decode()


def test_viewer_sees_no_action_menu(phuong, viewer, client_for):
    assert (
        "member-actions" not in client_for(viewer).get(phuong.get_absolute_url()).content.decode()
    )


def test_event_page_records_and_redirects_with_a_message(ngoc, secretary_a, client_for):
    url = reverse("member_event", args=[ngoc.pk, "recognise"])
    response = client_for(secretary_a).post(
        url, {"on": "20/01/2026", "decision_number": "45-QĐ/ĐU"}, follow=True
    )
    assert response.redirect_chain[-1][0] == ngoc.get_absolute_url()
    message = str(list(response.context["messages"])[0])
    assert "Lò Thị Ngọc" in message and "20/01/2026" in message
    assert Member.objects.get(pk=ngoc.pk).status == MemberStatus.FULL


def test_event_page_shows_the_services_refusal_on_the_date(ngoc, secretary_a, client_for):
    url = reverse("member_event", args=[ngoc.pk, "recognise"])
    response = client_for(secretary_a).post(url, {"on": "01/01/2026"})
    assert response.status_code == 200
    assert "20/01/2026" in response.context["form"].errors["on"][0]


def test_event_page_refuses_a_date_that_is_not_dd_mm_yyyy(ngoc, secretary_a, client_for):
    url = reverse("member_event", args=[ngoc.pk, "exempt"])
    response = client_for(secretary_a).post(url, {"on": "2026-13-01"})
    assert response.status_code == 200 and "on" in response.context["form"].errors


@pytest.mark.parametrize("action", ["died", "expelled", "removed", "resigned"])
def test_exit_pages_record_the_form_of_leaving(phuong, secretary_a, client_for, action):
    url = reverse("member_event", args=[phuong.pk, action])
    assert client_for(secretary_a).post(url, {"on": "03/01/2026"}).status_code == 302
    assert Member.objects.get(pk=phuong.pk).status == services.EXIT_STATUSES[action]


def test_viewer_gets_403_on_an_event_page(phuong, viewer, client_for):
    url = reverse("member_event", args=[phuong.pk, "exempt"])
    assert client_for(viewer).get(url).status_code == 403


def test_another_cells_secretary_gets_404_on_an_event_page(phuong, secretary_b, client_for):
    url = reverse("member_event", args=[phuong.pk, "exempt"])
    assert client_for(secretary_b).post(url, {"on": "03/01/2026"}).status_code == 404
    assert Member.objects.get(pk=phuong.pk).exempt_since is None


def test_unknown_event_is_not_found(phuong, secretary_a, client_for):
    url = reverse("member_event", args=[phuong.pk, "promote"])
    assert client_for(secretary_a).get(url).status_code == 404


def test_event_page_refuses_other_methods(phuong, secretary_a, client_for):
    url = reverse("member_event", args=[phuong.pk, "exempt"])
    assert client_for(secretary_a).put(url).status_code == 405


def test_demo_members_have_the_events_that_give_their_status_and_some_transfers(db):
    from collections import defaultdict

    from django.core.management import call_command

    call_command("load_demo", without_meetings=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    events = defaultdict(list)
    for event in MembershipEvent.objects.order_by("on", "id"):
        events[event.member_id].append(event)
    wrong = [
        m.full_name
        for m in Member.objects.all()
        if member_status_on(m, date.today(), events[m.pk]) != m.status
    ]
    assert wrong == []
    assert (
        MembershipEvent.objects.filter(
            kind__in=[EventKind.TRANSFER_INTERNAL, EventKind.TRANSFER_IN, EventKind.TEMP_OUT]
        )
        .values("kind")
        .distinct()
        .count()
        == 3
    )


def test_admin_lists_only_the_events_of_the_administrators_subtree(
    phuong, tree, commune_admin, client_for
):
    with_events(MemberFactory(unit=tree.cell_b1, full_name="Giàng A Sử"))
    html = client_for(commune_admin).get("/admin/members/membershipevent/").content.decode()
    assert "Lò Văn Phương" in html and "Giàng A Sử" not in html


# Record dates that events govern (member_update)


def test_admission_date_after_the_members_transfer_is_refused(ngoc, tree, commune_staff_a):
    services.member_transfer(
        member=ngoc, to_unit=tree.cell_a2, on=date(2025, 6, 2), by=commune_staff_a
    )
    with pytest.raises(ValidationError) as refused:
        services.member_update(member=ngoc, by=commune_staff_a, admitted_on=date(2025, 7, 1))
    assert "02/06/2025" in refused.value.message_dict["admitted_on"][0]
    assert Member.objects.get(pk=ngoc.pk).admitted_on == date(2025, 1, 10)


def test_admission_date_after_a_move_by_reorganisation_is_refused(ngoc, tree, commune_staff_a):
    services.members_move(members=[ngoc], to_unit=tree.cell_a2, on=date(2025, 3, 1), by=None)
    with pytest.raises(ValidationError) as refused:
        services.member_update(member=ngoc, by=commune_staff_a, admitted_on=date(2025, 4, 1))
    assert "01/03/2025" in refused.value.message_dict["admitted_on"][0]


def test_corrected_admission_of_a_member_transferred_in_keeps_the_transfer_placement(
    tree, secretary_a
):
    member = services.member_transfer_in(
        unit=tree.cell_a1,
        scope=TransferScope.OTHER_DISTRICT,
        place="Đảng bộ xã Quài Tở, huyện Tuần Giáo",
        on=date(2026, 1, 15),
        by=secretary_a,
        **member_fields(admitted_on=date(2012, 4, 2)),
    )
    services.member_update(member=member, by=secretary_a, admitted_on=date(2012, 3, 2))
    assert list(member.placements.values_list("valid_from", flat=True)) == [date(2026, 1, 15)]


def test_full_membership_date_set_on_the_record_follows_the_recognition_rules(ngoc, secretary_a):
    with pytest.raises(ValidationError) as refused:
        services.member_update(member=ngoc, by=secretary_a, official_on=date(2025, 12, 1))
    assert "20/01/2026" in refused.value.message_dict["official_on"][0]


def test_full_membership_date_set_on_the_record_recognises_with_the_event(ngoc, secretary_a):
    services.member_update(member=ngoc, by=secretary_a, official_on=date(2026, 1, 20))
    ngoc.refresh_from_db()
    assert (ngoc.status, kinds(ngoc)[-1]) == (MemberStatus.FULL, EventKind.RECOGNISED)


def test_full_membership_date_cannot_be_removed(phuong, secretary_a):
    with pytest.raises(ValidationError):
        services.member_update(member=phuong, by=secretary_a, official_on=None)
    assert Member.objects.get(pk=phuong.pk).status == MemberStatus.FULL


def test_full_membership_date_cannot_move_past_the_next_event(phuong, tree, commune_staff_a):
    services.member_transfer(
        member=phuong, to_unit=tree.cell_a2, on=date(2012, 1, 9), by=commune_staff_a
    )
    with pytest.raises(ValidationError) as refused:
        services.member_update(member=phuong, by=commune_staff_a, official_on=date(2012, 5, 19))
    assert "09/01/2012" in refused.value.message_dict["official_on"][0]


def test_corrected_full_membership_date_moves_the_recognition_event(phuong, secretary_a):
    services.member_update(member=phuong, by=secretary_a, official_on=date(2011, 6, 1))
    assert phuong.events.get(kind=EventKind.RECOGNISED).on == date(2011, 6, 1)


# The member page: actions offered, status and cell on a date


def test_transfer_is_not_offered_to_a_secretary_with_no_other_cell(phuong, secretary_a, client_for):
    page = client_for(secretary_a).get(phuong.get_absolute_url()).content.decode()
    assert "/events/transfer/" not in page and "/events/transfer-out/" in page


def test_transfer_is_offered_to_commune_staff(phuong, commune_staff_a, client_for):
    page = client_for(commune_staff_a).get(phuong.get_absolute_url()).content.decode()
    assert "/events/transfer/" in page


def test_member_page_shows_the_cell_and_status_as_of_a_date(
    ngoc, tree, commune_staff_a, client_for
):
    services.member_recognise(member=ngoc, on=date(2026, 1, 20), by=commune_staff_a)
    services.member_transfer(
        member=ngoc, to_unit=tree.cell_a2, on=date(2026, 2, 1), by=commune_staff_a
    )
    response = client_for(commune_staff_a).get(ngoc.get_absolute_url(), {"as_of": "15/06/2025"})
    standing = response.content.decode().split('id="standing"')[1].split("</div>")[0]
    assert tree.cell_a1.display_name in standing and "dự bị" in standing


def test_member_page_as_of_a_day_before_admission_says_not_yet_on_the_rolls(
    ngoc, secretary_a, client_for
):
    response = client_for(secretary_a).get(ngoc.get_absolute_url(), {"as_of": "01/01/2020"})
    standing = response.context["standing"]
    assert (standing.status, standing.unit) == (None, None)


def test_member_page_refuses_an_as_of_date_not_written_dd_mm_yyyy(ngoc, secretary_a, client_for):
    response = client_for(secretary_a).get(ngoc.get_absolute_url(), {"as_of": "2025-13-40"})
    assert response.status_code == 200 and response.context["standing"] is None
