"""Data quality of member records in a unit's subtree: what is missing, doubled or impossible.

Each check is one or two queries whatever the number of members (a count and the first rows),
so the page costs the same for a cell and for a province.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Concat, ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext_lazy as _

from members.choices import MemberStatus
from members.models import Member
from units.models import PATH_END, Unit, UnitKind

# How many members a section lists; its count is always the full one.
SHOWN = 200
# Điều lệ Đảng, art. 1: admitted at 18 or older; probation 12 months from the ceremony
# (HD 12-HD/BTCTW, 2022). As yyyymmdd numbers, 18 years is 180000 and 12 months is 10000.
ADMISSION_AGE = 18
PROBATION_YEARS = 1
EARLIEST_BIRTH = date(1900, 1, 1)
# The dates a record holds: none of them may be in the future.
DATES = ("birth_date", "admitted_on", "ceremony_on", "official_on", "exempt_since", "left_on")


@dataclass
class Section:
    """One check: its title, the full count, and the first members found (with reasons)."""

    key: str
    title: str
    count: int = 0
    members: list = field(default_factory=list)
    groups: list = field(default_factory=list)  # duplicates: lists of members


def _day_number(name: str):
    """A date as the number yyyymmdd: whole years apart are multiples of 10000, on any database."""
    return ExtractYear(name) * 10000 + ExtractMonth(name) * 100 + ExtractDay(name)


def _section(key, title, members) -> Section:
    section = Section(key=key, title=str(title))
    section.count = members.count()
    section.members = list(members[:SHOWN])
    return section


def _date_problems(today: date) -> Q:
    """Members whose dates cannot all be true."""
    future = Q()
    for name in DATES:
        future |= Q(**{f"{name}__gt": today})
    return (
        future
        | Q(birth_date__lt=EARLIEST_BIRTH)
        | Q(admitted_n__lt=F("born_n") + ADMISSION_AGE * 10000)
        | Q(ceremony_on__lt=F("admitted_on"))
        | Q(official_on__lte=F("admitted_on"))
        | Q(official_n__lt=F("probation_from_n") + PROBATION_YEARS * 10000)
    )


def _date_reasons(member: Member, today: date) -> list[str]:
    reasons = []
    if any(getattr(member, name) and getattr(member, name) > today for name in DATES):
        reasons.append(_("a date in the future"))
    if member.birth_date < EARLIEST_BIRTH:
        reasons.append(_("born before 1900"))
    if member.age_on(member.admitted_on) < ADMISSION_AGE:
        reasons.append(_("admitted before the age of 18"))
    if member.ceremony_on and member.ceremony_on < member.admitted_on:
        reasons.append(_("ceremony before the admission decision"))
    if member.official_on:
        if member.official_on <= member.admitted_on:
            reasons.append(_("full member before admission"))
        elif member.official_n < member.probation_from_n + PROBATION_YEARS * 10000:
            reasons.append(
                _("full member less than 12 months after the ceremony")
                if member.ceremony_on
                else _("full member less than 12 months after admission")
            )
    return [str(r) for r in reasons]


def _twins(visible, subtree_q: Q, same: list[str]):
    """Members of `visible` sharing the `same` fields with another visible member, in groups
    that touch the subtree: one query."""
    twin = visible.filter(**{name: OuterRef(name) for name in same}).exclude(pk=OuterRef("pk"))
    return (
        visible.filter(Exists(twin))
        .filter(subtree_q | Exists(twin.filter(subtree_q)))
        .select_related("unit")
        .order_by(*same, "sort_key", "id")
    )


def _grouped(members, same: list[str], limit: int) -> tuple[int, list[list[Member]]]:
    groups: dict = {}
    for member in members:
        groups.setdefault(tuple(getattr(member, n) for n in same), []).append(member)
    found = list(groups.values())
    return len(found), found[:limit]


def data_quality(*, user, unit: Unit, today: date) -> list[Section]:
    """Every check of the unit's subtree, as the user may see it."""
    visible = Member.objects.visible_to(user)
    subtree_q = Q(unit__path__gte=unit.path, unit__path__lt=unit.path + PATH_END)
    members = visible.filter(subtree_q).select_related("unit").order_by("sort_key", "id")
    active = members.active()
    sections = [
        _section(
            "no_citizen_id", _("Members without a citizen ID number"), active.filter(citizen_id="")
        ),
        _section(
            "no_card",
            _("Full members without a party card number"),
            active.filter(status=MemberStatus.FULL, card_number=""),
        ),
    ]

    for key, title, same, extra in (
        ("same_citizen_id", _("The same citizen ID number"), ["citizen_id"], ~Q(citizen_id="")),
        (
            "same_name_birth",
            _("The same name and date of birth"),
            ["search_key", "birth_date"],
            Q(),
        ),
    ):
        section = Section(key=key, title=str(title))
        twins = _twins(visible.active().filter(extra), subtree_q, same)
        section.count, section.groups = _grouped(twins, same, SHOWN)
        sections.append(section)

    dated = members.annotate(
        born_n=_day_number("birth_date"),
        admitted_n=_day_number("admitted_on"),
        official_n=_day_number("official_on"),
        probation_from_n=Coalesce(
            _day_number("ceremony_on"), _day_number("admitted_on"), output_field=IntegerField()
        ),
    ).filter(_date_problems(today))
    section = _section("impossible_dates", _("Dates that cannot be right"), dated)
    for member in section.members:
        member.reasons = _date_reasons(member, today)
    sections.append(section)

    sections.append(_village_section(active, unit))
    return sections


def _village_section(active, unit: Unit) -> Section:
    """Members living in a village of another commune than the one their cell belongs to.

    A village's commune holds the cell when the cell's path lies in the commune's path range;
    cells under no commune (agencies under a district) are not checked.
    """
    commune_path = F("residence_village__commune__path")
    outside = (
        active.filter(residence_village__isnull=False)
        .exclude(
            unit__path__gte=commune_path,
            unit__path__lt=Concat(commune_path, Value(PATH_END)),
        )
        .select_related("residence_village", "residence_village__commune")
    )
    # Cells with a commune above them: the communes among the ancestors of the subtree's cells
    # or of the unit itself, one query.
    communes = Unit.objects.filter(kind=UnitKind.COMMUNE).filter(
        Q(path__gte=unit.path, path__lt=unit.path + PATH_END)
        | Q(pk__in=unit.ancestor_ids + [unit.pk])
    )
    under_commune = Q()
    for path in communes.values_list("path", flat=True):
        under_commune |= Q(unit__path__gte=path, unit__path__lt=path + PATH_END)
    if not under_commune:
        return Section(key="village_outside", title=str(_("Living outside the cell's commune")))
    return _section(
        "village_outside", _("Living outside the cell's commune"), outside.filter(under_commune)
    )
