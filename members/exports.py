"""Excel exports of member records: any filtered member list, and the member register.

Workbooks are written with openpyxl's write_only mode (constant memory: DESIGN.md, 100k rows
in ~16 s at ~30 MB). Text that a spreadsheet would run as a formula is neutralised.
"""

import functools
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from operator import call

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts import audit
from accounts.models import AuditKind
from members.models import Member
from members.sensitive import SENSITIVE_FIELDS
from units.models import Unit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"


def neutralise(value):
    """Text starting with = + - @ (or a tab or carriage return) becomes plain text (a leading
    quote), never a formula: the one rule of every export (reports.exports.frame uses it too)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _label(name: str) -> str:
    return capfirst(Member._meta.get_field(name).verbose_name)


@functools.cache
def _choice_labels(name: str, language: str | None, *, first_capital: bool) -> dict:
    """A field's value -> label, in a language: what `get_FOO_display` gives, without building
    the field's choices again for every cell of an export."""
    labels = {value: str(label) for value, label in Member._meta.get_field(name).flatchoices}
    return {v: capfirst(label) for v, label in labels.items()} if first_capital else labels


def field_display(member: Member, name: str, *, first_capital: bool = False):
    """`member.get_FOO_display()` of a field (its value when it has no label), labels cached
    per language: exports and the member table call it for every cell."""
    value = getattr(member, name)
    label = _choice_labels(name, get_language(), first_capital=first_capital).get(value)
    if label is not None:
        return label
    return capfirst(value) if first_capital and isinstance(value, str) else value


@dataclass(frozen=True)
class Column:
    """One column of a member export: `name` (a Member field, or a word for the others) is what
    the audit trail records; the header is the field's label unless given (evaluated at export
    time, in the user's language); `value` of a member (None: the row number).

    `read` lets an export of a queryset do without a Member per row: `read(members, cell)` gives
    the lookup a values query of `members` fetches for the column, and the function of the value
    fetched that gives the cell `cell(value(member))` would. write_members reads a queryset so
    when every column but the row number has one."""

    name: str
    width: int
    value: Callable | None
    header: Callable | None = None
    read: Callable | None = None

    @property
    def sensitive(self) -> bool:
        return self.name in SENSITIVE_FIELDS

    def label(self) -> str:
        return capfirst(str(self.header() if self.header else _label(self.name)))


class _Cells(dict):
    """Cells by the value they are made of, looked up at the speed of a dict: those of the
    values known beforehand (choices' labels, units' names), the others made by `make` when
    first met, and kept."""

    def __init__(self, make: Callable, known: dict):
        super().__init__(known)
        self.make = make

    def __missing__(self, key):
        cell = self[key] = self.make(key)
        return cell


def _stored(name):
    return lambda members, cell: (name, cell)


def _labelled(name, *, first_capital: bool = False):
    """Reads a choice field: its labels in the active language (and `field_display`'s value of
    a value without one), each label's cell made once."""

    def read(members, cell):
        labels = _choice_labels(name, get_language(), first_capital=first_capital)

        def unlabelled(value):
            return cell(capfirst(value) if first_capital and isinstance(value, str) else value)

        known = {value: cell(label) for value, label in labels.items()}
        return name, _Cells(unlabelled, known).__getitem__

    return read


def _choice(name):
    return lambda m: field_display(m, name, first_capital=True), _labelled(name, first_capital=True)


def _label_of(name):
    return lambda m: field_display(m, name), _labelled(name)


def _field(name):
    return lambda m: getattr(m, name), _stored(name)


def _column(spec) -> Column:
    """A Column as it is; (field name, width[, kind]) for a column of a Member field, its value
    the field's own unless a kind (`_choice`, `_label_of`: a pair of the value of a member and
    its `read`) is given."""
    if isinstance(spec, Column):
        return spec
    name, width, *kind = spec
    value, read = (kind[0] if kind else _field)(name)
    return Column(name, width, value, read=read)


def _unit_name(m: Member) -> str:
    return m.unit.display_name


def _read_unit_names(members, cell):
    """Reads the unit column by the member's unit id: the names of the units of `members`,
    each unit's cell made once."""
    units = Unit.objects.filter(pk__in=members.order_by().values("unit_id"))
    known = {unit.pk: cell(unit.display_name) for unit in units}

    def unknown(pk):  # a unit the member joined since
        return cell(Unit.objects.get(pk=pk).display_name)

    return "unit_id", _Cells(unknown, known).__getitem__


NUMBER = Column("number", 6, None, lambda: _("No."))
LIST_COLUMNS = [
    _column(spec)
    for spec in (
        NUMBER,
        ("full_name", 28),
        ("sex", 8, _choice),
        ("birth_date", 12),
        ("ethnicity", 12, _label_of),
        ("religion", 14, _choice),
        Column("unit", 30, _unit_name, read=_read_unit_names),
        ("citizen_id", 15),
        ("phone", 14),
        ("permanent_address", 30),
        ("temporary_address", 30),
        ("card_number", 14),
        ("admitted_on", 12),
        ("official_on", 12),
        ("status", 20, _choice),
    )
]


def _on(event):
    return event.on if event is not None else None


def _register_notes(member: Member) -> str:
    notes = [_("exempt from activity")] if member.is_exempt else []
    if member.notes:
        notes.append(member.notes)
    return "; ".join(str(n) for n in notes)


# Sổ danh sách đảng viên (form 7-HSĐV): the columns GLOSSARY.md lists, for members as
# members.selectors.with_register_moves gives them: their cell in the unit's subtree, and the
# latest transfer into and out of the subtree (from another cell of the tree or outside it).
REGISTER_COLUMNS = [
    _column(spec)
    for spec in (
        NUMBER,
        ("full_name", 28),
        ("birth_name", 20),
        ("sex", 8, _choice),
        ("birth_date", 12),
        ("ethnicity", 12, _label_of),
        ("religion", 14, _choice),
        ("hometown", 28),
        ("education", 18, _choice),
        ("qualification", 18, _choice),
        ("theory_level", 18, _choice),
        ("occupation", 18, _choice),
        Column("unit", 30, lambda m: m.register_cell.display_name),
        ("admitted_on", 12),
        ("ceremony_on", 12),
        ("official_on", 12),
        ("card_number", 14),
        ("cv_number", 12),
        ("badge_number", 12),
        Column(
            "transferred_in_on", 12, lambda m: _on(m.transfer_in), lambda: _("transferred in on")
        ),
        Column(
            "transferred_in_from",
            30,
            lambda m: m.transfer_in and m.transfer_in.origin,
            lambda: _("transferred in from"),
        ),
        Column(
            "transferred_out_on", 12, lambda m: _on(m.transfer_out), lambda: _("transferred out on")
        ),
        Column(
            "transferred_out_to",
            30,
            lambda m: m.transfer_out and m.transfer_out.destination,
            lambda: _("transferred out to"),
        ),
        ("left_on", 12),
        Column(
            "form_of_leaving",
            20,
            lambda m: "" if m.is_active else field_display(m, "status", first_capital=True),
            lambda: _("form of leaving"),
        ),
        Column("notes", 24, _register_notes),
    )
]


def columns_for(columns: list[Column], *, sensitive: bool) -> list[Column]:
    """The columns of an export: the sensitive ones only when asked for (by a user with the
    right: the views decide, members.sensitive has the rule)."""
    return [c for c in columns if sensitive or not c.sensitive]


@dataclass(frozen=True)
class Written:
    """A workbook's bytes, and what the audit trail records of it."""

    content: bytes
    columns: list[str]
    rows: int


def _date_cells(sheet) -> _Cells:
    """One cell per date (real date, DD/MM/YYYY) for every cell of that date: a write-only sheet
    writes each cell as it is appended, so one can stand anywhere (making a date's cell for
    every cell of a large export was a good part of its time)."""

    def make(day):
        cell = WriteOnlyCell(sheet)
        cell.number_format = DATE_FORMAT
        cell.value = day
        return cell

    return _Cells(make, {})


def _cell_of(dates: _Cells) -> Callable:
    """How a value becomes a cell: nothing an empty one, text neutralised (as `neutralise`
    does, inline: this runs for every cell), a date its cell of `dates`."""

    def cell(value):
        if value is None:
            return ""
        if isinstance(value, str):
            return "'" + value if value.startswith(FORMULA_STARTS) else value
        if isinstance(value, date):
            return dates[value]
        return value

    return cell


def write_members(members, columns: list[Column], *, title: str) -> Written:
    """A one-sheet workbook: bold frozen header, one row per member (of a queryset, read in
    chunks, or of any iterable), dates as real dates.

    A queryset whose columns all have `read` is read as a values query (no Member per row, one
    dict lookup per choice's cell); otherwise each column's `value` of each member."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(column.label()))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    to_cell = _cell_of(_date_cells(sheet))
    numbered = [i for i, column in enumerate(columns) if column.value is None]
    number = 0
    if hasattr(members, "values_list") and all(
        column.read for column in columns if column.value is not None
    ):
        lookups, makers = [], []
        for column in columns:
            if column.value is not None:
                lookup, make = column.read(members, to_cell)
                lookups.append(lookup)
                makers.append(make)
        rows = members.values_list(*lookups).iterator(chunk_size=2000)
        for number, values in enumerate(rows, start=1):
            row = list(map(call, makers, values))
            for i in numbered:
                row.insert(i, number)
            sheet.append(row)
    else:
        rows = members.iterator(chunk_size=2000) if hasattr(members, "iterator") else members
        values = [column.value for column in columns]
        for number, member in enumerate(rows, start=1):
            sheet.append([number if of is None else to_cell(of(member)) for of in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Written(buffer.getvalue(), [c.name for c in columns], number)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(
    content: bytes,
    file_name: str,
    *,
    request,
    unit_path: str,
    columns: list[str],
    rows: int,
    detail: dict | None = None,
) -> HttpResponse:
    """A workbook to download under `file_name` (Vietnamese names encoded as RFC 6266 says).

    Every download is recorded in the audit trail (AuditKind.EXPORT): who, the scope it was
    taken from (a unit's path), the columns, the number of rows and the SHA-256 of the bytes
    sent, so a file found later can be traced to the export that made it.
    """
    audit.record(
        AuditKind.EXPORT,
        request=request,
        unit_path=unit_path,
        object_repr=file_name,
        detail={
            "file": file_name,
            "columns": list(columns),
            "rows": rows,
            "sha256": hashlib.sha256(content).hexdigest(),
            "sensitive": [c for c in columns if c in SENSITIVE_FIELDS],
            **(detail or {}),
        },
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
