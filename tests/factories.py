"""Factories with the people and places of the North-West (Điện Biên, Lai Châu, Sơn La).

Units get their materialised path the way units.services.unit_create writes it (parent's path
plus the unit's own id), so every factory-made tree passes subtree_paths_consistent().
"""

from datetime import date
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from factory.django import DjangoModelFactory

from members.choices import Education, Ethnicity, MemberStatus, Occupation, Sex, TheoryLevel
from members.models import Candidate, Member, Placement, placements_for
from units.models import (
    CELL_KINDS,
    Assignment,
    Role,
    Unit,
    UnitCategory,
    UnitKind,
    UnitVersion,
    Village,
    VillageCoverage,
)
from units.services import BEGINNING, coverage_rows, version_of
from units.vietnamese import name_sort_key, strip_diacritics

# Thái (Lò, Quàng, Lường, Cầm, Điêu, Tòng), H'Mông (Giàng, Sùng, Vàng, Thào, Mùa, Lầu),
# Dao (Đặng, Bàn, Triệu) and a few Kinh names, as they appear on North-West member rolls.
PEOPLE = [
    ("Lò Văn Phương", Sex.MALE, Ethnicity.THAI),
    ("Quàng Thị Bình", Sex.FEMALE, Ethnicity.THAI),
    ("Giàng A Sử", Sex.MALE, Ethnicity.HMONG),
    ("Đặng Thị Hoa", Sex.FEMALE, Ethnicity.DAO),
    ("Lường Văn Thanh", Sex.MALE, Ethnicity.THAI),
    ("Sùng Thị Mỷ", Sex.FEMALE, Ethnicity.HMONG),
    ("Cầm Văn Hặc", Sex.MALE, Ethnicity.THAI),
    ("Vàng A Chứ", Sex.MALE, Ethnicity.HMONG),
    ("Bàn Thị Mai", Sex.FEMALE, Ethnicity.DAO),
    ("Điêu Chính Tới", Sex.MALE, Ethnicity.THAI),
    ("Thào Thị Dua", Sex.FEMALE, Ethnicity.HMONG),
    ("Tòng Văn Ún", Sex.MALE, Ethnicity.THAI),
    ("Mùa A Páo", Sex.MALE, Ethnicity.HMONG),
    ("Triệu Văn Kiên", Sex.MALE, Ethnicity.DAO),
    ("Lò Thị Ngọc", Sex.FEMALE, Ethnicity.THAI),
    ("Lầu Thị Sua", Sex.FEMALE, Ethnicity.HMONG),
    ("Giàng Seo Phử", Sex.MALE, Ethnicity.HMONG),
    ("Đặng Văn Tiến", Sex.MALE, Ethnicity.DAO),
    ("Quàng Văn Dũng", Sex.MALE, Ethnicity.THAI),
    ("Nguyễn Thị Ánh", Sex.FEMALE, Ethnicity.KINH),
]

PROVINCES = ["Điện Biên", "Lai Châu", "Sơn La", "Lào Cai", "Hà Giang", "Yên Bái"]
DISTRICTS = ["Mường Chà", "Tuần Giáo", "Mường Nhé", "Tủa Chùa", "Điện Biên Đông", "Nậm Pồ"]
COMMUNES = ["Mường Mươn", "Sa Lông", "Huổi Lèng", "Na Sang", "Quài Tở", "Mường Tùng", "Pa Ham"]
VILLAGES = [
    "Mển", "Huổi Mí", "Nậm Chua", "Phì Cao", "Hát Chua", "Sín Chải", "Huổi Lực", "Ma Thì Hồ",
    "Pa Kạn", "Na Phay", "Nậm Nèn", "Huổi Toóng", "Co Đứa", "Xá Nhè",
]  # fmt: skip


def _pick(names: list[str], n: int) -> str:
    """The n-th name of a list, numbered once the list has been used up (names stay distinct)."""
    name = names[n % len(names)]
    return name if n < len(names) else f"{name} {n // len(names) + 1}"


def _default_kind(parent: Unit | None) -> str:
    if parent is None:
        return UnitKind.PROVINCIAL
    return {
        UnitKind.PROVINCIAL: UnitKind.DISTRICT,
        UnitKind.DISTRICT: UnitKind.COMMUNE,
    }.get(parent.kind, UnitKind.SUB_CELL)


def _default_name(kind: str, n: int) -> str:
    if kind == UnitKind.PROVINCIAL:
        return f"Đảng bộ tỉnh {_pick(PROVINCES, n)}"
    if kind == UnitKind.DISTRICT:
        return f"Đảng bộ huyện {_pick(DISTRICTS, n)}"
    if kind == UnitKind.COMMUNE:
        return f"Đảng bộ xã {_pick(COMMUNES, n)}"
    if kind in CELL_KINDS:
        return f"Chi bộ bản {_pick(VILLAGES, n)}"
    return f"Đảng bộ cơ sở {_pick(COMMUNES, n)}"


def place_in_tree(unit: Unit) -> Unit:
    """Write the unit's path and depth as unit_create does: parent's path plus its own id."""
    parent = unit.parent
    unit.path = f"{parent.path if parent else ''}{unit.pk}."
    unit.depth = parent.depth + 1 if parent else 0
    Unit.objects.filter(pk=unit.pk).update(path=unit.path, depth=unit.depth)
    version_of(unit, unit.founded_on or BEGINNING).save()
    return unit


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    class Params:
        person = factory.Sequence(lambda n: PEOPLE[n % len(PEOPLE)][0])

    username = factory.Sequence(lambda n: f"canbo{n}")
    # Django splits names the Western way; a Vietnamese user puts family and middle names first.
    last_name = factory.LazyAttribute(lambda o: o.person.rsplit(" ", 1)[0])
    first_name = factory.LazyAttribute(lambda o: o.person.rsplit(" ", 1)[1])
    email = factory.LazyAttribute(lambda o: f"{o.username}@dienbien.dcs.vn")
    password = factory.django.Password("mat-khau-thu-nghiem")


class UnitFactory(DjangoModelFactory):
    """A unit placed in the tree; the kind follows the parent unless given."""

    class Meta:
        model = Unit

    parent = None
    kind = factory.LazyAttribute(lambda o: _default_kind(o.parent))
    category = factory.LazyAttribute(
        lambda o: UnitCategory.VILLAGE if o.kind in CELL_KINDS else UnitCategory.OTHER
    )
    name = factory.LazyAttributeSequence(lambda o, n: _default_name(o.kind, n))
    founded_on = date(1976, 3, 15)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return place_in_tree(super()._create(model_class, *args, **kwargs))


class ProvinceFactory(UnitFactory):
    kind = UnitKind.PROVINCIAL


class CommuneFactory(UnitFactory):
    """A commune committee directly under a province (the layout since 1/7/2025)."""

    parent = factory.SubFactory(ProvinceFactory)
    kind = UnitKind.COMMUNE


class CellFactory(UnitFactory):
    parent = factory.SubFactory(CommuneFactory)
    kind = UnitKind.SUB_CELL


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    commune = factory.SubFactory(CommuneFactory)
    name = factory.Sequence(lambda n: f"Bản {_pick(VILLAGES, n)}")
    cell = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Its coverage from the beginning, as units.services.village_create writes it.
        village = super()._create(model_class, *args, **kwargs)
        VillageCoverage.objects.bulk_create(coverage_rows([village], BEGINNING))
        return village


class MemberFactory(DjangoModelFactory):
    """A full member admitted at 25, full a year later (Điều lệ Đảng: 12 months' probation)."""

    class Meta:
        model = Member
        skip_postgeneration_save = True

    class Params:
        person = factory.Sequence(lambda n: PEOPLE[n % len(PEOPLE)])
        probationary = factory.Trait(status=MemberStatus.PROBATIONARY, official_on=None)
        deceased = factory.Trait(status=MemberStatus.DECEASED, left_on=date(2024, 5, 1))

    unit = factory.SubFactory(CellFactory)
    full_name = factory.LazyAttribute(lambda o: o.person[0])
    sex = factory.LazyAttribute(lambda o: o.person[1])
    ethnicity = factory.LazyAttribute(lambda o: o.person[2])
    # Born 1955-1980: of age for any admission date a test gives from 1999 on, whatever the
    # running number the factory has reached in this process.
    birth_date = factory.Sequence(lambda n: date(1955 + n % 26, 1 + n % 12, 1 + n % 28))
    hometown = "Mường Chà, Điện Biên"
    # Province code 011 (Điện Biên), then a running number: unique, 12 digits.
    citizen_id = factory.Sequence(lambda n: f"011{n:09d}")
    card_number = factory.Sequence(lambda n: f"{41_000_000 + n}")
    admitted_on = factory.LazyAttribute(lambda o: o.birth_date.replace(year=o.birth_date.year + 25))
    status = MemberStatus.FULL
    official_on = factory.LazyAttribute(
        lambda o: (
            o.admitted_on.replace(year=o.admitted_on.year + 1)
            if o.status != MemberStatus.PROBATIONARY
            else None
        )
    )
    education = Education.UPPER_SECONDARY
    theory_level = TheoryLevel.ELEMENTARY
    occupation = Occupation.FARMER

    @factory.post_generation
    def placement(obj, create, extracted, **kwargs):
        if create:
            Placement.objects.bulk_create(placements_for([obj]))


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(CellFactory)
    role = Role.SECRETARY


def persona(unit: Unit, role: str, name: str, username: str):
    """A user with one role over one unit."""
    user = UserFactory(username=username, person=name)
    AssignmentFactory(user=user, unit=unit, role=role)
    return user


def build_tree(*, communes: int = 2, cells_per_commune: int = 2) -> SimpleNamespace:
    """Province → district → communes → sub-cells, each unit saved one by one (small trees)."""
    province = UnitFactory(kind=UnitKind.PROVINCIAL)
    district = UnitFactory(parent=province, kind=UnitKind.DISTRICT)
    commune_units, cells = [], []
    for _ in range(communes):
        commune = UnitFactory(parent=district, kind=UnitKind.COMMUNE)
        commune_units.append(commune)
        cells += [UnitFactory(parent=commune) for _ in range(cells_per_commune)]
    return SimpleNamespace(
        province=province, district=district, communes=commune_units, cells=cells
    )


# Bulk builders: thousands of rows in a handful of queries. They skip Model.save(), so they
# write the derived columns (path, depth, search and sort keys) themselves, and leave no history.


def bulk_units(*, parent: Unit, kind: str, count: int, names: list[str] | None = None):
    """`count` units under `parent`, with correct paths, in three queries."""
    start = Unit.objects.count()
    units = []
    for i in range(count):
        name = names[i] if names else _default_name(kind, start + i)
        units.append(
            Unit(
                parent=parent,
                kind=kind,
                name=name,
                category=UnitCategory.VILLAGE if kind in CELL_KINDS else UnitCategory.OTHER,
                search_key=strip_diacritics(name),
            )
        )
    units = Unit.objects.bulk_create(units)
    for unit in units:
        unit.path = f"{parent.path}{unit.pk}."
        unit.depth = parent.depth + 1
    # One UPDATE for all (bulk_update's CASE over thousands of rows takes seconds).
    Unit.objects.filter(pk__in=[u.pk for u in units]).update(
        path=Concat(Value(parent.path), Cast("id", CharField()), Value(".")),
        depth=parent.depth + 1,
    )
    UnitVersion.objects.bulk_create(version_of(u, u.founded_on or BEGINNING) for u in units)
    return units


def bulk_members(*, cells: list[Unit], per_cell: int, **fields) -> list[Member]:
    """`per_cell` full members in each cell, built by MemberFactory and saved in bulk."""
    members = []
    for cell in cells:
        for member in MemberFactory.build_batch(per_cell, unit=cell, **fields):
            member.search_key = strip_diacritics(member.full_name)
            member.sort_key = name_sort_key(member.full_name)
            members.append(member)
    members = Member.objects.bulk_create(members, batch_size=500)
    Placement.objects.bulk_create(placements_for(members), batch_size=500)
    return members


def bulk_tree(
    *, parent: Unit, communes: int, cells_per_commune: int, members_per_cell: int = 0
) -> SimpleNamespace:
    """Communes under `parent`, each with sub-cells, one village per cell and members."""
    commune_units = bulk_units(parent=parent, kind=UnitKind.COMMUNE, count=communes)
    cells = []
    for commune in commune_units:
        cells += bulk_units(parent=commune, kind=UnitKind.SUB_CELL, count=cells_per_commune)
    villages = Village.objects.bulk_create(
        Village(commune=cell.parent, name=f"Bản {_pick(VILLAGES, i)}", cell=cell)
        for i, cell in enumerate(cells)
    )
    VillageCoverage.objects.bulk_create(coverage_rows(villages, BEGINNING), batch_size=500)
    members = bulk_members(cells=cells, per_cell=members_per_cell) if members_per_cell else []
    return SimpleNamespace(communes=commune_units, cells=cells, villages=villages, members=members)


def member_fields(**overrides) -> dict:
    """Valid keyword arguments for members.services.member_create, all but the unit."""
    member = MemberFactory.build(unit=None, **overrides)
    return {
        field.name: getattr(member, field.name)
        for field in Member._meta.concrete_fields
        if field.editable and field.name not in ("id", "unit")
    }


class CandidateFactory(DjangoModelFactory):
    """An outstanding non-member of 24 who attended the awareness class and applied in 2025."""

    class Meta:
        model = Candidate

    class Params:
        person = factory.Sequence(lambda n: PEOPLE[(n + 7) % len(PEOPLE)])

    unit = factory.SubFactory(CellFactory)
    full_name = factory.LazyAttribute(lambda o: o.person[0])
    sex = factory.LazyAttribute(lambda o: o.person[1])
    ethnicity = factory.LazyAttribute(lambda o: o.person[2])
    birth_date = factory.Sequence(lambda n: date(2001, 1 + n % 12, 1 + n % 28))
    hometown = "Mường Chà, Điện Biên"
    citizen_id = factory.Sequence(lambda n: f"011201{n:06d}")
    education = Education.UPPER_SECONDARY
    occupation = Occupation.FARMER
    awareness_class_on = date(2025, 3, 10)
    application_on = date(2025, 4, 2)
