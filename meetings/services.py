"""Writes to meetings, attendance, tasks and thematic plans: scoped, atomic, leaving history.

A meeting's attendance rows, its stored counts, its cell's monthly rollup and its members'
monthly absences are written in one transaction, so that boards reading rollups never disagree
with the meetings.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from meetings.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingGuest,
    MeetingKind,
    MemberMonth,
    MonthlyRollup,
    PlanStatus,
    Task,
    ThematicPlan,
)
from meetings.rules import (
    GOOD_QUALITY_RATE,
    add_months,
    is_good_quality,
    month_start,
    quarter_of,
)
from meetings.selectors import cell_roster, guest_officers_on
from members.models import Member
from units.access import check_path, scope_for
from units.concurrency import STALE_ADVICE, lock_for_edit
from units.models import Unit

EXCUSED_NEEDS_REASON = gettext_lazy(
    "An excused absence needs its reason: write why the member was absent, or mark the "
    "absence unexcused."
)
# A meeting saved from a stale page is refused with units.concurrency's message, which ends so.
STALE_MESSAGE = STALE_ADVICE

MEETING_FIELDS = (
    "held_on",
    "kind",
    "is_model",
    "topic",
    "place",
    "chair",
    "recorder",
    "guests",
    "content",
    "resolution",
    "thematic_plan",
)
ATTENDANCE_FIELDS = ["status", "reason", "is_apart", "apart_reason"]


@dataclass
class TaskInput:
    member: Member
    text: str
    due_on: date | None = None


def _require_cell_edit(by, cell: Unit) -> None:
    """Secretaries log their own cell's meetings, staff those of their subtree (404 / 403)."""
    check_path(by, cell.path, write=True)
    if not cell.is_cell:
        raise PermissionDenied


def _validate(cell: Unit, fields: dict, roster_ids: set[int], attendance: dict) -> None:
    errors = {}
    today = timezone.localdate()
    if fields["held_on"] > today:
        errors["held_on"] = _("A meeting cannot be logged before it is held.")
    if cell.founded_on and fields["held_on"] < cell.founded_on:
        errors["held_on"] = _("The cell had not been founded on this date.")
    if cell.dissolved_on and fields["held_on"] >= cell.dissolved_on:
        errors["held_on"] = _("The cell had been dissolved by this date.")
    if fields["kind"] == MeetingKind.THEMATIC and not fields.get("topic"):
        errors["topic"] = _("A thematic meeting needs its topic.")
    for name in ("chair", "recorder"):
        person = fields.get(name)
        if person is not None and person.pk not in roster_ids:
            errors[name] = _("Choose a member of the cell on the day of the meeting.")
    plan = fields.get("thematic_plan")
    if plan is not None and fields["kind"] == MeetingKind.THEMATIC:
        year, quarter = quarter_of(fields["held_on"])
        if plan.cell_id != cell.pk or (plan.year, plan.quarter) != (year, quarter):
            errors["thematic_plan"] = _(
                "Choose the thematic plan this cell registered for quarter %(quarter)s/%(year)s."
            ) % {"quarter": quarter, "year": year}
    unknown = set(attendance) - roster_ids
    if unknown:
        errors["__all__"] = _(
            "Some members on the list were not on the cell's rolls on the day of the meeting."
        )
    for status, reason in attendance.values():
        if status not in AttendanceStatus.values:
            errors["__all__"] = _("Unknown attendance status.")
        elif status == AttendanceStatus.EXCUSED and not (reason or "").strip():
            errors.setdefault("__all__", EXCUSED_NEEDS_REASON)
    if errors:
        raise ValidationError(errors)


def _attendance_rows(meeting: Meeting, roster, attendance: dict, *, new: bool):
    """What the meeting's rows must be, from the roster and the statuses given (default
    present): (wanted, existing), wanted mapping member ids to (status, reason, is_apart,
    apart_reason), existing the rows the meeting has (none for a new one).

    The roster of an edit holds every member who already has a row (see `cell_roster`), so no
    row is ever deleted.
    """
    counted, apart = roster
    existing = {} if new else {row.member_id: row for row in meeting.attendance.all()}
    wanted = {}
    for member in counted:
        status, reason = attendance.get(member.pk, (AttendanceStatus.PRESENT, ""))
        if member.pk not in attendance and member.pk in existing and member.kept:
            row = existing[member.pk]  # kept from the record, not on the form: as it was
            status, reason = row.status, row.reason
        if status == AttendanceStatus.PRESENT:
            reason = ""
        wanted[member.pk] = (status, reason, False, "")
    for member in apart:
        wanted[member.pk] = (AttendanceStatus.EXCUSED, "", True, member.apart_reason)
    return wanted, existing


def _set_counts(meeting: Meeting, wanted: dict) -> None:
    """The meeting's stored counts, from its rows to be (written with the meeting's row)."""
    tally = Counter(status for status, _r, is_apart, _a in wanted.values() if not is_apart)
    meeting.present_count = tally[AttendanceStatus.PRESENT]
    meeting.excused_count = tally[AttendanceStatus.EXCUSED]
    meeting.unexcused_count = tally[AttendanceStatus.UNEXCUSED]
    meeting.expected_count = sum(tally.values())
    meeting.apart_count = sum(1 for *_s, is_apart, _a in wanted.values() if is_apart)


def _absent(status: str, is_apart: bool) -> bool:
    """A row that counts in the member's monthly absences (MemberMonth)."""
    return not is_apart and status != AttendanceStatus.PRESENT


def _write_attendance(meeting: Meeting, wanted: dict, existing: dict, by, *, moved: bool):
    """Bring the meeting's rows in line with `wanted` (see `_attendance_rows`); return the ids
    of the members whose monthly absences may have changed: those with an absence row added,
    changed or taken away, or, when the meeting `moved` to another month, every member with an
    absence row at it before or after. New and changed rows are written in bulk, each with its
    history row (simple_history's bulk helpers: one query for the rows, one for their history).
    """
    absences = {pk for pk, row in existing.items() if _absent(row.status, row.is_apart)}
    absences_after = {
        pk for pk, (status, _r, apart, _a) in wanted.items() if _absent(status, apart)
    }
    touched = absences | absences_after if moved else absences ^ absences_after
    created, changed = [], []
    for member_id, (status, reason, is_apart, apart_reason) in wanted.items():
        row = existing.get(member_id)
        if row is None:
            row = Attendance(meeting=meeting, member_id=member_id)
            created.append(row)
        elif (row.status, row.reason, row.is_apart, row.apart_reason) == (
            status,
            reason,
            is_apart,
            apart_reason,
        ):
            continue
        else:
            changed.append(row)
            if row.status != status and (member_id in absences or member_id in absences_after):
                touched.add(member_id)  # excused became unexcused, or the other way
        row.status, row.reason = status, reason
        row.is_apart, row.apart_reason = is_apart, apart_reason
        row.normalize_text_fields()  # what save() does, bulk writes skip it
    if created:
        bulk_create_with_history(created, Attendance, default_user=by)
    if changed:
        bulk_update_with_history(changed, Attendance, ATTENDANCE_FIELDS, default_user=by)
    return touched


def _write_guests(meeting: Meeting, officers, offered_ids: set[int], by, *, new: bool) -> None:
    """The officers from above who attended: rows added and removed, each leaving history."""
    wanted = {o.pk for o in officers}
    if wanted - offered_ids:
        raise ValidationError(
            {"guest_officers": _("Choose officers of the committees above the cell.")}
        )
    existing = {} if new else {row.officer_id: row for row in meeting.guest_rows.all()}
    for officer_id, row in existing.items():
        if officer_id not in wanted:
            row._history_user = by
            row.delete()
    for officer_id in wanted - set(existing):
        row = MeetingGuest(meeting=meeting, officer_id=officer_id)
        row._history_user = by
        row.save()


def _rollup_rows(meetings) -> dict[tuple[int, date], dict]:
    """Rollup columns per (cell, month) of a set of meetings, summed in one grouped query."""
    # HD 12-HD/BTCTW: a good meeting has over 85% present and no unexcused absence; for whole
    # numbers, present > floor(85% of expected) is the same test as 100 * present > 85 * expected.
    threshold = ExpressionWrapper(
        F("expected_count") * GOOD_QUALITY_RATE / 100, output_field=IntegerField()
    )
    rows = (
        meetings.annotate(month=TruncMonth("held_on"))
        .values("cell_id", "month")
        .annotate(
            meetings=Count("id"),
            regular=Count("id", filter=Q(kind=MeetingKind.REGULAR)),
            thematic=Count("id", filter=Q(kind=MeetingKind.THEMATIC)),
            good_quality=Count(
                "id",
                filter=Q(expected_count__gt=0, unexcused_count=0, present_count__gt=threshold),
            ),
            expected=Sum("expected_count"),
            present=Sum("present_count"),
            excused=Sum("excused_count"),
            unexcused=Sum("unexcused_count"),
        )
        .order_by()
    )
    result = {}
    for row in rows:
        cell_id, month = row.pop("cell_id"), row.pop("month")
        if hasattr(month, "date"):
            month = month.date()
        result[(cell_id, month)] = row
    return result


def _rollup_values(meetings) -> dict:
    """The rollup columns of one cell-month from its meetings' (kind, expected, present,
    excused, unexcused): the sums `_rollup_rows` makes in SQL, made here for the few meetings
    of one month (a query that is quicker to build than the grouped one)."""
    values = dict.fromkeys(
        ("meetings", "regular", "thematic", "good_quality")
        + ("expected", "present", "excused", "unexcused"),
        0,
    )
    for kind, expected, present, excused, unexcused in meetings:
        values["meetings"] += 1
        values["regular"] += kind == MeetingKind.REGULAR
        values["thematic"] += kind == MeetingKind.THEMATIC
        values["good_quality"] += is_good_quality(
            present=present, expected=expected, unexcused=unexcused
        )
        values["expected"] += expected
        values["present"] += present
        values["excused"] += excused
        values["unexcused"] += unexcused
    return values


def rollup_refresh(*, cell_id: int, month: date) -> MonthlyRollup | None:
    """Recompute one cell-month from its meetings' stored counts (upsert; delete when empty)."""
    month = month_start(month)
    meetings = list(
        Meeting.objects.filter(
            cell_id=cell_id, held_on__gte=month, held_on__lt=add_months(month, 1)
        ).values_list("kind", "expected_count", "present_count", "excused_count", "unexcused_count")
    )
    if not meetings:
        MonthlyRollup.objects.filter(unit_id=cell_id, month=month).delete()
        return None
    values = _rollup_values(meetings)
    rollup = MonthlyRollup(unit_id=cell_id, month=month, **values)
    # One statement, inserted or updated in place (INSERT ... ON CONFLICT DO UPDATE).
    MonthlyRollup.objects.bulk_create(
        [rollup], update_conflicts=True, unique_fields=["unit", "month"], update_fields=[*values]
    )
    return rollup


def rollups_for(meetings) -> list[MonthlyRollup]:
    """Unsaved rollups of a set of meetings (for bulk loads: the demo, the tests)."""
    return _rollup_objects(_rollup_rows(meetings))


def _rollup_objects(computed: dict) -> list[MonthlyRollup]:
    """Unsaved MonthlyRollup rows of `_rollup_rows` output."""
    return [
        MonthlyRollup(unit_id=cell_id, month=month, **values)
        for (cell_id, month), values in computed.items()
    ]


def member_month_rows(attendance, *, stream: bool = True) -> dict[tuple[int, date], dict]:
    """Absences per (member, month) of a set of attendance rows, from one ordered read
    (streamed in chunks, unless `stream` is False: a few rows, read at once).

    Only counted rows with an absence; the cell is that of the member's last meeting of the
    month, so a member moved mid-month still counts once.
    """
    rows = (
        # The absences named (not "not present"): the (member, status) index finds them.
        attendance.filter(
            is_apart=False, status__in=[AttendanceStatus.EXCUSED, AttendanceStatus.UNEXCUSED]
        )
        .order_by("meeting__held_on", "meeting_id")
        .values_list("member_id", "meeting__cell_id", "meeting__held_on", "status")
    )
    result = {}
    for member_id, cell_id, day, status in rows.iterator(chunk_size=5000) if stream else rows:
        values = result.setdefault(
            (member_id, month_start(day)), {"cell_id": cell_id, "unexcused": 0, "absences": 0}
        )
        values["cell_id"] = cell_id
        values["unexcused"] += status == AttendanceStatus.UNEXCUSED
        values["absences"] += 1
    return result


def member_months_refresh(*, member_ids, months) -> None:
    """Recompute the monthly absences of `member_ids` in `months` from their attendance rows:
    the rows of those member-months are replaced (none is kept for a month without absence)."""
    member_ids, months = set(member_ids), {month_start(m) for m in months}
    if not member_ids or not months:
        return
    in_months = Q()
    for month in months:
        in_months |= Q(meeting__held_on__gte=month, meeting__held_on__lt=add_months(month, 1))
    computed = member_month_rows(
        Attendance.objects.filter(in_months, member_id__in=member_ids), stream=False
    )
    MemberMonth.objects.filter(member_id__in=member_ids, month__in=months).delete()
    MemberMonth.objects.bulk_create(member_months_for(computed))


def member_months_for(computed: dict) -> list[MemberMonth]:
    """Unsaved MemberMonth rows of `member_month_rows` output (bulk loads, refreshes)."""
    return [
        MemberMonth(member_id=member_id, month=month, **values)
        for (member_id, month), values in computed.items()
    ]


def _refresh_rollups(cell_id: int, member_ids, months) -> None:
    """Every stored figure a meeting feeds, for the months it touched: the cell's monthly
    rollups, and the monthly absences of `member_ids` (those whose absences may have changed)."""
    for month in {month_start(m) for m in months}:
        rollup_refresh(cell_id=cell_id, month=month)
    member_months_refresh(member_ids=member_ids, months=months)


@transaction.atomic
def meeting_save(
    *,
    cell: Unit,
    by,
    fields: dict,
    attendance: dict[int, tuple[str, str]],
    tasks: list[TaskInput] = (),
    meeting: Meeting | None = None,
    version: int | None = None,
    guest_officers=None,
    roster: tuple[list, list] | None = None,
    officers_on_day=None,
) -> Meeting:
    """Log a new meeting of `cell` or change `meeting`, with its attendance and new tasks.

    `attendance` maps member ids to (status, reason); members of the roster left out are
    present (members kept from an edited meeting's record keep their row as it is). An update
    must give the `version` the form was opened at: when someone saved in between, it is refused
    and nothing is written (no lost update). `guest_officers` (officers of the committees above
    the cell, in office on the day) replaces the meeting's list when given.

    A caller that has already read them for the cell and the meeting's day passes `roster`
    (`cell_roster` of that day, with `meeting`) and `officers_on_day` (`guest_officers_on`),
    so they are not read twice.
    """
    _require_cell_edit(by, cell)
    if meeting is not None and meeting.cell_id != cell.pk:
        raise PermissionDenied
    if roster is None:
        roster = cell_roster(cell, fields["held_on"], meeting=meeting)
    roster_ids = {m.pk for m in roster[0]} | {m.pk for m in roster[1]}
    counted_ids = {m.pk for m in roster[0]}
    _validate(cell, fields, roster_ids, attendance)
    attendance = {k: v for k, v in attendance.items() if k in counted_ids}
    for task in tasks:
        if task.member.pk not in roster_ids:
            raise ValidationError(_("Tasks go to members of the cell."))

    old_month = None
    new = meeting is None
    if new:
        meeting = Meeting(cell=cell, created_by=by)
    else:
        # The row locked, then its version compared: of two saves from the same page, the
        # second waits for the first, then is refused (no lost update). No version: refused.
        stored = lock_for_edit(
            Meeting.objects.all(), meeting.pk, "" if version is None else version
        )
        old_month = month_start(stored.held_on)
        meeting.version = stored.version + 1
    for name in MEETING_FIELDS:
        setattr(meeting, name, fields.get(name, getattr(meeting, name)))
    if meeting.kind != MeetingKind.THEMATIC:
        meeting.thematic_plan = None
    wanted, existing = _attendance_rows(meeting, roster, attendance, new=new)
    _set_counts(meeting, wanted)
    meeting._history_user = by
    meeting.save()
    moved = old_month is not None and old_month != month_start(meeting.held_on)
    touched = _write_attendance(meeting, wanted, existing, by, moved=moved)
    if guest_officers is not None:
        offered = set()
        if guest_officers:  # chosen among the officers above on the day
            if officers_on_day is None:
                officers_on_day = guest_officers_on(cell, meeting.held_on)
            offered = {o.pk for o in officers_on_day}
        _write_guests(meeting, guest_officers, offered, by, new=new)
    for task in tasks:
        item = Task(meeting=meeting, member=task.member, text=task.text, due_on=task.due_on)
        item._history_user = by
        item.save()
    months = {month_start(meeting.held_on)} | ({old_month} if old_month else set())
    _refresh_rollups(cell.pk, touched, months)
    return meeting


@transaction.atomic
def meeting_delete(*, meeting: Meeting, by) -> None:
    """Delete a meeting with its attendance, tasks and guests; its months' stored figures
    (the cell's rollup, the members' absences) are recomputed in the same transaction."""
    _require_cell_edit(by, meeting.cell)
    member_ids = set(meeting.attendance.values_list("member_id", flat=True))
    cell_id, month = meeting.cell_id, month_start(meeting.held_on)
    meeting._history_user = by
    meeting.delete()
    _refresh_rollups(cell_id, member_ids, {month})


@transaction.atomic
def task_mark_done(*, task: Task, by, on: date | None = None) -> Task:
    """Mark a task done (today unless `on` is given)."""
    check_path(by, task.meeting.cell.path, write=True)
    task.done_on = on or timezone.localdate()
    task._history_user = by
    task.save()
    return task


@transaction.atomic
def plan_register(*, cell: Unit, year: int, quarter: int, topic: str, by) -> ThematicPlan:
    """A cell registers its thematic topic for a quarter with the committee above it."""
    _require_cell_edit(by, cell)
    plan = ThematicPlan.objects.filter(cell=cell, year=year, quarter=quarter).first()
    if plan is not None and plan.status == PlanStatus.ACCEPTED:
        raise ValidationError(
            _("The committee has already accepted this quarter's topic; it cannot change.")
        )
    if plan is None:
        plan = ThematicPlan(cell=cell, year=year, quarter=quarter)
    plan.topic = topic
    plan.registered_by = by
    plan._history_user = by
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def plan_accept(*, plan: ThematicPlan, by, on: date | None = None) -> ThematicPlan:
    """The committee above the cell accepts its registered topic."""
    committee = plan.cell.parent
    check_path(by, plan.cell.path)
    if committee is None or not scope_for(by).can_restructure(committee.path):
        raise PermissionDenied
    plan.status = PlanStatus.ACCEPTED
    plan.accepted_by = by
    plan.accepted_on = on or timezone.localdate()
    plan._history_user = by
    plan.save()
    return plan


def _differences(stored: dict, computed: dict, label: str = "") -> list[str]:
    """One line per (owner, month) key whose stored values differ from those computed."""
    lines = []
    for key in sorted(set(stored) | set(computed)):
        old, new = stored.get(key), computed.get(key)
        if old != new:
            owner, month = key
            lines.append(f"{label}{owner} {month:%m/%Y}: {old} -> {new}")
    return lines


@transaction.atomic
def recompute_rollups(*, fix: bool = True) -> list[str]:
    """Rebuild every stored figure from its source: the cell-month rollups from the meetings'
    counts, the members' monthly absences from the attendance rows; return the differences."""
    fields = [f.name for f in MonthlyRollup._meta.concrete_fields]
    fields = [f for f in fields if f not in ("id", "unit", "month")]
    stored = {
        (r.unit_id, r.month): {f: getattr(r, f) for f in fields}
        for r in MonthlyRollup.objects.all()
    }
    computed = _rollup_rows(Meeting.objects.all())
    differences = _differences(stored, computed)
    if differences and fix:
        MonthlyRollup.objects.all().delete()
        MonthlyRollup.objects.bulk_create(_rollup_objects(computed), batch_size=2000)

    member_stored = {
        (member_id, month): {"cell_id": cell_id, "unexcused": unexcused, "absences": absences}
        for member_id, month, cell_id, unexcused, absences in MemberMonth.objects.values_list(
            "member_id", "month", "cell_id", "unexcused", "absences"
        )
    }
    member_computed = member_month_rows(Attendance.objects.all())
    member_differences = _differences(member_stored, member_computed, "đảng viên ")
    if member_differences and fix:
        MemberMonth.objects.all().delete()
        MemberMonth.objects.bulk_create(member_months_for(member_computed), batch_size=2000)
    return differences + member_differences
