"""Scoped reads of member records."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from members.choices import ACTIVE_STATUSES, EXIT_STATUSES, EventKind, MemberStatus
from members.models import ImportBatch, Member, MembershipEvent, Placement
from members.rules import PROBATION_MONTHS, RECOGNITION_NOTICE_DAYS, add_months, probation_ends
from units.access import check_path, scope_for
from units.models import PATH_END


def member_list(*, user):
    """Members the user may see, with what a list row shows, in Vietnamese name order."""
    return Member.objects.visible_to(user).select_related("unit", "residence_village")


def get_member_for_user(user, pk, *, write: bool = False) -> Member:
    """The member `pk` if the user may see it (404 otherwise), and edit it when `write` (403)."""
    member = (
        Member.objects.filter(pk=pk)
        .select_related("unit", "unit__parent", "residence_village")
        .first()
    )
    if member is None:
        raise Http404
    check_path(user, member.unit.path, write=write)
    return member


def get_import_batch_for_user(user, pk) -> ImportBatch:
    """The user's own import `pk` (404 for anyone else's), into a cell the user may still edit."""
    batch = ImportBatch.objects.filter(pk=pk, user=user).select_related("unit").first()
    if batch is None:
        raise Http404
    check_path(user, batch.unit.path, write=True)
    return batch


def probation_due(*, user, unit, today: date) -> dict:
    """Probationary members of a unit's subtree whose probation has ended (overdue for
    recognition) or ends within the notice period (due soon), each with `due_on` and `days`."""
    horizon = today + timedelta(days=RECOGNITION_NOTICE_DAYS)
    # HD 12-HD/BTCTW (2022): probation counts from the ceremony, or the decision when the
    # ceremony date is not recorded.
    started = add_months(horizon, -PROBATION_MONTHS)
    members = (
        Member.objects.visible_to(user)
        .in_subtree(unit.path)
        .filter(status=MemberStatus.PROBATIONARY)
        .filter(Q(ceremony_on__lte=started) | Q(ceremony_on__isnull=True, admitted_on__lte=started))
        .select_related("unit")
        .order_by(Coalesce("ceremony_on", "admitted_on"), "sort_key", "id")
    )
    result = {"overdue": [], "due_soon": []}
    for member in members:
        member.due_on = probation_ends(member.ceremony_on or member.admitted_on)
        member.days = (member.due_on - today).days
        member.days_late = max(-member.days, 0)
        if member.due_on > horizon:
            continue
        result["overdue" if member.due_on < today else "due_soon"].append(member)
    return result


# --- Member register -------------------------------------------------------------------------

REGISTER_TRANSFERS = (EventKind.TRANSFER_IN, EventKind.TRANSFER_OUT, EventKind.TRANSFER_INTERNAL)


def register_members(*, user, unit, start: date | None = None, end: date | None = None):
    """Sổ danh sách đảng viên (form 7-HSĐV) of a unit's subtree: every member on its rolls at
    any time in the period (all time by default), those since transferred elsewhere included,
    in the order of the cell they were last in here, then by name.

    Read through placements, so a member who moved out of a cell stays in that cell's register.
    `with_register_moves` gives each member its cell here and its transfers in and out.
    """
    scope = scope_for(user)
    subtree = Q(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    placed = Placement.objects.filter(subtree, scope.visible_q("unit__path"))
    if end is not None:
        placed = placed.filter(valid_from__lte=end)
    if start is not None:
        placed = placed.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    # A record without placements (none is written so today) shows in its cell.
    unplaced = (
        subtree
        & scope.visible_q("unit__path")
        & ~Q(Exists(Placement.objects.filter(member=OuterRef("pk"))))
    )
    if end is not None:
        unplaced &= Q(admitted_on__lte=end)
    if start is not None:
        unplaced &= Q(left_on__isnull=True) | Q(left_on__gte=start)
    last_here = (
        Placement.objects.filter(subtree, member=OuterRef("pk"))
        .order_by("-valid_from", "-id")
        .values("unit__path")[:1]
    )
    members = (
        Member.objects.filter(Q(pk__in=placed.values("member_id")) | unplaced)
        .annotate(register_path=Coalesce(Subquery(last_here), "unit__path"))
        .select_related("unit")
        .order_by("register_path", "sort_key", "id")
    )
    events = (
        MembershipEvent.objects.filter(kind__in=REGISTER_TRANSFERS)
        .select_related("unit", "from_unit", "to_unit")
        .order_by("on", "id")
    )
    placements = Placement.objects.filter(subtree).select_related("unit").order_by("valid_from")
    return members.prefetch_related(
        Prefetch("events", queryset=events, to_attr="register_events"),
        Prefetch("placements", queryset=placements, to_attr="register_placements"),
    )


def with_register_moves(members, *, unit, start: date | None = None, end: date | None = None):
    """Yield register_members' members with `register_cell` (their last cell in the subtree)
    and `transfer_in` / `transfer_out` (the latest transfer into / out of the subtree in the
    period: an event, with `origin` and `destination`, or None)."""

    def inside(cell) -> bool:
        return cell is not None and unit.path <= cell.path < unit.path + PATH_END

    for member in members.iterator(chunk_size=2000):
        here = member.register_placements
        member.register_cell = here[-1].unit if here else member.unit
        member.transfer_in = member.transfer_out = None
        for event in member.register_events:
            if (start and event.on < start) or (end and event.on > end):
                continue
            event.origin, event.destination = _route(event)
            if event.kind == EventKind.TRANSFER_IN and inside(event.to_unit or event.unit):
                member.transfer_in = event
            elif event.kind == EventKind.TRANSFER_OUT and inside(event.from_unit or event.unit):
                member.transfer_out = event
            elif event.kind == EventKind.TRANSFER_INTERNAL:
                into, out_of = inside(event.to_unit), inside(event.from_unit)
                if into and not out_of:
                    member.transfer_in = event
                elif out_of and not into:
                    member.transfer_out = event
        yield member


# --- Membership events -----------------------------------------------------------------------


def member_timeline(member) -> list[MembershipEvent]:
    """The member's events in date order, with the cells and authors they name (one query).

    Each event gets `origin` and `destination` (a cell's name or the organisation outside)
    for transfers, empty otherwise.
    """
    events = list(
        MembershipEvent.objects.filter(member=member)
        .select_related("unit", "from_unit", "to_unit", "created_by")
        .order_by("on", "id")
    )
    for event in events:
        event.origin, event.destination = _route(event)
    return events


def _outside(event) -> str:
    return f"{event.place} ({event.get_scope_display()})" if event.scope else event.place


def _name(unit) -> str:
    return unit.display_name if unit is not None else ""


def _route(event) -> tuple[str, str]:
    if event.kind == EventKind.TRANSFER_IN:
        return _outside(event), _name(event.to_unit or event.unit)
    if event.kind in (EventKind.TRANSFER_OUT, EventKind.TEMP_OUT):
        return _name(event.from_unit or event.unit), _outside(event)
    if event.kind == EventKind.TRANSFER_INTERNAL:
        return _name(event.from_unit), _name(event.to_unit)
    return "", ""


def _status_after(event: MembershipEvent, status, member) -> str | None:
    kind = event.kind
    if kind == EventKind.ADMITTED or kind == EventKind.REINSTATED:
        return MemberStatus.PROBATIONARY
    if kind == EventKind.RECOGNISED:
        return MemberStatus.FULL
    if kind == EventKind.TRANSFER_IN:
        # A member transferred in arrives with the status held elsewhere.
        full = member.official_on is not None and member.official_on <= event.on
        return MemberStatus.FULL if full else MemberStatus.PROBATIONARY
    if kind in EXIT_STATUSES:
        return EXIT_STATUSES[kind]
    return status


def member_status_on(member, day: date, events=None) -> str | None:
    """The member's status on `day` as their events give it (None before they were on
    chibo's rolls). `events`: the member's timeline, when the caller already has it."""
    status = None
    for event in member_timeline(member) if events is None else events:
        if event.on > day:
            break
        status = _status_after(event, status, member)
    return status


@dataclass
class Standing:
    """Where a member stood on a day: status, cell (None when off the rolls), and whether
    exempt from activity or away on temporary transfer."""

    status: str | None
    unit: object
    exempt: bool
    away: bool

    @property
    def on_rolls(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def get_status_display(self) -> str:
        return str(MemberStatus(self.status).label) if self.status else ""


def member_standing_on(member, day: date, events=None) -> Standing:
    """Status and cell on `day`, from the events and the placements (two queries)."""
    events = member_timeline(member) if events is None else events
    status, exempt, away = None, False, False
    for event in events:
        if event.on > day:
            break
        status = _status_after(event, status, member)
        if event.kind == EventKind.EXEMPTED:
            exempt = True
        elif event.kind in (EventKind.EXEMPTION_ENDED, EventKind.REINSTATED):
            exempt = False
        if event.kind == EventKind.TEMP_OUT:
            away = event.until is None or event.until > day
        elif event.kind in (EventKind.TEMP_BACK, EventKind.REINSTATED):
            away = False
    placement = Placement.objects.on(day).filter(member=member).select_related("unit").first()
    unit = placement.unit if placement is not None and status is not None else None
    on_rolls = status in ACTIVE_STATUSES
    return Standing(
        status=status, unit=unit if on_rolls else None, exempt=exempt and on_rolls, away=away
    )
