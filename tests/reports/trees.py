"""Small trees where every figure of the statistics forms is known (used by the report tests).

The persona tree (conftest.py): district D with commune A (cells A1, A2) and commune B (cell
B1). In 2025: one admission in A1, a death in A2, a probationary member removed in A1, a
transfer in from another province to B1, a transfer out to another district from A2, and two
moves between cells (A1 → A2 inside commune A, A1 → B1 across communes).
`build_year_2025_with_move` adds a reorganisation: commune B passes to district D2 on
01/09/2025, with a death in B1 before the move, and a removal and an admission after it.
`build_split` gives commune A four villages, three of them under a combined cell that is split
on 15/03/2024, and a white village until its first member is admitted on 01/06/2024.
"""

from datetime import date
from types import SimpleNamespace

from members.choices import EventKind, MemberStatus, Occupation, Sex, TransferScope
from members.models import Member, MembershipEvent, Placement
from reports.statistics import Period
from tests.factories import MemberFactory, UnitFactory, VillageFactory
from units.models import Unit, UnitKind
from units.reorganisation import SplitPart, reorg_move, reorg_split

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))
LONG_AGO = date(2000, 5, 19)
BORN = date(1970, 6, 1)  # members admitted long ago: 55 at the end of 2025


def event(member, kind, on, unit=None, **fields):
    return MembershipEvent.objects.create(
        member=member, kind=kind, on=on, unit=unit or member.unit, **fields
    )


def move(member, to, on):
    """A transfer between two cells: the old placement ends, the new one begins."""
    from_unit = member.unit
    Placement.objects.filter(member=member, valid_to__isnull=True).update(valid_to=on)
    Placement.objects.create(member=member, unit=to, valid_from=on)
    Member.objects.filter(pk=member.pk).update(unit=to)
    event(member, EventKind.TRANSFER_INTERNAL, on, unit=to, from_unit=from_unit, to_unit=to)


def leave(member, kind, status, on, **fields):
    Member.objects.filter(pk=member.pk).update(status=status, left_on=on)
    Placement.objects.filter(member=member, valid_to__isnull=True).update(valid_to=on)
    event(member, kind, on, **fields)


def build_year_2025(tree):
    """The 2025 events of the persona tree (see the module docstring)."""
    stay_a1 = MemberFactory.create_batch(
        3, unit=tree.cell_a1, admitted_on=LONG_AGO, birth_date=BORN
    )
    stay_a2 = MemberFactory.create_batch(
        2, unit=tree.cell_a2, admitted_on=LONG_AGO, birth_date=BORN
    )
    MemberFactory(unit=tree.cell_b1, admitted_on=LONG_AGO, birth_date=BORN)
    new = MemberFactory(
        unit=tree.cell_a1,
        probationary=True,
        sex=Sex.FEMALE,
        birth_date=date(2001, 2, 3),
        admitted_on=date(2025, 3, 10),
        occupation=Occupation.FARMER,
    )
    event(new, EventKind.ADMITTED, date(2025, 3, 10))
    died = MemberFactory(unit=tree.cell_a2, admitted_on=LONG_AGO, birth_date=BORN)
    leave(died, EventKind.DIED, MemberStatus.DECEASED, date(2025, 6, 5))
    removed = MemberFactory(unit=tree.cell_a1, probationary=True, admitted_on=date(2024, 9, 1))
    leave(removed, EventKind.REMOVED, MemberStatus.REMOVED, date(2025, 8, 1))
    arrived = MemberFactory(unit=tree.cell_b1, admitted_on=LONG_AGO, birth_date=BORN)
    Placement.objects.filter(member=arrived).update(valid_from=date(2025, 4, 1))
    event(arrived, EventKind.TRANSFER_IN, date(2025, 4, 1), scope=TransferScope.OTHER_PROVINCE)
    gone = MemberFactory(unit=tree.cell_a2, admitted_on=LONG_AGO, birth_date=BORN)
    leave(
        gone,
        EventKind.TRANSFER_OUT,
        MemberStatus.TRANSFERRED_OUT,
        date(2025, 10, 1),
        scope=TransferScope.OTHER_DISTRICT,
    )
    to_a2, to_b1 = MemberFactory.create_batch(
        2, unit=tree.cell_a1, admitted_on=LONG_AGO, birth_date=BORN
    )
    move(to_a2, tree.cell_a2, date(2025, 5, 1))
    move(to_b1, tree.cell_b1, date(2025, 7, 1))
    return SimpleNamespace(tree=tree, new=new, stay_a1=stay_a1, stay_a2=stay_a2)


def build_handover(superuser_admin):
    """District X (communes C and E) and city Y; on 15/12/2019 a member moves from E's cell to
    C's; on 31/12/2019 commune C passes to the city with its cell."""
    province = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Điện Biên")
    district = UnitFactory(parent=province, name="Đảng bộ huyện Điện Biên")
    city = UnitFactory(
        parent=province, kind=UnitKind.DISTRICT, name="Đảng bộ thành phố Điện Biên Phủ"
    )
    commune_c = UnitFactory(parent=district, kind=UnitKind.COMMUNE, name="Đảng bộ xã Thanh Minh")
    commune_e = UnitFactory(parent=district, kind=UnitKind.COMMUNE, name="Đảng bộ xã Thanh Nưa")
    cell_c = UnitFactory(parent=commune_c, name="Chi bộ bản Púng Tôm")
    cell_e = UnitFactory(parent=commune_e, name="Chi bộ bản Co Mỵ")
    MemberFactory.create_batch(3, unit=cell_c, admitted_on=LONG_AGO, birth_date=BORN)
    staying, mover = MemberFactory.create_batch(
        2, unit=cell_e, admitted_on=LONG_AGO, birth_date=BORN
    )
    move(mover, cell_c, date(2019, 12, 15))
    reorg_move(
        unit=commune_c,
        new_parent=city,
        on=date(2019, 12, 31),
        decision_number="1208-QĐ/TU",
        by=superuser_admin,
    )
    return SimpleNamespace(user=superuser_admin, district=district, city=city, commune_c=commune_c)


MOVE_2025 = date(2025, 9, 1)


def build_year_2025_with_move(tree, by):
    """The 2025 events (build_year_2025), then commune B moves from D to D2 on 01/09/2025;
    in B1 a member dies on 15/08, another is removed on 15/10 and one is admitted on 01/11.
    B1 ends the year with 4 members; D2, empty before, counts 4 moved in, 1 admitted and 1
    removed."""
    year = build_year_2025(tree)
    dies, removed = MemberFactory.create_batch(
        2, unit=tree.cell_b1, admitted_on=LONG_AGO, birth_date=BORN
    )
    leave(dies, EventKind.DIED, MemberStatus.DECEASED, date(2025, 8, 15))
    tree.d2 = UnitFactory(
        parent=tree.province, kind=UnitKind.DISTRICT, name="Đảng bộ thành phố Điện Biên Phủ"
    )
    reorg_move(
        unit=Unit.objects.get(pk=tree.commune_b.pk),
        new_parent=tree.d2,
        on=MOVE_2025,
        decision_number="1475-QĐ/TU",
        by=by,
    )
    leave(removed, EventKind.REMOVED, MemberStatus.REMOVED, date(2025, 10, 15))
    new = MemberFactory(
        unit=tree.cell_b1, probationary=True, admitted_on=date(2025, 11, 1), birth_date=BORN
    )
    event(new, EventKind.ADMITTED, date(2025, 11, 1))
    return year


SPLIT_2024 = date(2024, 3, 15)
FIRST_IN_HUOI_MI = date(2024, 6, 1)


def build_split(tree, by):
    """Commune A: Bản Mển, Nậm Chim and Co Đứa under A1 (a combined cell), Huổi Mí under A2 (its
    own cell), one member of A1 living in each of the three; commune B: Nậm Chua under B1. On
    15/03/2024 A1 is split: Nậm Chim and Co Đứa get their own cells, A1 keeps Bản Mển. Huổi Mí
    has nobody on the rolls living there until its first member is admitted on 01/06/2024.

    Commune A: 4 villages; 1 with its own cell (25%) and 1 combined cell until 14/03/2024, 4
    (100%) and none from 15/03/2024; 1 white village until 31/05/2024, none from 01/06/2024."""
    a1_villages = [
        VillageFactory(commune=tree.commune_a, name=name, cell=tree.cell_a1)
        for name in ("Bản Mển", "Bản Nậm Chim", "Bản Co Đứa")
    ]
    huoi_mi = VillageFactory(commune=tree.commune_a, name="Bản Huổi Mí", cell=tree.cell_a2)
    nam_chua = VillageFactory(commune=tree.commune_b, name="Bản Nậm Chua", cell=tree.cell_b1)
    for village in a1_villages:
        MemberFactory(
            unit=tree.cell_a1, residence_village=village, admitted_on=LONG_AGO, birth_date=BORN
        )
    MemberFactory(unit=tree.cell_b1, residence_village=nam_chua, admitted_on=LONG_AGO)
    reorg_split(
        cell=Unit.objects.get(pk=tree.cell_a1.pk),
        parts=[
            SplitPart("Chi bộ bản Nậm Chim", [a1_villages[1]]),
            SplitPart("Chi bộ bản Co Đứa", [a1_villages[2]]),
        ],
        on=SPLIT_2024,
        decision_number="215-QĐ/HU",
        by=by,
    )
    MemberFactory(
        unit=tree.cell_a2,
        residence_village=huoi_mi,
        probationary=True,
        admitted_on=FIRST_IN_HUOI_MI,
        birth_date=date(1999, 4, 2),
    )
    return SimpleNamespace(tree=tree, huoi_mi=huoi_mi)
