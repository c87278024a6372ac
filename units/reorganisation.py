"""Reorganisations of the tree: found, rename, move, merge, split, dissolve, the 2025 reform.

Each is one transaction, dated by its effective day and decision number, and leaves a
ReorgEvent naming the units it touched. Each can run as a preview: the same code inside a
transaction that is rolled back, so what the user confirms is what the change does.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members.models import Candidate, Member
from members.services import members_move
from units.access import check_structure_edit, forget_scope, paths_q
from units.models import (
    ALLOWED_PARENT_KINDS,
    CELL_KINDS,
    Assignment,
    Officer,
    ReorgEvent,
    ReorgEventUnit,
    ReorgKind,
    ReorgRole,
    Unit,
    UnitKind,
    UnitVersion,
    Village,
)
from units.services import (
    check_not_before_last_change,
    check_not_in_future,
    coverage_change,
    lock_tree,
    tree_token,
    unit_create,
    unit_move,
    version_of,
)


class Preview(Exception):
    """Raised inside a dry run to roll it back while carrying its event out."""

    def __init__(self, event):
        self.event = event


def preview(operation, **kwargs) -> ReorgEvent:
    """Run a reorganisation and roll it back: the event it would record, with its details."""
    try:
        with transaction.atomic():
            event = operation(**kwargs)
            raise Preview(event)
    except Preview as done:
        return done.event


STALE_PREVIEW = gettext_lazy(
    "The units changed after this preview was made (someone else reorganised or edited them). "
    "Nothing was changed: check the new preview below, then confirm again."
)


def _units_in(arguments: dict) -> list[Unit]:
    """The units a reorganisation's arguments name (the unit, its new parent, the units
    merged, those of the reform's mergers …)."""
    found = []

    def collect(value):
        if isinstance(value, Unit):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)

    for value in arguments.values():
        collect(value)
    return list({u.pk: u for u in found if u.pk}.values())


def preview_token(**arguments) -> str:
    """The state of the tree around the units a reorganisation names, for its preview."""
    return tree_token(_units_in(arguments))


@transaction.atomic
def confirm(operation, *, token: str | None, **arguments) -> ReorgEvent:
    """Run a previewed reorganisation, refused when the units it names (with everything
    under and above them) changed since the preview that gave `token`. The check is made with
    the tree locked, so nothing can change between it and the reorganisation."""
    units = _units_in(arguments)
    lock_tree(*units)
    if token is not None and token != tree_token(units):
        raise ValidationError(STALE_PREVIEW, code="stale")
    return operation(**arguments)


def _record(kind, *, on, decision_number, note, by, summary, details, parts) -> ReorgEvent:
    event = ReorgEvent(
        kind=kind,
        effective_on=on,
        decision_number=decision_number,
        note=note,
        summary=summary[:500],
        created_by=by,
    )
    event._history_user = by
    event.full_clean()
    event.save()
    ReorgEventUnit.objects.bulk_create(
        ReorgEventUnit(event=event, unit=unit, role=role) for unit, role in dict.fromkeys(parts)
    )
    event.details = details
    return event


def _close_version(unit: Unit, on: date) -> None:
    UnitVersion.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=on)


def _rename(unit: Unit, on: date, by, **names) -> str:
    """The unit bears `names` (name, short name) from `on`: saved with history, its version in
    force closed and a new one opened, so earlier dates keep the old name. Returns the detail."""
    old_name = unit.name
    for field, value in names.items():
        setattr(unit, field, value)
    unit._history_user = by
    unit.full_clean()
    unit.save()
    _close_version(unit, on)
    version_of(unit, on).save()
    return _("%(old)s renamed %(new)s.") % {"old": old_name, "new": unit.name}


def _check_may_sit_under(units, target: Unit) -> None:
    """Điều lệ Đảng, art. 21-24: each unit goes only under a kind of unit that may hold it."""
    for unit in units:
        if target.kind not in ALLOWED_PARENT_KINDS.get(unit.kind, ()):
            raise ValidationError(
                _("%(unit)s cannot go under %(target)s: a %(kind)s cannot sit under a %(parent)s.")
                % {
                    "unit": unit.name,
                    "target": target.name,
                    "kind": unit.get_kind_display(),
                    "parent": target.get_kind_display(),
                }
            )


def _move_children(source: Unit, target: Unit, on: date, by) -> list[str]:
    """Everything under `source` goes under `target`: a fixed number of queries.

    Returns the new paths of the units that moved (each with its subtree).
    """
    children = list(source.children.filter(dissolved_on__isnull=True).order_by("pk"))
    if not children:
        return []
    _check_may_sit_under(children, target)
    for child in children:
        child.parent = target
        child._history_user = by
    bulk_update_with_history(children, Unit, ["parent"], default_user=by)
    # Only the subtrees of the children that move: dissolved children stay where they ended.
    moving = paths_q([c.path for c in children], "path")
    UnitVersion.objects.filter(moving, valid_to__isnull=True).update(valid_to=on)
    Unit.objects.filter(moving).update(
        path=Concat(Value(target.path), Substr("path", len(source.path) + 1)),
        depth=F("depth") + (target.depth - source.depth),
    )
    # The moved units are those under the target whose versions were just closed.
    unversioned = (
        Unit.objects.subtree(target.path)
        .active()
        .exclude(pk__in=UnitVersion.objects.filter(valid_to__isnull=True).values("unit_id"))
    )
    UnitVersion.objects.bulk_create(version_of(u, on) for u in unversioned)
    return [f"{target.path}{c.pk}." for c in children]


def _commune_of(unit: Unit) -> int | None:
    """The id of the commune committee at or above `unit` (villages belong to it)."""
    if unit.kind == UnitKind.COMMUNE:
        return unit.pk
    return (
        Unit.objects.filter(pk__in=unit.ancestor_ids, kind=UnitKind.COMMUNE)
        .values_list("pk", flat=True)
        .first()
    )


def _stays_under_a_commune(cell: Unit) -> ValidationError:
    """The refusal when a cell covering villages would end up under no commune."""
    return ValidationError(
        _("%(cell)s covers villages, so it stays under a commune committee.") % {"cell": cell.name}
    )


def _check_names_free(villages) -> None:
    """Villages passing to another commune must not meet a namesake there (two queries)."""
    villages = list(villages)
    wanted = Counter((v.commune_id, v.name) for v in villages)
    clash = {key for key, n in wanted.items() if n > 1}
    clash |= set(
        Village.objects.filter(
            commune_id__in={c for c, _n in wanted}, name__in={n for _c, n in wanted}
        )
        .exclude(pk__in=[v.pk for v in villages])
        .values_list("commune_id", "name")
    ) & set(wanted)
    if clash:
        commune_id = min(clash)[0]
        raise ValidationError(
            _("%(into)s already has villages named %(names)s; rename them before the change.")
            % {
                "into": Unit.objects.get(pk=commune_id).name,
                "names": ", ".join(sorted(n for c, n in clash if c == commune_id)),
            }
        )


def _pass_villages(villages, fields: list[str], on: date, by) -> None:
    """Write villages' new commune or cell with history and their dated coverage."""
    villages = list(villages)
    if not villages:
        return
    if "commune" in fields:
        _check_names_free(villages)
    bulk_update_with_history(villages, Village, fields, default_user=by)
    coverage_change(villages, on)


def _villages_follow_cells(paths) -> list[Village]:
    """Villages covered by the cells under `paths`, given the commune each cell now sits in.

    A cell that moves to another commune takes its villages along (they are not saved here:
    the caller passes them on). Two queries whatever the number of cells.
    """
    villages = list(Village.objects.filter(paths_q(paths, "cell__path")).select_related("cell"))
    if not villages:
        return []
    above = {int(i) for v in villages for i in v.cell.path.split(".") if i}
    communes = set(
        Unit.objects.filter(pk__in=above, kind=UnitKind.COMMUNE).values_list("pk", flat=True)
    )
    moved = []
    for village in villages:
        commune_id = next(
            (pk for pk in reversed(village.cell.ancestor_ids) if pk in communes), None
        )
        if commune_id is None:
            raise _stays_under_a_commune(village.cell)
        if commune_id != village.commune_id:
            village.commune_id = commune_id
            moved.append(village)
    return moved


def _end_offices(officers, on: date, by) -> None:
    """Officers leave office when a change takes effect on `on`: their last day is the day
    before (Officer.ends_on is the last day in office). With history."""
    officers = list(officers)
    if not officers:
        return
    late = [o for o in officers if o.starts_on >= on]
    if late:
        raise ValidationError(
            _("%(name)s took office on %(day)s; enter changes in date order.")
            % {"name": late[0].member.full_name, "day": late[0].starts_on.strftime("%d/%m/%Y")}
        )
    for officer in officers:
        officer.ends_on = on - timedelta(days=1)
    bulk_update_with_history(officers, Officer, ["ends_on"], default_user=by)


def _end(unit: Unit, on: date, by) -> None:
    """The unit ends on `on`: its version closes and its officers still in office leave."""
    _end_offices(
        Officer.objects.filter(unit=unit, ends_on__isnull=True).select_related("member"), on, by
    )
    unit.dissolved_on = on
    unit._history_user = by
    unit.save()
    _close_version(unit, on)


@transaction.atomic
def reorg_found(*, parent: Unit, on: date, decision_number: str, note: str = "", by, **fields):
    """Thành lập: a new unit under `parent` from `on`."""
    check_structure_edit(by, parent)
    check_not_in_future(on)
    since = (
        UnitVersion.objects.filter(unit=parent, valid_to__isnull=True)
        .values_list("valid_from", flat=True)
        .first()
    )
    if since and on < since:
        raise ValidationError(
            _("A later change of these units is recorded on %(day)s; enter changes in date order.")
            % {"day": since.strftime("%d/%m/%Y")}
        )
    fields.setdefault("founded_on", on)
    unit = unit_create(parent=parent, by=by, effective_on=on, **fields)
    summary = _("%(unit)s founded under %(parent)s.") % {"unit": unit.name, "parent": parent.name}
    return _record(
        ReorgKind.FOUND,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=[summary],
        parts=[(unit, ReorgRole.RESULT), (parent, ReorgRole.TO_PARENT)],
    )


@transaction.atomic
def reorg_rename(
    *, unit: Unit, name: str, short_name: str = "", on: date, decision_number: str, note="", by
):
    """Đổi tên: the unit bears its new name from `on`; earlier dates keep the old one."""
    check_structure_edit(by, unit.parent or unit)
    check_not_in_future(on)
    lock_tree(rows=[unit])
    unit = Unit.objects.get(pk=unit.pk)
    check_not_before_last_change([unit.path], on)
    summary = _rename(unit, on, by, name=name, short_name=short_name)
    return _record(
        ReorgKind.RENAME,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=[summary],
        parts=[(unit, ReorgRole.SUBJECT)],
    )


@transaction.atomic
def reorg_move(*, unit: Unit, new_parent: Unit, on: date, decision_number: str, note="", by):
    """Điều chuyển: the unit, everything under it, its members and villages go under another.

    The villages covered by any cell of the subtree pass to the commune that cell now sits in.
    """
    check_not_in_future(on)
    lock_tree(unit, rows=[unit.parent, new_parent])  # counted and moved as it stands now
    old_parent = unit.parent
    subtree_units = Unit.objects.subtree(unit.path).active().count()
    members = Member.objects.active().in_subtree(unit.path).count()
    unit = unit_move(unit=unit, new_parent=new_parent, by=by, effective_on=on)
    # A commune (or a district) keeps its own villages; below a commune, cells take theirs.
    above = (UnitKind.PROVINCIAL, UnitKind.DISTRICT, UnitKind.COMMUNE)
    villages = [] if unit.kind in above else _villages_follow_cells([unit.path])
    _pass_villages(villages, ["commune"], on, by)
    summary = _("%(unit)s moved from %(old)s to %(new)s.") % {
        "unit": unit.name,
        "old": old_parent.name if old_parent else "—",
        "new": new_parent.name,
    }
    details = [
        summary,
        ngettext(
            "%(n)d unit moves (with the units under it).",
            "%(n)d units move (with the units under it).",
            subtree_units,
        )
        % {"n": subtree_units},
        ngettext("%(n)d member goes with it.", "%(n)d members go with it.", members)
        % {"n": members},
    ]
    if villages:
        commune = Unit.objects.get(pk=villages[0].commune_id)
        details.append(
            _("Villages %(villages)s pass to %(commune)s with their cell.")
            % {"villages": ", ".join(v.name for v in villages), "commune": commune.name}
        )
    return _record(
        ReorgKind.MOVE,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=details,
        parts=[
            (unit, ReorgRole.SUBJECT),
            (old_parent, ReorgRole.FROM_PARENT),
            (new_parent, ReorgRole.TO_PARENT),
        ],
    )


def _open_candidates(**filters) -> list:
    """Admission candidates still on their way (not admitted, not withdrawn)."""
    return list(Candidate.objects.filter(member__isnull=True, withdrawn_on__isnull=True, **filters))


def _candidates_move(candidates: list, to_unit: Unit, by) -> None:
    """Candidates follow their cell's members into another cell, with history."""
    for candidate in candidates:
        candidate.unit = to_unit
    bulk_update_with_history(candidates, Candidate, ["unit"], default_user=by)


def _members_join(members: list, into: Unit, on: date, by) -> list[str]:
    """The members of a unit that ends join `into` from `on`; the detail, if any moved."""
    if not members:
        return []
    members_move(members=members, to_unit=into, on=on, by=by)
    return [
        ngettext("%(n)d member joins %(into)s.", "%(n)d members join %(into)s.", len(members))
        % {"n": len(members), "into": into.name}
    ]


def _absorb(source: Unit, into: Unit, on: date, by) -> list[str]:
    """Members, villages, sub-units, officers and roles of `source` pass to `into`."""
    details = _members_join(list(Member.objects.active().filter(unit=source)), into, on, by)
    _candidates_move(_open_candidates(unit=source), into, by)
    # A commune's villages pass to the commune kept; a cell's villages to the cell kept, and
    # to its commune when that is another one.
    villages = list(Village.objects.filter(commune=source)) if source.has_villages else []
    for village in villages:
        village.commune_id = into.pk
    covered = list(Village.objects.filter(cell=source)) if source.is_cell else []
    if covered:
        commune_id = _commune_of(into)
        if commune_id is None:
            raise _stays_under_a_commune(into)
        for village in covered:
            village.cell_id, village.commune_id = into.pk, commune_id
    _pass_villages([*villages, *covered], ["commune", "cell"], on, by)
    if villages or covered:
        n = len(villages) + len(covered)
        details.append(
            ngettext("%(n)d village passes to %(into)s.", "%(n)d villages pass to %(into)s.", n)
            % {"n": n, "into": into.name}
        )
    moved = _move_children(source, into, on, by)
    if moved:
        details.append(
            ngettext(
                "%(n)d unit moves under %(into)s.", "%(n)d units move under %(into)s.", len(moved)
            )
            % {"n": len(moved), "into": into.name}
        )
        _pass_villages(_villages_follow_cells(moved), ["commune"], on, by)
    officers = list(Officer.objects.filter(unit=source, ends_on__isnull=True))
    for officer in officers:
        officer.unit = into
    if officers:
        bulk_update_with_history(officers, Officer, ["unit"], default_user=by)
    held = set(Assignment.objects.filter(unit=into).values_list("user_id", flat=True))
    roles = [a for a in Assignment.objects.filter(unit=source) if a.user_id not in held]
    for assignment in roles:
        assignment.unit = into
    if roles:
        bulk_update_with_history(roles, Assignment, ["unit"], default_user=by)
    _end(source, on, by)
    return details


@transaction.atomic
def reorg_merge(*, absorbed: list[Unit], into: Unit, on: date, decision_number: str, note="", by):
    """Sáp nhập: the absorbed units end on `on`; members, villages, units, officers follow.

    Only units of one kind merge (cell into cell, commune into commune).
    """
    check_structure_edit(by, into.parent or into)
    check_not_in_future(on)
    lock_tree(into, *absorbed, rows=[into.parent, *(u.parent for u in absorbed)])
    into = Unit.objects.get(pk=into.pk)
    absorbed = list(Unit.objects.filter(pk__in=[u.pk for u in absorbed]).order_by("pk"))
    if not absorbed or any(u.pk == into.pk for u in absorbed):
        raise ValidationError(_("Choose units to merge other than the unit they merge into."))
    for unit in absorbed:
        check_structure_edit(by, unit.parent or unit)
        if unit.dissolved_on or into.dissolved_on:
            raise ValidationError(_("A dissolved unit takes no part in a merger."))
        if unit.kind != into.kind:
            raise ValidationError(
                _("%(unit)s cannot merge into %(into)s: only units of the same kind merge.")
                % {"unit": unit.name, "into": into.name}
            )
        if into.path.startswith(unit.path):
            raise ValidationError(_("A unit cannot merge into a unit under it."))
    check_not_before_last_change(
        [u.path for u in absorbed] + [into.path], on, member_units=[u.pk for u in absorbed]
    )
    summary = _("%(units)s merged into %(into)s.") % {
        "units": ", ".join(u.name for u in absorbed),
        "into": into.name,
    }
    details = [summary]
    for unit in absorbed:
        details += _absorb(unit, into, on, by)
    return _record(
        ReorgKind.MERGE,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=details,
        parts=[(u, ReorgRole.ABSORBED) for u in absorbed] + [(into, ReorgRole.RESULT)],
    )


@dataclass
class SplitPart:
    """One new cell of a split: its name, the villages it covers, and its members (None: the
    members who live in those villages)."""

    name: str
    villages: list
    members: list | None = None


def _split_members(cell: Unit, parts: list[SplitPart], members: dict) -> dict[int, int]:
    """Member id → index of the part the member goes to; members not in it stay."""
    chosen = {}
    for i, part in enumerate(parts):
        for member in part.members or ():
            if member.pk not in members:
                raise ValidationError(
                    _("%(name)s is not a member of %(cell)s.")
                    % {"name": member.full_name, "cell": cell.name}
                )
            if member.pk in chosen:
                raise ValidationError(
                    _("%(name)s is given to two new cells.") % {"name": member.full_name}
                )
            chosen[member.pk] = i
    by_village = {v.pk: i for i, part in enumerate(parts) for v in part.villages}
    for pk, member in members.items():
        i = by_village.get(member.residence_village_id)
        if pk not in chosen and i is not None and parts[i].members is None:
            chosen[pk] = i
    return chosen


@transaction.atomic
def reorg_split(
    *, cell: Unit, parts: list, on: date, decision_number: str, note="", by,
    dissolve_old: bool = False, officers_follow: bool = False, kept_name: str = "",
):  # fmt: skip
    """Chia tách: a combined cell gives villages to new independent cells.

    `kept_name`, when given, is the new name of the original cell for the villages it keeps
    ("Chi bộ bản Tà Pao - Nậm Ty" keeping Nậm Ty becomes "Chi bộ bản Nậm Ty"), from `on`.

    `parts` are SplitPart (or (name, villages[, members]) tuples). By default the members who
    live in a part's villages follow it; the others stay in the original cell with the villages
    no part takes. A split that takes every village dissolves the original cell, and is refused
    unless `dissolve_old` says so and every member has a new cell. Officers who go to a new
    cell leave their office in the old one, and hold it in the new one when `officers_follow`.
    """
    check_structure_edit(by, cell.parent)
    check_not_in_future(on)
    lock_tree(cell, rows=[cell.parent])
    cell = Unit.objects.get(pk=cell.pk)
    own = {v.pk: v for v in Village.objects.filter(cell=cell).order_by("pk")}
    if len(own) < 2:
        raise ValidationError(_("Only a combined cell (covering two villages or more) is split."))
    parts = [p if isinstance(p, SplitPart) else SplitPart(*p) for p in parts]
    taken = [v.pk for part in parts for v in part.villages]
    if (
        not parts
        or any(not part.villages for part in parts)
        or len(set(taken)) != len(taken)
        or not set(taken) <= set(own)
    ):
        raise ValidationError(_("Give each new cell villages the combined cell covers, once."))
    kept = [v for pk, v in own.items() if pk not in taken]
    if not kept and not dissolve_old:
        raise ValidationError(
            _(
                "%(cell)s would keep no village: keep one with it, or dissolve it in the same "
                "operation."
            )
            % {"cell": cell.name}
        )
    if kept and dissolve_old:
        raise ValidationError(
            _("%(cell)s keeps %(villages)s, so it is not dissolved.")
            % {"cell": cell.name, "villages": ", ".join(v.name for v in kept)}
        )
    check_not_before_last_change([cell.path], on, member_units=[cell.pk])
    members = {m.pk: m for m in Member.objects.active().filter(unit=cell).order_by("pk")}
    chosen = _split_members(cell, parts, members)
    staying = [m for pk, m in members.items() if pk not in chosen]
    if dissolve_old and staying:
        raise ValidationError(
            _("%(cell)s is dissolved, but %(names)s have no new cell; choose one for each.")
            % {"cell": cell.name, "names": ", ".join(m.full_name for m in staying)}
        )
    officers = list(
        Officer.objects.filter(unit=cell, ends_on__isnull=True)
        .select_related("member")
        .order_by("pk")
    )
    candidates = _open_candidates(unit=cell)
    results, details, leaving, following = [], [], [], []
    for i, part in enumerate(parts):
        new = unit_create(
            parent=cell.parent,
            by=by,
            effective_on=on,
            kind=cell.kind,
            category=cell.category,
            name=part.name,
            founded_on=on,
        )
        results.append(new)
        moved_villages = [own[v.pk] for v in part.villages]
        for village in moved_villages:
            village.cell = new
        _pass_villages(moved_villages, ["cell"], on, by)
        followers = [m for pk, m in members.items() if chosen.get(pk) == i]
        if followers:
            members_move(members=followers, to_unit=new, on=on, by=by)
        village_ids = {v.pk for v in moved_villages}
        _candidates_move(
            [
                c
                for c in candidates
                if c.residence_village_id in village_ids or (dissolve_old and i == 0)
            ],
            new,
            by,
        )
        candidates = [c for c in candidates if c.unit_id == cell.pk]
        details.append(
            _("%(cell)s: %(villages)s; %(members)d members.")
            % {
                "cell": part.name,
                "villages": ", ".join(v.name for v in moved_villages),
                "members": len(followers),
            }
        )
        for officer in officers:
            if chosen.get(officer.member_id) == i:
                leaving.append(officer)
                following.append((officer, new))
    _end_offices(leaving, on, by)
    for officer, new in following:
        office = officer.get_role_display()
        if officers_follow:
            details.append(
                _("%(name)s keeps the office of %(office)s in %(cell)s.")
                % {"name": officer.member.full_name, "office": office, "cell": new.name}
            )
        else:
            details.append(
                _("%(name)s leaves the office of %(office)s of %(cell)s.")
                % {"name": officer.member.full_name, "office": office, "cell": cell.name}
            )
    if officers_follow and following:
        bulk_create_with_history(
            [
                Officer(
                    unit=new,
                    member=officer.member,
                    role=officer.role,
                    starts_on=on,
                    is_village_head=officer.is_village_head,
                )
                for officer, new in following
            ],
            Officer,
            default_user=by,
        )
    if dissolve_old:
        _end(cell, on, by)
        details.append(
            _("%(cell)s is dissolved: its villages and members go to the new cells.")
            % {"cell": cell.name}
        )
    else:
        details.append(
            ngettext(
                "%(cell)s keeps %(villages)s and %(n)d member.",
                "%(cell)s keeps %(villages)s and %(n)d members.",
                len(staying),
            )
            % {
                "cell": cell.name,
                "villages": ", ".join(v.name for v in kept),
                "n": len(staying),
            }
        )
    old_name = cell.name
    kept_name = (kept_name or "").strip()
    if kept_name and not dissolve_old and kept_name != cell.name:
        details.append(_rename(cell, on, by, name=kept_name))
    summary = _("%(cell)s split; new cells: %(new)s.") % {
        "cell": old_name,
        "new": ", ".join(u.name for u in results),
    }
    return _record(
        ReorgKind.SPLIT,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=[summary, *details],
        parts=[(cell, ReorgRole.SUBJECT), *[(u, ReorgRole.RESULT) for u in results]],
    )


@transaction.atomic
def reorg_dissolve(
    *, unit: Unit, on: date, decision_number: str, note="", by,
    members_to: Unit | None = None, units_to: Unit | None = None,
):  # fmt: skip
    """Giải thể: refused while members, units or villages are left, unless they move with it.

    Members go to a cell; units go under a unit that may hold each of them; villages only to a
    commune committee.
    """
    check_structure_edit(by, unit.parent or unit)
    check_not_in_future(on)
    lock_tree(unit, units_to, members_to, rows=[unit.parent])
    unit = Unit.objects.get(pk=unit.pk)
    if unit.dissolved_on:
        raise ValidationError(_("This unit has already been dissolved."))
    members = list(Member.objects.active().filter(unit=unit).order_by("pk"))
    candidates = _open_candidates(unit=unit)
    children = list(unit.children.filter(dissolved_on__isnull=True).order_by("pk"))
    villages = list(Village.objects.filter(commune=unit).order_by("pk"))
    left = []
    if members and members_to is None:
        left.append(ngettext("%(n)d member", "%(n)d members", len(members)) % {"n": len(members)})
    if candidates and members_to is None:
        left.append(
            ngettext("%(n)d admission candidate", "%(n)d admission candidates", len(candidates))
            % {"n": len(candidates)}
        )
    if (children or villages) and units_to is None:
        if children:
            n = len(children)
            left.append(ngettext("%(n)d unit", "%(n)d units", n) % {"n": n})
        if villages:
            n = len(villages)
            left.append(ngettext("%(n)d village", "%(n)d villages", n) % {"n": n})
    if left:
        raise ValidationError(
            _("%(unit)s still has %(left)s; move them elsewhere first, or with the dissolution.")
            % {"unit": unit.name, "left": ", ".join(left)}
        )
    for target in (members_to, units_to):
        if target is not None and (target.path.startswith(unit.path) or target.dissolved_on):
            raise ValidationError(
                _("%(target)s cannot take what %(unit)s leaves.")
                % {"target": target.name, "unit": unit.name}
            )
    if (members or candidates) and members_to.kind not in CELL_KINDS:
        raise ValidationError({"members_to": _("Members belong to a party cell.")})
    if children and units_to is not None:
        _check_may_sit_under(children, units_to)
    if villages and units_to.kind != UnitKind.COMMUNE:
        raise ValidationError(
            {"units_to": _("Villages belong to a commune party committee: choose a commune.")}
        )
    check_not_before_last_change([unit.path], on, member_units=[unit.pk])
    details = []
    if members or candidates:
        check_structure_edit(by, members_to.parent or members_to)
        _candidates_move(candidates, members_to, by)
        details += _members_join(members, members_to, on, by)
    if units_to is not None and (children or villages):
        check_structure_edit(by, units_to)
        for village in villages:
            village.commune_id = units_to.pk
        _pass_villages(villages, ["commune"], on, by)
        moved = _move_children(unit, units_to, on, by)
        _pass_villages(_villages_follow_cells(moved), ["commune"], on, by)
        details.append(
            _("%(units)d units and %(villages)d villages pass to %(into)s.")
            % {"units": len(moved), "villages": len(villages), "into": units_to.name}
        )
    uncovered = list(Village.objects.filter(cell=unit))
    for village in uncovered:
        village.cell = None
    _pass_villages(uncovered, ["cell"], on, by)
    if uncovered:
        details.append(
            ngettext(
                "%(n)d village is no longer covered by a cell.",
                "%(n)d villages are no longer covered by a cell.",
                len(uncovered),
            )
            % {"n": len(uncovered)}
        )
    _end(unit, on, by)
    summary = _("%(unit)s dissolved.") % {"unit": unit.name}
    parts = [(unit, ReorgRole.SUBJECT)]
    parts += [(t, ReorgRole.RESULT) for t in (members_to, units_to) if t is not None]
    return _record(
        ReorgKind.DISSOLVE,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=[summary, *details],
        parts=parts,
    )


def _assignments_to(district: Unit, province: Unit, by) -> int:
    """The district's role assignments pass to the province (a user who already holds a role
    there keeps that one), so its staff keep working after the reform."""
    held = set(Assignment.objects.filter(unit=province).values_list("user_id", flat=True))
    moving, dropped = [], []
    for assignment in Assignment.objects.filter(unit=district).select_related("user"):
        (dropped if assignment.user_id in held else moving).append(assignment)
    for assignment in moving:
        assignment.unit = province
    if moving:
        bulk_update_with_history(moving, Assignment, ["unit"], default_user=by)
    for assignment in dropped:
        assignment._history_user = by
        assignment.delete()
    for assignment in [*moving, *dropped]:
        forget_scope(assignment.user)
    forget_scope(by)
    return len(moving) + len(dropped)


@transaction.atomic
def reorg_reform_2025(
    *, district: Unit, on: date, decision_number: str, note="", by,
    merges: list = (), move_assignments: bool = False,
):  # fmt: skip
    """QĐ 294-QĐ/TW (2025): the district committee ends; its units go directly under the province.

    `merges` optionally merge communes on the same day: (absorbed communes, commune kept) or
    (absorbed communes, commune kept, its new name). With `move_assignments` the district's
    role assignments pass to the province.
    """
    if district.kind != UnitKind.DISTRICT:
        raise ValidationError(_("Only a district committee is abolished by the 2025 reform."))
    province = district.parent
    check_structure_edit(by, province)
    check_not_in_future(on)
    lock_tree(district, rows=[province])
    district = Unit.objects.get(pk=district.pk)
    province = district.parent
    check_not_before_last_change([district.path], on)
    children = list(district.children.filter(dissolved_on__isnull=True).order_by("pk"))
    moved = _move_children(district, province, on, by)
    summary = _("%(district)s abolished; %(n)d units now sit directly under %(province)s.") % {
        "district": district.name,
        "n": len(moved),
        "province": province.name,
    }
    details = [summary]
    if move_assignments:
        n = _assignments_to(district, province, by)
        if n:
            details.append(
                ngettext(
                    "%(n)d role assignment of the district passes to %(province)s.",
                    "%(n)d role assignments of the district pass to %(province)s.",
                    n,
                )
                % {"n": n, "province": province.name}
            )
    _end(district, on, by)
    for merge in merges:
        absorbed, into, name = (*merge, "")[:3]
        event = reorg_merge(
            absorbed=[Unit.objects.get(pk=u.pk) for u in absorbed],
            into=Unit.objects.get(pk=into.pk),
            on=on,
            decision_number=decision_number,
            note=note,
            by=by,
        )
        details += event.details
        if name and name != into.name:
            event = reorg_rename(
                unit=Unit.objects.get(pk=into.pk),
                name=name,
                on=on,
                decision_number=decision_number,
                note=note,
                by=by,
            )
            details += event.details
    return _record(
        ReorgKind.REFORM_2025,
        on=on,
        decision_number=decision_number,
        note=note,
        by=by,
        summary=summary,
        details=details,
        parts=[(district, ReorgRole.SUBJECT), (province, ReorgRole.TO_PARENT)]
        + [(c, ReorgRole.RESULT) for c in children],
    )
