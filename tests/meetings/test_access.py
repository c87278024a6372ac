"""Who may log, open, edit: out of scope is 404, read-only is 403, the wrong method 405;
tasks and thematic plans by the cell and the committee above it."""

from datetime import date

import pytest
from django.urls import reverse

from meetings.models import Meeting, PlanStatus, Task, ThematicPlan
from tests.meetings.factories import DAY, form_data, members_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_day")]


def test_secretary_cannot_log_a_meeting_for_another_cell(tree, secretary_a, client_for):
    client = client_for(secretary_a)
    url = reverse("meeting_create", args=[tree.cell_b1.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, form_data(DAY)).status_code == 404
    assert Meeting.objects.count() == 0


def test_secretary_cannot_log_a_meeting_for_a_sister_cell_of_her_commune(
    tree, secretary_a, client_for
):
    url = reverse("meeting_create", args=[tree.cell_a2.pk])
    assert client_for(secretary_a).get(url).status_code == 404


def test_secretary_cannot_open_or_edit_another_cells_meeting(secretary_a, client_for, meeting_b):
    client = client_for(secretary_a)
    for name in ("meeting_detail", "meeting_edit", "meeting_minutes"):
        assert client.get(reverse(name, args=[meeting_b.pk])).status_code == 404
    edit = reverse("meeting_edit", args=[meeting_b.pk])
    assert client.post(edit, form_data(DAY, version=1, content="x")).status_code == 404


def test_commune_staff_may_log_a_meeting_for_a_cell_of_the_commune(
    tree, commune_staff_a, client_for
):
    members_in(tree.cell_a2, 3)
    url = reverse("meeting_create", args=[tree.cell_a2.pk])
    response = client_for(commune_staff_a).post(url, form_data(DAY, cell=tree.cell_a2))
    assert response.status_code == 302 and Meeting.objects.get().cell == tree.cell_a2


def test_viewer_reads_meetings_but_cannot_log_or_edit(tree, viewer, client_for, meeting_a):
    client = client_for(viewer)
    assert client.get(reverse("meeting_detail", args=[meeting_a.pk])).status_code == 200
    assert client.get(reverse("meeting_create", args=[tree.cell_a1.pk])).status_code == 403
    assert client.get(reverse("meeting_edit", args=[meeting_a.pk])).status_code == 403


def test_meeting_pages_refuse_the_wrong_method(tree, secretary_a, client_for, meeting_a):
    client = client_for(secretary_a)
    assert client.delete(reverse("meeting_edit", args=[meeting_a.pk])).status_code == 405
    assert client.put(reverse("meeting_create", args=[tree.cell_a1.pk])).status_code == 405


def test_meeting_list_needs_a_cell(tree, commune_staff_a, client_for):
    url = reverse("meeting_list", args=[tree.commune_a.pk])
    assert client_for(commune_staff_a).get(url).status_code == 404


def test_meeting_page_shows_the_attendance_as_present_of_expected(
    secretary_a, client_for, meeting_a
):
    page = client_for(secretary_a).get(reverse("meeting_detail", args=[meeting_a.pk]))
    assert "3/3" in page.content.decode() and "(100%)" in page.content.decode()


def test_cell_page_offers_to_log_a_meeting_and_shows_recent_ones(
    tree, secretary_a, client_for, meeting_a
):
    page = client_for(secretary_a).get(reverse("unit_detail", args=[tree.cell_a1.pk]))
    html = page.content.decode()
    assert reverse("meeting_create", args=[tree.cell_a1.pk]) in html
    assert reverse("meeting_detail", args=[meeting_a.pk]) in html


def test_commune_page_links_to_the_grid(tree, commune_staff_a, client_for):
    page = client_for(commune_staff_a).get(reverse("unit_detail", args=[tree.commune_a.pk]))
    assert reverse("meeting_grid", args=[tree.commune_a.pk]) in page.content.decode()


def test_meetings_menu_takes_a_secretary_to_her_cell(tree, secretary_a, client_for):
    response = client_for(secretary_a).get(reverse("meetings_home"))
    assert response.url == reverse("meeting_list", args=[tree.cell_a1.pk])


# Tasks


def test_secretary_marks_a_task_done(tree, secretary_a, client_for, meeting_a):
    task = Task.objects.create(
        meeting=meeting_a,
        member=meeting_a.attendance.first().member,
        text="Tu sửa đường bản",
        due_on=date(2026, 3, 31),
    )
    client_for(secretary_a).post(reverse("meeting_task_done", args=[task.pk]))
    task.refresh_from_db()
    assert task.done_on == date(2026, 3, 20)


def test_overdue_tasks_are_shown_on_the_members_task_list(tree, secretary_a, client_for, meeting_a):
    member = meeting_a.attendance.first().member
    Task.objects.create(meeting=meeting_a, member=member, text="Nộp báo cáo", due_on=DAY)
    page = client_for(secretary_a).get(reverse("meeting_member_tasks", args=[member.pk]))
    assert "Nộp báo cáo" in page.content.decode() and "text-bg-danger" in page.content.decode()


def test_viewer_cannot_mark_a_task_done(viewer, client_for, meeting_a):
    task = Task.objects.create(
        meeting=meeting_a, member=meeting_a.attendance.first().member, text="Việc"
    )
    client = client_for(viewer)
    assert client.post(reverse("meeting_task_done", args=[task.pk])).status_code == 403
    assert client.get(reverse("meeting_task_done", args=[task.pk])).status_code == 403


def test_marking_done_needs_a_post(secretary_a, client_for, meeting_a):
    task = Task.objects.create(
        meeting=meeting_a, member=meeting_a.attendance.first().member, text="Việc"
    )
    url = reverse("meeting_task_done", args=[task.pk])
    assert client_for(secretary_a).get(url).status_code == 405


# Thematic plans


def test_cell_registers_next_quarters_topic(tree, secretary_a, client_for):
    url = reverse("meeting_plans", args=[tree.cell_a1.pk])
    data = {"year": 2026, "quarter": 2, "topic": "Học tập và làm theo tư tưởng Hồ Chí Minh"}
    client_for(secretary_a).post(url, data)
    plan = ThematicPlan.objects.get()
    assert (plan.cell, plan.status) == (tree.cell_a1, PlanStatus.REGISTERED)


def test_commune_sees_and_accepts_its_cells_registrations(tree, commune_staff_a, client_for):
    plan = ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=2, topic="Chủ đề")
    client = client_for(commune_staff_a)
    page = client.get(reverse("meeting_plans", args=[tree.commune_a.pk]))
    assert "Chủ đề" in page.content.decode()
    client.post(reverse("meeting_plan_accept", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACCEPTED and plan.accepted_by == commune_staff_a


def test_secretary_cannot_accept_her_own_cells_topic(tree, secretary_a, client_for):
    plan = ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=2, topic="Chủ đề")
    response = client_for(secretary_a).post(reverse("meeting_plan_accept", args=[plan.pk]))
    assert response.status_code == 403


def test_thematic_meeting_links_to_its_plan(tree, secretary_a, client_for):
    members = members_in(tree.cell_a1, 3)
    plan = ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=1, topic="Chủ đề")
    data = form_data(DAY, members, kind="thematic", topic="Chủ đề", thematic_plan=plan.pk)
    client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    assert Meeting.objects.get().thematic_plan == plan
