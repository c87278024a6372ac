"""An excused absence has its reason; guests from the committees above; the minutes header as
the tree stood on the day; stored figures written with the rows or not at all."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingGuest,
    MemberMonth,
    MonthlyRollup,
    ThematicPlan,
)
from tests.meetings.factories import DAY, form_data, log_meeting, members_in
from units.models import Officer, OfficerRole

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_day")]
EXCUSED, UNEXCUSED = AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED


@pytest.fixture
def five(tree):
    return members_in(tree.cell_a1, 5)


# An excused absence needs its reason


def test_an_excused_absence_without_a_reason_is_refused_in_vietnamese(
    tree, secretary_a, client_for, five
):
    data = form_data(DAY, five, statuses={five[0]: EXCUSED}, reasons={five[0]: "  "})
    response = client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    html = response.content.decode()
    assert response.status_code == 200 and Meeting.objects.count() == 0
    assert "Vắng có lý do thì phải ghi rõ lý do" in html
    # The reason box of that member is shown, with its error, even before any script runs.
    row = html.split(f'data-member="{five[0].pk}"')[1].split("</li>")[0]
    assert "reason-hidden" not in row and "Vắng có lý do thì phải ghi rõ lý do" in row


def test_the_service_refuses_an_excused_absence_without_a_reason(tree, secretary_a, five):
    with pytest.raises(ValidationError):
        services.meeting_save(
            cell=tree.cell_a1,
            by=secretary_a,
            fields={"held_on": DAY, "kind": "regular"},
            attendance={five[0].pk: (EXCUSED, "")},
        )
    assert not Meeting.objects.exists()


def test_an_unexcused_absence_needs_no_reason(tree, secretary_a, client_for, five):
    data = form_data(DAY, five, statuses={five[0]: UNEXCUSED})
    client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    assert Meeting.objects.get().unexcused_count == 1


# Guests: officers of the committees above, beside the free text


@pytest.fixture
def officers(tree):
    commune_people = members_in(tree.cell_a2, 3, full_name="Quàng Văn Xã")
    cell_person = members_in(tree.cell_a1, 1, full_name="Lò Văn Chi")[0]
    return {
        "commune": Officer.objects.create(
            unit=tree.commune_a,
            member=commune_people[0],
            role=OfficerRole.DEPUTY_SECRETARY,
            starts_on=date(2025, 1, 1),
        ),
        "district": Officer.objects.create(
            unit=tree.district,
            member=commune_people[1],
            role=OfficerRole.STANDING,
            starts_on=date(2020, 6, 1),
        ),
        "ended": Officer.objects.create(
            unit=tree.commune_a,
            member=commune_people[2],
            role=OfficerRole.SECRETARY,
            starts_on=date(2015, 1, 1),
            ends_on=date(2020, 6, 30),
        ),
        "own cell": Officer.objects.create(
            unit=tree.cell_a1,
            member=cell_person,
            role=OfficerRole.SECRETARY,
            starts_on=date(2020, 1, 1),
        ),
    }


def test_the_form_offers_the_officers_of_the_committees_above(
    tree, secretary_a, client_for, officers
):
    page = client_for(secretary_a).get(reverse("meeting_create", args=[tree.cell_a1.pk]))
    select = page.content.decode().split('name="guest_officers"')[1].split("</select>")[0]
    assert f'value="{officers["commune"].pk}"' in select
    assert f'value="{officers["district"].pk}"' in select
    assert f'value="{officers["ended"].pk}"' not in select
    assert f'value="{officers["own cell"].pk}"' not in select


def test_a_post_refused_without_guests_still_offers_the_officers_above(
    tree, secretary_a, client_for, officers
):
    members = list(tree.cell_a1.members.all())
    data = form_data(DAY, members, kind="thematic")  # no topic: refused
    page = client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    assert page.status_code == 200 and not Meeting.objects.exists()
    select = page.content.decode().split('name="guest_officers"')[1].split("</select>")[0]
    assert f'value="{officers["commune"].pk}"' in select
    assert f'value="{officers["district"].pk}"' in select


def test_an_edit_posted_without_guests_removes_the_listed_ones(
    tree, secretary_a, client_for, officers
):
    members = list(tree.cell_a1.members.all())
    data = form_data(DAY, members)
    data["guest_officers"] = [officers["commune"].pk]
    client = client_for(secretary_a)
    client.post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    meeting = Meeting.objects.get()
    data = form_data(DAY, members, version=meeting.version, meeting=meeting)
    client.post(reverse("meeting_edit", args=[meeting.pk]), data)
    assert not meeting.guest_officers.exists()


def test_guest_officers_and_free_text_are_both_saved_and_shown(
    tree, secretary_a, client_for, officers
):
    members = list(tree.cell_a1.members.all())
    data = form_data(DAY, members, guests="Đồng chí cán bộ Hội Nông dân huyện")
    data["guest_officers"] = [officers["commune"].pk, officers["district"].pk]
    client = client_for(secretary_a)
    client.post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    meeting = Meeting.objects.get()
    assert set(meeting.guest_officers.all()) == {officers["commune"], officers["district"]}
    assert meeting.guests == "Đồng chí cán bộ Hội Nông dân huyện"
    assert MeetingGuest.history.count() == 2  # each guest leaves history
    for name in ("meeting_detail", "meeting_minutes"):
        html = client.get(reverse(name, args=[meeting.pk])).content.decode()
        assert "Quàng Văn Xã" in html and "Đảng bộ xã Mường Mươn" in html
        assert "Hội Nông dân huyện" in html
    # An edit that drops one guest removes that row only.
    data = form_data(DAY, members, version=meeting.version, meeting=meeting)
    data["guest_officers"] = [officers["district"].pk]
    client.post(reverse("meeting_edit", args=[meeting.pk]), data)
    assert list(meeting.guest_officers.all()) == [officers["district"]]


def test_an_officer_of_another_unit_cannot_be_a_listed_guest(tree, secretary_a, officers):
    with pytest.raises(ValidationError):
        services.meeting_save(
            cell=tree.cell_a1,
            by=secretary_a,
            fields={"held_on": DAY, "kind": "regular"},
            attendance={},
            guest_officers=[officers["own cell"]],
        )
    assert not Meeting.objects.exists()


# The minutes header names the committee above as it stood on the day


def test_the_minutes_header_names_the_committee_above_on_the_meeting_day(
    tree, secretary_a, district_admin, client_for
):
    from units.reorganisation import reorg_move

    members_in(tree.cell_a1, 3)
    with time_machine.travel(date(2022, 5, 20), tick=False):
        old = log_meeting(tree.cell_a1, secretary_a, date(2022, 5, 10))
    reorg_move(
        unit=tree.cell_a1,
        new_parent=tree.commune_b,
        on=date(2025, 7, 1),
        decision_number="12-QĐ/HU",
        by=district_admin,
    )
    new = log_meeting(tree.cell_a1, district_admin, DAY)
    client = client_for(district_admin)
    then = client.get(reverse("meeting_minutes", args=[old.pk])).content.decode()
    now = client.get(reverse("meeting_minutes", args=[new.pk])).content.decode()
    header = lambda html: html.split("minutes-org")[1].split("</div>\n    </div>")[0]  # noqa: E731
    assert "ĐẢNG BỘ XÃ MƯỜNG MƯƠN" in header(then) and "SA LÔNG" not in header(then)
    assert "ĐẢNG BỘ XÃ SA LÔNG" in header(now)


def test_the_meeting_page_prints_the_plans_year_without_a_separator(
    tree, secretary_a, client_for, five
):
    plan = ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=1, topic="Chủ đề")
    meeting = log_meeting(
        tree.cell_a1, secretary_a, DAY, kind="thematic", topic="Chủ đề", thematic_plan=plan
    )
    html = client_for(secretary_a).get(reverse("meeting_detail", args=[meeting.pk])).content
    assert "1/2026" in html.decode() and "2.026" not in html.decode()


# Stored figures: written with the attendance, or not at all


def _failing_rollup(monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("the rollup write failed")

    monkeypatch.setattr(services, "member_months_refresh", fail)


def test_a_failing_rollup_write_leaves_no_meeting_rows_or_counts(
    tree, secretary_a, five, monkeypatch
):
    _failing_rollup(monkeypatch)
    with pytest.raises(RuntimeError):
        log_meeting(tree.cell_a1, secretary_a, DAY, absent={five[0]: UNEXCUSED})
    assert not Meeting.objects.exists() and not Attendance.objects.exists()
    assert not MonthlyRollup.objects.exists() and not MemberMonth.objects.exists()


def test_a_failing_rollup_write_leaves_an_edited_meeting_as_it_was(
    tree, secretary_a, five, monkeypatch
):
    meeting = log_meeting(tree.cell_a1, secretary_a, DAY, absent={five[0]: UNEXCUSED})
    _failing_rollup(monkeypatch)
    with pytest.raises(RuntimeError):
        services.meeting_save(
            cell=tree.cell_a1,
            by=secretary_a,
            fields={"held_on": DAY, "kind": "regular"},
            attendance={five[0].pk: ("present", ""), five[1].pk: (UNEXCUSED, "")},
            meeting=meeting,
            version=meeting.version,
        )
    stored = Meeting.objects.get()
    assert (stored.version, stored.present_count, stored.unexcused_count) == (1, 4, 1)
    assert Attendance.objects.get(meeting=meeting, member=five[0]).status == UNEXCUSED
    assert Attendance.objects.get(meeting=meeting, member=five[1]).status == "present"
    assert MonthlyRollup.objects.get().unexcused == 1
    assert list(MemberMonth.objects.values_list("member_id", "unexcused")) == [(five[0].pk, 1)]
