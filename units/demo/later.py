"""The demo's members after the seed's date: probationary members recognised when their 12
months ended; the rolls moving year after year (deaths, mostly of old members, a few removals
and resignations, a rare expulsion, a handful of re-admissions, transfers out and in and
between cells, old members exempted from activity); new members admitted every year with the
candidacies that led there, by the district committee before the 2025 reform and by the commune
committees since; candidates in the pipeline today; and the resolutions whose targets the
dashboards measure.

Everything after 26/10/2020, so the seed's figures as of that day do not move. Drawn from a
generator of its own, in creation order (never path or name order), and written in bulk with
history, like the rest of the demo: every event has the placements and statuses that go with
it, so a member's status and cell on any day follow from them.
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from members import bulk
from members.choices import (
    EXIT_STATUSES,
    EventKind,
    MemberStatus,
    Sex,
    TheoryLevel,
    TransferScope,
)
from members.models import Candidate, Member, MembershipEvent, Placement
from members.rules import (
    VOTE_SHARE,
    add_months,
    ceremony_due,
    decision_due,
    probation_ends,
)
from members.services import (
    READMISSION_MONTHS,
    entry_events,
    events_bulk_create,
    member_exit,
)
from reports.models import TargetKind
from reports.services import resolution_create, target_create
from units.demo.build import (
    ELSEWHERE,
    OFFICIALS_MOVE_NOTE,
    _add_years,
    _blend,
    _Builder,
    _CellPlan,
)
from units.demo.data import (
    ANCHORS,
    AS_OF,
    BASE_CELLS,
    BASE_COMMITTEES,
    COMMUNES,
    DISTRICT_MIX,
    PROFILES,
    SEED,
)
from units.models import CELL_KINDS, PATH_END, Officer, Unit, UnitCategory, UnitKind, Village
from units.selectors import MIN_FULL_MEMBERS_PER_CELL
from units.vietnamese import name_sort_key, strip_diacritics

# QĐ 294-QĐ/TW (2025): from 1/7/2025 the commune committees decide admissions and recognition.
REFORM_ON = date(2025, 7, 1)
# Seed 001: the district's target was 150-250 new members a year (03-NQ/HU style); the demo
# admits a number drawn in this range each year, pro rata for the first and the last, up to about
# two months ago. The resolutions' targets are the lower figure.
ADMISSIONS_PER_YEAR = (165, 225)
ADMISSIONS_TARGET = 150
RECENT_GAP_DAYS = 60
# New members removed from the rolls during their probation (xóa tên đảng viên dự bị).
PROBATION_REMOVED_SHARE = 0.015
# The cell considers recognition within 30 working days after the 12 months (HD 12-HD/BTCTW):
# members whose probation ended this recently wait for their decision on the probation list.
RECOGNITION_LAG_DAYS = 14
# Candidates in the pipeline today, per commune.
PIPELINE_PER_COMMUNE = (2, 4)
PIPELINE_STAGES = (
    "candidate",
    "application",
    "sponsors",
    "background",
    "cell_resolution",
    "committee_resolution",
    "decision",
)


def build_later(*, province: Unit, district: Unit, by, today: date | None = None) -> None:
    """Bring the demo's members from 2020 to `today` (default: the real today)."""
    today = today or date.today()
    later = _Later(province=province, by=by, today=today)
    later.recognise()
    decisions = later.admission_days()
    # The rolls move before the admissions are drawn, so that sponsors are full members of the
    # cell on the day of its resolution as the rolls finally stand.
    _Rolls(later, decisions).run()
    later.admit(decisions)
    later.pipeline()
    _resolutions(province=province, district=district, by=by)


def _decision_number(rng: random.Random, on: date) -> str:
    # Before the reform the district committee decided (HU), since then the commune's (ĐU).
    return f"{rng.randint(15, 980)}-QĐ/{'ĐU' if on >= REFORM_ON else 'HU'}"


@dataclass
class _Stint:
    """A member's time in one cell, with what sponsoring needs."""

    member_id: int
    official_on: date | None
    left_on: date | None
    valid_from: date
    valid_to: date | None

    def full_on(self, day: date) -> bool:
        return (
            self.official_on is not None
            and self.official_on <= day
            and (self.left_on is None or self.left_on > day)
            and self.valid_from <= day
            and (self.valid_to is None or self.valid_to > day)
        )


class _Later:
    def __init__(self, *, province: Unit, by, today: date):
        self.rng = random.Random(SEED + 7)
        self.by = by
        self.today = today
        self.province = province
        # The builder's generators of names, origins and ID numbers, on this generator.
        self.people = _Builder(by)
        self.people.rng = self.rng
        members = Member.objects.in_subtree(province.path)
        self.people.citizen_ids = set(
            members.exclude(citizen_id="").values_list("citizen_id", flat=True)
        )
        self.people.card_numbers = set(
            members.exclude(card_number="").values_list("card_number", flat=True)
        )
        self.specs = {f"Đảng bộ {spec.place}": spec for spec in COMMUNES}
        # The cells below the statute's 3 full members at the seed's date: they stay so.
        self.weak = self._weak_cells()

    # 1. Recognition --------------------------------------------------------------------------

    def recognise(self) -> None:
        """Every probationary member whose 12 months ended before today (but the last
        RECOGNITION_LAG_DAYS) becomes a full member on that day, by the decision of the
        committee of the time."""
        members = list(
            Member.objects.in_subtree(self.province.path)
            .filter(status=MemberStatus.PROBATIONARY)
            .order_by("pk")
        )
        weak = self.weak
        due = []
        for member in members:
            ends = probation_ends(member.ceremony_on or member.admitted_on)
            if ends <= self.today - timedelta(days=RECOGNITION_LAG_DAYS):
                member.status, member.official_on = MemberStatus.FULL, ends
                member.card_number = self.people._card_number()
                due.append(member)
        if not due:
            return
        bulk.update_with_history(Member, due, ["status", "official_on", "card_number"], by=self.by)
        # The event names the cell of the day (a split in 2021 moved some of them).
        cells = defaultdict(list)
        for p in Placement.objects.filter(member__in=due).order_by("valid_from"):
            cells[p.member_id].append(p)
        events = []
        for member in due:
            unit_id = next(
                (
                    p.unit_id
                    for p in cells[member.pk]
                    if p.valid_from <= member.official_on
                    and (p.valid_to is None or p.valid_to > member.official_on)
                ),
                member.unit_id,
            )
            events.append(
                MembershipEvent(
                    member=member,
                    kind=EventKind.RECOGNISED,
                    on=member.official_on,
                    unit_id=unit_id,
                    decision_number=_decision_number(self.rng, member.official_on),
                    created_by=self.by,
                )
            )
        events_bulk_create(events, by=self.by)
        self._keep_weak(weak, due)

    def _weak_cells(self) -> set[int]:
        """Cells with fewer than the statute's 3 full members (the demo's weak cells)."""
        full = Counter(
            Member.objects.in_subtree(self.province.path)
            .filter(status=MemberStatus.FULL)
            .values_list("unit_id", flat=True)
        )
        cells = Unit.objects.subtree(self.province.path).filter(kind__in=CELL_KINDS)
        return {pk for pk in cells.values_list("pk", flat=True) if full[pk] < 3}

    def _keep_weak(self, weak: set[int], recognised: list[Member]) -> None:
        """The weak cells stay below 3 full members, so the dashboards still warn of them: an
        old member of each died some years after the third was recognised."""
        for cell_id in sorted({m.unit_id for m in recognised if m.unit_id in weak}):
            since = max(m.official_on for m in recognised if m.unit_id == cell_id)
            oldest = (
                Member.objects.filter(unit_id=cell_id, status=MemberStatus.FULL)
                .exclude(offices__isnull=False)
                .exclude(pk__in=[m.pk for m in recognised])
                .order_by("birth_date", "pk")
                .first()
            )
            if oldest is None:
                continue
            start = max(_add_years(since, 2), date(2023, 1, 1))
            latest = self.today - timedelta(days=90)
            if latest <= start:
                continue
            member_exit(
                member=oldest,
                kind=EventKind.DIED,
                on=start + timedelta(days=self.rng.randint(0, (latest - start).days)),
                by=self.by,
                note="Từ trần.",
            )

    # Cells today -----------------------------------------------------------------------------

    def _cells(self) -> list[Unit]:
        """Village cells as they stand today, with 2 or more full members to sponsor."""
        cells = list(
            Unit.objects.subtree(self.province.path)
            .filter(kind=UnitKind.SUB_CELL, category=UnitCategory.VILLAGE, dissolved_on=None)
            .select_related("parent")
            .order_by("pk")  # creation order: the same draws whatever the ids (not the path)
        )
        self.stints = defaultdict(list)
        members = Member.objects.in_subtree(self.province.path)
        people = {
            m["pk"]: m
            for m in members.order_by("pk").values(
                "pk", "official_on", "left_on", "ethnicity", "unit_id"
            )
        }
        for p in Placement.objects.filter(member__in=members).values(
            "member_id", "unit_id", "valid_from", "valid_to"
        ):
            m = people[p["member_id"]]
            self.stints[p["unit_id"]].append(
                _Stint(
                    p["member_id"], m["official_on"], m["left_on"], p["valid_from"], p["valid_to"]
                )
            )
        self.dominant = {}
        peoples = defaultdict(Counter)
        for m in people.values():
            peoples[m["unit_id"]][m["ethnicity"]] += 1
        for cell_id, counter in peoples.items():
            self.dominant[cell_id] = counter.most_common(1)[0][0]
        self.villages = defaultdict(list)
        for village in Village.objects.filter(cell__in=cells).order_by("pk"):
            self.villages[village.cell_id].append(village)
        return [
            c
            for c in cells
            if self.villages[c.pk] and sum(s.full_on(self.today) for s in self.stints[c.pk]) >= 3
        ]

    def _full_on(self, cell: Unit, day: date) -> list[int]:
        return sorted({s.member_id for s in self.stints[cell.pk] if s.full_on(day)})

    # A person ---------------------------------------------------------------------------------

    def _person(self, cell: Unit, considered_on: date) -> dict:
        """A young villager of the cell's commune, 18 to 40 on the day the cell considers them."""
        rng, people = self.rng, self.people
        spec = self.specs.get(cell.parent.name)
        mix = spec.mix if spec else DISTRICT_MIX
        plan = _CellPlan(
            unit=cell,
            size=0,
            profile="village",
            mix=mix,
            dominant=self.dominant.get(cell.pk),
            commune=spec.name if spec else None,
        )
        ethnicity = plan.dominant if plan.dominant and rng.random() < 0.8 else people.pick(mix)
        sex = Sex.FEMALE if rng.random() < 0.38 else Sex.MALE
        age = round(rng.triangular(18, 39, 23))
        birth = _add_years(considered_on, -age) - timedelta(days=rng.randint(1, 364))
        hometown, province_code = people._origin(plan, ethnicity)
        return {
            "full_name": people._name(ethnicity, sex),
            "sex": sex,
            "birth_date": birth,
            "ethnicity": ethnicity,
            "religion": people._religion(ethnicity),
            "hometown": hometown,
            "residence_village": rng.choice(self.villages[cell.pk]),
            "citizen_id": people._citizen_id(province_code, birth, sex, age),
            "education": people._education(plan, age),
            "occupation": people._occupation(plan, age),
            "phone": people._phone(age),
        }

    def _sponsors(self, cell: Unit, day: date) -> dict:
        full = self._full_on(cell, day)
        first, second = self.rng.sample(full, 2)
        return {
            "sponsor_1_id": first,
            "sponsor_1_known_since": add_months(day, -self.rng.randint(14, 72)),
            "sponsor_2_id": second,
            "sponsor_2_known_since": add_months(day, -self.rng.randint(14, 72)),
        }

    def _votes(self, voters: int) -> tuple[int, int]:
        share_for, share_of = VOTE_SHARE
        least = math.ceil(voters * share_for / share_of)
        return self.rng.randint(max(least, voters - 2), voters), voters

    def _before_resolution(self, cell_resolution_on: date) -> dict:
        """The stages up to the cell's resolution, counted back from it."""
        rng = self.rng
        background = cell_resolution_on - timedelta(days=rng.randint(7, 30))
        application = background - timedelta(days=rng.randint(20, 60))
        return {
            "awareness_class_on": application - timedelta(days=rng.randint(30, 400)),
            "application_on": application,
            "background_checked_on": background,
        }

    # 2. Admissions, every year since the seed's date ---------------------------------------

    def admission_days(self) -> list[date]:
        """The days of the admission decisions: a number drawn in ADMISSIONS_PER_YEAR each
        calendar year (pro rata for the part after the seed's date and for this year, up to
        RECENT_GAP_DAYS ago), spread over the year."""
        first = AS_OF + timedelta(days=1)
        last = self.today - timedelta(days=RECENT_GAP_DAYS)
        days = []
        for start, end, share in _years(first, last):
            count = _scaled(self.rng, self.rng.randint(*ADMISSIONS_PER_YEAR) * share)
            span = (end - start).days
            days += [start + timedelta(days=self.rng.randint(0, span)) for _ in range(count)]
        return sorted(days)

    def admit(self, decisions: list[date]) -> None:
        """A new member on each day of `decisions`: placed, admitted (and recognised after 12
        months, or now and then removed during probation), with the candidacy that led there,
        sponsored by full members of the cell on the day of its resolution."""
        rng, today = self.rng, self.today
        cells = self._cells()
        members, candidates = [], []
        for decided in decisions:
            cell = rng.choice(cells)
            committee = decided - timedelta(days=rng.randint(3, 15))
            resolved = committee - timedelta(days=rng.randint(10, 40))
            ceremony = min(decided + timedelta(days=rng.randint(14, 35)), ceremony_due(decided))
            if (
                decided > decision_due(resolved)
                or len(self._full_on(cell, resolved)) < 2
                or (cell.founded_on and cell.founded_on > resolved)
            ):
                continue
            person = self._person(cell, resolved)
            votes_for, voters = self._votes(len(self._full_on(cell, resolved)))
            committee_for, committee_voters = self._votes(rng.randint(11, 17))
            number = _decision_number(rng, decided)
            candidate = Candidate(
                unit=cell,
                **person,
                **self._before_resolution(resolved),
                **self._sponsors(cell, resolved),
                cell_resolution_on=resolved,
                cell_votes_for=votes_for,
                cell_voters=voters,
                committee_resolution_on=committee,
                committee_votes_for=committee_for,
                committee_voters=committee_voters,
                decision_on=decided,
                decision_number=number,
                ceremony_on=ceremony,
            )
            official = probation_ends(ceremony)
            recognised = official <= today - timedelta(days=RECOGNITION_LAG_DAYS)
            member = Member(
                unit=cell,
                **person,
                admitted_on=decided,
                ceremony_on=ceremony,
                official_on=official if recognised else None,
                status=MemberStatus.FULL if recognised else MemberStatus.PROBATIONARY,
                card_number=self.people._card_number() if recognised else "",
                occupation_before=person["occupation"],
                theory_level=TheoryLevel.NONE,
                youth_union=person["birth_date"] > _add_years(decided, -31),
            )
            if rng.random() < PROBATION_REMOVED_SHARE:
                # Gone to work far away, out of touch with the cell for months: removed.
                removed = ceremony + timedelta(days=rng.randint(120, 300))
                if removed < min(official, today - timedelta(days=7)):
                    member.status, member.left_on = MemberStatus.REMOVED, removed
                    member.official_on, member.card_number = None, ""
            members.append(member)
            candidates.append(candidate)
        for row in [*members, *candidates]:
            row.normalize_text_fields()
            row.search_key = strip_diacritics(row.full_name)
            row.sort_key = name_sort_key(row.full_name)
        for member in members:
            member.clean_fields(exclude=["unit", "residence_village"])
            member.clean()
        bulk.insert_with_history(Member, members, by=self.by)
        Placement.objects.bulk_create(
            [
                Placement(member=m, unit=m.unit, valid_from=m.admitted_on, valid_to=m.left_on)
                for m in members
            ],
            batch_size=1000,
        )
        events = []
        for member, candidate in zip(members, candidates, strict=True):
            for event in entry_events(member, by=self.by):
                if event.kind == EventKind.ADMITTED:
                    event.decision_number = candidate.decision_number
                else:
                    event.decision_number = _decision_number(rng, event.on)
                if event.kind == EventKind.REMOVED:
                    event.note = REMOVAL_NOTES[0]
                events.append(event)
        events_bulk_create(events, by=self.by)
        for candidate, member in zip(candidates, members, strict=True):
            candidate.member = member
        bulk.insert_with_history(Candidate, candidates, by=self.by)

    # 3. The pipeline today -------------------------------------------------------------------

    def pipeline(self) -> None:
        """2-4 candidates per commune at various stages; some near or past a deadline."""
        rng, today = self.rng, self.today
        by_commune = defaultdict(list)
        for cell in self._cells():
            # Full members to vote and sponsor on any day the stages below may fall.
            if cell.parent.kind == UnitKind.COMMUNE and all(
                len(self._full_on(cell, day)) >= 3 for day in (today - timedelta(100), today)
            ):
                by_commune[cell.parent_id].append(cell)
        candidates = []
        for commune_id in sorted(by_commune):
            for _ in range(rng.randint(*PIPELINE_PER_COMMUNE)):
                cell = rng.choice(by_commune[commune_id])
                stage = rng.choice(PIPELINE_STAGES)
                late = rng.random() < 0.3
                candidates.append(self._in_pipeline(cell, stage, late))
        for candidate in candidates:
            candidate.normalize_text_fields()
            candidate.search_key = strip_diacritics(candidate.full_name)
            candidate.sort_key = name_sort_key(candidate.full_name)
        bulk_create_with_history(candidates, Candidate, batch_size=500, default_user=self.by)

    def _in_pipeline(self, cell: Unit, stage: str, late: bool) -> Candidate:
        rng, today = self.rng, self.today
        reached = PIPELINE_STAGES.index(stage)
        fields = {}
        if reached >= PIPELINE_STAGES.index("cell_resolution"):
            if stage == "decision":
                # The ceremony falls due in 30 working days: near, or just past, when late.
                decided = today - timedelta(
                    days=rng.randint(36, 48) if late else rng.randint(3, 20)
                )
                committee = decided - timedelta(days=rng.randint(3, 15))
                resolved = committee - timedelta(days=rng.randint(10, 30))
                fields.update(decision_on=decided, decision_number=_decision_number(rng, decided))
            elif stage == "committee_resolution" or not late:
                # The decision falls due 60 working days after the cell's resolution.
                resolved = today - timedelta(
                    days=rng.randint(75, 95) if late else rng.randint(10, 40)
                )
                committee = resolved + timedelta(days=rng.randint(5, 20))
            else:
                resolved = today - timedelta(days=rng.randint(76, 95))
                committee = None
            if stage in ("committee_resolution", "decision"):
                voters_for, voters = self._votes(rng.randint(11, 17))
                fields.update(
                    committee_resolution_on=min(committee, today - timedelta(days=1)),
                    committee_votes_for=voters_for,
                    committee_voters=voters,
                )
            votes_for, voters = self._votes(len(self._full_on(cell, resolved)))
            fields.update(cell_resolution_on=resolved, cell_votes_for=votes_for, cell_voters=voters)
            fields.update(self._before_resolution(resolved))
            fields.update(self._sponsors(cell, resolved))
            day = resolved
        else:
            day = today
            last = today - timedelta(days=rng.randint(5, 60))
            background = last
            application = last - timedelta(days=rng.randint(20, 60) if reached >= 3 else 0)
            if stage == "candidate" and late:
                # The class certificate (5 years) runs out within days: the board warns.
                awareness = add_months(today, -60) + timedelta(days=rng.randint(3, 10))
            else:
                awareness = application - timedelta(days=rng.randint(30, 300))
            fields["awareness_class_on"] = awareness
            if reached >= PIPELINE_STAGES.index("application"):
                fields["application_on"] = application
            if reached >= PIPELINE_STAGES.index("sponsors"):
                fields.update(self._sponsors(cell, day))
            if reached >= PIPELINE_STAGES.index("background"):
                fields["background_checked_on"] = background
        # Of age on the day the cell considers them (already done, or some months ahead).
        if "cell_resolution_on" not in fields:
            day += timedelta(days=rng.randint(30, 200))
        person = self._person(cell, day)
        return Candidate(unit=cell, **person, **fields)


# 4. The rolls moving, year after year ----------------------------------------------------------

# Biểu 1 (HD 11-HD/BTCTW, 2021), per year of the district's ~4,000 members: deaths ~0.8-1% of
# the rolls, most of them old; a few removals and resignations; an expulsion now and then;
# transfers out and in (a few dozen, mostly staff of the district's agencies, schools and
# police); moves between cells; old members exempted from activity; a handful re-admitted.
DEATH_RATE = (0.008, 0.010)
REMOVED_PER_YEAR = (4, 9)
RESIGNED_PER_YEAR = (1, 3)
EXPELLED_PER_YEAR = (0, 1)  # very rare: none or one a year
TRANSFERS_OUT_PER_YEAR = (24, 38)
TRANSFERS_IN_PER_YEAR = (18, 32)
INTERNAL_PER_YEAR = (15, 28)
EXEMPTIONS_PER_YEAR = (18, 30)
REINSTATED_PER_YEAR = (1, 2)
REINSTATED_SINCE = date(2022, 1, 1)
# Those removed or who resigned; an expelled member is re-admitted only in rare cases.
REINSTATED_FROM = (MemberStatus.REMOVED, MemberStatus.RESIGNED)
# No movement in the last days: the records of the week are still being entered.
MOVEMENT_GAP_DAYS = 3
EXEMPT_FROM_AGE = 66
REMOVAL_NOTES = (
    "Bỏ sinh hoạt đảng 3 tháng trong năm không có lý do chính đáng.",
    "Không đóng đảng phí 3 tháng trong năm không có lý do chính đáng.",
    "Đi làm ăn xa, không giữ liên hệ với chi bộ.",
)
NOTES = {
    EventKind.DIED: "Từ trần.",
    EventKind.RESIGNED: "Xin ra khỏi Đảng.",
    EventKind.EXPELLED: "Vi phạm pháp luật, bị khai trừ ra khỏi Đảng.",
    EventKind.EXEMPTED: "Miễn công tác và sinh hoạt đảng do tuổi cao, sức yếu.",
    EventKind.REINSTATED: "Kết nạp lại vào Đảng.",
    EventKind.TRANSFER_IN: "Tiếp nhận đảng viên chuyển sinh hoạt đến.",
}
WORK_NOTE = "Chuyển công tác."
HOME_NOTE = "Chuyển nơi cư trú."
# Since 1/7/2025 there are no districts: "another district" is another commune of the province.
ELSEWHERE_SINCE_REFORM = [
    (TransferScope.OTHER_DISTRICT, "Đảng bộ xã Bình Lư, tỉnh Lai Châu"),
    (TransferScope.OTHER_DISTRICT, "Đảng bộ phường Tân Phong, tỉnh Lai Châu"),
    (TransferScope.OTHER_DISTRICT, "Đảng bộ xã Than Uyên, tỉnh Lai Châu"),
    (TransferScope.OTHER_DISTRICT, "Đảng bộ xã Phong Thổ, tỉnh Lai Châu"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ xã Tuần Giáo, tỉnh Điện Biên"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ phường Tô Hiệu, tỉnh Sơn La"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ phường Lào Cai, tỉnh Lào Cai"),
]
# District-level cells: the profile of the organisation they belong to (units.demo.data).
DISTRICT_PROFILES = {
    **{name: spec.profile for spec in BASE_COMMITTEES for name, _size in spec.cells},
    **{
        name: spec.profile
        for spec in BASE_COMMITTEES
        if spec.partial
        for name, _size in spec.partial[1]
    },
    **{spec.name: spec.profile for spec in BASE_CELLS},
}
COMMUNE_PROFILES = {
    UnitCategory.AGENCY: "commune_agency",
    UnitCategory.POLICE: "commune_police",
    UnitCategory.MILITARY: "commune_military",
    UnitCategory.SCHOOL: "school",
}


def _years(first: date, last: date):
    """(start, end, share of the year) of each calendar year from `first` to `last`."""
    for year in range(first.year, last.year + 1):
        start, end = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
        if end >= start:
            length = (date(year + 1, 1, 1) - date(year, 1, 1)).days
            yield start, end, ((end - start).days + 1) / length


def _scaled(rng: random.Random, value: float) -> int:
    """`value` as a whole number, its fraction kept by chance."""
    whole = math.floor(value)
    return whole + (rng.random() < value - whole)


def _staff(profile: str) -> str:
    """The kind of staff of a cell's profile: teachers move between schools, policemen between
    the district's police and the communes', civil servants between agencies like theirs."""
    return {"school": "teacher", "commune_police": "police"}.get(profile, profile)


def _exists(cell: Unit, day: date) -> bool:
    return (cell.founded_on is None or cell.founded_on <= day) and (
        cell.dissolved_on is None or cell.dissolved_on > day
    )


class _Rolls:
    """Who left and joined the rolls from the seed's date to `today`, year after year.

    Works on the members in memory, in creation order, day after day: a member moves only after
    the last event of their record and the start of their placement; no cell drops below the
    statute's 3 full members (the two weak cells are left alone, as are officers, members away
    on temporary transfer and the named ones of the demo); no village is left with fewer than 2
    members living there. Then writes it all in bulk: members with history, placements, events.
    """

    def __init__(self, later: "_Later", decisions: list[date]):
        self.later, self.rng, self.by = later, later.rng, later.by
        self.people = later.people
        self.today = later.today
        self.until = later.today - timedelta(days=MOVEMENT_GAP_DAYS)
        self.decisions = decisions
        province = later.province
        cells = list(
            Unit.objects.subtree(province.path)
            .filter(kind__in=CELL_KINDS)
            .select_related("parent")
            .order_by("pk")  # creation order: the same draws whatever the ids (not the path)
        )
        self.cells = {c.pk: c for c in cells}
        self.weak = later.weak
        self.commune = {
            c.pk: c.parent_id if c.parent.kind == UnitKind.COMMUNE else None for c in cells
        }
        self.profile = {c.pk: self._profile(c) for c in cells}
        self.by_kind = defaultdict(list)  # cells of one kind of staff (_staff)
        self.village_cells = defaultdict(list)  # commune -> its village cells
        for c in cells:
            if c.pk not in self.weak and c.dissolved_on is None:
                self.by_kind[_staff(self.profile[c.pk])].append(c)
                if c.category == UnitCategory.VILLAGE and self.commune[c.pk]:
                    self.village_cells[self.commune[c.pk]].append(c)
        villages = list(
            Village.objects.filter(
                commune__path__gte=province.path, commune__path__lt=province.path + PATH_END
            ).order_by("pk")
        )
        self.villages = {v.pk: v for v in villages}
        self.cell_villages = defaultdict(list)
        self.commune_villages = defaultdict(list)
        for v in villages:
            self.commune_villages[v.commune_id].append(v)
            if v.cell_id:
                self.cell_villages[v.cell_id].append(v)
        town = f"Đảng bộ {COMMUNES[0].place}"
        self.town = next(c.parent_id for c in cells if c.parent.name == town)

        self.members = list(Member.objects.in_subtree(province.path).order_by("pk"))
        for m in self.members:
            m.unit = self.cells[m.unit_id]  # the record's rules read the cell: no query each
        self.by_pk = {m.pk: m for m in self.members}
        within = {
            "member__unit__path__gte": province.path,
            "member__unit__path__lt": province.path + PATH_END,
        }
        self.open = {
            p.member_id: p
            for p in Placement.objects.filter(valid_to=None, **within)
            if self.by_pk[p.member_id].is_active
        }
        self.since = {pk: p.valid_from for pk, p in self.open.items()}
        self.last = dict(
            MembershipEvent.objects.filter(**within)
            .values("member_id")
            .annotate(last=Max("on"))
            .values_list("member_id", "last")
        )
        officers = set(Officer.objects.values_list("member_id", flat=True))
        named = {(cell, a.full_name) for cell, anchors in ANCHORS.items() for a in anchors}
        self.in_cell = defaultdict(set)
        self.names = defaultdict(set)
        self.residents = Counter()
        self.movable = set()
        for m in self.members:
            if not m.is_active:
                continue
            self.in_cell[m.unit_id].add(m.pk)
            self.names[m.unit_id].add(m.full_name)
            if m.residence_village_id:
                self.residents[m.residence_village_id] += 1
            if (
                m.pk not in officers
                and m.unit_id not in self.weak
                and m.away_since is None
                and (self.cells[m.unit_id].name, m.full_name) not in named
                and m.pk in self.open
            ):
                self.movable.add(m.pk)
        self.changed: dict[int, Member] = {}
        self.arrivals: list[Member] = []
        self.placements: list[Placement] = []  # new ones
        self.closed: dict[int, Placement] = {}  # saved ones closed
        self.events: list[MembershipEvent] = []

    def _profile(self, cell: Unit) -> str:
        if self.commune[cell.pk] is None:
            return DISTRICT_PROFILES.get(cell.name, "civil")
        if cell.category == UnitCategory.VILLAGE:
            spec = self.later.specs.get(cell.parent.name)
            return "town" if spec and spec.town else "village"
        return COMMUNE_PROFILES.get(cell.category, "commune_agency")

    # The years ---------------------------------------------------------------------------------

    def run(self) -> None:
        for start, end, share in _years(AS_OF + timedelta(days=1), self.until):
            self._year(start, end, share)
        self._save()

    def _year(self, start: date, end: date, share: float) -> None:
        rng = self.rng
        on_rolls = sum(len(ids) for ids in self.in_cell.values())
        on_rolls += sum(1 for day in self.decisions if day < start)
        counts = {
            EventKind.DIED: on_rolls * rng.uniform(*DEATH_RATE),
            EventKind.REMOVED: rng.randint(*REMOVED_PER_YEAR),
            EventKind.RESIGNED: rng.randint(*RESIGNED_PER_YEAR),
            EventKind.EXPELLED: rng.randint(*EXPELLED_PER_YEAR),
            EventKind.TRANSFER_OUT: rng.randint(*TRANSFERS_OUT_PER_YEAR),
            EventKind.TRANSFER_IN: rng.randint(*TRANSFERS_IN_PER_YEAR),
            EventKind.TRANSFER_INTERNAL: rng.randint(*INTERNAL_PER_YEAR),
            EventKind.EXEMPTED: rng.randint(*EXEMPTIONS_PER_YEAR),
            EventKind.REINSTATED: (
                rng.randint(*REINSTATED_PER_YEAR) if start >= REINSTATED_SINCE else 0
            ),
        }
        span = (end - start).days
        actions = []
        for kind, count in counts.items():
            for _ in range(_scaled(rng, count * share)):
                actions.append((start + timedelta(days=rng.randint(0, span)), len(actions), kind))
        actions.sort()
        middle = start + timedelta(days=span // 2)
        queues = self._queues([kind for kind in counts if kind != EventKind.TRANSFER_IN], middle)
        for day, _order, kind in actions:
            if kind == EventKind.TRANSFER_IN:
                self._arrive(day)
                continue
            queue = queues[kind]
            for i, member in enumerate(queue):
                if self._may(member, kind, day) and self._move(member, kind, day):
                    del queue[i]
                    break

    def _queues(self, kinds, day: date) -> dict[str, list[Member]]:
        """For each of `kinds`, the members who may be chosen this year, in a weighted random
        order (exponential keys: the heavier, the likelier first). One pass, in creation order.
        """
        keyed = {kind: [] for kind in kinds}
        for m in self.members:
            if m.is_active:
                if m.pk not in self.movable:
                    continue
            elif m.status not in REINSTATED_FROM or m.unit_id in self.weak:
                continue
            for kind, weight in self._weights(m, day):
                if weight > 0 and kind in keyed:
                    keyed[kind].append((self.rng.expovariate(weight), m.pk, m))
        queues = {}
        for kind, rows in keyed.items():
            rows.sort(key=lambda row: (row[0], row[1]))
            queues[kind] = [m for _key, _pk, m in rows]
        return queues

    def _weights(self, m: Member, day: date) -> list[tuple[str, float]]:
        """How likely `m` is to have each kind of event around `day`."""
        age = m.age_on(day)
        if not m.is_active:
            return [(EventKind.REINSTATED, 1 if 25 <= age <= 55 else 0)]
        # Gompertz: the risk of death doubles every five and a half years of age.
        weights = [(EventKind.DIED, math.exp((age - 76) / 8))]
        profile = self.profile[m.unit_id]
        local = profile in ("village", "town")
        if m.exempt_since is not None:
            return weights
        if m.official_on is not None and age >= EXEMPT_FROM_AGE:
            weights.append(
                (EventKind.EXEMPTED, (age - EXEMPT_FROM_AGE + 2) * (1 if local else 0.4))
            )
        if age < 50:
            weights.append((EventKind.REMOVED, 1 if local else 0.3))
        if 25 <= age <= 60:
            weights.append((EventKind.RESIGNED, 1))
        if 25 <= age <= 58:
            weights.append((EventKind.EXPELLED, 1))
        if age <= 57:
            if self.commune[m.unit_id] is None:
                weight = 6
            elif local:
                weight = 0.5 if age < 45 else 0.15
            else:
                weight = 3
            weights.append((EventKind.TRANSFER_OUT, weight))
        if age <= 58:
            weight = {"commune_agency": 4, "school": 3, "commune_police": 1.5}.get(
                profile, 0.3 if local else 2
            )
            weights.append((EventKind.TRANSFER_INTERNAL, weight))
        return weights

    # Checks ----------------------------------------------------------------------------------

    def _full(self, cell_id: int, day: date) -> int:
        return sum(
            1
            for pk in self.in_cell[cell_id]
            if (official := self.by_pk[pk].official_on) is not None and official <= day
        )

    def _may(self, m: Member, kind: str, day: date) -> bool:
        """Whether `m` may have an event of `kind` on `day` (as the rolls stand then)."""
        if kind == EventKind.REINSTATED:
            if m.is_active or m.status not in REINSTATED_FROM:
                return False
            cell = self.cells[m.unit_id]
            return (
                day > self.last.get(m.pk, m.left_on)
                and day >= add_months(m.left_on, READMISSION_MONTHS)
                and probation_ends(day) <= self.today - timedelta(days=RECOGNITION_LAG_DAYS)
                and _exists(cell, day)
                and cell.pk not in self.weak
            )
        if not m.is_active or m.pk not in self.movable:
            return False
        if day <= self.last.get(m.pk, m.admitted_on) or day <= self.since[m.pk]:
            return False
        if kind == EventKind.EXEMPTED:
            return m.exempt_since is None and m.official_on is not None and m.official_on < day
        # The cell keeps its 3 full members; the village keeps 2 members living there.
        full = m.official_on is not None and m.official_on <= day
        if full and self._full(m.unit_id, day) <= MIN_FULL_MEMBERS_PER_CELL:
            return False
        village = m.residence_village_id
        return not village or self.residents[village] > 2

    # Events ----------------------------------------------------------------------------------

    def _event(self, m: Member, kind: str, day: date, **fields) -> None:
        fields.setdefault("unit_id", m.unit_id)
        fields.setdefault("note", NOTES.get(kind, ""))
        self.events.append(
            MembershipEvent(member=m, kind=kind, on=day, created_by=self.by, **fields)
        )
        self.last[m.pk] = max(day, self.last.get(m.pk, day))
        self.changed[m.pk] = m

    def _close(self, m: Member, day: date) -> None:
        placement = self.open.pop(m.pk)
        placement.valid_to = day
        if placement.pk:
            self.closed[placement.pk] = placement

    def _place(self, m: Member, cell_id: int, day: date) -> None:
        placement = Placement(member=m, unit_id=cell_id, valid_from=day)
        self.placements.append(placement)
        self.open[m.pk] = placement
        self.since[m.pk] = day
        self.in_cell[cell_id].add(m.pk)
        self.names[cell_id].add(m.full_name)

    def _leave_village(self, m: Member) -> None:
        if m.residence_village_id:
            self.residents[m.residence_village_id] -= 1

    def _move(self, m: Member, kind: str, day: date) -> bool:
        """Record the event; False when it cannot be (no cell to move to)."""
        rng = self.rng
        if kind == EventKind.EXEMPTED:
            m.exempt_since = day
            self._event(m, kind, day)
            return True
        if kind == EventKind.REINSTATED:
            self._reinstate(m, day)
            return True
        if kind == EventKind.TRANSFER_INTERNAL:
            return self._transfer(m, day)
        # Leaving the rolls.
        m.status, m.left_on = EXIT_STATUSES[kind], day
        self._close(m, day)
        self.in_cell[m.unit_id].discard(m.pk)
        self.movable.discard(m.pk)
        self._leave_village(m)
        fields = {"from_unit_id": m.unit_id}
        if kind == EventKind.TRANSFER_OUT:
            fields["scope"], fields["place"] = rng.choice(
                ELSEWHERE if day < REFORM_ON else ELSEWHERE_SINCE_REFORM
            )
            local = self.profile[m.unit_id] in ("village", "town")
            fields["note"] = HOME_NOTE if local else WORK_NOTE
        if kind == EventKind.REMOVED:
            fields["note"] = rng.choice(REMOVAL_NOTES)
        if kind != EventKind.DIED:
            fields["decision_number"] = _decision_number(rng, day)
        self._event(m, kind, day, **fields)
        return True

    def _transfer(self, m: Member, day: date) -> bool:
        """Chuyển sinh hoạt nội bộ: a commune official to the cell of the village they live in
        (Nghị quyết 26-NQ/TW), a teacher to another school, a villager who moved house to the
        cell of the new village, staff to another cell of the same kind."""
        rng = self.rng
        cell, profile = self.cells[m.unit_id], self.profile[m.unit_id]
        commune = self.commune[cell.pk]
        home, note = None, WORK_NOTE
        if profile == "commune_agency" and m.residence_village_id:
            target = self.cells.get(self.villages[m.residence_village_id].cell_id)
            note = OFFICIALS_MOVE_NOTE
            choices = [target] if target else []
        elif profile in ("village", "town"):
            choices = self.village_cells[commune]
            note = HOME_NOTE
        else:
            choices = self.by_kind[_staff(profile)]
        choices = [
            c for c in choices if c.pk != cell.pk and c.pk not in self.weak and _exists(c, day)
        ]
        if not choices:
            return False
        target = rng.choice(choices)
        # Villagers move house; staff posted to another commune come to live there.
        if profile in ("village", "town") or self.commune[target.pk] not in (None, commune):
            homes = self.cell_villages[target.pk] or self.commune_villages[self.commune[target.pk]]
            homes = [v for v in homes if self.residents[v.pk] > 0]
            if homes:
                home = rng.choice(homes)
        if m.full_name in self.names[target.pk]:
            return False  # no namesakes within a cell
        self._close(m, day)
        self.in_cell[cell.pk].discard(m.pk)
        self._place(m, target.pk, day)
        m.unit = target
        if home is not None:
            self._leave_village(m)
            m.residence_village = home
            self.residents[home.pk] += 1
        same_commune = commune is not None and commune == self.commune[target.pk]
        number = f"{rng.randint(10, 250)}-QĐ/ĐU" if same_commune else _decision_number(rng, day)
        self._event(
            m,
            EventKind.TRANSFER_INTERNAL,
            day,
            unit_id=cell.pk,
            from_unit_id=cell.pk,
            to_unit_id=target.pk,
            decision_number=number,
            note=note,
        )
        return True

    def _reinstate(self, m: Member, day: date) -> None:
        """Kết nạp lại: probation again from the new ceremony, recognised 12 months on."""
        rng = self.rng
        official = probation_ends(day)
        m.status, m.left_on = MemberStatus.FULL, None
        m.ceremony_on, m.official_on = day, official
        m.exempt_since = m.away_since = m.away_until = None
        if not m.card_number:
            m.card_number = self.people._card_number()
        self._place(m, m.unit_id, day)
        if m.residence_village_id:
            self.residents[m.residence_village_id] += 1
        self._event(
            m,
            EventKind.REINSTATED,
            day,
            to_unit_id=m.unit_id,
            decision_number=_decision_number(rng, day),
        )
        self._event(
            m, EventKind.RECOGNISED, official, decision_number=_decision_number(rng, official)
        )

    def _arrive(self, day: date) -> None:
        """Tiếp nhận đảng viên chuyển đến: a full member from another district or province,
        mostly staff posted to the district's agencies, schools and police, some villagers."""
        rng, people = self.rng, self.people
        cells = [
            c
            for c in self.cells.values()
            if c.pk not in self.weak and _exists(c, day) and self.in_cell[c.pk]
        ]
        weights = [
            3 if self.commune[c.pk] is None else 0.25 if c.category == UnitCategory.VILLAGE else 1.5
            for c in cells
        ]
        cell = rng.choices(cells, weights=weights)[0]
        profile = self.profile[cell.pk]
        spec = self.later.specs.get(cell.parent.name)
        if spec is None:
            mix = DISTRICT_MIX
        elif profile in ("village", "town"):
            mix = spec.mix
        else:
            mix = _blend(spec.mix, 0.3)
        ethnicities = Counter(self.by_pk[pk].ethnicity for pk in sorted(self.in_cell[cell.pk]))
        dominant = ethnicities.most_common(1)[0][0] if profile == "village" else None
        plan = _CellPlan(
            unit=cell,
            size=0,
            profile=profile,
            mix=mix,
            dominant=dominant,
            commune=spec.name if spec else None,
        )
        ethnicity = dominant if dominant and rng.random() < 0.8 else people.pick(mix)
        sex = Sex.FEMALE if rng.random() < PROFILES[profile].female else Sex.MALE
        low, high = PROFILES[profile].ages
        age = round(rng.triangular(max(low, 24), min(high, 55), max(low, 24) + 8))
        full_name = people._name(ethnicity, sex)
        while full_name in self.names[cell.pk]:
            full_name = people._name(ethnicity, sex)
        birth = _add_years(day, -age) - timedelta(days=rng.randint(1, 364))
        admitted = _add_years(birth, rng.randint(20, max(21, age - 3)))
        admitted = min(admitted + timedelta(days=rng.randint(0, 300)), day - timedelta(days=500))
        hometown, province_code = people._origin(plan, ethnicity)
        occupation = people._occupation(plan, age)
        if self.commune[cell.pk] is None:
            homes = self.commune_villages[self.town] if rng.random() < 0.85 else []
        elif profile in ("village", "town"):
            homes = self.cell_villages[cell.pk]
        else:
            homes = self.commune_villages[self.commune[cell.pk]]
        homes = [v for v in homes if self.residents[v.pk] > 0]
        home = rng.choice(homes) if homes else None
        member = Member(
            unit=cell,
            full_name=full_name,
            sex=sex,
            birth_date=birth,
            ethnicity=ethnicity,
            religion=people._religion(ethnicity),
            hometown=hometown,
            residence_village=home,
            citizen_id=people._citizen_id(province_code, birth, sex, age),
            card_number=people._card_number(),
            admitted_on=admitted,
            official_on=_add_years(admitted, 1),
            status=MemberStatus.FULL,
            education=people._education(plan, age),
            theory_level=people._theory(plan, age, occupation),
            occupation=occupation,
            youth_union=age <= 30,
            phone=people._phone(age),
        )
        self.arrivals.append(member)
        # Known by a negative number until it has an id (only its dates are read).
        self.by_pk[-len(self.arrivals)] = member
        self.in_cell[cell.pk].add(-len(self.arrivals))
        self.names[cell.pk].add(full_name)
        if home is not None:
            self.residents[home.pk] += 1
        scope, place = rng.choice(ELSEWHERE if day < REFORM_ON else ELSEWHERE_SINCE_REFORM)
        self.placements.append(Placement(member=member, unit=cell, valid_from=day))
        self.events.append(
            MembershipEvent(
                member=member,
                kind=EventKind.TRANSFER_IN,
                on=day,
                unit=cell,
                to_unit=cell,
                scope=scope,
                place=place,
                decision_number=_decision_number(rng, day),
                note=NOTES[EventKind.TRANSFER_IN],
                created_by=self.by,
            )
        )

    # Writing ---------------------------------------------------------------------------------

    def _save(self) -> None:
        for member in self.arrivals:
            member.normalize_text_fields()
            member.search_key = strip_diacritics(member.full_name)
            member.sort_key = name_sort_key(member.full_name)
            member.clean_fields(exclude=["unit", "residence_village"])
            member.clean()
        bulk.insert_with_history(Member, self.arrivals, by=self.by)
        changed = [m for m in self.changed.values() if m.pk]
        for member in changed:
            member.clean()
        bulk.update_with_history(
            Member,
            changed,
            [
                "unit",
                "status",
                "left_on",
                "official_on",
                "ceremony_on",
                "exempt_since",
                "away_since",
                "away_until",
                "residence_village",
                "card_number",
            ],
            by=self.by,
        )
        Placement.objects.bulk_update(list(self.closed.values()), ["valid_to"], batch_size=500)
        Placement.objects.bulk_create(self.placements, batch_size=1000)
        for event in self.events:
            event.member_id = event.member.pk  # the arrivals' ids, now they have them
        self.events.sort(key=lambda e: (e.on, e.kind))
        events_bulk_create(self.events, by=self.by)


# 5. Resolutions and targets ---------------------------------------------------------------------


def _resolutions(*, province: Unit, district: Unit, by) -> None:
    """The district's resolution of 2020-2025 and the province's of 2025-2030, with the
    targets the leaders' dashboards measure progress against."""
    district_resolution = resolution_create(
        issuer=district,
        by=by,
        number="03-NQ/HU",
        title=(
            "Nghị quyết về nâng cao năng lực lãnh đạo, sức chiến đấu của tổ chức cơ sở đảng "
            "và chất lượng đảng viên, giai đoạn 2020-2025"
        ),
        start_year=2020,
        end_year=2025,
        adopted_on=date(2020, 12, 10),
    )
    for kind, value, note in (
        (TargetKind.ADMISSIONS, 150, "Kết nạp từ 150 đến 250 đảng viên mỗi năm."),
        (TargetKind.OWN_CELL_VILLAGES, 100, "Mỗi thôn, bản có chi bộ độc lập."),
        (TargetKind.NO_WHITE_VILLAGE, 0, "Xóa bản trắng đảng viên."),
        (TargetKind.MONTHLY_MEETINGS, 90, ""),
    ):
        target_create(
            resolution=district_resolution,
            by=by,
            unit=district,
            kind=kind,
            value=Decimal(value),
            note=note,
        )
    province_resolution = resolution_create(
        issuer=province,
        by=by,
        number="05-NQ/TU",
        title=(
            "Nghị quyết về công tác phát triển đảng viên và xây dựng tổ chức cơ sở đảng "
            "sau sắp xếp, giai đoạn 2025-2030"
        ),
        start_year=2025,
        end_year=2030,
        adopted_on=date(2025, 10, 15),
    )
    for kind, value, note in (
        (TargetKind.ADMISSIONS, 150, "Kết nạp ít nhất 150 đảng viên mỗi năm."),
        (TargetKind.OWN_CELL_VILLAGES, 100, "Mỗi thôn, bản có chi bộ độc lập."),
        (TargetKind.NO_WHITE_VILLAGE, 0, "Không còn thôn, bản chưa có đảng viên."),
        (TargetKind.MONTHLY_MEETINGS, 95, ""),
        (TargetKind.THEMATIC, 1, "Mỗi quý ít nhất một cuộc sinh hoạt chuyên đề."),
    ):
        target_create(
            resolution=province_resolution,
            by=by,
            unit=province,
            kind=kind,
            value=Decimal(value),
            note=note,
        )
    # Each commune's share of the admissions, by its members today (at least 2 a year).
    communes = Unit.objects.subtree(province.path).filter(kind=UnitKind.COMMUNE, dissolved_on=None)
    sizes = {
        c: Member.objects.active().in_subtree(c.path).count() for c in communes.order_by("path")
    }
    total = sum(sizes.values()) or 1
    for commune, size in sizes.items():
        target_create(
            resolution=province_resolution,
            by=by,
            unit=commune,
            kind=TargetKind.ADMISSIONS,
            value=Decimal(max(2, round(ADMISSIONS_TARGET * size / total))),
        )
        target_create(
            resolution=province_resolution,
            by=by,
            unit=commune,
            kind=TargetKind.NO_WHITE_VILLAGE,
            value=Decimal(0),
        )
