"""The member list table: Vietnamese name order, dates as dd/mm/yyyy."""

import django_tables2 as tables
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import AttributeDict

from members.exports import field_display
from members.models import Member

OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}
DATE = "d/m/Y"
# The indentation of django_tables2/table.html, for the same markup.
TBODY, TR, CELL, TD = (f"\n{' ' * n}" for n in (16, 20, 24, 28))


def _date(value) -> str:
    """A date as the `date` filter writes it (dd/mm/yyyy), without a template per cell."""
    return date_format(value, DATE)


class MemberTable(tables.Table):
    """Name, birth date and cell on a phone; the other columns from tablet width up."""

    full_name = tables.Column(linkify=True, order_by=("sort_key", "id"))
    birth_date = tables.Column()
    unit = tables.Column(
        verbose_name=_("Party cell"),
        accessor="unit__display_name",
        order_by=("unit__path", "sort_key"),
    )
    admitted_on = tables.Column(attrs=OPTIONAL)
    sex = tables.Column(attrs=OPTIONAL)
    ethnicity = tables.Column(attrs=OPTIONAL)
    status = tables.Column(attrs=OPTIONAL)

    class Meta:
        model = Member
        fields = ["full_name", "sex", "birth_date", "ethnicity", "unit", "status", "admitted_on"]
        order_by = ("full_name",)
        empty_text = _("No member matches.")
        attrs = {"class": "table table-sm table-hover align-middle member-table"}
        template_name = "members/member_table.html"

    # Plain columns rendered in Python: a template per cell was most of the page's time.
    def render_birth_date(self, value):
        return _date(value)

    def render_admitted_on(self, value):
        return _date(value)

    def _cell_values(self) -> dict:
        """A function of a record per column: the cell's content, as django-tables2 gives it."""

        def choice(name):
            return lambda m: field_display(m, name)

        def day(name):
            return lambda m: None if getattr(m, name) is None else _date(getattr(m, name))

        return {
            "full_name": lambda m: (
                m.full_name
                and format_html('<a href="{}">{}</a>', m.get_absolute_url(), m.full_name)
            ),
            "birth_date": day("birth_date"),
            "unit": lambda m: m.unit.display_name,
            "admitted_on": day("admitted_on"),
            "sex": choice("sex"),
            "ethnicity": choice("ethnicity"),
            "status": choice("status"),
        }

    def tbody_html(self):
        """The <tbody> of django-tables2's template (the same markup, its whitespace included),
        written in Python: the template took about 0.3 ms a cell, most of the list's time."""
        values = self._cell_values()
        columns = [(f"{TD}<td {c.attrs['td'].as_html()}>", c.name) for c in self.columns]
        html = [f"{TBODY}<tbody {AttributeDict(self.attrs.get('tbody', {})).as_html()}>{TBODY}"]
        for row in self.paginated_rows:
            html.append(f"{TR}{TR}<tr {row.attrs.as_html()}>{CELL}")
            for td, name in columns:
                value = values[name](row.record) if name in values else row.get_cell(name)
                if value in (None, ""):
                    value = self.default
                html.append(f"{td}{conditional_escape(value)}</td>{CELL}")
            html.append(f"{TR}</tr>{TR}{TBODY}")
        if len(html) == 1:  # no row
            html.append(TR)
            if self.empty_text:
                empty = conditional_escape(self.empty_text)
                html.append(f'{TR}{CELL}<tr><td colspan="{len(self.columns)}">{empty}</td></tr>')
                html.append(f"{TR}{TR}")
            html.append(TBODY)
        html.append(f"{TBODY}</tbody>\n            ")
        return mark_safe("".join(html))  # noqa: S308 - every value above is escaped
