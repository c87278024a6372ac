"""Reorganisations of overlapping parts of the tree at the same moment (PostgreSQL: real row
locks): one waits for the other, or is refused cleanly; never a deadlock, never a broken tree.

Đảng bộ tỉnh (P)
├── Đảng bộ huyện Mường Chà (D1)
│   └── Đảng bộ xã Mường Mươn (X)
│       └── Chi bộ bản Mển (C)
├── Đảng bộ huyện Tủa Chùa (D2)
│   └── Đảng bộ xã Sa Lông (Y)
└── Đảng bộ huyện Mường Nhé (D3)
"""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.concurrency.threads import at_once, only_postgresql, unexpected
from tests.factories import UnitFactory, persona
from units.models import Role, Unit, UnitKind
from units.reorganisation import reorg_merge, reorg_move

pytestmark = [only_postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def units():
    p = UnitFactory(kind=UnitKind.PROVINCIAL, name="Đảng bộ tỉnh Điện Biên")
    d1 = UnitFactory(parent=p, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Mường Chà")
    d2 = UnitFactory(parent=p, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Tủa Chùa")
    d3 = UnitFactory(parent=p, kind=UnitKind.DISTRICT, name="Đảng bộ huyện Mường Nhé")
    x = UnitFactory(parent=d1, kind=UnitKind.COMMUNE, name="Đảng bộ xã Mường Mươn")
    y = UnitFactory(parent=d2, kind=UnitKind.COMMUNE, name="Đảng bộ xã Sa Lông")
    c = UnitFactory(parent=x, kind=UnitKind.SUB_CELL, name="Chi bộ bản Mển")
    admin = persona(p, Role.ADMIN, "Cầm Văn Hùng", "hung.cv")
    return SimpleNamespace(p=p, d1=d1, d2=d2, d3=d3, x=x, y=y, c=c, admin=admin)


def tree_problems() -> list[str]:
    """Units whose path or depth disagrees with their parent's."""
    problems = []
    for unit in Unit.objects.select_related("parent"):
        parent = unit.parent
        path = f"{parent.path if parent else ''}{unit.pk}."
        depth = parent.depth + 1 if parent else 0
        if (unit.path, unit.depth) != (path, depth):
            problems.append(f"{unit.name}: {unit.path} depth {unit.depth}")
    return problems


def job(operation, **arguments):
    """A reorganisation whose units are read first (the form), then run after the barrier."""

    def prepare():
        return {
            name: Unit.objects.get(pk=value.pk) if isinstance(value, Unit) else value
            for name, value in arguments.items()
        }

    def write(state):
        state = {k: [Unit.objects.get(pk=u.pk) for u in v] if isinstance(v, list) else v
                 for k, v in state.items()}  # fmt: skip
        return operation(**state, on=timezone.localdate(), decision_number="12-QĐ/TU")

    return prepare, write


def test_moving_a_commune_while_its_district_merges_leaves_a_consistent_tree(units):
    results = at_once(
        job(reorg_move, unit=units.x, new_parent=units.d2, by=units.admin),
        job(reorg_merge, absorbed=[units.d1], into=units.d3, by=units.admin),
    )
    assert unexpected(results) == []
    assert tree_problems() == []
    # Whichever ran first, the commune ends under the district it was moved to.
    assert Unit.objects.get(pk=units.x.pk).parent_id == units.d2.pk


def test_moving_a_cell_and_its_commune_at_once_leaves_a_consistent_tree(units):
    results = at_once(
        job(reorg_move, unit=units.c, new_parent=units.y, by=units.admin),
        job(reorg_move, unit=units.x, new_parent=units.d3, by=units.admin),
    )
    assert unexpected(results) == []
    assert tree_problems() == []
    moved = Unit.objects.get(pk=units.c.pk)
    assert moved.path.startswith(Unit.objects.get(pk=units.y.pk).path)


def test_two_moves_of_the_same_commune_at_once_end_with_the_later_one(units):
    results = at_once(
        job(reorg_move, unit=units.x, new_parent=units.d2, by=units.admin),
        job(reorg_move, unit=units.x, new_parent=units.d3, by=units.admin),
    )
    assert unexpected(results) == []
    assert tree_problems() == []
