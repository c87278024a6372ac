"""The member list table: Vietnamese name order, dates as dd/mm/yyyy."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from members.models import Member

OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}


class MemberTable(tables.Table):
    """Name, birth date and cell on a phone; the other columns from tablet width up."""

    full_name = tables.Column(linkify=True, order_by=("sort_key", "id"))
    birth_date = tables.DateColumn(format="d/m/Y")
    unit = tables.Column(
        verbose_name=_("Party cell"),
        accessor="unit__display_name",
        order_by=("unit__path", "sort_key"),
    )
    admitted_on = tables.DateColumn(format="d/m/Y", attrs=OPTIONAL)
    sex = tables.Column(attrs=OPTIONAL)
    ethnicity = tables.Column(attrs=OPTIONAL)
    status = tables.Column(attrs=OPTIONAL)

    class Meta:
        model = Member
        fields = ["full_name", "sex", "birth_date", "ethnicity", "unit", "status", "admitted_on"]
        order_by = ("full_name",)
        empty_text = _("No member matches.")
        attrs = {"class": "table table-sm table-hover align-middle member-table"}
