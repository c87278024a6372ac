"""Figures of the membership rules, each beside its regulation (GLOSSARY.md, "Rules")."""

import calendar
from datetime import date

# HD 12-HD/BTCTW (2022): probation lasts 12 months from the admission ceremony, and recognition
# takes effect on the day they end. Configurable: the figure is the regulation's, kept here only.
PROBATION_MONTHS = 12
# How far ahead the probation list warns: the cell considers recognition within 30 working days
# after the 12 months (HD 12-HD/BTCTW, 2022), so a month's notice lets it prepare.
RECOGNITION_NOTICE_DAYS = 30


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def probation_ends(admitted_on: date) -> date:
    """The day probation ends, when the member is due for recognition as a full member."""
    return add_months(admitted_on, PROBATION_MONTHS)
