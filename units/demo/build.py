"""Builds the demo district from units.demo.data, checking the published figures."""

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Q
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.choices import (
    ACTIVE_STATUSES,
    EventKind,
    MemberStatus,
    Religion,
    Sex,
    TransferScope,
)
from members.models import Member, MembershipEvent, Placement
from members.rules import add_months
from members.services import entry_events, events_bulk_create
from units.demo.data import (
    _HMONG_FIRST,
    _HMONG_SECOND,
    _THAI_FIRST,
    _THAI_SECOND,
    _THAI_STYLE,
    ANCHORS,
    AS_OF,
    BASE_CELLS,
    BASE_COMMITTEES,
    CHIBO_APPS,
    COMMUNES,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    DISTRICT_CODE,
    DISTRICT_MIX,
    ED,
    EXPECTED,
    EXPECTED_PA_TAN,
    FORMER_SHARE,
    FORMER_STATUSES,
    LAI_CHAU_DISTRICTS,
    LAI_CHAU_ID,
    LOWLAND_HOMETOWNS,
    NAME_STYLES,
    NEAR_TOWN,
    OC,
    PHONE_PREFIXES,
    POLICE_CELLS_FROM,
    PROFILES,
    PROVINCE_CODE,
    SEED,
    SIN_HO,
    TH,
    Anchor,
    CommuneSpec,
    E,
    OrgSpec,
)
from units.models import (
    CELL_KINDS,
    PATH_END,
    Officer,
    OfficerRole,
    Term,
    Unit,
    UnitCategory,
    UnitKind,
    Village,
    VillageCoverage,
    VillageKind,
)
from units.reorganisation import reorg_move, reorg_reform_2025, reorg_rename, reorg_split
from units.services import BEGINNING, assignment_create, coverage_rows, unit_create
from units.vietnamese import name_sort_key, strip_diacritics

# --- Building ------------------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _without_prefix(village_name: str) -> str:
    for prefix in ("Bản ", "Thôn ", "Khu phố ", "Tổ dân phố "):
        if village_name.startswith(prefix):
            return village_name[len(prefix) :]
    return village_name


def _village_kind(village_name: str) -> str:
    if village_name.startswith(("Khu phố ", "Tổ dân phố ")):
        return VillageKind.RESIDENTIAL_GROUP
    if village_name.startswith("Thôn "):
        return VillageKind.VILLAGE
    return VillageKind.HAMLET


def _split(total: int, weights: list[float], minimum: int) -> list[int]:
    """Share `total` out by `weights`, each at least `minimum`, exactly (largest remainder)."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} cannot give {len(weights)} shares of {minimum}")
    shares = [spare * w / sum(weights) for w in weights]
    sizes = [minimum + int(s) for s in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: int(shares[i]) - shares[i])
    for i in by_remainder[: total - sum(sizes)]:
        sizes[i] += 1
    return sizes


@dataclass
class _CellPlan:
    """Who goes into one cell: how many, like whom, living where."""

    unit: Unit
    size: int
    profile: str
    mix: dict
    dominant: str | None = None  # the village's own people, for a village cell
    homes: list = field(default_factory=list)  # villages members live in, in turn
    home_pool: list = field(default_factory=list)  # villages a member may live in otherwise
    near: list = field(default_factory=list)  # for district staff: villages around the town
    commune: str | None = None  # for hometowns
    weak: bool = False
    names: set = field(default_factory=set)  # full names already given in this cell


class _Builder:
    """Builds the district in memory order; every draw comes from one seeded generator."""

    def __init__(self, by):
        self.rng = random.Random(SEED)
        self.rng_left = random.Random(SEED + 1)
        self.by = by
        self.plans: list[_CellPlan] = []
        self.villages: list[Village] = []
        self.white: set[int] = set()  # ids of Village objects (in memory) nobody lives in
        self.village_by_commune: dict[str, list[Village]] = {}
        self.uncovered: dict[str, list[Village]] = {}
        self.members: list[Member] = []
        self.citizen_ids: set[str] = set()
        self.card_numbers: set[str] = set()
        self.units: dict[str, Unit] = {}

    # Draws

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _unit(self, parent, kind, name, category=UnitCategory.OTHER, **fields) -> Unit:
        unit = unit_create(
            parent=parent, by=self.by, kind=kind, name=name, category=category, **fields
        )
        self.units[name] = unit
        return unit

    # Tree

    def build_tree(self) -> Unit:
        province = self._unit(
            None,
            UnitKind.PROVINCIAL,
            "Tỉnh ủy Lai Châu",
            code=PROVINCE_CODE,
            founded_on=date(2004, 1, 1),  # Lai Châu (new) from 1/1/2004: NQ 22/2003/QH11
        )
        district = self._unit(province, UnitKind.DISTRICT, "Huyện ủy Sìn Hồ", code=DISTRICT_CODE)
        for spec in COMMUNES:
            self._commune(district, spec)
        for spec in BASE_COMMITTEES:
            self._base_committee(district, spec)
        for spec in BASE_CELLS:
            cell = self._unit(
                district, UnitKind.BASE_CELL, spec.name, spec.category, code=spec.code
            )
            self.plans.append(self._district_plan(cell, spec.members, spec.profile))
        return district

    def _village_names(self, spec: CommuneSpec) -> list[tuple[str, str | None]]:
        names = list(spec.named)
        used = {name for name, _ in names}
        peoples = {k: v for k, v in spec.mix.items() if k != E.KINH}
        if not spec.town and f"Bản {spec.name}" not in used:
            first = max(peoples, key=peoples.get)
            names.insert(0, (f"Bản {spec.name}", first))
            used.add(f"Bản {spec.name}")
        while len(names) < spec.villages:
            people = self.pick(peoples)
            if people in _THAI_STYLE:
                words = [self.rng.choice(_THAI_FIRST), self.rng.choice(_THAI_SECOND)]
            else:
                words = [self.rng.choice(_HMONG_FIRST), self.rng.choice(_HMONG_SECOND)]
                if self.rng.random() < 0.15:
                    words.append(self.rng.choice(_HMONG_SECOND))
            name = "Bản " + " ".join(words)
            if name not in used and len(set(words)) == len(words):
                used.add(name)
                names.append((name, people))
        return names

    def _commune(self, district: Unit, spec: CommuneSpec) -> None:
        rng = self.rng
        commune = self._unit(
            district,
            UnitKind.COMMUNE,
            _commune_unit(spec.name),
            code="SHO-" + strip_diacritics(spec.name).replace(" ", "").upper(),
        )
        named = self._village_names(spec)
        villages = [
            Village(commune=commune, name=name, kind=_village_kind(name)) for name, _ in named
        ]
        people = {id(v): p for v, (_, p) in zip(villages, named, strict=True)}
        self.village_by_commune[spec.name] = villages
        self.villages.extend(villages)

        covered = villages[: len(villages) - spec.uncovered]
        uncovered = villages[len(covered) :]
        self.uncovered[spec.name] = uncovered[spec.white :]
        self.white.update(id(v) for v in uncovered[: spec.white])
        groups = [[v] for v in covered[: len(covered) - sum(spec.combined)]]
        start = len(groups)
        for size in spec.combined:
            groups.append(covered[start : start + size])
            start += size
        living = [v for v in villages if id(v) not in self.white]

        # Special cells first (fixed sizes), then the villages share the rest.
        specials = []
        place = spec.place
        if spec.agency:
            specials.append((f"Chi bộ Cơ quan {place}", UnitCategory.AGENCY, "commune_agency"))
        if spec.police:
            specials.append((f"Chi bộ Công an {place}", UnitCategory.POLICE, "commune_police"))
        if spec.military:
            specials.append((f"Chi bộ Quân sự {place}", UnitCategory.MILITARY, "commune_military"))
        for level in spec.schools:
            where = place if spec.town else spec.name
            specials.append((f"Chi bộ Trường {level} {where}", UnitCategory.SCHOOL, "school"))
        special_sizes = {
            "commune_agency": (6, 12),
            "commune_police": (4, 7),
            "commune_military": (3, 5),
            "school": (5, 12),
        }
        sizes = [rng.randint(*special_sizes[profile]) for _, _, profile in specials]

        village_cells = []
        for group in groups:
            first, rest = group[0], group[1:]
            name = "Chi bộ " + _lower_first(first.name)
            if rest:
                name += "".join(" - " + _without_prefix(v.name) for v in rest)
            village_cells.append((name, group))
        # The weak cells are remote independent ones, never the commune's own village.
        independent = [name for name, group in village_cells[1:] if len(group) == 1]
        weak = set(independent[len(independent) - spec.weak :])
        small = {name for name, group in village_cells if group[0].name in spec.small}
        fixed = {name: 3 for name in weak}
        fixed.update({name: rng.randint(4, 6) for name in sorted(small)})
        free = [(name, group) for name, group in village_cells if name not in fixed]
        budget = spec.members - sum(sizes) - sum(fixed.values())
        weights = [len(group) * rng.uniform(0.7, 1.3) for _, group in free]
        shared = dict(zip((n for n, _ in free), _split(budget, weights, 6), strict=True))

        profile = "town" if spec.town else "village"
        for name, group in village_cells:
            founded = spec.founded.get(name)
            cell = self._unit(
                commune, UnitKind.SUB_CELL, name, UnitCategory.VILLAGE, founded_on=founded
            )
            for village in group:
                village.cell = cell
            self.plans.append(
                _CellPlan(
                    unit=cell,
                    size=fixed.get(name) or shared[name],
                    profile=profile,
                    mix=spec.mix,
                    dominant=people[id(group[0])],
                    homes=list(group),
                    home_pool=list(group),
                    commune=spec.name,
                    weak=name in weak,
                )
            )
        kinh_share = {
            "commune_agency": 0.15,
            "commune_police": 0.3,
            "commune_military": 0.1,
            "school": 0.45,
        }
        for (name, category, special), size in zip(specials, sizes, strict=True):
            founded = spec.founded.get(name)
            if special == "commune_police":
                founded = POLICE_CELLS_FROM + timedelta(days=rng.randint(0, 330))
            cell = self._unit(commune, UnitKind.SUB_CELL, name, category, founded_on=founded)
            self.plans.append(
                _CellPlan(
                    unit=cell,
                    size=size,
                    profile=special,
                    mix=_blend(spec.mix, kinh_share[special]),
                    home_pool=living,
                    commune=spec.name,
                )
            )

    def _base_committee(self, district: Unit, spec: OrgSpec) -> None:
        committee = self._unit(
            district, UnitKind.BASE_COMMITTEE, spec.name, spec.category, code=spec.code
        )
        for name, size in spec.cells:
            cell = self._unit(committee, UnitKind.SUB_CELL, name, spec.category)
            self.plans.append(self._district_plan(cell, size, spec.profile))
        if spec.partial:
            name, cells = spec.partial
            partial = self._unit(committee, UnitKind.PARTIAL_COMMITTEE, name, spec.category)
            for cell_name, size in cells:
                cell = self._unit(partial, UnitKind.SUB_CELL, cell_name, spec.category)
                self.plans.append(self._district_plan(cell, size, spec.profile))

    def _district_plan(self, cell: Unit, size: int, profile: str) -> _CellPlan:
        # Filled in once villages exist: district staff live in and around the town.
        return _CellPlan(unit=cell, size=size, profile=profile, mix=DISTRICT_MIX)

    # Villages

    def save_villages(self) -> None:
        for village in self.villages:
            village.normalize_text_fields()
            village.clean_fields(exclude=["commune", "cell"])
            village.clean()
        bulk_create_with_history(self.villages, Village, batch_size=500, default_user=self.by)
        # Covered from the beginning, by their cell from its founding (as village_create does).
        VillageCoverage.objects.bulk_create(
            coverage_rows(self.villages, BEGINNING), batch_size=1000
        )
        town = [v for v in self.village_by_commune[COMMUNES[0].name] if id(v) not in self.white]
        near = [
            v
            for name in NEAR_TOWN
            for v in self.village_by_commune[name]
            if id(v) not in self.white
        ]
        for plan in self.plans:
            if plan.commune is None:
                plan.home_pool = town
                plan.near = near

    # Members

    def build_members(self) -> None:
        for plan in self.plans:
            self._cell_members(plan)
        # A few people live in villages no cell covers; they meet in a neighbouring cell.
        # They move out of villages that keep at least two residents, so no village empties.
        for commune, villages in self.uncovered.items():
            path = self.units[_commune_unit(commune)].path
            neighbours = [
                m
                for m in self.members
                if m.unit.path.startswith(path)
                and m.unit.category == UnitCategory.VILLAGE
                and m.status in ACTIVE_STATUSES
                and m.residence_village is not None
            ]
            residents = Counter(id(m.residence_village) for m in neighbours)
            for village in villages:
                movers = self.rng.randint(2, 4)
                for member in self.rng.sample(neighbours, len(neighbours)):
                    if movers and residents[id(member.residence_village)] > 2:
                        residents[id(member.residence_village)] -= 1
                        member.residence_village = village
                        movers -= 1
        movements = _Movements(self)
        for member in self.members:
            member.normalize_text_fields()
            member.search_key = strip_diacritics(member.full_name)
            member.sort_key = name_sort_key(member.full_name)
            member.clean_fields(exclude=["unit", "residence_village"])
            member.clean()
        bulk_create_with_history(self.members, Member, batch_size=500, default_user=self.by)
        movements.save()

    def _cell_members(self, plan: _CellPlan) -> None:
        rng = self.rng
        anchors = ANCHORS.get(plan.unit.name, ())
        homes = list(plan.homes)
        for i in range(plan.size):
            # Điều lệ Đảng: a cell needs 3 full members; the first three always are, except in
            # the weak cells the demo keeps to show the warning.
            if plan.weak:
                status = MemberStatus.PROBATIONARY if i == 2 else MemberStatus.FULL
            elif i < 3:
                status = MemberStatus.FULL
            else:
                status = None  # decided by age
            home = homes[i] if i < len(homes) else self._home(plan)
            anchor = anchors[i] if i < len(anchors) else None
            self.members.append(self._member(plan, status=status, home=home, anchor=anchor))
        formers = sum(rng.random() < FORMER_SHARE for _ in range(plan.size))
        for _ in range(formers):
            status = self.pick(FORMER_STATUSES)
            home = None
            if status not in (MemberStatus.DECEASED, MemberStatus.TRANSFERRED_OUT):
                home = self._home(plan)
            self.members.append(self._member(plan, status=status, home=home))

    def _home(self, plan: _CellPlan):
        rng = self.rng
        if plan.commune is None:
            draw = rng.random()
            if draw < 0.8:
                return rng.choice(plan.home_pool)
            return rng.choice(plan.near) if draw < 0.95 else None
        return rng.choice(plan.home_pool)

    def _age(self, plan: _CellPlan, status) -> int:
        rng = self.rng
        if status == MemberStatus.PROBATIONARY:
            return rng.randint(20, 38)
        if status == MemberStatus.DECEASED:
            # Retired staff move to their residential cell; agencies lose people in service.
            local = plan.profile in ("village", "town")
            return rng.randint(58, 85) if local else rng.randint(35, 59)
        if plan.profile == "village":
            draw = rng.random()
            if draw < 0.12:
                return rng.randint(21, 29)
            if draw < 0.72:
                return rng.randint(30, 59)
            return rng.randint(60, 72) if draw < 0.9 else rng.randint(73, 85)
        if plan.profile == "town":
            return rng.randint(55, 85) if rng.random() < 0.5 else rng.randint(26, 59)
        low, high = PROFILES[plan.profile].ages
        return round(rng.triangular(low, high, (low + high) / 2 - 4))

    def _member(self, plan: _CellPlan, *, status, home, anchor: Anchor | None = None) -> Member:
        rng = self.rng
        profile = PROFILES[plan.profile]
        if anchor:
            ethnicity, sex, age = anchor.ethnicity, anchor.sex, anchor.age
            full_name, status = anchor.full_name, MemberStatus.FULL
        else:
            if plan.dominant and rng.random() < 0.8:
                ethnicity = plan.dominant
            else:
                ethnicity = self.pick(plan.mix)
            sex = Sex.FEMALE if rng.random() < profile.female else Sex.MALE
            age = self._age(plan, status)
            # Namesakes exist, but not within one cell: the demo's lists stay unambiguous.
            full_name = self._name(ethnicity, sex)
            while full_name in plan.names:
                full_name = self._name(ethnicity, sex)
        plan.names.add(full_name)
        if status is None:
            young = age <= 45 and rng.random() < profile.probationary
            status = MemberStatus.PROBATIONARY if young else MemberStatus.FULL
        if sex == Sex.FEMALE and plan.profile not in ("village", "town"):
            age = min(age, 55)  # women retired at 55 (Bộ luật Lao động 2012)
        birth = _add_years(AS_OF, -age) - timedelta(days=rng.randint(1, 364))

        # Admission at 18 or over (Điều lệ Đảng, art. 1); probation of 12 months.
        official = None
        if status == MemberStatus.PROBATIONARY:
            earliest = max(_add_years(birth, 18) + timedelta(days=1), AS_OF - timedelta(360))
            admitted = earliest + timedelta(days=rng.randint(0, (AS_OF - earliest).days - 14))
        else:
            earliest = _add_years(birth, 18) + timedelta(days=20)
            latest_age = 50 if plan.profile in ("village", "town") else 40
            latest = min(_add_years(birth, latest_age), AS_OF - timedelta(days=400))
            span = (latest - earliest).days
            admitted = earliest + timedelta(days=int(span * rng.betavariate(1.3, 3.0)))
            if status != MemberStatus.REMOVED or rng.random() < 0.6:
                official = _add_years(admitted, 1)

        occupation = self._occupation(plan, age)
        exempt = None
        # Miễn công tác và sinh hoạt đảng: old members, on request.
        if (
            status == MemberStatus.FULL
            and age >= 65
            and rng.random() < (0.6 if age >= 70 else 0.15)
        ):
            exempt = _add_years(birth, rng.randint(65, age)) + timedelta(rng.randint(0, 300))
            exempt = min(max(exempt, official + timedelta(days=1)), AS_OF)
        hometown, province_code = self._origin(plan, ethnicity)
        left = None
        if status not in ACTIVE_STATUSES:
            # Drawn apart from the main sequence, so the rest of the demo stays as it was.
            start = (official or admitted) + timedelta(days=30)
            left = start + timedelta(days=self.rng_left.randint(0, max((AS_OF - start).days, 0)))
        return Member(
            unit=plan.unit,
            full_name=full_name,
            sex=sex,
            birth_date=birth,
            ethnicity=ethnicity,
            religion=self._religion(ethnicity),
            hometown=hometown,
            residence_village=home,
            citizen_id=self._citizen_id(province_code, birth, sex, age),
            card_number=self._card_number() if official else "",
            admitted_on=admitted,
            official_on=official,
            status=status,
            education=self._education(plan, age),
            theory_level=self._theory(plan, age, occupation),
            occupation=occupation,
            phone=self._phone(age),
            exempt_since=exempt,
            left_on=left,
        )

    def _name(self, ethnicity, sex) -> str:
        style = NAME_STYLES.get(ethnicity, NAME_STYLES[E.KINH])
        family = self.pick(style.families)
        if sex == Sex.FEMALE:
            middle, given = self.pick(style.female_middles), self.rng.choice(style.female_given)
        else:
            middle, given = self.pick(style.male_middles), self.rng.choice(style.male_given)
        return f"{family} {middle} {given}"

    def _occupation(self, plan: _CellPlan, age: int):
        if plan.profile == "village":
            if age >= 62:
                weights = {OC.FARMER: 75, OC.RETIRED: 25}
            elif 25 <= age <= 58:
                # Nghị quyết 26-NQ/TW: commune officials meet in their village's cell.
                weights = {OC.FARMER: 82, OC.CIVIL_SERVANT: 11, OC.SELF_EMPLOYED: 4, OC.WORKER: 3}
            else:
                weights = {OC.FARMER: 92, OC.SELF_EMPLOYED: 5, OC.WORKER: 3}
        elif plan.profile == "town":
            if age >= 60:
                weights = {OC.RETIRED: 75, OC.SELF_EMPLOYED: 10, OC.FARMER: 15}
            else:
                weights = {
                    OC.CIVIL_SERVANT: 25, OC.SELF_EMPLOYED: 35, OC.FARMER: 20, OC.WORKER: 15,
                    OC.ENTERPRISE: 5,
                }  # fmt: skip
        else:
            weights = PROFILES[plan.profile].occupations
        return self.pick(weights)

    def _education(self, plan: _CellPlan, age: int):
        if plan.profile in ("village", "town"):
            if age >= 60:
                weights = {ED.PRIMARY: 45, ED.LOWER_SECONDARY: 40, ED.UPPER_SECONDARY: 15}
            elif age >= 40:
                weights = {ED.PRIMARY: 12, ED.LOWER_SECONDARY: 50, ED.UPPER_SECONDARY: 38}
            else:
                weights = {ED.LOWER_SECONDARY: 30, ED.UPPER_SECONDARY: 70}
        elif age >= 45:
            weights = {ED.UPPER_SECONDARY: 92, ED.LOWER_SECONDARY: 8}
        else:
            weights = {ED.UPPER_SECONDARY: 100}
        return self.pick(weights)

    def _theory(self, plan: _CellPlan, age: int, occupation):
        if plan.profile in ("village", "town"):
            if occupation in (OC.CIVIL_SERVANT, OC.RETIRED):
                weights = {TH.ELEMENTARY: 35, TH.INTERMEDIATE: 55, TH.ADVANCED: 10}
            elif age < 30:
                weights = {TH.NONE: 65, TH.ELEMENTARY: 35}
            else:
                weights = {TH.NONE: 40, TH.ELEMENTARY: 50, TH.INTERMEDIATE: 10}
        else:
            weights = PROFILES[plan.profile].theory
        return self.pick(weights)

    def _religion(self, ethnicity):
        draw = self.rng.random()
        if ethnicity == E.HMONG and draw < 0.04:
            return Religion.PROTESTANTISM
        if ethnicity == E.KINH and draw < 0.08:
            return Religion.BUDDHISM if draw < 0.06 else Religion.CATHOLICISM
        return Religion.NONE

    def _origin(self, plan: _CellPlan, ethnicity) -> tuple[str, str]:
        rng = self.rng
        if ethnicity in LOWLAND_HOMETOWNS:
            return rng.choice(LOWLAND_HOMETOWNS[ethnicity])
        if ethnicity == E.HA_NHI:
            return "huyện Mường Tè, tỉnh Lai Châu", LAI_CHAU_ID
        if plan.commune and rng.random() < 0.85:
            spec = next(s for s in COMMUNES if s.name == plan.commune)
            return f"{spec.place}, {SIN_HO}", LAI_CHAU_ID
        if rng.random() < 0.7:
            spec = rng.choice(COMMUNES)
            return f"{spec.place}, {SIN_HO}", LAI_CHAU_ID
        return f"{rng.choice(LAI_CHAU_DISTRICTS)}, tỉnh Lai Châu", LAI_CHAU_ID

    def _citizen_id(self, province_code: str, birth: date, sex, age: int) -> str:
        """Căn cước công dân: province, century and sex, year of birth, six digits."""
        rng = self.rng
        if rng.random() < (0.2 if age >= 70 else 0.05):
            return ""  # not yet issued, or not recorded
        century = 0 if birth.year < 2000 else 2
        code = f"{province_code}{century + (sex == Sex.FEMALE)}{birth.year % 100:02d}"
        while True:
            number = f"{code}{rng.randint(0, 999_999):06d}"
            if number not in self.citizen_ids:
                self.citizen_ids.add(number)
                return number

    def _card_number(self) -> str:
        while True:
            number = f"{self.rng.randint(10_000_000, 99_999_999)}"
            if number not in self.card_numbers:
                self.card_numbers.add(number)
                return number

    def _phone(self, age: int) -> str:
        rng = self.rng
        if rng.random() > (0.75 if age < 60 else 0.35):
            return ""
        return f"0{rng.choice(PHONE_PREFIXES)}{rng.randint(0, 9_999_999):07d}"


# Where members transferred in came from, and where those who left went (HD 11-HD/BTCTW).
ELSEWHERE = [
    (TransferScope.OTHER_DISTRICT, "Đảng bộ xã Bình Lư, huyện Tam Đường"),
    (TransferScope.OTHER_DISTRICT, "Đảng bộ thị trấn Phong Thổ, huyện Phong Thổ"),
    (TransferScope.OTHER_DISTRICT, "Đảng bộ Cơ quan Tỉnh ủy Lai Châu"),
    (TransferScope.OTHER_DISTRICT, "Đảng bộ thị trấn Than Uyên, huyện Than Uyên"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ huyện Tuần Giáo, tỉnh Điện Biên"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ thành phố Lào Cai, tỉnh Lào Cai"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ huyện Hải Hậu, tỉnh Nam Định"),
    (TransferScope.OTHER_PROVINCE, "Đảng bộ huyện Mai Sơn, tỉnh Sơn La"),
]
STUDY_PLACES = [
    "Chi bộ lớp Trung cấp lý luận chính trị, Trường Chính trị tỉnh Lai Châu",
    "Chi bộ học viên, Trường Cao đẳng Cộng đồng Lai Châu",
    "Chi bộ lớp Cao cấp lý luận chính trị, Học viện Chính trị khu vực I",
]
WORK_PLACES = [
    "Chi bộ Công ty cổ phần Thủy điện Nậm Na",
    "Chi bộ Ban Quản lý dự án huyện Sìn Hồ",
    "Chi bộ Công ty TNHH Cao su Lai Châu",
]
# Seed 001: commune officials moved to the cells of the villages they live in (184 of them);
# the demo moves this share of its village-cell officials, in 2016-2019.
OFFICIALS_MOVED = 0.35
OFFICIALS_MOVE_NOTE = "Cán bộ xã chuyển về sinh hoạt tại chi bộ nơi cư trú."
POLICE_MOVE_NOTE = "Chuyển sinh hoạt về Chi bộ Công an xã mới thành lập."
NEW_CELL_MOVE_NOTE = "Chuyển sinh hoạt về chi bộ mới thành lập của bản."
ARRIVED_SHARE = 0.08  # district staff who came from another district or province
PAST_TEMPORARY = 0.012  # young village members away for work, back before the seed's date
CURRENT_TEMPORARY = 12  # members away at the time the demo is loaded


class _Movements:
    """A member's history beyond admission: officials moved from the commune agency's cell to
    their village's, district staff transferred in from elsewhere, temporary transfers, with
    every event of the record (admitted, recognised, exempted, left) written in bulk.

    Drawn from a generator of its own, so the members themselves stay as they were; nobody
    joins or leaves the rolls, so the figures of 26/10/2020 and of today do not move.
    """

    def __init__(self, builder: "_Builder"):
        self.by = builder.by
        self.rng = rng = random.Random(SEED + 2)
        self.members = builder.members
        self.moved: dict[int, tuple] = {}  # id(member) -> (earlier cell, day, note)
        self.arrived: dict[int, tuple] = {}  # id(member) -> (day, scope, place)
        self.away: dict[int, tuple] = {}  # id(member) -> (out, until, back, place, reason)
        plan_of = {plan.unit.pk: plan for plan in builder.plans}
        agency = {
            plan.commune: plan.unit for plan in builder.plans if plan.profile == "commune_agency"
        }
        today = date.today()
        young = []
        for member in self.members:
            plan = plan_of[member.unit.pk]
            if member.status not in ACTIVE_STATUSES or member.exempt_since:
                continue
            cell = agency.get(plan.commune)
            if (
                plan.profile == "village"
                and cell is not None
                and member.occupation == OC.CIVIL_SERVANT
                and member.admitted_on < date(2015, 1, 1)
                and not (cell.founded_on and cell.founded_on > member.admitted_on)
                and rng.random() < OFFICIALS_MOVED
            ):
                start = max(date(2016, 1, 1), member.unit.founded_on or date(2016, 1, 1))
                day = start + timedelta(
                    days=rng.randint(0, max((date(2019, 12, 31) - start).days, 0))
                )
                if member.official_on is None or member.official_on < day:
                    self.moved[id(member)] = (cell, day, OFFICIALS_MOVE_NOTE)
                    continue
            if (
                plan.commune is None
                and member.admitted_on < date(2015, 1, 1)
                and rng.random() < ARRIVED_SHARE
            ):
                start = _add_years(member.admitted_on, 2)
                day = start + timedelta(days=rng.randint(0, (date(2019, 12, 31) - start).days))
                self.arrived[id(member)] = (day, *rng.choice(ELSEWHERE))
                continue
            if plan.profile == "village" and member.age_on(AS_OF) < 40:
                young.append(member)
        for member in young:
            if rng.random() < PAST_TEMPORARY and member.admitted_on < date(2017, 1, 1):
                out = date(2017, 1, 1) + timedelta(days=rng.randint(0, 900))
                until = add_months(out, rng.randint(6, 11))
                back = until - timedelta(days=rng.randint(0, 20))
                self.away[id(member)] = (out, until, back, rng.choice(WORK_PLACES), "work")
        current = [m for m in young if id(m) not in self.away]
        for member in rng.sample(current, min(CURRENT_TEMPORARY, len(current))):
            out = today - timedelta(days=rng.randint(20, 150))
            study = rng.random() < 0.4
            until = add_months(out, rng.randint(12, 20) if study else rng.randint(6, 11))
            place = rng.choice(STUDY_PLACES if study else WORK_PLACES)
            self.away[id(member)] = (out, until, None, place, "study" if study else "work")
        for member in self.members:
            if id(member) in self.away:
                out, until, back, _place, _reason = self.away[id(member)]
                member.away_since, member.away_until = out, back or until
        self._arrivals_at_founding(builder, agency)

    def _arrivals_at_founding(self, builder: "_Builder", agency: dict) -> None:
        """Cells founded later (the commune police cells of 2019-2020, POLICE_CELLS_FROM; a
        village's new cell): members admitted before met in another cell of their commune (the
        police in the commune agency's, villagers in the commune's first village cell) and moved
        on the founding day, by an internal transfer. Those who left the rolls before it existed
        never belonged to it. No random draw, after all the others: the rest stays as it was."""
        villages = {}
        for plan in builder.plans:  # creation order
            if plan.profile == "village":
                villages.setdefault(plan.commune, []).append(plan.unit)
        founded_later = {
            plan.unit.pk: plan
            for plan in builder.plans
            if plan.commune and plan.unit.founded_on and plan.profile != "commune_agency"
        }
        for member in self.members:
            plan = founded_later.get(member.unit.pk)
            if plan is None or member.admitted_on >= plan.unit.founded_on:
                continue
            if id(member) in self.moved or id(member) in self.away:
                continue  # already came from another cell after the founding
            founded, police = plan.unit.founded_on, plan.profile == "commune_police"
            choices = [agency.get(plan.commune)] if police else []
            choices += villages.get(plan.commune, [])
            source = next(
                c
                for c in choices
                if c is not None
                and c.pk != plan.unit.pk
                and (c.founded_on is None or c.founded_on <= member.admitted_on)
            )
            if member.left_on and member.left_on <= founded:
                member.unit = source
            else:
                note = POLICE_MOVE_NOTE if police else NEW_CELL_MOVE_NOTE
                self.moved[id(member)] = (source, founded, note)

    def save(self) -> None:
        placements, events = [], []
        founding_decisions = random.Random(SEED + 3)  # apart, so the other draws stay the same
        labels = {"work": "Công tác", "study": "Đi học"}
        for member in self.members:
            moved, arrived = self.moved.get(id(member)), self.arrived.get(id(member))
            start = arrived[0] if arrived else member.admitted_on
            if moved:
                cell, day, _note = moved
                placements.append(
                    Placement(member=member, unit=cell, valid_from=start, valid_to=day)
                )
                start = day
            placements.append(
                Placement(
                    member=member, unit=member.unit, valid_from=start, valid_to=member.left_on
                )
            )
            for event in entry_events(member, by=self.by):
                if arrived and event.on < arrived[0]:
                    continue  # admitted and recognised elsewhere
                if moved and event.on < moved[1]:
                    event.unit = moved[0]
                    if event.kind == EventKind.ADMITTED:
                        event.to_unit = moved[0]
                if event.kind == EventKind.TRANSFER_OUT:
                    event.scope, event.place = self.rng.choice(ELSEWHERE)
                events.append(event)
            if moved:
                cell, day, note = moved
                draw = self.rng if note == OFFICIALS_MOVE_NOTE else founding_decisions
                events.append(
                    MembershipEvent(
                        member=member,
                        kind=EventKind.TRANSFER_INTERNAL,
                        on=day,
                        unit=cell,
                        from_unit=cell,
                        to_unit=member.unit,
                        decision_number=f"{draw.randint(10, 250)}-QĐ/ĐU",
                        note=note,
                        created_by=self.by,
                    )
                )
            if arrived:
                day, scope, place = arrived
                events.append(
                    MembershipEvent(
                        member=member,
                        kind=EventKind.TRANSFER_IN,
                        on=day,
                        unit=member.unit,
                        to_unit=member.unit,
                        scope=scope,
                        place=place,
                        decision_number=f"{self.rng.randint(100, 999)}-QĐ/HU",
                        created_by=self.by,
                    )
                )
            if id(member) in self.away:
                out, until, back, place, reason = self.away[id(member)]
                events.append(
                    MembershipEvent(
                        member=member,
                        kind=EventKind.TEMP_OUT,
                        on=out,
                        unit=member.unit,
                        from_unit=member.unit,
                        place=place,
                        until=until,
                        note=labels[reason],
                        created_by=self.by,
                    )
                )
                if back:
                    events.append(
                        MembershipEvent(
                            member=member,
                            kind=EventKind.TEMP_BACK,
                            on=back,
                            unit=member.unit,
                            created_by=self.by,
                        )
                    )
        Placement.objects.bulk_create(placements, batch_size=1000)
        events.sort(key=lambda e: (e.on, e.kind))
        events_bulk_create(events, by=self.by)


def _blend(mix: dict, kinh_share: float) -> dict:
    """A commune's make-up with a share of Kinh staff posted from outside added."""
    total = sum(mix.values())
    blended = {k: v * (1 - kinh_share) / total for k, v in mix.items()}
    blended[E.KINH] = blended.get(E.KINH, 0) + kinh_share
    return blended


def _commune_unit(name: str) -> str:
    spec = next(s for s in COMMUNES if s.name == name)
    return f"Đảng bộ {spec.place}"


# --- Public API ----------------------------------------------------------------------------


@dataclass
class DemoSummary:
    """What the load produced, counted back from the database."""

    grassroots: int
    communes: int
    base_committees: int
    base_cells: int
    sub_cells: int
    members: int
    full_members: int
    probationary: int
    exempt: int
    former: int
    villages: int
    pa_tan_sub_cells: int
    pa_tan_members: int
    seconds: float = 0.0

    def check(self) -> list[str]:
        """The published figures the data does not reproduce (an empty list when all do)."""
        wrong = [
            f"{name}: {getattr(self, name)} != {value}"
            for name, value in EXPECTED.items()
            if getattr(self, name) != value
        ]
        for name, value in EXPECTED_PA_TAN.items():
            if getattr(self, f"pa_tan_{name}") != value:
                wrong.append(f"pa_tan_{name}: {getattr(self, f'pa_tan_{name}')} != {value}")
        return wrong


def demo_exists() -> bool:
    return Unit.objects.filter(code=PROVINCE_CODE).exists()


def chibo_tables() -> list[str]:
    """Tables of chibo's own apps (with their history tables) that exist in the database."""
    existing = set(connection.introspection.table_names())
    tables = []
    for label in CHIBO_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            opts = model._meta
            if opts.managed and not opts.proxy and opts.db_table in existing:
                tables.append(opts.db_table)
    return tables


@transaction.atomic
def reset_demo() -> None:
    """Empty every chibo table (units, villages, members, meetings, reports, their history)
    and delete the demo users. Not for a database with real data."""
    from accounts.models import AuditEvent

    # The trail names the demo users (on_delete=PROTECT), so it goes with them.
    tables = [*chibo_tables(), AuditEvent._meta.db_table]
    statements = connection.ops.sql_flush(
        no_style(), tables, reset_sequences=True, allow_cascade=True
    )
    connection.ops.execute_sql_flush(statements)
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()


def _demo_users() -> dict:
    User = get_user_model()
    users = {}
    for login in DEMO_LOGINS:
        superuser = login.role is None
        user, _ = User.objects.update_or_create(
            username=login.username,
            defaults={
                "first_name": login.full_name,
                "last_name": "",
                "is_active": True,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        users[login.username] = user
    return users


def summarize(district: Unit) -> DemoSummary:
    units = Unit.objects.subtree(district.path)
    kinds = dict(units.values_list("kind").annotate(n=Count("id")).order_by())
    members = Member.objects.in_subtree(district.path)
    active = members.active()
    pa_tan = units.get(name=_commune_unit("Pa Tần"))
    return DemoSummary(
        grassroots=sum(kinds.get(k, 0) for k in ("commune", "base_committee", "base_cell")),
        communes=kinds.get(UnitKind.COMMUNE, 0),
        base_committees=kinds.get(UnitKind.BASE_COMMITTEE, 0),
        base_cells=kinds.get(UnitKind.BASE_CELL, 0),
        sub_cells=kinds.get(UnitKind.SUB_CELL, 0),
        members=active.count(),
        full_members=active.filter(status=MemberStatus.FULL).count(),
        probationary=active.filter(status=MemberStatus.PROBATIONARY).count(),
        exempt=active.filter(exempt_since__isnull=False).count(),
        former=members.exclude(status__in=ACTIVE_STATUSES).count(),
        villages=Village.objects.filter(
            commune__path__gte=district.path, commune__path__lt=district.path + PATH_END
        ).count(),
        pa_tan_sub_cells=Unit.objects.subtree(pa_tan.path).filter(kind=UnitKind.SUB_CELL).count(),
        pa_tan_members=Member.objects.active().in_subtree(pa_tan.path).count(),
    )


@transaction.atomic
def build_demo(*, meetings: bool = True) -> DemoSummary:
    """Build the demo district in one transaction; fail (and roll back) unless the seed's
    published figures come out exactly."""
    started = time.perf_counter()
    users = _demo_users()
    builder = _Builder(by=users["quantri"])
    district = builder.build_tree()
    builder.save_villages()
    builder.build_members()
    for login in DEMO_LOGINS:
        if login.role is not None:
            assignment_create(
                user=users[login.username],
                unit=builder.units[login.unit],
                role=login.role,
                by=users["quantri"],
            )
    summary = summarize(district)
    wrong = summary.check()
    if wrong:
        raise RuntimeError("Demo figures differ from seed 001: " + "; ".join(wrong))
    appoint_secretaries(district, users["quantri"])
    replay_reorganisations(district, users)
    from units.demo.later import build_later  # it draws on the builder's generators

    build_later(province=district.parent, district=district, by=users["quantri"])
    renew_terms(district.parent, users["quantri"])
    if not meetings:
        summary.seconds = time.perf_counter() - started
        return summary
    from meetings.demo import build_meetings  # meetings depend on units, not the reverse

    # Five years of meetings up to yesterday, in the cells as they stood month by month.
    build_meetings(district.parent, SEED, until=date.today() - timedelta(days=1))
    summary.seconds = time.perf_counter() - started
    return summary


# Seed 001: "bố trí, sắp xếp 20 bí thư chi bộ đồng thời là trưởng bản".
SECRETARIES_HEADING_VILLAGES = 20
TERM_2020 = ("2020-2025", date(2020, 5, 1), date(2025, 6, 30))


def appoint_secretaries(district: Unit, by) -> None:
    """A secretary for every cell in the 2020-2025 term: its longest-serving full member (the
    demo secretary's login is the first member of Lồng Thàng), 20 of them also village heads."""
    name, starts, ends = TERM_2020
    # Creation order, not the path, whose string order follows the digits of the ids.
    cells = list(Unit.objects.subtree(district.path).filter(kind__in=CELL_KINDS).order_by("pk"))
    bulk_create_with_history(
        [Term(unit=c, name=name, starts_on=starts, ends_on=ends) for c in cells],
        Term,
        default_user=by,
    )
    term_of = {t.unit_id: t for t in Term.objects.filter(unit__in=cells, name=name)}
    firsts = {}
    for member in (
        # Members exempt from activity (old age, illness) hold no office.
        Member.objects.filter(unit__in=cells, status=MemberStatus.FULL, exempt_since=None)
        .order_by("unit_id", "pk")
        .only("pk", "unit_id", "admitted_on")
    ):
        firsts.setdefault(member.unit_id, member)
    officers = []
    village_cells = 0
    for cell in cells:
        member = firsts.get(cell.pk)
        if member is None:
            continue
        head = (
            cell.category == UnitCategory.VILLAGE and village_cells < SECRETARIES_HEADING_VILLAGES
        )
        village_cells += head
        officers.append(
            Officer(
                unit=cell,
                member=member,
                role=OfficerRole.SECRETARY,
                term=term_of[cell.pk],
                # Police cells founded during the term have their secretary from their founding.
                starts_on=max(starts, member.admitted_on, cell.founded_on or starts),
                is_village_head=head,
            )
        )
    bulk_create_with_history(officers, Officer, default_user=by)


TERM_2025 = ("2025-2030", date(2025, 7, 1), date(2030, 6, 30))


def renew_terms(province: Unit, by, today: date | None = None) -> None:
    """The 2020-2025 term ends on 30/06/2025: every officer still in office leaves it that day.
    Every cell existing since then opens the 2025-2030 term with a secretary: the one of the
    last term when still in the cell and on the rolls today, otherwise its longest-serving
    full member placed there on 1/7/2025 and still there today (creation order breaks ties)."""
    today = today or date.today()
    _name, _starts, ended = TERM_2020
    name, starts, ends = TERM_2025
    if today < starts:
        return
    last = list(
        Officer.objects.filter(
            unit__path__gte=province.path, unit__path__lt=province.path + PATH_END
        )
        .filter(ends_on__isnull=True)
        .select_related("member")
        .order_by("pk")
    )
    for officer in last:
        officer.ends_on = ended
    bulk_update_with_history(last, Officer, ["ends_on"], default_user=by)
    cells = list(
        Unit.objects.subtree(province.path)
        .active()
        .filter(kind__in=CELL_KINDS)
        .filter(Q(founded_on__lte=starts) | Q(founded_on__isnull=True))
        .order_by("pk")  # creation order, whatever the ids
    )
    bulk_create_with_history(
        [Term(unit=c, name=name, starts_on=starts, ends_on=ends) for c in cells],
        Term,
        default_user=by,
    )
    term_of = {t.unit_id: t for t in Term.objects.filter(unit__in=cells, name=name)}
    # Full members placed in each cell on the first day of the term and still there today.
    placed = defaultdict(set)
    for member_id, unit_id in (
        Placement.objects.on(starts)
        .filter(unit__in=cells, member__status=MemberStatus.FULL, member__official_on__lte=starts)
        .values_list("member_id", "unit_id")
    ):
        placed[unit_id].add(member_id)
    candidates = defaultdict(list)
    for member in (
        Member.objects.filter(unit__in=cells, status=MemberStatus.FULL, exempt_since=None)
        .order_by("admitted_on", "pk")
        .only("pk", "unit_id", "admitted_on")
    ):
        if member.pk in placed[member.unit_id]:
            candidates[member.unit_id].append(member)
    previous = {}
    for officer in last:
        if officer.role == OfficerRole.SECRETARY:
            previous[officer.member_id] = officer
    officers = []
    for cell in cells:
        eligible = candidates.get(cell.pk)
        if not eligible:
            continue
        again = next((m for m in eligible if m.pk in previous), None)
        member = again or eligible[0]
        officers.append(
            Officer(
                unit=cell,
                member=member,
                role=OfficerRole.SECRETARY,
                term=term_of[cell.pk],
                starts_on=starts,
                is_village_head=bool(again and previous[again.pk].is_village_head),
            )
        )
    bulk_create_with_history(officers, Officer, default_user=by)


def _cell_name(village: Village) -> str:
    return f"Chi bộ {village.name[:1].lower()}{village.name[1:]}"


def replay_reorganisations(district: Unit, users: dict) -> None:
    """What happened after the seed's date, through the same services staff use.

    2021: a combined cell of three villages split into independent cells (the practice of
    seed 003); 2022: a cell moved from a sub-committee up to its base committee; 1/7/2025: the
    district level abolished (QĐ 294-QĐ/TW), its units directly under the province, and the
    district's staff given the same roles at the province.
    """
    by = users["quantri"]
    three = (
        Village.objects.filter(commune__path__startswith=district.path, cell__isnull=False)
        .values("cell_id")
        .annotate(n=Count("id"))
        .filter(n=3)
        .order_by("cell_id")
        .first()
    )
    if three:
        combined = Unit.objects.get(pk=three["cell_id"])
        villages = sorted(Village.objects.filter(cell=combined), key=lambda v: v.name)
        reorg_split(
            cell=combined,
            parts=[(_cell_name(v), [v]) for v in villages[1:]],
            on=date(2021, 3, 15),
            decision_number="1208-QĐ/HU",
            note="Nghị quyết 04-NQ/TU: mỗi thôn, bản có chi bộ độc lập.",
            by=by,
            officers_follow=True,
        )
        reorg_rename(
            unit=combined,
            name=_cell_name(villages[0]),
            on=date(2021, 3, 15),
            decision_number="1208-QĐ/HU",
            note="Chi bộ còn lại sau khi chia tách.",
            by=by,
        )
    partial = Unit.objects.subtree(district.path).filter(kind=UnitKind.PARTIAL_COMMITTEE).first()
    if partial is not None:
        cell = partial.children.order_by("pk").first()
        reorg_move(
            unit=cell,
            new_parent=partial.parent,
            on=date(2022, 9, 1),
            decision_number="215-QĐ/ĐU",
            note="Chi bộ trực thuộc thẳng Đảng ủy cơ sở.",
            by=by,
        )
    reorg_reform_2025(
        district=district,
        on=date(2025, 7, 1),
        decision_number="2215-QĐ/TU",
        note="QĐ 294-QĐ/TW, QĐ 298-QĐ/TW (2025): kết thúc hoạt động cấp huyện.",
        by=by,
        move_assignments=True,
    )
