"""Scoped reads of meetings: rosters, lists, compliance boards and the rule alerts.

Boards (the commune grid, the district board) read monthly rollups only, in a fixed number of
queries; the removal candidates read the members' monthly absences; attendance rows are read
for one meeting, or for the absences in a row.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Max, Q, Window
from django.http import Http404

from meetings.models import (
    ApartReason,
    Attendance,
    AttendanceStatus,
    Meeting,
    MemberMonth,
    MonthlyRollup,
    Task,
    ThematicPlan,
    percent,
)
from meetings.rules import (
    ABSENT_IN_A_ROW_LIMIT,
    FEW_MEETINGS_WINDOWS,
    GRID_MONTHS,
    MISSED_MONTH_DAY,
    REMOVAL_UNEXCUSED_MONTHS,
    add_months,
    month_start,
    previous_quarter,
    quarter_months,
    quarter_of,
)
from members.choices import ACTIVE_STATUSES
from members.models import Member, Placement
from units.access import check_path, scope_for
from units.models import CELL_KINDS, PATH_END, Officer, Unit, UnitKind, UnitVersion

# --- Rosters and lookups -------------------------------------------------------------------


def is_exempt_on(member, day: date) -> bool:
    """Exempt from activity on `day` (miễn sinh hoạt): shown apart, left out of the rate."""
    return member.exempt_since is not None and member.exempt_since <= day


def is_away_on(member, day: date) -> bool:
    """On temporary transfer (chuyển sinh hoạt tạm thời) on `day`: from `away_since` until
    the day before `away_until` (the planned end, or the return once it is recorded).

    The one place that reads it: rosters, counts and rates follow.
    """
    since, until = member.away_since, member.away_until
    return since is not None and since <= day and (until is None or day < until)


def on_rolls_q(day: date, prefix: str = "") -> Q:
    """Members on the rolls on `day`: admitted by then and not gone before it (status as of the
    day: a member who left later counts, one who left before does not)."""
    return Q(**{f"{prefix}admitted_on__lte": day}) & (
        Q(**{f"{prefix}left_on__gt": day})
        | Q(**{f"{prefix}left_on__isnull": True, f"{prefix}status__in": ACTIVE_STATUSES})
    )


def apart_reason_on(member, day: date) -> str:
    """Why `member` is kept apart from a meeting on `day` (an ApartReason), or ""."""
    if is_exempt_on(member, day):
        return ApartReason.EXEMPT
    if is_away_on(member, day):
        return ApartReason.AWAY
    return ""


# The fields of a member that a meeting's list shows and decides on: reading these alone, the
# list of a cell is quicker to read and to build.
ROSTER_FIELDS = (
    "id",
    "unit_id",
    "full_name",
    "sort_key",
    "exempt_since",
    "away_since",
    "away_until",
)


def cell_members_on(cell: Unit, day: date):
    """The members placed in `cell` on `day` (placement history) and on the rolls that day
    (their ROSTER_FIELDS)."""
    placed = Placement.objects.on(day).filter(unit=cell).values("member_id")
    return (
        Member.objects.filter(pk__in=placed)
        .filter(on_rolls_q(day))
        .only(*ROSTER_FIELDS)
        .order_by("sort_key", "id")
    )


def cell_roster(cell: Unit, day: date, meeting: Meeting | None = None) -> tuple[list, list]:
    """(counted, apart): the cell's members on `day`; apart are those exempt or away, each
    with `apart_reason`.

    With `meeting` (an edit), members who have a row at that meeting but are not on the day's
    list (gone since, or records corrected) are kept, as their row has them, marked `kept`:
    an edit never drops a row.
    """
    counted, apart = [], []
    for member in cell_members_on(cell, day):
        member.kept = False
        member.apart_reason = apart_reason_on(member, day)
        (apart if member.apart_reason else counted).append(member)
    if meeting is not None and meeting.pk:
        listed = {m.pk for m in counted} | {m.pk for m in apart}
        rows = meeting.attendance.exclude(member_id__in=listed).select_related("member__unit")
        for row in rows:
            member = row.member
            member.kept = True
            member.apart_reason = row.apart_reason if row.is_apart else ""
            (apart if row.is_apart else counted).append(member)
        counted.sort(key=lambda m: (m.sort_key, m.pk))
        apart.sort(key=lambda m: (m.sort_key, m.pk))
    return counted, apart


def roster_signature(roster: tuple[list, list]) -> str:
    """A short fingerprint of a roster: who is counted and who is kept apart (and why)."""
    counted, apart = roster
    text = "c:{}|a:{}".format(
        ",".join(str(m.pk) for m in sorted(counted, key=lambda m: m.pk)),
        ",".join(f"{m.pk}{m.apart_reason}" for m in sorted(apart, key=lambda m: m.pk)),
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def units_above_on(cell: Unit, day: date) -> list[UnitVersion]:
    """The committees above `cell` as they stood on `day` (their versions), nearest first.

    One query when the cell stood where it stands today (the versions of the cell and of its
    units above today); a second for the units above it then, when it stood elsewhere. Falls
    back to today's tree for a cell without versions.
    """
    today_ids = cell.ancestor_ids
    versions = {
        v.unit_id: v for v in UnitVersion.objects.on(day).filter(unit_id__in=[*today_ids, cell.pk])
    }
    own = versions.get(cell.pk)
    ids = [int(pk) for pk in own.path.strip(".").split(".")[:-1]] if own else today_ids
    if missing := [pk for pk in ids if pk not in versions]:
        versions.update(
            (v.unit_id, v) for v in UnitVersion.objects.on(day).filter(unit_id__in=missing)
        )
    return [versions[pk] for pk in reversed(ids) if pk in versions]


def parent_name_on(cell: Unit, day: date) -> str:
    """The name of the committee directly above `cell` on `day` (minutes header)."""
    above = units_above_on(cell, day)
    if above:
        return above[0].name
    return cell.parent.name if cell.parent_id else ""


def guest_officers_on(cell: Unit, day: date):
    """Officers of the committees above `cell` in office on `day`: who may attend as guests."""
    ids = [v.unit_id for v in units_above_on(cell, day)] or cell.ancestor_ids
    return (
        Officer.objects.on(day)
        .filter(unit_id__in=ids)
        .select_related("member", "unit")
        .order_by("-unit__depth", "role", "member__sort_key", "id")
    )


def get_meeting_for_user(user, pk, *, write: bool = False) -> Meeting:
    """The meeting `pk` if the user may see its cell (404), and edit it when `write` (403)."""
    meeting = (
        Meeting.objects.filter(pk=pk)
        .select_related("cell", "cell__parent", "chair", "recorder", "thematic_plan")
        .first()
    )
    if meeting is None:
        raise Http404
    check_path(user, meeting.cell.path, write=write)
    return meeting


def get_cell_for_user(user, pk, *, write: bool = False) -> Unit:
    """A party cell the user may see (404 for anything else), and edit when `write` (403)."""
    unit = Unit.objects.filter(pk=pk, kind__in=CELL_KINDS).select_related("parent").first()
    if unit is None:
        # Not a cell, or no such unit: reveal neither.
        raise Http404
    check_path(user, unit.path, write=write)
    return unit


def get_task_for_user(user, pk, *, write: bool = False) -> Task:
    task = Task.objects.filter(pk=pk).select_related("meeting__cell", "member").first()
    if task is None:
        raise Http404
    check_path(user, task.meeting.cell.path, write=write)
    return task


def get_plan_for_user(user, pk) -> ThematicPlan:
    plan = ThematicPlan.objects.filter(pk=pk).select_related("cell", "cell__parent").first()
    if plan is None:
        raise Http404
    check_path(user, plan.cell.path)
    return plan


def meeting_list(*, user, cell: Unit):
    """A cell's meetings, newest first (the cell already checked against the user's scope)."""
    check_path(user, cell.path)
    return Meeting.objects.filter(cell=cell).select_related("thematic_plan")


def meeting_attendance(meeting: Meeting):
    return list(
        meeting.attendance.select_related("member").order_by(
            "is_apart", "member__sort_key", "member_id"
        )
    )


def meeting_guests(meeting: Meeting) -> list:
    """The officers from above who attended, with their member and unit (one query)."""
    return [
        row.officer
        for row in meeting.guest_rows.select_related("officer__member", "officer__unit").order_by(
            "-officer__unit__depth", "officer__role", "id"
        )
    ]


def attendance_changes(meeting: Meeting, limit: int = 50) -> list:
    """Attendance changed after the meeting was logged: whose status, to what, who, when."""
    return list(
        Attendance.history.filter(meeting_id=meeting.pk, history_type__in=["~", "-"])
        .select_related("member", "history_user")
        .order_by("-history_date")[:limit]
    )


def task_list(*, user, cell: Unit | None = None, member=None):
    """Tasks of a cell or of one member, open ones first (on every database: PostgreSQL sorts
    NULL last unless told), then by due date."""
    tasks = Task.objects.filter(scope_for(user).visible_q("meeting__cell__path"))
    if cell is not None:
        tasks = tasks.filter(meeting__cell=cell)
    if member is not None:
        tasks = tasks.filter(member=member)
    return tasks.select_related("member", "meeting").order_by(
        F("done_on").asc(nulls_first=True),
        F("due_on").asc(nulls_last=True),
        "meeting__held_on",
        "id",
    )


def plan_list(*, user, unit: Unit):
    """Thematic plans of the cells at or under `unit`, newest quarter first."""
    return (
        ThematicPlan.objects.filter(scope_for(user).visible_q("cell__path"))
        .filter(cell__path__gte=unit.path, cell__path__lt=unit.path + PATH_END)
        .select_related("cell", "accepted_by", "registered_by")
        .order_by("-year", "-quarter", "cell__name")
    )


# --- Compliance ----------------------------------------------------------------------------


def in_life(cell: Unit, month: date) -> bool:
    """Whether `cell` existed in `month` (founded before its end, not dissolved by its start):
    only such months can be met or missed."""
    founded, dissolved = cell.founded_on, cell.dissolved_on
    return (founded is None or founded < add_months(month, 1)) and (
        dissolved is None or dissolved > month
    )


@dataclass
class GridCell:
    """One cell-month of the grid. `state` is met (a regular meeting was held, Điều lệ art. 24),
    missed, pending (the month of `today`, not over yet) or blank (before the cell was founded or
    after it was dissolved); a thematic meeting is shown on top of any of them."""

    month: date
    rollup: MonthlyRollup | None = None
    alive: bool = True
    current: bool = False

    @property
    def met(self) -> bool:
        return bool(self.rollup and self.rollup.regular)

    @property
    def thematic(self) -> bool:
        return bool(self.rollup and self.rollup.thematic)

    @property
    def meetings(self) -> int:
        return self.rollup.meetings if self.rollup else 0

    @property
    def good_quality(self) -> int:
        return self.rollup.good_quality if self.rollup else 0

    @property
    def good(self) -> bool:
        """Every meeting of the month of good quality (HD 12-HD/BTCTW: over 85%, no unexcused)."""
        return bool(self.meetings and self.good_quality == self.meetings)

    @property
    def rate(self) -> float | None:
        return self.rollup.attendance_rate if self.rollup else None

    @property
    def state(self) -> str:
        if self.met:
            return "met"
        if not self.alive:
            return "blank"
        if self.current:
            return "pending"
        return "missed"


@dataclass
class GridRow:
    unit: Unit
    months: list = field(default_factory=list)
    expected: int = 0
    present: int = 0
    met_months: int = 0
    due_months: int = 0  # months the cell had to meet (alive and over), or met
    thematic_quarters: int = 0
    meetings: int = 0
    good_quality: int = 0

    @property
    def rate(self) -> float | None:
        return percent(self.present, self.expected)

    @property
    def quality_share(self) -> float | None:
        return percent(self.good_quality, self.meetings)


def grid_months(today: date, n: int = GRID_MONTHS) -> list[date]:
    """The last `n` months, this one included, oldest first."""
    this = month_start(today)
    return [add_months(this, -i) for i in range(n - 1, -1, -1)]


def _rollups(paths_root: str, months: list[date]):
    return MonthlyRollup.objects.filter(
        unit__path__gte=paths_root,
        unit__path__lt=paths_root + PATH_END,
        month__gte=months[0],
        month__lte=months[-1],
    )


def _cells_in_window(unit: Unit, months: list[date]):
    """The cells at or under `unit` that existed in some month of the window (dissolved ones
    included up to their dissolution, new ones from their founding)."""
    return (
        Unit.objects.subtree(unit.path)
        .filter(kind__in=CELL_KINDS)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=months[0]))
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lt=add_months(months[-1], 1)))
    )


def commune_grid(*, user, unit: Unit, today: date) -> tuple[list[date], list[GridRow]]:
    """The cells at or under `unit` × the last 12 months, from rollups: two queries."""
    check_path(user, unit.path)
    months = grid_months(today)
    this = months[-1]
    cells = list(_cells_in_window(unit, months).order_by("name", "pk"))
    by_key = {(r.unit_id, r.month): r for r in _rollups(unit.path, months)}
    rows = []
    for cell in cells:
        row = GridRow(unit=cell)
        quarters = set()
        for month in months:
            rollup = by_key.get((cell.pk, month))
            item = GridCell(
                month=month, rollup=rollup, alive=in_life(cell, month), current=month == this
            )
            row.months.append(item)
            if item.met:
                row.met_months += 1
            if item.state in ("met", "missed"):
                row.due_months += 1
            if rollup:
                row.expected += rollup.expected
                row.present += rollup.present
                row.meetings += rollup.meetings
                row.good_quality += rollup.good_quality
                if rollup.thematic:
                    quarters.add(quarter_of(month))
        row.thematic_quarters = len(quarters)
        rows.append(row)
    return months, rows


@dataclass
class BoardRow:
    unit: Unit
    cells: int = 0  # cells in existence at the end of the period
    cells_last_month: int = 0  # cells that had to meet last month
    cell_months: int = 0  # cell-months due: alive and over, or met (the grid's met + missed)
    met: int = 0  # cell-months with a regular meeting
    thematic: int = 0
    good_quality: int = 0
    meetings: int = 0
    expected: int = 0
    present: int = 0
    unexcused: int = 0
    met_last_month: int = 0

    @property
    def rate(self) -> float | None:
        return percent(self.present, self.expected)

    @property
    def met_share(self) -> float | None:
        return percent(self.met, self.cell_months)

    @property
    def quality_share(self) -> float | None:
        return percent(self.good_quality, self.meetings)

    @property
    def view(self) -> str:
        """Where a drill-down goes: a district's board, a commune's grid, a cell's meetings."""
        if self.unit.is_cell:
            return "meeting_list"
        return "meeting_board" if board_kind(self.unit) == "board" else "meeting_grid"


def district_board(*, user, unit: Unit, today: date) -> tuple[list[date], list[BoardRow]]:
    """Per unit directly under `unit` (communes …), its cells' last 12 months from rollups.

    Three queries whatever the size: the units under it, its cells, the rollups. Months count
    as on the grid: a cell's months before its founding or after its dissolution are not due,
    nor is the month of `today` unless it was met; a rollup counts only for a cell on the board.
    """
    check_path(user, unit.path)
    months = grid_months(today)
    this, last_month = months[-1], months[-2]
    children = list(Unit.objects.filter(parent=unit).active().order_by("kind", "name"))
    rows = {str(child.pk): BoardRow(unit=child) for child in children}
    start = len(unit.path)
    cells = {}  # cell id → (its board row, the months it had to meet, excluding this one)
    for cell in _cells_in_window(unit, months).only("pk", "path", "founded_on", "dissolved_on"):
        row = rows.get(cell.path[start:].split(".", 1)[0])
        if row is None:
            continue
        due = {m for m in months[:-1] if in_life(cell, m)}
        cells[cell.pk] = (row, due)
        row.cell_months += len(due)
        if in_life(cell, this):
            row.cells += 1
        if last_month in due:
            row.cells_last_month += 1
    rollups = _rollups(unit.path, months).values_list(
        "unit_id",
        "month",
        "regular",
        "thematic",
        "meetings",
        "good_quality",
        "expected",
        "present",
        "unexcused",
    )
    for cell_id, month, regular, thematic, meetings, good, expected, present, unexcused in rollups:
        if cell_id not in cells:
            continue
        row, due = cells[cell_id]
        if regular and month in due:
            row.met += 1
            row.met_last_month += 1 if month == last_month else 0
        elif regular and month == this:
            row.met += 1  # this month counts once met, and only then
            row.cell_months += 1
        row.thematic += thematic
        row.meetings += meetings
        row.good_quality += good
        row.expected += expected
        row.present += present
        row.unexcused += unexcused
    return months, list(rows.values())


@dataclass
class CellCompliance:
    met_this_month: bool
    met_last_month: bool
    thematic_this_quarter: bool
    last_meeting: date | None
    months_since_last: int | None
    months_met: dict  # {window months: months with a meeting}
    rate_12_months: float | None


def cell_compliance(*, cell: Unit, today: date) -> CellCompliance:
    """A cell's standing today, from its rollups and its last meeting's date (two queries)."""
    months = grid_months(today)
    rollups = {r.month: r for r in MonthlyRollup.objects.filter(unit=cell, month__gte=months[0])}
    this, last = months[-1], months[-2]
    year, quarter = quarter_of(today)
    q_first, _q_next = quarter_months(year, quarter)
    last_day = Meeting.objects.filter(cell=cell, held_on__lte=today).aggregate(d=Max("held_on"))[
        "d"
    ]
    months_met = {}
    for window, _fewer in FEW_MEETINGS_WINDOWS:
        months_met[window] = sum(
            1 for m in months[-window:] if rollups.get(m) and rollups[m].regular
        )
    expected = sum(r.expected for r in rollups.values())
    present = sum(r.present for r in rollups.values())
    return CellCompliance(
        met_this_month=bool(rollups.get(this) and rollups[this].regular),
        met_last_month=bool(rollups.get(last) and rollups[last].regular),
        thematic_this_quarter=any(r.thematic for m, r in rollups.items() if m >= q_first),
        last_meeting=last_day,
        months_since_last=(
            (this.year - last_day.year) * 12 + this.month - last_day.month if last_day else None
        ),
        months_met=months_met,
        rate_12_months=percent(present, expected),
    )


# --- Rule alerts ---------------------------------------------------------------------------


@dataclass
class MemberAlert:
    member: object
    months: list = field(default_factory=list)  # for removal candidates
    streak: int = 0  # for absences in a row


@dataclass
class Alerts:
    removal_candidates: list = field(default_factory=list)
    absent_in_a_row: list = field(default_factory=list)
    missed_last_month: list = field(default_factory=list)
    without_thematic: list = field(default_factory=list)
    missed_month: date | None = None
    thematic_quarter: tuple | None = None
    few_meetings: list = field(default_factory=list)  # (cell, window, months met)

    @property
    def count(self) -> int:
        return (
            len(self.removal_candidates)
            + len(self.absent_in_a_row)
            + len(self.missed_last_month)
            + len(self.without_thematic)
            + len(self.few_meetings)
        )


def _subtree_attendance(unit: Unit, first: date, until: date):
    """Counted attendance rows of the meetings held under `unit` in [first, until].

    The meetings are picked first (cell path and date, both indexed), then their rows by the
    meeting key: a plan that stays small on a province of millions of rows. No join to the
    members here (SQLite would loop members × meetings): `_member_alerts` drops those no longer
    on the rolls.
    """
    meetings = Meeting.objects.filter(
        cell__path__gte=unit.path,
        cell__path__lt=unit.path + PATH_END,
        held_on__gte=first,
        held_on__lte=until,
    ).values("pk")
    return Attendance.objects.filter(meeting_id__in=meetings, is_apart=False)


def removal_candidates(*, unit: Unit, year: int, today: date) -> list[MemberAlert]:
    """Members unexcused in 3 or more distinct months of `year` (Điều lệ Đảng: xóa tên).

    Reads the members' monthly absences (MemberMonth), never the attendance rows: two queries
    whatever the size of the subtree (the months, then the members). Only the months of members
    with enough of them leave the database: a province has tens of thousands of months with an
    unexcused absence and a few hundred candidates.
    """
    last = min(date(year, 12, 1), month_start(today))
    unexcused = MemberMonth.objects.filter(
        cell__path__gte=unit.path,
        cell__path__lt=unit.path + PATH_END,
        month__gte=date(year, 1, 1),
        month__lte=last,
        unexcused__gt=0,
    )
    # One row per member and month (meetings_membermonth_one_per_member_month): one pass.
    rows = (
        unexcused.annotate(months=Window(Count("pk"), partition_by=F("member_id")))
        .filter(months__gte=REMOVAL_UNEXCUSED_MONTHS)
        .values_list("member_id", "month")
        .order_by("member_id", "month")
    )
    months = defaultdict(set)
    for member_id, month in rows:
        months[member_id].add(month)
    wanted = {k: sorted(v) for k, v in months.items() if len(v) >= REMOVAL_UNEXCUSED_MONTHS}
    return _member_alerts(wanted, lambda alert, value: setattr(alert, "months", value), today)


def absent_in_a_row(*, unit: Unit, year: int, today: date) -> list[MemberAlert]:
    """Members absent, for any reason, from more than 3 meetings in a row in `year`."""
    rows = (
        _subtree_attendance(unit, date(year, 1, 1), min(date(year, 12, 31), today))
        .order_by("member_id", "meeting__held_on", "meeting_id")
        .values_list("member_id", "status")
    )
    longest, current = defaultdict(int), defaultdict(int)
    for member_id, status in rows:
        if status == AttendanceStatus.PRESENT:
            current[member_id] = 0
        else:
            current[member_id] += 1
            longest[member_id] = max(longest[member_id], current[member_id])
    wanted = {k: v for k, v in longest.items() if v > ABSENT_IN_A_ROW_LIMIT}
    return _member_alerts(wanted, lambda alert, value: setattr(alert, "streak", value), today)


def _member_alerts(values: dict, put, today: date) -> list[MemberAlert]:
    """Alerts for the members in `values` still on the rolls on `today`, in name order."""
    alerts = []
    # With no alert the query still runs (it finds nobody): Django skips an empty `pk__in`, and
    # a page's query count would then depend on its data, not only on its kind.
    members = (
        Member.objects.filter(Q(pk__in=values) if values else Q(pk__isnull=True))
        .filter(on_rolls_q(today))
        .select_related("unit")
        .order_by("sort_key", "id")
    )
    for member in members:
        alert = MemberAlert(member=member)
        put(alert, values[member.pk])
        alerts.append(alert)
    return alerts


def cells_missing_month(*, unit: Unit, today: date) -> tuple[date | None, list[Unit]]:
    """After the 10th, the cells that logged no regular meeting last month (Điều lệ, art. 24)."""
    if today.day <= MISSED_MONTH_DAY:
        return None, []
    month = add_months(month_start(today), -1)
    met = MonthlyRollup.objects.filter(month=month, regular__gt=0).values("unit_id")
    cells = (
        _cells(unit)
        .exclude(pk__in=met)
        .exclude(founded_on__gte=add_months(month, 1))
        .order_by("name")
    )
    return month, list(cells)


def cells_without_thematic(*, unit: Unit, today: date) -> tuple[tuple, list[Unit]]:
    """The cells that held no thematic meeting in the last full quarter (HD 12-HD/BTCTW)."""
    year, quarter = previous_quarter(today)
    first, after = quarter_months(year, quarter)
    held = MonthlyRollup.objects.filter(month__gte=first, month__lt=after, thematic__gt=0).values(
        "unit_id"
    )
    cells = _cells(unit).exclude(pk__in=held).exclude(founded_on__gte=after).order_by("name")
    return (year, quarter), list(cells)


def cells_meeting_rarely(*, unit: Unit, today: date) -> list[tuple]:
    """Cells that met (a regular meeting, as on the grid) in fewer than N of the last 6 or 12
    months (seed 000's chase list)."""
    months = grid_months(today)
    counts = defaultdict(lambda: defaultdict(int))
    for unit_id, month in (
        _rollups(unit.path, months).filter(regular__gt=0).values_list("unit_id", "month")
    ):
        for window, _fewer in FEW_MEETINGS_WINDOWS:
            if month >= months[-window]:
                counts[unit_id][window] += 1
    result = []
    for cell in _cells(unit).exclude(founded_on__gte=months[0]).order_by("name"):
        for window, fewer in reversed(FEW_MEETINGS_WINDOWS):
            if counts[cell.pk][window] < fewer:
                result.append((cell, window, counts[cell.pk][window]))
                break
    return result


def _cells(unit: Unit):
    return Unit.objects.subtree(unit.path).active().filter(kind__in=CELL_KINDS)


def alerts_for(*, user, unit: Unit, today: date) -> Alerts:
    """Every rule alert for `unit` and what lies under it, as of `today`."""
    check_path(user, unit.path)
    missed_month, missed = cells_missing_month(unit=unit, today=today)
    quarter, without = cells_without_thematic(unit=unit, today=today)
    return Alerts(
        removal_candidates=removal_candidates(unit=unit, year=today.year, today=today),
        absent_in_a_row=absent_in_a_row(unit=unit, year=today.year, today=today),
        missed_last_month=missed,
        missed_month=missed_month,
        without_thematic=without,
        thematic_quarter=quarter,
        few_meetings=cells_meeting_rarely(unit=unit, today=today),
    )


def board_kind(unit: Unit) -> str:
    """Which compliance page a unit gets: its cells' grid, or its communes' board."""
    if unit.kind in (UnitKind.PROVINCIAL, UnitKind.DISTRICT):
        return "board"
    return "grid"
