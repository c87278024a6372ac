"""Excel import of member records: read, validate every row, and describe what a commit would do.

The file format is Vietnamese (headers and allowed values are those the offices type), so the
headers are fixed data, not translated interface text. Reading never writes: the result is a
preview of plain JSON rows that `members.services.members_import` commits all or nothing.
"""

import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from members.choices import (
    Education,
    Ethnicity,
    MemberStatus,
    Occupation,
    Religion,
    Sex,
    TheoryLevel,
)
from members.models import Member
from units.access import scope_for
from units.vietnamese import normalize_text, strip_diacritics

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
DATE_FORMAT = "%d/%m/%Y"

# (model field, header in the file); the order is the template's column order.
COLUMNS = [
    ("full_name", "Họ và tên"),
    ("birth_name", "Tên khai sinh"),
    ("sex", "Giới tính"),
    ("birth_date", "Ngày sinh"),
    ("ethnicity", "Dân tộc"),
    ("religion", "Tôn giáo"),
    ("hometown", "Quê quán"),
    ("citizen_id", "Số CCCD"),
    ("card_number", "Số thẻ đảng viên"),
    ("admitted_on", "Ngày vào Đảng"),
    ("official_on", "Ngày chính thức"),
    ("education", "Trình độ học vấn"),
    ("theory_level", "Lý luận chính trị"),
    ("occupation", "Nghề nghiệp"),
    ("phone", "Điện thoại"),
]
HEADERS = dict(COLUMNS)
FIELDS = [name for name, _header in COLUMNS]
REQUIRED = {"full_name", "sex", "birth_date", "ethnicity", "admitted_on", "education", "occupation"}
DATE_FIELDS = {"birth_date", "admitted_on", "official_on"}
CHOICE_FIELDS = {
    "sex": Sex,
    "ethnicity": Ethnicity,
    "religion": Religion,
    "education": Education,
    "theory_level": TheoryLevel,
    "occupation": Occupation,
}
DEFAULTS = {"religion": Religion.NONE, "theory_level": TheoryLevel.NONE}

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


CARD_TAKEN = _lazy("Another member already has this party card number.")


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

    def __init__(self, *, user, unit):
        self.user, self.unit = user, unit
        self.scope = scope_for(user)
        self.lookups = {name: _choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}

    def read(self, uploaded) -> list[Row]:
        """Every row of the file, validated; ImportFileError when the file cannot be read."""
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
        cells = sheet.iter_rows()
        header = next(cells, None)
        texts = [_cell_text(c.value).casefold() for c in (header or [])]
        positions = {}
        for name, title in COLUMNS:
            if title.casefold() in texts:
                positions[name] = texts.index(title.casefold())
        missing = [HEADERS[n] for n in REQUIRED if n not in positions]
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
            if all(getattr(c, "value", None) in (None, "") for c in raw.values()):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(count)d rows. Split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
            rows.append(self._parse_row(number, raw))
        if not rows:
            raise ImportFileError(_("The file has no member rows under the headers."))
        return rows

    def _parse_row(self, number: int, raw: dict) -> Row:
        row = Row(number=number)
        for name in FIELDS:
            cell = raw.get(name)
            value = getattr(cell, "value", None)
            if getattr(cell, "data_type", None) == "f" or (
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
        text = _cell_text(value)
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
        for row in rows:
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
        values["status"] = (
            MemberStatus.FULL if values.get("official_on") else MemberStatus.PROBATIONARY
        )
        if member is None:
            candidate = Member(unit=self.unit, **values)
        else:
            if member.status not in (MemberStatus.FULL, MemberStatus.PROBATIONARY):
                values.pop("status")
            candidate = member
            row.changes = [n for n, v in values.items() if getattr(member, n) != v]
            if not row.changes:
                row.action = UNCHANGED
                return
            for name in row.changes:
                setattr(candidate, name, values[name])
        candidate.normalize_text_fields()
        failed = {name for name in FIELDS if HEADERS[name] in {h for h, _r in row.errors}}
        try:
            candidate.full_clean(exclude=failed, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in failed:
                    continue  # one reason per cell: the file's own is clearer
                for message in messages:
                    row.error(name if name in HEADERS else None, message)


ALLOWED_SHEET = "Giá trị hợp lệ"


def template_workbook() -> bytes:
    """The import template: the headers, one example row, and a sheet of allowed values."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đảng viên"
    sheet.append([header for _name, header in COLUMNS])
    sheet.freeze_panes = "A2"
    for i, (name, header) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(14, len(header) + 4)
        if name in ("citizen_id", "card_number", "phone") or name in DATE_FIELDS:
            for row in range(2, 1002):
                sheet.cell(row=row, column=i).number_format = "@"
    allowed = workbook.create_sheet(ALLOWED_SHEET)
    lists = [
        (HEADERS[n], [label for _v, label in choice_labels(c)]) for n, c in CHOICE_FIELDS.items()
    ]
    allowed.append([title for title, _labels in lists])
    for i in range(max(len(labels) for _t, labels in lists)):
        allowed.append([labels[i] if i < len(labels) else None for _t, labels in lists])
    for i in range(1, len(lists) + 1):
        allowed.column_dimensions[get_column_letter(i)].width = 24
    notes = allowed.cell(row=1, column=len(lists) + 2)
    notes.value = "Ngày ghi dd/mm/yyyy. Có Ngày chính thức là đảng viên chính thức."
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
