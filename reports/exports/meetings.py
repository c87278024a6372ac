"""Cell meetings over a month, quarter or year: per cell under the chosen unit, months met,
meetings held, thematic meetings (HD 12-HD/BTCTW: one a quarter), attendance rate and meetings
of good quality, from the monthly rollups. Not an official form, so its labels are translated.
"""

from datetime import date

from django.utils.translation import gettext as _

from reports.exports.frame import FormSheet, file_name, new_workbook, period_words, save
from reports.statistics import CellMeetings, meeting_statistics

FILE_TITLE = "Thống kê sinh hoạt chi bộ"


def _values(row: CellMeetings) -> list:
    return [
        row.months,
        row.months_met,
        row.met_share,
        row.meetings,
        row.thematic,
        row.thematic_quarters,
        row.quarters,
        row.expected,
        row.present,
        row.attendance_rate,
        row.good_quality,
        row.quality_share,
    ]


def build(*, user, unit, period, today: date) -> bytes:
    """One sheet: the unit's total, then one row per cell (streamed as it is written)."""
    rows, total = meeting_statistics(user=user, unit=unit, period=period)
    widths = [6, 34, 28, 9, 11, 9, 10, 10, 11, 9, 11, 11, 9, 11, 9]
    workbook = new_workbook()
    sheet = FormSheet(workbook, _("Cell meetings"), widths, freeze="D7")
    months = period.months
    sheet.title_block(
        unit=unit,
        title=_("CELL MEETINGS"),
        when=_("%(first)s TO %(last)s")
        % {"first": months[0].strftime("%m/%Y"), "last": months[-1].strftime("%m/%Y")}
        if len(months) > 1
        else period_words(period),
        code="",
        left=2,
        right=3,
    )
    sheet.header(
        [
            [_("No."), _("Party cell"), _("Under"), _("Regular meetings"), None, None,
             _("Meetings held"), _("Thematic meetings"), None, None, _("Attendance"), None,
             None, _("Good quality"), None],
            [None, None, None, _("Months in the period"), _("Months met"), _("Months met (%)"),
             None, _("Meetings"), _("Quarters with one"), _("Quarters in the period"),
             _("Expected"), _("Present"), _("Rate (%)"), _("Meetings"), _("Share (%)")],
        ],
        [(1, 1, 2, 1), (1, 2, 2, 2), (1, 3, 2, 3), (1, 4, 1, 6), (1, 7, 2, 7), (1, 8, 1, 10),
         (1, 11, 1, 13), (1, 14, 1, 15)],
        numbers=[str(i) for i in range(1, len(widths) + 1)],
    )  # fmt: skip
    sheet.data(
        [sheet.cell(None, "label_bold"), sheet.text(unit.name, "label_bold"), sheet.cell(None)],
        _values(total),
        bold=True,
    )
    for number, row in enumerate(rows, start=1):
        sheet.data(
            [sheet.cell(number, "label"), sheet.text(row.name), sheet.text(row.parent_name)],
            _values(row),
        )
    sheet.note(
        _(
            "Whole months from %(first)s to %(last)s, from the cells' monthly figures. A good "
            "meeting has attendance over 85%% and no unexcused absence (HD 12-HD/BTCTW)."
        )
        % {"first": months[0].strftime("%m/%Y"), "last": months[-1].strftime("%m/%Y")}
    )
    sheet.footer(unit, today=today)
    return save(workbook)


def name(unit, period) -> str:
    return file_name(FILE_TITLE, unit, period)
