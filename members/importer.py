"""Excel import of member records: read, validate every row, and describe what a commit would do.

The file format is Vietnamese (headers and allowed values are those the offices type), so the
headers are fixed data, not translated interface text. Reading never writes: the result is a
preview of plain JSON rows that `members.services.members_import` commits all or nothing.
"""

import io
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from members.choices import (
    Education,
    Ethnicity,
    MemberStatus,
    Occupation,
    Qualification,
    Religion,
    ServiceBackground,
    Sex,
    TheoryLevel,
)
from members.models import Member
from units.access import scope_for
from units.vietnamese import normalize_multiline, normalize_text, strip_diacritics

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
DATE_FORMAT = "%d/%m/%Y"

# (model field, header in the file); the order is the template's column order.
COLUMNS = [
    ("full_name", "Họ và tên"),
    ("birth_name", "Tên khai sinh"),
    ("sex", "Giới tính"),
    ("birth_date", "Ngày sinh"),
    ("birth_place", "Nơi sinh"),
    ("ethnicity", "Dân tộc"),
    ("religion", "Tôn giáo"),
    ("hometown", "Quê quán"),
    ("permanent_address", "Nơi thường trú"),
    ("temporary_address", "Nơi tạm trú"),
    ("citizen_id", "Số CCCD"),
    ("card_number", "Số thẻ đảng viên"),
    ("cv_number", "Số lý lịch"),
    ("badge_number", "Số huy hiệu"),
    ("admitted_on", "Ngày vào Đảng"),
    ("ceremony_on", "Ngày lễ kết nạp"),
    ("official_on", "Ngày chính thức"),
    ("education", "Trình độ học vấn"),
    ("qualification", "Trình độ chuyên môn"),
    ("theory_level", "Lý luận chính trị"),
    ("foreign_language", "Ngoại ngữ"),
    ("occupation_before", "Nghề nghiệp trước khi vào Đảng"),
    ("occupation", "Nghề nghiệp"),
    ("youth_union", "Đoàn viên"),
    ("service_background", "Quân đội, công an, hưu trí"),
    ("phone", "Điện thoại"),
    ("notes", "Ghi chú"),
]
HEADERS = dict(COLUMNS)
FIELDS = [name for name, _header in COLUMNS]
REQUIRED = {"full_name", "sex", "birth_date", "ethnicity", "admitted_on", "education", "occupation"}
DATE_FIELDS = {"birth_date", "admitted_on", "ceremony_on", "official_on"}
CHOICE_FIELDS = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "religion": Religion,
    "education": Education,
    "qualification": Qualification,
    "theory_level": TheoryLevel,
    "occupation_before": Occupation,
    "occupation": Occupation,
    "service_background": ServiceBackground,
}
DEFAULTS = {
    "religion": Religion.NONE,
    "theory_level": TheoryLevel.NONE,
    "qualification": Qualification.NONE,
    "service_background": ServiceBackground.NONE,
}
# Yes/no columns, written "Có" or "Không" (an "x" or an empty cell also do).
BOOLEAN_FIELDS = {"youth_union"}
YES, NO = "Có", "Không"
_YES_WORDS = {"co", "x", "1", "yes", "true"}
_NO_WORDS = {"khong", "0", "no", "false", ""}
MULTILINE_FIELDS = {"notes"}

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
FORMULA_TYPES = (ArrayFormula, DataTableFormula)


CARD_TAKEN = _lazy("Another member already has this party card number.")

# How far a running import has got, in the cache shared by every process (config/settings.py):
# one entry per user, since an upload is checked before its batch exists and a user runs one
# import at a time. The commit runs in one transaction, so the database cannot tell.
PROGRESS_EVERY = 500  # rows between two writes: 20 small writes for 10,000 rows
PROGRESS_SECONDS = 60 * 60
READ, CHECK, SAVE, DONE = "read", "check", "save", "done"


def progress_key(user_id: int) -> str:
    return f"members:import-progress:{user_id}"


class ProgressReporter:
    """A progress callback, (phase, rows done, rows in all or None), that writes the cache when
    the phase changes, every PROGRESS_EVERY rows and at the end of a phase."""

    def __init__(self, user_id: int):
        self.key = progress_key(user_id)
        self.last: tuple[str, int] | None = None

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        last = self.last
        if last and last[0] == phase and done - last[1] < PROGRESS_EVERY and done != total:
            return
        entry = {"phase": phase, "done": done, "total": total, "at": time.time()}
        cache.set(self.key, entry, PROGRESS_SECONDS)
        self.last = (phase, done)


def read_progress(user_id: int, *, since: float = 0) -> dict | None:
    """The user's latest import progress, unless it is older than `since` (a Unix time)."""
    entry = cache.get(progress_key(user_id))
    if not entry or entry["at"] < since:
        return None
    return entry


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing of it is imported."""


def choice_labels(choices) -> list[tuple[str, str]]:
    """(value, label as the file writes it: Vietnamese, capitalised first letter)."""
    with translation.override("vi"):
        return [
            (value, str(label)[:1].upper() + str(label)[1:]) for value, label in choices.choices
        ]


def _choice_lookup(choices) -> tuple[dict, dict]:
    exact, loose = {}, {}
    for value, label in choice_labels(choices):
        for text in (label, value):
            exact[normalize_text(text).casefold()] = value
            loose.setdefault(strip_diacritics(text), set()).add(value)
    return exact, {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)  # [(column header, reason)]
    action: str = CREATE
    member_id: int | None = None
    changes: list = field(default_factory=list)  # field names an update changes

    def error(self, name: str | None, reason: str) -> None:
        self.errors.append((HEADERS.get(name, "") if name else "", str(reason)))

    def as_json(self) -> dict:
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in self.values.items()}
        return {
            "row": self.number,
            "values": values,
            "errors": [list(e) for e in self.errors],
            "action": self.action,
            "member_id": self.member_id,
            "changes": self.changes,
        }


def values_from_json(values: dict) -> dict:
    return {k: date.fromisoformat(v) if k in DATE_FIELDS and v else v for k, v in values.items()}


def _check_file(uploaded) -> bytes:
    if uploaded.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    content = uploaded.read()
    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _(
                "This file is not an Excel workbook (.xlsx). A CSV or .xls file renamed to .xlsx "
                "cannot be read: open it in Excel and save it as .xlsx."
            )
        )
    return content


def _open_sheet(content: bytes):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        return workbook, workbook.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError) as error:
        raise ImportFileError(
            _("The Excel file is damaged and cannot be read. Save it again from Excel.")
        ) from error
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise ImportFileError(
            _("The Excel file is damaged and cannot be read. Save it again from Excel.")
        ) from error


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(str(value))


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if not text:
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT).date()
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date written as dd/mm/yyyy.") % {"value": text}
        ) from None


class Importer:
    """Reads one workbook for one cell and one user, and validates it against the database."""

    def __init__(self, *, user, unit, progress=None):
        self.user, self.unit = user, unit
        self.scope = scope_for(user)
        self.lookups = {name: _choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}
        self.progress = progress or ProgressReporter(user.pk)

    def read(self, uploaded) -> list[Row]:
        """Every row of the file, validated; ImportFileError when the file cannot be read."""
        self.progress(READ, 0, None)
        content = _check_file(uploaded)
        workbook, sheet = _open_sheet(content)
        try:
            rows = self._rows(sheet)
        except ImportFileError:
            raise
        except Exception as error:  # a damaged part of the zip shows up while streaming
            raise ImportFileError(
                _("The Excel file is damaged and cannot be read. Save it again from Excel.")
            ) from error
        finally:
            workbook.close()
        self._match(rows)
        return rows

    def _rows(self, sheet) -> list[Row]:
        # Values only (no cell objects: a third faster); with data_only=False a formula reads as
        # its text "=…" (or a formula object), which _parse_row refuses.
        cells = sheet.iter_rows(values_only=True)
        header = next(cells, None)
        texts = [_cell_text(value).casefold() for value in (header or [])]
        positions = {}
        for name, title in COLUMNS:
            if title.casefold() in texts:
                positions[name] = texts.index(title.casefold())
        missing = [HEADERS[n] for n in REQUIRED if n not in positions]
        # The sheet's own dimension, when the file records it: enough to show progress.
        total = max((sheet.max_row or 1) - 1, 0) or None
        if missing:
            raise ImportFileError(
                _("The first row must hold the template's headers; missing: %(columns)s.")
                % {"columns": ", ".join(sorted(missing))}
            )
        rows = []
        for number, cells_of_row in enumerate(cells, start=2):
            raw = {
                name: cells_of_row[i] if i < len(cells_of_row) else None
                for name, i in positions.items()
            }
            if all(value in (None, "") for value in raw.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(count)d rows. Split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
            rows.append(self._parse_row(number, raw))
            self.progress(READ, len(rows), total)
        if not rows:
            raise ImportFileError(_("The file has no member rows under the headers."))
        return rows

    def _parse_row(self, number: int, raw: dict) -> Row:
        """The row's values by field: only the file's columns, so a column left out of the file
        leaves that field of a matched member as it is."""
        row = Row(number=number)
        for name in FIELDS:
            if name not in raw:
                continue
            value = raw[name]
            if isinstance(value, FORMULA_TYPES) or (
                isinstance(value, str) and value.startswith("=")
            ):
                row.error(name, _("Formulas are not accepted: type the value itself."))
                continue
            try:
                row.values[name] = self._parse_value(name, value)
            except ValueError as error:
                row.error(name, str(error))
        return row

    def _parse_value(self, name: str, value):
        if name in DATE_FIELDS:
            parsed = _parse_date(value)
            if parsed is None and name in REQUIRED:
                raise ValueError(_("This column is required."))
            return parsed
        if name in MULTILINE_FIELDS:
            return normalize_multiline(str(value)) if value is not None else ""
        text = _cell_text(value)
        if name in BOOLEAN_FIELDS:
            key = strip_diacritics(text)
            if key in _YES_WORDS:
                return True
            if key in _NO_WORDS:
                return False
            raise ValueError(
                _("Write “%(yes)s” or “%(no)s”, or leave the cell empty.") % {"yes": YES, "no": NO}
            )
        if name in CHOICE_FIELDS:
            if not text:
                if name in REQUIRED:
                    raise ValueError(_("This column is required."))
                return DEFAULTS.get(name, "")
            exact, loose = self.lookups[name]
            found = exact.get(text.casefold()) or loose.get(strip_diacritics(text))
            if found is None:
                raise ValueError(
                    _("“%(value)s” is not in the list of allowed values (sheet “%(sheet)s”).")
                    % {"value": text, "sheet": ALLOWED_SHEET}
                )
            return found
        if not text and name in REQUIRED:
            raise ValueError(_("This column is required."))
        if name in ("citizen_id", "card_number"):
            text = text.replace(" ", "")
        return unicodedata.normalize("NFC", text)

    def _match(self, rows: list[Row]) -> None:
        """Decide create / update / unchanged for each row, and check what needs the database."""
        ids = {r.values.get("citizen_id") for r in rows} - {None, ""}
        cards = {r.values.get("card_number") for r in rows} - {None, ""}
        by_id = {
            m.citizen_id: m
            for m in Member.objects.filter(citizen_id__in=ids).select_related("unit")
        }
        by_card = {
            m.card_number: m
            for m in Member.objects.filter(card_number__in=cards).select_related("unit")
        }
        seen_ids, seen_cards = {}, {}
        for done, row in enumerate(rows, start=1):
            self.progress(CHECK, done, len(rows))
            citizen_id = row.values.get("citizen_id")
            card = row.values.get("card_number")
            if citizen_id:
                if citizen_id in seen_ids:
                    row.error(
                        "citizen_id",
                        _("The same citizen ID number is on row %(row)d.")
                        % {"row": seen_ids[citizen_id]},
                    )
                seen_ids.setdefault(citizen_id, row.number)
            if card:
                if card in seen_cards:
                    row.error(
                        "card_number",
                        _("The same party card number is on row %(row)d.")
                        % {"row": seen_cards[card]},
                    )
                seen_cards.setdefault(card, row.number)
            member = by_id.get(citizen_id) if citizen_id else None
            holder = by_card.get(card) if card else None
            if member is None and holder is not None:
                # Matched on the card only when no citizen ID tells them apart.
                if citizen_id and holder.citizen_id and holder.citizen_id != citizen_id:
                    row.error("card_number", CARD_TAKEN)
                else:
                    member = holder
            elif member is not None and holder is not None and holder.pk != member.pk:
                row.error("card_number", CARD_TAKEN)
            if member is not None:
                self._check_match(
                    row, member, "citizen_id" if member is by_id.get(citizen_id) else "card_number"
                )
            self._validate(row, member)

    def _check_match(self, row: Row, member: Member, column: str) -> None:
        if not self.scope.can_edit(member.unit.path):
            row.error(column, _("This person is a member of a unit you may not edit."))
        elif member.unit_id != self.unit.pk:
            row.error(
                column,
                _("This member belongs to %(unit)s: transfer them before importing.")
                % {"unit": member.unit.display_name},
            )
        row.action, row.member_id = UPDATE, member.pk

    def _validate(self, row: Row, member: Member | None) -> None:
        if any(h for h, _r in row.errors if h in (HEADERS[f] for f in DATE_FIELDS)):
            return  # a bad date makes the model's date rules meaningless
        values = dict(row.values)
        if "official_on" in values:
            values["status"] = (
                MemberStatus.FULL if values["official_on"] else MemberStatus.PROBATIONARY
            )
        if member is None:
            candidate = Member(unit=self.unit, **values)
        else:
            if member.status not in (MemberStatus.FULL, MemberStatus.PROBATIONARY):
                values.pop("status", None)
            candidate = member
            row.changes = [n for n, v in values.items() if getattr(member, n) != v]
            if not row.changes:
                row.action = UNCHANGED
                return
            for name in row.changes:
                setattr(candidate, name, values[name])
        candidate.normalize_text_fields()
        failed = {name for name in FIELDS if HEADERS[name] in {h for h, _r in row.errors}}
        # The cell is the one the user chose and may edit: no query per row to find it again.
        failed.add("unit")
        try:
            candidate.full_clean(exclude=failed, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in failed:
                    continue  # one reason per cell: the file's own is clearer
                for message in messages:
                    row.error(name if name in HEADERS else None, message)


ALLOWED_SHEET = "Giá trị hợp lệ"


TEXT_COLUMNS = {"citizen_id", "card_number", "cv_number", "badge_number", "phone"}
TEMPLATE_ROWS = 1000  # rows formatted as text and offered the lists of allowed values


def template_workbook() -> bytes:
    """The import template: the headers, then a sheet of allowed values that the choice columns
    offer as drop-down lists."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đảng viên"
    sheet.append([header for _name, header in COLUMNS])
    sheet.freeze_panes = "A2"
    for i, (name, header) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(14, len(header) + 4)
        if name in TEXT_COLUMNS or name in DATE_FIELDS:
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=i).number_format = "@"
    allowed = workbook.create_sheet(ALLOWED_SHEET)
    lists = [(n, [label for _v, label in choice_labels(c)]) for n, c in CHOICE_FIELDS.items()]
    lists += [(n, [YES, NO]) for n in sorted(BOOLEAN_FIELDS)]
    allowed.append([HEADERS[name] for name, _labels in lists])
    for i in range(max(len(labels) for _n, labels in lists)):
        allowed.append([labels[i] if i < len(labels) else None for _n, labels in lists])
    for i, (name, labels) in enumerate(lists, start=1):
        letter = get_column_letter(i)
        allowed.column_dimensions[letter].width = 24
        # A drop-down list in the member sheet's column; other text is still allowed, since the
        # import reads values without diacritics too, and reports anything it cannot match.
        listing = DataValidation(
            type="list",
            formula1=f"'{ALLOWED_SHEET}'!${letter}$2:${letter}${len(labels) + 1}",
            allow_blank=True,
            showErrorMessage=False,
        )
        column = get_column_letter(FIELDS.index(name) + 1)
        listing.add(f"{column}2:{column}{TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(listing)
    notes = allowed.cell(row=1, column=len(lists) + 2)
    notes.value = "Ngày ghi dd/mm/yyyy. Có Ngày chính thức là đảng viên chính thức."
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
