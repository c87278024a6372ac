"""Biểu số 1-BTCTW, THỐNG KÊ TĂNG, GIẢM ĐẢNG VIÊN: the form, then the same rows per unit below.

Sheet 1 is the form row for row (REPORT_FORMS.md §1) with this period, the same period last
year and the percentage; sheet 2 gives each unit directly under the chosen one its own A, B,
C and D, so the figures can be checked against the units' own reports.
"""

from datetime import date

from django.utils.translation import gettext as _

from reports.exports.frame import (
    FormSheet,
    comparison_sheet,
    file_name,
    new_workbook,
    period_words,
    save,
)
from reports.statistics import Changes, membership_changes

TITLE = "TĂNG, GIẢM ĐẢNG VIÊN"
CODE = "Biểu số 1-BTCTW"
FILE_TITLE = "Biểu 1 - Thống kê tăng, giảm đảng viên"

# (label as the form prints it, style, figure of a Changes row)
ROWS = [
    ("A - Tổng số đảng viên cuối kỳ trước chuyển sang", "bold", lambda c: c.start),
    ("B - Đảng viên tăng trong kỳ", "bold", lambda c: c.increase),
    ("1. Kết nạp", "", lambda c: c.admitted),
    ("2. Chuyển đến", "", lambda c: c.transfer_in),
    ("a. Tỉnh khác chuyển đến", "italic", lambda c: c.transfer_in_other_province),
    ("b. Huyện khác trong tỉnh chuyển đến", "italic", lambda c: c.transfer_in_other_district),
    ("3. Phục hồi đảng tịch", "", lambda c: c.reinstated),
    ("C - Đảng viên giảm trong kỳ", "bold", lambda c: c.decrease),
    ("1. Từ trần", "", lambda c: c.died),
    ("2. Khai trừ", "", lambda c: c.expelled),
    ("3. Xóa tên", "", lambda c: c.removed),
    ("Trong đó: Đảng viên dự bị", "italic", lambda c: c.removed_probationary),
    ("4. Xin ra khỏi Đảng", "", lambda c: c.resigned),
    ("5. Chuyển đi", "", lambda c: c.transfer_out),
    ("a. Chuyển đi tỉnh khác", "italic", lambda c: c.transfer_out_other_province),
    ("b. Chuyển đi huyện khác trong tỉnh", "italic", lambda c: c.transfer_out_other_district),
    ("D - Đảng viên trong danh sách cuối kỳ báo cáo", "bold", lambda c: c.end),
]

# Sheet 2: the same figures, one column each, in the form's order.
UNIT_COLUMNS = [of for _label, _style, of in ROWS]


def _values(changes: Changes) -> list[int]:
    return [column(changes) for column in UNIT_COLUMNS]


def _per_unit_sheet(workbook, report, *, today: date) -> None:
    unit = report.unit
    widths = [6, 34] + [10] * len(UNIT_COLUMNS)
    sheet = FormSheet(workbook, "Theo đơn vị", widths, freeze="C8")
    sheet.title_block(
        unit=unit,
        title=f"{TITLE} THEO ĐƠN VỊ TRỰC THUỘC",
        when=period_words(report.period),
        code=CODE,
        left=2,
        right=3,
    )
    sheet.header(
        [
            ["STT", "Đơn vị", "A - Đầu kỳ", "B - Tăng trong kỳ", *[None] * 5,
             "C - Giảm trong kỳ", *[None] * 8, "D - Cuối kỳ"],
            [None, None, None, "Tổng số", "Kết nạp", "Chuyển đến", None, None, "Phục hồi",
             "Tổng số", "Từ trần", "Khai trừ", "Xóa tên", None, "Xin ra khỏi Đảng",
             "Chuyển đi", None, None, None],
            [None, None, None, None, None, "Tổng số", "Tỉnh khác", "Huyện khác", None,
             None, None, None, "Tổng số", "Trong đó dự bị", None,
             "Tổng số", "Tỉnh khác", "Huyện khác", None],
        ],
        [
            (1, 1, 3, 1), (1, 2, 3, 2), (1, 3, 3, 3), (1, 4, 1, 9), (1, 10, 1, 18),
            (1, 19, 3, 19), (2, 4, 3, 4), (2, 5, 3, 5), (2, 6, 2, 8), (2, 9, 3, 9),
            (2, 10, 3, 10), (2, 11, 3, 11), (2, 12, 3, 12), (2, 13, 2, 14), (2, 15, 3, 15),
            (2, 16, 2, 18),
        ],
        numbers=[str(i) for i in range(1, len(widths) + 1)],
    )  # fmt: skip
    sheet.data(
        [sheet.cell(None, "label_bold"), sheet.text(unit.name, "label_bold")],
        _values(report.total),
        bold=True,
    )
    for number, row in enumerate(report.rows, start=1):
        sheet.data([sheet.cell(number, "label"), sheet.text(row.name)], _values(row.changes))
    sheet.note(
        _(
            "Each unit's row is its part of the figures of %(unit)s. A transfer between two "
            "units of this table counts in both their rows, not in the row of %(unit)s."
        )
        % {"unit": unit.name}
    )
    sheet.footer(unit, today=today)


def build(*, user, unit, period, today: date) -> bytes:
    """The workbook of Biểu 1 for the unit and period, with the same period a year earlier."""
    report = membership_changes(user=user, unit=unit, period=period)
    last = membership_changes(user=user, unit=unit, period=period.last_year(), by_child=False)
    workbook = new_workbook()
    comparison_sheet(
        workbook,
        sheet_title="Biểu 1",
        unit=unit,
        title=TITLE,
        code=CODE,
        when=period_words(period),
        rows=[(label, style, of(report.total), of(last.total)) for label, style, of in ROWS],
        today=today,
        notes=[
            _("Same period last year: %(start)s to %(end)s.")
            % {
                "start": last.period.start.strftime("%d/%m/%Y"),
                "end": last.period.end.strftime("%d/%m/%Y"),
            },
            _(
                "Transfers in and out count every move across the unit's boundary; rows a and b "
                "are those from or to another province or another district."
            ),
        ],
    )
    _per_unit_sheet(workbook, report, today=today)
    return save(workbook)


def name(unit, period) -> str:
    return file_name(FILE_TITLE, unit, period)
