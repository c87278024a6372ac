"""Members of the province: the demo's people as they stood at the window's start, then year
after year their recognitions, deaths, transfers out and in, moves between cells, exemptions,
and the admissions of new members with their candidacies.

The demo draws a district as of AS_OF (2020); here the same draws are moved on by whole years
to the window's start (citizen ID numbers follow the year of birth). Events, placements and
statuses stay in step, as the event services keep them.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from members.choices import ACTIVE_STATUSES, EXIT_STATUSES, EventKind, MemberStatus, Sex
from members.models import Candidate, Member
from members.rules import probation_ends
from units.demo.build import ELSEWHERE, STUDY_PLACES, WORK_PLACES, _add_years
from units.demo.data import AS_OF
from units.vietnamese import name_sort_key, normalize_text, strip_diacritics

DATED = ("birth_date", "admitted_on", "ceremony_on", "official_on", "exempt_since", "left_on")
# Yearly rates, per active member (of a cell, for admissions).
ADMISSION_RATE = 0.03
TRANSFER_IN_RATE = 0.004
MOVE_RATE = 0.008
EXEMPT_RATE = 0.05  # of full members of 65 and over not yet exempt
EXITS = (  # (kind, status, yearly rate) besides deaths
    (EventKind.TRANSFER_OUT, MemberStatus.TRANSFERRED_OUT, 0.005),
    (EventKind.REMOVED, MemberStatus.REMOVED, 0.0008),
    (EventKind.RESIGNED, MemberStatus.RESIGNED, 0.0004),
    (EventKind.EXPELLED, MemberStatus.EXPELLED, 0.0002),
)
EVENT_COLUMNS = [
    "member_id", "kind", "on", "decision_number", "unit_id", "from_unit_id", "to_unit_id",
    "scope", "place", "until", "note", "created_by_id", "created_at",
]  # fmt: skip
AWAY_SHARE = 0.003  # members on temporary transfer at the end
ABSENT_SHARE = 0.003  # members with months of unexcused absences at the end
OPEN_CANDIDACY = 0.2  # cells with a candidate on the way at the end


def death_rate(age: int) -> float:
    if age >= 75:
        return 0.045
    if age >= 65:
        return 0.02
    return 0.006 if age >= 50 else 0.0015


@dataclass
class Population:
    members: list = field(default_factory=list)
    events: list = field(default_factory=list)
    candidates: list = field(default_factory=list)
    stays: dict = field(default_factory=dict)  # member id -> [[cell id, from, to]]


class PeopleBuilder:
    def __init__(self, draws, province, ids, *, first_month: date, until: date):
        self.draws, self.rng, self.ids = draws, draws.rng, ids
        self.province = province
        self.first_month, self.until = first_month, until
        # Whole years from the demo's day to the last of its anniversaries before the window.
        self.shift = first_month.year - AS_OF.year
        if _add_years(AS_OF, self.shift) > first_month:
            self.shift -= 1
        self.pop = Population()
        self.roll: dict[int, list[Member]] = {p.unit.pk: [] for p in province.plans}
        self.plan_of = {p.unit.pk: p for p in province.plans}
        self.commune_of = {p.unit.pk: c for c in province.communes for p in c.cells}
        self.last: dict[int, date] = {}  # member id -> day of the member's latest change
        self.now = timezone.now()

    # The population at the window's start

    def initial(self) -> None:
        draws = self.draws
        for plan in self.province.plans:
            draws._cell_members(plan)
        members = draws.members
        by_cell: dict[int, list[Member]] = {}
        for m in members:
            by_cell.setdefault(m.unit_id, []).append(m)
        # A few people live in villages no cell covers; they meet in a neighbouring cell.
        for commune in self.province.communes:
            village_members = [
                m
                for p in commune.cells
                if p.profile in ("village", "town")
                for m in by_cell.get(p.unit.pk, ())
                if m.status in ACTIVE_STATUSES and m.residence_village is not None
            ]
            for village in commune.uncovered:
                for m in self.rng.sample(
                    village_members, min(len(village_members), self.rng.randint(2, 4))
                ):
                    m.residence_village = village
        for m in members:
            self._shift(m)
            self._add(m)
            self._entry_events(m)
            if m.left_on is None:
                self.roll[m.unit_id].append(m)
            self.pop.stays[m.pk] = [[m.unit_id, m.admitted_on, m.left_on]]

    def _shift(self, m: Member) -> None:
        for name in DATED:
            value = getattr(m, name)
            if value is not None:
                setattr(m, name, _add_years(value, self.shift))
        m.citizen_id = self._citizen_id(m.citizen_id, m.birth_date, m.sex)

    def _citizen_id(self, number: str, birth: date, sex) -> str:
        """The number again with the century, sex and year of birth of `birth`."""
        if not number:
            return number
        taken = self.draws.citizen_ids
        taken.discard(number)
        century = 0 if birth.year < 2000 else 2
        code = f"{number[:3]}{century + (sex == Sex.FEMALE)}{birth.year % 100:02d}"
        number = code + number[6:]
        while number in taken:
            number = f"{code}{self.rng.randint(0, 999_999):06d}"
        taken.add(number)
        return number

    def _add(self, m: Member) -> None:
        m.pk = self.ids.next(Member)
        # The only free text of a draw (NormalizedTextMixin keeps the rest as it is).
        m.full_name, m.hometown = normalize_text(m.full_name), normalize_text(m.hometown)
        m.search_key = strip_diacritics(m.full_name)
        m.sort_key = name_sort_key(m.full_name)
        self.pop.members.append(m)

    def _event(self, m: Member, kind, on: date, *, unit=None, from_unit=None, to_unit=None,
               scope="", place="", until=None) -> None:  # fmt: skip
        """One event as a row of EVENT_COLUMNS (a model instance each costs more than the
        rest of a member's draws)."""
        unit = unit or m.unit
        self.pop.events.append(
            (m.pk, kind, on, "", unit.pk, from_unit.pk if from_unit else None,
             to_unit.pk if to_unit else None, scope, place, until, "", None, self.now)
        )  # fmt: skip
        self.last[m.pk] = max(self.last.get(m.pk, on), on)

    def _entry_events(self, m: Member) -> None:
        """The events a record entered with its past implies (members.services.entry_events)."""
        self._event(m, EventKind.ADMITTED, m.admitted_on, to_unit=m.unit)
        if m.official_on:
            self._event(m, EventKind.RECOGNISED, m.official_on)
        if m.exempt_since:
            self._event(m, EventKind.EXEMPTED, m.exempt_since)
        if m.left_on:
            kind = next(k for k, status in EXIT_STATUSES.items() if status == m.status)
            self._event(m, kind, m.left_on, from_unit=m.unit)

    def _day(self, m: Member, start: date, end: date) -> date | None:
        day = start + timedelta(days=self.rng.randint(0, max((end - start).days, 0)))
        if day <= self.last[m.pk]:
            day = self.last[m.pk] + timedelta(days=self.rng.randint(1, 60))
        return day if day <= end else None

    # Year after year

    def years(self) -> None:
        start = self.first_month
        while start <= self.until:
            end = min(_add_years(start, 1) - timedelta(days=1), self.until)
            self._year(start, end)
            start = _add_years(start, 1)

    def _year(self, start: date, end: date) -> None:
        rng = self.rng
        share = ((end - start).days + 1) / 365
        mid = start + (end - start) / 2
        cells = [p.unit.pk for p in self.province.plans]
        active = [m for cell in cells for m in self.roll[cell]]
        for m in active:
            if m.status == MemberStatus.PROBATIONARY:
                day = probation_ends(m.ceremony_on or m.admitted_on)
                day += timedelta(days=rng.randint(0, 45))
                if day <= end:
                    m.status, m.official_on = MemberStatus.FULL, day
                    m.card_number = self.draws._card_number()
                    self._event(m, EventKind.RECOGNISED, day)
            age = m.age_on(mid)
            draw = rng.random() / share
            if draw < death_rate(age):
                self._leave(m, EventKind.DIED, MemberStatus.DECEASED, start, end)
                continue
            draw -= death_rate(age)
            left = False
            for kind, status, rate in EXITS:
                if draw < rate:
                    left = self._leave(m, kind, status, start, end)
                    break
                draw -= rate
            if left or draw < 0:
                continue
            if draw < MOVE_RATE:
                self._move(m, start, end)
            elif (
                draw < MOVE_RATE + EXEMPT_RATE
                and m.status == MemberStatus.FULL
                and age >= 65
                and m.exempt_since is None
            ):
                day = self._day(m, start, end)
                if day is not None:
                    m.exempt_since = day
                    self._event(m, EventKind.EXEMPTED, day)
        for _ in range(round(len(active) * TRANSFER_IN_RATE * share)):
            self._arrive(start, end)
        for cell in cells:
            expected = len(self.roll[cell]) * ADMISSION_RATE * share
            count = int(expected) + (rng.random() < expected - int(expected))
            for _ in range(count):
                self._admit(self.plan_of[cell], start, end)

    def _leave(self, m: Member, kind, status, start: date, end: date) -> bool:
        day = self._day(m, start, end)
        if day is None:
            return False
        fields = {"from_unit": m.unit}
        if kind == EventKind.TRANSFER_OUT:
            fields["scope"], fields["place"] = self.rng.choice(ELSEWHERE)
        self._event(m, kind, day, **fields)
        m.status, m.left_on = status, day
        self.pop.stays[m.pk][-1][2] = day
        self.roll[m.unit_id].remove(m)
        return True

    def _move(self, m: Member, start: date, end: date) -> None:
        rng = self.rng
        commune = self.commune_of[m.unit_id]
        if rng.random() < 0.8 and len(commune.cells) > 1:
            choices = [p for p in commune.cells if p.unit.pk != m.unit_id]
        else:
            choices = [p for p in self.province.plans if p.unit.pk != m.unit_id]
        target = rng.choice(choices)
        day = self._day(m, start, end)
        if day is None:
            return
        old = m.unit
        self._event(
            m, EventKind.TRANSFER_INTERNAL, day, unit=old, from_unit=old, to_unit=target.unit
        )
        self.roll[old.pk].remove(m)
        self.roll[target.unit.pk].append(m)
        self.pop.stays[m.pk][-1][2] = day
        self.pop.stays[m.pk].append([target.unit.pk, day, None])
        m.unit = target.unit
        if target.profile in ("village", "town"):
            m.residence_village = rng.choice(target.home_pool)

    def _arrive(self, start: date, end: date) -> None:
        rng = self.rng
        plan = rng.choice(self.province.plans)
        m = self.draws._member(plan, status=MemberStatus.FULL, home=self.draws._home(plan))
        self._shift(m)
        m.exempt_since = None
        self._add(m)
        day = start + timedelta(days=rng.randint(0, (end - start).days))
        self.last[m.pk] = day
        scope, place = rng.choice(ELSEWHERE)
        self._event(m, EventKind.TRANSFER_IN, day, to_unit=plan.unit, scope=scope, place=place)
        self.pop.stays[m.pk] = [[plan.unit.pk, day, None]]
        self.roll[plan.unit.pk].append(m)

    def _admit(self, plan, start: date, end: date) -> None:
        rng, draws = self.rng, self.draws
        m = draws._member(plan, status=MemberStatus.PROBATIONARY, home=draws._home(plan))
        day = start + timedelta(days=rng.randint(0, (end - start).days))
        age = rng.randint(19, 36)
        m.birth_date = _add_years(day, -age) - timedelta(days=rng.randint(1, 364))
        m.admitted_on, m.official_on, m.exempt_since, m.left_on = day, None, None, None
        ceremony = day + timedelta(days=rng.randint(10, 30))
        m.ceremony_on = ceremony if ceremony <= self.until else None
        m.occupation = draws._occupation(plan, age)
        m.education = draws._education(plan, age)
        m.theory_level = draws._theory(plan, age, m.occupation)
        m.card_number = ""
        m.citizen_id = self._citizen_id(m.citizen_id, m.birth_date, m.sex)
        full = [s for s in self.roll[plan.unit.pk] if s.status == MemberStatus.FULL]
        self._add(m)
        self.last[m.pk] = day
        self._event(m, EventKind.ADMITTED, day, to_unit=plan.unit)
        self.pop.stays[m.pk] = [[plan.unit.pk, day, None]]
        self.roll[plan.unit.pk].append(m)
        self.pop.candidates.append(self._candidacy(plan, m, full, day))

    def _candidacy(self, plan, m: Member, full: list, decision: date) -> Candidate:
        rng = self.rng
        awareness = decision - timedelta(days=rng.randint(400, 600))
        application = awareness + timedelta(days=rng.randint(30, 120))
        resolution = decision - timedelta(days=rng.randint(20, 45))
        sponsors = [s for s in full if s.official_on and s.official_on <= application]
        sponsors = rng.sample(sponsors, 2) if len(sponsors) >= 2 else [None, None]
        voters = len(full)
        committee = rng.randint(9, 15)
        candidate = Candidate(
            unit=plan.unit,
            full_name=m.full_name,
            sex=m.sex,
            birth_date=m.birth_date,
            ethnicity=m.ethnicity,
            religion=m.religion,
            hometown=m.hometown,
            residence_village=m.residence_village,
            citizen_id=m.citizen_id,
            education=m.education,
            occupation=m.occupation,
            phone=m.phone,
            awareness_class_on=awareness,
            application_on=application,
            sponsor_1=sponsors[0],
            sponsor_2=sponsors[1],
            background_checked_on=resolution - timedelta(days=rng.randint(10, 30)),
            cell_resolution_on=resolution,
            cell_votes_for=voters - rng.randint(0, voters // 8) if voters else None,
            cell_voters=voters or None,
            committee_resolution_on=resolution + timedelta(days=rng.randint(5, 15)),
            committee_votes_for=committee - rng.randint(0, 2),
            committee_voters=committee,
            decision_on=decision,
            decision_number=f"{rng.randint(100, 999)}-QĐ/ĐU",
            ceremony_on=m.ceremony_on,
            member=m,
        )
        for sponsor, name in ((sponsors[0], "sponsor_1_known_since"),
                              (sponsors[1], "sponsor_2_known_since")):  # fmt: skip
            if sponsor is not None:
                setattr(candidate, name, application - timedelta(days=rng.randint(370, 1500)))
        return candidate

    # The end of the window

    def finish(self) -> None:
        """Members away on temporary transfer, members with months of unexcused absences,
        candidates on the way; then every name key and every candidate key."""
        rng, until = self.rng, self.until
        active = [m for p in self.province.plans for m in self.roll[p.unit.pk]]
        for m in active:
            draw = rng.random()
            if draw < AWAY_SHARE and m.exempt_since is None:
                since = until - timedelta(days=rng.randint(10, 150))
                if since > self.last[m.pk]:
                    m.away_since = since
                    m.away_until = since + timedelta(days=rng.randint(180, 365))
                    place = rng.choice(STUDY_PLACES + WORK_PLACES)
                    self._event(m, EventKind.TEMP_OUT, since, from_unit=m.unit, place=place,
                                until=m.away_until)  # fmt: skip
            elif draw < AWAY_SHARE + ABSENT_SHARE and m.exempt_since is None:
                m.absent_from = until - timedelta(days=rng.randint(100, 200))
        for plan in self.province.plans:
            if rng.random() >= OPEN_CANDIDACY:
                continue
            person = self.draws._member(plan, status=MemberStatus.PROBATIONARY, home=None)
            age = rng.randint(19, 30)
            awareness = until - timedelta(days=rng.randint(30, 330))
            candidate = Candidate(
                unit=plan.unit,
                full_name=person.full_name,
                sex=person.sex,
                birth_date=_add_years(until, -age) - timedelta(days=rng.randint(1, 364)),
                ethnicity=person.ethnicity,
                religion=person.religion,
                hometown=person.hometown,
                residence_village=self.draws._home(plan),
                education=person.education,
                occupation=person.occupation,
                awareness_class_on=awareness,
            )
            if rng.random() < 0.6 and awareness + timedelta(days=30) < until:
                candidate.application_on = awareness + timedelta(
                    days=rng.randint(30, max(30, (until - awareness).days))
                )
            self.pop.candidates.append(candidate)
        for c in self.pop.candidates:
            c.normalize_text_fields()
            c.search_key = strip_diacritics(c.full_name)
            c.sort_key = name_sort_key(c.full_name)

    def build(self) -> Population:
        self.initial()
        self.years()
        self.finish()
        return self.pop
