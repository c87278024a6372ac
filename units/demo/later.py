"""The demo's members after the seed's date: probationary members recognised when their 12
months ended, new members admitted since the 2025 reform with the candidacies that led there,
candidates in the pipeline today, and the resolutions whose targets the dashboards measure.

Everything after 26/10/2020, so the seed's figures as of that day do not move. Drawn from a
generator of its own and written in bulk, like the rest of the demo.
"""

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.choices import EventKind, MemberStatus, Sex, TheoryLevel
from members.models import Candidate, Member, MembershipEvent, Placement
from members.rules import (
    VOTE_SHARE,
    add_months,
    ceremony_due,
    decision_due,
    probation_ends,
)
from members.services import entry_events, events_bulk_create, member_exit
from reports.models import TargetKind
from reports.services import resolution_create, target_create
from units.demo.build import _add_years, _Builder, _CellPlan
from units.demo.data import COMMUNES, DISTRICT_MIX, SEED
from units.models import CELL_KINDS, Unit, UnitCategory, UnitKind, Village
from units.vietnamese import name_sort_key, strip_diacritics

# QĐ 294-QĐ/TW (2025): from 1/7/2025 the commune committees decide admissions and recognition.
REFORM_ON = date(2025, 7, 1)
# Seed 001: the district's target was 150-250 new members a year; the demo admits at the lower
# pace, pro rata from the reform to about two months ago.
ADMISSIONS_PER_YEAR = 150
RECENT_GAP_DAYS = 60
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
    later.admit()
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
        weak = self._weak_cells()
        due = []
        for member in members:
            ends = probation_ends(member.ceremony_on or member.admitted_on)
            if ends <= self.today - timedelta(days=RECOGNITION_LAG_DAYS):
                member.status, member.official_on = MemberStatus.FULL, ends
                member.card_number = self.people._card_number()
                member.updated_at = timezone.now()
                due.append(member)
        if not due:
            return
        bulk_update_with_history(
            due,
            Member,
            ["status", "official_on", "card_number", "updated_at"],
            batch_size=500,
            default_user=self.by,
        )
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
        self.specs = {f"Đảng bộ {spec.place}": spec for spec in COMMUNES}
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

    # 2. Admissions since the reform ----------------------------------------------------------

    def admit(self) -> None:
        """About ADMISSIONS_PER_YEAR a year from the reform: each a member, placed, admitted
        (and recognised after 12 months), with the candidacy that led there."""
        rng, today = self.rng, self.today
        cells = self._cells()
        first, last = REFORM_ON + timedelta(days=14), today - timedelta(days=RECENT_GAP_DAYS)
        if last <= first:
            return
        count = round(ADMISSIONS_PER_YEAR * (last - first).days / 365)
        decisions = sorted(
            first + timedelta(days=rng.randint(0, (last - first).days)) for _ in range(count)
        )
        members, candidates = [], []
        for decided in decisions:
            cell = rng.choice(cells)
            committee = decided - timedelta(days=rng.randint(3, 15))
            resolved = committee - timedelta(days=rng.randint(10, 40))
            ceremony = min(decided + timedelta(days=rng.randint(14, 35)), ceremony_due(decided))
            if decided > decision_due(resolved) or len(self._full_on(cell, resolved)) < 2:
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
            members.append(member)
            candidates.append(candidate)
        for row in [*members, *candidates]:
            row.normalize_text_fields()
            row.search_key = strip_diacritics(row.full_name)
            row.sort_key = name_sort_key(row.full_name)
        for member in members:
            member.clean_fields(exclude=["unit", "residence_village"])
            member.clean()
        bulk_create_with_history(members, Member, batch_size=500, default_user=self.by)
        Placement.objects.bulk_create(
            [Placement(member=m, unit=m.unit, valid_from=m.admitted_on) for m in members]
        )
        events = []
        for member, candidate in zip(members, candidates, strict=True):
            for event in entry_events(member, by=self.by):
                if event.kind == EventKind.ADMITTED:
                    event.decision_number = candidate.decision_number
                else:
                    event.decision_number = _decision_number(rng, event.on)
                events.append(event)
        events_bulk_create(events, by=self.by)
        for candidate, member in zip(candidates, members, strict=True):
            candidate.member = member
        bulk_create_with_history(candidates, Candidate, batch_size=500, default_user=self.by)

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


# 4. Resolutions and targets ---------------------------------------------------------------------


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
            value=Decimal(max(2, round(ADMISSIONS_PER_YEAR * size / total))),
        )
        target_create(
            resolution=province_resolution,
            by=by,
            unit=commune,
            kind=TargetKind.NO_WHITE_VILLAGE,
            value=Decimal(0),
        )
