"""Tasks: open ones first on every database, 50 a page, back where the user came from.
Thematic plans: this quarter or the next, a thematic meeting linked to its own quarter's plan."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, PlanStatus, Task, ThematicPlan
from meetings.selectors import task_list
from tests.meetings.factories import DAY, form_data, members_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("after_day")]


def _task(meeting, member, text, **fields):
    return Task.objects.create(meeting=meeting, member=member, text=text, **fields)


def test_open_tasks_come_first_then_by_due_date(tree, secretary_a, meeting_a):
    member = meeting_a.attendance.first().member
    done = _task(meeting_a, member, "Đã xong", due_on=date(2026, 3, 1), done_on=date(2026, 3, 2))
    late = _task(meeting_a, member, "Hạn muộn", due_on=date(2026, 5, 1))
    soon = _task(meeting_a, member, "Hạn sớm", due_on=date(2026, 4, 1))
    undated = _task(meeting_a, member, "Không hạn")
    assert list(task_list(user=secretary_a, cell=tree.cell_a1)) == [soon, late, undated, done]
    sql = str(task_list(user=secretary_a, cell=tree.cell_a1).query)
    assert "NULLS FIRST" in sql or "IS NOT NULL" in sql  # said to the database, not assumed


def test_the_task_list_shows_50_a_page(tree, secretary_a, client_for, meeting_a):
    member = meeting_a.attendance.first().member
    Task.objects.bulk_create(
        Task(meeting=meeting_a, member=member, text=f"Việc số {i:03d}") for i in range(120)
    )
    client = client_for(secretary_a)
    url = reverse("meeting_cell_tasks", args=[tree.cell_a1.pk])
    first = client.get(url).content.decode()
    assert first.count('action="/meetings/tasks/') == 50
    assert "Việc số 000" in first and "Việc số 050" not in first
    last = client.get(url + "?page=3").content.decode()
    assert last.count('action="/meetings/tasks/') == 20 and "Việc số 119" in last


def test_marking_done_returns_to_the_members_task_list(tree, secretary_a, client_for, meeting_a):
    member = meeting_a.attendance.first().member
    task = _task(meeting_a, member, "Tu sửa đường bản")
    back = reverse("meeting_member_tasks", args=[member.pk])
    client = client_for(secretary_a)
    page = client.get(back).content.decode()
    assert f'name="next" value="{back}"' in page
    response = client.post(reverse("meeting_task_done", args=[task.pk]), {"next": back})
    assert response.status_code == 302 and response.url == back
    task.refresh_from_db()
    assert task.done_on == date(2026, 3, 20)


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_marking_done_never_returns_to_another_site(
    unsafe, tree, secretary_a, client_for, meeting_a
):
    task = _task(meeting_a, meeting_a.attendance.first().member, "Việc")
    response = client_for(secretary_a).post(
        reverse("meeting_task_done", args=[task.pk]), {"next": unsafe}
    )
    assert response.url == reverse("meeting_cell_tasks", args=[tree.cell_a1.pk])


# Thematic plans


@pytest.mark.parametrize(
    "year, quarter, accepted",
    [(2026, 1, True), (2026, 2, True), (2026, 3, False), (2025, 4, False), (2027, 2, False)],
)
def test_a_cell_registers_this_quarters_or_the_next_topic_only(
    year, quarter, accepted, tree, secretary_a, client_for
):
    url = reverse("meeting_plans", args=[tree.cell_a1.pk])
    data = {"year": year, "quarter": quarter, "topic": "Học tập và làm theo tư tưởng Hồ Chí Minh"}
    response = client_for(secretary_a).post(url, data)
    assert ThematicPlan.objects.exists() is accepted
    if not accepted:
        assert "1/2026" in response.content.decode() and "2/2026" in response.content.decode()


def test_plan_list_prints_years_without_a_thousands_separator(tree, commune_staff_a, client_for):
    ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=2, topic="Chủ đề")
    html = (
        client_for(commune_staff_a)
        .get(reverse("meeting_plans", args=[tree.commune_a.pk]))
        .content.decode()
    )
    assert "2/2026" in html and "2.026" not in html


def _thematic(tree, secretary_a, plan, day=DAY):
    members_in(tree.cell_a1, 2)
    return services.meeting_save(
        cell=tree.cell_a1,
        by=secretary_a,
        fields={"held_on": day, "kind": "thematic", "topic": "Chủ đề", "thematic_plan": plan},
        attendance={},
    )


def test_a_thematic_meeting_links_to_its_own_quarters_plan(tree, secretary_a):
    plan = ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=1, topic="Chủ đề")
    assert _thematic(tree, secretary_a, plan).thematic_plan == plan


@pytest.mark.parametrize("cell, year, quarter", [("cell_a2", 2026, 1), ("cell_a1", 2025, 4)])
def test_a_thematic_meeting_cannot_link_to_another_cells_or_quarters_plan(
    cell, year, quarter, tree, secretary_a
):
    plan = ThematicPlan.objects.create(
        cell=getattr(tree, cell), year=year, quarter=quarter, topic="Chủ đề"
    )
    with pytest.raises(ValidationError) as refused:
        _thematic(tree, secretary_a, plan)
    assert "thematic_plan" in refused.value.message_dict
    assert not Meeting.objects.exists()


def test_the_form_offers_the_quarters_plan_by_default(tree, secretary_a, client_for):
    members = members_in(tree.cell_a1, 2)
    plan = ThematicPlan.objects.create(cell=tree.cell_a1, year=2026, quarter=1, topic="Chủ đề")
    ThematicPlan.objects.create(cell=tree.cell_a1, year=2025, quarter=4, topic="Quý trước")
    page = client_for(secretary_a).get(reverse("meeting_create", args=[tree.cell_a1.pk]))
    html = page.content.decode()
    assert f'<option value="{plan.pk}" selected>' in html
    assert "Quý trước" not in html  # another quarter's plan is not offered
    data = form_data(DAY, members, kind="thematic", topic="Chủ đề", thematic_plan=plan.pk)
    client_for(secretary_a).post(reverse("meeting_create", args=[tree.cell_a1.pk]), data)
    assert Meeting.objects.get().thematic_plan == plan


def test_the_demo_leaves_next_quarters_registrations_for_the_committee(tree):
    from meetings.demo import PENDING_PLANS, build_meetings

    for cell in (tree.cell_a1, tree.cell_a2, tree.cell_b1):
        members_in(cell, 4)
    summary = build_meetings(tree.district, 20201026, until=date(2026, 3, 19))
    pending = ThematicPlan.objects.filter(status=PlanStatus.REGISTERED)
    assert summary["pending_plans"] == pending.count() == min(PENDING_PLANS, 3)
    assert set(pending.values_list("year", "quarter")) == {(2026, 2)}
    assert not Meeting.objects.filter(thematic_plan__in=pending).exists()
