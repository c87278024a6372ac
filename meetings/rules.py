"""The rules about cell meetings, in one place, each with the regulation behind it.

Values a province may set differently are plain constants here, read by the selectors and the
services; nothing else in the code repeats them.
"""

from datetime import date

# HD 12-HD/BTCTW (2018): a good meeting has attendance over 85% and no unexcused absence.
GOOD_QUALITY_RATE = 85
# Điều lệ Đảng (art. 8) and its implementing rules: a member who misses meetings without good
# reason in 3 months of a year is proposed for removal (xóa tên).
REMOVAL_UNEXCUSED_MONTHS = 3
# HD 12-HD/BTCTW (2018): nobody absent, even excused, more than 3 times in a row in a year.
ABSENT_IN_A_ROW_LIMIT = 3
# Điều lệ Đảng, art. 24: a cell meets monthly. Committees chase a cell that has not logged last
# month's meeting once this day of the next month has passed.
MISSED_MONTH_DAY = 10
# HD 12-HD/BTCTW (2018): a thematic meeting at least once a quarter.
THEMATIC_PER_QUARTER = 1
# Compliance windows: "cells that met fewer than N times in 6 or 12 months" (seed 000).
GRID_MONTHS = 12
FEW_MEETINGS_WINDOWS = ((6, 3), (12, 6))  # (months, fewer than this many months with a meeting)


def is_good_quality(*, present: int, expected: int, unexcused: int) -> bool:
    """HD 12-HD/BTCTW: attendance over 85% and no unexcused absence."""
    return expected > 0 and unexcused == 0 and 100 * present > GOOD_QUALITY_RATE * expected


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    """The first day of the month `n` months after `month` (negative goes back)."""
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year: int, quarter: int) -> tuple[date, date]:
    """First day of the quarter and first day of the quarter after it."""
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return first, add_months(first, 3)


def previous_quarter(day: date) -> tuple[int, int]:
    return quarter_of(add_months(month_start(day), -3))


def next_quarter(day: date) -> tuple[int, int]:
    return quarter_of(add_months(month_start(day), 3))
