"""Excel import of member records: read, validate every row, and describe what a commit would do.

The file format is Vietnamese (headers and allowed values are those the offices type), so the
headers are fixed data, not translated interface text. Reading never writes: the result is a
preview of plain JSON rows that `members.services.members_import` commits all or nothing.

A row is matched with a member by citizen ID, then card number, then name and birth date; for
a matched member an empty cell leaves the field as it is, and the dates that membership events
record change only as `members.services.import_update_problems` allows. Nothing a row says
about a person outside the user's units tells whether, or where, that person is a member.
"""

import io
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import batched

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

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
    status_from_record,
)
from members.models import Member
from members.services import import_update_problems, last_events
from members.xlsx import (
    MAX_UNZIPPED_BYTES,
    OpenDocumentError,
    SheetReader,
    UnzippedTooLargeError,
    WorkbookError,
)
from units.access import scope_for
from units.models import Unit, UnitKind, Village
from units.vietnamese import normalize_multiline, normalize_text, strip_diacritics

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# Rows the sheet may hold in all, empty ones included: a sheet whose size claims a million rows
# is refused after this many, not read to its end.
MAX_SHEET_ROWS = 2 * MAX_ROWS
# An OLE compound file: an .xls workbook, or an .xlsx one encrypted with a password (which
# Excel stores as an OLE file with an "EncryptedPackage" stream).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
SHOWN_CHARS = 60  # of a cell's text quoted in a message
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
    ("residence_village", "Thôn, bản nơi cư trú"),
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
NAME_FIELDS = {"full_name", "birth_name"}
# Columns whose value is stored under another attribute: the village's id.
ATTNAMES = {"residence_village": "residence_village_id"}
COLUMN_OF = {attname: name for name, attname in ATTNAMES.items()}
# What an empty cell gives a new member (an updated member keeps what it has).
EMPTY_VALUES = {
    **DEFAULTS,
    "youth_union": False,
    "residence_village_id": None,
    "ceremony_on": None,
    "official_on": None,
}
# Words a village name may be written with or without ("Bản Mển", "Mển").
VILLAGE_WORDS = ("ban", "thon", "to dan pho", "xom", "to", "khu")

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


CARD_TAKEN = gettext_lazy("Another member already has this party card number.")
SAME_NUMBER_IN_FILE = {
    "citizen_id": gettext_lazy("The same citizen ID number is on row %(row)d."),
    "card_number": gettext_lazy("The same party card number is on row %(row)d."),
}
# Said of a person outside the units the user may edit: nothing that tells whether, or where,
# they are a party member (membership is sensitive data, DESIGN.md "Security baseline").
NOT_IMPORTABLE = {
    "citizen_id": gettext_lazy(
        "This citizen ID number cannot be imported into your unit: contact the party "
        "organisation office."
    ),
    "card_number": gettext_lazy(
        "This party card number cannot be imported into your unit: contact the party "
        "organisation office."
    ),
}

# How far a running import has got, in the cache shared by every process (config/settings.py):
# one entry per user, since an upload is checked before its batch exists and a user runs one
# import at a time. The commit runs in one transaction, so the database cannot tell.
PROGRESS_EVERY = 500  # rows between two writes: 20 small writes for 10,000 rows
PROGRESS_SECONDS = 60 * 60
READ, CHECK, SAVE, WRITE, DONE = "read", "check", "save", "write", "done"


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


def _grades(system: int, primary: int, lower: int) -> dict:
    """ "12/12", "9/12" …: the grade reached over the years of the school system, as member
    sheets write general education (12 years since 1981, 10 years before it in the North)."""
    levels = {}
    for grade in range(1, system + 1):
        if grade <= primary:
            levels[f"{grade}/{system}"] = Education.PRIMARY
        elif grade <= lower:
            levels[f"{grade}/{system}"] = Education.LOWER_SECONDARY
        else:
            levels[f"{grade}/{system}"] = Education.UPPER_SECONDARY
    return levels


# What member sheets write besides the labels of the list of allowed values.
CHOICE_ALIASES = {
    Education: {**_grades(12, 5, 9), **_grades(10, 4, 7)},
    # A bachelor's degree in political theory counts as the advanced level (HD 11-HD/BTCTW).
    TheoryLevel: {"cử nhân": TheoryLevel.ADVANCED, "cử nhân chính trị": TheoryLevel.ADVANCED},
}


def _choice_lookup(choices) -> tuple[dict, dict]:
    exact, loose = {}, {}
    for value, label in choice_labels(choices):
        for text in (label, value):
            exact[normalize_text(text).casefold()] = value
            loose.setdefault(strip_diacritics(text), set()).add(value)
    for text, value in CHOICE_ALIASES.get(choices, {}).items():
        exact[normalize_text(text).casefold()] = value
        loose.setdefault(strip_diacritics(text), set()).add(value)
    return exact, {k: next(iter(v)) for k, v in loose.items() if len(v) == 1}


@dataclass
class Row:
    number: int
    values: dict = field(default_factory=dict)  # by attribute: what a commit writes
    blank: list = field(default_factory=list)  # the file's columns left empty on this row
    errors: list = field(default_factory=list)  # [(column header, reason)]
    warnings: list = field(default_factory=list)  # [(column header, reason)]: probable duplicates
    action: str = CREATE
    member_id: int | None = None
    changes: list = field(default_factory=list)  # [(column header, old, new)] of an update
    seen: str = ""  # when the updated member's record was last saved, as the preview read it

    def error(self, name: str | None, reason: str) -> None:
        self.errors.append((_header(name), str(reason)))

    def warn(self, name: str | None, reason: str) -> None:
        self.warnings.append((_header(name), str(reason)))

    def has_error(self, name: str) -> bool:
        return any(header == HEADERS[name] for header, _reason in self.errors)

    def as_json(self) -> dict:
        values = {k: v.isoformat() if isinstance(v, date) else v for k, v in self.values.items()}
        return {
            "row": self.number,
            "values": values,
            "errors": [list(e) for e in self.errors],
            "warnings": [list(w) for w in self.warnings],
            "action": self.action,
            "member_id": self.member_id,
            "changes": [list(c) for c in self.changes],
            "seen": self.seen,
        }


def _header(name: str | None) -> str:
    if not name:
        return ""
    return HEADERS.get(name) or HEADERS.get(COLUMN_OF.get(name, ""), "")


def values_from_json(values: dict) -> dict:
    return {k: date.fromisoformat(v) if k in DATE_FIELDS and v else v for k, v in values.items()}


def _check_file(uploaded) -> bytes:
    if uploaded.size > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB. Split it into smaller files.")
            % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
        )
    content = uploaded.read()
    if content.startswith(OLE_MAGIC) and ENCRYPTED_STREAM in content:
        raise ImportFileError(
            _(
                "This workbook is protected by a password and cannot be read: open it in Excel, "
                "remove the password and save it again."
            )
        )
    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _(
                "This file is not an Excel workbook (.xlsx). A CSV or .xls file renamed to .xlsx "
                "cannot be read: open it in Excel and save it as .xlsx."
            )
        )
    return content


def _shown_text(text: str) -> str:
    """A cell's text as a message quotes it: a long one cut short."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(str(value))


_DATE_TEXT = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def _parse_date(value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if not text:
        return None
    found = _DATE_TEXT.fullmatch(text)
    if found:
        try:
            return date(int(found[3]), int(found[2]), int(found[1]))
        except ValueError:
            pass
    raise ValueError(
        _("“%(value)s” is not a date written as dd/mm/yyyy.") % {"value": _shown_text(text)}
    )


def _village_key(name: str) -> str:
    key = strip_diacritics(name)
    for word in VILLAGE_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


NUMBERS = ("citizen_id", "card_number")


def _numbers(member: Member) -> dict:
    return {name: getattr(member, name) for name in NUMBERS}


def _conflicts(values: dict, other: dict) -> bool:
    """Two records with different citizen IDs or card numbers: not one person."""
    return any(values.get(n) and other.get(n) and values[n] != other[n] for n in NUMBERS)


def _name_key(values: dict) -> tuple | None:
    if values.get("full_name") and values.get("birth_date"):
        return strip_diacritics(values["full_name"]), values["birth_date"]
    return None


class Importer:
    """Reads one workbook for one cell and one user, and validates it against the database."""

    def __init__(self, *, user, unit, progress=None):
        self.user, self.unit = user, unit
        self.scope = scope_for(user)
        self.lookups = {name: _choice_lookup(choices) for name, choices in CHOICE_FIELDS.items()}
        self.labels = {name: dict(choice_labels(c)) for name, c in CHOICE_FIELDS.items()}
        self.progress = progress or ProgressReporter(user.pk)
        self._parsed: dict = {}  # (column, text) -> value: a file repeats its choice values
        self._villages = None
        self.village_names: dict = {}  # id -> name, for the changes the preview shows
        self.last_events: dict = {}

    def read(self, uploaded) -> list[Row]:
        """Every row of the file, validated; ImportFileError when the file cannot be read."""
        self.progress(READ, 0, None)
        content = _check_file(uploaded)
        try:
            rows = self._rows(SheetReader(content))
        except OpenDocumentError as error:
            raise ImportFileError(
                _(
                    "This file is an OpenDocument spreadsheet (.ods), not an Excel workbook: "
                    "open it and save it as .xlsx."
                )
            ) from error
        except UnzippedTooLargeError as error:
            raise ImportFileError(
                _(
                    "The workbook unzips to more than %(mb)d MB, far more than a member list "
                    "needs. Copy the members into the template and save it again."
                )
                % {"mb": MAX_UNZIPPED_BYTES // (1024 * 1024)}
            ) from error
        except WorkbookError as error:  # also when a damaged part shows up while streaming
            raise ImportFileError(
                _("The Excel file is damaged and cannot be read. Save it again from Excel.")
            ) from error
        self._match(rows)
        return rows

    def _rows(self, sheet: SheetReader) -> list[Row]:
        # A formula reads as its text "=…", which _parse_row refuses.
        cells = sheet.rows()
        _number, header = next(cells, (1, []))
        texts = [_cell_text(value).casefold() for value in header]
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
        total = sheet.total_rows  # the sheet's recorded size, when it has one: for progress
        rows = []
        for held, (number, cells_of_row) in enumerate(cells, start=1):
            if held > MAX_SHEET_ROWS:
                raise ImportFileError(
                    _(
                        "The sheet holds more than %(count)s rows, empty ones included. Delete "
                        "the empty rows under the members and save it again."
                    )
                    % {"count": number_format(MAX_SHEET_ROWS, force_grouping=True)}
                )
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
        leaves that field of a matched member as it is; an empty cell is noted in `blank`."""
        row = Row(number=number)
        for name, value in raw.items():
            if isinstance(value, str) and value.startswith("="):
                row.error(name, _("Formulas are not accepted: type the value itself."))
                continue
            if name in NAME_FIELDS and isinstance(value, int | float | date):
                row.error(name, _("A name is text: this cell holds a number or a date."))
                continue
            try:
                parsed = self._parse_value(name, value)
            except ValueError as error:
                row.error(name, str(error))
                continue
            if parsed is None:
                row.blank.append(name)
            else:
                row.values[ATTNAMES.get(name, name)] = parsed
        return row

    def _parse_value(self, name: str, value):
        """The cell's value for the field, None for an empty cell; ValueError with the reason."""
        if value is None:
            return None
        if name in DATE_FIELDS:
            return _parse_date(value)
        if name in MULTILINE_FIELDS:
            return normalize_multiline(str(value)) or None
        text = _cell_text(value)
        if not text:
            return None
        if name in CHOICE_FIELDS or name in BOOLEAN_FIELDS or name in ATTNAMES:
            key = (name, text)
            if key not in self._parsed:
                try:
                    self._parsed[key] = self._parse_listed(name, text)
                except ValueError as error:
                    self._parsed[key] = error
            found = self._parsed[key]
            if isinstance(found, ValueError):
                raise found
            return found
        if name in ("citizen_id", "card_number"):
            return text.replace(" ", "")
        return text

    def _parse_listed(self, name: str, text: str):
        """A value from a list: yes/no, a choice, a village of the cell's commune."""
        if name in BOOLEAN_FIELDS:
            key = strip_diacritics(text)
            if key in _YES_WORDS:
                return True
            if key in _NO_WORDS:
                return False
            raise ValueError(
                _("Write “%(yes)s” or “%(no)s”, or leave the cell empty.") % {"yes": YES, "no": NO}
            )
        if name == "residence_village":
            return self._village_id(text)
        exact, loose = self.lookups[name]
        found = exact.get(text.casefold()) or loose.get(strip_diacritics(text))
        if found is None:
            raise ValueError(
                _("“%(value)s” is not in the list of allowed values (sheet “%(sheet)s”).")
                % {"value": _shown_text(text), "sheet": ALLOWED_SHEET}
            )
        return found

    def _village_id(self, text: str) -> int:
        """The village of the cell's commune by name, with or without diacritics and its kind
        word ("Bản Mển", "ban men", "Mển")."""
        if self._villages is None:
            self._villages = self._commune_villages()
        commune, by_name, by_key = self._villages
        if commune is None:
            raise ValueError(_("This cell is under no commune: leave the village column empty."))
        found = by_name.get(text.casefold()) or by_key.get(_village_key(text))
        if found is None:
            raise ValueError(
                _("“%(value)s” is not a village of %(commune)s.")
                % {"value": _shown_text(text), "commune": commune.display_name}
            )
        return found

    def _commune_villages(self):
        commune = (
            Unit.objects.filter(
                pk__in=[*self.unit.ancestor_ids, self.unit.pk], kind=UnitKind.COMMUNE
            )
            .order_by("-depth")
            .first()
        )
        if commune is None:
            return None, {}, {}
        villages = list(Village.objects.filter(commune=commune).only("pk", "name"))
        self.village_names.update((v.pk, v.name) for v in villages)
        keys: dict = {}
        for village in villages:
            keys.setdefault(_village_key(village.name), set()).add(village.pk)
        by_key = {key: next(iter(pks)) for key, pks in keys.items() if len(pks) == 1}
        return commune, {v.name.casefold(): v.pk for v in villages}, by_key

    # --- Matching rows with members ------------------------------------------------------------

    def _match(self, rows: list[Row]) -> None:
        """Decide create / update / unchanged for each row, and check what needs the database:
        a row is the member of its citizen ID, else of its card number, else the one member of
        the same name and birth date in the units the user may edit (whose numbers do not
        contradict the row's)."""
        matches = self._match_numbers(rows)
        self._match_names(rows, matches)
        claimed = {}
        for row in rows:
            found = matches.get(row.number)
            if found is None:
                continue
            member, column = found
            if not self.scope.can_edit(member.unit.path):
                continue
            if member.pk in claimed and not row.has_error(column):
                row.error(
                    column,
                    _("The same member is on row %(row)d.") % {"row": claimed[member.pk]},
                )
            claimed.setdefault(member.pk, row.number)
        self._flag_twins_in_file(rows, matches)
        # Recognitions are checked against the member's last event.
        recognising = [
            matches[row.number][0].pk
            for row in rows
            if row.number in matches
            and matches[row.number][0].official_on is None
            and row.values.get("official_on")
            and self.scope.can_edit(matches[row.number][0].unit.path)
        ]
        self.last_events = last_events(recognising)
        for done, row in enumerate(rows, start=1):
            self.progress(CHECK, done, len(rows))
            member = None
            if row.number in matches:
                member, column = matches[row.number]
                if not self.scope.can_edit(member.unit.path):
                    # Refused, and checked no further: nothing said of that person's record.
                    row.error(column, NOT_IMPORTABLE[column])
                    continue
                self._check_match(row, member, column)
            self._validate(row, member)

    def _match_numbers(self, rows: list[Row]) -> dict:
        """{row number: (member, matching column)} by citizen ID, then card number, over the
        whole database: a number held outside the user's units refuses the row."""
        ids = {r.values.get("citizen_id") for r in rows} - {None, ""}
        cards = {r.values.get("card_number") for r in rows} - {None, ""}
        by_id, by_card = {}, {}
        for values, name, found in ((ids, "citizen_id", by_id), (cards, "card_number", by_card)):
            for chunk in batched(sorted(values), MATCH_CHUNK):
                members = Member.objects.filter(**{f"{name}__in": chunk}).select_related("unit")
                found.update((getattr(m, name), m) for m in members)
        seen: dict = {name: {} for name in NUMBERS}  # number -> first row with it
        matches = {}
        for row in rows:
            for name, first in seen.items():
                number = row.values.get(name)
                if number:
                    if number in first:
                        row.error(name, SAME_NUMBER_IN_FILE[name] % {"row": first[number]})
                    first.setdefault(number, row.number)
            citizen_id = row.values.get("citizen_id")
            card = row.values.get("card_number")
            member = by_id.get(citizen_id) if citizen_id else None
            holder = by_card.get(card) if card else None
            column = "citizen_id"
            if member is None and holder is not None:
                # Matched on the card only when no citizen ID tells them apart.
                if citizen_id and holder.citizen_id and holder.citizen_id != citizen_id:
                    self._card_taken(row, holder)
                else:
                    member, column = holder, "card_number"
            elif member is not None and holder is not None and holder.pk != member.pk:
                self._card_taken(row, holder)
            if member is not None:
                matches[row.number] = (member, column)
        return matches

    def _card_taken(self, row: Row, holder: Member) -> None:
        if self.scope.can_edit(holder.unit.path):
            row.error("card_number", CARD_TAKEN)
        else:
            row.error("card_number", NOT_IMPORTABLE["card_number"])

    def _match_names(self, rows: list[Row], matches: dict) -> None:
        """Rows no number matched: the member of the same name and birth date in the units the
        user may edit, when exactly one has no number contradicting the row; members of the
        same name and birth date with other numbers are flagged as probable duplicates."""
        keys = {}
        for row in rows:
            key = None if row.number in matches else _name_key(row.values)
            if key is not None:
                keys.setdefault(key, []).append(row)
        namesakes: dict = {}
        for chunk in batched(keys, MATCH_CHUNK):
            members = (
                Member.objects.filter(self.scope.editable_q("unit__path"))
                .filter(
                    search_key__in={name for name, _born in chunk},
                    birth_date__in={born for _name, born in chunk},
                )
                .select_related("unit")
                .order_by("pk")
            )
            for member in members:
                key = (member.search_key, member.birth_date)
                if key in keys:
                    namesakes.setdefault(key, []).append(member)
        for key, members in namesakes.items():
            for row in keys[key]:
                same = [m for m in members if not _conflicts(row.values, _numbers(m))]
                if len(same) == 1:
                    matches[row.number] = (same[0], "full_name")
                elif same:
                    row.error(
                        "full_name",
                        _(
                            "%(count)d members have this name and date of birth: give the "
                            "citizen ID number to tell them apart."
                        )
                        % {"count": len(same)},
                    )
                for member in members:
                    if member not in same:
                        row.warn(
                            "full_name",
                            _(
                                "Probably the same person as %(name)s of %(unit)s (same name "
                                "and date of birth, other numbers)."
                            )
                            % {"name": member.full_name, "unit": member.unit.display_name},
                        )

    def _flag_twins_in_file(self, rows: list[Row], matches: dict) -> None:
        """Rows that add members of the same name and birth date as an earlier row."""
        first: dict = {}
        for row in rows:
            key = None if row.number in matches else _name_key(row.values)
            if key is None:
                continue
            earlier = first.setdefault(key, row)
            if earlier is not row and not _conflicts(row.values, earlier.values):
                row.warn(
                    "full_name",
                    _("Probably the same person as on row %(row)d (same name and date of birth).")
                    % {"row": earlier.number},
                )

    def _check_match(self, row: Row, member: Member, column: str) -> None:
        if member.unit_id != self.unit.pk:
            if column == "full_name":
                message = _(
                    "A member of this name and date of birth belongs to %(unit)s: if it is the "
                    "same person, transfer them before importing; if not, record the citizen "
                    "ID numbers of both."
                )
            else:
                message = _("This member belongs to %(unit)s: transfer them before importing.")
            row.error(column, message % {"unit": member.unit.display_name})
        row.action, row.member_id = UPDATE, member.pk

    # --- Validation ----------------------------------------------------------------------------

    def _validate(self, row: Row, member: Member | None) -> None:
        if row.errors and any(row.has_error(name) for name in DATE_FIELDS):
            return  # a bad date makes the model's date rules meaningless
        if member is None:
            candidate = self._new_candidate(row)
        else:
            candidate = self._changed_candidate(row, member)
            if candidate is None:
                return
        failed = {name for name in FIELDS if row.has_error(name)} if row.errors else set()
        if member is not None:
            # The record's rules, and the fields the row changes: the others were valid already.
            changed = {COLUMN_OF.get(name, name) for name in row.values}
            failed |= {f.name for f in Member._meta.fields if f.name not in changed}
        # The cell is the one the user chose and may edit, the village one of its commune's: no
        # query per row to find them again.
        failed |= {"unit", "residence_village"}
        try:
            candidate.full_clean(exclude=failed, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                if name in failed:
                    continue  # one reason per cell: the file's own is clearer
                for message in messages:
                    row.error(name if name in HEADERS else None, message)

    def _new_candidate(self, row: Row) -> Member:
        """A new member: an empty cell of a required column is an error, of another column the
        field's default."""
        for name in row.blank:
            if name in REQUIRED:
                row.error(name, _("This column is required."))
            else:
                attname = ATTNAMES.get(name, name)
                row.values[attname] = EMPTY_VALUES.get(attname, "")
        values = dict(row.values)
        values["status"] = status_from_record(values.get("official_on"))
        return Member(unit=self.unit, **values)

    def _changed_candidate(self, row: Row, member: Member) -> Member | None:
        """The member as the row would leave it (None when it changes nothing): empty cells
        leave fields as they are, and the dates of membership events change only as
        members.services.import_update_problems allows."""
        changes = {n: v for n, v in row.values.items() if getattr(member, n) != v}
        if not changes:
            row.action = UNCHANGED
            return None
        problems = import_update_problems(member, changes, last=self.last_events.get(member.pk))
        for name, message in problems.items():
            row.error(name, message)
        # A shallow copy (copy.copy pickles the instance: five times slower); the record itself
        # stays as the database has it, for the changes shown and any other row matching it.
        candidate = Member.__new__(Member)
        candidate.__dict__ = member.__dict__.copy()
        for name, value in changes.items():
            setattr(candidate, name, value)
        if "official_on" in changes and not problems:
            candidate.status = MemberStatus.FULL
        row.changes = [
            (_header(name), self._shown(name, getattr(member, name)), self._shown(name, value))
            for name, value in changes.items()
        ]
        row.seen = member.updated_at.isoformat()
        return candidate

    def _shown(self, name: str, value) -> str:
        """A value as the preview shows it: as the file writes it."""
        if value is None or value == "":
            return "—"
        if isinstance(value, date):
            return value.strftime(DATE_FORMAT)
        if name in BOOLEAN_FIELDS:
            return YES if value else NO
        if name in CHOICE_FIELDS:
            return self.labels[name].get(value, value)
        if name == "residence_village_id":
            if value not in self.village_names:  # a village of another commune: rare
                village = Village.objects.filter(pk=value).first()
                self.village_names[value] = village.name if village else str(value)
            return self.village_names[value]
        return str(value)


MATCH_CHUNK = 1000  # numbers or names per query


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
    notes.value = (
        "Ngày ghi dd/mm/yyyy. Có Ngày chính thức là đảng viên chính thức. Thôn, bản ghi tên "
        "một thôn, bản của xã. Đảng viên đã có trong danh sách: ô để trống giữ nguyên thông "
        "tin đã có; ngày vào Đảng và ngày chính thức chỉ thay đổi qua biến động đảng viên."
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
