"""The leaders' dashboard: a unit's figures as of any date, in a fixed number of queries.

Every figure is that of the chosen day: the units as they stood then (unit versions), the
members on the rolls then (placements and the members' dates), the meetings up to that day
(monthly rollups for the months before, the meetings' stored counts for the month itself).
The number of queries does not depend on the size of the tree, the number of members or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from meetings.models import Meeting, MeetingKind, MonthlyRollup, percent
from meetings.rules import (
    FEW_MEETINGS_WINDOWS,
    GOOD_QUALITY_RATE,
    MISSED_MONTH_DAY,
    add_months,
    month_start,
    quarter_months,
    quarter_of,
)
from meetings.selectors import cells_missing_month, removal_candidates
from members.choices import (
    ACTIVE_STATUSES,
    AGE_BANDS,
    EXIT_STATUSES,
    Ethnicity,
    MemberStatus,
    Sex,
)
from members.models import Candidate, Member, Placement
from members.rules import add_months as add_months_keep_day
from members.selectors import probation_due
from reports.models import Resolution, Target, TargetKind
from units.access import check_path, scope_for
from units.models import CELL_KINDS, PATH_END, Unit, UnitKind, UnitVersion, Village
from units.selectors import MIN_FULL_MEMBERS_PER_CELL, Figures
from units.vietnamese import text_sort_key

# Members over the years and admissions per year: this many years, the chosen one last.
CHART_YEARS = 6
# Why members left the rolls, in the order of the statistics form (HD 11-HD/BTCTW, 2021).
LEAVING_STATUSES = list(dict.fromkeys(EXIT_STATUSES.values()))
EXIT_LABELS = {status: MemberStatus(status).label for status in LEAVING_STATUSES}


# --- The tree as it stood ------------------------------------------------------------------


class History:
    """Every version of every unit that ever stood under the dashboard's unit: two queries.

    Paths are paths of ids, so a version lies under the unit exactly when its path holds the
    unit's id; the unit's own versions give the paths to look under (it may have moved).
    """

    def __init__(self, unit: Unit):
        self.top = unit.pk
        paths = set(UnitVersion.objects.filter(unit_id=unit.pk).values_list("path", flat=True))
        self.paths_q = Q(pk__in=[])
        for path in paths:
            self.paths_q |= Q(path__gte=path, path__lt=path + PATH_END)
        segment = f".{unit.pk}."
        self.versions = [
            v
            for v in UnitVersion.objects.filter(self.paths_q).select_related("unit")
            if segment in f".{v.path}"
        ]

    def on(self, day: date) -> list[UnitVersion]:
        """The versions in force on `day`: the subtree as it stood."""
        return [
            v
            for v in self.versions
            if v.valid_from <= day and (v.valid_to is None or v.valid_to > day)
        ]

    def during(self, first: date, last: date) -> set[int]:
        """The units under it at some time from `first` to `last` (for counts of events)."""
        return {
            v.unit_id
            for v in self.versions
            if v.valid_from <= last and (v.valid_to is None or v.valid_to > first)
        }

    def ever(self):
        """The ids of every unit ever under it, as a subquery."""
        return UnitVersion.objects.filter(self.paths_q).values("unit_id")


def _on_rolls(day: date, prefix: str = "member__") -> Q:
    """A member on the rolls on `day`: admitted by then, not yet gone."""
    return Q(**{f"{prefix}admitted_on__lte": day}) & (
        Q(**{f"{prefix}left_on__gt": day})
        | Q(**{f"{prefix}left_on__isnull": True, f"{prefix}status__in": ACTIVE_STATUSES})
    )


def _band_q(day: date, low, high, prefix: str = "member__") -> Q:
    """Members whose age on `day` lies in [low, high] (None: open), by birth date."""
    q = Q()
    if low is not None:
        q &= Q(**{f"{prefix}birth_date__lte": add_months_keep_day(day, -12 * low)})
    if high is not None:
        q &= Q(**{f"{prefix}birth_date__gt": add_months_keep_day(day, -12 * (high + 1))})
    return q


# --- Figures -------------------------------------------------------------------------------


@dataclass
class MemberFigures:
    """The members panel: who is on the rolls on the day."""

    total: int = 0
    full: int = 0
    probationary: int = 0
    women: int = 0
    minority: int = 0
    exempt: int = 0
    bands: dict = field(default_factory=dict)
    new: int = 0  # admitted since 1 January of the day's year
    left: int = 0  # left the rolls since 1 January

    def add(self, other: "MemberFigures") -> None:
        for name in ("total", "full", "probationary", "women", "minority", "exempt"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for key, n in other.bands.items():
            self.bands[key] = self.bands.get(key, 0) + n


@dataclass
class MeetingFigures:
    """A set of cells' meetings: this month to the day, last month, the quarter, 12 months."""

    cells: int = 0
    met_this_month: int = 0
    met_last_month: int = 0
    thematic_this_quarter: int = 0
    thematic_meetings_quarter: int = 0
    meetings: int = 0  # in the 12 months to the day
    good_quality: int = 0
    expected: int = 0
    present: int = 0
    met_months_year: int = 0  # cell-months with a regular meeting, 1 January to last month
    months_year: int = 0  # cell-months in that time

    def add(self, other: "MeetingFigures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def rate(self) -> float | None:
        return percent(self.present, self.expected)

    @property
    def quality_share(self) -> float | None:
        return percent(self.good_quality, self.meetings)

    @property
    def met_last_month_share(self) -> float | None:
        return percent(self.met_last_month, self.cells)

    @property
    def monthly_share_year(self) -> float | None:
        return percent(self.met_months_year, self.months_year)


@dataclass
class Row:
    """A unit directly under the dashboard's unit, with its key figures (the drill-down)."""

    unit: Unit  # carrying its name, kind and path of the day
    can_open: bool
    figures: Figures = field(default_factory=Figures)
    meetings: MeetingFigures = field(default_factory=MeetingFigures)


@dataclass
class Lagging:
    cell: Unit
    can_open: bool
    missed_last_month: bool
    window: int | None = None  # met in fewer than the rule's months of this window
    met: int | None = None


@dataclass
class ChartPoint:
    label: str
    value: float | None
    target: float | None = None
    unit_pk: int | None = None


@dataclass
class TargetProgress:
    target: Target
    year: int
    actual: float | None
    projected: float | None  # the year-to-date figure carried on to the year's end
    reached: bool  # the figure already meets the target
    on_pace: bool  # the figure, or its projection, meets the target by the year's end


@dataclass
class Dashboard:
    unit: Unit
    day: date
    existed: bool
    figures: Figures = field(default_factory=Figures)
    members: MemberFigures = field(default_factory=MemberFigures)
    last_year: MemberFigures = field(default_factory=MemberFigures)
    last_year_day: date | None = None
    leaving: list = field(default_factory=list)  # (status, label, this year, last year)
    meetings: MeetingFigures = field(default_factory=MeetingFigures)
    rows: list = field(default_factory=list)
    lagging: list = field(default_factory=list)
    admissions: int = 0
    admissions_last_year: int = 0
    pipeline: list = field(default_factory=list)  # (stage, label, count)
    probation: dict = field(default_factory=dict)
    removal: list = field(default_factory=list)
    missed_month: date | None = None
    missed_cells: list = field(default_factory=list)
    members_chart: list = field(default_factory=list)
    admissions_chart: list = field(default_factory=list)
    attendance_chart: list = field(default_factory=list)
    compliance_chart: list = field(default_factory=list)
    targets: list = field(default_factory=list)
    month: date | None = None
    quarter: tuple | None = None
    name: str = ""  # the unit's name on the day

    @property
    def admissions_target(self) -> TargetProgress | None:
        return next((t for t in self.targets if t.target.kind == TargetKind.ADMISSIONS), None)


# --- Organisation and members --------------------------------------------------------------


def _organisation(units, day: date, per_unit: dict):
    """Figures each unit holds by itself on `day`: its kind, its members, its villages."""
    own = defaultdict(Figures)
    for unit in units:
        f = own[unit.pk]
        if unit.kind == UnitKind.COMMUNE:
            f.communes = f.grassroots = 1
        elif unit.kind == UnitKind.BASE_COMMITTEE:
            f.base_committees = f.grassroots = 1
        elif unit.kind == UnitKind.BASE_CELL:
            f.base_cells = f.grassroots = 1
        elif unit.kind == UnitKind.SUB_CELL:
            f.sub_cells = 1
        members = per_unit.get(unit.pk)
        if members is not None:
            f.members, f.full_members = members.total, members.full
            f.probationary_members = members.probationary
    # Villages and the cells covering them are today's (villages are not versioned); who lives
    # there is as of the day.
    villages = (
        Village.objects.filter(commune_id__in=[u.pk for u in units if u.kind == UnitKind.COMMUNE])
        # A white village has nobody on the rolls living there: one index probe per village.
        .annotate(
            lived_in=Exists(
                Member.objects.filter(_on_rolls(day, ""), residence_village_id=OuterRef("pk"))
            )
        )
        .values_list("commune_id", "cell_id", "lived_in")
    )
    villages = list(villages)
    per_cell = defaultdict(int)
    for _commune, cell_id, _n in villages:
        if cell_id:
            per_cell[cell_id] += 1
    for commune_id, cell_id, residents in villages:
        f = own[commune_id]
        f.villages += 1
        if cell_id is None:
            f.villages_without_cell += 1
        elif per_cell[cell_id] == 1:
            f.villages_own_cell += 1
        else:
            f.villages_combined_cell += 1
        if not residents:
            f.white_villages += 1
    for cell_id, n in per_cell.items():
        own[cell_id].covered_villages = n
        own[cell_id].independent_cells, own[cell_id].combined_cells = (1, 0) if n == 1 else (0, 1)
    for unit in units:
        # Điều lệ Đảng: a cell needs at least 3 full members.
        if unit.kind in CELL_KINDS and own[unit.pk].full_members < MIN_FULL_MEMBERS_PER_CELL:
            own[unit.pk].small_cells = 1
    return own


# Open ends of placements and memberships, so that "in force on a day" is two comparisons.
FOREVER = date(9999, 12, 31)


def _placed_on(day: date) -> Q:
    """A placement in force on `day` of a member on the rolls then (see `_placements`)."""
    return Q(valid_from__lte=day, until__gt=day, member__admitted_on__lte=day, gone__gt=day)


def _member_counts(day: date, prefix: str) -> dict:
    """The members panel's breakdowns of the members on the rolls on `day`."""
    on = _placed_on(day)
    counts = {
        f"{prefix}total": Count("pk", filter=on),
        f"{prefix}full": Count("pk", filter=on & Q(member__official_on__lte=day)),
        f"{prefix}women": Count("pk", filter=on & Q(member__sex=Sex.FEMALE)),
        f"{prefix}minority": Count("pk", filter=on & ~Q(member__ethnicity=Ethnicity.KINH)),
        f"{prefix}exempt": Count("pk", filter=on & Q(member__exempt_since__lte=day)),
    }
    return counts


def _member_figures(row: dict, prefix: str, bands: bool = False) -> MemberFigures:
    total, full = row.get(f"{prefix}total", 0), row.get(f"{prefix}full", 0)
    return MemberFigures(
        total=total,
        full=full,
        probationary=total - full,
        women=row.get(f"{prefix}women", 0),
        minority=row.get(f"{prefix}minority", 0),
        exempt=row.get(f"{prefix}exempt", 0),
        bands={key: row.get(f"band_{key}", 0) for key, *_rest in AGE_BANDS} if bands else {},
    )


def _placements(history: History, day: date, last_year_day: date, years: list[int]):
    """Per unit ever under the dashboard's unit: its members on the day and a year before,
    on each year's last day, admitted each year, and who left the rolls and why. One query
    over the placements, grouped by unit; which units count on which day is the versions'."""
    counts = {**_member_counts(day, "now_"), **_member_counts(last_year_day, "then_")}
    on = _placed_on(day)
    for key, _label, low, high in AGE_BANDS:
        counts[f"band_{key}"] = Count("pk", filter=on & _band_q(day, low, high))
    # An admission is the member's first placement, which starts on the admission day.
    first = Q(valid_from=F("member__admitted_on"))
    for year in years:
        end = day if year == day.year else date(year, 12, 31)
        if year != day.year:
            counts[f"members_{year}"] = Count("pk", filter=_placed_on(end))
        counts[f"admitted_{year}"] = Count(
            "pk", filter=first & Q(valid_from__gte=date(year, 1, 1), valid_from__lte=end)
        )
    counts["admitted_then"] = Count(
        "pk",
        filter=first
        & Q(valid_from__gte=date(last_year_day.year, 1, 1), valid_from__lte=last_year_day),
    )
    # Left the rolls: the placement that ended on the day the member left.
    left = Q(valid_to=F("member__left_on"))
    for status in LEAVING_STATUSES:
        counts[f"left_{status}_now"] = Count(
            "pk",
            filter=left
            & Q(member__status=status, valid_to__gte=date(day.year, 1, 1), valid_to__lte=day),
        )
        counts[f"left_{status}_then"] = Count(
            "pk",
            filter=left
            & Q(
                member__status=status,
                valid_to__gte=date(last_year_day.year, 1, 1),
                valid_to__lte=last_year_day,
            ),
        )
    return {
        row.pop("unit_id"): row
        for row in Placement.objects.filter(unit_id__in=history.ever())
        .alias(
            until=Coalesce("valid_to", Value(FOREVER)),
            gone=Coalesce("member__left_on", Value(FOREVER)),
        )
        .values("unit_id")
        .annotate(**counts)
        .order_by()
    }


def _member_keys(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in ("total", "full", "women", "minority", "exempt")]


def _left_keys(period: str) -> list[str]:
    return [f"left_{status}_{period}" for status in LEAVING_STATUSES]


def _sum(rows: dict, unit_ids, keys) -> dict:
    totals = dict.fromkeys(keys, 0)
    for unit_id in unit_ids:
        row = rows.get(unit_id)
        if row is not None:
            for key in keys:
                totals[key] += row[key]
    return totals


# --- Meetings ------------------------------------------------------------------------------


def _meetings_per_cell(cell_ids: list[int], day: date):
    """Per cell: rollups of the 11 months before the day's month, and the meetings of the
    month itself up to the day (stored counts). Two queries; no attendance row is read."""
    this = month_start(day)
    months = [add_months(this, -i) for i in range(11, 0, -1)]  # oldest first, last month last
    last = months[-1]
    q_first, _after = quarter_months(*quarter_of(day))
    six = add_months(this, -(FEW_MEETINGS_WINDOWS[0][0] - 1))
    counts = {
        "met_last": Count("pk", filter=Q(month=last, regular__gt=0)),
        "thematic_q": Sum("thematic", filter=Q(month__gte=q_first), default=0),
        "thematic_cells_q": Count("pk", filter=Q(month__gte=q_first, thematic__gt=0)),
        "held_6": Count("pk", filter=Q(month__gte=six, meetings__gt=0)),
        "held_12": Count("pk", filter=Q(meetings__gt=0)),
        "met_year": Count("pk", filter=Q(month__gte=date(day.year, 1, 1), regular__gt=0)),
        "meetings": Sum("meetings", default=0),
        "good": Sum("good_quality", default=0),
    }
    for i, month in enumerate(months):
        counts[f"e{i}"] = Sum("expected", filter=Q(month=month), default=0)
        counts[f"p{i}"] = Sum("present", filter=Q(month=month), default=0)
    rollups = {
        row["unit_id"]: row
        for row in MonthlyRollup.objects.filter(
            unit_id__in=cell_ids, month__gte=months[0], month__lt=this
        )
        .values("unit_id")
        .annotate(**counts)
        .order_by()
    }
    # HD 12-HD/BTCTW: a good meeting has attendance over 85% and no unexcused absence.
    current = {
        row["cell_id"]: row
        for row in Meeting.objects.filter(cell_id__in=cell_ids, held_on__gte=this, held_on__lte=day)
        .alias(p100=F("present_count") * 100, e_rate=F("expected_count") * GOOD_QUALITY_RATE)
        .values("cell_id")
        .annotate(
            regular=Count("pk", filter=Q(kind=MeetingKind.REGULAR)),
            thematic=Count("pk", filter=Q(kind=MeetingKind.THEMATIC)),
            meetings=Count("pk"),
            good=Count(
                "pk", filter=Q(expected_count__gt=0, unexcused_count=0, p100__gt=F("e_rate"))
            ),
            expected=Sum("expected_count", default=0),
            present=Sum("present_count", default=0),
        )
        .order_by()
    }
    return months, rollups, current


def _cell_meetings(cell_id, day: date, months, rollups, current, series) -> tuple:
    """One cell's MeetingFigures, the months it met in each window, and its chart sums."""
    r, c = rollups.get(cell_id, {}), current.get(cell_id, {})
    held_now = 1 if c.get("meetings") else 0
    f = MeetingFigures(
        cells=1,
        met_this_month=1 if c.get("regular") else 0,
        met_last_month=r.get("met_last", 0),
        thematic_this_quarter=1 if (r.get("thematic_cells_q") or c.get("thematic")) else 0,
        thematic_meetings_quarter=r.get("thematic_q", 0) + c.get("thematic", 0),
        meetings=r.get("meetings", 0) + c.get("meetings", 0),
        good_quality=r.get("good", 0) + c.get("good", 0),
        met_months_year=r.get("met_year", 0),
        months_year=day.month - 1,
    )
    for i in range(len(months)):
        e, p = r.get(f"e{i}", 0), r.get(f"p{i}", 0)
        series[i][0] += e
        series[i][1] += p
        f.expected += e
        f.present += p
    series[-1][0] += c.get("expected", 0)
    series[-1][1] += c.get("present", 0)
    f.expected += c.get("expected", 0)
    f.present += c.get("present", 0)
    held = {6: r.get("held_6", 0) + held_now, 12: r.get("held_12", 0) + held_now}
    return f, held


# --- Admissions ----------------------------------------------------------------------------

PIPELINE_STAGES = [
    ("pool", _("outstanding candidates")),
    ("class", _("awareness class done")),
    ("applied", _("application submitted")),
    ("checked", _("background checked")),
    ("cell", _("cell resolution")),
    ("committee", _("committee resolution")),
    ("decided", _("admitted, awaiting the ceremony")),
]


def _pipeline(unit_ids: list[int], day: date) -> list:
    """Candidates by the last stage they had reached on `day`: one query."""
    live = Q(unit_id__in=unit_ids) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
    not_decided = Q(decision_on__isnull=True) | Q(decision_on__gt=day)
    not_after = {
        "committee": Q(committee_resolution_on__lte=day),
        "cell": Q(cell_resolution_on__lte=day),
        "checked": Q(background_checked_on__lte=day),
        "applied": Q(application_on__lte=day),
        "class": Q(awareness_class_on__lte=day),
    }
    order = ["committee", "cell", "checked", "applied", "class"]
    counts = {
        "decided": Count(
            "pk",
            filter=Q(decision_on__lte=day) & (Q(ceremony_on__isnull=True) | Q(ceremony_on__gt=day)),
        )
    }
    reached_later = Q(pk__in=[])
    for stage in order:
        counts[stage] = Count("pk", filter=not_decided & not_after[stage] & ~reached_later)
        reached_later |= not_after[stage]
    # In the pool: recorded by then (records entered later name their stages' dates).
    counts["pool"] = Count("pk", filter=not_decided & ~reached_later & Q(created_at__date__lte=day))
    row = Candidate.objects.filter(live).aggregate(**counts)
    return [(stage, label, row[stage]) for stage, label in PIPELINE_STAGES]


# --- Targets -------------------------------------------------------------------------------


def _year_fraction(day: date) -> float:
    """How much of its year has passed by the end of `day`."""
    first, last = date(day.year, 1, 1), date(day.year, 12, 31)
    return ((day - first).days + 1) / ((last - first).days + 1)


def target_progress(target: Target, *, year: int, day: date, figures: dict) -> TargetProgress:
    """How far the unit is along a target on `day`, and whether its pace reaches it.

    A yearly flow (admissions) is projected linearly: the year-to-date figure divided by the
    share of the year gone. A level (a share of cells or villages) must simply be met.
    """
    value = float(target.value)
    actual = figures.get(target.kind)
    projected = None
    if actual is None:
        return TargetProgress(target, year, None, None, False, False)
    if target.kind == TargetKind.ADMISSIONS:
        fraction = _year_fraction(day) if day.year == year else 1.0
        projected = actual / fraction
        reached = actual >= value
        return TargetProgress(target, year, actual, projected, reached, projected >= value)
    if target.kind == TargetKind.NO_WHITE_VILLAGE:
        reached = actual <= value
        return TargetProgress(target, year, actual, None, reached, reached)
    reached = actual >= value
    return TargetProgress(target, year, actual, None, reached, reached)


def _targets_for(targets: list[Target], year: int) -> dict:
    """The target of each kind for `year`: a year's own value before the period's."""
    chosen = {}
    for target in targets:
        if not target.resolution.covers(year) or target.year not in (None, year):
            continue
        current = chosen.get(target.kind)
        if current is None or (current.year is None and target.year == year):
            chosen[target.kind] = target
    return chosen


# --- The dashboard -------------------------------------------------------------------------


def dashboard(*, user, unit: Unit, day: date) -> Dashboard:
    """Every panel of `unit`'s dashboard as of `day` (the unit already checked for the user).

    Queries: the unit's versions and those under it (2), villages (1), placements (1),
    meetings (2), candidates (1), targets (1), and the alerts of the meetings and members apps:
    removal candidates (2), cells without last month's meeting (1), the probation list (1).
    """
    check_path(user, unit.path)
    scope = scope_for(user)
    history = History(unit)
    versions = history.on(day)
    board = Dashboard(unit=unit, day=day, existed=any(v.unit_id == unit.pk for v in versions))
    board.month = month_start(day)
    board.quarter = quarter_of(day)
    board.last_year_day = add_months_keep_day(day, -12)
    years = list(range(day.year - CHART_YEARS + 1, day.year + 1))
    all_targets = list(
        Target.objects.filter(unit=unit).select_related("resolution").order_by("kind", "year")
    )
    if not board.existed:
        return board

    units = []
    for v in versions:
        u = v.unit
        u.current_path = u.path
        u.parent_id, u.path, u.depth, u.name, u.kind = v.parent_id, v.path, v.depth, v.name, v.kind
        units.append(u)
    top = next(u for u in units if u.pk == unit.pk)
    board.name = top.name
    cells = [u for u in units if u.kind in CELL_KINDS]
    cell_ids = [u.pk for u in cells]

    rows = _placements(history, day, board.last_year_day, years)
    per_unit = {pk: _member_figures(row, "now_", bands=True) for pk, row in rows.items()}
    own = _organisation(units, day, per_unit)
    for cell in cells:
        if cell.pk in per_unit:
            board.members.add(per_unit[cell.pk])

    # Subtree figures: deepest first, each unit's total added to its parent's.
    totals = {u.pk: Figures() for u in units}
    for u in sorted(units, key=lambda x: -x.depth):
        totals[u.pk].add(own[u.pk])
        if u.pk != top.pk and u.parent_id in totals:
            totals[u.parent_id].add(totals[u.pk])
    board.figures = totals[top.pk]

    # A year before, each year's end, and the year's admissions and departures: the units
    # under the dashboard's unit on that day (stocks) or during that time (flows).
    before = history.on(board.last_year_day)
    board.last_year = _member_figures(
        _sum(rows, {v.unit_id for v in before}, [k for k in _member_keys("then_")]), "then_"
    )
    this_year = history.during(date(day.year, 1, 1), day)
    last_year = history.during(date(board.last_year_day.year, 1, 1), board.last_year_day)
    flows = _sum(rows, this_year, [f"admitted_{day.year}"] + _left_keys("now"))
    earlier = _sum(rows, last_year, ["admitted_then"] + _left_keys("then"))
    board.admissions = board.members.new = flows[f"admitted_{day.year}"]
    board.admissions_last_year = board.last_year.new = earlier["admitted_then"]
    for status in LEAVING_STATUSES:
        now, then = flows[f"left_{status}_now"], earlier[f"left_{status}_then"]
        board.leaving.append((status, EXIT_LABELS[status], now, then))
        board.members.left += now
        board.last_year.left += then
    yearly = {}
    for year in years:
        if year == day.year:
            yearly[f"members_{year}"] = board.members.total
        else:
            end = date(year, 12, 31)
            on_end = {v.unit_id for v in history.on(end)}
            yearly.update(_sum(rows, on_end, [f"members_{year}"]))
            yearly.update(_sum(rows, history.during(date(year, 1, 1), end), [f"admitted_{year}"]))
    yearly[f"admitted_{day.year}"] = board.admissions

    # Meetings, per cell, then per unit directly under the dashboard's unit.
    months, rollups, current = _meetings_per_cell(cell_ids, day)
    series = [[0, 0] for _ in range(len(months) + 1)]
    child_of = {}
    start = len(top.path)
    children = {}
    for u in sorted((u for u in units if u.parent_id == top.pk), key=_child_order):
        children[str(u.pk)] = Row(
            unit=u, can_open=scope.can_see(u.current_path), figures=totals[u.pk]
        )
    for cell in cells:
        child_of[cell.pk] = children.get(cell.path[start:].split(".", 1)[0])
    for cell in sorted(cells, key=lambda c: text_sort_key(c.name)):
        figures, held = _cell_meetings(cell.pk, day, months, rollups, current, series)
        board.meetings.add(figures)
        row = child_of.get(cell.pk)
        if row is not None:
            row.meetings.add(figures)
        missed = day.day > MISSED_MONTH_DAY and not figures.met_last_month
        lagging = Lagging(
            cell=cell, can_open=scope.can_see(cell.current_path), missed_last_month=missed
        )
        for window, fewer in reversed(FEW_MEETINGS_WINDOWS):
            if held[window] < fewer:
                lagging.window, lagging.met = window, held[window]
                break
        if missed or lagging.window:
            board.lagging.append(lagging)
    board.rows = list(children.values())

    # Admissions: the pipeline of the day; the alerts the meetings and members apps give.
    board.pipeline = _pipeline([u.pk for u in units], day)
    board.probation = probation_due(user=user, unit=unit, today=day)
    board.removal = removal_candidates(unit=unit, year=day.year, today=day)
    board.missed_month, board.missed_cells = cells_missing_month(unit=unit, today=day)

    # Charts, each with the figures of its table.
    admission_targets = {
        year: _targets_for(all_targets, year).get(TargetKind.ADMISSIONS) for year in years
    }
    for year in years:
        label = str(year) if year != day.year else day.strftime("%d/%m/%Y")
        board.members_chart.append(ChartPoint(label, yearly[f"members_{year}"]))
        target = admission_targets[year]
        board.admissions_chart.append(
            ChartPoint(
                str(year),
                yearly[f"admitted_{year}"],
                float(target.value) if target is not None else None,
            )
        )
    for month, (expected, present) in zip([*months, board.month], series, strict=True):
        board.attendance_chart.append(
            ChartPoint(month.strftime("%m/%Y"), percent(present, expected))
        )
    for row in board.rows:
        if row.meetings.cells:
            board.compliance_chart.append(
                ChartPoint(row.unit.name, row.meetings.met_last_month_share, unit_pk=row.unit.pk)
            )

    # Targets of the day's year, with the figure each measures.
    measured = {
        TargetKind.ADMISSIONS: board.admissions,
        TargetKind.MONTHLY_MEETINGS: (
            board.meetings.monthly_share_year
            if board.meetings.months_year
            else percent(board.meetings.met_this_month, board.meetings.cells)
        ),
        TargetKind.THEMATIC: (
            board.meetings.thematic_meetings_quarter / board.meetings.cells
            if board.meetings.cells
            else None
        ),
        TargetKind.NO_WHITE_VILLAGE: board.figures.white_villages,
        TargetKind.OWN_CELL_VILLAGES: board.figures.own_cell_ratio,
    }
    for target in _targets_for(all_targets, day.year).values():
        board.targets.append(target_progress(target, year=day.year, day=day, figures=measured))
    return board


def _child_order(unit: Unit):
    return (unit.kind != UnitKind.COMMUNE, unit.kind in CELL_KINDS, text_sort_key(unit.name))


# --- Resolutions ---------------------------------------------------------------------------


def get_resolution_for_user(user, pk, *, write: bool = False) -> Resolution:
    """The resolution `pk` if the user may see its issuer (404), and manage it when `write`."""
    from reports.services import can_manage_targets

    resolution = Resolution.objects.filter(pk=pk).select_related("issuer").first()
    if resolution is None:
        raise Http404
    check_path(user, resolution.issuer.path)
    if write and not can_manage_targets(user, resolution.issuer):
        raise PermissionDenied
    return resolution


def get_target_for_user(user, pk, *, write: bool = False) -> Target:
    """The target `pk` if the user may see both its resolution's issuer and its unit."""
    target = Target.objects.filter(pk=pk).select_related("resolution__issuer", "unit").first()
    if target is None:
        raise Http404
    check_path(user, target.unit.path)
    get_resolution_for_user(user, target.resolution_id, write=write)
    return target


def resolution_list(*, user, unit: Unit):
    """Resolutions issued by `unit` or by the committees under it, newest period first."""
    check_path(user, unit.path)
    return (
        Resolution.objects.filter(scope_for(user).visible_q("issuer__path"))
        .filter(issuer__path__gte=unit.path, issuer__path__lt=unit.path + PATH_END)
        .select_related("issuer")
        .annotate(target_count=Count("targets"))
        .order_by("-start_year", "number")
    )


def target_units(resolution: Resolution):
    """The committees a resolution may set targets for: the issuer and the committees under it
    at some time in the resolution's period (as the tree then stood: the issuer may be a
    district abolished since), cells left out."""
    first, last = date(resolution.start_year, 1, 1), date(resolution.end_year, 12, 31)
    paths = UnitVersion.objects.filter(unit_id=resolution.issuer_id).values_list("path", flat=True)
    under = Q(pk__in=[])
    for path in set(paths):
        under |= Q(path__gte=path, path__lt=path + PATH_END)
    versions = (
        UnitVersion.objects.filter(under, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .exclude(kind__in=CELL_KINDS)
        .values("unit_id")
    )
    return Unit.objects.filter(Q(pk=resolution.issuer_id) | Q(pk__in=versions))


def resolution_targets(*, user, resolution: Resolution):
    """The resolution's targets for the units the user may see, by unit, kind and year."""
    return (
        Target.objects.filter(resolution=resolution)
        .filter(scope_for(user).visible_q("unit__path"))
        .select_related("unit")
        .order_by("unit__path", "kind", "year")
    )
