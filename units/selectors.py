"""Scoped reads of the unit tree and its figures, in a fixed number of queries."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from members.choices import ACTIVE_STATUSES, MemberStatus
from members.models import Member, Placement
from units.access import scope_for
from units.models import UnitKind, UnitVersion, Village
from units.vietnamese import text_sort_key

# Điều lệ Đảng: a cell needs at least 3 full members.
MIN_FULL_MEMBERS_PER_CELL = 3


@dataclass
class Figures:
    """Counts for a unit and everything under it."""

    members: int = 0
    full_members: int = 0
    probationary_members: int = 0
    grassroots: int = 0
    communes: int = 0
    base_committees: int = 0
    base_cells: int = 0
    sub_cells: int = 0
    villages: int = 0
    villages_own_cell: int = 0
    villages_combined_cell: int = 0
    villages_without_cell: int = 0
    white_villages: int = 0
    independent_cells: int = 0
    combined_cells: int = 0
    small_cells: int = 0
    covered_villages: int = 0  # villages covered by the cell(s)

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def own_cell_ratio(self) -> float | None:
        """Share of villages with their own (independent) cell, in percent."""
        return 100 * self.villages_own_cell / self.villages if self.villages else None


@dataclass
class Node:
    unit: object
    figures: Figures
    children: list = field(default_factory=list)
    own: Figures = field(default_factory=Figures)


def _own_figures(units, paths_root: str, as_of=None):
    """Figures each unit contributes by itself (not its subtree), in four queries."""
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

    if as_of is None:
        counts = (
            Member.objects.active()
            .in_subtree(paths_root)
            .values_list("unit_id")
            .annotate(n=Count("id"), full=Count("id", filter=Q(status=MemberStatus.FULL)))
            .order_by()
        )
    else:
        # Where members were on that day, and who was on the rolls (and full) by then.
        counts = (
            Placement.objects.on(as_of)
            .filter(unit_id__in=[u.pk for u in units], member__admitted_on__lte=as_of)
            .filter(Q(member__left_on__isnull=True) | Q(member__left_on__gt=as_of))
            .values_list("unit_id")
            .annotate(n=Count("id"), full=Count("id", filter=Q(member__official_on__lte=as_of)))
            .order_by()
        )
    for unit_id, n, full in counts:
        f = own[unit_id]
        f.members += n
        f.full_members += full
        f.probationary_members += n - full

    # Villages and their coverage are today's (villages are not versioned).
    villages = list(
        Village.objects.filter(
            commune_id__in=[u.pk for u in units if u.kind == UnitKind.COMMUNE]
        ).values_list("id", "commune_id", "cell_id")
    )
    residents = (
        dict(
            Member.objects.active()
            .filter(residence_village_id__in=[v[0] for v in villages])
            .values_list("residence_village_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        if villages
        else {}
    )
    per_cell = Counter(cell_id for _, _, cell_id in villages if cell_id)
    for village_id, commune_id, cell_id in villages:
        f = own[commune_id]
        f.villages += 1
        if cell_id is None:
            f.villages_without_cell += 1
        elif per_cell[cell_id] == 1:
            f.villages_own_cell += 1
        else:
            f.villages_combined_cell += 1
        if not residents.get(village_id):
            f.white_villages += 1
    for cell_id, n in per_cell.items():
        own[cell_id].covered_villages = n
        if n == 1:
            own[cell_id].independent_cells = 1
        else:
            own[cell_id].combined_cells = 1
    for unit in units:
        if unit.is_cell and own[unit.pk].full_members < MIN_FULL_MEMBERS_PER_CELL:
            own[unit.pk].small_cells = 1
    return own


def _units_as_of(top, day):
    """The subtree of `top` as it stood on `day`: units carrying that day's name and place."""
    version = UnitVersion.objects.on(day).filter(unit=top).first()
    if version is None:
        return []
    units = []
    for v in UnitVersion.objects.on(day).subtree(version.path).select_related("unit"):
        unit = v.unit
        unit.parent_id, unit.path, unit.depth = v.parent_id, v.path, v.depth
        unit.name, unit.kind = v.name, v.kind
        units.append(unit)
    return units


def unit_tree(*, user, root=None, as_of=None):
    """The user's visible tree (or the subtree of `root`) as nodes with subtree figures.

    A fixed number of queries whatever the size: the units, member counts grouped by unit,
    villages, residents grouped by village, per scope root. With `as_of`, the tree and the
    member counts are those of that day (unit versions and member placements).
    """
    scope = scope_for(user)
    roots = [root] if root is not None else list(scope.roots)
    result = []
    for top in roots:
        if as_of is None:
            units = list(top.__class__.objects.subtree(top.path).active())
        else:
            units = _units_as_of(top, as_of)
        if not units:
            continue
        top = next(u for u in units if u.pk == top.pk)
        own = _own_figures(units, top.path, as_of)
        nodes = {}
        for unit in units:
            node = Node(unit=unit, figures=Figures(), own=own[unit.pk])
            nodes[unit.pk] = node
        # Deepest first, so each subtree total is complete before it is added to its parent.
        for unit in sorted(units, key=lambda u: -u.depth):
            node = nodes[unit.pk]
            node.figures.add(node.own)
            parent = nodes.get(unit.parent_id)
            if parent is not None and unit.pk != top.pk:
                parent.figures.add(node.figures)
        for unit in units:
            parent = nodes.get(unit.parent_id)
            if parent is not None and unit.pk != top.pk:
                parent.children.append(nodes[unit.pk])
        for node in nodes.values():
            node.children.sort(
                key=lambda n: (n.unit.kind != UnitKind.COMMUNE, text_sort_key(n.unit.name))
            )
        if top.pk in nodes:
            result.append(nodes[top.pk])
    return result


def unit_node(*, user, unit, as_of=None):
    """One unit with its subtree figures and its children's figures (None if it did not exist)."""
    nodes = unit_tree(user=user, root=unit, as_of=as_of)
    return nodes[0] if nodes else None


def village_coverage(*, commune):
    """The commune's villages with the cell covering each and how the coverage is derived."""
    villages = list(
        Village.objects.filter(commune=commune)
        .select_related("cell")
        .annotate(
            resident_count=Count("residents", filter=Q(residents__status__in=ACTIVE_STATUSES)),
        )
    )
    villages.sort(key=lambda v: text_sort_key(v.name))
    per_cell = Counter(v.cell_id for v in villages if v.cell_id)
    for v in villages:
        if v.cell_id is None:
            v.coverage = "none"
        elif per_cell[v.cell_id] == 1:
            v.coverage = "own"
        else:
            v.coverage = "combined"
        v.is_white = v.resident_count == 0
    return villages
