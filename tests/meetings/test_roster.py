"""The list of a meeting is that of its day: placements and status as of the day, members away
or exempt kept apart with their reason, and an edit that never drops a row."""

from datetime import date

import pytest
from django.urls import reverse

from meetings.models import ApartReason, Attendance, AttendanceStatus, Meeting
from meetings.selectors import cell_roster
from members import services as member_services
from members.choices import EventKind
from members.models import Placement
from tests.meetings.factories import form_data, log_meeting, members_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_day")]
JANUARY = date(2026, 1, 10)


BORN = date(1970, 1, 1)  # of age at the admission: events run full validation


@pytest.fixture
def twenty(tree):
    return members_in(tree.cell_a1, 20, birth_date=BORN)


def _resave_unchanged(client, meeting):
    """Open the edit form and save it as it is, as a secretary would."""
    url = reverse("meeting_edit", args=[meeting.pk])
    page = client.get(url).content.decode()
    counted = [row.member for row in meeting.attendance.filter(is_apart=False)]
    statuses = {row.member: row.status for row in meeting.attendance.filter(is_apart=False)}
    reasons = {row.member: row.reason for row in meeting.attendance.filter(is_apart=False)}
    data = form_data(
        meeting.held_on,
        counted,
        statuses=statuses,
        reasons=reasons,
        version=meeting.version,
        meeting=meeting,
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return page


def test_a_member_who_died_after_the_meeting_keeps_the_row_on_an_unchanged_resave(
    tree, secretary_a, client_for, twenty
):
    gone = twenty[0]
    meeting = log_meeting(
        tree.cell_a1, secretary_a, JANUARY, absent={gone: AttendanceStatus.UNEXCUSED}
    )
    member_services.member_exit(
        member=gone, kind=EventKind.DIED, on=date(2026, 2, 1), by=secretary_a
    )
    page = _resave_unchanged(client_for(secretary_a), meeting)
    assert gone.full_name in page  # still on the January list: the status as of that day
    row = Attendance.objects.get(meeting=meeting, member=gone)
    assert row.status == AttendanceStatus.UNEXCUSED
    meeting.refresh_from_db()
    assert (meeting.expected_count, meeting.unexcused_count) == (20, 1)


def test_an_edit_keeps_and_shows_rows_of_members_no_longer_on_the_days_list(
    tree, secretary_a, client_for, twenty
):
    """Records corrected since (the member's placement now starts later): the row stays."""
    corrected = twenty[1]
    meeting = log_meeting(
        tree.cell_a1, secretary_a, JANUARY, absent={corrected: AttendanceStatus.EXCUSED}
    )
    Placement.objects.filter(member=corrected).update(valid_from=date(2026, 2, 1))
    assert corrected.pk not in {m.pk for m in cell_roster(tree.cell_a1, JANUARY)[0]}
    page = _resave_unchanged(client_for(secretary_a), meeting)
    assert corrected.full_name in page and "kept-member" in page
    row = Attendance.objects.get(meeting=meeting, member=corrected)
    assert (row.status, row.reason) == (AttendanceStatus.EXCUSED, "Đi nương")
    assert Attendance.objects.filter(meeting=meeting).count() == 20
    # The service alone (no form) keeps the row as it was, too.
    from meetings import services

    services.meeting_save(
        cell=tree.cell_a1,
        by=secretary_a,
        fields={"held_on": JANUARY, "kind": "regular"},
        attendance={},
        meeting=Meeting.objects.get(),
        version=Meeting.objects.get().version,
    )
    assert Attendance.objects.get(meeting=meeting, member=corrected).status == "excused"


def test_a_member_transferred_in_later_is_not_on_an_old_meetings_list(
    tree, secretary_a, district_admin, client_for, twenty
):
    newcomer = members_in(tree.cell_a2, 1, full_name="Lò Văn Chuyển", birth_date=BORN)[0]
    meeting = log_meeting(tree.cell_a1, secretary_a, JANUARY)
    member_services.member_transfer(
        member=newcomer, to_unit=tree.cell_a1, on=date(2026, 2, 1), by=district_admin
    )
    counted, apart = cell_roster(tree.cell_a1, JANUARY)
    assert newcomer.pk not in {m.pk for m in counted + apart}
    assert newcomer.pk in {m.pk for m in cell_roster(tree.cell_a1, date(2026, 3, 2))[0]}
    assert newcomer.pk in {m.pk for m in cell_roster(tree.cell_a2, JANUARY)[0]}
    page = _resave_unchanged(client_for(secretary_a), meeting)
    assert "Lò Văn Chuyển" not in page
    assert not Attendance.objects.filter(member=newcomer).exists()


def test_a_member_admitted_after_the_day_is_not_on_its_list(tree, twenty):
    late = members_in(tree.cell_a1, 1, admitted_on=date(2026, 2, 1))[0]
    assert late.pk not in {m.pk for m in cell_roster(tree.cell_a1, JANUARY)[0]}


def test_a_member_away_is_left_out_of_the_rate_and_shown_apart_with_the_reason(
    tree, secretary_a, client_for, twenty
):
    away = twenty[2]
    member_services.member_temporary_out(
        member=away,
        on=date(2026, 1, 5),
        until=date(2026, 7, 5),
        reason="study",
        place="Chi bộ lớp Trung cấp lý luận chính trị",
        by=secretary_a,
    )
    exempt = members_in(tree.cell_a1, 1, full_name="Lò Văn Miễn", exempt_since=date(2020, 1, 1))[0]
    client = client_for(secretary_a)
    page = client.get(reverse("meeting_create", args=[tree.cell_a1.pk])).content.decode()
    apart_list = page.split("apart-list")[1]
    assert away.full_name in apart_list and "sinh hoạt tạm thời" in apart_list
    counted = [m for m in twenty if m != away]
    client.post(reverse("meeting_create", args=[tree.cell_a1.pk]), form_data(JANUARY, counted))
    meeting = Meeting.objects.get()
    assert (meeting.expected_count, meeting.present_count, meeting.apart_count) == (19, 19, 2)
    rows = {r.member_id: r for r in Attendance.objects.filter(meeting=meeting, is_apart=True)}
    assert rows[away.pk].apart_reason == ApartReason.AWAY
    assert rows[exempt.pk].apart_reason == ApartReason.EXEMPT
    assert rows[away.pk].reason == "" and rows[exempt.pk].reason == ""  # a code, no text
    for name in ("meeting_detail", "meeting_minutes"):
        html = client.get(reverse(name, args=[meeting.pk])).content.decode()
        shown = html.split("apart-list")[1].split("</p>")[0]
        assert f"{away.full_name} (sinh hoạt tạm thời" in shown
        assert "Lò Văn Miễn (miễn công tác và sinh hoạt đảng)" in shown
