"""Reorganisations of the tree: each one dated, recorded, scoped, and all or nothing.

On the shared tree (conftest), commune A has three villages all covered by cell A1 (a combined
cell) and a school-like cell A2 with 12 members and no village; commune B has one village
covered by B1, a secretary of the commune committee and a staff member of its own:

Đảng bộ xã Mường Mươn (A)   Bản Mển, Bản Phì Cao, Bản Hát Chua → A1
  Chi bộ bản Mển (A1)        4 members: 2 live in Bản Mển, 1 in Bản Phì Cao, 1 in Bản Hát Chua
  Chi bộ bản Huổi Mí (A2)    12 members, no village
Đảng bộ xã Sa Lông (B)      Bản Nậm Chua → B1; officer: secretary; staff: son.lv
  Chi bộ bản Nậm Chua (B1)   3 members living in Bản Nậm Chua
Đảng bộ thành phố Điện Biên Phủ: a second district under the province, empty
"""

from datetime import date, timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from members.models import Member, Placement
from members.services import member_transfer
from tests.factories import (
    CandidateFactory,
    MemberFactory,
    UnitFactory,
    VillageFactory,
    bulk_members,
    bulk_tree,
    persona,
)
from units.access import scope_for
from units.models import (
    Assignment,
    Officer,
    OfficerRole,
    ReorgEvent,
    ReorgKind,
    ReorgRole,
    Role,
    Unit,
    UnitKind,
    UnitVersion,
    Village,
)
from units.reorganisation import (
    SplitPart,
    preview,
    reorg_dissolve,
    reorg_found,
    reorg_merge,
    reorg_move,
    reorg_reform_2025,
    reorg_rename,
    reorg_split,
)
from units.selectors import unit_node
from units.services import subtree_paths_consistent, unit_update, village_update

ON = date(2024, 3, 1)
LATER = date(2024, 6, 1)
DECISION = "1208-QĐ/TU"
WHEN = {"on": ON, "decision_number": DECISION}

PROVINCE = "Đảng bộ tỉnh Điện Biên"
DISTRICT = "Đảng bộ huyện Mường Chà"
COMMUNE_A = "Đảng bộ xã Mường Mươn"
COMMUNE_B = "Đảng bộ xã Sa Lông"
CELL_A1 = "Chi bộ bản Mển"
CELL_A2 = "Chi bộ bản Huổi Mí"
CELL_B1 = "Chi bộ bản Nậm Chua"


@pytest.fixture
def w(tree):
    a, b = tree.commune_a, tree.commune_b
    men = VillageFactory(commune=a, name="Bản Mển", cell=tree.cell_a1)
    phi_cao = VillageFactory(commune=a, name="Bản Phì Cao", cell=tree.cell_a1)
    hat_chua = VillageFactory(commune=a, name="Bản Hát Chua", cell=tree.cell_a1)
    nam_chua = VillageFactory(commune=b, name="Bản Nậm Chua", cell=tree.cell_b1)
    MemberFactory.create_batch(2, unit=tree.cell_a1, residence_village=men)
    MemberFactory(unit=tree.cell_a1, residence_village=phi_cao)
    MemberFactory(unit=tree.cell_a1, residence_village=hat_chua)
    bulk_members(cells=[tree.cell_a2], per_cell=12)
    b_members = MemberFactory.create_batch(3, unit=tree.cell_b1, residence_village=nam_chua)
    officer = Officer.objects.create(
        unit=b, member=b_members[0], role=OfficerRole.SECRETARY, starts_on=date(2020, 10, 1)
    )
    staff_b = persona(b, Role.STAFF, "Lò Văn Sơn", "son.lv")
    city = UnitFactory(
        parent=tree.province, kind=UnitKind.DISTRICT, name="Đảng bộ thành phố Điện Biên Phủ"
    )
    return SimpleNamespace(
        **vars(tree),
        men=men,
        phi_cao=phi_cao,
        hat_chua=hat_chua,
        nam_chua=nam_chua,
        officer=officer,
        staff_b=staff_b,
        city=city,
    )


@pytest.fixture
def admin(superuser_admin):
    return superuser_admin


@pytest.fixture
def english():
    """Messages are compared with their English source, translated as they are raised."""
    with translation.override("en"):
        yield


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def members_under(unit: Unit, user, as_of=None) -> int:
    return unit_node(user=user, unit=fresh(unit), as_of=as_of).figures.members


def snapshot():
    """Everything a reorganisation may touch, as plain values."""
    return (
        list(
            Unit.objects.order_by("pk").values_list(
                "pk", "parent_id", "path", "depth", "name", "dissolved_on"
            )
        ),
        list(Member.objects.order_by("pk").values_list("pk", "unit_id")),
        list(Village.objects.order_by("pk").values_list("pk", "commune_id", "cell_id")),
        list(
            UnitVersion.objects.order_by("pk").values_list(
                "pk", "unit_id", "parent_id", "path", "name", "valid_from", "valid_to"
            )
        ),
        list(
            Placement.objects.order_by("pk").values_list("pk", "unit_id", "valid_from", "valid_to")
        ),
        list(Officer.objects.order_by("pk").values_list("pk", "unit_id", "ends_on")),
        list(Assignment.objects.order_by("pk").values_list("pk", "unit_id")),
        ReorgEvent.objects.count(),
        Unit.history.count(),
    )


# Each operation on the fixture: how to run it, the parts its event names, the unit whose
# history shows the change.


def found(w, by, **when):
    return reorg_found(
        parent=w.commune_a, kind=UnitKind.SUB_CELL, name="Chi bộ bản Huổi Lực", by=by, **when
    )


def rename(w, by, **when):
    return reorg_rename(unit=w.cell_a1, name="Chi bộ bản Mển - Phì Cao", by=by, **when)


def move(w, by, **when):
    return reorg_move(unit=w.cell_a1, new_parent=w.commune_b, by=by, **when)


def merge(w, by, **when):
    return reorg_merge(absorbed=[w.commune_b], into=w.commune_a, by=by, **when)


def merge_cells(w, by, **when):
    return reorg_merge(absorbed=[w.cell_a2], into=w.cell_a1, by=by, **when)


def split(w, by, **when):
    parts = [("Chi bộ bản Phì Cao", [w.phi_cao]), ("Chi bộ bản Hát Chua", [w.hat_chua])]
    return reorg_split(cell=w.cell_a1, parts=parts, by=by, **when)


def dissolve(w, by, **when):
    return reorg_dissolve(unit=w.cell_a2, members_to=w.cell_a1, by=by, **when)


def reform(w, by, **when):
    return reorg_reform_2025(district=w.district, by=by, **when)


OPERATIONS = {
    "found": (
        found,
        ReorgKind.FOUND,
        {("Chi bộ bản Huổi Lực", ReorgRole.RESULT), (COMMUNE_A, ReorgRole.TO_PARENT)},
        "Chi bộ bản Huổi Lực",
    ),
    "rename": (
        rename,
        ReorgKind.RENAME,
        {("Chi bộ bản Mển - Phì Cao", ReorgRole.SUBJECT)},
        "Chi bộ bản Mển - Phì Cao",
    ),
    "move": (
        move,
        ReorgKind.MOVE,
        {
            (CELL_A1, ReorgRole.SUBJECT),
            (COMMUNE_A, ReorgRole.FROM_PARENT),
            (COMMUNE_B, ReorgRole.TO_PARENT),
        },
        CELL_A1,
    ),
    "merge": (
        merge,
        ReorgKind.MERGE,
        {(COMMUNE_B, ReorgRole.ABSORBED), (COMMUNE_A, ReorgRole.RESULT)},
        COMMUNE_B,
    ),
    "split": (
        split,
        ReorgKind.SPLIT,
        {
            (CELL_A1, ReorgRole.SUBJECT),
            ("Chi bộ bản Phì Cao", ReorgRole.RESULT),
            ("Chi bộ bản Hát Chua", ReorgRole.RESULT),
        },
        "Chi bộ bản Phì Cao",
    ),
    "dissolve": (
        dissolve,
        ReorgKind.DISSOLVE,
        {(CELL_A2, ReorgRole.SUBJECT), (CELL_A1, ReorgRole.RESULT)},
        CELL_A2,
    ),
    "reform": (
        reform,
        ReorgKind.REFORM_2025,
        {
            (DISTRICT, ReorgRole.SUBJECT),
            (PROVINCE, ReorgRole.TO_PARENT),
            (COMMUNE_A, ReorgRole.RESULT),
            (COMMUNE_B, ReorgRole.RESULT),
        },
        DISTRICT,
    ),
}


def operation(name):
    return OPERATIONS[name][0]


# Every operation: one event, its parts, its history


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_reorganisation_records_one_event_with_its_decision_and_date(name, w, admin):
    run, kind, _parts, _subject = OPERATIONS[name]
    run(w, admin, **WHEN)
    events = ReorgEvent.objects.values_list("kind", "decision_number", "effective_on")
    assert list(events) == [(kind, DECISION, ON)]


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_reorganisation_event_names_the_units_it_touched(name, w, admin):
    run, _kind, parts, _subject = OPERATIONS[name]
    event = run(w, admin, **WHEN)
    assert set(event.parts.values_list("unit__name", "role")) == parts


@pytest.mark.parametrize("name", OPERATIONS)
def test_each_reorganisation_leaves_history_by_its_author(name, w, admin):
    run, _kind, _parts, subject = OPERATIONS[name]
    event = run(w, admin, **WHEN)
    assert Unit.objects.get(name=subject).history.first().history_user == admin
    assert event.history.get().history_user == admin


# Every operation is one transaction


@pytest.mark.parametrize("name", [*OPERATIONS, "merge_cells"])
def test_reorganisation_failing_at_its_last_step_leaves_everything_as_before(name, w, admin):
    run = merge_cells if name == "merge_cells" else operation(name)
    before = snapshot()
    with (
        mock.patch("units.reorganisation._record", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        run(w, admin, **WHEN)
    assert snapshot() == before


def test_reform_with_merges_failing_at_its_last_step_leaves_everything_as_before(w, admin):
    before = snapshot()
    with (
        mock.patch("units.reorganisation._record", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        reform(w, admin, merges=[([w.commune_b], w.commune_a)], **WHEN)
    assert snapshot() == before


# Move


def test_moving_a_cell_raises_the_new_communes_members_and_lowers_the_old(w, admin):
    before = (members_under(w.commune_a, admin), members_under(w.commune_b, admin))
    move(w, admin, **WHEN)
    after = (members_under(w.commune_a, admin), members_under(w.commune_b, admin))
    assert before == (16, 3)
    assert after == (12, 7)


def test_moved_cell_keeps_its_members(w, admin):
    move(w, admin, **WHEN)
    assert Member.objects.filter(unit=w.cell_a1).count() == 4


def test_both_communes_list_the_move_with_its_decision_number(w, admin):
    move(w, admin, **WHEN)
    listed = [
        list(ReorgEvent.objects.filter(units=c).values_list("decision_number", flat=True))
        for c in (w.commune_a, w.commune_b)
    ]
    assert listed == [[DECISION], [DECISION]]


def test_moved_cell_sits_under_its_new_commune_with_a_consistent_path(w, admin):
    move(w, admin, **WHEN)
    assert fresh(w.cell_a1).path == f"{w.commune_b.path}{w.cell_a1.pk}."
    assert subtree_paths_consistent()


def test_as_of_the_day_before_a_move_the_cell_still_counts_in_the_old_commune(w, admin):
    move(w, admin, **WHEN)
    assert members_under(w.commune_a, admin, as_of=ON - timedelta(days=1)) == 16


def test_villages_covered_by_a_moved_cell_follow_it_to_the_new_commune(w, admin):
    move(w, admin, **WHEN)
    communes = set(Village.objects.filter(cell=w.cell_a1).values_list("commune_id", flat=True))
    assert communes == {w.commune_b.pk}


# Split


def test_splitting_a_combined_cell_of_three_villages_gives_each_its_own_cell(w, admin):
    before = unit_node(user=admin, unit=w.commune_a).figures.villages_own_cell
    split(w, admin, **WHEN)
    after = unit_node(user=admin, unit=w.commune_a).figures
    assert before == 0
    assert (after.villages_own_cell, after.own_cell_ratio) == (3, 100)


def test_split_moves_the_residents_of_each_village_to_its_new_cell(w, admin):
    split(w, admin, **WHEN)
    cells = dict(
        Member.objects.filter(residence_village__isnull=False).values_list(
            "residence_village__name", "unit__name"
        )
    )
    assert cells["Bản Phì Cao"] == "Chi bộ bản Phì Cao"
    assert cells["Bản Hát Chua"] == "Chi bộ bản Hát Chua"


def test_split_cell_keeps_its_remaining_village_and_its_residents(w, admin):
    split(w, admin, **WHEN)
    assert list(Village.objects.filter(cell=w.cell_a1).values_list("name", flat=True)) == [
        "Bản Mển"
    ]
    assert Member.objects.filter(unit=w.cell_a1).count() == 2


def test_split_can_rename_the_cell_for_the_village_it_keeps(w, admin):
    old_name = w.cell_a1.name
    parts = [("Chi bộ bản Phì Cao", [w.phi_cao]), ("Chi bộ bản Hát Chua", [w.hat_chua])]
    reorg_split(cell=w.cell_a1, parts=parts, kept_name="Chi bộ thôn Mển", by=admin, **WHEN)

    w.cell_a1.refresh_from_db()
    assert w.cell_a1.name == "Chi bộ thôn Mển"
    assert unit_node(user=admin, unit=w.cell_a1, as_of=ON - timedelta(days=1)).unit.name == (
        old_name
    )


# Merge


def test_merging_cells_moves_the_members_into_the_kept_cell(w, admin):
    merge_cells(w, admin, **WHEN)
    assert Member.objects.filter(unit=w.cell_a1).count() == 16


def test_merged_cell_members_count_in_the_absorbed_cell_the_day_before(w, admin):
    merge_cells(w, admin, **WHEN)
    assert members_under(w.cell_a2, admin, as_of=ON - timedelta(days=1)) == 12


def test_merging_communes_passes_the_villages_to_the_kept_commune(w, admin):
    merge(w, admin, **WHEN)
    assert Village.objects.get(pk=w.nam_chua.pk).commune_id == w.commune_a.pk


def test_merging_communes_moves_the_sub_units_with_consistent_paths(w, admin):
    merge(w, admin, **WHEN)
    assert fresh(w.cell_b1).parent_id == w.commune_a.pk
    assert subtree_paths_consistent()


def test_merging_communes_brings_their_members_under_the_kept_commune(w, admin):
    merge(w, admin, **WHEN)
    assert members_under(w.commune_a, admin) == 19


def test_merging_communes_passes_officers_and_roles_to_the_kept_commune(w, admin):
    merge(w, admin, **WHEN)
    assert Officer.objects.get(pk=w.officer.pk).unit_id == w.commune_a.pk
    assert Assignment.objects.get(user=w.staff_b).unit_id == w.commune_a.pk


def test_absorbed_unit_ends_on_the_effective_date(w, admin):
    merge(w, admin, **WHEN)
    assert fresh(w.commune_b).dissolved_on == ON


def test_merging_communes_with_a_village_name_in_common_is_refused_naming_it(w, admin, english):
    VillageFactory(commune=w.commune_a, name="Bản Mới")
    VillageFactory(commune=w.commune_b, name="Bản Mới")
    with pytest.raises(ValidationError, match="already has villages named Bản Mới"):
        merge(w, admin, **WHEN)


def test_refused_merger_of_communes_with_a_village_name_in_common_changes_nothing(w, admin):
    VillageFactory(commune=w.commune_a, name="Bản Mới")
    VillageFactory(commune=w.commune_b, name="Bản Mới")
    before = snapshot()
    with pytest.raises(ValidationError):
        merge(w, admin, **WHEN)
    assert snapshot() == before


# Dissolve


def test_dissolving_a_cell_with_members_is_refused_naming_them(w, admin, english):
    with pytest.raises(ValidationError) as refused:
        reorg_dissolve(unit=w.cell_a2, by=admin, **WHEN)
    assert "12 members" in refused.value.messages[0]


def test_dissolving_a_cell_with_members_is_refused_in_vietnamese(w, admin):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        reorg_dissolve(unit=w.cell_a2, by=admin, **WHEN)
    assert "12 đảng viên" in refused.value.messages[0]


def test_refused_dissolution_changes_nothing(w, admin):
    before = snapshot()
    with pytest.raises(ValidationError):
        reorg_dissolve(unit=w.cell_a2, by=admin, **WHEN)
    assert fresh(w.cell_a2).dissolved_on is None
    assert snapshot() == before


def test_dissolving_a_commune_with_a_cell_and_a_village_is_refused_naming_them(w, admin, english):
    with pytest.raises(ValidationError) as refused:
        reorg_dissolve(unit=w.commune_b, by=admin, **WHEN)
    assert "1 unit, 1 village" in refused.value.messages[0]


def test_dissolving_a_cell_with_members_moved_elsewhere_is_done(w, admin):
    reorg_dissolve(unit=w.cell_a2, members_to=w.cell_a1, by=admin, **WHEN)
    assert fresh(w.cell_a2).dissolved_on == ON
    assert Member.objects.filter(unit=w.cell_a1).count() == 16


def test_admission_candidates_follow_their_cell_into_the_merger(w, admin):
    candidate = CandidateFactory(unit=w.cell_a2)
    merge_cells(w, admin, **WHEN)
    candidate.refresh_from_db()
    assert candidate.unit_id == w.cell_a1.pk


def test_dissolving_a_cell_with_an_admission_candidate_is_refused_naming_it(w, admin, english):
    CandidateFactory(unit=w.cell_a2)
    w.cell_a2.members.update(status="deceased", left_on=ON)
    with pytest.raises(ValidationError, match="1 admission candidate"):
        reorg_dissolve(unit=w.cell_a2, by=admin, **WHEN)


def test_admission_candidates_move_with_the_members_of_a_dissolved_cell(w, admin):
    candidate = CandidateFactory(unit=w.cell_a2)
    reorg_dissolve(unit=w.cell_a2, members_to=w.cell_a1, by=admin, **WHEN)
    candidate.refresh_from_db()
    assert candidate.unit_id == w.cell_a1.pk


def test_dissolving_a_commune_with_its_units_moved_elsewhere_is_done(w, admin):
    reorg_dissolve(unit=w.commune_b, units_to=w.commune_a, by=admin, **WHEN)
    assert fresh(w.commune_b).dissolved_on == ON
    assert fresh(w.cell_b1).parent_id == w.commune_a.pk
    assert Village.objects.get(pk=w.nam_chua.pk).commune_id == w.commune_a.pk


# The 2025 reform


def test_reform_abolishes_the_district(w, admin):
    reform(w, admin, **WHEN)
    assert fresh(w.district).dissolved_on == ON


def test_reform_puts_the_communes_directly_under_the_province(w, admin):
    reform(w, admin, **WHEN)
    a = fresh(w.commune_a)
    assert (a.parent_id, a.path) == (w.province.pk, f"{w.province.path}{a.pk}.")
    assert subtree_paths_consistent()


def test_as_of_the_day_before_the_reform_the_communes_are_under_the_district(w, admin):
    reform(w, admin, **WHEN)
    node = unit_node(user=admin, unit=fresh(w.district), as_of=ON - timedelta(days=1))
    assert node.figures.grassroots == 2


def test_reform_can_merge_communes_on_the_same_day(w, admin):
    reform(w, admin, merges=[([w.commune_b], w.commune_a)], **WHEN)
    assert fresh(w.commune_b).dissolved_on == ON
    assert fresh(w.cell_b1).parent_id == w.commune_a.pk
    assert subtree_paths_consistent()


def test_reform_keeps_paths_consistent_when_the_district_has_a_dissolved_commune(w, admin):
    gone = UnitFactory(parent=w.district, kind=UnitKind.COMMUNE, name="Đảng bộ xã Pa Ham")
    reorg_dissolve(unit=gone, by=admin, on=date(2020, 1, 1), decision_number="15-QĐ/HU")
    reform(w, admin, **WHEN)
    assert subtree_paths_consistent()


# Preview


def test_preview_returns_the_event_with_what_will_change(w, admin, english):
    event = preview(move, w=w, by=admin, **WHEN)
    assert event.kind == ReorgKind.MOVE
    assert "4 members go with it." in event.details


def counts():
    return [m.objects.count() for m in (ReorgEvent, Unit, UnitVersion, Placement)]


@pytest.mark.parametrize("name", OPERATIONS)
def test_preview_writes_nothing(name, w, admin):
    before = counts()
    preview(operation(name), w=w, by=admin, **WHEN)
    assert counts() == before


def test_preview_of_a_split_leaves_the_villages_with_the_combined_cell(w, admin):
    preview(split, w=w, by=admin, **WHEN)
    assert Village.objects.filter(cell=w.cell_a1).count() == 3


# Scope


def test_commune_staff_cannot_move_a_cell_of_their_commune_into_another(w, commune_staff_a):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        reorg_move(unit=w.cell_a1, new_parent=w.commune_b, by=commune_staff_a, **WHEN)
    assert snapshot() == before


def test_commune_staff_cannot_move_a_cell_of_another_commune_into_theirs(w, commune_staff_a):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        reorg_move(unit=w.cell_b1, new_parent=w.commune_a, by=commune_staff_a, **WHEN)
    assert snapshot() == before


def test_commune_staff_cannot_merge_a_cell_of_another_commune(w, commune_staff_a):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        reorg_merge(absorbed=[w.cell_b1], into=w.cell_a1, by=commune_staff_a, **WHEN)
    assert snapshot() == before


def test_commune_staff_cannot_dissolve_a_cell_of_another_commune(w, commune_staff_a):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        reorg_dissolve(unit=w.cell_b1, members_to=w.cell_a1, by=commune_staff_a, **WHEN)
    assert snapshot() == before


def test_commune_staff_can_split_a_cell_of_their_commune(w, commune_staff_a):
    split(w, commune_staff_a, **WHEN)
    assert Village.objects.filter(cell=w.cell_a1).count() == 1


@pytest.mark.parametrize("name", [n for n in OPERATIONS if n != "reform"] + ["merge_cells"])
def test_secretary_cannot_reorganise(name, w, secretary_a):
    run = merge_cells if name == "merge_cells" else operation(name)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        run(w, secretary_a, **WHEN)
    assert snapshot() == before


def test_viewer_cannot_reorganise(w, viewer):
    with pytest.raises(PermissionDenied):
        move(w, viewer, **WHEN)


def test_district_admin_cannot_carry_out_the_reform_of_the_province(w, district_admin):
    with pytest.raises(PermissionDenied):
        reform(w, district_admin, **WHEN)


# Dating


def refresh(w):
    for unit in vars(w).values():
        if isinstance(unit, Unit):
            unit.refresh_from_db()


DATED = [n for n in OPERATIONS if n != "reform"]


@pytest.mark.parametrize(
    "name",
    [n for n in DATED],
)
def test_change_dated_before_a_later_recorded_change_is_refused(name, w, admin):
    reform(w, admin, on=LATER, decision_number="01-QĐ/TU")
    refresh(w)
    with pytest.raises(ValidationError):
        operation(name)(w, admin, **WHEN)


def test_reform_dated_before_a_later_change_in_the_district_is_refused(w, admin):
    move(w, admin, on=LATER, decision_number="01-QĐ/HU")
    refresh(w)
    with pytest.raises(ValidationError):
        reform(w, admin, **WHEN)


def test_refused_out_of_order_change_changes_nothing(w, admin):
    move(w, admin, on=LATER, decision_number="01-QĐ/HU")
    refresh(w)
    before = snapshot()
    with pytest.raises(ValidationError):
        rename(w, admin, **WHEN)
    assert snapshot() == before


# Cost


def queries_to_move(unit: Unit, new_parent: Unit, by) -> int:
    with CaptureQueriesContext(connection) as ctx:
        reorg_move(unit=unit, new_parent=new_parent, by=by, **WHEN)
    return len(ctx.captured_queries)


# Pinned from measurement: savepoints, locks, the counts of the preview, the date checks, the
# subtree's paths and versions in one UPDATE and one INSERT each, the event and its parts: no
# query per descendant.
MOVE_QUERIES = 37  # with the tree locked first (units.services.lock_tree)


def test_moving_a_commune_of_3000_cells_takes_a_fixed_number_of_queries(w, admin):
    big = bulk_tree(parent=w.district, communes=1, cells_per_commune=3000)
    scope_for(admin)  # the scope is read once per user, before the move
    assert queries_to_move(big.communes[0], w.city, admin) == MOVE_QUERIES
    assert Unit.objects.subtree(fresh(w.city).path).count() == 3002


def test_moving_a_commune_of_5_cells_takes_the_same_queries(w, admin):
    small = bulk_tree(parent=w.district, communes=1, cells_per_commune=5, members_per_cell=1)
    scope_for(admin)
    assert queries_to_move(small.communes[0], w.city, admin) == MOVE_QUERIES


# Dissolution and moves only through reorganisations


def test_editing_a_unit_cannot_set_its_dissolution_date(w, admin):
    with pytest.raises(ValidationError):
        unit_update(unit=w.cell_a2, by=admin, dissolved_on=ON)
    assert fresh(w.cell_a2).dissolved_on is None


def test_editing_a_unit_cannot_change_its_parent(w, admin):
    with pytest.raises(ValidationError):
        unit_update(unit=w.cell_a2, by=admin, parent=w.commune_b)
    assert fresh(w.cell_a2).parent_id == w.commune_a.pk


def test_a_dissolved_commune_has_no_figures_today_and_its_old_ones_as_of_before(w, admin):
    reorg_dissolve(unit=w.commune_b, units_to=w.commune_a, by=admin, **WHEN)
    gone = fresh(w.commune_b)
    assert unit_node(user=admin, unit=gone) is None
    assert unit_node(user=admin, unit=gone, as_of=ON - timedelta(days=1)).figures.members == 3


@pytest.mark.parametrize("name", [n for n in OPERATIONS])
def test_reorganisation_dated_in_the_future_is_refused(name, w, admin):
    before = snapshot()
    with pytest.raises(ValidationError):
        operation(name)(w, admin, on=date.today() + timedelta(days=1), decision_number=DECISION)
    assert snapshot() == before


# Kinds: each unit only where it may sit, each merger of one kind


def test_merging_a_cell_into_a_commune_is_refused(w, admin):
    with pytest.raises(ValidationError):
        reorg_merge(absorbed=[w.cell_a2], into=w.commune_b, by=admin, **WHEN)
    assert fresh(w.cell_a2).dissolved_on is None


def test_merging_a_base_cell_into_a_subordinate_cell_is_refused(w, admin):
    base = UnitFactory(parent=w.district, kind=UnitKind.BASE_CELL, name="Chi bộ Kho bạc")
    with pytest.raises(ValidationError, match="same kind"), translation.override("en"):
        reorg_merge(absorbed=[base], into=w.cell_a1, by=admin, **WHEN)


def test_dissolving_a_commune_into_the_province_is_refused_naming_its_cell(w, admin, english):
    before = snapshot()
    with pytest.raises(ValidationError, match=CELL_B1):
        reorg_dissolve(unit=w.commune_b, units_to=w.province, by=admin, **WHEN)
    assert snapshot() == before


def test_dissolving_a_commune_gives_its_villages_only_to_a_commune(w, admin):
    empty = UnitFactory(parent=w.district, kind=UnitKind.COMMUNE, name="Đảng bộ xã Pa Ham")
    VillageFactory(commune=empty, name="Bản Pa Ham")
    with pytest.raises(ValidationError):
        reorg_dissolve(unit=empty, units_to=w.district, by=admin, **WHEN)
    assert fresh(empty).dissolved_on is None


def test_cell_merged_into_a_cell_of_another_commune_takes_its_villages_commune_along(w, admin):
    reorg_merge(absorbed=[w.cell_a1], into=w.cell_b1, by=admin, **WHEN)
    moved = Village.objects.filter(pk__in=[w.men.pk, w.phi_cao.pk, w.hat_chua.pk])
    assert set(moved.values_list("commune_id", "cell_id")) == {(w.commune_b.pk, w.cell_b1.pk)}


@pytest.fixture
def partial(w, admin):
    """A sub-committee of commune A, with a cell covering Bản Mển and Bản Phì Cao."""
    committee = UnitFactory(
        parent=w.commune_a, kind=UnitKind.PARTIAL_COMMITTEE, name="Đảng bộ bộ phận Khu Mển"
    )
    cell = UnitFactory(parent=committee, kind=UnitKind.SUB_CELL, name="Chi bộ khu Mển")
    for village in (w.men, w.phi_cao):
        village_update(village=village, by=admin, cell=cell, effective_on=date(2020, 1, 1))
    return committee


def test_moving_a_sub_committee_carries_the_villages_of_its_cells(w, admin, partial):
    reorg_move(unit=partial, new_parent=w.commune_b, by=admin, **WHEN)
    communes = Village.objects.filter(pk__in=[w.men.pk, w.phi_cao.pk])
    assert set(communes.values_list("commune_id", flat=True)) == {w.commune_b.pk}


def test_villages_of_a_moved_sub_committee_count_in_the_old_commune_the_day_before(
    w, admin, partial
):
    reorg_move(unit=partial, new_parent=w.commune_b, by=admin, **WHEN)
    before = unit_node(user=admin, unit=fresh(w.commune_a), as_of=ON - timedelta(days=1))
    after = unit_node(user=admin, unit=fresh(w.commune_a), as_of=ON)
    assert (before.figures.villages, after.figures.villages) == (3, 1)


# Dating against members' moves


def test_merger_dated_before_a_members_later_move_is_refused_with_the_day(w, admin, english):
    member = Member.objects.filter(unit=w.cell_a2).first()
    member_transfer(member=member, to_unit=w.cell_b1, on=LATER, by=admin)
    with pytest.raises(ValidationError, match="01/06/2024"):
        reorg_merge(absorbed=[w.cell_b1], into=w.cell_a1, by=admin, **WHEN)


def test_refused_merger_before_a_members_move_leaves_each_member_in_one_cell(w, admin):
    member = Member.objects.filter(unit=w.cell_a2).first()
    member_transfer(member=member, to_unit=w.cell_b1, on=LATER, by=admin)
    with pytest.raises(ValidationError):
        reorg_merge(absorbed=[w.cell_b1], into=w.cell_a1, by=admin, **WHEN)
    assert Placement.objects.filter(member=member, valid_to__isnull=True).count() == 1
    assert members_under(w.cell_b1, admin) == 4


def test_dissolution_dated_before_a_members_admission_is_refused(w, admin):
    MemberFactory(unit=w.cell_a2, birth_date=date(1999, 3, 1), admitted_on=LATER)
    with pytest.raises(ValidationError):
        reorg_dissolve(unit=w.cell_a2, members_to=w.cell_a1, by=admin, **WHEN)


# Officers of ended units


def test_dissolution_ends_the_officers_the_day_before_with_history(w, admin):
    officer = Officer.objects.create(
        unit=w.cell_a2,
        member=Member.objects.filter(unit=w.cell_a2).first(),
        role=OfficerRole.SECRETARY,
        starts_on=date(2020, 5, 1),
    )
    reorg_dissolve(unit=w.cell_a2, members_to=w.cell_a1, by=admin, **WHEN)
    officer.refresh_from_db()
    assert officer.ends_on == ON - timedelta(days=1)
    assert officer.history.first().history_user == admin


def test_reform_ends_the_district_committees_officers(w, admin):
    member = Member.objects.filter(unit=w.cell_a2).first()
    officer = Officer.objects.create(
        unit=w.district, member=member, role=OfficerRole.SECRETARY, starts_on=date(2020, 10, 1)
    )
    reform(w, admin, **WHEN)
    officer.refresh_from_db()
    assert officer.ends_on == ON - timedelta(days=1)


# Split: what stays, who goes, the officers


def test_split_taking_every_village_without_dissolving_the_cell_is_refused(w, admin, english):
    parts = [
        ("Chi bộ bản Mển", [w.men]),
        ("Chi bộ bản Phì Cao - Hát Chua", [w.phi_cao, w.hat_chua]),
    ]
    with pytest.raises(ValidationError, match="would keep no village"):
        reorg_split(cell=w.cell_a1, parts=parts, by=admin, **WHEN)


def test_split_taking_every_village_can_dissolve_the_cell_with_it(w, admin):
    parts = [
        ("Chi bộ bản Mển", [w.men]),
        ("Chi bộ bản Phì Cao - Hát Chua", [w.phi_cao, w.hat_chua]),
    ]
    reorg_split(cell=w.cell_a1, parts=parts, dissolve_old=True, by=admin, **WHEN)
    assert fresh(w.cell_a1).dissolved_on == ON
    assert Member.objects.filter(unit__name="Chi bộ bản Phì Cao - Hát Chua").count() == 2


def test_split_dissolving_the_cell_is_refused_while_a_member_has_no_new_cell(w, admin, english):
    MemberFactory(unit=w.cell_a1, full_name="Lò Văn Ún")  # lives in no village of the cell
    parts = [
        ("Chi bộ bản Mển", [w.men]),
        ("Chi bộ bản Phì Cao - Hát Chua", [w.phi_cao, w.hat_chua]),
    ]
    with pytest.raises(ValidationError, match="Lò Văn Ún"):
        reorg_split(cell=w.cell_a1, parts=parts, dissolve_old=True, by=admin, **WHEN)


def test_split_sends_the_members_chosen_for_a_new_cell(w, admin):
    chosen = Member.objects.filter(unit=w.cell_a1, residence_village=w.men).first()
    parts = [SplitPart("Chi bộ bản Phì Cao", [w.phi_cao], members=[chosen])]
    reorg_split(cell=w.cell_a1, parts=parts, by=admin, **WHEN)
    assert set(Member.objects.filter(unit__name="Chi bộ bản Phì Cao")) == {chosen}


@pytest.fixture
def secretary_of_phi_cao(w):
    member = Member.objects.get(unit=w.cell_a1, residence_village=w.phi_cao)
    return Officer.objects.create(
        unit=w.cell_a1, member=member, role=OfficerRole.SECRETARY, starts_on=date(2020, 5, 1)
    )


def test_split_ends_the_office_of_a_secretary_who_goes_to_a_new_cell(
    w, admin, secretary_of_phi_cao
):
    split(w, admin, **WHEN)
    secretary_of_phi_cao.refresh_from_db()
    assert secretary_of_phi_cao.ends_on == ON - timedelta(days=1)
    assert not Officer.objects.on(ON).filter(unit=w.cell_a1).exists()


def test_split_can_hand_the_office_over_to_the_new_cell(w, admin, secretary_of_phi_cao):
    parts = [("Chi bộ bản Phì Cao", [w.phi_cao]), ("Chi bộ bản Hát Chua", [w.hat_chua])]
    reorg_split(cell=w.cell_a1, parts=parts, officers_follow=True, by=admin, **WHEN)
    office = Officer.objects.on(ON).get(member=secretary_of_phi_cao.member)
    assert (office.unit.name, office.role) == ("Chi bộ bản Phì Cao", OfficerRole.SECRETARY)


def test_split_preview_says_what_stays_in_the_old_cell(w, admin, english):
    event = preview(split, w=w, by=admin, **WHEN)
    assert f"{CELL_A1} keeps Bản Mển and 2 members." in event.details


# The reform: merged communes renamed, the district's roles at the province


def test_reform_can_merge_communes_under_a_new_name(w, admin):
    reform(
        w, admin, merges=[([w.commune_b], w.commune_a, "Đảng bộ xã Mường Mươn - Sa Lông")], **WHEN
    )
    assert fresh(w.commune_a).name == "Đảng bộ xã Mường Mươn - Sa Lông"
    before = unit_node(user=admin, unit=fresh(w.commune_a), as_of=ON - timedelta(days=1))
    assert before.unit.name == COMMUNE_A


def test_reform_can_pass_the_districts_roles_to_the_province(w, admin, viewer, district_admin):
    reform(w, admin, move_assignments=True, **WHEN)
    roles = set(
        Assignment.objects.filter(user__in=[viewer, district_admin]).values_list("unit_id", "role")
    )
    assert roles == {(w.province.pk, Role.VIEWER), (w.province.pk, Role.ADMIN)}


def test_villages_of_communes_merged_by_the_reform_count_in_the_absorbed_commune_before(w, admin):
    reform(w, admin, merges=[([w.commune_b], w.commune_a)], **WHEN)
    before = unit_node(user=admin, unit=fresh(w.commune_b), as_of=ON - timedelta(days=1))
    assert before.figures.villages == 1
    assert unit_node(user=admin, unit=fresh(w.commune_a)).figures.villages == 4
