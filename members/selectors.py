"""Scoped reads of member records."""

from datetime import date, timedelta

from django.http import Http404

from members.choices import MemberStatus
from members.models import ImportBatch, Member
from members.rules import PROBATION_MONTHS, RECOGNITION_NOTICE_DAYS, add_months, probation_ends
from units.access import check_path


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


def cell_members_on(cell, day):
    """Members on the cell's rolls on `day` (admitted by then and not yet gone), name order.

    Exempt members are included: callers that compute attendance leave them out themselves
    (HD 12-HD/BTCTW: exempt members do not count in the attendance rate).
    """
    return (
        Member.objects.filter(unit=cell, admitted_on__lte=day)
        .active()
        .select_related("unit")
        .order_by("sort_key", "id")
    )


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
    members = (
        Member.objects.visible_to(user)
        .in_subtree(unit.path)
        .filter(status=MemberStatus.PROBATIONARY)
        .filter(admitted_on__lte=add_months(horizon, -PROBATION_MONTHS))
        .select_related("unit")
        .order_by("admitted_on", "sort_key", "id")
    )
    result = {"overdue": [], "due_soon": []}
    for member in members:
        member.due_on = probation_ends(member.admitted_on)
        member.days = (member.due_on - today).days
        member.days_late = max(-member.days, 0)
        if member.due_on > horizon:
            continue
        result["overdue" if member.due_on < today else "due_soon"].append(member)
    return result
