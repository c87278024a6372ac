"""Huy hiệu Đảng: members who reach a badge's years of membership in a year, the awards, and
the list as an .xlsx workbook.

Party age counts from the admission decision (Member.admitted_on), so a member admitted in 1996
reaches 30 years of membership in 2026, whatever the day of the year.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from simple_history.utils import bulk_create_with_history

from members.exports import DATE_FORMAT, neutralise
from members.models import BadgeAward, Member
from units.access import scope_for
from units.models import Unit

# QĐ on party badges: badges at 30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85 and 90 years of
# membership, party age counted from the admission decision (GLOSSARY.md, "Rules").
BADGE_YEARS = (30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90)


@dataclass
class BadgeGroup:
    """The members of a unit who reach `years` of membership in the year, in name order."""

    years: int
    members: list = field(default_factory=list)

    @property
    def awarded_count(self) -> int:
        return sum(1 for m in self.members if m.award is not None)


def badge_years_in(year: int, admitted_on: date) -> int:
    """Years of party membership reached in `year` by a member admitted on `admitted_on`."""
    return year - admitted_on.year


def _reaching(members, year: int):
    """Active members whose admission year puts them on a badge threshold in `year`."""
    q = Q()
    for years in BADGE_YEARS:
        start = date(year - years, 1, 1)
        q |= Q(admitted_on__gte=start, admitted_on__lt=date(year - years + 1, 1, 1))
    return members.active().filter(q)


def badge_list(*, user, unit: Unit, year: int) -> list[BadgeGroup]:
    """Members of the unit's subtree reaching a badge in `year`, grouped by threshold, each with
    `award` (the BadgeAward for that threshold, or None): two queries whatever the size."""
    reaching = _reaching(Member.objects.visible_to(user).in_subtree(unit.path), year)
    members = list(reaching.select_related("unit").order_by("sort_key", "id"))
    # The same filter as a subquery: one query however many members, none left out when empty.
    awards = {
        (a.member_id, a.years): a
        for a in BadgeAward.objects.filter(member__in=reaching.values("pk"), years__in=BADGE_YEARS)
    }
    groups = {years: BadgeGroup(years) for years in BADGE_YEARS}
    for member in members:
        member.badge_years = badge_years_in(year, member.admitted_on)
        member.award = awards.get((member.pk, member.badge_years))
        groups[member.badge_years].members.append(member)
    return [group for group in groups.values() if group.members]


@transaction.atomic
def badges_award(
    *,
    unit: Unit,
    year: int,
    member_ids,
    awarded_on: date,
    decision_number: str,
    by,
) -> list[BadgeAward]:
    """Record one decision's badges for the selected members of a unit's list for `year`:
    each gets the badge of the threshold they reach that year, all or none, with history."""
    scope = scope_for(by)
    if not scope.can_edit(unit.path):
        raise PermissionDenied
    if awarded_on > timezone.localdate():
        raise ValidationError({"awarded_on": _("This date is in the future.")})
    wanted = set(member_ids)
    if not wanted:
        raise ValidationError(_("Select the members who receive the badge."))
    members = list(
        _reaching(Member.objects.in_subtree(unit.path).filter(pk__in=wanted), year)
        .select_for_update()
        .select_related("unit")
    )
    if len(members) != len(wanted) or not all(scope.can_edit(m.unit.path) for m in members):
        raise ValidationError(_("Some of the selected members are not on this badge list."))
    taken = set(
        BadgeAward.objects.filter(
            member__in=members, years__in={badge_years_in(year, m.admitted_on) for m in members}
        ).values_list("member_id", "years")
    )
    awards = []
    for member in members:
        years = badge_years_in(year, member.admitted_on)
        if (member.pk, years) in taken:
            raise ValidationError(
                _("%(name)s already has the %(years)d-year badge.")
                % {"name": member.full_name, "years": years}
            )
        awards.append(
            BadgeAward(
                member=member,
                years=years,
                awarded_on=awarded_on,
                decision_number=decision_number,
                created_by=by,
            )
        )
    return bulk_create_with_history(awards, BadgeAward, default_user=by)


def badge_workbook(groups: list[BadgeGroup], *, unit: Unit, year: int) -> bytes:
    """The badge list as a one-sheet workbook: a title block, then each threshold's members."""
    columns = [
        (_("No."), 6),
        (_("Full name"), 28),
        (_("Date of birth"), 12),
        (_("Party cell"), 30),
        (_("Admitted on"), 12),
        (_("Years of membership"), 12),
        (_("Awarded on"), 12),
        (_("Decision number"), 18),
    ]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Party badges")[:31])
    for i, (_header, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)

    def strong(value):
        cell = WriteOnlyCell(sheet, value=neutralise(value))
        cell.font = bold
        return cell

    def day(value):
        if value is None:
            return ""
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    sheet.append([strong(_("Members reaching a party badge in %(year)d") % {"year": year})])
    sheet.append([neutralise(unit.display_name)])
    sheet.append([_("Made on %(day)s") % {"day": f"{timezone.localdate():%d/%m/%Y}"}])
    sheet.append([])
    sheet.append([strong(str(header)) for header, _width in columns])
    number = 0
    for group in groups:
        sheet.append(
            [
                strong(
                    _("%(years)d-year badge: %(count)d members")
                    % {"years": group.years, "count": len(group.members)}
                )
            ]
        )
        for member in group.members:
            number += 1
            award = member.award
            sheet.append(
                [
                    number,
                    neutralise(member.full_name),
                    day(member.birth_date),
                    neutralise(member.unit.display_name),
                    day(member.admitted_on),
                    group.years,
                    day(award.awarded_on if award else None),
                    neutralise(award.decision_number if award else ""),
                ]
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
