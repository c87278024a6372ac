"""What every statistics form shares: styles, the title block, headers, rows, footer, printing.

The workbooks are written with openpyxl's write-only mode: each row goes to the file as it is
appended, so an export never holds its rows in memory (DESIGN.md, "Excel"). Widths, frozen
panes and row heights are set before the first row, merges and print setup at any time.

The fixed labels of the official forms (titles, row and column labels, the footer of Biểu 1-5-
BTCTW, forms/REPORT_FORMS.md) are Vietnamese literals, printed exactly as the forms print them:
they are the form itself, not interface text, so they are not translated. Notes that chibo
adds to a sheet go through gettext like any other interface text.
"""

import io
import math
import unicodedata
from datetime import date

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.worksheet import Worksheet

from members.exports import FORMULA_STARTS, neutralise
from units.models import CELL_KINDS, UnitKind

FONT_NAME = "Times New Roman"
INTEGER = "#,##0"  # thousands grouped the reader's way: 5.712 in Vietnamese
PERCENT = "#,##0.0"  # a percentage as a number (85,3); the header says "%"
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")

# How a cell looks: (bold, italic, size, boxed, alignment)
STYLES = {
    "title": (True, False, 12, False, CENTRE),
    "title_left": (True, False, 12, False, CENTRE),
    "header": (True, False, 11, True, CENTRE),
    "number_row": (False, True, 10, True, CENTRE),
    "label": (False, False, 11, True, LEFT),
    "label_bold": (True, False, 11, True, LEFT),
    "label_italic": (False, True, 11, True, LEFT),
    "value": (False, False, 11, True, RIGHT),
    "value_bold": (True, False, 11, True, RIGHT),
    "note": (False, True, 10, False, LEFT),
    "sign": (True, False, 12, False, CENTRE),
    "sign_note": (False, True, 11, False, CENTRE),
    "date_line": (False, True, 12, False, CENTRE),
}

# Rows of the official forms whose data chibo does not record yet: printed, left blank.
NOT_RECORDED = object()


# The committee of a province- or district-level party organisation, by the word that follows
# "Đảng bộ" in its name (REPORT_FORMS.md, "Common frame": "TỈNH ỦY/HUYỆN ỦY…").
LEVEL_COMMITTEES = [
    ("tỉnh", "TỈNH ỦY"),
    ("thành phố", "THÀNH ỦY"),
    ("thị xã", "THỊ ỦY"),
    ("huyện", "HUYỆN ỦY"),
    ("quận", "QUẬN ỦY"),
]
PARTY_ORGANISATION = "đảng bộ "


def committee_line(unit) -> str:
    """The issuing committee's line of the title block, as the forms print it: "TỈNH ỦY ĐIỆN
    BIÊN", "HUYỆN ỦY MƯỜNG CHÀ", "ĐẢNG ỦY XÃ MƯỜNG MƯƠN" (the committee of "Đảng bộ …"); a
    cell, or a name of another shape, in capitals as it is."""
    name = unicodedata.normalize("NFC", unit.name).strip()
    if unit.kind in CELL_KINDS or not name.lower().startswith(PARTY_ORGANISATION):
        return name.upper()
    rest = name[len(PARTY_ORGANISATION) :].strip()
    if unit.kind in (UnitKind.PROVINCIAL, UnitKind.DISTRICT):
        for word, committee in LEVEL_COMMITTEES:
            if rest.lower().startswith(word + " "):
                return f"{committee} {rest[len(word) :].strip().upper()}"
    return f"ĐẢNG ỦY {rest.upper()}"


def period_words(period, *, as_of: bool = False) -> str:
    """The period as the title prints it: "NĂM 2026", or the two dates."""
    if as_of:
        return f"ĐẾN NGÀY {period.end:%d/%m/%Y}"
    if period.is_calendar_year:
        return f"NĂM {period.start.year}"
    return f"TỪ NGÀY {period.start:%d/%m/%Y} ĐẾN NGÀY {period.end:%d/%m/%Y}"


def file_name(title: str, unit, period, *, as_of: bool = False) -> str:
    """A Vietnamese file name: form, unit and period (no characters a file system refuses)."""
    if as_of:
        when = f"đến {period.end:%d-%m-%Y}"
    elif period.is_calendar_year:
        when = f"năm {period.start.year}"
    else:
        when = f"{period.start:%d-%m-%Y} đến {period.end:%d-%m-%Y}"
    unit_name = "".join(c for c in unit.name if c not in '\\/:*?"<>|')
    return f"{title} - {unit_name} - {when}.xlsx"


def percent_of(part, whole):
    """Column 4 of the comparison layout: part × 100 / whole, blank when whole is 0 or blank."""
    if not isinstance(part, (int, float)) or not isinstance(whole, (int, float)) or not whole:
        return None
    return part * 100 / whole


class FormSheet:
    """One write-only sheet of a form, appended row by row (rows are 1-based)."""

    def __init__(self, workbook: Workbook, title: str, widths: list[float], *, freeze: str):
        self.ws = workbook.create_sheet(title[:31])
        self.columns = len(widths)
        self.row = 0
        for i, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.ws.freeze_panes = freeze
        # Printed on A4 landscape, fitted to the page width, the header repeated on each page.
        self.ws.page_setup.orientation = "landscape"
        self.ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.print_options.horizontalCentered = True
        self.ws.page_margins.left = self.ws.page_margins.right = 0.4

    def cell(self, value, style: str = "value", number_format: str | None = None):
        if value is NOT_RECORDED:
            value = None
        if isinstance(value, float) and math.isnan(value):
            value = None
        cell = WriteOnlyCell(self.ws, value=value)
        bold, italic, size, boxed, alignment = STYLES[style]
        cell.font = Font(name=FONT_NAME, bold=bold, italic=italic, size=size)
        cell.alignment = alignment
        if boxed:
            cell.border = BOX
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            # A fixed label such as "- Nữ": kept as printed, marked as text, never a formula.
            cell.data_type = "s"
            cell.quotePrefix = True
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.number_format = number_format or (INTEGER if isinstance(value, int) else PERCENT)
        elif isinstance(value, date):
            cell.number_format = "DD/MM/YYYY"
        return cell

    def text(self, value: str, style: str = "label"):
        """A cell of text typed by users (unit names): neutralised like every export's."""
        return self.cell(neutralise(value), style)

    def append(self, cells: list, *, height: float | None = None) -> int:
        self.row += 1
        if height:
            self.ws.row_dimensions[self.row].height = height
        # Cells after the last filled one keep the box of the table (merged header cells).
        self.ws.append(cells)
        return self.row

    def merge(self, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
        if (first_row, first_col) != (last_row, last_col):
            self.ws.merged_cells.add(
                CellRange(min_row=first_row, min_col=first_col, max_row=last_row, max_col=last_col)
            )

    def blank(self) -> None:
        self.append([])

    def title_block(self, *, unit, title: str, when: str, code: str, left: int = 1, right: int = 1):
        """The frame's title block: the committee on the left, "THỐNG KÊ / title / period" in
        the middle (merged over two rows), the form's number on the right."""
        middle_first, middle_last = left + 1, self.columns - right
        top = self.row + 1
        second = "BAN TỔ CHỨC" if unit.kind in (UnitKind.PROVINCIAL, UnitKind.DISTRICT) else ""
        heading = f"THỐNG KÊ\n{title}\n{when}"
        for line, (left_text, middle, right_text) in enumerate(
            [(committee_line(unit), heading, code), (second, None, None)]
        ):
            row = [None] * self.columns
            row[0] = self.cell(neutralise(left_text), "title_left")
            if middle is not None:
                row[middle_first - 1] = self.cell(middle, "title")
            if right_text is not None:
                row[self.columns - right] = self.cell(right_text, "title")
            self.append(row, height=45 if line == 0 else 30)
        self.merge(top, 1, top, left)
        self.merge(top + 1, 1, top + 1, left)
        self.merge(top, middle_first, top + 1, middle_last)
        self.merge(top, self.columns - right + 1, top, self.columns)
        self.blank()

    def header(self, rows: list[list], merges: list[tuple], *, numbers: list | None = None):
        """Header rows (None where a merged cell continues) and their merges, relative to the
        first header row: (row, col, last row, last col), 1-based."""
        first = self.row + 1
        for labels in rows:
            self.append([self.cell(label or None, "header") for label in labels], height=32)
        for r1, c1, r2, c2 in merges:
            self.merge(first + r1 - 1, c1, first + r2 - 1, c2)
        if numbers:
            self.append([self.cell(n, "number_row") for n in numbers])
        self.ws.print_title_rows = f"{first}:{self.row}"

    def data(self, label_cells: list, values: list, *, bold: bool = False) -> None:
        """A table row: its label cells, then its figures (None or NOT_RECORDED print blank)."""
        style = "value_bold" if bold else "value"
        self.append([*label_cells, *(self.cell(v, style) for v in values)])

    def note(self, text: str) -> None:
        self.append([self.cell(text, "note")])
        self.merge(self.row, 1, self.row, self.columns)

    def footer(self, unit, *, today: date) -> None:
        """Place and date, then "NGƯỜI LẬP BIỂU" on the left and the signatory on the right."""
        split = max(1, self.columns // 2)
        self.blank()
        signatory = (
            "TRƯỞNG BAN" if unit.kind in (UnitKind.PROVINCIAL, UnitKind.DISTRICT) else "BÍ THƯ"
        )
        lines = [
            (None, f"……, ngày {today:%d} tháng {today:%m} năm {today.year}", "date_line"),
            ("NGƯỜI LẬP BIỂU", signatory, "sign"),
            (
                "(Ký, ghi rõ họ và tên; số điện thoại di động và cố định liên hệ)",
                "(Ký, đóng dấu, ghi rõ họ và tên)",
                "sign_note",
            ),
        ]
        for left_text, right_text, style in lines:
            row = [None] * self.columns
            if left_text:
                row[0] = self.cell(left_text, style)
            row[split] = self.cell(right_text, style)
            self.append(row, height=30 if style == "sign_note" else None)
            self.merge(self.row, 1, self.row, split)
            self.merge(self.row, split + 1, self.row, self.columns)


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The comparison layout of Biểu 1, 2, 3 ------------------------------------------------------

COMPARISON_WIDTHS = [62, 16, 16, 18]


def comparison_sheet(workbook, *, sheet_title, unit, title, code, when, rows, today, notes=()):
    """Indicator | this period | same period last year | % (REPORT_FORMS.md, "Comparison
    layout"). `rows` are (label, style, this, last): style "bold", "italic" or "" (plain)."""
    sheet = FormSheet(workbook, sheet_title, COMPARISON_WIDTHS, freeze="B7")
    sheet.title_block(unit=unit, title=title, when=when, code=code)
    sheet.header(
        [
            ["Tiêu chí", "Thực hiện", None, "(%) kỳ này so với cùng kỳ năm trước"],
            [None, "Kỳ này", "Cùng kỳ năm trước", None],
        ],
        [(1, 1, 2, 1), (1, 2, 1, 3), (1, 4, 2, 4)],
        numbers=["1", "2", "3", "4(=2*100/3)"],
    )
    label_style = {"bold": "label_bold", "italic": "label_italic", "": "label"}
    for label, style, this, last in rows:
        share = None if this is NOT_RECORDED else percent_of(this, last)
        sheet.data(
            [sheet.cell(label, label_style[style])],
            [this, last, share],
            bold=style == "bold",
        )
    for note in notes:
        sheet.note(note)
    sheet.footer(unit, today=today)
    return sheet


def not_recorded_note() -> str:
    return _("Rows left blank: chibo does not record these data yet.")
