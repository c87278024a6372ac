"""Biểu số 5-BTCTW (grassroots organisations and members by type of organisation) and the
organisation figures of each unit below the chosen one: grassroots organisations by kind,
cells, villages with their own or a combined cell, white villages, as of the period's end.
"""

from datetime import date

from django.utils.translation import gettext as _

from reports.exports.frame import (
    NOT_RECORDED,
    FormSheet,
    file_name,
    new_workbook,
    not_recorded_note,
    period_words,
    save,
)
from reports.statistics import TypeRow, organisations
from units.models import UnitKind

FILE_TITLE = "Biểu 5 - Thống kê tổ chức đảng và đảng viên"
TITLE = "TỔ CHỨC ĐẢNG VÀ ĐẢNG VIÊN TRONG CÁC LOẠI HÌNH CƠ SỞ"
CODE = "Biểu số 5-BTCTW"

# (label as the form prints it, style, the types it sums, or NOT_RECORDED). Types come from
# reports.statistics.grassroots_type: communes by their name, the others by their category
# (Party agencies and the Front's and mass organisations' in row 4, state agencies in row 5);
# schools count as public service units.
ROWS = [
    ("1. Xã", "", ["commune"]),
    ("2. Phường", "", ["ward"]),
    ("3. Thị trấn", "", ["township"]),
    ("4. Cơ quan Đảng, MTTQ, đoàn thể CT-XH", "", ["party_agency"]),
    ("5. Cơ quan Nhà nước", "", ["state_agency"]),
    ("6. Đơn vị sự nghiệp, gồm:", "", ["public_service"]),
    ("a) Công lập", "italic", ["public_service"]),
    ("b) Ngoài công lập", "italic", NOT_RECORDED),
    ("7. Quân đội", "", ["army"]),
    ("8. Công an", "", ["police"]),
    ("9. Doanh nghiệp và hợp tác xã", "", ["enterprise"]),
    ("a) Doanh nghiệp có vốn Nhà nước", "italic", NOT_RECORDED),
    ("- Nhà nước nắm giữ 100% vốn điều lệ", "", NOT_RECORDED),
    ("- Nhà nước nắm giữ từ 50% vốn điều lệ trở lên", "", NOT_RECORDED),
    ("- Nhà nước nắm giữ dưới 50% vốn điều lệ", "", NOT_RECORDED),
    ("b) Doanh nghiệp ngoài khu vực Nhà nước", "italic", NOT_RECORDED),
    ("- Công ty Cổ phần", "", NOT_RECORDED),
    ("- Doanh nghiệp tư nhân", "", NOT_RECORDED),
    ("- Công ty trách nhiệm hữu hạn", "", NOT_RECORDED),
    ("- Công ty hợp danh", "", NOT_RECORDED),
    ("- Doanh nghiệp có vốn nước ngoài", "", NOT_RECORDED),
    ("Trong đó: Doanh nghiệp 100% vốn NN", "italic", NOT_RECORDED),
    ("c) Hợp tác xã", "italic", NOT_RECORDED),
    ("10. Tổ chức cơ sở đảng ở ngoài nước", "", NOT_RECORDED),
    ("11. Loại hình cơ sở khác", "", ["other"]),
]


def _type_values(row: TypeRow) -> list[int]:
    return [
        row.grassroots,
        row.committees,
        row.cells,
        row.partial_committees,
        row.sub_cells,
        row.members,
    ]


def _form_sheet(workbook, report, unit, period, today):
    sheet = FormSheet(workbook, "Biểu 5", [52, 12, 13, 13, 14, 14, 14], freeze="B8")
    sheet.title_block(unit=unit, title=TITLE, when=period_words(period, as_of=True), code=CODE)
    sheet.header(
        [
            ["Loại hình tổ chức cơ sở đảng", "Số tổ chức cơ sở đảng", None, None,
             "Tổ chức đảng trực thuộc Đảng bộ Cơ sở", None, "Tổng số đảng viên"],
            [None, "Tổng số", "Chia ra", None, "Chia ra", None, None],
            [None, None, "Đảng bộ cơ sở", "Chi bộ cơ sở", "Đảng bộ bộ phận",
             "Chi bộ trực thuộc", None],
        ],
        [(1, 1, 3, 1), (1, 2, 1, 4), (1, 5, 1, 6), (1, 7, 3, 7), (2, 2, 3, 2), (2, 3, 2, 4),
         (2, 5, 2, 6)],
        numbers=["1", "2 (=3+4)", "3", "4", "5", "6", "7"],
    )  # fmt: skip
    styles = {"": "label", "italic": "label_italic"}
    for label, style, types in ROWS:
        if types is NOT_RECORDED:
            values = [NOT_RECORDED] * 6
        else:
            row = TypeRow()
            for key in types:
                row.add(report.types.get(key, TypeRow()))
            values = _type_values(row)
        sheet.data([sheet.cell(label, styles[style])], values)
    sheet.data([sheet.cell("Cộng (1+….+11)", "label_bold")], _type_values(report.total), bold=True)
    sheet.note(not_recorded_note())
    sheet.footer(unit, today=today)


def _partial_committees(node) -> int:
    own = 1 if node.unit.kind == UnitKind.PARTIAL_COMMITTEE else 0
    return own + sum(_partial_committees(child) for child in node.children)


def _unit_values(node) -> list:
    f = node.figures
    return [
        f.grassroots,
        f.communes + f.base_committees,
        f.base_cells,
        _partial_committees(node),
        f.sub_cells,
        f.villages,
        f.villages_own_cell,
        f.own_cell_ratio,
        f.villages_combined_cell,
        f.villages_without_cell,
        f.white_villages,
        f.combined_cells,
        f.small_cells,
        f.members,
    ]


def _per_unit_sheet(workbook, report, unit, period, today):
    widths = [6, 34, 10, 10, 10, 11, 11, 10, 11, 9, 11, 11, 12, 10, 13, 11]
    sheet = FormSheet(workbook, _("By unit"), widths, freeze="C7")
    sheet.title_block(
        unit=unit,
        title=_("PARTY ORGANISATIONS AND VILLAGES BY UNIT"),
        when=period_words(period, as_of=True),
        code="",
        left=2,
        right=3,
    )
    grassroots, below, villages = (
        _("Grassroots organisations"),
        _("Under grassroots committees"),
        _("Villages and residential groups"),
    )
    sheet.header(
        [
            [_("No."), _("Unit"), grassroots, None, None, below, None, villages, None, None,
             None, None, None, _("Combined cells"), _("Cells with fewer than 3 full members"),
             _("Party members")],
            [None, None, _("Total"), _("Committees"), _("Base cells"), _("Partial committees"),
             _("Subordinate cells"), _("Total"), _("With their own cell"), _("Own cell (%)"),
             _("With a combined cell"), _("Without a cell"), _("White villages"), None, None,
             None],
        ],
        [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 1, 5), (1, 6, 1, 7), (1, 8, 1, 13), (1, 14, 2, 14),
         (1, 15, 2, 15), (1, 16, 2, 16)],
        numbers=[str(i) for i in range(1, len(widths) + 1)],
    )  # fmt: skip
    node = report.node
    sheet.data(
        [sheet.cell(None, "label_bold"), sheet.text(node.unit.name, "label_bold")],
        _unit_values(node),
        bold=True,
    )
    for number, child in enumerate(node.children, start=1):
        sheet.data([sheet.cell(number, "label"), sheet.text(child.unit.name)], _unit_values(child))
    sheet.footer(unit, today=today)


def build(*, user, unit, period, today: date) -> bytes:
    """Biểu 5 and the organisation figures per unit below, as of the period's end."""
    report = organisations(user=user, unit=unit, day=period.end)
    workbook = new_workbook()
    if report is None:
        sheet = FormSheet(workbook, "Biểu 5", [80], freeze="A1")
        sheet.note(
            _("%(unit)s did not exist on %(day)s.")
            % {"unit": unit.name, "day": period.end.strftime("%d/%m/%Y")}
        )
        return save(workbook)
    _form_sheet(workbook, report, unit, period, today)
    _per_unit_sheet(workbook, report, unit, period, today)
    return save(workbook)


def name(unit, period) -> str:
    return file_name(FILE_TITLE, unit, period, as_of=True)
