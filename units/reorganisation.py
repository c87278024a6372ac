"""Reorganisations of the tree: found, rename, move, merge, split, dissolve, the 2025 reform.

Each is one transaction, dated by its effective day and decision number, and leaves a
ReorgEvent naming the units it touched. Each can run as a preview: the same code inside a
transaction that is rolled back, so what the user confirms is what the change does.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from members.models import Candidate, Member
from members.services import members_move
from units.access import paths_q, scope_for
from units.models import (
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


def _require_structure_edit(by, unit: Unit) -> None:
    scope = scope_for(by)
    if not scope.can_edit(unit.path) or scope.is_secretary_only:
        raise PermissionDenied


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


def _move_children(source: Unit, target: Unit, on: date, by) -> int:
    """Everything under `source` goes under `target`: a fixed number of queries."""
    children = list(source.children.filter(dissolved_on__isnull=True))
    if not children:
        return 0
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
    return len(children)


def _end(unit: Unit, on: date, by) -> None:
    unit.dissolved_on = on
    unit._history_user = by
    unit.save()
    _close_version(unit, on)


@transaction.atomic
def reorg_found(*, parent: Unit, on: date, decision_number: str, note: str = "", by, **fields):
    """Thành lập: a new unit under `parent` from `on`."""
    _require_structure_edit(by, parent)
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
    _require_structure_edit(by, unit.parent or unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    check_not_before_last_change([unit.path], on)
    old_name = unit.name
    unit.name, unit.short_name = name, short_name
    unit._history_user = by
    unit.full_clean()
    unit.save()
    _close_version(unit, on)
    version_of(unit, on).save()
    summary = _("%(old)s renamed %(new)s.") % {"old": old_name, "new": unit.name}
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
    """Điều chuyển: the unit, everything under it, its members and villages go under another."""
    old_parent = unit.parent
    subtree_units = Unit.objects.subtree(unit.path).active().count()
    members = Member.objects.active().in_subtree(unit.path).count()
    unit = unit_move(unit=unit, new_parent=new_parent, by=by, effective_on=on)
    # A village cell takes its villages along to the commune it now belongs to.
    commune = next(
        (u for u in Unit.objects.filter(pk__in=unit.ancestor_ids, kind=UnitKind.COMMUNE)),
        None,
    )
    villages = list(Village.objects.filter(cell=unit).exclude(commune=commune))
    if commune is not None and villages:
        for village in villages:
            village.commune = commune
        bulk_update_with_history(villages, Village, ["commune"], default_user=by)
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
    if commune is not None and villages:
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


def _absorb(source: Unit, into: Unit, on: date, by) -> list[str]:
    """Members, villages, sub-units, officers and roles of `source` pass to `into`."""
    details = []
    members = list(Member.objects.active().filter(unit=source))
    if members:
        members_move(members=members, to_unit=into, on=on, by=by)
        details.append(
            ngettext("%(n)d member joins %(into)s.", "%(n)d members join %(into)s.", len(members))
            % {"n": len(members), "into": into.name}
        )
    _candidates_move(_open_candidates(unit=source), into, by)
    villages = list(Village.objects.filter(commune=source))
    clash = Village.objects.filter(commune=into, name__in=[v.name for v in villages])
    if clash.exists():
        raise ValidationError(
            _("%(into)s already has villages named %(names)s; rename them before the merger.")
            % {"into": into.name, "names": ", ".join(clash.values_list("name", flat=True))}
        )
    covered = list(Village.objects.filter(cell=source))
    for village in villages:
        village.commune = into
    for village in covered:
        village.cell = into
    if villages:
        bulk_update_with_history(villages, Village, ["commune"], default_user=by)
    if covered:
        bulk_update_with_history(covered, Village, ["cell"], default_user=by)
    if villages or covered:
        n = len(villages) + len(covered)
        details.append(
            ngettext("%(n)d village passes to %(into)s.", "%(n)d villages pass to %(into)s.", n)
            % {"n": n, "into": into.name}
        )
    moved = _move_children(source, into, on, by)
    if moved:
        details.append(
            ngettext("%(n)d unit moves under %(into)s.", "%(n)d units move under %(into)s.", moved)
            % {"n": moved, "into": into.name}
        )
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
    """Sáp nhập: the absorbed units end on `on`; members, villages, units, officers follow."""
    _require_structure_edit(by, into.parent or into)
    into = Unit.objects.select_for_update().get(pk=into.pk)
    absorbed = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in absorbed]))
    if not absorbed or any(u.pk == into.pk for u in absorbed):
        raise ValidationError(_("Choose units to merge other than the unit they merge into."))
    for unit in absorbed:
        _require_structure_edit(by, unit.parent or unit)
        if (unit.kind in CELL_KINDS) != (into.kind in CELL_KINDS):
            raise ValidationError(
                _("%(unit)s cannot merge into %(into)s: a cell merges into a cell.")
                % {"unit": unit.name, "into": into.name}
            )
        if into.path.startswith(unit.path):
            raise ValidationError(_("A unit cannot merge into a unit under it."))
    check_not_before_last_change([u.path for u in absorbed] + [into.path], on)
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


@transaction.atomic
def reorg_split(
    *, cell: Unit, parts: list[tuple[str, list[Village]]], on: date, decision_number: str,
    note="", by,
):  # fmt: skip
    """Chia tách: a combined cell gives villages to new independent cells.

    `parts` are (new cell name, villages it covers). The members who live in a part's villages
    follow it; the rest stay in the original cell with the villages no part takes.
    """
    _require_structure_edit(by, cell.parent)
    cell = Unit.objects.select_for_update().get(pk=cell.pk)
    own = {v.pk: v for v in Village.objects.filter(cell=cell)}
    if len(own) < 2:
        raise ValidationError(_("Only a combined cell (covering two villages or more) is split."))
    taken = [v.pk for _name, villages in parts for v in villages]
    if not parts or len(set(taken)) != len(taken) or not set(taken) <= set(own):
        raise ValidationError(_("Give each new cell villages the combined cell covers, once."))
    check_not_before_last_change([cell.path], on)
    results, details = [], []
    for name, villages in parts:
        new = unit_create(
            parent=cell.parent,
            by=by,
            effective_on=on,
            kind=cell.kind,
            category=cell.category,
            name=name,
            founded_on=on,
        )
        results.append(new)
        moved_villages = [own[v.pk] for v in villages]
        for village in moved_villages:
            village.cell = new
        bulk_update_with_history(moved_villages, Village, ["cell"], default_user=by)
        followers = list(
            Member.objects.active().filter(unit=cell, residence_village__in=moved_villages)
        )
        if followers:
            members_move(members=followers, to_unit=new, on=on, by=by)
        _candidates_move(_open_candidates(unit=cell, residence_village__in=moved_villages), new, by)
        details.append(
            _("%(cell)s: %(villages)s; %(members)d members.")
            % {
                "cell": name,
                "villages": ", ".join(v.name for v in moved_villages),
                "members": len(followers),
            }
        )
    summary = _("%(cell)s split; new cells: %(new)s.") % {
        "cell": cell.name,
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
    """Giải thể: refused while members, units or villages are left, unless they move with it."""
    _require_structure_edit(by, unit.parent or unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    members = list(Member.objects.active().filter(unit=unit))
    candidates = _open_candidates(unit=unit)
    children = unit.children.filter(dissolved_on__isnull=True).count()
    villages = Village.objects.filter(commune=unit).count()
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
            left.append(ngettext("%(n)d unit", "%(n)d units", children) % {"n": children})
        if villages:
            left.append(ngettext("%(n)d village", "%(n)d villages", villages) % {"n": villages})
    if left:
        raise ValidationError(
            _("%(unit)s still has %(left)s; move them elsewhere first, or with the dissolution.")
            % {"unit": unit.name, "left": ", ".join(left)}
        )
    check_not_before_last_change([unit.path], on)
    details = []
    if candidates:
        _require_structure_edit(by, members_to.parent or members_to)
        _candidates_move(candidates, members_to, by)
    if members:
        _require_structure_edit(by, members_to.parent or members_to)
        members_move(members=members, to_unit=members_to, on=on, by=by)
        details.append(
            ngettext("%(n)d member joins %(into)s.", "%(n)d members join %(into)s.", len(members))
            % {"n": len(members), "into": members_to.name}
        )
    if units_to is not None and (children or villages):
        _require_structure_edit(by, units_to)
        moved = _move_children(unit, units_to, on, by)
        vills = list(Village.objects.filter(commune=unit))
        for village in vills:
            village.commune = units_to
        if vills:
            bulk_update_with_history(vills, Village, ["commune"], default_user=by)
        details.append(
            _("%(units)d units and %(villages)d villages pass to %(into)s.")
            % {"units": moved, "villages": len(vills), "into": units_to.name}
        )
    uncovered = list(Village.objects.filter(cell=unit))
    for village in uncovered:
        village.cell = None
    if uncovered:
        bulk_update_with_history(uncovered, Village, ["cell"], default_user=by)
    Officer.objects.filter(unit=unit, ends_on__isnull=True).update(ends_on=on)
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


@transaction.atomic
def reorg_reform_2025(
    *, district: Unit, on: date, decision_number: str, note="", by,
    merges: list[tuple[list[Unit], Unit]] = (),
):  # fmt: skip
    """QĐ 294-QĐ/TW (2025): the district committee ends; its units go directly under the province.

    `merges` optionally merge communes on the same day: (absorbed communes, commune kept).
    """
    if district.kind != UnitKind.DISTRICT:
        raise ValidationError(_("Only a district committee is abolished by the 2025 reform."))
    province = district.parent
    _require_structure_edit(by, province)
    district = Unit.objects.select_for_update().get(pk=district.pk)
    province = Unit.objects.select_for_update().get(pk=province.pk)
    check_not_before_last_change([district.path], on)
    children = list(district.children.filter(dissolved_on__isnull=True))
    moved = _move_children(district, province, on, by)
    _end(district, on, by)
    summary = _("%(district)s abolished; %(n)d units now sit directly under %(province)s.") % {
        "district": district.name,
        "n": moved,
        "province": province.name,
    }
    details = [summary]
    for absorbed, into in merges:
        merge = reorg_merge(
            absorbed=[Unit.objects.get(pk=u.pk) for u in absorbed],
            into=Unit.objects.get(pk=into.pk),
            on=on,
            decision_number=decision_number,
            note=note,
            by=by,
        )
        details += merge.details
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
