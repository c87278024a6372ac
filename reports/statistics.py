"""Figures of the statistics forms (Biểu 1, 2, 3, 5-BTCTW) and of cell meetings, as of dates.

Every function here takes the user first and checks the unit against the user's scope (404
outside it), reads the unit's subtree as it stood on the dates asked for (UnitVersion for the
tree, Placement for where each member was) and runs a fixed number of queries whatever the size
of the tree: rows are grouped in Python, never fetched one unit or one member at a time.

Definitions (GLOSSARY.md, "Reporting upwards"; forms/REPORT_FORMS.md):

- The roll of a unit on a day: members placed that day in a cell that was under the unit that
  day, admitted by then and not yet gone (the same rule as units.selectors).
- A member's profile (sex, ethnicity, education …) is the record as it is now: profiles are not
  versioned. Status on a day follows the dates: probationary until `official_on`; exempt
  between an "exempted" event and the event that ended the exemption (the record's
  `exempt_since` is cleared when an exemption ends, so it cannot answer for a past day).
- Increase and decrease (Biểu 1) are read from the members' placements and the unit versions,
  so A + B − C = D always holds: every day a member enters or leaves the unit's roll is one
  increase or one decrease. The kind comes from the membership event of that day (admitted,
  transferred in/out with its scope, reinstated, died, expelled, removed, resigned), or, when
  the member was on a roll elsewhere the day before or after, it is a transfer between cells
  (or a reorganisation moving the cell): it counts only for units whose subtree it crosses,
  as "from/to another province" or "another district in the province" by where the other end
  lies, and otherwise in the transfer total only.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import groupby

from django.db.models import Case, Exists, OuterRef, Q, Value, When

from meetings.models import MonthlyRollup, percent
from meetings.rules import add_months, month_start, quarter_of
from members.choices import (
    ENTRY_KINDS,
    EXIT_STATUSES,
    Ethnicity,
    EventKind,
    Occupation,
    Religion,
    Sex,
    TheoryLevel,
    TransferScope,
)
from members.models import Member, MembershipEvent, Placement
from units.access import check_path, paths_q
from units.models import CELL_KINDS, GRASSROOTS_KINDS, Unit, UnitCategory, UnitKind, UnitVersion
from units.selectors import unit_node
from units.vietnamese import strip_diacritics, text_sort_key


def year_earlier(day: date) -> date:
    """The same day a year before (28/02 for 29/02)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Period:
    """A reporting period, both ends included."""

    start: date
    end: date

    @property
    def day_before(self) -> date:
        """The day whose roll is carried over (row A of Biểu 1)."""
        return self.start - timedelta(days=1)

    def last_year(self) -> "Period":
        """The same period a year earlier (the "same period last year" column)."""
        return Period(year_earlier(self.start), year_earlier(self.end))

    @property
    def is_calendar_year(self) -> bool:
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31)

    @property
    def months(self) -> list[date]:
        """First days of the months the period touches, oldest first."""
        months, month = [], month_start(self.start)
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


def overlapping(start: date, end: date) -> Q:
    """Rows with a validity [valid_from, valid_to) that meets the days start..end."""
    return Q(valid_from__lte=end) & (Q(valid_to__isnull=True) | Q(valid_to__gt=start))


def _in_force(rows, day: date):
    """The row of (valid_from, valid_to, value …) in force on `day`, or None."""
    for row in rows:
        if row[0] <= day and (row[1] is None or day < row[1]):
            return row
    return None


# Events after which an exemption no longer holds: its end, or the member leaving the rolls
# (a member re-admitted later starts without an exemption).
EXEMPTION_ENDS = (EventKind.EXEMPTION_ENDED, *EXIT_STATUSES)


def exempt_members(day: date):
    """Ids of the members exempt from activity on `day`, as a subquery: an "exempted" event by
    then that no end of exemption (nor leaving the rolls) followed by then. Uncorrelated, so
    the database runs it once per query, not once per member."""
    ended = MembershipEvent.objects.filter(
        member_id=OuterRef("member_id"),
        kind__in=EXEMPTION_ENDS,
        on__gt=OuterRef("on"),
        on__lte=day,
    )
    return (
        MembershipEvent.objects.filter(kind=EventKind.EXEMPTED, on__lte=day)
        .filter(~Exists(ended))
        .values("member_id")
    )


def path_on(unit: Unit, day: date) -> str | None:
    """The unit's path on `day` (None if it did not exist then)."""
    return UnitVersion.objects.on(day).filter(unit=unit).values_list("path", flat=True).first()


def roll_queryset(path: str, day: date):
    """Placements of the members on the roll of the subtree at `path` on `day`."""
    cells = UnitVersion.objects.on(day).subtree(path).values("unit_id")
    return (
        Placement.objects.on(day)
        .filter(unit_id__in=cells, member__admitted_on__lte=day)
        .filter(Q(member__left_on__isnull=True) | Q(member__left_on__gt=day))
    )


def roll(*, user, unit: Unit, day: date) -> int:
    """Đảng số: members on the roll of the unit's subtree on `day` (two queries)."""
    check_path(user, unit.path)
    path = path_on(unit, day)
    return roll_queryset(path, day).count() if path else 0


# --- Biểu 1: increase and decrease ----------------------------------------------------------


@dataclass
class Changes:
    """One row of Biểu 1: A start, B increases, C decreases, D end (A + B − C = D)."""

    start: int = 0
    admitted: int = 0
    transfer_in: int = 0  # all transfers in; the two below are "of which"
    transfer_in_other_province: int = 0
    transfer_in_other_district: int = 0
    reinstated: int = 0
    died: int = 0
    expelled: int = 0
    removed: int = 0
    removed_probationary: int = 0
    resigned: int = 0
    transfer_out: int = 0
    transfer_out_other_province: int = 0
    transfer_out_other_district: int = 0
    end: int = 0

    @property
    def increase(self) -> int:
        return self.admitted + self.transfer_in + self.reinstated

    @property
    def decrease(self) -> int:
        return self.died + self.expelled + self.removed + self.resigned + self.transfer_out

    @property
    def balanced(self) -> bool:
        return self.start + self.increase - self.decrease == self.end


@dataclass
class ChangeRow:
    """A unit directly under the reported unit, with its part of the unit's figures."""

    unit_id: int
    name: str
    kind: str
    changes: Changes = field(default_factory=Changes)


@dataclass
class ChangesReport:
    unit: Unit
    period: Period
    total: Changes
    rows: list[ChangeRow]
    admitted_ids: list[int]  # members admitted into the subtree in the period (Biểu 2)


def _scope(before: str, after: str) -> str:
    """Where a move between two cells goes, by their paths: another province (the first id of
    the path differs), another district (the second differs: the level under the province, a
    district, or since 7/2025 a commune), or inside the district."""
    a, b = before.split("."), after.split(".")
    if a[0] != b[0]:
        return TransferScope.OTHER_PROVINCE
    if a[1:2] != b[1:2]:
        return TransferScope.OTHER_DISTRICT
    return TransferScope.INSIDE


EXIT_KINDS = tuple(EXIT_STATUSES)
STATUS_EXITS = {status: kind for kind, status in EXIT_STATUSES.items()}


def _count_entry(changes: Changes, kind: str, scope: str) -> None:
    if kind == EventKind.ADMITTED:
        changes.admitted += 1
    elif kind == EventKind.REINSTATED:
        changes.reinstated += 1
    else:
        changes.transfer_in += 1
        if scope == TransferScope.OTHER_PROVINCE:
            changes.transfer_in_other_province += 1
        elif scope == TransferScope.OTHER_DISTRICT:
            changes.transfer_in_other_district += 1


def _count_exit(changes: Changes, kind: str, scope: str, probationary: bool) -> None:
    if kind == EventKind.DIED:
        changes.died += 1
    elif kind == EventKind.EXPELLED:
        changes.expelled += 1
    elif kind == EventKind.REMOVED:
        changes.removed += 1
        changes.removed_probationary += 1 if probationary else 0
    elif kind == EventKind.RESIGNED:
        changes.resigned += 1
    else:
        changes.transfer_out += 1
        if scope == TransferScope.OTHER_PROVINCE:
            changes.transfer_out_other_province += 1
        elif scope == TransferScope.OTHER_DISTRICT:
            changes.transfer_out_other_district += 1


class _Timeline:
    """One member's place over the period: on whose roll, under which path, day by day."""

    def __init__(self, rows, versions):
        first = rows[0]
        self.admitted_on, self.left_on = first[4], first[5]
        self.status, self.official_on = first[6], first[7]
        self.placements = [(vf, vt, unit_id) for _m, unit_id, vf, vt, *_rest in rows]
        self.versions = versions

    def path(self, day: date) -> str | None:
        """The path of the member's cell on `day`, or None when on no roll that day."""
        if day < self.admitted_on or (self.left_on is not None and day >= self.left_on):
            return None
        placement = _in_force(self.placements, day)
        if placement is None:
            return None
        version = _in_force(self.versions.get(placement[2], ()), day)
        return version[2] if version else None

    def change_days(self, after: date, until: date) -> list[date]:
        days = {self.admitted_on, self.left_on}
        for vf, vt, unit_id in self.placements:
            days.update((vf, vt))
            for version in self.versions.get(unit_id, ()):
                days.update(version[:2])
        return sorted(d for d in days if d is not None and after < d <= until)


def membership_changes(*, user, unit: Unit, period: Period, by_child: bool = True):
    """Biểu 1 for the unit's subtree over `period`, and per unit directly under it.

    Each row is a unit's part of the reported unit's figures, so the rows add up to the
    total, except transfers between two of the rows, which the total does not see. Five
    queries, whatever the size of the tree.
    """
    check_path(user, unit.path)
    before, end = period.day_before, period.end
    overlap = overlapping(before, end)
    own = sorted(
        UnitVersion.objects.filter(overlap, unit=unit).values_list("valid_from", "valid_to", "path")
    )
    total = Changes()
    if not own:
        return ChangesReport(unit=unit, period=period, total=total, rows=[], admitted_ids=[])
    units = UnitVersion.objects.filter(overlap).filter(paths_q({p for *_d, p in own}, "path"))
    members = Placement.objects.filter(overlap, unit_id__in=units.values("unit_id"))
    placements = (
        Placement.objects.filter(overlap, member_id__in=members.values("member_id"))
        .order_by("member_id", "valid_from", "id")
        .values_list(
            "member_id",
            "unit_id",
            "valid_from",
            "valid_to",
            "member__admitted_on",
            "member__left_on",
            "member__status",
            "member__official_on",
        )
    )
    versions = defaultdict(list)
    for unit_id, vf, vt, path in (
        UnitVersion.objects.filter(overlap)
        .filter(unit_id__in=placements.values("unit_id"))
        .order_by("valid_from")
        .values_list("unit_id", "valid_from", "valid_to", "path")
    ):
        versions[unit_id].append((vf, vt, path))
    events = defaultdict(list)
    for member_id, day, kind, scope in MembershipEvent.objects.filter(
        member_id__in=members.values("member_id"),
        on__gte=period.start,
        on__lte=end,
        kind__in=(*ENTRY_KINDS, *EXIT_KINDS),
    ).values_list("member_id", "on", "kind", "scope"):
        events[member_id, day].append((kind, scope))

    rows: dict[str, ChangeRow] = {}
    if by_child and unit.kind not in CELL_KINDS:
        latest = {}
        for unit_id, name, kind in (
            UnitVersion.objects.filter(overlap, parent=unit)
            .order_by("valid_from")
            .values_list("unit_id", "name", "kind")
        ):
            latest[unit_id] = (name, kind)
        for unit_id, (name, kind) in latest.items():
            rows[str(unit_id)] = ChangeRow(unit_id=unit_id, name=name, kind=kind)

    def own_path(day):
        version = _in_force(own, day)
        return version[2] if version else None

    def where(path, day):
        """(in the unit, row key) of a cell path on `day`."""
        top = own_path(day)
        if path is None or top is None or not path.startswith(top):
            return False, None
        key = path[len(top) :].split(".", 1)[0]
        return True, (key or None)

    def row(key):
        return rows[key].changes if key in rows else None

    admitted_ids = []
    own_days = {d for vf, vt, _p in own for d in (vf, vt) if d and before < d <= end}
    for member_id, group in groupby(placements.iterator(chunk_size=2000), key=lambda r: r[0]):
        timeline = _Timeline(list(group), versions)
        prev_path = timeline.path(before)
        prev_in, prev_key = where(prev_path, before)
        if prev_in:
            total.start += 1
            if (target := row(prev_key)) is not None:
                target.start += 1
        for day in sorted(own_days.union(timeline.change_days(before, end))):
            path = timeline.path(day)
            now_in, key = where(path, day)
            if (now_in, key) != (prev_in, prev_key):
                entry = exit_ = None
                if prev_path is not None and path is not None:
                    entry = exit_ = ("move", _scope(prev_path, path))
                else:
                    kinds = events.get((member_id, day), ())
                    if path is not None:
                        entry = next(((k, s) for k, s in kinds if k in ENTRY_KINDS), None)
                        if entry is None:
                            admitted = day == timeline.admitted_on
                            entry = (EventKind.ADMITTED if admitted else "move", "")
                    else:
                        exit_ = next(((k, s) for k, s in kinds if k in EXIT_KINDS), None)
                        if exit_ is None and day == timeline.left_on:
                            exit_ = (STATUS_EXITS.get(timeline.status, "move"), "")
                        exit_ = exit_ or ("move", "")
                probationary = timeline.official_on is None or timeline.official_on > day
                if prev_in != now_in:
                    if now_in:
                        _count_entry(total, *entry)
                        if entry[0] == EventKind.ADMITTED:
                            admitted_ids.append(member_id)
                    else:
                        _count_exit(total, *exit_, probationary)
                if prev_key != key:
                    if (target := row(prev_key)) is not None:
                        _count_exit(target, *(exit_ or entry), probationary)
                    if (target := row(key)) is not None:
                        _count_entry(target, *(entry or exit_))
            prev_path, prev_in, prev_key = path, now_in, key
        if prev_in:
            total.end += 1
            if (target := row(prev_key)) is not None:
                target.end += 1

    ordered = sorted(
        rows.values(), key=lambda r: (r.kind != UnitKind.COMMUNE, text_sort_key(r.name))
    )
    return ChangesReport(
        unit=unit, period=period, total=total, rows=ordered, admitted_ids=admitted_ids
    )


# --- Biểu 2 and 3: structure of the members and of the new admissions ------------------------

# The member record's occupation list is coarser than the form's 15 rows (REPORT_FORMS.md,
# block OCC): each occupation goes to the nearest row. Civil servants are counted as commune
# officials, the commonest case in the communes chibo serves.
OCCUPATION_ROWS = {
    Occupation.CIVIL_SERVANT: "commune_official",
    Occupation.PUBLIC_EMPLOYEE: "public_employee",
    Occupation.TEACHER: "public_employee",
    Occupation.ENTERPRISE: "enterprise_staff",
    Occupation.WORKER: "enterprise_worker",
    Occupation.FARMER: "farmer",
    Occupation.ARMY: "armed_forces",
    Occupation.POLICE: "armed_forces",
    Occupation.STUDENT: "student",
    Occupation.SELF_EMPLOYED: "other",
    Occupation.OTHER: "other",
    Occupation.RETIRED: "other",
}

# Age bands of Biểu 2 and 3 (REPORT_FORMS.md, block AGE): (key, lowest age, highest age).
AGE_BANDS = [
    ("18_30", None, 30),
    ("31_35", 31, 35),
    ("36_40", 36, 40),
    ("41_45", 41, 45),
    ("46_50", 46, 50),
    ("51_55", 51, 55),
    ("56_60", 56, 60),
    ("over_60", 61, None),
]

# Biểu 3, block 3: when the member was admitted (the eras of the form).
ADMISSION_ERAS = [
    ("before_1945", date(1945, 8, 19)),  # before 19/8/1945
    ("1945_1954", date(1954, 7, 21)),  # 19/8/1945 to 20/7/1954
    ("1954_1975", date(1975, 5, 1)),  # 21/7/1954 to 30/4/1975
    ("since_1975", None),  # from 01/5/1975
]

THEORY_ROWS = {
    TheoryLevel.ELEMENTARY: "elementary",
    TheoryLevel.INTERMEDIATE: "intermediate",
    TheoryLevel.ADVANCED: "advanced",
    TheoryLevel.BACHELOR: "advanced",
}

PROFILE_FIELDS = (
    "sex",
    "ethnicity",
    "religion",
    "youth_union",
    "birth_date",
    "admitted_on",
    "official_on",
    "occupation",
    "occupation_before",
    "education",
    "qualification",
    "theory_level",
)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(age: int) -> str:
    for key, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return key
    return AGE_BANDS[0][0]


@dataclass
class Structure:
    """Counts of members by the rows of Biểu 2/3; `counts[key]`, e.g. "female", "age:31_35"."""

    total: int = 0
    counts: Counter = field(default_factory=Counter)
    age_sum: int = 0

    def __getitem__(self, key: str) -> int:
        return self.counts[key]

    @property
    def mean_age(self) -> float | None:
        return self.age_sum / self.total if self.total else None

    def add(self, profile: dict, day: date, *, at_admission: bool = False) -> None:
        """Count one member; `day` is the day of the snapshot (or of the admission)."""
        self.total += 1
        c = self.counts
        female = profile["sex"] == Sex.FEMALE
        c["female"] += female
        # Biểu 4: by ethnic group and by religion, each with its women.
        c[f"ethnicity:{profile['ethnicity']}"] += 1
        c[f"ethnicity_female:{profile['ethnicity']}"] += female
        if profile["religion"] not in ("", Religion.NONE):
            c[f"religion:{profile['religion']}"] += 1
            c[f"religion_female:{profile['religion']}"] += female
        c["minority"] += profile["ethnicity"] != Ethnicity.KINH
        c["religious"] += profile["religion"] not in ("", Religion.NONE)
        c["youth_union"] += bool(profile["youth_union"])
        official = profile["official_on"]
        c["probationary"] += official is None or official > day
        occupation = profile["occupation"]
        if at_admission and profile["occupation_before"]:
            occupation = profile["occupation_before"]
        exempt = bool(profile.get("exempt"))
        if not at_admission and (occupation == Occupation.RETIRED or exempt):
            c["retired"] += 1
            c["exempt"] += exempt
        else:
            c["working"] += 1
            c[f"occ:{OCCUPATION_ROWS.get(occupation, 'other')}"] += 1
        age = age_on(profile["birth_date"], day)
        self.age_sum += age
        c[f"age:{age_band(age)}"] += 1
        admitted = profile["admitted_on"]
        era = next(key for key, until in ADMISSION_ERAS if until is None or admitted < until)
        c[f"era:{era}"] += 1
        c[f"edu:{profile['education']}"] += 1
        c[f"qual:{profile['qualification']}"] += 1
        theory = THEORY_ROWS.get(profile["theory_level"])
        if theory:
            c[f"theory:{theory}"] += 1


def member_structure(*, user, unit: Unit, day: date) -> Structure:
    """Biểu 3: the members on the unit's roll on `day` by sex, status, ethnicity, religion,
    occupation, age, admission era, education, qualification and political theory (3 queries)."""
    check_path(user, unit.path)
    structure = Structure()
    path = path_on(unit, day)
    if path is None:
        return structure
    fields = [f"member__{name}" for name in PROFILE_FIELDS]
    rows = roll_queryset(path, day).annotate(
        exempt=Case(When(member_id__in=exempt_members(day), then=Value(True)), default=False)
    )
    names = (*PROFILE_FIELDS, "exempt")
    for values in rows.values_list(*fields, "exempt").iterator(chunk_size=2000):
        structure.add(dict(zip(names, values, strict=True)), day)
    return structure


def admissions_structure(*, user, unit: Unit, period: Period, report=None) -> Structure:
    """Biểu 2: the members admitted into the unit's subtree in `period` (the row B.1 of Biểu 1),
    by the same breakdowns, age at admission and occupation before joining."""
    if report is None:
        report = membership_changes(user=user, unit=unit, period=period, by_child=False)
    else:
        check_path(user, unit.path)
    structure = Structure()
    if report.admitted_ids:
        profiles = Member.objects.filter(pk__in=report.admitted_ids).values_list(*PROFILE_FIELDS)
        for values in profiles.iterator(chunk_size=2000):
            profile = dict(zip(PROFILE_FIELDS, values, strict=True))
            structure.add(profile, profile["admitted_on"], at_admission=True)
    return structure


def grassroots_with_admissions(*, user, unit: Unit, period: Period, report=None) -> dict:
    """Biểu 2, block III: grassroots organisations under the unit at the period's end, and how
    many of them admitted a member in the period: {"committees": (n, with), "cells": (n, with)}.
    """
    check_path(user, unit.path)
    end = period.end
    path = path_on(unit, end)
    result = {"committees": [0, 0], "cells": [0, 0]}
    if path is None:
        return result
    if report is None:
        report = membership_changes(user=user, unit=unit, period=period, by_child=False)
    grassroots = dict(
        UnitVersion.objects.on(end)
        .subtree(path)
        .filter(kind__in=GRASSROOTS_KINDS)
        .values_list("unit_id", "kind")
    )
    admitted_in = set()
    if report.admitted_ids:
        for member_path in (
            UnitVersion.objects.on(end)
            .filter(unit_id__in=Member.objects.filter(pk__in=report.admitted_ids).values("unit_id"))
            .values_list("path", flat=True)
        ):
            admitted_in.update(int(i) for i in member_path.split(".") if i)
    for unit_id, kind in grassroots.items():
        key = "cells" if kind == UnitKind.BASE_CELL else "committees"
        result[key][0] += 1
        result[key][1] += unit_id in admitted_in
    return {key: tuple(value) for key, value in result.items()}


# --- Biểu 5 and the organisation figures -----------------------------------------------------

# Biểu 5's "loại hình cơ sở" from what the unit record holds: communes by the word in their name
# (xã, phường, thị trấn), other grassroots organisations by their category.
CATEGORY_TYPES = {
    UnitCategory.PARTY_AGENCY: "party_agency",  # row 4: Party, Front and mass organisations
    UnitCategory.MASS_ORGANISATION: "party_agency",
    UnitCategory.AGENCY: "state_agency",
    UnitCategory.SCHOOL: "public_service",
    UnitCategory.MILITARY: "army",
    UnitCategory.POLICE: "police",
    UnitCategory.ENTERPRISE: "enterprise",
}


def grassroots_type(unit: Unit) -> str:
    """The row of Biểu 5 a grassroots organisation belongs to."""
    if unit.kind == UnitKind.COMMUNE:
        name = strip_diacritics(unit.name)
        if "phuong" in name.split():
            return "ward"
        if "thi tran" in name:
            return "township"
        return "commune"
    return CATEGORY_TYPES.get(unit.category, "other")


@dataclass
class TypeRow:
    """One row of Biểu 5: grassroots organisations of a type and what lies under them."""

    committees: int = 0
    cells: int = 0
    partial_committees: int = 0
    sub_cells: int = 0
    members: int = 0

    @property
    def grassroots(self) -> int:
        return self.committees + self.cells

    def add(self, other: "TypeRow") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class OrganisationReport:
    node: object  # units.selectors.Node of the unit on the day, with its children
    types: dict  # Biểu 5 type key -> TypeRow
    day: date

    @property
    def total(self) -> TypeRow:
        total = TypeRow()
        for row in self.types.values():
            total.add(row)
        return total


def _descendants(node):
    for child in node.children:
        yield child
        yield from _descendants(child)


def organisations(*, user, unit: Unit, day: date) -> OrganisationReport | None:
    """Biểu 5 and the organisation figures of the unit's subtree as it stood on `day`: the
    units.selectors tree (grassroots organisations, cells, villages, own and combined cells,
    white villages, members) and the grassroots organisations by type. None if the unit did
    not exist on `day`. Villages, their communes and the cells covering them are those of the
    dated coverage on `day` (units.models.VillageCoverage), white villages by who was on the
    rolls then."""
    check_path(user, unit.path)
    node = unit_node(user=user, unit=unit, as_of=day)
    if node is None:
        return None
    types = defaultdict(TypeRow)
    for item in (node, *_descendants(node)):
        if item.unit.kind not in GRASSROOTS_KINDS:
            continue
        row = types[grassroots_type(item.unit)]
        if item.unit.kind == UnitKind.BASE_CELL:
            row.cells += 1
        else:
            row.committees += 1
        for below in _descendants(item):
            row.partial_committees += below.unit.kind == UnitKind.PARTIAL_COMMITTEE
            row.sub_cells += below.unit.kind == UnitKind.SUB_CELL
        row.members += item.figures.members
    return OrganisationReport(node=node, types=dict(types), day=day)


# --- Meetings per cell -----------------------------------------------------------------------


@dataclass
class CellMeetings:
    """A cell's meetings over a period, summed from its monthly rollups."""

    unit_id: int
    name: str
    parent_name: str = ""
    sort_key: tuple = ()
    months: int = 0  # months of the period in which the cell existed
    months_met: int = 0  # months with a regular meeting
    quarters: int = 0
    thematic_quarters: int = 0
    meetings: int = 0
    regular: int = 0
    thematic: int = 0
    good_quality: int = 0
    expected: int = 0
    present: int = 0

    @property
    def met_share(self) -> float | None:
        return percent(self.months_met, self.months)

    @property
    def attendance_rate(self) -> float | None:
        return percent(self.present, self.expected)

    @property
    def quality_share(self) -> float | None:
        return percent(self.good_quality, self.meetings)

    def add(self, other: "CellMeetings") -> None:
        for name in (
            "months",
            "months_met",
            "quarters",
            "thematic_quarters",
            "meetings",
            "regular",
            "thematic",
            "good_quality",
            "expected",
            "present",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def meeting_statistics(
    *, user, unit: Unit, period: Period
) -> tuple[list[CellMeetings], CellMeetings]:
    """Per cell under the unit in `period` (the cells it held at any time in it): months met,
    meetings, thematic meetings and quarters with one (HD 12-HD/BTCTW), attendance rate and
    meetings of good quality; and their total. Whole months, from the monthly rollups: three
    queries whatever the size of the tree."""
    check_path(user, unit.path)
    months = period.months
    first, after = months[0], add_months(months[-1], 1)
    overlap = overlapping(first, after - timedelta(days=1))
    own = list(UnitVersion.objects.filter(overlap, unit=unit).values_list("path", flat=True))
    total = CellMeetings(unit_id=unit.pk, name=unit.name)
    if not own:
        return [], total
    # Every version of a unit under it in the period (it may have moved): the cells to list.
    subtree = UnitVersion.objects.filter(overlap).filter(paths_q(set(own), "path"))
    versions = defaultdict(list)
    for unit_id, parent_id, path, kind, name, vf, vt in subtree.order_by("valid_from").values_list(
        "unit_id", "parent_id", "path", "kind", "name", "valid_from", "valid_to"
    ):
        versions[unit_id].append((vf, vt, parent_id, path, kind, name))
    names = {unit_id: rows[-1][5] for unit_id, rows in versions.items()}
    cells = {}
    for unit_id, rows in versions.items():
        vf, vt, parent_id, path, kind, name = rows[-1]
        if kind not in CELL_KINDS:
            continue
        parent_name = names.get(parent_id, "")
        cell = CellMeetings(
            unit_id=unit_id,
            name=name,
            parent_name=parent_name if parent_id != unit.pk else "",
            sort_key=(path.count("."), text_sort_key(parent_name), text_sort_key(name)),
        )
        quarters = set()
        for month in months:
            if any(v[0] < add_months(month, 1) and (v[1] is None or v[1] > month) for v in rows):
                cell.months += 1
                quarters.add(quarter_of(month))
        cell.quarters = len(quarters)
        cells[unit_id] = cell
    thematic_quarters = defaultdict(set)
    for (
        unit_id,
        month,
        meetings,
        regular,
        thematic,
        good,
        expected,
        present,
    ) in MonthlyRollup.objects.filter(
        unit_id__in=subtree.values("unit_id"),
        month__gte=first,
        month__lt=after,
    ).values_list(
        "unit_id", "month", "meetings", "regular", "thematic", "good_quality", "expected", "present"
    ):
        cell = cells.get(unit_id)
        if cell is None:
            continue
        cell.months_met += 1 if regular else 0
        cell.meetings += meetings
        cell.regular += regular
        cell.thematic += thematic
        cell.good_quality += good
        cell.expected += expected
        cell.present += present
        if thematic:
            thematic_quarters[unit_id].add(quarter_of(month))
    rows = sorted(cells.values(), key=lambda c: c.sort_key)
    for cell in rows:
        cell.thematic_quarters = len(thematic_quarters[cell.unit_id])
        total.add(cell)
    return rows, total
