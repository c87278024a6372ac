"""The leaders' dashboard: a unit's figures as of any date, in a fixed number of queries.

Every figure is that of the chosen day: the units as they stood then (unit versions), the
members on the rolls then (placements and the members' dates), the meetings up to that day
(monthly rollups for the months before, the meetings' stored counts for the month itself).
Events of a year (admissions, departures) count for the unit their cell stood under on the
event's own day, so a commune that changes district in the year is never counted twice.
The number of queries does not depend on the size of the tree, the number of members or years.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

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
from meetings.selectors import on_rolls_q, removal_candidates
from members.choices import (
    AGE_BANDS,
    EXIT_STATUSES,
    Ethnicity,
    MemberStatus,
    Sex,
)
from members.models import Candidate, Member, MembershipEvent, Placement
from members.rules import PROBATION_MONTHS, RECOGNITION_NOTICE_DAYS, probation_ends
from members.rules import add_months as add_months_keep_day
from reports.models import PERCENT_KINDS, Resolution, Target, TargetKind
from reports.statistics import STATUS_EXITS, exempt_members, overlapping, year_earlier
from units.access import check_path, paths_q, scope_for
from units.models import CELL_KINDS, PATH_END, Unit, UnitKind, UnitVersion, VillageCoverage
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
        self.paths_q = paths_q(paths, "path")
        segment = f".{unit.pk}."
        self.versions = [
            v
            for v in UnitVersion.objects.filter(self.paths_q).select_related("unit")
            if segment in f".{v.path}"
        ]
        self.cuts = self._cuts()

    def _cuts(self) -> set[date]:
        """The days a unit came under the dashboard's unit from elsewhere or left it for
        elsewhere (moves, reorganisations); foundings and dissolutions are no cut, since no
        member was placed in the unit before or after."""
        spans = defaultdict(list)
        for v in sorted(self.versions, key=lambda v: v.valid_from):
            own = spans[v.unit_id]
            if own and own[-1][1] == v.valid_from:
                own[-1][1] = v.valid_to  # a rename: the same stay under the unit
            else:
                own.append([v.valid_from, v.valid_to, v.unit])
        cuts = set()
        for stays in spans.values():
            for start, end, unit in stays:
                if start != unit.founded_on:
                    cuts.add(start)
                if end is not None and end != unit.dissolved_on:
                    cuts.add(end)
        return cuts

    def on(self, day: date) -> list[UnitVersion]:
        """The versions in force on `day`: the subtree as it stood."""
        return [
            v
            for v in self.versions
            if v.valid_from <= day and (v.valid_to is None or v.valid_to > day)
        ]

    def parts(self, first: date, last: date) -> list[tuple[date, date, set[int]]]:
        """The days `first` to `last` cut where the subtree changed, each part with the units
        under the dashboard's unit throughout it: an event of the part counts for the unit
        exactly when its cell is one of them."""
        starts = [first, *sorted(d for d in self.cuts if first < d <= last)]
        ends = [d - timedelta(days=1) for d in starts[1:]] + [last]
        return [
            (start, end, {v.unit_id for v in self.on(start)})
            for start, end in zip(starts, ends, strict=True)
        ]

    def ever(self):
        """The ids of every unit ever under it, as a subquery."""
        return UnitVersion.objects.filter(self.paths_q).values("unit_id")


class Flows:
    """Counts of dated events (admissions, departures) over windows of days, each window cut
    where the subtree changed: one filtered count per part, summed over the units under the
    dashboard's unit in that part (see History.parts)."""

    def __init__(self, history: History):
        self.history = history
        self.parts: dict[str, list] = {}

    def counts(self, name: str, first: date, last: date, field: str, condition: Q) -> dict:
        """The aggregates for the window `name`: `condition` and `field` within each part."""
        self.parts[name] = self.history.parts(first, last)
        return {
            f"{name}_p{i}": Count(
                "pk", filter=condition & Q(**{f"{field}__gte": start, f"{field}__lte": end})
            )
            for i, (start, end, _units) in enumerate(self.parts[name])
        }

    def total(self, rows: dict, name: str) -> int:
        """The window's events in the units under the dashboard's unit on their own day."""
        total = 0
        for i, (_start, _end, units) in enumerate(self.parts[name]):
            key = f"{name}_p{i}"
            for unit_id in units:
                row = rows.get(unit_id)
                if row is not None:
                    total += row[key]
        return total


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
    projected: float | None  # the figure carried on at its pace to `due_on`
    reached: bool  # the figure already meets the target
    on_pace: bool  # the figure, or its projection, meets the target by `due_on`
    due_on: date | None = None  # when the target is to be met

    @property
    def status(self) -> str:
        """One of "reached", "on_pace" or "behind" (behind pace), as the dashboard shows it."""
        if self.reached:
            return "reached"
        return "on_pace" if self.on_pace else "behind"


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


def _village_rows(commune_ids, cell_ids, days: list[date]) -> list[list[tuple]]:
    """For each of `days`, the villages of the communes, and those the cells cover, as the dated
    coverage (units.models.VillageCoverage) stood that day, each as (commune, cell, anyone on
    the rolls living there that day). One query: the coverages in force on any of the days.

    Not units.selectors.villages_on: a cell's own dashboard needs the villages the cell covers,
    and the white villages need who lived there each day, in the same query."""
    per_day = [[] for _ in days]
    if not commune_ids and not cell_ids:
        return per_day
    in_force = Q(pk__in=[])
    for d in days:
        in_force |= Q(valid_from__lte=d) & (Q(valid_to__isnull=True) | Q(valid_to__gt=d))
    # A white village has nobody on the rolls living there: one index probe per village a day.
    lived = {
        f"lived_{i}": Exists(
            Member.objects.filter(on_rolls_q(d), residence_village_id=OuterRef("village_id"))
        )
        for i, d in enumerate(days)
    }
    rows = (
        VillageCoverage.objects.filter(Q(commune_id__in=commune_ids) | Q(cell_id__in=cell_ids))
        .filter(in_force)
        .annotate(**lived)
        .values_list("valid_from", "valid_to", "commune_id", "cell_id", *lived)
        .order_by()
    )
    for valid_from, valid_to, commune_id, cell_id, *flags in rows:
        for i, d in enumerate(days):
            if valid_from <= d and (valid_to is None or d < valid_to):
                per_day[i].append((commune_id, cell_id, flags[i]))
    return per_day


def _village_holder(commune_id, cell_id, communes: set[int], cells: set[int]):
    """The unit a village counts under: its commune, or for a cell's own dashboard the cell."""
    if commune_id in communes:
        return commune_id
    return cell_id if cell_id in cells else None


def _organisation(units, per_unit: dict, villages: list[tuple]):
    """Figures each unit holds by itself on the day: its kind, its members, its villages (the
    day's village rows of `_village_rows`)."""
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
    communes = {u.pk for u in units if u.kind == UnitKind.COMMUNE}
    cells = {u.pk for u in units if u.kind in CELL_KINDS}
    per_cell = _cell_coverage(villages)
    for commune_id, cell_id, lived in villages:
        holder = _village_holder(commune_id, cell_id, communes, cells)
        if holder is None:
            continue
        f = own[holder]
        f.villages += 1
        if cell_id is None:
            f.villages_without_cell += 1
        elif per_cell[cell_id] == 1:
            f.villages_own_cell += 1
        else:
            f.villages_combined_cell += 1
        if not lived:
            f.white_villages += 1
    for cell_id, n in per_cell.items():
        if cell_id in cells:
            own[cell_id].covered_villages = n
            own[cell_id].independent_cells, own[cell_id].combined_cells = (
                (1, 0) if n == 1 else (0, 1)
            )
    for unit in units:
        # Điều lệ Đảng: a cell needs at least 3 full members.
        if unit.kind in CELL_KINDS and own[unit.pk].full_members < MIN_FULL_MEMBERS_PER_CELL:
            own[unit.pk].small_cells = 1
    return own


def _cell_coverage(villages: list[tuple]) -> dict:
    """How many villages each cell covers (1: the village's own cell; more: a combined cell)."""
    per_cell = defaultdict(int)
    for _commune, cell_id, _lived in villages:
        if cell_id:
            per_cell[cell_id] += 1
    return per_cell


def _village_levels(villages: list[tuple], versions, top: Unit) -> tuple:
    """(% of villages with their own cell, white villages) of the subtree as it stood in
    `versions`, from the village rows of the same day (coverage and residents of that day)."""
    communes = {v.unit_id for v in versions if v.kind == UnitKind.COMMUNE}
    cells = {top.pk} if top.kind in CELL_KINDS else set()
    per_cell = _cell_coverage(villages)
    total = own = white = 0
    for commune_id, cell_id, lived in villages:
        if _village_holder(commune_id, cell_id, communes, cells) is None:
            continue
        total += 1
        own += cell_id is not None and per_cell[cell_id] == 1
        white += not lived
    if not total:
        return None, None
    return 100 * own / total, white


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
        # Exempt on the day by the exemption events: `exempt_since` is cleared when one ends.
        f"{prefix}exempt": Count("pk", filter=on & Q(member_id__in=exempt_members(day))),
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


def _placements(history: History, flows: Flows, day: date, last_year_day: date, years):
    """Per unit ever under the dashboard's unit: its members on the day and a year before, on
    each year's last day, and admitted each year (split where the tree changed, see Flows).
    One query over the placements, grouped by unit; which units count on which day is the
    versions'."""
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
        counts.update(flows.counts(f"admitted_{year}", date(year, 1, 1), end, "valid_from", first))
    counts.update(
        flows.counts(
            "admitted_then", date(last_year_day.year, 1, 1), last_year_day, "valid_from", first
        )
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


def _departures(history: History, flows: Flows, day: date, last_year_day: date) -> dict:
    """Per unit ever under the dashboard's unit: who left the rolls and why, this year and the
    same period last year, from the exit events (a member re-admitted since keeps the
    departure; the record's status and `left_on` no longer show it). One query."""
    counts = {}
    for status in LEAVING_STATUSES:
        kind = Q(kind=STATUS_EXITS[status])
        counts.update(flows.counts(f"left_{status}_now", date(day.year, 1, 1), day, "on", kind))
        counts.update(
            flows.counts(
                f"left_{status}_then", date(last_year_day.year, 1, 1), last_year_day, "on", kind
            )
        )
    return {
        row.pop("unit_id"): row
        for row in MembershipEvent.objects.filter(
            unit_id__in=history.ever(),
            kind__in=list(STATUS_EXITS.values()),
            on__gte=date(last_year_day.year, 1, 1),
            on__lte=day,
        )
        .values("unit_id")
        .annotate(**counts)
        .order_by()
    }


def _member_keys(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in ("total", "full", "women", "minority", "exempt")]


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

# Targets that are a level to reach (a share, a count of villages), judged by the figure's
# trend; the others are flows per period (admissions a year, thematic meetings a quarter).
LEVEL_KINDS = (
    TargetKind.MONTHLY_MEETINGS,
    TargetKind.OWN_CELL_VILLAGES,
    TargetKind.NO_WHITE_VILLAGE,
)
# Targets met by staying at or under their value.
AT_MOST_KINDS = (TargetKind.NO_WHITE_VILLAGE,)


def _elapsed(first: date, last: date, day: date) -> float:
    """How much of the days `first` to `last` has passed by the end of `day` (0 to 1)."""
    if day >= last:
        return 1.0
    return max((day - first).days + 1, 1) / ((last - first).days + 1)


def _due_on(target: Target, year: int, day: date) -> date:
    """When a target is to be met: the end of its year, or for a whole-period level target the
    end of the resolution's period; a flow's own period (year, quarter) otherwise."""
    if target.kind == TargetKind.THEMATIC:
        _first, after = quarter_months(*quarter_of(day))
        return after - timedelta(days=1)
    if target.kind in LEVEL_KINDS and target.year is None:
        return date(target.resolution.end_year, 12, 31)
    return date(target.year or year, 12, 31)


def target_progress(
    target: Target, *, year: int, day: date, figures: dict, earlier: dict | None = None
) -> TargetProgress:
    """How far the unit is along a target on `day`, and whether its pace reaches it in time.

    A flow is projected linearly over its period: admissions to date divided by the share of
    the year gone, thematic meetings by the share of the quarter. A level (a share of cells or
    villages, white villages) follows its trend from an earlier day, `earlier[kind]` =
    (day, figure), carried on to the day it is due; without an earlier figure it must be met
    as it stands.
    """
    value = float(target.value)
    actual = figures.get(target.kind)
    due = _due_on(target, year, day)
    if actual is None:
        return TargetProgress(target, year, None, None, False, False, due)

    def meets(figure: float) -> bool:
        return figure <= value if target.kind in AT_MOST_KINDS else figure >= value

    if target.kind == TargetKind.ADMISSIONS:
        projected = actual / _elapsed(date(year, 1, 1), due, day)
    elif target.kind == TargetKind.THEMATIC:
        first, _after = quarter_months(*quarter_of(day))
        projected = actual / _elapsed(first, due, day)
    else:
        projected = actual
        base_day, base = (earlier or {}).get(target.kind, (None, None))
        if base is not None and base_day < day < due:
            slope = (actual - base) / (day - base_day).days
            projected = actual + slope * (due - day).days
        projected = max(projected, 0.0)
        if target.kind in PERCENT_KINDS:
            projected = min(projected, 100.0)
    reached = meets(actual)
    return TargetProgress(
        target, year, actual, projected, reached, reached or meets(projected), due
    )


def _base_days(targets, day: date) -> dict:
    """For each level target, the days its trend may start from, best first: the eve of its
    resolution's period, then the end of last year (when the unit has no figure for the
    first, e.g. it did not exist yet)."""
    fallback = date(day.year - 1, 12, 31)
    days = {}
    for target in targets:
        if target.kind in LEVEL_KINDS:
            start = date(target.resolution.start_year - 1, 12, 31)
            days[target.kind] = [start, fallback] if start < fallback else [fallback]
    return days


def _monthly_share_on(history: History, rollups: dict, day: date) -> float | None:
    """The monthly-meetings figure the dashboard showed on `day` (a year's last day): the share
    of cell-months from 1 January to the month before with a regular meeting."""
    cells = [v.unit_id for v in history.on(day) if v.kind in CELL_KINDS]
    months = day.month - 1
    if not cells or not months:
        return None
    met = sum(rollups.get(cell, {}).get(f"met_{day:%Y%m%d}", 0) for cell in cells)
    return percent(met, len(cells) * months)


def _monthly_rollups_on(history: History, days) -> dict:
    """Per cell ever under the unit, its months with a regular meeting in the year to each of
    `days` (for the trends of the targets): one query, only when a target needs it."""
    days = sorted(days)
    counts = {
        f"met_{d:%Y%m%d}": Count(
            "pk", filter=Q(month__gte=date(d.year, 1, 1), month__lt=month_start(d))
        )
        for d in days
    }
    return {
        row.pop("unit_id"): row
        for row in MonthlyRollup.objects.filter(
            unit_id__in=history.ever(),
            regular__gt=0,
            month__gte=date(days[0].year, 1, 1),
            month__lt=month_start(days[-1]),
        )
        .values("unit_id")
        .annotate(**counts)
        .order_by()
    }


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


# --- Alerts of the day ---------------------------------------------------------------------


def _probation_due(user, cells: dict, day: date) -> dict:
    """Members on probation on `day` in the cells of the day whose probation had ended then
    (overdue for recognition) or ended within the notice period (due soon), each with
    `due_on`, `days` and `cell` (the cell as it stood). One query; only members the user may
    see now are named."""
    horizon = day + timedelta(days=RECOGNITION_NOTICE_DAYS)
    # HD 12-HD/BTCTW (2022): probation counts from the ceremony, or the decision when the
    # ceremony date is not recorded; on probation until recognised (official_on).
    started = add_months_keep_day(horizon, -PROBATION_MONTHS)
    placements = (
        Placement.objects.filter(unit_id__in=list(cells))
        .alias(
            until=Coalesce("valid_to", Value(FOREVER)),
            gone=Coalesce("member__left_on", Value(FOREVER)),
            began=Coalesce("member__ceremony_on", "member__admitted_on"),
        )
        .filter(_placed_on(day), began__lte=started)
        .filter(Q(member__official_on__isnull=True) | Q(member__official_on__gt=day))
        .filter(scope_for(user).visible_q("member__unit__path"))
        .select_related("member")
        .order_by("began", "member__sort_key", "member_id")
    )
    result = {"overdue": [], "due_soon": []}
    for placement in placements:
        member = placement.member
        member.cell = cells[placement.unit_id]
        member.due_on = probation_ends(member.ceremony_on or member.admitted_on)
        member.days = (member.due_on - day).days
        member.days_late = max(-member.days, 0)
        if member.due_on > horizon:
            continue
        result["overdue" if member.due_on < day else "due_soon"].append(member)
    return result


# --- The dashboard -------------------------------------------------------------------------


def dashboard(*, user, unit: Unit, day: date) -> Dashboard:
    """Every panel of `unit`'s dashboard as of `day` (the unit already checked for the user).

    Queries: the unit's versions and those under it (2), targets (1), placements (1), exit
    events (1), villages (1), meetings (2), candidates (1), the probation list (1), and the
    removal candidates of the meetings app; with a target of monthly meetings, the rollups of
    its trend (1). Every figure and alert is the day's: the tree, the rolls, the rollups.
    """
    check_path(user, unit.path)
    scope = scope_for(user)
    history = History(unit)
    versions = history.on(day)
    board = Dashboard(unit=unit, day=day, existed=any(v.unit_id == unit.pk for v in versions))
    board.month = month_start(day)
    board.quarter = quarter_of(day)
    board.last_year_day = year_earlier(day)
    years = list(range(day.year - CHART_YEARS + 1, day.year + 1))
    all_targets = list(
        Target.objects.filter(unit=unit).select_related("resolution").order_by("kind", "year")
    )
    if not board.existed:
        return board
    targets = _targets_for(all_targets, day.year)
    base_days = _base_days(targets.values(), day)

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

    flows = Flows(history)
    rows = _placements(history, flows, day, board.last_year_day, years)
    departures = _departures(history, flows, day, board.last_year_day)
    per_unit = {pk: _member_figures(row, "now_", bands=True) for pk, row in rows.items()}
    # Villages as the dated coverage stood: those of the day's communes (a cell's own
    # dashboard: those it covers), and those of the days the village targets' trends start from.
    village_days = [day] + sorted(
        {
            d
            for kind in AT_MOST_KINDS + (TargetKind.OWN_CELL_VILLAGES,)
            for d in base_days.get(kind, [])
        }
    )
    communes = {
        v.unit_id for d in village_days for v in history.on(d) if v.kind == UnitKind.COMMUNE
    }
    villages = _village_rows(communes, {top.pk} if top.kind in CELL_KINDS else set(), village_days)
    own = _organisation(units, per_unit, villages[0])
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

    # A year before and each year's end: the units under the dashboard's unit on that day.
    # The year's admissions and departures: each counted for the unit its cell stood under on
    # the day it happened (Flows).
    before = history.on(board.last_year_day)
    board.last_year = _member_figures(
        _sum(rows, {v.unit_id for v in before}, _member_keys("then_")), "then_"
    )
    board.admissions = board.members.new = flows.total(rows, f"admitted_{day.year}")
    board.admissions_last_year = board.last_year.new = flows.total(rows, "admitted_then")
    for status in LEAVING_STATUSES:
        now = flows.total(departures, f"left_{status}_now")
        then = flows.total(departures, f"left_{status}_then")
        board.leaving.append((status, EXIT_LABELS[status], now, then))
        board.members.left += now
        board.last_year.left += then
    yearly = {f"members_{day.year}": board.members.total}
    for year in years:
        yearly[f"admitted_{year}"] = flows.total(rows, f"admitted_{year}")
        if year != day.year:
            on_end = {v.unit_id for v in history.on(date(year, 12, 31))}
            yearly.update(_sum(rows, on_end, [f"members_{year}"]))

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
    missing_from = day.day > MISSED_MONTH_DAY
    # The sums do not depend on the order of the cells: only the cells listed (lagging, missed
    # last month) are sorted by name, stably as the whole list was (a province has 3,000 cells).
    for cell in cells:
        figures, held = _cell_meetings(cell.pk, day, months, rollups, current, series)
        board.meetings.add(figures)
        row = child_of.get(cell.pk)
        if row is not None:
            row.meetings.add(figures)
        missed = missing_from and not figures.met_last_month
        lagging = Lagging(
            cell=cell, can_open=scope.can_see(cell.current_path), missed_last_month=missed
        )
        for window, fewer in reversed(FEW_MEETINGS_WINDOWS):
            if held[window] < fewer:
                lagging.window, lagging.met = window, held[window]
                break
        if missed or lagging.window:
            board.lagging.append(lagging)
        # Điều lệ, art. 24: after the 10th, a cell of last month without its regular meeting.
        if missed and not (cell.founded_on and cell.founded_on >= board.month):
            board.missed_cells.append(cell)
    board.lagging.sort(key=lambda lagging: text_sort_key(lagging.cell.name))
    board.missed_cells.sort(key=lambda cell: text_sort_key(cell.name))
    board.rows = list(children.values())
    if missing_from:
        board.missed_month = add_months(board.month, -1)

    # Admissions: the pipeline of the day; the alerts of the day.
    board.pipeline = _pipeline([u.pk for u in units], day)
    board.probation = _probation_due(user, {c.pk: c for c in cells}, day)
    board.removal = removal_candidates(unit=unit, year=day.year, today=day)

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

    # Targets of the day's year, with the figure each measures and, for levels, the figure on
    # the day their trend starts from.
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
    earlier = {}
    monthly_days = base_days.get(TargetKind.MONTHLY_MEETINGS, [])
    monthly = _monthly_rollups_on(history, monthly_days) if monthly_days else {}
    for kind, days in base_days.items():
        for base_day in days:
            if kind == TargetKind.MONTHLY_MEETINGS:
                figure = _monthly_share_on(history, monthly, base_day)
            else:
                # The coverage and the residents of that day: the trend of a split or a
                # founding of cells, not only of the communes that came and went.
                own_ratio, white = _village_levels(
                    villages[village_days.index(base_day)], history.on(base_day), top
                )
                figure = white if kind == TargetKind.NO_WHITE_VILLAGE else own_ratio
            if figure is not None:
                earlier[kind] = (base_day, figure)
                break
    for target in targets.values():
        board.targets.append(
            target_progress(target, year=day.year, day=day, figures=measured, earlier=earlier)
        )
    return board


def _child_order(unit: Unit):
    return (unit.kind != UnitKind.COMMUNE, unit.kind in CELL_KINDS, text_sort_key(unit.name))


# --- Resolutions ---------------------------------------------------------------------------


def _check_resolution(user, resolution: Resolution | None, *, write: bool) -> None:
    """404 unless the user may see the resolution's issuer; 403 when `write` and the user may
    not manage its targets."""
    from reports.services import can_manage_targets

    if resolution is None:
        raise Http404
    check_path(user, resolution.issuer.path)
    if write and not can_manage_targets(user, resolution.issuer):
        raise PermissionDenied


def get_resolution_for_user(user, pk, *, write: bool = False) -> Resolution:
    """The resolution `pk` if the user may see its issuer (404), and manage it when `write`."""
    resolution = Resolution.objects.filter(pk=pk).select_related("issuer").first()
    _check_resolution(user, resolution, write=write)
    return resolution


def get_target_for_user(user, pk, *, write: bool = False) -> Target:
    """The target `pk` if the user may see both its resolution's issuer and its unit."""
    target = Target.objects.filter(pk=pk).select_related("resolution__issuer", "unit").first()
    if target is None:
        raise Http404
    check_path(user, target.unit.path)
    _check_resolution(user, target.resolution, write=write)
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
    versions = (
        UnitVersion.objects.filter(paths_q(set(paths), "path"), overlapping(first, last))
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
