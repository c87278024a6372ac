"""Meeting pages: a cell's meetings, the meeting form, the minutes, tasks, thematic plans,
the commune grid, the district board and the rule alerts."""

import contextlib
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from meetings import selectors, services
from meetings.forms import AttendanceForm, MeetingForm, PlanForm, TaskFormSet
from meetings.models import PlanStatus
from meetings.rules import GOOD_QUALITY_RATE, next_quarter
from members.selectors import get_member_for_user
from reports import kept
from units.access import get_unit_for_user, scope_for
from units.forms import add_service_errors
from units.history import history_entries


def _as_of(request) -> date | None:
    """The day given as ?as_of=dd/mm/yyyy (boards and alerts as they stood then), if any."""
    raw = request.GET.get("as_of", "")
    try:
        return date(int(raw[6:10]), int(raw[3:5]), int(raw[0:2]))
    except ValueError:
        return None


def _today(request) -> date:
    return _as_of(request) or timezone.localdate()


@login_required
def meetings_home(request):
    """The meetings a user follows: a secretary's cell, or the board of the top unit in sight."""
    roots = scope_for(request.user).roots
    if not roots:
        return render(request, "meetings/home.html", {})
    unit = roots[0]
    if unit.is_cell:
        return redirect("meeting_list", cell_pk=unit.pk)
    view = "meeting_board" if selectors.board_kind(unit) == "board" else "meeting_grid"
    return redirect(view, unit_pk=unit.pk)


@login_required
@require_safe
def meeting_list(request, cell_pk):
    cell = selectors.get_cell_for_user(request.user, cell_pk)
    today = _today(request)
    context = {
        "cell": cell,
        "meetings": selectors.meeting_list(user=request.user, cell=cell)[:60],
        "compliance": selectors.cell_compliance(cell=cell, today=today),
        "alerts": selectors.alerts_for(user=request.user, unit=cell, today=today),
        "can_edit": scope_for(request.user).can_edit(cell.path),
        "today": today,
        "as_of": _as_of(request),
    }
    return render(request, "meetings/meeting_list.html", context)


TASKS_PER_PAGE = 50


def _posted_day(data, default: date) -> date:
    with contextlib.suppress(ValidationError):
        return MeetingForm.base_fields["held_on"].clean(data.get("held_on")) or default
    return default


def _meeting_form(request, cell, meeting=None):
    """Shared by log and edit: the minutes, the attendance list of the day, new tasks.

    The form carries the signature of the list it was shown with. A post whose day has another
    list (a date changed without JavaScript) saves nothing: the form comes back with that day's
    list, the statuses already tapped kept, for the secretary to check and save again.
    """
    data = request.POST if request.method == "POST" else None
    initial = {} if meeting else {"held_on": _today(request), "kind": "regular"}
    day = meeting.held_on if meeting else initial["held_on"]
    if data is not None:
        day = _posted_day(data, day)
    roster = selectors.cell_roster(cell, day, meeting=meeting)
    counted, apart = roster
    signature = selectors.roster_signature(roster)
    rows = {}
    if meeting is not None:
        rows = {a.member_id: (a.status, a.reason) for a in meeting.attendance.all()}
    list_changed = data is not None and data.get("roster") != signature
    # The officers above the cell who may be chosen as guests: to show the form, and to check
    # the guests posted. A post with none has nothing to check: read if the form comes back.
    officers = officers_on_day = None
    if data is None or data.getlist("guest_officers"):
        officers = selectors.guest_officers_on(cell, day)
        officers_on_day = list(officers)  # read once: the form's check and the save use it
    form = MeetingForm(
        data,
        instance=meeting,
        initial=initial,
        cell=cell,
        members=counted + apart,
        day=day,
        officers=officers,
    )
    if list_changed:
        # Keep what was tapped for members still on the list; the rest start present.
        for member in counted:
            if f"status_{member.pk}" in data:
                rows[member.pk] = (
                    data.get(f"status_{member.pk}") or "present",
                    data.get(f"reason_{member.pk}", ""),
                )
        attendance = AttendanceForm(None, members=counted, initial_rows=rows)
        messages.warning(
            request,
            _(
                "The list of members is different on %(day)s: check the attendance below, "
                "then save again. Nothing was saved yet."
            )
            % {"day": day.strftime("%d/%m/%Y")},
        )
    else:
        attendance = AttendanceForm(data, members=counted, initial_rows=rows)
    tasks = TaskFormSet(data, prefix="task", form_kwargs={"members": counted + apart})
    if (
        data is not None
        and not list_changed
        and form.is_valid()
        and attendance.is_valid()
        and tasks.is_valid()
    ):
        fields = {name: form.cleaned_data.get(name) for name in services.MEETING_FIELDS}
        new_tasks = [
            services.TaskInput(member=t["member"], text=t["text"], due_on=t["due_on"])
            for t in tasks.cleaned_data
            if t.get("text")
        ]
        try:
            saved = services.meeting_save(
                cell=cell,
                by=request.user,
                fields=fields,
                attendance=attendance.attendance(),
                tasks=new_tasks,
                meeting=meeting,
                version=form.cleaned_data.get("version"),
                guest_officers=list(form.cleaned_data.get("guest_officers") or []),
                # What this request already read for the day, when it is the day saved.
                **(
                    {"roster": roster, "officers_on_day": officers_on_day}
                    if fields["held_on"] == day
                    else {}
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The meeting of %(day)s was saved: %(present)s/%(expected)s present.")
                % {
                    "day": saved.held_on.strftime("%d/%m/%Y"),
                    "present": saved.present_count,
                    "expected": saved.expected_count,
                },
            )
            return redirect(saved)
    if officers is None:
        form.offer_officers(selectors.guest_officers_on(cell, day))
    context = {
        "cell": cell,
        "meeting": meeting,
        "form": form,
        "attendance": attendance,
        "apart": apart,
        "tasks": tasks,
        "day": day,
        "roster_signature": signature,
    }
    return render(request, "meetings/meeting_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request, cell_pk):
    cell = selectors.get_cell_for_user(request.user, cell_pk, write=True)
    return _meeting_form(request, cell)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = selectors.get_meeting_for_user(request.user, pk, write=True)
    return _meeting_form(request, meeting.cell, meeting)


def _meeting_context(request, meeting):
    rows = selectors.meeting_attendance(meeting)
    return {
        "meeting": meeting,
        "cell": meeting.cell,
        "present": [r for r in rows if not r.is_apart and r.status == "present"],
        "absent": [r for r in rows if not r.is_apart and r.status != "present"],
        "apart": [r for r in rows if r.is_apart],
        "guest_officers": selectors.meeting_guests(meeting),
        "tasks": list(meeting.tasks.select_related("member")),
        "quality_rate": GOOD_QUALITY_RATE,
        "today": timezone.localdate(),
    }


@login_required
@require_safe
def meeting_detail(request, pk):
    meeting = selectors.get_meeting_for_user(request.user, pk)
    context = _meeting_context(request, meeting)
    context["can_edit"] = scope_for(request.user).can_edit(meeting.cell.path)
    context["history"] = history_entries(meeting)
    context["attendance_changes"] = selectors.attendance_changes(meeting)
    return render(request, "meetings/meeting_detail.html", context)


@login_required
@require_safe
def meeting_minutes(request, pk):
    meeting = selectors.get_meeting_for_user(request.user, pk)
    context = _meeting_context(request, meeting)
    # The committee above the cell as it stood on the day (units are renamed and moved).
    context["parent_name"] = selectors.parent_name_on(meeting.cell, meeting.held_on)
    return render(request, "meetings/meeting_minutes.html", context)


def _task_page(request, tasks):
    return Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_safe
def cell_tasks(request, cell_pk):
    cell = selectors.get_cell_for_user(request.user, cell_pk)
    page = _task_page(request, selectors.task_list(user=request.user, cell=cell))
    context = {
        "cell": cell,
        "tasks": page,
        "page": page,
        "can_edit": scope_for(request.user).can_edit(cell.path),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/task_list.html", context)


@login_required
@require_safe
def member_tasks(request, member_pk):
    member = get_member_for_user(request.user, member_pk)
    page = _task_page(request, selectors.task_list(user=request.user, member=member))
    context = {
        "member": member,
        "cell": member.unit,
        "tasks": page,
        "page": page,
        "can_edit": scope_for(request.user).can_edit(member.unit.path),
        "today": timezone.localdate(),
    }
    return render(request, "meetings/task_list.html", context)


@login_required
def task_done(request, pk):
    task = selectors.get_task_for_user(request.user, pk, write=True)
    if request.method != "POST":  # after the lookup: out of scope stays 404
        return HttpResponseNotAllowed(["POST"])
    services.task_mark_done(task=task, by=request.user)
    messages.success(request, _("The task was marked done."))
    # Back where the user came from (the member's list, a page of the cell's), if it is ours.
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("meeting_cell_tasks", cell_pk=task.meeting.cell_id)


@login_required
@require_http_methods(["GET", "POST"])
def unit_plans(request, unit_pk):
    """A cell registers next quarter's topic here; a committee sees its cells' registrations."""
    unit = get_unit_for_user(request.user, unit_pk, write=request.method == "POST")
    scope = scope_for(request.user)
    year, quarter = next_quarter(timezone.localdate())
    form = None
    if unit.is_cell and scope.can_edit(unit.path):
        form = PlanForm(request.POST or None, initial={"year": year, "quarter": quarter})
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_register(cell=unit, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The thematic topic was registered."))
            return redirect("meeting_plans", unit_pk=unit.pk)
    plans = list(selectors.plan_list(user=request.user, unit=unit))
    for plan in plans:
        # The committee above the cell accepts (as services.plan_accept checks).
        parent = plan.cell.path.rsplit(".", 2)[0] + "."
        plan.can_accept = plan.status == PlanStatus.REGISTERED and scope.can_restructure(parent)
    context = {"unit": unit, "form": form, "plans": plans}
    return render(request, "meetings/plan_list.html", context)


@login_required
def plan_accept(request, pk):
    plan = selectors.get_plan_for_user(request.user, pk)
    if request.method != "POST":  # after the lookup: out of scope stays 404
        return HttpResponseNotAllowed(["POST"])
    services.plan_accept(plan=plan, by=request.user)
    messages.success(request, _("The thematic topic was accepted."))
    return redirect("meeting_plans", unit_pk=plan.cell.parent_id)


@login_required
@require_safe
def meeting_grid(request, unit_pk):
    """The cells of a commune (or any committee) × the last 12 months."""
    unit = get_unit_for_user(request.user, unit_pk)
    today = _today(request)
    months, rows = selectors.commune_grid(user=request.user, unit=unit, today=today)
    context = {"unit": unit, "months": months, "rows": rows, "today": today}
    context["as_of"] = _as_of(request)
    return render(request, "meetings/grid.html", context)


@login_required
@require_safe
def meeting_board(request, unit_pk):
    """The units under a district (or province), each with its cells' last 12 months."""
    unit = get_unit_for_user(request.user, unit_pk)
    today, as_of, user = _today(request), _as_of(request), request.user

    def render_body():
        months, rows = selectors.district_board(user=user, unit=unit, today=today)
        context = {"unit": unit, "months": months, "rows": rows, "as_of": as_of}
        return render_to_string("meetings/includes/board_body.html", context), {}

    # Kept rendered until the data changes, as the dashboards are (reports.kept).
    body = kept.body(kept.key_for(user, unit, today, "meeting_board", as_of), user, render_body)
    context = {"unit": unit, "today": today, "as_of": as_of, "kept": body}
    context["body"] = mark_safe(body.html)  # noqa: S308 - rendered by the template engine
    return render(request, "meetings/board.html", context)


@login_required
@require_safe
def meeting_alerts(request, unit_pk):
    unit = get_unit_for_user(request.user, unit_pk)
    today = _today(request)
    alerts = selectors.alerts_for(user=request.user, unit=unit, today=today)
    return render(request, "meetings/alerts.html", {"unit": unit, "alerts": alerts, "today": today})
