"""Excel exports of member records: any filtered member list, and the member register.

Workbooks are written with openpyxl's write_only mode (constant memory: DESIGN.md, 100k rows
in ~16 s at ~30 MB). Text that a spreadsheet would run as a formula is neutralised.
"""

import io
from datetime import date

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from members.models import Member

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "DD/MM/YYYY"


def neutralise(value):
    """Text starting with = + - @ becomes plain text (a leading quote), never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _label(name: str) -> str:
    return capfirst(Member._meta.get_field(name).verbose_name)


def _display(member: Member, name: str):
    return getattr(member, f"get_{name}_display")()


# (header, width, value of a member); a callable header is evaluated at export time.
LIST_COLUMNS = [
    (lambda: _("No."), 6, None),
    (lambda: _label("full_name"), 28, lambda m: m.full_name),
    (lambda: _label("sex"), 8, lambda m: capfirst(_display(m, "sex"))),
    (lambda: _label("birth_date"), 12, lambda m: m.birth_date),
    (lambda: _label("ethnicity"), 12, lambda m: _display(m, "ethnicity")),
    (lambda: _label("religion"), 14, lambda m: capfirst(_display(m, "religion"))),
    (lambda: _label("unit"), 30, lambda m: m.unit.display_name),
    (lambda: _label("citizen_id"), 15, lambda m: m.citizen_id),
    (lambda: _label("card_number"), 14, lambda m: m.card_number),
    (lambda: _label("admitted_on"), 12, lambda m: m.admitted_on),
    (lambda: _label("official_on"), 12, lambda m: m.official_on),
    (lambda: _label("status"), 20, lambda m: capfirst(_display(m, "status"))),
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
    (lambda: _("No."), 6, None),
    (lambda: _label("full_name"), 28, lambda m: m.full_name),
    (lambda: _label("birth_name"), 20, lambda m: m.birth_name),
    (lambda: _label("sex"), 8, lambda m: capfirst(_display(m, "sex"))),
    (lambda: _label("birth_date"), 12, lambda m: m.birth_date),
    (lambda: _label("ethnicity"), 12, lambda m: _display(m, "ethnicity")),
    (lambda: _label("religion"), 14, lambda m: capfirst(_display(m, "religion"))),
    (lambda: _label("hometown"), 28, lambda m: m.hometown),
    (lambda: _label("education"), 18, lambda m: capfirst(_display(m, "education"))),
    (lambda: _label("qualification"), 18, lambda m: capfirst(_display(m, "qualification"))),
    (lambda: _label("theory_level"), 18, lambda m: capfirst(_display(m, "theory_level"))),
    (lambda: _label("occupation"), 18, lambda m: capfirst(_display(m, "occupation"))),
    (lambda: _label("unit"), 30, lambda m: m.register_cell.display_name),
    (lambda: _label("admitted_on"), 12, lambda m: m.admitted_on),
    (lambda: _label("ceremony_on"), 12, lambda m: m.ceremony_on),
    (lambda: _label("official_on"), 12, lambda m: m.official_on),
    (lambda: _label("card_number"), 14, lambda m: m.card_number),
    (lambda: _label("cv_number"), 12, lambda m: m.cv_number),
    (lambda: _label("badge_number"), 12, lambda m: m.badge_number),
    (lambda: _("transferred in on"), 12, lambda m: _on(m.transfer_in)),
    (lambda: _("transferred in from"), 30, lambda m: m.transfer_in and m.transfer_in.origin),
    (lambda: _("transferred out on"), 12, lambda m: _on(m.transfer_out)),
    (lambda: _("transferred out to"), 30, lambda m: m.transfer_out and m.transfer_out.destination),
    (lambda: _label("left_on"), 12, lambda m: m.left_on),
    (
        lambda: _("form of leaving"),
        20,
        lambda m: "" if m.is_active else capfirst(_display(m, "status")),
    ),
    (lambda: _label("notes"), 24, _register_notes),
]


def write_members(members, columns, *, title: str) -> bytes:
    """A one-sheet workbook: bold frozen header, one row per member (of a queryset, read in
    chunks, or of any iterable), dates as real dates."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    for i, (_header, width, _value) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    header = []
    for label, _width, _value in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(capfirst(str(label()))))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    rows = members.iterator(chunk_size=2000) if hasattr(members, "iterator") else members
    for number, member in enumerate(rows, start=1):
        row = []
        for _label_of, _width, value_of in columns:
            value = number if value_of is None else value_of(member)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                row.append(cell)
            else:
                row.append(neutralise(value if value is not None else ""))
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, file_name: str) -> HttpResponse:
    """A workbook to download under `file_name` (Vietnamese names encoded as RFC 6266 says)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
