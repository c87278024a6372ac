"""Scoped reads of the unit tree and its figures, in a fixed number of queries."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from members.choices import ACTIVE_STATUSES, MemberStatus
from members.models import Member, Placement
from members.rules import add_months
from units.access import paths_q, scope_for
from units.models import (
    PATH_END,
    Officer,
    OfficerRole,
    ReorgEvent,
    ReorgEventUnit,
    Unit,
    UnitKind,
    UnitVersion,
    Village,
    VillageCoverage,
)
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
    """Figures each unit contributes by itself (not its subtree), in three queries: members
    per unit, villages with their covering cell, residents per village (all as of `as_of`)."""
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
            .filter(_on_rolls(as_of, "member__"), unit_id__in=[u.pk for u in units])
            .values_list("unit_id")
            .annotate(n=Count("id"), full=Count("id", filter=Q(member__official_on__lte=as_of)))
            .order_by()
        )
    for unit_id, n, full in counts:
        f = own[unit_id]
        f.members += n
        f.full_members += full
        f.probationary_members += n - full

    # Villages and the cells covering them on the day (dated coverage), and who lived there;
    # below a commune, the villages the cells cover (a cell's page counts them, nothing else).
    communes = {u.pk for u in units if u.kind == UnitKind.COMMUNE}
    cells = [] if communes else [u.pk for u in units if u.is_cell]
    villages = [
        (v.village_id, v.commune_id, v.cell_id) for v in _villages(as_of, list(communes), cells)
    ]
    residents = _residents([v[0] for v in villages], as_of) if communes else {}
    per_cell = Counter(cell_id for _, _, cell_id in villages if cell_id)
    for village_id, commune_id, cell_id in villages:
        if commune_id not in communes:
            continue  # a cell's villages, seen from below their commune
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


@dataclass(frozen=True)
class VillageOnDay:
    """A village with the commune it belonged to and the cell that covered it on a day."""

    village_id: int
    name: str
    commune_id: int
    cell_id: int | None


def _village_rows(day, where: Q) -> list[VillageOnDay]:
    """The villages matching `where` (on their commune and cell) with their coverage on `day`:
    today's from the villages themselves when None, else the dated coverage. One query."""
    if day is None:
        rows = (
            Village.objects.filter(where)
            .values_list("pk", "name", "commune_id", "cell_id")
            .order_by("commune_id", "pk")
        )
    else:
        rows = (
            VillageCoverage.objects.on(day)
            .filter(where)
            .values_list("village_id", "village__name", "commune_id", "cell_id")
            .order_by("commune_id", "village_id")
        )
    return [VillageOnDay(*row) for row in rows]


def _villages(day, commune_ids, cell_ids=()) -> list[VillageOnDay]:
    """The villages of these communes (or, without communes, those these cells cover) on `day`
    (today's when None), in one query."""
    if commune_ids:
        return _village_rows(day, Q(commune_id__in=commune_ids))
    if cell_ids:
        return _village_rows(day, Q(cell_id__in=cell_ids))
    return []


def villages_on(day: date | None, paths) -> list[VillageOnDay]:
    """Every village of the communes under `paths` with its commune and covering cell on `day`.

    `paths` are unit paths as the tree stood on `day` (today's when `day` is None), already
    limited to what the caller's user may see (units.access). One query however many villages.
    """
    if not paths:
        return []
    if day is None:
        return _village_rows(None, paths_q(paths, "commune__path"))
    communes = (
        UnitVersion.objects.on(day)
        .filter(paths_q(paths, "path"), kind=UnitKind.COMMUNE)
        .values("unit_id")
    )
    return _village_rows(day, Q(commune_id__in=communes))


def _on_rolls(day, prefix: str = "") -> Q:
    """Members on the rolls on `day` (today's active members when None)."""
    if day is None:
        return Q(**{f"{prefix}status__in": ACTIVE_STATUSES})
    return Q(**{f"{prefix}admitted_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gt": day})
    )


def _residents(village_ids, day) -> dict:
    """Members on the rolls living in each village on `day`: village id → count."""
    if not village_ids:
        return {}
    return dict(
        Member.objects.filter(_on_rolls(day), residence_village_id__in=village_ids)
        .values_list("residence_village_id")
        .annotate(n=Count("id"))
        .order_by()
    )


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
        # A dissolved unit is not among today's units, nor one founded later among that day's.
        top = next((u for u in units if u.pk == top.pk), None)
        if top is None:
            continue
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


def unit_ancestors(*, user, unit):
    """The units above `unit` the user may see, from the top (the page's breadcrumb)."""
    return Unit.objects.filter(pk__in=unit.ancestor_ids).filter(scope_for(user).visible_q("path"))


def small_cells(node: Node) -> list:
    """Cells of the whole subtree with fewer than 3 full members (Điều lệ Đảng), in tree order."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.own.small_cells:
            found.append(current.unit)
        stack.extend(reversed(current.children))
    return found


def village_coverage(*, commune, as_of: date | None = None):
    """The commune's villages with the cell covering each (on `as_of`, today by default), how
    the coverage is derived, and how many members on the rolls live there.

    One query for today; three as of a date (the coverage of the day, who lived there, and the
    names the covering cells bore that day).
    """
    if as_of is None:
        villages = list(
            Village.objects.filter(commune=commune)
            .select_related("cell")
            .annotate(
                resident_count=Count("residents", filter=Q(residents__status__in=ACTIVE_STATUSES)),
            )
        )
    else:
        villages, cells = [], {}
        for row in (
            VillageCoverage.objects.on(as_of)
            .filter(commune=commune)
            .select_related("village", "cell")
        ):
            village = row.village
            village.commune_id, village.cell_id = row.commune_id, row.cell_id
            # One object per cell, so its name of the day is set once for all its villages.
            village.cell = cells.setdefault(row.cell_id, row.cell) if row.cell_id else None
            villages.append(village)
        residents = _residents([v.pk for v in villages], as_of)
        # The covering cell under the name it bore that day.
        for version in UnitVersion.objects.on(as_of).filter(unit_id__in=list(cells)):
            cells[version.unit_id].name, cells[version.unit_id].short_name = version.name, ""
        for village in villages:
            village.resident_count = residents.get(village.pk, 0)
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


def unit_events(*, unit, until: date | None = None, limit: int = 100) -> list:
    """Reorganisations of the unit and of every unit under it (up to `until`), newest first,
    in one query.

    A commune page so lists the splits, mergers and dissolutions of its cells, and the moves
    of units into or out of it (the commune itself takes part in those).
    """
    parts = ReorgEventUnit.objects.filter(
        Q(unit=unit) | Q(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    )
    events = ReorgEvent.objects.filter(pk__in=parts.values("event_id"))
    if until is not None:
        events = events.filter(effective_on__lte=until)
    return list(events.order_by("-effective_on", "-id")[:limit])


def unit_officers(*, unit, day: date | None = None, former_limit: int = 30) -> dict:
    """The unit's officers in office on `day` (today by default; an office ends after its last
    day, `ends_on`), and its former officers by then, the latest first. One query."""
    day = day or timezone.localdate()
    officers = list(
        Officer.objects.filter(unit=unit, starts_on__lte=day)
        .select_related("member", "term")
        .order_by("role", "starts_on", "pk")
    )
    current = [o for o in officers if o.ends_on is None or o.ends_on >= day]
    former = sorted(
        (o for o in officers if o.ends_on is not None and o.ends_on < day),
        key=lambda o: o.ends_on,
        reverse=True,
    )
    return {"current": current, "former": former[:former_limit]}


def secretaries_heading_villages(*, unit, day: date | None = None) -> int:
    """Cell secretaries under `unit` in office on `day` (today by default) who are also village
    heads (seed 001 counts them). One query."""
    return (
        Officer.objects.on(day or timezone.localdate())
        .filter(
            unit__path__gte=unit.path,
            unit__path__lt=unit.path + PATH_END,
            role=OfficerRole.SECRETARY,
            is_village_head=True,
        )
        .count()
    )


def cell_members_as_of(*, user, unit, day: date):
    """Members of the cell on `day`: placed in it then and on the rolls, in name order.

    The cell itself is in the user's scope (the page looked it up through units.access); a
    member who has since moved out of it is listed, marked `visible` when the user may still
    open the member's record.
    """
    scope = scope_for(user)
    if not scope.can_see(unit.path):
        return []
    placed = Placement.objects.on(day).filter(unit=unit).values("member_id")
    members = list(
        Member.objects.filter(_on_rolls(day), pk__in=placed)
        .select_related("unit", "residence_village")
        .order_by("sort_key", "id")
    )
    for member in members:
        member.visible = scope.can_see(member.unit.path)
    return members


@dataclass
class MembershipChange:
    """A member who joined or left a cell, on a day, from or to another cell (None: from
    outside the tree, by admission or transfer in; or off the rolls)."""

    member: object
    on: date
    joined: bool
    other: object = None


def cell_membership_changes(*, user, unit, day: date | None = None, months: int = 12) -> list:
    """Members who joined or left the cell in the `months` before `day` (today by default),
    from their placements, the latest first. One query."""
    scope = scope_for(user)
    if not scope.can_see(unit.path):
        return []
    day = day or timezone.localdate()
    since = add_months(day, -months)
    window = Placement.objects.filter(unit=unit).filter(
        Q(valid_from__gt=since, valid_from__lte=day) | Q(valid_to__gt=since, valid_to__lte=day)
    )
    # Those placements and the neighbouring ones of the same members, in one query.
    placements = list(
        Placement.objects.filter(member_id__in=window.values("member_id"))
        .select_related("unit", "member", "member__unit")
        .order_by("member_id", "valid_from", "pk")
    )
    rows = [
        p
        for p in placements
        if p.unit_id == unit.pk
        and (since < p.valid_from <= day or (p.valid_to and since < p.valid_to <= day))
    ]
    neighbours = defaultdict(list)
    for other in placements:
        if other.unit_id != unit.pk:
            neighbours[other.member_id].append(other)

    def seen(placement):
        return placement.unit if placement and scope.can_see(placement.unit.path) else None

    changes = []
    for p in rows:
        member = p.member
        member.visible = scope.can_see(member.unit.path)
        if since < p.valid_from <= day:
            came = next((o for o in neighbours[p.member_id] if o.valid_to == p.valid_from), None)
            changes.append(MembershipChange(member, p.valid_from, True, seen(came)))
        if p.valid_to and since < p.valid_to <= day:
            went = next((o for o in neighbours[p.member_id] if o.valid_from == p.valid_to), None)
            changes.append(MembershipChange(member, p.valid_to, False, seen(went)))
    changes.sort(key=lambda c: (c.on, c.joined), reverse=True)
    return changes
