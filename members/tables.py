"""The member list table: Vietnamese name order, dates as dd/mm/yyyy."""

from html import escape

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableData
from django_tables2.utils import AttributeDict

from members.models import Member

OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}
# The indentation of django_tables2/table.html, for the same markup.
TBODY, TR, CELL, TD = (f"\n{' ' * n}" for n in (16, 20, 24, 28))


EVEN_ODD = ('class="even"', 'class="odd"')
PK_MARK = 987654321  # an id to find in a reversed address


def _day(value) -> str | None:
    """A date as the `date` filter writes it with `d/m/Y` (two-digit day and month and a
    four-digit year in every language), without the formatting machinery."""
    if value is None:
        return None
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _escaped(value):
    """`value` as Django's `escape` writes it (Python's, on its text)."""
    return None if value in (None, "") else escape(str(value))


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

    # What a row shows of a member and its cell, read as one values query of the page's rows.
    ROW = (
        "pk",
        "full_name",
        "sex",
        "birth_date",
        "ethnicity",
        "status",
        "admitted_on",
        "unit__short_name",
        "unit__name",
    )

    def _cell_values(self) -> dict:
        """A function of a row (a tuple of ROW) per column: the cell's content as django-tables2
        gives it, already escaped. The link's address and the choices' labels are looked up
        once."""
        link = reverse("member_detail", args=[PK_MARK]).replace(str(PK_MARK), "{}")
        at = {name: i for i, name in enumerate(self.ROW)}

        def choice(name):
            labels = {
                value: escape(str(label))
                for value, label in Member._meta.get_field(name).flatchoices
            }
            i = at[name]
            return lambda r: labels.get(r[i]) or _escaped(r[i])

        def day(name):
            i = at[name]
            return lambda r: _day(r[i])

        short, name = at["unit__short_name"], at["unit__name"]
        return {
            "full_name": lambda r: r[1] and f'<a href="{link.format(r[0])}">{escape(r[1])}</a>',
            "birth_date": day("birth_date"),
            "unit": lambda r: _escaped(r[short] or r[name]),  # Unit.display_name
            "admitted_on": day("admitted_on"),
            "sex": choice("sex"),
            "ethnicity": choice("ethnicity"),
            "status": choice("status"),
        }

    def _rows(self):
        """The page's rows: the table is given `values_list(*ROW)` of its members (no model
        instance per member and cell), so each row is a tuple of ROW."""
        rows = self.page.object_list if hasattr(self, "page") else self.rows
        records = rows.data  # the page's slice of the (ordered) data
        return records.data if isinstance(records, TableData) else records  # not paginated

    def tbody_html(self):
        """The <tbody> of django-tables2's template (the same markup, its whitespace included),
        written in Python: the template took about 0.3 ms a cell, most of the list's time."""
        values = self._cell_values()
        columns = [(f"{TD}<td {c.attrs['td'].as_html()}>", values[c.name]) for c in self.columns]
        default = conditional_escape(self.default)
        html = [f"{TBODY}<tbody {AttributeDict(self.attrs.get('tbody', {})).as_html()}>{TBODY}"]
        for counter, row in enumerate(self._rows()):
            # django-tables2's row attributes: `even` and `odd` (the table sets no others).
            html.append(f"{TR}{TR}<tr {EVEN_ODD[counter % 2]}>{CELL}")
            for td, value_of in columns:
                value = value_of(row)
                html.append(f"{td}{default if value in (None, '') else value}</td>{CELL}")
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
