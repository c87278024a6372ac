"""Logging a meeting: the form on a cell, stored counts, rollups, editing safely, access."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from meetings import services
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MemberMonth,
    MonthlyRollup,
    Task,
)
from meetings.services import STALE_MESSAGE, recompute_rollups
from tests.meetings.factories import DAY, form_data, log_meeting, members_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_day")]


@pytest.fixture
def twenty(tree):
    return members_in(tree.cell_a1, 20)


def test_form_lists_the_cells_members_all_present(tree, secretary_a, client_for, twenty):
    page = client_for(secretary_a).get(reverse("meeting_create", args=[tree.cell_a1.pk]))
    html = page.content.decode()
    assert len(re.findall(r'value="present"[^>]*checked', html)) == 20
    assert all(m.full_name in html for m in twenty)


def test_exempt_members_are_shown_apart_and_left_out_of_the_rate(
    tree, secretary_a, client_for, twenty
):
    exempt = members_in(tree.cell_a1, 1, full_name="Lò Văn Miễn", exempt_since=date(2020, 1, 1))[0]
    client = client_for(secretary_a)
    page = client.get(reverse("meeting_create", args=[tree.cell_a1.pk])).content.decode()
    assert f'name="status_{exempt.pk}"' not in page and "Lò Văn Miễn" in page
    client.post(reverse("meeting_create", args=[tree.cell_a1.pk]), form_data(DAY, twenty))
    meeting = Meeting.objects.get()
    assert (meeting.expected_count, meeting.apart_count) == (20, 1)


def test_secretary_logs_a_meeting_and_sees_17_of_20_present(tree, secretary_a, client_for, twenty):
    statuses = {
        twenty[0]: AttendanceStatus.EXCUSED,
        twenty[1]: AttendanceStatus.EXCUSED,
        twenty[2]: AttendanceStatus.UNEXCUSED,
    }
    client = client_for(secretary_a)
    response = client.post(
        reverse("meeting_create", args=[tree.cell_a1.pk]),
        form_data(DAY, twenty, statuses=statuses, reasons={twenty[0]: "Đi nương"}),
        follow=True,
    )
    assert "17/20" in response.content.decode() and "(85%)" in response.content.decode()
    meeting = Meeting.objects.get()
    assert (meeting.present_count, meeting.excused_count, meeting.unexcused_count) == (17, 2, 1)


def test_stored_counts_match_the_attendance_rows(tree, secretary_a, twenty):
    meeting = log_meeting(
        tree.cell_a1, secretary_a, DAY, absent={twenty[5]: AttendanceStatus.UNEXCUSED}
    )
    rows = Attendance.objects.filter(meeting=meeting, is_apart=False)
    assert rows.count() == meeting.expected_count == 20
    assert rows.filter(status="present").count() == meeting.present_count == 19


def test_a_save_upserts_the_monthly_rollup_in_the_same_transaction(tree, secretary_a, twenty):
    log_meeting(tree.cell_a1, secretary_a, DAY, absent={twenty[0]: AttendanceStatus.EXCUSED})
    log_meeting(tree.cell_a1, secretary_a, date(2026, 3, 2), kind="thematic", topic="Học tập")
    rollup = MonthlyRollup.objects.get(unit=tree.cell_a1, month=date(2026, 3, 1))
    assert (rollup.meetings, rollup.regular, rollup.thematic) == (2, 1, 1)
    assert (rollup.expected, rollup.present, rollup.good_quality) == (40, 39, 2)


def test_moving_a_meeting_to_another_month_moves_its_rollup(tree, secretary_a, twenty):
    meeting = log_meeting(tree.cell_a1, secretary_a, DAY)
    log_meeting_fields = {"held_on": date(2026, 2, 10), "kind": "regular", "topic": ""}
    from meetings import services

    services.meeting_save(
        cell=tree.cell_a1,
        by=secretary_a,
        fields=log_meeting_fields,
        attendance={},
        meeting=meeting,
        version=meeting.version,
    )
    months = list(MonthlyRollup.objects.values_list("month", flat=True))
    assert months == [date(2026, 2, 1)]


def test_recompute_rollups_finds_nothing_to_fix_after_saves(tree, secretary_a, twenty):
    log_meeting(tree.cell_a1, secretary_a, DAY)
    assert recompute_rollups() == []


def test_stored_figures_agree_with_a_recount_after_saves_edits_and_deletes(
    tree, secretary_a, twenty
):
    """The rollups a save writes (summed in Python for its cell-month) are those the recount
    sums in SQL: kinds, good and poor meetings, a meeting moved to another month, one deleted."""
    UNEXCUSED, EXCUSED = AttendanceStatus.UNEXCUSED, AttendanceStatus.EXCUSED
    log_meeting(tree.cell_a1, secretary_a, date(2026, 2, 3))
    poor = log_meeting(tree.cell_a1, secretary_a, date(2026, 2, 20), absent={twenty[0]: UNEXCUSED})
    thematic = log_meeting(
        tree.cell_a1, secretary_a, DAY, kind="thematic", topic="Chuyển đổi số",
        absent={m: EXCUSED for m in twenty[:4]},
    )  # fmt: skip
    services.meeting_save(  # excused -> unexcused, excused -> present, present -> excused
        cell=tree.cell_a1, by=secretary_a, meeting=thematic, version=thematic.version,
        fields={"held_on": DAY, "kind": "thematic", "topic": "Chuyển đổi số", "is_model": False},
        attendance={
            twenty[0].pk: (UNEXCUSED, ""), twenty[1].pk: (AttendanceStatus.PRESENT, ""),
            twenty[2].pk: (EXCUSED, "Ốm"), twenty[3].pk: (EXCUSED, "Ốm"),
            twenty[5].pk: (EXCUSED, "Đi nương"),
        },
    )  # fmt: skip
    moved = log_meeting(tree.cell_a1, secretary_a, date(2026, 1, 9), absent={twenty[1]: EXCUSED})
    services.meeting_save(
        cell=tree.cell_a1, by=secretary_a, meeting=moved, version=moved.version,
        fields={"held_on": date(2026, 3, 2), "kind": "regular", "topic": "", "is_model": False},
        attendance={twenty[1].pk: (UNEXCUSED, "")},
    )  # fmt: skip
    services.meeting_delete(meeting=poor, by=secretary_a)

    assert recompute_rollups(fix=False) == []
    march = MonthlyRollup.objects.get(unit=tree.cell_a1, month=date(2026, 3, 1))
    assert (march.meetings, march.regular, march.thematic, march.good_quality) == (2, 1, 1, 0)
    assert (march.expected, march.present, march.excused, march.unexcused) == (40, 35, 3, 2)
    absences = {
        m.member_id: (m.absences, m.unexcused)
        for m in MemberMonth.objects.filter(month=date(2026, 3, 1))
    }
    assert absences == {
        twenty[0].pk: (1, 1), twenty[1].pk: (1, 1), twenty[2].pk: (1, 0),
        twenty[3].pk: (1, 0), twenty[5].pk: (1, 0),
    }  # fmt: skip
    assert not MemberMonth.objects.filter(month=date(2026, 1, 1)).exists()
    assert not MonthlyRollup.objects.filter(month=date(2026, 1, 1)).exists()


def test_recompute_rollups_reports_and_fixes_a_wrong_rollup(tree, secretary_a, twenty):
    log_meeting(tree.cell_a1, secretary_a, DAY)
    MonthlyRollup.objects.update(present=3)
    assert len(recompute_rollups()) == 1
    assert MonthlyRollup.objects.get().present == 20


def test_thematic_meeting_needs_a_topic(tree, secretary_a, client_for, twenty):
    url = reverse("meeting_create", args=[tree.cell_a1.pk])
    response = client_for(secretary_a).post(url, form_data(DAY, twenty, kind="thematic"))
    assert response.status_code == 200
    assert Meeting.objects.count() == 0


def test_tasks_are_saved_with_the_meeting(tree, secretary_a, client_for, twenty):
    data = form_data(DAY, twenty)
    data.update(
        {"task-0-member": twenty[3].pk, "task-0-text": "Vận động hộ nghèo", "task-0-due_on": ""}
    )
    client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    assert Task.objects.get().member == twenty[3]


def test_editing_changes_attendance_and_leaves_history(tree, secretary_a, client_for, twenty):
    meeting = log_meeting(tree.cell_a1, secretary_a, DAY)
    data = form_data(
        DAY, twenty, statuses={twenty[4]: AttendanceStatus.EXCUSED}, version=meeting.version
    )
    client_for(secretary_a).post(reverse("meeting_edit", args=[meeting.pk]), data)
    meeting.refresh_from_db()
    assert meeting.present_count == 19
    row = Attendance.objects.get(meeting=meeting, member=twenty[4])
    assert row.history.count() == 2 and meeting.history.count() == 2


def test_meeting_page_lists_who_changed_the_attendance(tree, secretary_a, client_for, twenty):
    meeting = log_meeting(tree.cell_a1, secretary_a, DAY)
    data = form_data(
        DAY, twenty, statuses={twenty[4]: AttendanceStatus.UNEXCUSED}, version=meeting.version
    )
    client = client_for(secretary_a)
    client.post(reverse("meeting_edit", args=[meeting.pk]), data)
    page = client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    section = page.split("attendance-changes")[1]
    assert twenty[4].full_name in section and "Lò Thị Hương" in section


def test_second_of_two_concurrent_saves_is_refused_and_nothing_is_lost(
    tree, secretary_a, commune_staff_a, client_for, twenty
):
    meeting = log_meeting(tree.cell_a1, secretary_a, DAY)
    url = reverse("meeting_edit", args=[meeting.pk])
    first, second = client_for(secretary_a), client_for(commune_staff_a)
    opened = meeting.version  # both tabs opened the form at this version
    assert f'value="{opened}"' in first.get(url).content.decode()
    first.post(url, form_data(DAY, twenty, version=opened, content="Nội dung của tab một"))
    refused = second.post(url, form_data(DAY, twenty, version=opened, content="Tab hai"))
    assert gettext(STALE_MESSAGE) in refused.content.decode()
    assert Meeting.objects.get().content == "Nội dung của tab một"


def test_a_save_without_the_version_it_was_opened_at_is_refused(tree, secretary_a, twenty):
    from django.core.exceptions import ValidationError

    from meetings import services

    meeting = log_meeting(tree.cell_a1, secretary_a, DAY)
    with pytest.raises(ValidationError):
        services.meeting_save(
            cell=tree.cell_a1,
            by=secretary_a,
            fields={"held_on": DAY, "kind": "regular"},
            attendance={},
            meeting=meeting,
            version=None,
        )


def test_meeting_page_and_minutes_show_the_absent_with_reasons(
    tree, secretary_a, client_for, twenty
):
    client = client_for(secretary_a)
    client.post(
        reverse("meeting_create", args=[tree.cell_a1.pk]),
        form_data(
            DAY,
            twenty,
            statuses={twenty[0]: AttendanceStatus.EXCUSED},
            reasons={twenty[0]: "Ốm nằm viện"},
        ),
    )
    meeting = Meeting.objects.get()
    minutes = client.get(reverse("meeting_minutes", args=[meeting.pk])).content.decode()
    assert twenty[0].full_name in minutes and "Ốm nằm viện" in minutes


def test_future_meeting_is_refused(tree, secretary_a, client_for, twenty):
    url = reverse("meeting_create", args=[tree.cell_a1.pk])
    client_for(secretary_a).post(url, form_data(date(2026, 4, 1), twenty))
    assert Meeting.objects.count() == 0


def test_recompute_command_reports_a_difference_and_fixes_it(tree, secretary_a, twenty):
    from io import StringIO

    from django.core.management import call_command

    log_meeting(tree.cell_a1, secretary_a, DAY)
    MonthlyRollup.objects.update(expected=1)
    out = StringIO()
    call_command("recompute_rollups", stdout=out)
    assert "03/2026" in out.getvalue()
    assert MonthlyRollup.objects.get().expected == 20


def _rendered_signature(html: str) -> str:
    return re.search(r'name="roster" value="([0-9a-f]+)"', html).group(1)


def test_a_changed_date_with_another_list_shows_that_list_and_saves_nothing(
    tree, secretary_a, client_for, twenty
):
    """Without JavaScript: the form was opened for today (a newcomer on the list), the date is
    changed to before the newcomer's admission and posted. Nothing is saved on a list the
    secretary never saw: the form comes back with that day's list, the taps kept."""
    newcomer = members_in(tree.cell_a1, 1, full_name="Lò Văn Mới", admitted_on=date(2026, 3, 16))[0]
    client = client_for(secretary_a)
    url = reverse("meeting_create", args=[tree.cell_a1.pk])
    opened = client.get(url).content.decode()
    assert f'name="status_{newcomer.pk}"' in opened  # today's list has 21
    data = form_data(
        DAY, [*twenty, newcomer], statuses={twenty[0]: AttendanceStatus.UNEXCUSED}, cell=None
    )
    data["roster"] = _rendered_signature(opened)
    again = client.post(url, data)
    html = again.content.decode()
    assert again.status_code == 200 and Meeting.objects.count() == 0
    assert "Danh sách đảng viên ngày 14/03/2026 khác" in html
    assert f'name="status_{newcomer.pk}"' not in html  # the list of the 14th: 20
    assert re.search(rf'value="unexcused"[^>]*name="status_{twenty[0].pk}"[^>]*checked', html) or (
        re.search(rf'name="status_{twenty[0].pk}" value="unexcused"[^>]*checked', html)
    )
    data = form_data(DAY, twenty, statuses={twenty[0]: AttendanceStatus.UNEXCUSED}, cell=None)
    data["roster"] = _rendered_signature(html)
    assert client.post(url, data).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.expected_count, meeting.unexcused_count) == (20, 1)
    assert not Attendance.objects.filter(member=newcomer).exists()


def test_a_post_without_the_lists_signature_saves_nothing(tree, secretary_a, client_for, twenty):
    data = form_data(DAY, twenty)
    del data["roster"]
    response = client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    assert response.status_code == 200 and Meeting.objects.count() == 0


def test_a_meeting_of_a_dissolved_cell_after_its_dissolution_is_refused(
    tree, commune_staff_a, twenty
):
    from django.core.exceptions import ValidationError

    from units.models import Unit

    Unit.objects.filter(pk=tree.cell_a1.pk).update(dissolved_on=date(2026, 3, 1))
    tree.cell_a1.refresh_from_db()
    with pytest.raises(ValidationError):
        log_meeting(tree.cell_a1, commune_staff_a, DAY)


@pytest.mark.parametrize("size", [10, 25])
def test_saving_a_meeting_takes_the_same_queries_for_10_or_25_members(
    tree, secretary_a, client_for, django_assert_max_num_queries, size
):
    members = members_in(tree.cell_a1, size)
    client = client_for(secretary_a)
    url = reverse("meeting_create", args=[tree.cell_a1.pk])
    client.get(url)  # per-process caches warm, as on a running server
    # Pinned from measurement (33), plus one; attendance rows and their history go in bulk.
    with django_assert_max_num_queries(34):
        response = client.post(url, form_data(DAY, members))
    assert response.status_code == 302
    assert Attendance.objects.filter(meeting=Meeting.objects.get()).count() == size
